/**
 * Codecs of the consensus messages a validator signs: votes, proposals, and the commits built from
 * precommits. Decoders validate every field as CometBFT's ValidateBasic does.
 */
import type { BlockIdFlag, Commit, CommitSig, Proposal, Vote, VoteType } from "../../consensus/types.ts";
import { icsd } from "../gen/icsd.js";
import {
  bytesField,
  decodeWith,
  enumField,
  fail,
  hashField,
  int32,
  int32Field,
  newWriter,
  safeInt,
  timestampField,
  toTimestamp,
} from "./fields.ts";

const pb = icsd.types;

/** Length of an ed25519 signature. */
export const SIGNATURE_LENGTH = 64;
/** Length of a validator address (first 20 bytes of sha256(pubKey)). */
export const ADDRESS_LENGTH = 20;
/** Length of a block hash (0 for nil where allowed). */
export const HASH_LENGTH = 32;

const VOTE_TYPES: readonly VoteType[] = [1, 2];
const FLAGS: readonly BlockIdFlag[] = [1, 2, 3];

/** @internal Domain vote to its generated shape. */
export function votePb(v: Vote): icsd.types.Vote.$Properties {
  return {
    type: v.type,
    height: v.height,
    round: int32("vote.round", v.round),
    blockHash: v.blockHash,
    timestamp: toTimestamp("vote.timestamp", v.timestamp),
    validatorAddress: v.validatorAddress,
    validatorIndex: int32("vote.validatorIndex", v.validatorIndex),
    signature: v.signature,
  };
}

/** @internal Validated domain vote from its generated shape. */
export function voteFromPb(path: string, m: icsd.types.Vote.$Properties): Vote {
  return {
    type: enumField(`${path}.type`, m.type, VOTE_TYPES),
    height: safeInt(`${path}.height`, m.height),
    round: int32Field(`${path}.round`, m.round),
    blockHash: hashField(`${path}.blockHash`, m.blockHash),
    timestamp: timestampField(`${path}.timestamp`, m.timestamp),
    validatorAddress: bytesField(`${path}.validatorAddress`, m.validatorAddress, ADDRESS_LENGTH),
    validatorIndex: int32Field(`${path}.validatorIndex`, m.validatorIndex),
    signature: bytesField(`${path}.signature`, m.signature, SIGNATURE_LENGTH),
  };
}

/** @internal */
export function proposalPb(p: Proposal): icsd.types.Proposal.$Properties {
  return {
    height: p.height,
    round: int32("proposal.round", p.round),
    polRound: int32("proposal.polRound", p.polRound),
    blockHash: p.blockHash,
    timestamp: toTimestamp("proposal.timestamp", p.timestamp),
    signature: p.signature,
  };
}

/** @internal */
export function proposalFromPb(path: string, m: icsd.types.Proposal.$Properties): Proposal {
  const round = int32Field(`${path}.round`, m.round);
  const polRound = int32Field(`${path}.polRound`, m.polRound, -1);
  // CometBFT ErrInvalidProposalPOLRound: the POL round, when set, precedes the proposal's round.
  if (polRound >= round && polRound !== -1)
    fail(`${path}.polRound`, `must be -1 or < round ${round}, got ${polRound}`);
  return {
    height: safeInt(`${path}.height`, m.height),
    round,
    polRound,
    // A proposal always names a block.
    blockHash: bytesField(`${path}.blockHash`, m.blockHash, HASH_LENGTH),
    timestamp: timestampField(`${path}.timestamp`, m.timestamp),
    signature: bytesField(`${path}.signature`, m.signature, SIGNATURE_LENGTH),
  };
}

/** @internal */
export function commitPb(c: Commit): icsd.types.Commit.$Properties {
  const signatures: icsd.types.CommitSig.$Properties[] = new Array(c.signatures.length);
  for (let i = 0; i < c.signatures.length; i++) {
    const s = c.signatures[i]!;
    signatures[i] = {
      blockIdFlag: s.flag,
      validatorAddress: s.validatorAddress,
      timestamp: toTimestamp("commit.signatures.timestamp", s.timestamp),
      signature: s.signature,
    };
  }
  return { height: c.height, round: int32("commit.round", c.round), blockHash: c.blockHash, signatures };
}

/** @internal Validated CommitSig; absent entries carry no address and no signature (CometBFT rule). */
export function commitSigFromPb(path: string, m: icsd.types.CommitSig.$Properties): CommitSig {
  const flag = enumField(`${path}.flag`, m.blockIdFlag, FLAGS);
  const absent = flag === 1;
  return {
    flag,
    validatorAddress: bytesField(`${path}.validatorAddress`, m.validatorAddress, absent ? 0 : ADDRESS_LENGTH),
    timestamp: timestampField(`${path}.timestamp`, m.timestamp),
    signature: bytesField(`${path}.signature`, m.signature, absent ? 0 : SIGNATURE_LENGTH),
  };
}

/** @internal */
export function commitFromPb(path: string, m: icsd.types.Commit.$Properties): Commit {
  const sigs = m.signatures ?? [];
  const signatures: CommitSig[] = new Array(sigs.length);
  for (let i = 0; i < sigs.length; i++) signatures[i] = commitSigFromPb(`${path}.signatures[${i}]`, sigs[i]!);
  return {
    height: safeInt(`${path}.height`, m.height),
    round: int32Field(`${path}.round`, m.round),
    blockHash: hashField(`${path}.blockHash`, m.blockHash),
    signatures,
  };
}

/** Protobuf encoding of a vote (icsd.types.Vote); deterministic. */
export function encodeVote(v: Vote): Uint8Array {
  return pb.Vote.encode(votePb(v), newWriter()).finish();
}

/** Decodes and validates a vote; throws PROTO_DECODE naming the bad field. */
export function decodeVote(bytes: Uint8Array): Vote {
  return decodeWith("vote", bytes, (b) => voteFromPb("vote", pb.Vote.decode(b)));
}

/** Protobuf encoding of a proposal (icsd.types.Proposal); deterministic. */
export function encodeProposal(p: Proposal): Uint8Array {
  return pb.Proposal.encode(proposalPb(p), newWriter()).finish();
}

/** Decodes and validates a proposal; throws PROTO_DECODE naming the bad field. */
export function decodeProposal(bytes: Uint8Array): Proposal {
  return decodeWith("proposal", bytes, (b) => proposalFromPb("proposal", pb.Proposal.decode(b)));
}

/** Protobuf encoding of a commit (icsd.types.Commit); deterministic. */
export function encodeCommit(c: Commit): Uint8Array {
  return pb.Commit.encode(commitPb(c), newWriter()).finish();
}

/** Decodes and validates a commit; throws PROTO_DECODE naming the bad field. */
export function decodeCommit(bytes: Uint8Array): Commit {
  return decodeWith("commit", bytes, (b) => commitFromPb("commit", pb.Commit.decode(b)));
}
