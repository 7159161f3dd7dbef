/**
 * The vote keeper: for one height, the votes per (round, kind) keyed by validator, and the power
 * thresholds the algorithm reacts to. Immutable: `addVote` returns a new keeper and never mutates the
 * old one (copy-on-write of the touched round only).
 *
 * Equivocation: a validator's second, different vote for one (round, kind) is reported once per
 * (validator, value) and counted only in the tally of its own value, never again in the "any" or skip
 * tallies. Counting it per value is safe (two values each above 2/3 would need an honest validator to
 * vote for both) and is needed for liveness: CometBFT's VoteSet does the same for a value a peer claims
 * +2/3 for. Without it, a node that first saw an equivocator's other vote can never see a polka or commit
 * that honest nodes saw, and stalls (found by the simulator, seed 49).
 *
 * Thresholds use bigint powers of the validator set given at `newHeight`:
 * - quorum (2f+1 in the paper): power * 3 > total * 2, for a value, for nil, or for any mix;
 * - skip (f+1, paper L55): power * 3 > total, of distinct validators voting in a round, any kind.
 */
import type { Address, CoreValidator, CoreVote, ValueId, VoteKind } from "./types.ts";

/** The votes of one kind in one round. */
export interface VoteTally {
  /** The first vote counted from each validator (null: nil). */
  readonly byValidator: ReadonlyMap<Address, ValueId | null>;
  /** Power per value, nil excluded; each validator counted at most once per value. */
  readonly perValue: ReadonlyMap<ValueId, bigint>;
  readonly nilPower: bigint;
  /** Power of the validators that voted, each counted once whatever it voted. */
  readonly anyPower: bigint;
  /** "validator/value" pairs already counted. */
  readonly counted: ReadonlySet<string>;
}

/** Both kinds of one round, plus the distinct validators seen in it (for the skip threshold). */
export interface RoundVotes {
  readonly prevote: VoteTally;
  readonly precommit: VoteTally;
  readonly voters: ReadonlySet<Address>;
  readonly voterPower: bigint;
}

/** All votes of one height. */
export interface VoteKeeper {
  readonly height: number;
  readonly powers: ReadonlyMap<Address, bigint>;
  readonly totalPower: bigint;
  readonly rounds: ReadonlyMap<number, RoundVotes>;
}

/** What happened to a vote handed to `addVote`. */
export type AddVoteResult =
  | { readonly outcome: "added"; readonly keeper: VoteKeeper }
  | { readonly outcome: "ignored"; readonly keeper: VoteKeeper; readonly reason: IgnoreReason }
  | {
      readonly outcome: "equivocation";
      readonly keeper: VoteKeeper;
      readonly first: CoreVote;
      readonly second: CoreVote;
    };

/** Why a vote was not counted and not reported. */
export type IgnoreReason = "wrongHeight" | "notValidator" | "duplicate";

const EMPTY_TALLY: VoteTally = {
  byValidator: new Map(),
  perValue: new Map(),
  nilPower: 0n,
  anyPower: 0n,
  counted: new Set(),
};
const EMPTY_ROUND: RoundVotes = {
  prevote: EMPTY_TALLY,
  precommit: EMPTY_TALLY,
  voters: new Set(),
  voterPower: 0n,
};

/** An empty keeper for `height` over `validators` (validators with power 0 never count). */
export function createVoteKeeper(height: number, validators: readonly CoreValidator[]): VoteKeeper {
  const powers = new Map<Address, bigint>();
  let total = 0n;
  for (const v of validators) {
    if (v.power <= 0n) continue;
    powers.set(v.address, v.power);
    total += v.power;
  }
  return { height, powers, totalPower: total, rounds: new Map() };
}

/** More than two thirds of the total power. */
export function isQuorum(power: bigint, total: bigint): boolean {
  return power * 3n > total * 2n;
}

/** More than one third of the total power (at least one honest validator under f < n/3). */
export function isSkip(power: bigint, total: bigint): boolean {
  return power * 3n > total;
}

function countedKey(validator: Address, value: ValueId | null): string {
  return value === null ? `${validator}/nil` : `${validator}/v:${value}`;
}

/** Adds `validator`'s vote for `value`; `first` says whether it is the validator's first vote here. */
function addToTally(
  t: VoteTally,
  validator: Address,
  value: ValueId | null,
  power: bigint,
  first: boolean,
): VoteTally {
  const byValidator = first ? new Map(t.byValidator).set(validator, value) : t.byValidator;
  const counted = new Set(t.counted).add(countedKey(validator, value));
  const anyPower = first ? t.anyPower + power : t.anyPower;
  if (value === null)
    return { byValidator, perValue: t.perValue, nilPower: t.nilPower + power, anyPower, counted };
  const perValue = new Map(t.perValue).set(value, (t.perValue.get(value) ?? 0n) + power);
  return { byValidator, perValue, nilPower: t.nilPower, anyPower, counted };
}

