import type { BatchOp } from "../consensus/application.ts";

/**
 * The small key-value controller every repository is built on (Lodestar's three levels: this interface,
 * its LevelDB and in-memory implementations, and one typed repository per kind of record).
 * Keys order lexicographically by bytes.
 */
export interface KvStore {
  get(key: Uint8Array): Promise<Uint8Array | undefined>;
  getMany(keys: readonly Uint8Array[]): Promise<(Uint8Array | undefined)[]>;
  put(key: Uint8Array, value: Uint8Array, opts?: { sync?: boolean }): Promise<void>;
  del(key: Uint8Array, opts?: { sync?: boolean }): Promise<void>;
  /** All operations land together or not at all. `sync` waits for the OS to flush. */
  batch(ops: readonly BatchOp[], opts?: { sync?: boolean }): Promise<void>;
  /** Entries with gte <= key < lt, in key order (reverse when asked), at most `limit`. */
  entries(range: KeyRange): AsyncIterable<[Uint8Array, Uint8Array]>;
  close(): Promise<void>;
}

export interface KeyRange {
  readonly gte?: Uint8Array;
  readonly lt?: Uint8Array;
  readonly reverse?: boolean;
  readonly limit?: number;
}
