import type { WriteBatch } from "../consensus/index.ts";
import type { KeyRange, MerkleProof } from "../store/index.ts";

/** What an application needs of the authenticated store: a working set over the last committed version. */
export interface StateTree {
  /** Last committed version (= block height; 0 before the first commit). */
  readonly version: number;
  /** Oldest committed version still readable. */
  readonly firstVersion: number;
  /** Root hash of the last committed version. */
  readonly hash: Uint8Array;
  get(key: Uint8Array): Promise<Uint8Array | undefined>;
  getAt(key: Uint8Array, version: number): Promise<Uint8Array | undefined>;
  set(key: Uint8Array, value: Uint8Array): void;
  delete(key: Uint8Array): void;
  /** Entries including uncommitted changes, in key order. */
  iterate(range: KeyRange): AsyncIterable<[Uint8Array, Uint8Array]>;
  /** Entries at a committed version, in key order. */
  iterateAt(range: KeyRange, version: number): AsyncIterable<[Uint8Array, Uint8Array]>;
  /** A membership proof (with the value) or a non-membership proof of `key` at a committed version. */
  prove(key: Uint8Array, version: number): Promise<{ value: Uint8Array | undefined; proof: MerkleProof }>;
  /** Root hash the next commit will have. */
  workingHash(): Promise<Uint8Array>;
  /** Stages the working set into `batch` as the next version. */
  commit(batch: WriteBatch): Promise<{ version: number; hash: Uint8Array }>;
  /** Called once the batch of the last commit is on disk. */
  onBatchWritten(): void;
}
