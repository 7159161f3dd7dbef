import type { BatchOp } from "../consensus/application.ts";
import { IcsdError } from "../utils/index.ts";
import type { KeyRange, KvStore } from "./kvStore.ts";

/**
 * An in-memory KvStore kept sorted by key, with the same semantics as LevelKvStore: byte-lexicographic
 * order, atomic batches, iterators that read a snapshot taken when iteration starts. For unit tests and
 * tools; it holds everything in memory.
 */
export class MemoryKvStore implements KvStore {
  // Keys as latin1 strings: one char per byte, so string order is byte order. Point reads and writes
  // are O(1); the sorted key list is rebuilt only when an iteration follows an insert or delete.
  private readonly map = new Map<string, Uint8Array>();
  private sorted: string[] | undefined = [];
  private closed = false;

  /** Number of entries (for tests). */
  get size(): number {
    return this.map.size;
  }

  private check(): void {
    if (this.closed) throw new IcsdError("DB_CLOSED", "the store is closed");
  }

  async get(key: Uint8Array): Promise<Uint8Array | undefined> {
    this.check();
    return this.map.get(id(key))?.slice();
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
    const k = id(key);
    if (!this.map.has(k)) this.sorted = undefined;
    this.map.set(k, value.slice());
  }

  private delSync(key: Uint8Array): void {
    if (this.map.delete(id(key))) this.sorted = undefined;
  }

  private sortedKeys(): string[] {
    this.sorted ??= [...this.map.keys()].sort();
    return this.sorted;
  }

  async *entries(range: KeyRange): AsyncIterable<[Uint8Array, Uint8Array]> {
    this.check();
    const keys = this.sortedKeys();
    const start = range.gte ? lowerBound(keys, id(range.gte)) : 0;
    const end = range.lt ? lowerBound(keys, id(range.lt)) : keys.length;
    if (end <= start) return;
    // Snapshot at the start of iteration, as LevelDB iterators do.
    const ks = keys.slice(start, end);
    const vs = ks.map((k) => this.map.get(k)!);
    const limit = range.limit !== undefined && range.limit >= 0 ? range.limit : Number.POSITIVE_INFINITY;
    let n = 0;
    if (range.reverse) {
      for (let i = ks.length - 1; i >= 0 && n < limit; i--, n++) yield [bytes(ks[i]!), vs[i]!.slice()];
    } else {
      for (let i = 0; i < ks.length && n < limit; i++, n++) yield [bytes(ks[i]!), vs[i]!.slice()];
    }
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

function id(key: Uint8Array): string {
  return Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString("latin1");
}

function bytes(k: string): Uint8Array {
  return new Uint8Array(Buffer.from(k, "latin1"));
}

/** Index of the first key >= `key` in a sorted list. */
function lowerBound(keys: readonly string[], key: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keys[mid]! < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
