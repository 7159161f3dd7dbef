/**
 * Step-table runner for the pure core (Malachite style): each row applies one input to the state left
 * by the previous row and checks the exact effects and a partial view of the new state.
 */
import assert from "node:assert/strict";
import {
  type CoreState,
  type CoreValidator,
  type Effect,
  type Input,
  initialState,
  type RoundValue,
  step,
  type TimeoutConfig,
  type ValueId,
  type VoteKind,
} from "../../../../consensus/core/index.ts";

/** propose 3000 + 500 r, prevote 1000 + 100 r, precommit 2000 + 200 r. */
export const TIMEOUTS: TimeoutConfig = {
  proposeMs: 3000,
  proposeDeltaMs: 500,
  prevoteMs: 1000,
  prevoteDeltaMs: 100,
  precommitMs: 2000,
  precommitDeltaMs: 200,
};

/** Four validators of power 1: the proposer of round r is VALS[r % 4] (equal powers rotate by address). */
export const VALS: readonly CoreValidator[] = ["0a", "0b", "0c", "0d"].map((address) => ({
  address,
  power: 1n,
  proposerPriority: 0n,
}));

export interface Row {
  readonly desc: string;
  readonly input: Input;
  readonly expectedEffects: readonly Effect[];
  readonly expectedState?: Partial<{
    height: number;
    round: number;
    step: CoreState["step"];
    locked: RoundValue | null;
    valid: RoundValue | null;
    decision: RoundValue | null;
  }>;
}

/** Runs the rows in order from `initialState({ self })` and returns the final state. */
export function runTable(self: string | null, rows: readonly Row[], start?: CoreState): CoreState {
  let s = start ?? initialState({ self, timeouts: TIMEOUTS });
  for (const row of rows) {
    const before = s;
    const r = step(s, row.input);
    assert.deepEqual(r.effects, row.expectedEffects, `effects: ${row.desc}`);
    for (const [k, v] of Object.entries(row.expectedState ?? {})) {
      assert.deepEqual((r.state as unknown as Record<string, unknown>)[k], v, `state.${k}: ${row.desc}`);
    }
    // Purity: the old state object is never modified.
    assert.equal(step(before, row.input).effects.length, r.effects.length, `replay: ${row.desc}`);
    s = r.state;
  }
  return s;
}

export function newHeight(height = 1, validators: readonly CoreValidator[] = VALS): Input {
  return { kind: "newHeight", height, validators };
}

export function proposal(round: number, value: ValueId, polRound = -1, valid = true, height = 1): Input {
  const proposer = VALS[round % VALS.length]!.address;
  return { kind: "proposal", proposal: { height, round, polRound, value, proposer, valid } };
}

export function vote(
  kind: VoteKind,
  round: number,
  value: ValueId | null,
  validator: string,
  height = 1,
): Input {
  return { kind: "vote", vote: { kind, height, round, value, validator } };
}

export function timeout(kind: "propose" | "prevote" | "precommit", round: number, height = 1): Input {
  return { kind: "timeout", timeout: kind, height, round };
}

export function voteEffect(kind: VoteKind, round: number, value: ValueId | null, height = 1): Effect {
  return { kind: "vote", vote: { kind, height, round, value } };
}

export function timeoutEffect(kind: "propose" | "prevote" | "precommit", round: number, height = 1): Effect {
  const base = { propose: [3000, 500], prevote: [1000, 100], precommit: [2000, 200] }[kind];
  return { kind: "scheduleTimeout", timeout: kind, height, round, durationMs: base[0]! + round * base[1]! };
}
