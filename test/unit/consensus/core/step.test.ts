import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { initialState, step } from "../../../../consensus/core/index.ts";
import {
  newHeight,
  proposal,
  runTable,
  TIMEOUTS,
  timeout,
  timeoutEffect,
  VALS,
  vote,
  voteEffect,
} from "./table.ts";

const T = { timeout: 10_000 };
const A = "aa";
const B = "bb";

describe("consensus core step tables (paper lines)", () => {
  it("L11-L21, L22, L36, L49: a round-0 decision seen by a non-proposer", T, () => {
    runTable("0b", [
      {
        desc: "L11/L21 newHeight starts round 0 and schedules the propose timeout (not the proposer)",
        input: newHeight(),
        expectedEffects: [timeoutEffect("propose", 0)],
        expectedState: { height: 1, round: 0, step: "propose", locked: null, valid: null, decision: null },
      },
      {
        desc: "a proposal from a validator that is not the round's proposer is ignored",
        input: {
          kind: "proposal",
          proposal: { height: 1, round: 0, polRound: -1, value: B, proposer: "0c", valid: true },
        },
        expectedEffects: [],
        expectedState: { step: "propose" },
      },
      {
        desc: "L22 valid proposal (v, -1) from the proposer -> prevote v",
        input: proposal(0, A),
        expectedEffects: [voteEffect("prevote", 0, A)],
        expectedState: { step: "prevote" },
      },
      { desc: "one prevote", input: vote("prevote", 0, A, "0a"), expectedEffects: [] },
      { desc: "own prevote fed back", input: vote("prevote", 0, A, "0b"), expectedEffects: [] },
      {
        desc: "own prevote fed back twice is not double counted",
        input: vote("prevote", 0, A, "0b"),
        expectedEffects: [],
      },
      {
        desc: "L36 2/3 prevotes for the valid proposal while step = prevote -> lock, precommit v",
        input: vote("prevote", 0, A, "0c"),
        expectedEffects: [voteEffect("precommit", 0, A)],
        expectedState: { step: "precommit", locked: { round: 0, value: A }, valid: { round: 0, value: A } },
      },
      { desc: "precommit 1", input: vote("precommit", 0, A, "0a"), expectedEffects: [] },
      { desc: "precommit 2", input: vote("precommit", 0, A, "0b"), expectedEffects: [] },
      {
        desc: "L49 2/3 precommits for v with its proposal -> decide",
        input: vote("precommit", 0, A, "0d"),
        expectedEffects: [{ kind: "decide", height: 1, round: 0, value: A }],
        expectedState: { step: "commit", decision: { round: 0, value: A } },
      },
      {
        desc: "after the decision votes of the height are ignored",
        input: vote("precommit", 0, A, "0c"),
        expectedEffects: [],
      },
      {
        desc: "after the decision timeouts are ignored",
        input: timeout("precommit", 0),
        expectedEffects: [],
      },
      {
        desc: "L10 the next height resets lock and valid value",
        input: newHeight(2),
        expectedEffects: [timeoutEffect("propose", 0, 2)],
        expectedState: { height: 2, round: 0, step: "propose", locked: null, valid: null, decision: null },
      },
      {
        desc: "an older height is ignored",
        input: newHeight(1),
        expectedEffects: [],
        expectedState: { height: 2 },
      },
    ]);
  });

  it("L18-L19: the proposer asks for a value, proposes it and prevotes its own proposal", T, () => {
    runTable("0a", [
      {
        desc: "L18 proposer without a valid value -> getValue (and the propose timeout)",
        input: newHeight(),
        expectedEffects: [{ kind: "getValue", height: 1, round: 0 }, timeoutEffect("propose", 0)],
        expectedState: { round: 0, step: "propose" },
      },
      {
        desc: "an answer for another round is ignored",
        input: { kind: "proposeValue", height: 1, round: 3, value: A },
        expectedEffects: [],
      },
      {
        desc: "L19 proposeValue -> propose (v, -1), then L22 on the own proposal -> prevote v",
        input: { kind: "proposeValue", height: 1, round: 0, value: A },
        expectedEffects: [
          { kind: "propose", height: 1, round: 0, value: A, polRound: -1 },
          voteEffect("prevote", 0, A),
        ],
        expectedState: { step: "prevote" },
      },
      {
        desc: "the own proposal fed back by the shell is a silent duplicate",
        input: proposal(0, A),
        expectedEffects: [],
      },
      {
        desc: "a second answer is ignored (no double proposal)",
        input: { kind: "proposeValue", height: 1, round: 0, value: B },
        expectedEffects: [],
      },
    ]);
  });

  it(
    "L22 prevotes nil for an invalid proposal; an equivocating proposer's second proposal does not re-vote",
    T,
    () => {
      runTable("0b", [
        { desc: "start", input: newHeight(), expectedEffects: [timeoutEffect("propose", 0)] },
        {
          desc: "L22 invalid proposal -> prevote nil",
          input: proposal(0, A, -1, false),
          expectedEffects: [voteEffect("prevote", 0, null)],
          expectedState: { step: "prevote" },
        },
        { desc: "a second proposal from the same proposer", input: proposal(0, B), expectedEffects: [] },
      ]);
    },
  );

  it("L57, L44, L47, L65: timeout propose -> nil polka -> precommit nil -> next round", T, () => {
    runTable("0a", [
      {
        desc: "start",
        input: newHeight(),
        expectedEffects: [{ kind: "getValue", height: 1, round: 0 }, timeoutEffect("propose", 0)],
      },
      {
        desc: "L57 timeout propose while step = propose -> prevote nil",
        input: timeout("propose", 0),
        expectedEffects: [voteEffect("prevote", 0, null)],
        expectedState: { step: "prevote" },
      },
      {
        desc: "the late value is still broadcast, but the node does not prevote it",
        input: { kind: "proposeValue", height: 1, round: 0, value: A },
        expectedEffects: [{ kind: "propose", height: 1, round: 0, value: A, polRound: -1 }],
        expectedState: { step: "prevote" },
      },
      { desc: "nil prevote 1", input: vote("prevote", 0, null, "0a"), expectedEffects: [] },
      { desc: "nil prevote 2", input: vote("prevote", 0, null, "0b"), expectedEffects: [] },
      {
        desc: "L44 2/3 prevotes for nil while step = prevote -> precommit nil",
        input: vote("prevote", 0, null, "0c"),
        expectedEffects: [voteEffect("precommit", 0, null)],
        expectedState: { step: "precommit", locked: null },
      },
      { desc: "precommit nil 1", input: vote("precommit", 0, null, "0a"), expectedEffects: [] },
      { desc: "precommit B 2", input: vote("precommit", 0, B, "0b"), expectedEffects: [] },
      {
        desc: "L47 2/3 precommits for anything -> schedule the precommit timeout",
        input: vote("precommit", 0, null, "0c"),
        expectedEffects: [timeoutEffect("precommit", 0)],
      },
      { desc: "L47 fires once per round", input: vote("precommit", 0, null, "0d"), expectedEffects: [] },
      {
        desc: "L65 timeout precommit -> StartRound(1); 0b proposes, this node waits",
        input: timeout("precommit", 0),
        expectedEffects: [timeoutEffect("propose", 1)],
        expectedState: { round: 1, step: "propose" },
      },
      {
        desc: "a stale propose timeout of round 0 is ignored",
        input: timeout("propose", 0),
        expectedEffects: [],
      },
      {
        desc: "a stale precommit timeout of round 0 is ignored",
        input: timeout("precommit", 0),
        expectedEffects: [],
      },
      {
        desc: "a timeout of another height is ignored",
        input: timeout("propose", 1, 2),
        expectedEffects: [],
      },
    ]);
  });

  it("L34 and L61: mixed prevotes schedule the prevote timeout once; its expiry precommits nil", T, () => {
    runTable("0b", [
      { desc: "start", input: newHeight(), expectedEffects: [timeoutEffect("propose", 0)] },
      { desc: "L22", input: proposal(0, A), expectedEffects: [voteEffect("prevote", 0, A)] },
      { desc: "prevote A from 0a", input: vote("prevote", 0, A, "0a"), expectedEffects: [] },
      { desc: "prevote nil from 0c", input: vote("prevote", 0, null, "0c"), expectedEffects: [] },
      {
        desc: "L34 2/3 prevotes for anything while step = prevote -> schedule prevote timeout",
        input: vote("prevote", 0, B, "0d"),
        expectedEffects: [timeoutEffect("prevote", 0)],
        expectedState: { step: "prevote" },
      },
      { desc: "L34 fires once per round", input: vote("prevote", 0, A, "0b"), expectedEffects: [] },
      {
        desc: "L61 timeout prevote while step = prevote -> precommit nil",
        input: timeout("prevote", 0),
        expectedEffects: [voteEffect("precommit", 0, null)],
        expectedState: { step: "precommit", locked: null },
      },
      { desc: "L61 does not fire twice", input: timeout("prevote", 0), expectedEffects: [] },
    ]);
  });

  it("L36 in step precommit only records the valid value (no lock, no second precommit)", T, () => {
    runTable("0b", [
      { desc: "start", input: newHeight(), expectedEffects: [timeoutEffect("propose", 0)] },
      { desc: "L22", input: proposal(0, A), expectedEffects: [voteEffect("prevote", 0, A)] },
      { desc: "own prevote", input: vote("prevote", 0, A, "0b"), expectedEffects: [] },
      { desc: "0a prevotes A", input: vote("prevote", 0, A, "0a"), expectedEffects: [] },
      { desc: "L34", input: vote("prevote", 0, null, "0c"), expectedEffects: [timeoutEffect("prevote", 0)] },
      { desc: "L61", input: timeout("prevote", 0), expectedEffects: [voteEffect("precommit", 0, null)] },
      {
        desc: "L36 (L42-L43) polka for A while step = precommit -> validValue only",
        input: vote("prevote", 0, A, "0d"),
        expectedEffects: [],
        expectedState: { step: "precommit", locked: null, valid: { round: 0, value: A } },
      },
    ]);
  });

  it(
    "locks across rounds: a locked node prevotes nil for another value, relocks on a newer polka, re-proposes validValue",
    T,
    () => {
      runTable("0c", [
        { desc: "start", input: newHeight(), expectedEffects: [timeoutEffect("propose", 0)] },
        { desc: "L22", input: proposal(0, A), expectedEffects: [voteEffect("prevote", 0, A)] },
        { desc: "prevote 0a", input: vote("prevote", 0, A, "0a"), expectedEffects: [] },
        { desc: "prevote 0b", input: vote("prevote", 0, A, "0b"), expectedEffects: [] },
        {
          desc: "L36 lock A in round 0",
          input: vote("prevote", 0, A, "0c"),
          expectedEffects: [voteEffect("precommit", 0, A)],
          expectedState: { locked: { round: 0, value: A }, valid: { round: 0, value: A } },
        },
        { desc: "precommit nil 0a", input: vote("precommit", 0, null, "0a"), expectedEffects: [] },
        { desc: "precommit nil 0b", input: vote("precommit", 0, null, "0b"), expectedEffects: [] },
        {
          desc: "L47",
          input: vote("precommit", 0, A, "0c"),
          expectedEffects: [timeoutEffect("precommit", 0)],
        },
        {
          desc: "L65 -> round 1 keeps the lock",
          input: timeout("precommit", 0),
          expectedEffects: [timeoutEffect("propose", 1)],
          expectedState: { round: 1, step: "propose", locked: { round: 0, value: A } },
        },
        {
          desc: "L22 locked on A, proposal B -> prevote nil",
          input: proposal(1, B),
          expectedEffects: [voteEffect("prevote", 1, null)],
          expectedState: { step: "prevote", locked: { round: 0, value: A } },
        },
        { desc: "prevote B 0a", input: vote("prevote", 1, B, "0a"), expectedEffects: [] },
        { desc: "prevote B 0b", input: vote("prevote", 1, B, "0b"), expectedEffects: [] },
        {
          desc: "L36 a polka for B in round 1 -> relock on B and precommit B",
          input: vote("prevote", 1, B, "0d"),
          expectedEffects: [voteEffect("precommit", 1, B)],
          expectedState: { step: "precommit", locked: { round: 1, value: B }, valid: { round: 1, value: B } },
        },
        { desc: "precommit nil 0a", input: vote("precommit", 1, null, "0a"), expectedEffects: [] },
        { desc: "precommit nil 0b", input: vote("precommit", 1, null, "0b"), expectedEffects: [] },
        {
          desc: "L47 round 1",
          input: vote("precommit", 1, B, "0c"),
          expectedEffects: [timeoutEffect("precommit", 1)],
        },
        {
          desc: "L15-L16 round 2, this node proposes validValue B with validRound 1; L28 prevotes it",
          input: timeout("precommit", 1),
          expectedEffects: [
            { kind: "propose", height: 1, round: 2, value: B, polRound: 1 },
            timeoutEffect("propose", 2),
            voteEffect("prevote", 2, B),
          ],
          expectedState: { round: 2, step: "prevote", locked: { round: 1, value: B } },
        },
      ]);
    },
  );

  it("L55 skip round on f+1, and L28 unlocks for a proposal with a newer proof-of-lock round", T, () => {
    runTable("0d", [
      { desc: "start", input: newHeight(), expectedEffects: [timeoutEffect("propose", 0)] },
      { desc: "L22", input: proposal(0, A), expectedEffects: [voteEffect("prevote", 0, A)] },
      { desc: "prevote 0a", input: vote("prevote", 0, A, "0a"), expectedEffects: [] },
      { desc: "prevote 0b", input: vote("prevote", 0, A, "0b"), expectedEffects: [] },
      {
        desc: "L36 lock A",
        input: vote("prevote", 0, A, "0d"),
        expectedEffects: [voteEffect("precommit", 0, A)],
        expectedState: { locked: { round: 0, value: A } },
      },
      { desc: "one vote of round 1 is not f+1", input: vote("prevote", 1, B, "0a"), expectedEffects: [] },
      {
        desc: "L55 f+1 voters in round 1 > round_p -> StartRound(1)",
        input: vote("prevote", 1, B, "0b"),
        expectedEffects: [timeoutEffect("propose", 1)],
        expectedState: { round: 1, step: "propose", locked: { round: 0, value: A } },
      },
      {
        desc: "a polka for B in round 1 without its proposal changes nothing",
        input: vote("prevote", 1, B, "0c"),
        expectedEffects: [],
        expectedState: { round: 1, step: "propose" },
      },
      { desc: "one precommit of round 2", input: vote("precommit", 2, null, "0a"), expectedEffects: [] },
      {
        desc: "L55 again: f+1 precommits of round 2 -> StartRound(2)",
        input: vote("precommit", 2, null, "0b"),
        expectedEffects: [timeoutEffect("propose", 2)],
        expectedState: { round: 2, step: "propose" },
      },
      {
        desc: "L28 proposal (B, 1) with 2/3 prevotes for B in round 1 and lockedRound 0 <= 1 -> prevote B",
        input: proposal(2, B, 1),
        expectedEffects: [voteEffect("prevote", 2, B)],
        expectedState: { step: "prevote", locked: { round: 0, value: A } },
      },
    ]);
  });

  it("L28 waits for the polka at polRound and prevotes nil when the value is invalid", T, () => {
    runTable("0c", [
      { desc: "start", input: newHeight(), expectedEffects: [timeoutEffect("propose", 0)] },
      { desc: "skip 1", input: vote("prevote", 1, A, "0a"), expectedEffects: [] },
      { desc: "skip 2", input: vote("prevote", 1, A, "0b"), expectedEffects: [timeoutEffect("propose", 1)] },
      {
        desc: "a proposal (A, 0) without a polka in round 0 does not trigger L28",
        input: proposal(1, A, 0, false),
        expectedEffects: [],
        expectedState: { step: "propose" },
      },
      { desc: "prevote A r0 0a", input: vote("prevote", 0, A, "0a"), expectedEffects: [] },
      { desc: "prevote A r0 0b", input: vote("prevote", 0, A, "0b"), expectedEffects: [] },
      {
        desc: "L28 once the polka at round 0 is known -> prevote nil for the invalid value",
        input: vote("prevote", 0, A, "0d"),
        expectedEffects: [voteEffect("prevote", 1, null)],
        expectedState: { step: "prevote" },
      },
    ]);
  });

  it("L49 decides in an earlier round, and asks for a missing proposal once", T, () => {
    runTable("0b", [
      { desc: "start", input: newHeight(), expectedEffects: [timeoutEffect("propose", 0)] },
      { desc: "skip 1", input: vote("prevote", 1, null, "0a"), expectedEffects: [] },
      {
        desc: "skip 2",
        input: vote("prevote", 1, null, "0c"),
        expectedEffects: [getValue(1), timeoutEffect("propose", 1)],
      },
      { desc: "precommit r0 0a", input: vote("precommit", 0, A, "0a"), expectedEffects: [] },
      { desc: "precommit r0 0c", input: vote("precommit", 0, A, "0c"), expectedEffects: [] },
      {
        desc: "L49 2/3 precommits for A in round 0 without its proposal -> missingValue",
        input: vote("precommit", 0, A, "0d"),
        expectedEffects: [{ kind: "missingValue", height: 1, round: 0, value: A }],
        expectedState: { round: 1, decision: null },
      },
      { desc: "missingValue is emitted once", input: vote("precommit", 0, null, "0b"), expectedEffects: [] },
      {
        desc: "L49 the proposal of round 0 arrives -> decide A in round 0",
        input: proposal(0, A),
        expectedEffects: [{ kind: "decide", height: 1, round: 0, value: A }],
        expectedState: { round: 1, step: "commit", decision: { round: 0, value: A } },
      },
    ]);
  });

  it("a non-validator (self null) never proposes or votes but still decides", T, () => {
    runTable(null, [
      {
        desc: "start: no getValue even in a round it cannot propose",
        input: newHeight(),
        expectedEffects: [timeoutEffect("propose", 0)],
      },
      {
        desc: "L22 moves the step without a vote effect",
        input: proposal(0, A),
        expectedEffects: [],
        expectedState: { step: "prevote" },
      },
      { desc: "pv 0a", input: vote("prevote", 0, A, "0a"), expectedEffects: [] },
      { desc: "pv 0b", input: vote("prevote", 0, A, "0b"), expectedEffects: [] },
      {
        desc: "L36 locks without a vote effect",
        input: vote("prevote", 0, A, "0c"),
        expectedEffects: [],
        expectedState: { step: "precommit", locked: { round: 0, value: A } },
      },
      { desc: "pc 0a", input: vote("precommit", 0, A, "0a"), expectedEffects: [] },
      { desc: "pc 0b", input: vote("precommit", 0, A, "0b"), expectedEffects: [] },
      {
        desc: "L49 decides",
        input: vote("precommit", 0, A, "0c"),
        expectedEffects: [{ kind: "decide", height: 1, round: 0, value: A }],
        expectedState: { decision: { round: 0, value: A } },
      },
    ]);
  });

  it("a node whose address is not in the set behaves as a non-validator", T, () => {
    runTable("ff", [
      { desc: "start", input: newHeight(), expectedEffects: [timeoutEffect("propose", 0)] },
      {
        desc: "timeout propose moves the step silently",
        input: timeout("propose", 0),
        expectedEffects: [],
        expectedState: { step: "prevote" },
      },
      { desc: "its own vote is not counted", input: vote("prevote", 0, null, "ff"), expectedEffects: [] },
    ]);
  });

  it("reports an equivocation once; the second vote counts for its value only", T, () => {
    runTable("0b", [
      { desc: "start", input: newHeight(), expectedEffects: [timeoutEffect("propose", 0)] },
      { desc: "L22", input: proposal(0, A), expectedEffects: [voteEffect("prevote", 0, A)] },
      { desc: "first vote of 0a", input: vote("prevote", 0, B, "0a"), expectedEffects: [] },
      {
        desc: "a conflicting vote of 0a -> equivocation",
        input: vote("prevote", 0, A, "0a"),
        expectedEffects: [
          {
            kind: "equivocation",
            first: { kind: "prevote", height: 1, round: 0, value: B, validator: "0a" },
            second: { kind: "prevote", height: 1, round: 0, value: A, validator: "0a" },
          },
        ],
      },
      {
        desc: "the same conflict again is not reported twice",
        input: vote("prevote", 0, A, "0a"),
        expectedEffects: [],
      },
      { desc: "an identical duplicate is silent", input: vote("prevote", 0, B, "0a"), expectedEffects: [] },
      {
        desc: "0a counts once in 'any': 0a + 0b is not 2/3 any, so no L34",
        input: vote("prevote", 0, A, "0b"),
        expectedEffects: [],
        expectedState: { step: "prevote" },
      },
      {
        desc: "L36 A has 0a (second vote), 0b, 0c -> polka, lock and precommit",
        input: vote("prevote", 0, A, "0c"),
        expectedEffects: [voteEffect("precommit", 0, A)],
        expectedState: { step: "precommit", locked: { round: 0, value: A } },
      },
    ]);
  });

  it("ignores proposals and votes of other heights and everything before the first height", T, () => {
    const fresh = initialState({ self: "0b", timeouts: TIMEOUTS });
    for (const input of [proposal(0, A), vote("prevote", 0, A, "0a", 0), timeout("propose", 0, 0)]) {
      const r = step(fresh, input);
      assert.deepEqual(r.effects, []);
      assert.equal(r.state, fresh);
    }
    runTable("0b", [
      { desc: "start", input: newHeight(), expectedEffects: [timeoutEffect("propose", 0)] },
      {
        desc: "a proposal of height 2",
        input: proposal(0, A, -1, true, 2),
        expectedEffects: [],
        expectedState: { step: "propose" },
      },
      {
        desc: "votes of height 2 (f+1) do not skip",
        input: vote("prevote", 3, A, "0a", 2),
        expectedEffects: [],
      },
      {
        desc: "votes of height 2 (f+1) do not skip",
        input: vote("prevote", 3, A, "0c", 2),
        expectedEffects: [],
        expectedState: { round: 0 },
      },
      {
        desc: "votes of a non-validator are ignored",
        input: vote("prevote", 1, A, "ee"),
        expectedEffects: [],
      },
      {
        desc: "even with one real voter it is not f+1",
        input: vote("prevote", 1, A, "0c"),
        expectedEffects: [],
        expectedState: { round: 0 },
      },
    ]);
  });

  it("weights thresholds by power, not by head count", T, () => {
    const vals = [
      { address: "0a", power: 5n, proposerPriority: 0n },
      { address: "0b", power: 1n, proposerPriority: 0n },
      { address: "0c", power: 1n, proposerPriority: 0n },
      { address: "0d", power: 1n, proposerPriority: 0n },
    ];
    // total 8: 0a alone has 5/8 (not > 2/3) but > 1/3 (skip); 0a + one other has 6/8 > 2/3.
    runTable("0d", [
      { desc: "start", input: newHeight(1, vals), expectedEffects: [timeoutEffect("propose", 0)] },
      {
        desc: "one heavy validator is f+1 by power",
        input: vote("prevote", 2, null, "0a"),
        expectedEffects: [timeoutEffect("propose", 2)],
        expectedState: { round: 2 },
      },
      {
        desc: "three light validators are not a quorum",
        input: vote("precommit", 2, null, "0b"),
        expectedEffects: [],
      },
      { desc: "still not", input: vote("precommit", 2, null, "0c"), expectedEffects: [] },
      { desc: "still not", input: vote("precommit", 2, null, "0d"), expectedEffects: [] },
      {
        desc: "the heavy one makes the quorum",
        input: vote("precommit", 2, null, "0a"),
        expectedEffects: [timeoutEffect("precommit", 2)],
      },
    ]);
    assert.equal(VALS.length, 4);
  });
});

function getValue(round: number) {
  return { kind: "getValue" as const, height: 1, round };
}
