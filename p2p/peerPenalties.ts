/**
 * The application-level peer score: penalties reported by message handlers (an invalid vote, a block
 * that fails validation, a gossip "reject") accumulate per peer and decay with a half-life; a peer whose
 * total reaches the threshold must be dropped and is refused for a cool-down. Pure bookkeeping over an
 * injected clock, so it is tested without timers; the host acts on its verdicts.
 */

export interface PeerPenaltiesOptions {
  /** Total penalty at which a peer is to be dropped. */
  readonly threshold: number;
  /** How long a dropped peer stays banned, in ms. */
  readonly banDurationMs: number;
  /** Half-life of accumulated penalties, in ms (honest peers that err now and then never reach the threshold). */
  readonly halfLifeMs: number;
  /** Milliseconds since some epoch; `Date.now` in the host. */
  readonly now: () => number;
}

interface Entry {
  penalty: number;
  at: number;
}

/** Result of one `penalize`: the decayed total after it, and whether the threshold was reached. */
export interface PenaltyOutcome {
  readonly total: number;
  readonly drop: boolean;
}

/** Per-peer penalties and bans; see the file comment. */
export class PeerPenalties {
  private readonly opts: PeerPenaltiesOptions;
  private readonly entries = new Map<string, Entry>();
  private readonly bans = new Map<string, { until: number; reason: string }>();

  constructor(opts: PeerPenaltiesOptions) {
    if (!(opts.threshold > 0)) throw new RangeError("penalty threshold must be positive");
    this.opts = opts;
  }

  /** Adds `weight` (> 0) to the peer's penalty; `drop` is true once the decayed total reaches the threshold. */
  penalize(peer: string, weight: number): PenaltyOutcome {
    const w = Number.isFinite(weight) && weight > 0 ? weight : 0;
    const total = this.penalty(peer) + w;
    this.entries.set(peer, { penalty: total, at: this.opts.now() });
    return { total, drop: total >= this.opts.threshold };
  }

  /** The peer's current penalty after decay (0 for unknown peers). */
  penalty(peer: string): number {
    const e = this.entries.get(peer);
    if (e === undefined) return 0;
    const elapsed = Math.max(0, this.opts.now() - e.at);
    const p = e.penalty * 2 ** (-elapsed / this.opts.halfLifeMs);
    if (p < 0.01) {
      this.entries.delete(peer);
      return 0;
    }
    return p;
  }

  /** The score gossipsub adds as its application-specific component: minus the penalty. */
  score(peer: string): number {
    return -this.penalty(peer);
  }

  /** Refuses the peer until now + `durationMs` (default: the configured ban) and forgets its penalty. */
  ban(peer: string, reason: string, durationMs = this.opts.banDurationMs): void {
    const until = this.opts.now() + durationMs;
    const prev = this.bans.get(peer);
    if (prev === undefined || prev.until < until) this.bans.set(peer, { until, reason });
    this.entries.delete(peer);
  }

  /** Whether the peer is refused right now; expired bans are forgotten. */
  isBanned(peer: string): boolean {
    const b = this.bans.get(peer);
    if (b === undefined) return false;
    if (b.until <= this.opts.now()) {
      this.bans.delete(peer);
      return false;
    }
    return true;
  }

  /** Number of peers currently banned. */
  bannedCount(): number {
    let n = 0;
    for (const peer of [...this.bans.keys()]) if (this.isBanned(peer)) n++;
    return n;
  }
}
