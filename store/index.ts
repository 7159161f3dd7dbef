export {
  type BlockResults,
  decodeBlockResults,
  decodeIndexedTx,
  encodeBlockResults,
  encodeIndexedTx,
  type IndexedTx,
  type StoredTxResult,
} from "./abciResults.ts";
export { BlockStore } from "./blockStore.ts";
export type { KeyRange, KvStore } from "./kvStore.ts";
export { LevelKvStore } from "./levelKvStore.ts";
export { MemoryKvStore } from "./memoryKvStore.ts";
export { EMPTY_HASH } from "./merkle/node.ts";
export {
  decodeProof,
  encodeProof,
  type MerkleProof,
  ProofKind,
  type ProofStep,
  verifyMembership,
  verifyNonMembership,
} from "./merkle/proof.ts";
export { type CommitResult, MerkleTree, type MerkleTreeOptions, type ProveResult } from "./merkle/tree.ts";
export { PrefixedKvStore } from "./prefixedKvStore.ts";
export { Prefix, type PrefixName, prefixEnd, prefixedKey } from "./prefixes.ts";
export {
  type AttributeFilter,
  type EventMap,
  TX_HASH_KEY,
  TX_HEIGHT_KEY,
  TxIndex,
  type TxIndexQuery,
  type TxPointer,
  txEventMap,
} from "./txIndex.ts";
export {
  decodeWalRecords,
  encodeWalRecord,
  MAX_WAL_RECORD_BYTES,
  Wal,
  type WalOptions,
  type WalRecord,
  type WalRecovery,
  WalTag,
} from "./wal.ts";
