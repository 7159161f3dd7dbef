/**
 * Wire formats of icsd: codecs between the protobuf messages of proto/icsd/*.proto and the domain types
 * of consensus/types.ts, and the hashes and sign bytes of chain objects. Decoders of untrusted bytes
 * throw IcsdError with code PROTO_DECODE and a message naming the bad field.
 */
export {
  APP_VERSION,
  BLOCK_PROTOCOL,
  decodeBlock,
  decodeEvidence,
  decodeHeader,
  encodeBlock,
  encodeEvidence,
  encodeHeader,
} from "./codec/block.ts";
export { MAX_CHAIN_ID_LENGTH, PROTO_DECODE, PROTO_ENCODE } from "./codec/fields.ts";
export type {
  BlockRequest,
  CatchupResponse,
  P2pProposal,
  StatusResponse,
  StoredBlock,
  SyncedBlock,
} from "./codec/p2p.ts";
export {
  decodeBlockRequest,
  decodeBlockResponse,
  decodeCatchupRequest,
  decodeCatchupResponse,
  decodeEvidenceMessage,
  decodeProposalMessage,
  decodeStatusRequest,
  decodeStatusResponse,
  decodeTxMessage,
  decodeVoteMessage,
  encodeBlockRequest,
  encodeBlockResponse,
  encodeCatchupRequest,
  encodeCatchupResponse,
  encodeEvidenceMessage,
  encodeProposalMessage,
  encodeStatusRequest,
  encodeStatusResponse,
  encodeTxMessage,
  encodeVoteMessage,
  MAX_BLOCKS_PER_REQUEST,
} from "./codec/p2p.ts";
export { decodeValidatorSet, encodeValidatorSet, PUBKEY_LENGTH } from "./codec/validators.ts";
export {
  ADDRESS_LENGTH,
  decodeCommit,
  decodeProposal,
  decodeVote,
  encodeCommit,
  encodeProposal,
  encodeVote,
  HASH_LENGTH,
  SIGNATURE_LENGTH,
} from "./codec/vote.ts";
export type { WalMessage } from "./codec/wal.ts";
export { decodeWalMessage, encodeWalMessage } from "./codec/wal.ts";
export type { DeterministicTxResult } from "./hashing.ts";
export {
  blockHash,
  commitHash,
  dataHash,
  evidenceHash,
  headerHash,
  proposalSignBytes,
  resultsHash,
  txHash,
  validatorSetHash,
  voteSignBytes,
} from "./hashing.ts";
