/**
 * Hashes of chain objects and the bytes validators sign, following CometBFT 0.38 (types/block.go,
 * types/vote.go, types/proposal.go, types/validator_set.go, types/results.go). Every function is a
 * pure function of its domain arguments; the same object always gives the same bytes.
 */
import type { Block, Commit, Evidence, Header, Proposal, ValidatorSet, Vote } from "../consensus/types.ts";
import { merkleRoot, sha256 } from "../crypto/index.ts";
import { APP_VERSION, BLOCK_PROTOCOL, encodeEvidence } from "./codec/block.ts";
import { int32, int64, newWriter, toTimestamp } from "./codec/fields.ts";
import { icsd } from "./gen/icsd.js";

const pb = icsd.types;
const SIGNED_MSG_TYPE_PROPOSAL = 32;

// cdcEncode of CometBFT: the value wrapped in gogoproto's BytesValue / StringValue / Int64Value (field 1),
// which encodes to nothing for the zero value.
function wrapBytes(b: Uint8Array): Uint8Array {
  return b.length === 0 ? new Uint8Array(0) : newWriter().uint32(10).bytes(b).finish();
}
function wrapString(s: string): Uint8Array {
  return s.length === 0 ? new Uint8Array(0) : newWriter().uint32(10).string(s).finish();
}
function wrapInt64(n: number): Uint8Array {
  return n === 0 ? new Uint8Array(0) : newWriter().uint32(8).int64(n).finish();
}

/**
 * Hash of a header, as CometBFT's Header.Hash: the Merkle root (crypto/merkle.ts) of 14 leaves, one per
 * field in proto order: the encoded version {block: 11, app: 0}, chain id, height, the encoded
 * Timestamp, then last block hash, last commit hash, data hash, validators hash, next validators hash,
 * consensus hash, app hash, last results hash, evidence hash and proposer address. Scalars and byte
 * strings are each encoded as field 1 of a wrapper message (empty for the zero value). One deviation:
 * CometBFT encodes the whole last BlockID; icsd has only its hash, wrapped like the other hashes.
 * Any change to any field changes the hash.
 */
export function headerHash(h: Header): Uint8Array {
  return merkleRoot([
    pb.Consensus.encode({ block: BLOCK_PROTOCOL, app: APP_VERSION }, newWriter()).finish(),
    wrapString(h.chainId),
    wrapInt64(h.height),
    pb.Timestamp.encode(toTimestamp("header.time", h.time), newWriter()).finish(),
    wrapBytes(h.lastBlockHash),
    wrapBytes(h.lastCommitHash),
    wrapBytes(h.dataHash),
    wrapBytes(h.validatorsHash),
    wrapBytes(h.nextValidatorsHash),
    wrapBytes(h.consensusHash),
    wrapBytes(h.appHash),
    wrapBytes(h.lastResultsHash),
    wrapBytes(h.evidenceHash),
    wrapBytes(h.proposerAddress),
  ]);
}

/** Hash of a block: the hash of its header (which commits to txs, evidence and last commit by their hashes). */
export function blockHash(b: Block): Uint8Array {
  return headerHash(b.header);
}

/** Hash of one transaction: sha256 of its bytes (CometBFT's Tx.Hash, what the RPC reports). */
export function txHash(tx: Uint8Array): Uint8Array {
  return sha256(tx);
}

/**
 * Header data hash: the Merkle root of the transactions' hashes, in block order (CometBFT 0.38
 * Txs.Hash, whose leaves are tx hashes so a tx inclusion proof needs only the tx hash).
 */
export function dataHash(txs: readonly Uint8Array[]): Uint8Array {
  const leaves: Uint8Array[] = new Array(txs.length);
  for (let i = 0; i < txs.length; i++) leaves[i] = sha256(txs[i]!);
  return merkleRoot(leaves);
}

