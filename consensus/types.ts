/**
 * Domain types of the chain: what a block, a vote and a validator are, independent of the wire.
 * Codecs in proto/ turn these into bytes and back. Heights and rounds are JS numbers (safe far past any
 * real chain); powers and amounts are bigint; times are bigint nanoseconds since the Unix epoch.
 */

/** Vote types, with CometBFT's numbering (SignedMsgType). */
export const VoteType = { Prevote: 1, Precommit: 2 } as const;
export type VoteType = (typeof VoteType)[keyof typeof VoteType];

/** CommitSig flags, with CometBFT's numbering (BlockIDFlag). */
export const BlockIdFlag = { Absent: 1, Commit: 2, Nil: 3 } as const;
export type BlockIdFlag = (typeof BlockIdFlag)[keyof typeof BlockIdFlag];

export interface Header {
  readonly chainId: string;
  readonly height: number;
  /** Block time in nanoseconds since the Unix epoch, chosen by the proposer, strictly increasing. */
  readonly time: bigint;
  /** Hash of the previous block (empty at the initial height). */
  readonly lastBlockHash: Uint8Array;
  readonly lastCommitHash: Uint8Array;
  readonly dataHash: Uint8Array;
  readonly validatorsHash: Uint8Array;
  readonly nextValidatorsHash: Uint8Array;
  readonly consensusHash: Uint8Array;
  /** App hash after executing the previous block. */
  readonly appHash: Uint8Array;
  readonly lastResultsHash: Uint8Array;
  readonly evidenceHash: Uint8Array;
  readonly proposerAddress: Uint8Array;
}

/** One validator's entry in a commit; `signature` is empty when absent. */
export interface CommitSig {
  readonly flag: BlockIdFlag;
  readonly validatorAddress: Uint8Array;
  readonly timestamp: bigint;
  readonly signature: Uint8Array;
}

/** +2/3 precommits for `blockHash` at (height, round): the proof that a block is final. */
export interface Commit {
  readonly height: number;
  readonly round: number;
  readonly blockHash: Uint8Array;
  /** In validator-set order, one per validator of the set at `height`. */
  readonly signatures: readonly CommitSig[];
}

export interface Vote {
  readonly type: VoteType;
  readonly height: number;
  readonly round: number;
  /** Empty for a vote for nil. */
  readonly blockHash: Uint8Array;
  readonly timestamp: bigint;
  readonly validatorAddress: Uint8Array;
  readonly validatorIndex: number;
  readonly signature: Uint8Array;
}

export interface Proposal {
  readonly height: number;
  readonly round: number;
  /** -1 when there is no proof-of-lock round. */
  readonly polRound: number;
  readonly blockHash: Uint8Array;
  readonly timestamp: bigint;
  readonly signature: Uint8Array;
}

/** Two votes of one validator for the same height, round and type but different blocks. */
export interface DuplicateVoteEvidence {
  readonly voteA: Vote;
  readonly voteB: Vote;
  readonly totalVotingPower: bigint;
  readonly validatorPower: bigint;
  /** Time of the block at the infraction height. */
  readonly timestamp: bigint;
}

export type Evidence = DuplicateVoteEvidence;

export interface Block {
  readonly header: Header;
  readonly txs: readonly Uint8Array[];
  readonly evidence: readonly Evidence[];
  /** Precommits for the previous block; empty signatures at the initial height. */
  readonly lastCommit: Commit;
}

export interface Validator {
  /** First 20 bytes of sha256(pubKey). */
  readonly address: Uint8Array;
  /** Raw 32-byte ed25519 public key. */
  readonly pubKey: Uint8Array;
  readonly votingPower: bigint;
  readonly proposerPriority: bigint;
}

/** A validator set in CometBFT order: by voting power descending, then address ascending. */
export interface ValidatorSet {
  readonly validators: readonly Validator[];
}

/** A validator set change returned by the application: power 0 removes the validator. */
export interface ValidatorUpdate {
  readonly pubKey: Uint8Array;
  readonly power: bigint;
}
