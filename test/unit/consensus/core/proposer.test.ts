import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  incrementProposerPriority,
  proposerOf,
  totalPower,
  updateValidatorSet,
} from "../../../../consensus/core/proposer.ts";

const T = { timeout: 10_000 };

function hex(s: string): string {
  return Buffer.from(s, "ascii").toString("hex");
}
const name = new Map([hex("foo"), hex("bar"), hex("baz")].map((h) => [h, Buffer.from(h, "hex").toString()]));

/** A genesis set as CometBFT's NewValidatorSet builds it (before its first increment). */
function genesis(powers: readonly [string, bigint][]) {
  return updateValidatorSet(
    [],
    powers.map(([address, power]) => ({ address, power })),
  );
}

/** Round-0 proposers of `heights` consecutive heights, each height's set being the previous one incremented once. */
function heightSequence(set: ReturnType<typeof genesis>, heights: number): string[] {
  const out: string[] = [];
  let cur = set;
  for (let h = 0; h < heights; h++) {
    out.push(proposerOf(cur, 0).address);
    cur = incrementProposerPriority(cur, 1).validators;
  }
  return out;
}

// CometBFT types/validator_set_test.go TestProposerSelection1.
const SELECTION1 =
  "foo baz foo bar foo foo baz foo bar foo foo baz foo foo bar foo baz foo foo bar " +
  "foo foo baz foo bar foo foo baz foo bar foo foo baz foo foo bar foo baz foo foo bar " +
  "foo baz foo foo bar foo baz foo foo bar foo baz foo foo foo baz bar foo foo foo baz " +
  "foo bar foo foo baz foo bar foo foo baz foo bar foo foo baz foo bar foo foo baz foo " +
  "foo bar foo baz foo foo bar foo baz foo foo bar foo baz foo foo";