/** Header last-commit hash: the Merkle root of the encoded CommitSigs, in validator order (CometBFT Commit.Hash). */
export function commitHash(c: Commit): Uint8Array {
  const leaves: Uint8Array[] = new Array(c.signatures.length);
  for (let i = 0; i < c.signatures.length; i++) {
    const s = c.signatures[i]!;
    leaves[i] = pb.CommitSig.encode(
      {
        blockIdFlag: s.flag,
        validatorAddress: s.validatorAddress,
        timestamp: toTimestamp("commitSig.timestamp", s.timestamp),
        signature: s.signature,
      },
      newWriter(),
    ).finish();
  }
  return merkleRoot(leaves);
}

/** Header evidence hash: the Merkle root of each evidence's encoding (the icsd.types.Evidence wrapper). */
export function evidenceHash(list: readonly Evidence[]): Uint8Array {
  return merkleRoot(list.map(encodeEvidence));
}

/**
 * Validators hash: the Merkle root of each validator's SimpleValidator {pub_key, voting_power}
 * encoding, in set order (CometBFT ValidatorSet.Hash). Proposer priorities are not committed to.
 */
export function validatorSetHash(set: ValidatorSet): Uint8Array {
  const leaves: Uint8Array[] = new Array(set.validators.length);
  for (let i = 0; i < set.validators.length; i++) {
    const v = set.validators[i]!;
    leaves[i] = pb.SimpleValidator.encode(
      { pubKey: v.pubKey, votingPower: int64("validator.votingPower", v.votingPower) },
      newWriter(),
    ).finish();
  }
  return merkleRoot(leaves);
}

/** The deterministic part of a transaction result (a subset of consensus/application.ts TxResult). */
export interface DeterministicTxResult {
  readonly code: number;
  readonly data: Uint8Array;
  readonly gasWanted: bigint;
  readonly gasUsed: bigint;
}

/**
 * Last results hash: the Merkle root of each result's ExecTxResult {code, data, gas_wanted, gas_used}
 * encoding, in tx order (CometBFT's deterministicExecTxResult); logs and events are not committed to.
 */
export function resultsHash(results: readonly DeterministicTxResult[]): Uint8Array {
  const leaves: Uint8Array[] = new Array(results.length);
  for (let i = 0; i < results.length; i++) {
    const r = results[i]!;
    leaves[i] = pb.ExecTxResult.encode(
      {
        code: r.code,
        data: r.data,
        gasWanted: int64("result.gasWanted", r.gasWanted),
        gasUsed: int64("result.gasUsed", r.gasUsed),
      },
      newWriter(),
    ).finish();
  }
  return merkleRoot(leaves);
}

/**
 * The bytes a validator signs for a vote: the CanonicalVote {type, height, round, block_hash, chain_id}
 * encoding with a varint length prefix (CometBFT VoteSignBytes, protoio.MarshalDelimited). The vote's
 * timestamp, address, index and signature are not signed, so re-signing the same vote after a crash
 * gives the same bytes; a vote for nil has an empty block hash.
 */
export function voteSignBytes(chainId: string, v: Vote): Uint8Array {
  return pb.CanonicalVote.encodeDelimited(
    { type: v.type, height: v.height, round: v.round, blockHash: v.blockHash, chainId },
    newWriter(),
  ).finish();
}

/**
 * The bytes a proposer signs: the CanonicalProposal {type 32, height, round, pol_round, block_hash,
 * timestamp, chain_id} encoding with a varint length prefix (CometBFT ProposalSignBytes).
 */
export function proposalSignBytes(chainId: string, p: Proposal): Uint8Array {
  return pb.CanonicalProposal.encodeDelimited(
    {
      type: SIGNED_MSG_TYPE_PROPOSAL,
      height: p.height,
      round: p.round,
      polRound: int32("proposal.polRound", p.polRound),
      blockHash: p.blockHash,
      timestamp: toTimestamp("proposal.timestamp", p.timestamp),
      chainId,
    },
    newWriter(),
  ).finish();
}
