/**
 * The Tendermint algorithm of "The latest gossip on BFT consensus" (Buchman, Kwon, Milosevic 2018,
 * Algorithm 1) as one pure function: `step(state, input) -> { state, effects }`. No I/O, clock,
 * randomness or logging; the same inputs in the same order always give the same states and effects.
 *
 * An input is first applied (newHeight, proposeValue, proposal, vote, timeout), then the "upon" rules
 * are re-evaluated until none fires, because one input can enable several rules in sequence (a skip to a
 * later round whose votes are already known, a proposal arriving after its polka, ...).
 *
 * Multiplexer table (current height only; r = round_p; "any" = value or nil; all thresholds by power):
 *
 * | step             | threshold / event                         | proposal              | line | output                                   |
 * |------------------|-------------------------------------------|-----------------------|------|------------------------------------------|
 * | -                | newHeight                                 | -                     | L10  | StartRound(0)                            |
 * | -                | StartRound(r), proposer, validValue set   | -                     | L15  | propose(validValue, validRound)          |
 * | -                | StartRound(r), proposer, no validValue    | -                     | L18  | getValue (then proposeValue -> propose)  |
 * | -                | StartRound(r)                             | -                     | L21  | schedule propose timeout                 |
 * | propose          | -                                         | (v, -1) from proposer | L22  | prevote v if valid & (unlocked or =lock), else nil |
 * | propose          | 2/3 prevotes for v in vr (0 <= vr < r)    | (v, vr)               | L28  | prevote v if valid & (lockedRound <= vr or =lock), else nil |
 * | prevote          | 2/3 any prevotes in r, first time         | -                     | L34  | schedule prevote timeout                 |
 * | prevote          | 2/3 prevotes for v in r, first time       | (v, *) valid          | L36  | lock v, precommit v, validValue = v      |
 * | precommit        | 2/3 prevotes for v in r, first time       | (v, *) valid          | L36  | validValue = v                           |
 * | prevote          | 2/3 nil prevotes in r                     | -                     | L44  | precommit nil                            |
 * | any              | 2/3 any precommits in r, first time       | -                     | L47  | schedule precommit timeout               |
 * | any (undecided)  | 2/3 precommits for v in any round r'      | (v, *) in r' valid    | L49  | decide v                                 |
 * | any (undecided)  | 2/3 precommits for v in any round r'      | missing               | L49  | missingValue (once)                      |
 * | any (undecided)  | f+1 voters in round r' > r                | -                     | L55  | StartRound(r')                           |
 * | propose          | timeout propose (h, r)                    | -                     | L57  | prevote nil                              |
 * | prevote          | timeout prevote (h, r)                    | -                     | L61  | precommit nil                            |
 * | any (undecided)  | timeout precommit (h, r)                  | -                     | L65  | StartRound(r + 1)                        |
 *
 * Deviations, each harmless to safety: the propose timeout is also scheduled when this node proposes
 * (as Malachite does), so a shell that never answers `getValue` cannot stall the round; the node's own
 * proposal is recorded when the `propose` effect is emitted (feeding it back is a silent duplicate); votes
 * count only when the shell feeds the signed vote back. A node that is not in the set (or has self null)
 * moves through the same steps but never emits `getValue`, `propose` or `vote`.
 */
import { proposerOf } from "./proposer.ts";
import { type CoreState, heightState, type RoundValue } from "./state.ts";
import type { CoreProposal, CoreVote, Effect, Input, TimeoutKind, ValueId, VoteKind } from "./types.ts";
import {
  addVote,
  hasQuorumAny,
  hasQuorumFor,
  hasQuorumNil,
  hasSkip,
  quorumValue,
  votedRounds,
} from "./voteKeeper.ts";

/** The result of one step: the next state and the effects the shell must perform, in order. */
export interface StepResult {
  readonly state: CoreState;
  readonly effects: readonly Effect[];
}

/**
 * Proposals for rounds further ahead than this are dropped: checking their proposer costs one
 * priority increment per round, and a correct proposer's message is re-sent once we get there.
 */
export const MAX_ROUND_LOOKAHEAD = 1000;

/** Bound on rule firings per input; every rule is guarded to fire once, so this is never reached. */
const MAX_RULE_FIRINGS = 10_000;

/** Applies one input. Pure: `state` is not modified; effects are in the order the shell should run them. */
export function step(state: CoreState, input: Input): StepResult {
  const effects: Effect[] = [];
  let s = applyInput(state, input, effects);
  for (let i = 0; ; i++) {
    if (i >= MAX_RULE_FIRINGS) throw new Error("consensus core: rule evaluation did not settle");
    const next = applyRule(s, effects);
    if (next === s) break;
    s = next;
  }
  return { state: s, effects };
}

