/** Deterministic sample chain objects for the proto tests. */
import type {
  Block,
  Commit,
  DuplicateVoteEvidence,
  Header,
  Proposal,
  Validator,
  ValidatorSet,
  Vote,
} from "../../../consensus/types.ts";
import { addressFromPubKey } from "../../../crypto/index.ts";

/** `n` bytes all equal to `b`. */
export function fill(n: number, b: number): Uint8Array {
  return new Uint8Array(n).fill(b);
}

export function sampleVote(over: Partial<Vote> = {}): Vote {
  return {
    type: 2,
    height: 5,
    round: 1,
    blockHash: fill(32, 0xaa),
    timestamp: 1_000_000_002n,
    validatorAddress: fill(20, 0x11),
    validatorIndex: 3,
    signature: fill(64, 0x22),
    ...over,
  };
}

export function sampleProposal(over: Partial<Proposal> = {}): Proposal {
  return {
    height: 7,
    round: 2,
    polRound: 1,
    blockHash: fill(32, 0xbb),
    timestamp: 1_700_000_000_123_456_789n,
    signature: fill(64, 0x33),
    ...over,
  };
}

export function sampleCommit(over: Partial<Commit> = {}): Commit {
  return {
    height: 6,
    round: 0,
    blockHash: fill(32, 0xcc),
    signatures: [
      { flag: 2, validatorAddress: fill(20, 1), timestamp: 5n, signature: fill(64, 4) },
      { flag: 1, validatorAddress: new Uint8Array(0), timestamp: 0n, signature: new Uint8Array(0) },
      { flag: 3, validatorAddress: fill(20, 3), timestamp: 9_000_000_000n, signature: fill(64, 6) },
    ],
    ...over,
  };
}

export function sampleHeader(over: Partial<Header> = {}): Header {
  return {
    chainId: "icsd-test-1",
    height: 7,
    time: 1_700_000_000_000_000_001n,
    lastBlockHash: fill(32, 1),
    lastCommitHash: fill(32, 2),
    dataHash: fill(32, 3),
    validatorsHash: fill(32, 4),
    nextValidatorsHash: fill(32, 5),
    consensusHash: fill(32, 6),
    appHash: fill(32, 7),
    lastResultsHash: fill(32, 8),
    evidenceHash: fill(32, 9),
    proposerAddress: fill(20, 10),
    ...over,
  };
}

export function sampleEvidence(over: Partial<DuplicateVoteEvidence> = {}): DuplicateVoteEvidence {
  return {
    voteA: sampleVote(),
    voteB: sampleVote({ blockHash: fill(32, 0xab) }),
    totalVotingPower: 1_000n,
    validatorPower: 10n,
    timestamp: 42n,
    ...over,
  };
}

export function sampleBlock(over: Partial<Block> = {}): Block {
  return {
    header: sampleHeader(),
    txs: [fill(3, 0x41), fill(100, 0x42)],
    evidence: [sampleEvidence()],
    lastCommit: sampleCommit(),
    ...over,
  };
}

export function sampleValidator(seed: number, power: bigint, priority = 0n): Validator {
  const pubKey = fill(32, seed);
  return { address: addressFromPubKey(pubKey), pubKey, votingPower: power, proposerPriority: priority };
}

export function sampleValidatorSet(): ValidatorSet {
  return {
    validators: [
      sampleValidator(1, 100n, -5n),
      sampleValidator(2, 50n, 9_223_372_036_854_775_807n),
      sampleValidator(3, 1n, -9_223_372_036_854_775_808n),
    ],
  };
}
