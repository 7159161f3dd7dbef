import { describe, it } from "node:test";
import {
  consKey,
  createValidatorMsg,
  delegateMsg,
  editValidatorMsg,
  expectFailure,
  redelegateMsg,
  STAKE,
  StakingHarness,
  undelegateMsg,
} from "./harness.ts";

const DAY = 24n * 3600n * 1_000_000_000n;

describe("staking: bad inputs fail with the SDK's error and change nothing", () => {
  it("create validator: self delegation below minimum, commission above max, duplicate owner and key", async () => {
    const h = await StakingHarness.create();
    const [a, b] = [h.acc(0), h.acc(1)];
    await expectFailure(
      h,
      a,
      [createValidatorMsg(a, 0, 5n * STAKE, { minSelfDelegation: `${6n * STAKE}` })],
      "staking",
      16,
      "validator's self delegation must be greater than their minimum self delegation",
    );
    await expectFailure(
      h,
      a,
      [createValidatorMsg(a, 0, 5n * STAKE, { rate: "0.3", maxRate: "0.2" })],
      "staking",
      11,
      "commission cannot be more than the max rate",
    );
    await expectFailure(
      h,
      a,
      [createValidatorMsg(a, 0, 5n * STAKE, { maxRate: "1.5" })],
      "staking",
      10,
      "commission cannot be more than 100%",
    );
    await expectFailure(
      h,
      a,
      [createValidatorMsg(a, 0, 5n * STAKE, { maxChangeRate: "0.3" })],
      "staking",
      14,
      "commission change rate cannot be more than the max rate",
    );
    await expectFailure(
      h,
      a,
      [createValidatorMsg(a, 0, 5n * STAKE, { moniker: "m".repeat(71) })],
      "sdk",
      18,
      "invalid moniker length; got: 71, max: 70",
    );
    await h.ok(a, [createValidatorMsg(a, 0, 5n * STAKE)]);
    await expectFailure(
      h,
      a,
      [createValidatorMsg(a, 1, 5n * STAKE)],
      "staking",
      4,
      "validator already exist for this operator address",
    );
    await expectFailure(
      h,
      b,
      [createValidatorMsg(b, 1, 5n * STAKE, { key: consKey(0) })],
      "staking",
      5,
      "validator already exist for this pubkey",
    );
  });

  it("edit validator: commission changed twice within 24 h, by more than max_change_rate, above max rate", async () => {
    const h = await StakingHarness.create();
    const a = h.acc(0);
    await h.ok(a, [
      createValidatorMsg(a, 0, 5n * STAKE, { rate: "0.1", maxRate: "0.2", maxChangeRate: "0.01" }),
    ]);
    // Within 24 h of creation (the commission's update time).
    await expectFailure(
      h,
      a,
      [editValidatorMsg(a, "0.105")],
      "staking",
      12,
      "commission cannot be changed more than once in 24h",
    );
    await h.block(h.chain.time + DAY);
    await expectFailure(
      h,
      a,
      [editValidatorMsg(a, "0.12")],
      "staking",
      15,
      "commission cannot be changed more than max change rate",
    );
    await expectFailure(
      h,
      a,
      [editValidatorMsg(a, "0.25")],
      "staking",
      11,
      "commission cannot be more than the max rate",
    );
    await h.ok(a, [editValidatorMsg(a, "0.11")]);
    await expectFailure(
      h,
      a,
      [editValidatorMsg(a, "0.105")],
      "staking",
      12,
      "commission cannot be changed more than once in 24h",
    );
    // Min self delegation may only increase, and not above the tokens.
    await expectFailure(
      h,
      a,
      [editValidatorMsg(a, "", "1")],
      "staking",
      17,
      "minimum self delegation cannot be decrease",
    );
    await expectFailure(
      h,
      a,
      [editValidatorMsg(a, "", `${6n * STAKE}`)],
      "staking",
      16,
      "validator's self delegation must be greater than their minimum self delegation",
    );
  });

  it("undelegate more than delegated; redelegate to the same validator; transitive redelegation", async () => {
    const h = await StakingHarness.create();
    const [a, b, c, d] = [h.acc(0), h.acc(1), h.acc(2), h.acc(3)];
    await h.ok(a, [createValidatorMsg(a, 0, 10n * STAKE)]);
    await h.ok(b, [createValidatorMsg(b, 1, 10n * STAKE)]);
    await h.ok(c, [createValidatorMsg(c, 2, 10n * STAKE)]);
    await h.ok(d, [delegateMsg(d, a, 3n * STAKE)]);
    await expectFailure(h, d, [undelegateMsg(d, a, 3n * STAKE + 1n)], "sdk", 18, "invalid shares amount");
    await expectFailure(
      h,
      d,
      [undelegateMsg(d, b, 1n)],
      "staking",
      19,
      "no delegation for (address, validator) tuple",
    );
    await expectFailure(
      h,
      d,
      [redelegateMsg(d, a, a, STAKE)],
      "staking",
      29,
      "cannot redelegate to the same validator",
    );
    await h.ok(d, [redelegateMsg(d, a, b, STAKE)]);
    // d's stake at b is still maturing from a: it may not move on to c.
    await expectFailure(
      h,
      d,
      [redelegateMsg(d, b, c, STAKE)],
      "staking",
      32,
      "redelegation to this validator already in progress",
    );
    await expectFailure(h, d, [delegateMsg(d, a, 0n)], "sdk", 18, "invalid delegation amount");
  });

  it("max entries for unbonding delegations", async () => {
    const h = await StakingHarness.create({ params: { max_entries: 2 } });
    const [a, b] = [h.acc(0), h.acc(1)];
    await h.ok(a, [createValidatorMsg(a, 0, 10n * STAKE)]);
    await h.ok(b, [delegateMsg(b, a, 3n * STAKE)]);
    await h.ok(b, [undelegateMsg(b, a, STAKE)]);
    await h.ok(b, [undelegateMsg(b, a, STAKE)]);
    await expectFailure(
      h,
      b,
      [undelegateMsg(b, a, STAKE)],
      "staking",
      27,
      "too many unbonding delegation entries for (delegator, validator) tuple",
    );
  });
});