/**
 * Counts `vote`. Votes of other heights and of non-validators are ignored; a vote already counted
 * (same validator, round, kind and value) is ignored silently; a vote that differs from the
 * validator's first one for (round, kind) is counted for its value only and reported as an
 * equivocation, once per (validator, round, kind, value).
 */
export function addVote(keeper: VoteKeeper, vote: CoreVote): AddVoteResult {
  if (vote.height !== keeper.height) return { outcome: "ignored", keeper, reason: "wrongHeight" };
  const power = keeper.powers.get(vote.validator);
  if (power === undefined) return { outcome: "ignored", keeper, reason: "notValidator" };
  const rv = keeper.rounds.get(vote.round) ?? EMPTY_ROUND;
  const tally = rv[vote.kind];
  if (tally.counted.has(countedKey(vote.validator, vote.value))) {
    return { outcome: "ignored", keeper, reason: "duplicate" };
  }
  const prev = tally.byValidator.get(vote.validator);
  const first = prev === undefined;
  const newVoter = !rv.voters.has(vote.validator);
  const updatedTally = addToTally(tally, vote.validator, vote.value, power, first);
  const updated: RoundVotes = {
    prevote: vote.kind === "prevote" ? updatedTally : rv.prevote,
    precommit: vote.kind === "precommit" ? updatedTally : rv.precommit,
    voters: newVoter ? new Set(rv.voters).add(vote.validator) : rv.voters,
    voterPower: newVoter ? rv.voterPower + power : rv.voterPower,
  };
  const next: VoteKeeper = { ...keeper, rounds: new Map(keeper.rounds).set(vote.round, updated) };
  if (first) return { outcome: "added", keeper: next };
  return { outcome: "equivocation", keeper: next, first: { ...vote, value: prev }, second: vote };
}

function tallyOf(keeper: VoteKeeper, round: number, kind: VoteKind): VoteTally {
  return keeper.rounds.get(round)?.[kind] ?? EMPTY_TALLY;
}

/** True when more than 2/3 of the power voted `kind` for `value` in `round`. */
export function hasQuorumFor(keeper: VoteKeeper, round: number, kind: VoteKind, value: ValueId): boolean {
  return isQuorum(tallyOf(keeper, round, kind).perValue.get(value) ?? 0n, keeper.totalPower);
}

/** True when more than 2/3 of the power voted `kind` for nil in `round`. */
export function hasQuorumNil(keeper: VoteKeeper, round: number, kind: VoteKind): boolean {
  return isQuorum(tallyOf(keeper, round, kind).nilPower, keeper.totalPower);
}

/** True when more than 2/3 of the power voted `kind` in `round`, for anything (paper L34, L47). */
export function hasQuorumAny(keeper: VoteKeeper, round: number, kind: VoteKind): boolean {
  return isQuorum(tallyOf(keeper, round, kind).anyPower, keeper.totalPower);
}

/**
 * The value with more than 2/3 of `kind` in `round`, if any. While byzantine power stays below 1/3 at
 * most one value can have it; otherwise the smallest value id is returned, deterministically.
 */
export function quorumValue(keeper: VoteKeeper, round: number, kind: VoteKind): ValueId | null {
  const t = tallyOf(keeper, round, kind);
  const values = [...t.perValue.keys()].sort();
  for (const v of values) if (isQuorum(t.perValue.get(v)!, keeper.totalPower)) return v;
  return null;
}

/** True when validators with more than 1/3 of the power sent a vote of any kind in `round` (paper L55). */
export function hasSkip(keeper: VoteKeeper, round: number): boolean {
  return isSkip(keeper.rounds.get(round)?.voterPower ?? 0n, keeper.totalPower);
}

/** The rounds holding at least one vote, ascending. */
export function votedRounds(keeper: VoteKeeper): number[] {
  return [...keeper.rounds.keys()].sort((a, b) => a - b);
}

/** The counted votes of `kind` in `round`, sorted by validator address (for rebroadcast and commits). */
export function votesOf(keeper: VoteKeeper, round: number, kind: VoteKind): CoreVote[] {
  const t = tallyOf(keeper, round, kind);
  return [...t.byValidator.keys()].sort().map((validator) => ({
    kind,
    height: keeper.height,
    round,
    value: t.byValidator.get(validator)!,
    validator,
  }));
}
