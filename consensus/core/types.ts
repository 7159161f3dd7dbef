/**
 * The contract of the pure Tendermint core: inputs it accepts and effects it asks the shell to perform.
 * The core never sees bytes, signatures or time; values are opaque ids (hex block hashes) and
 * validators are hex addresses. Signature checks and block validation happen in the shell before an
 * input is built. Paper: Buchman, Kwon, Milosevic, "The latest gossip on BFT consensus", 2018.
 */

/** Opaque id of a proposed value (the hex block hash). */
export type ValueId = string;
/** Hex validator address. */
export type Address = string;

export type Step = "propose" | "prevote" | "precommit" | "commit";
export type VoteKind = "prevote" | "precommit";
export type TimeoutKind = "propose" | "prevote" | "precommit";

export interface CoreValidator {
  readonly address: Address;
  readonly power: bigint;
  readonly proposerPriority: bigint;
}

/** Timeout durations: base + round * delta (CometBFT's timeout_propose / timeout_propose_delta, ...). */
export interface TimeoutConfig {
  readonly proposeMs: number;
  readonly proposeDeltaMs: number;
  readonly prevoteMs: number;
  readonly prevoteDeltaMs: number;
  readonly precommitMs: number;
  readonly precommitDeltaMs: number;
}

export interface CoreVote {
  readonly kind: VoteKind;
  readonly height: number;
  readonly round: number;
  /** null is a vote for nil. */
  readonly value: ValueId | null;
  readonly validator: Address;
}

export interface CoreProposal {
  readonly height: number;
  readonly round: number;
  /** -1 when none (paper: validRound). */
  readonly polRound: number;
  readonly value: ValueId;
  readonly proposer: Address;
  /** Result of the shell's block validation (paper: valid(v)). */
  readonly valid: boolean;
}

export type Input =
  /** Start `height` at round 0 with this validator set (priorities as stored for the height). */
  | { readonly kind: "newHeight"; readonly height: number; readonly validators: readonly CoreValidator[] }
  /** The shell's answer to a `getValue` effect: the value this node proposes. */
  | {
      readonly kind: "proposeValue";
      readonly height: number;
      readonly round: number;
      readonly value: ValueId;
    }
  | { readonly kind: "proposal"; readonly proposal: CoreProposal }
  | { readonly kind: "vote"; readonly vote: CoreVote }
  | {
      readonly kind: "timeout";
      readonly timeout: TimeoutKind;
      readonly height: number;
      readonly round: number;
    };

export type Effect =
  /** This node is proposer and has no valid value: build a block and answer with `proposeValue`. */
  | { readonly kind: "getValue"; readonly height: number; readonly round: number }
  /** Sign and broadcast a proposal (paper L19). */
  | {
      readonly kind: "propose";
      readonly height: number;
      readonly round: number;
      readonly value: ValueId;
      readonly polRound: number;
    }
  /** Sign and broadcast a vote; the shell feeds the signed vote back as a `vote` input. */
  | {
      readonly kind: "vote";
      readonly vote: Omit<CoreVote, "validator">;
    }
  | {
      readonly kind: "scheduleTimeout";
      readonly timeout: TimeoutKind;
      readonly height: number;
      readonly round: number;
      readonly durationMs: number;
    }
  /** +2/3 precommits for `value` in `round` and its proposal are known (paper L49). */
  | { readonly kind: "decide"; readonly height: number; readonly round: number; readonly value: ValueId }
  /** A validator voted for two different values at one height, round and kind. */
  | { readonly kind: "equivocation"; readonly first: CoreVote; readonly second: CoreVote }
  /**
   * +2/3 precommits for `value` are known but its proposal is not: the shell should fetch the block
   * from peers and feed the proposal in.
   */
  | {
      readonly kind: "missingValue";
      readonly height: number;
      readonly round: number;
      readonly value: ValueId;
    };
