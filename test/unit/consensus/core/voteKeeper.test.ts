import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  addVote,
  type CoreVote,
  createVoteKeeper,
  hasQuorumAny,
  hasQuorumFor,
  hasQuorumNil,
  hasSkip,
  quorumValue,
  type VoteKeeper,
  votesOf,
} from "../../../../consensus/core/index.ts";

const T = { timeout: 10_000 };
const vals = [
  { address: "01", power: 3n, proposerPriority: 0n },
  { address: "02", power: 3n, proposerPriority: 0n },
  { address: "03", power: 2n, proposerPriority: 0n },
  { address: "04", power: 1n, proposerPriority: 0n },
];
// total 9: quorum needs > 6, skip needs > 3.

function v(validator: string, value: string | null, round = 0, kind: CoreVote["kind"] = "prevote"): CoreVote {
  return { kind, height: 5, round, value, validator };
}

function addAll(k: VoteKeeper, votes: CoreVote[]): VoteKeeper {
  for (const vote of votes) k = addVote(k, vote).keeper;
  return k;
}

describe("vote keeper", () => {
  it("needs strictly more than 2/3 of the power for a value quorum", T, () => {
    let k = createVoteKeeper(5, vals);
    k = addAll(k, [v("01", "x"), v("02", "x")]);
    assert.equal(hasQuorumFor(k, 0, "prevote", "x"), false); // 6 of 9 is exactly 2/3
    k = addAll(k, [v("04", "x")]);
    assert.equal(hasQuorumFor(k, 0, "prevote", "x"), true); // 7 of 9
    assert.equal(quorumValue(k, 0, "prevote"), "x");
    assert.equal(hasQuorumFor(k, 0, "precommit", "x"), false);
    assert.equal(hasQuorumFor(k, 1, "prevote", "x"), false);
  });

  it("tracks nil and any separately", T, () => {
    const k = addAll(createVoteKeeper(5, vals), [v("01", null), v("02", "x"), v("03", null)]);
    assert.equal(hasQuorumNil(k, 0, "prevote"), false);
    assert.equal(hasQuorumAny(k, 0, "prevote"), true); // 8 of 9
    assert.equal(quorumValue(k, 0, "prevote"), null);
    const k2 = addAll(k, [v("04", null)]);
    assert.equal(hasQuorumNil(k2, 0, "prevote"), false); // nil 6 of 9
    const k3 = addAll(createVoteKeeper(5, vals), [v("01", null), v("02", null), v("03", null)]);
    assert.equal(hasQuorumNil(k3, 0, "prevote"), true);
  });

  it("counts the skip threshold over distinct validators of both kinds", T, () => {
    let k = createVoteKeeper(5, vals);
    k = addAll(k, [v("03", "x", 2), v("03", "x", 2, "precommit")]);
    assert.equal(hasSkip(k, 2), false); // 2 of 9, counted once
    k = addAll(k, [v("04", null, 2, "precommit")]);
    assert.equal(hasSkip(k, 2), false); // exactly 3 of 9 is not > 1/3
    k = addAll(k, [v("01", null, 2)]);
    assert.equal(hasSkip(k, 2), true);
  });

  it("ignores other heights and non-validators", T, () => {
    const k = createVoteKeeper(5, vals);
    assert.equal(addVote(k, { ...v("01", "x"), height: 6 }).outcome, "ignored");
    assert.equal(addVote(k, v("99", "x")).outcome, "ignored");
    const zero = createVoteKeeper(5, [...vals, { address: "05", power: 0n, proposerPriority: 0n }]);
    assert.equal(addVote(zero, v("05", "x")).outcome, "ignored");
  });

  it("reports a conflicting vote once per pair and counts it only for its own value", T, () => {
    const k1 = addVote(createVoteKeeper(5, vals), v("01", "x")).keeper;
    const dup = addVote(k1, v("01", "x"));
    assert.equal(dup.outcome, "ignored");
    assert.equal(dup.keeper, k1);
    const eq = addVote(k1, v("01", null));
    assert.equal(eq.outcome, "equivocation");
    if (eq.outcome !== "equivocation") return;
    assert.deepEqual(eq.first, v("01", "x"));
    assert.deepEqual(eq.second, v("01", null));
    assert.equal(addVote(eq.keeper, v("01", null)).outcome, "ignored");
    assert.equal(addVote(eq.keeper, v("01", "y")).outcome, "equivocation");
    // 01 (3) is counted for nil too: 3 + 3 + 2 = 8 of 9 nil.
    const k2 = addAll(eq.keeper, [v("02", null), v("03", null)]);
    assert.equal(hasQuorumNil(k2, 0, "prevote"), true);
    // ... but only once in "any": 01, 02, 03 = 8 of 9, and 04 makes 9, not 12.
    const k3 = addAll(createVoteKeeper(5, vals), [v("01", "x"), v("01", null), v("04", null)]);
    assert.equal(hasQuorumAny(k3, 0, "prevote"), false); // 3 + 1 = 4 of 9
    assert.equal(hasSkip(k3, 0), true); // 4 of 9 > 1/3, 01 once
    // The first vote stays the validator's vote of record.
    assert.deepEqual(
      votesOf(k2, 0, "prevote").map((x) => [x.validator, x.value]),
      [
        ["01", "x"],
        ["02", null],
        ["03", null],
      ],
    );
  });

  it("never lets two values both reach a quorum while byzantine power is below 1/3", T, () => {
    // 04 (1 of 9) equivocates; the honest 01, 02, 03 split x / y / y.
    const k = addAll(createVoteKeeper(5, vals), [
      v("01", "x"),
      v("02", "y"),
      v("03", "y"),
      v("04", "x"),
      v("04", "y"),
    ]);
    assert.equal(hasQuorumFor(k, 0, "prevote", "x"), false); // 4 of 9
    assert.equal(hasQuorumFor(k, 0, "prevote", "y"), false); // 6 of 9
  });

  it("never mutates an existing keeper", T, () => {
    const k = createVoteKeeper(5, vals);
    addVote(k, v("01", "x"));
    assert.equal(k.rounds.size, 0);
  });
});