/** The duration of a timeout in `round`: base + round x delta. */
export function timeoutDuration(state: CoreState, kind: TimeoutKind, round: number): number {
  const t = state.timeouts;
  switch (kind) {
    case "propose":
      return t.proposeMs + round * t.proposeDeltaMs;
    case "prevote":
      return t.prevoteMs + round * t.prevoteDeltaMs;
    case "precommit":
      return t.precommitMs + round * t.precommitDeltaMs;
  }
}

function applyInput(s: CoreState, input: Input, effects: Effect[]): CoreState {
  switch (input.kind) {
    case "newHeight":
      // L10/L11: a new height starts at round 0 with fresh locks; older or repeated heights are ignored.
      if (input.height <= s.height) return s;
      return startRound(heightState(s, input.height, input.validators), 0, effects);
    case "proposeValue": {
      // L18-L19: the answer to getValue; broadcast it unless the round moved on or we did not ask.
      if (!s.awaitingValue || s.decision || input.height !== s.height || input.round !== s.round) return s;
      const proposal: CoreProposal = {
        height: s.height,
        round: s.round,
        polRound: -1,
        value: input.value,
        proposer: s.self!,
        valid: true,
      };
      effects.push({ kind: "propose", height: s.height, round: s.round, value: input.value, polRound: -1 });
      return { ...s, awaitingValue: false, proposals: [...s.proposals, proposal] };
    }
    case "proposal":
      return onProposal(s, input.proposal);
    case "vote":
      return onVote(s, input.vote, effects);
    case "timeout":
      return onTimeout(s, input.timeout, input.height, input.round, effects);
  }
}

function onProposal(s: CoreState, p: CoreProposal): CoreState {
  // Only the current height: the shell buffers future heights and drops past ones.
  if (s.round < 0 || s.decision || p.height !== s.height || p.round < 0) return s;
  if (p.round > s.round + MAX_ROUND_LOOKAHEAD) return s;
  if (p.polRound < -1 || p.polRound >= p.round) return s;
  if (s.validators.length === 0 || proposerOf(s.validators, p.round).address !== p.proposer) return s;
  const dup = s.proposals.some(
    (q) => q.round === p.round && q.value === p.value && q.polRound === p.polRound,
  );
  if (dup) return s;
  return { ...s, proposals: [...s.proposals, p] };
}

function onVote(s: CoreState, vote: CoreVote, effects: Effect[]): CoreState {
  if (s.round < 0 || s.decision || vote.height !== s.height || vote.round < 0) return s;
  const r = addVote(s.votes, vote);
  if (r.outcome === "equivocation") effects.push({ kind: "equivocation", first: r.first, second: r.second });
  return r.keeper === s.votes ? s : { ...s, votes: r.keeper };
}

function onTimeout(
  s: CoreState,
  kind: TimeoutKind,
  height: number,
  round: number,
  effects: Effect[],
): CoreState {
  // Timeouts of other heights or rounds are stale: the paper's guards `height = h_p ∧ round = round_p`.
  if (s.decision || height !== s.height || round !== s.round) return s;
  switch (kind) {
    case "propose":
      // L57: OnTimeoutPropose while step = propose -> prevote nil.
      if (s.step !== "propose") return s;
      return castVote(s, "prevote", null, effects);
    case "prevote":
      // L61: OnTimeoutPrevote while step = prevote -> precommit nil.
      if (s.step !== "prevote") return s;
      return castVote(s, "precommit", null, effects);
    case "precommit":
      // L65: OnTimeoutPrecommit -> StartRound(round_p + 1).
      return startRound(s, s.round + 1, effects);
  }
}

/** Broadcasts a vote (validators only) and moves to the step named after it. */
function castVote(s: CoreState, kind: VoteKind, value: ValueId | null, effects: Effect[]): CoreState {
  if (s.isValidator) effects.push({ kind: "vote", vote: { kind, height: s.height, round: s.round, value } });
  return { ...s, step: kind };
}

function startRound(s: CoreState, round: number, effects: Effect[]): CoreState {
  // L11-L13: round_p <- round, step_p <- propose.
  let next: CoreState = { ...s, round, step: "propose", awaitingValue: false };
  if (s.isValidator && proposerOf(s.validators, round).address === s.self) {
    if (s.valid) {
      // L15-L16, L19: re-propose validValue with validRound as the proof-of-lock round.
      const proposal: CoreProposal = {
        height: s.height,
        round,
        polRound: s.valid.round,
        value: s.valid.value,
        proposer: s.self,
        valid: true,
      };
      effects.push({
        kind: "propose",
        height: s.height,
        round,
        value: s.valid.value,
        polRound: s.valid.round,
      });
      next = { ...next, proposals: [...next.proposals, proposal] };
    } else {
      // L18: getValue(); the proposal goes out when the shell answers with proposeValue.
      effects.push({ kind: "getValue", height: s.height, round });
      next = { ...next, awaitingValue: true };
    }
  }
  // L21 (and for the proposer too, see the header): schedule OnTimeoutPropose.
  effects.push(scheduleTimeout(s, "propose", round));
  return next;
}

