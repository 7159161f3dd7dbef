import type { BatchOp } from "../consensus/application.ts";
import { compareBytes, IcsdError } from "../utils/index.ts";
import type { KeyRange, KvStore } from "./kvStore.ts";

/**
 * An in-memory KvStore kept sorted by key, with the same semantics as LevelKvStore: byte-lexicographic
 * order, atomic batches, iterators that read a snapshot taken when iteration starts. For unit tests and
 * tools; it holds everything in memory.
 */
export class MemoryKvStore implements KvStore {
  private readonly keys: Uint8Array[] = [];
  private readonly values: Uint8Array[] = [];
  private closed = false;

  /** Number of entries (for tests). */
  get size(): number {
    return this.keys.length;
  }

  /** Index of the first key >= `key`. */
  private lowerBound(key: Uint8Array): number {
    let lo = 0;
    let hi = this.keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareBytes(this.keys[mid]!, key) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private check(): void {
    if (this.closed) throw new IcsdError("DB_CLOSED", "the store is closed");
  }

  async get(key: Uint8Array): Promise<Uint8Array | undefined> {
    this.check();
    const i = this.lowerBound(key);
    const k = this.keys[i];
    return k !== undefined && compareBytes(k, key) === 0 ? this.values[i]!.slice() : undefined;
  }

  async getMany(keys: readonly Uint8Array[]): Promise<(Uint8Array | undefined)[]> {
    const out: (Uint8Array | undefined)[] = [];
    for (const k of keys) out.push(await this.get(k));
    return out;
  }

  async put(key: Uint8Array, value: Uint8Array): Promise<void> {
    this.check();
    this.putSync(key, value);
  }

  async del(key: Uint8Array): Promise<void> {
    this.check();
    this.delSync(key);
  }

  async batch(ops: readonly BatchOp[]): Promise<void> {
    this.check();
    // Applied in order, synchronously: nothing else can observe a half-applied batch.
    for (const op of ops) {
      if (op.type === "put") this.putSync(op.key, op.value);
      else this.delSync(op.key);
    }
  }

  private putSync(key: Uint8Array, value: Uint8Array): void {
    const i = this.lowerBound(key);
    const k = this.keys[i];
    if (k !== undefined && compareBytes(k, key) === 0) {
      this.values[i] = value.slice();
    } else {
      this.keys.splice(i, 0, key.slice());
      this.values.splice(i, 0, value.slice());
    }
  }

  private delSync(key: Uint8Array): void {
    const i = this.lowerBound(key);
    const k = this.keys[i];
    if (k !== undefined && compareBytes(k, key) === 0) {
      this.keys.splice(i, 1);
      this.values.splice(i, 1);
    }
  }

  async *entries(range: KeyRange): AsyncIterable<[Uint8Array, Uint8Array]> {
    this.check();
    const start = range.gte ? this.lowerBound(range.gte) : 0;
    const end = range.lt ? this.lowerBound(range.lt) : this.keys.length;
    if (end <= start) return;
    // Snapshot at the start of iteration, as LevelDB iterators do.
    const ks = this.keys.slice(start, end);
    const vs = this.values.slice(start, end);
    const limit = range.limit !== undefined && range.limit >= 0 ? range.limit : Number.POSITIVE_INFINITY;
    let n = 0;
    if (range.reverse) {
      for (let i = ks.length - 1; i >= 0 && n < limit; i--, n++) yield [ks[i]!.slice(), vs[i]!.slice()];
    } else {
      for (let i = 0; i < ks.length && n < limit; i++, n++) yield [ks[i]!.slice(), vs[i]!.slice()];
    }
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}
