/**
 * The vote keeper: for one height, the votes per (round, kind) keyed by validator, and the power
 * thresholds the algorithm reacts to. Immutable: `addVote` returns a new keeper and never mutates the
 * old one (copy-on-write of the touched round only).
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
  /** Power per value, nil excluded. */
  readonly perValue: ReadonlyMap<ValueId, bigint>;
  readonly nilPower: bigint;
  /** Power of every counted vote, value or nil. */
  readonly anyPower: bigint;
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
  /** "round/kind/validator/value" of every conflicting vote already reported. */
  readonly reported: ReadonlySet<string>;
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
export type IgnoreReason = "wrongHeight" | "notValidator" | "duplicate" | "alreadyReported";

const EMPTY_TALLY: VoteTally = { byValidator: new Map(), perValue: new Map(), nilPower: 0n, anyPower: 0n };
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
  return { height, powers, totalPower: total, rounds: new Map(), reported: new Set() };
}

/** More than two thirds of the total power. */
export function isQuorum(power: bigint, total: bigint): boolean {
  return power * 3n > total * 2n;
}

/** More than one third of the total power (at least one honest validator under f < n/3). */
export function isSkip(power: bigint, total: bigint): boolean {
  return power * 3n > total;
}

function addToTally(t: VoteTally, validator: Address, value: ValueId | null, power: bigint): VoteTally {
  const byValidator = new Map(t.byValidator).set(validator, value);
  if (value === null)
    return { byValidator, perValue: t.perValue, nilPower: t.nilPower + power, anyPower: t.anyPower + power };
  const perValue = new Map(t.perValue).set(value, (t.perValue.get(value) ?? 0n) + power);
  return { byValidator, perValue, nilPower: t.nilPower, anyPower: t.anyPower + power };
}

/**
 * Counts `vote` if it is the first vote of its validator for (round, kind). Votes of other heights and
 * of non-validators are ignored; an identical duplicate is ignored silently; a different second vote is
 * not counted and is reported as an equivocation once per (round, kind, validator, second value).
 */
export function addVote(keeper: VoteKeeper, vote: CoreVote): AddVoteResult {
  if (vote.height !== keeper.height) return { outcome: "ignored", keeper, reason: "wrongHeight" };
  const power = keeper.powers.get(vote.validator);
  if (power === undefined) return { outcome: "ignored", keeper, reason: "notValidator" };
  const rv = keeper.rounds.get(vote.round) ?? EMPTY_ROUND;
  const tally = rv[vote.kind];
  const prev = tally.byValidator.get(vote.validator);
  if (prev !== undefined) {
    if (prev === vote.value) return { outcome: "ignored", keeper, reason: "duplicate" };
    const key = `${vote.round}/${vote.kind}/${vote.validator}/${vote.value ?? ""}`;
    if (keeper.reported.has(key)) return { outcome: "ignored", keeper, reason: "alreadyReported" };
    const first: CoreVote = { ...vote, value: prev };
    return {
      outcome: "equivocation",
      keeper: { ...keeper, reported: new Set(keeper.reported).add(key) },
      first,
      second: vote,
    };
  }
  const newVoter = !rv.voters.has(vote.validator);
  const updated: RoundVotes = {
    prevote: vote.kind === "prevote" ? addToTally(rv.prevote, vote.validator, vote.value, power) : rv.prevote,
    precommit:
      vote.kind === "precommit" ? addToTally(rv.precommit, vote.validator, vote.value, power) : rv.precommit,
    voters: newVoter ? new Set(rv.voters).add(vote.validator) : rv.voters,
    voterPower: newVoter ? rv.voterPower + power : rv.voterPower,
  };
  return { outcome: "added", keeper: { ...keeper, rounds: new Map(keeper.rounds).set(vote.round, updated) } };
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

/** The value with more than 2/3 of `kind` in `round`, if any (at most one can exist without double counting). */
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
