import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type DuplicateVoteEvidence, VoteType } from "../../../consensus/index.ts";
import { EVIDENCE_MAX_AGE_BLOCKS, selectProposableEvidence } from "../../../node/chain.ts";

function evidence(height: number, round = 0): DuplicateVoteEvidence {
  const vote = (hash: number) => ({
    type: VoteType.Prevote,
    height,
    round,
    blockHash: new Uint8Array(32).fill(hash),
    timestamp: 0n,
    validatorAddress: new Uint8Array(20).fill(7),
    validatorIndex: 0,
    signature: new Uint8Array(64),
  });
  return { voteA: vote(1), voteB: vote(2), totalVotingPower: 4n, validatorPower: 1n, timestamp: 0n };
}

describe("evidence a proposal carries", () => {
  it("leaves double votes of the height being decided for the next block", () => {
    const pool = new Map<string, DuplicateVoteEvidence>([
      ["a", evidence(87)],
      ["b", evidence(88, 16)],
      ["c", evidence(88, 17)],
    ]);
    assert.deepEqual(
      selectProposableEvidence(pool, 88).map((e) => e.voteA.height),
      [87],
    );
    assert.equal(pool.size, 3, "kept for the next block");
    assert.deepEqual(
      selectProposableEvidence(pool, 89).map((e) => [e.voteA.height, e.voteA.round]),
      [
        [87, 0],
        [88, 16],
        [88, 17],
      ],
    );
  });

  it("drops evidence past the maximum age and carries at most 16", () => {
    const pool = new Map<string, DuplicateVoteEvidence>();
    pool.set("old", evidence(1));
    for (let r = 0; r < 20; r++) pool.set(`r${r}`, evidence(100, r));
    const height = 101 + EVIDENCE_MAX_AGE_BLOCKS - 99;
    const picked = selectProposableEvidence(pool, height);
    assert.equal(picked.length, 16);
    assert.ok(picked.every((e) => e.voteA.height === 100));
    assert.equal(pool.has("old"), false);
    assert.equal(pool.size, 20);
  });
});