function scheduleTimeout(s: CoreState, timeout: TimeoutKind, round: number): Effect {
  return {
    kind: "scheduleTimeout",
    timeout,
    height: s.height,
    round,
    durationMs: timeoutDuration(s, timeout, round),
  };
}

function proposalFor(s: CoreState, round: number, value: ValueId): CoreProposal | undefined {
  return s.proposals.find((p) => p.round === round && p.value === value);
}

function sameValue(a: RoundValue | null, value: ValueId): boolean {
  return a !== null && a.value === value;
}

/** Fires the first applicable rule and returns the new state, or `s` itself when none applies. */
function applyRule(s: CoreState, effects: Effect[]): CoreState {
  if (s.round < 0 || s.decision) return s;

  // L49: 2/3 precommits for v in any round with the proposal of v from that round's proposer -> decide.
  for (const r of votedRounds(s.votes)) {
    const v = quorumValue(s.votes, r, "precommit");
    if (v === null) continue;
    const p = proposalFor(s, r, v);
    if (p) {
      if (!p.valid) continue;
      effects.push({ kind: "decide", height: s.height, round: r, value: v });
      return { ...s, step: "commit", decision: { round: r, value: v } };
    }
    const key = `${r}/${v}`;
    if (!s.missingRequested.has(key)) {
      // L49 with the proposal missing: the value is decided by others; ask the shell to fetch it.
      effects.push({ kind: "missingValue", height: s.height, round: r, value: v });
      return { ...s, missingRequested: new Set(s.missingRequested).add(key) };
    }
  }

  // L55: f+1 validators (by power) sent messages of a higher round -> StartRound(that round).
  const rounds = votedRounds(s.votes);
  for (let i = rounds.length - 1; i >= 0; i--) {
    const r = rounds[i]!;
    if (r <= s.round) break;
    if (hasSkip(s.votes, r)) return startRound(s, r, effects);
  }

  if (s.step === "propose") {
    for (const p of s.proposals) {
      if (p.round !== s.round) continue;
      if (p.polRound === -1) {
        // L22: proposal (v, -1) while step = propose -> prevote v if valid and not locked on another value.
        const ok = p.valid && (s.locked === null || sameValue(s.locked, p.value));
        return castVote(s, "prevote", ok ? p.value : null, effects);
      }
      if (p.polRound >= 0 && p.polRound < s.round && hasQuorumFor(s.votes, p.polRound, "prevote", p.value)) {
        // L28: proposal (v, vr) with 2/3 prevotes for v in vr -> prevote v if valid and the lock allows.
        const ok =
          p.valid && (s.locked === null || s.locked.round <= p.polRound || sameValue(s.locked, p.value));
        return castVote(s, "prevote", ok ? p.value : null, effects);
      }
    }
  }

  if ((s.step === "prevote" || s.step === "precommit") && s.polkaRound !== s.round) {
    const v = quorumValue(s.votes, s.round, "prevote");
    const p = v === null ? undefined : proposalFor(s, s.round, v);
    if (v !== null && p?.valid) {
      // L36: valid proposal and 2/3 prevotes for it in round_p, for the first time.
      const valid: RoundValue = { round: s.round, value: v };
      if (s.step === "prevote") {
        // L37-L41: lock on v and precommit it.
        const locked = castVote({ ...s, locked: valid, valid, polkaRound: s.round }, "precommit", v, effects);
        return locked;
      }
      // L42-L43: already past prevote: only remember v as the valid value.
      return { ...s, valid, polkaRound: s.round };
    }
  }

  if (s.step === "prevote" && hasQuorumNil(s.votes, s.round, "prevote")) {
    // L44: 2/3 prevotes for nil while step = prevote -> precommit nil.
    return castVote(s, "precommit", null, effects);
  }

  if (
    s.step === "prevote" &&
    s.prevoteTimeoutRound !== s.round &&
    hasQuorumAny(s.votes, s.round, "prevote")
  ) {
    // L34: 2/3 prevotes for anything while step = prevote, first time -> schedule OnTimeoutPrevote.
    effects.push(scheduleTimeout(s, "prevote", s.round));
    return { ...s, prevoteTimeoutRound: s.round };
  }

  if (s.precommitTimeoutRound !== s.round && hasQuorumAny(s.votes, s.round, "precommit")) {
    // L47: 2/3 precommits for anything, first time -> schedule OnTimeoutPrecommit.
    effects.push(scheduleTimeout(s, "precommit", s.round));
    return { ...s, precommitTimeoutRound: s.round };
  }

  return s;
}
