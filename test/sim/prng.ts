/**
 * A small seeded PRNG (mulberry32) for the simulator: 32-bit integer state, integer outputs only, so a
 * seed replays bit for bit on every machine.
 */
export class Prng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Next uniform 32-bit unsigned integer. */
  nextU32(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return this.nextU32() % n;
  }

  /** Uniform integer in [lo, hi]. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  /** True with probability permille / 1000. */
  chance(permille: number): boolean {
    return this.int(1000) < permille;
  }

  /** An independent stream derived from this one (so one consumer's draws do not shift another's). */
  fork(): Prng {
    return new Prng(this.nextU32() ^ 0x9e3779b9);
  }
}
