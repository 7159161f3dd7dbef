/**
 * The state of the pure Tendermint core: plain immutable data. `step` never mutates a CoreState; it
 * returns a new one that shares the untouched parts with the old.
 */
import type { Address, CoreProposal, CoreValidator, Step, TimeoutConfig, ValueId } from "./types.ts";
import { createVoteKeeper, type VoteKeeper } from "./voteKeeper.ts";

/** A value together with the round in which it was locked, seen valid, or decided. */
export interface RoundValue {
  readonly round: number;
  readonly value: ValueId;
}

/** Everything the core knows about the current height (paper: h_p, round_p, step_p, ...). */
export interface CoreState {
  /** This node's validator address; null for a node that never signs. */
  readonly self: Address | null;
  readonly timeouts: TimeoutConfig;
  /** 0 until the first `newHeight`. */
  readonly height: number;
  /** -1 until the first `newHeight`. */
  readonly round: number;
  readonly step: Step;
  /** The set for `height`, priorities before the height's proposer selection (see proposer.ts). */
  readonly validators: readonly CoreValidator[];
  /** `self` is in `validators` with power > 0: only then does the core propose and vote. */
  readonly isValidator: boolean;
  /** Paper: lockedValue_p / lockedRound_p. */
  readonly locked: RoundValue | null;
  /** Paper: validValue_p / validRound_p. */
  readonly valid: RoundValue | null;
  /** Paper: decision_p[h_p]; once set the height is over and the core waits for `newHeight`. */
  readonly decision: RoundValue | null;
  readonly votes: VoteKeeper;
  /** Proposals of this height from the proposer of their round, in arrival order. */
  readonly proposals: readonly CoreProposal[];
  /** A `getValue` for (height, round) is outstanding. */
  readonly awaitingValue: boolean;
  /** The round in which L34 scheduled the prevote timeout (-1: none), so it fires once per round. */
  readonly prevoteTimeoutRound: number;
  /** The round in which L47 scheduled the precommit timeout (-1: none). */
  readonly precommitTimeoutRound: number;
  /** The round in which L36 fired (-1: none): "for the first time". */
  readonly polkaRound: number;
  /** "round/value" pairs already reported with `missingValue`. */
  readonly missingRequested: ReadonlySet<string>;
}

/**
 * The state before any height: the core ignores everything except `newHeight`. `self` is null for a
 * node that follows consensus without voting (it still decides).
 */
export function initialState(params: { self: Address | null; timeouts: TimeoutConfig }): CoreState {
  return {
    self: params.self,
    timeouts: params.timeouts,
    height: 0,
    round: -1,
    step: "propose",
    validators: [],
    isValidator: false,
    locked: null,
    valid: null,
    decision: null,
    votes: createVoteKeeper(0, []),
    proposals: [],
    awaitingValue: false,
    prevoteTimeoutRound: -1,
    precommitTimeoutRound: -1,
    polkaRound: -1,
    missingRequested: new Set(),
  };
}

/** The fresh state of `height` (before StartRound(0)), keeping the node's identity and timeouts. */
export function heightState(
  prev: CoreState,
  height: number,
  validators: readonly CoreValidator[],
): CoreState {
  const self = prev.self;
  return {
    ...initialState({ self, timeouts: prev.timeouts }),
    height,
    validators,
    isValidator: self !== null && validators.some((v) => v.address === self && v.power > 0n),
    votes: createVoteKeeper(height, validators),
  };
}
