import type { BatchOp } from "../consensus/application.ts";
import { concatBytes } from "../utils/index.ts";
import type { KeyRange, KvStore } from "./kvStore.ts";
import { prefixEnd } from "./prefixes.ts";

/**
 * A view of a KvStore restricted to keys starting with `prefix`: keys are given and returned without the
 * prefix, iteration never leaves the namespace. Closing the view does not close the parent.
 */
export class PrefixedKvStore implements KvStore {
  private readonly parent: KvStore;
  private readonly prefix: Uint8Array;

  constructor(parent: KvStore, prefix: Uint8Array) {
    this.parent = parent;
    this.prefix = prefix.slice();
  }

  /** The full key in the parent store. */
  fullKey(key: Uint8Array): Uint8Array {
    return concatBytes(this.prefix, key);
  }

  get(key: Uint8Array): Promise<Uint8Array | undefined> {
    return this.parent.get(this.fullKey(key));
  }

  getMany(keys: readonly Uint8Array[]): Promise<(Uint8Array | undefined)[]> {
    return this.parent.getMany(keys.map((k) => this.fullKey(k)));
  }

  put(key: Uint8Array, value: Uint8Array, opts?: { sync?: boolean }): Promise<void> {
    return this.parent.put(this.fullKey(key), value, opts);
  }

  del(key: Uint8Array, opts?: { sync?: boolean }): Promise<void> {
    return this.parent.del(this.fullKey(key), opts);
  }

  batch(ops: readonly BatchOp[], opts?: { sync?: boolean }): Promise<void> {
    return this.parent.batch(
      ops.map((op): BatchOp => ({ ...op, key: this.fullKey(op.key) })),
      opts,
    );
  }

  async *entries(range: KeyRange): AsyncIterable<[Uint8Array, Uint8Array]> {
    const gte = range.gte ? this.fullKey(range.gte) : this.prefix;
    const lt = range.lt ? this.fullKey(range.lt) : prefixEnd(this.prefix);
    const inner: { gte: Uint8Array; lt?: Uint8Array; reverse?: boolean; limit?: number } = { gte };
    if (lt) inner.lt = lt;
    if (range.reverse !== undefined) inner.reverse = range.reverse;
    if (range.limit !== undefined) inner.limit = range.limit;
    const n = this.prefix.length;
    for await (const [k, v] of this.parent.entries(inner)) yield [k.subarray(n), v];
  }

  async close(): Promise<void> {}
}