describe("proposer selection (CometBFT weighted round robin)", () => {
  it("reproduces CometBFT's TestProposerSelection1 sequence for powers 1000/300/330", T, () => {
    const set = genesis([
      [hex("foo"), 1000n],
      [hex("bar"), 300n],
      [hex("baz"), 330n],
    ]);
    const got = heightSequence(set, 99).map((a) => name.get(a));
    assert.equal(got.join(" "), SELECTION1);
  });

  it("sorts a new set by power descending then address ascending, with centered zero priorities", T, () => {
    const set = genesis([
      ["03", 5n],
      ["01", 5n],
      ["02", 9n],
    ]);
    assert.deepEqual(
      set.map((v) => [v.address, v.power, v.proposerPriority]),
      [
        ["02", 9n, 0n],
        ["01", 5n, 0n],
        ["03", 5n, 0n],
      ],
    );
  });

  it("rotates equal powers in address order, across heights and across rounds", T, () => {
    const set = genesis([
      ["0c", 10n],
      ["0a", 10n],
      ["0b", 10n],
    ]);
    assert.deepEqual(heightSequence(set, 6), ["0a", "0b", "0c", "0a", "0b", "0c"]);
    assert.deepEqual(
      [0, 1, 2, 3].map((r) => proposerOf(set, r).address),
      ["0a", "0b", "0c", "0a"],
    );
  });

  it("powers 1, 2, 3 propose 1, 2 and 3 times in every window of 6", T, () => {
    const set = genesis([
      ["01", 1n],
      ["02", 2n],
      ["03", 3n],
    ]);
    const seq = heightSequence(set, 60);
    assert.deepEqual(seq.slice(0, 6), ["03", "02", "01", "03", "02", "03"]);
    for (let w = 0; w < 60; w += 6) {
      const win = seq.slice(w, w + 6);
      assert.deepEqual(
        ["01", "02", "03"].map((a) => win.filter((x) => x === a).length),
        [1, 2, 3],
      );
    }
  });

  it("gives each validator a share of rounds proportional to its power", T, () => {
    const powers: [string, bigint][] = [
      ["01", 7n],
      ["02", 13n],
      ["03", 29n],
      ["04", 51n],
    ];
    const set = genesis(powers);
    const total = totalPower(set);
    const n = 1000; // a multiple of the total power (100): exact proportions
    const seq = heightSequence(set, n);
    for (const [address, power] of powers) {
      const count = BigInt(seq.filter((a) => a === address).length);
      assert.equal(count, (BigInt(n) * power) / total, `validator ${address}`);
    }
  });

  it("proposerOf(set, r) equals one increment then r more (CometBFT's enterNewRound)", T, () => {
    const set = genesis([
      ["01", 1n],
      ["02", 2n],
      ["03", 3n],
    ]);
    const first = incrementProposerPriority(set, 1);
    assert.equal(proposerOf(set, 0).address, first.proposer.address);
    for (let r = 1; r < 8; r++) {
      assert.equal(
        proposerOf(set, r).address,
        incrementProposerPriority(first.validators, r).proposer.address,
      );
    }
  });

  it("does not mutate its input", T, () => {
    const set = genesis([
      ["01", 1n],
      ["02", 2n],
    ]);
    const copy = set.map((v) => ({ ...v }));
    incrementProposerPriority(set, 5);
    updateValidatorSet(set, [{ address: "03", power: 4n }]);
    assert.deepEqual(set, copy);
  });

  it("starts a new validator at -1.125 x the total power after updates, then centers", T, () => {
    const set = genesis([
      ["01", 10n],
      ["02", 10n],
    ]);
    // Total after updates, before removals: 10 + 10 + 12 = 32; new priority -(32 + 32>>3) = -36.
    // Priorities 0, 0, -36: average floor(-36/3) = -12, so after centering 12, 12, -24.
    const next = updateValidatorSet(set, [{ address: "03", power: 12n }]);
    assert.deepEqual(
      next.map((v) => [v.address, v.proposerPriority]),
      [
        ["03", -24n],
        ["01", 12n],
        ["02", 12n],
      ],
    );
  });

  it("keeps the priority of a validator whose power changes and drops removed ones", T, () => {
    let set = genesis([
      ["01", 10n],
      ["02", 20n],
      ["03", 30n],
    ]);
    set = incrementProposerPriority(set, 1).validators; // 01: 10, 02: 20, 03: 30 - 60 = -30
    const next = updateValidatorSet(set, [
      { address: "01", power: 0n },
      { address: "02", power: 25n },
    ]);
    // 02 keeps 20, 03 keeps -30: average floor(-10/2) = -5 -> 25, -25.
    assert.deepEqual(
      next.map((v) => [v.address, v.power, v.proposerPriority]),
      [
        ["03", 30n, -25n],
        ["02", 25n, 25n],
      ],
    );
  });

  it("uses Euclidean division for the average, as Go's big.Int.Div", T, () => {
    // Priorities -1 and 0 (sum -1, n 2): Euclidean average -1, truncating would give 0.
    const set = [
      { address: "01", power: 1n, proposerPriority: -1n },
      { address: "02", power: 1n, proposerPriority: 0n },
    ];
    // Centering gives 0 and 1; +power gives 1 and 2; 02 proposes and drops to 0.
    const r = incrementProposerPriority(set, 1);
    assert.equal(r.proposer.address, "02");
    assert.deepEqual(
      r.validators.map((v) => v.proposerPriority),
      [1n, 0n],
    );
  });

  it("rescales priorities whose spread exceeds 2 x total power, dividing with truncation", T, () => {
    const set = [
      { address: "01", power: 1n, proposerPriority: 100n },
      { address: "02", power: 1n, proposerPriority: -101n },
    ];
    // diff 201, diffMax 4, ratio ceil(201/4) = 51: 100/51 = 1, -101/51 = -1 (truncated).
    const r = incrementProposerPriority(set, 1);
    // Centered: avg 0 -> 1, -1; +1 -> 2, 0; 01 proposes: 0, 0.
    assert.equal(r.proposer.address, "01");
    assert.deepEqual(
      r.validators.map((v) => v.proposerPriority),
      [0n, 0n],
    );
  });

  it("rejects duplicates, negative powers, unknown removals and an empty result", T, () => {
    const set = genesis([["01", 1n]]);
    assert.throws(() =>
      updateValidatorSet(set, [
        { address: "02", power: 1n },
        { address: "02", power: 2n },
      ]),
    );
    assert.throws(() => updateValidatorSet(set, [{ address: "02", power: -1n }]));
    assert.throws(() => updateValidatorSet(set, [{ address: "09", power: 0n }]));
    assert.throws(() => updateValidatorSet(set, [{ address: "01", power: 0n }]));
    assert.throws(() => incrementProposerPriority([], 1));
    assert.throws(() => incrementProposerPriority(set, 0));
  });
});
