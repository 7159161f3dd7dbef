import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { TxMsgData } from "cosmjs-types/cosmos/base/abci/v1beta1/abci";
import { MsgUndelegateResponse } from "cosmjs-types/cosmos/staking/v1beta1/tx";
import { moduleAddress } from "../../../../app/index.ts";
import { BONDED_POOL, NOT_BONDED_POOL } from "../../../../provider/staking/index.ts";
import {
  consKey,
  createValidatorMsg,
  delegateMsg,
  redelegateMsg,
  STAKE,
  StakingHarness,
  undelegateMsg,
} from "./harness.ts";

const pool = (h: StakingHarness, name: string) =>
  h.keeper.bank.balance(h.store, moduleAddress(name), "stake");

describe("staking: create, delegate, undelegate, redelegate", () => {
  it("create validator: the end block returns its update with power = tokens / 10^6", async () => {
    const h = await StakingHarness.create();
    const a = h.acc(0);
    const before = await h.balance(a);
    await h.ok(a, [createValidatorMsg(a, 0, 10n * STAKE)]);
    assert.deepEqual(h.lastUpdates, [{ pubKey: consKey(0), power: 10n }]);
    assert.equal(await h.balance(a), before - 10n * STAKE);
    assert.equal(await pool(h, BONDED_POOL), 10n * STAKE);
    const v = await h.keeper.getValidator(h.store, h.operator(a));
    assert.equal(v?.status, "bonded");
    assert.equal(v?.delegatorShares, 10n * STAKE * 10n ** 18n);
    assert.equal(await h.keeper.lastTotalPower(h.store), 10n);
    // Nothing changed: no update in the next block.
    await h.block();
    assert.deepEqual(h.lastUpdates, []);
  });

  it("delegate and undelegate move tokens between account and pools; unbonding completes after unbonding_time", async () => {
    const h = await StakingHarness.create();
    const [a, b] = [h.acc(0), h.acc(1)];
    await h.ok(a, [createValidatorMsg(a, 0, 10n * STAKE)]);
    const b0 = await h.balance(b);
    await h.ok(b, [delegateMsg(b, a, 5n * STAKE)]);
    assert.equal(await h.balance(b), b0 - 5n * STAKE);
    assert.deepEqual(h.lastUpdates, [{ pubKey: consKey(0), power: 15n }]);
    assert.equal(await pool(h, BONDED_POOL), 15n * STAKE);

    const res = await h.ok(b, [undelegateMsg(b, a, 2n * STAKE)]);
    const resp = MsgUndelegateResponse.decode(TxMsgData.decode(res.data).msgResponses[0]!.value);
    assert.equal(resp.amount.amount, (2n * STAKE).toString());
    const completion = resp.completionTime.seconds * 1_000_000_000n + BigInt(resp.completionTime.nanos);
    assert.equal(completion, h.chain.time + 10_000_000_000n);
    assert.deepEqual(h.lastUpdates, [{ pubKey: consKey(0), power: 13n }]);
    assert.equal(await pool(h, BONDED_POOL), 13n * STAKE);
    assert.equal(await pool(h, NOT_BONDED_POOL), 2n * STAKE);
    assert.equal(await h.balance(b), b0 - 5n * STAKE);

    // Not yet mature one nanosecond before the completion time.
    await h.block(completion - 1n);
    assert.equal(await h.balance(b), b0 - 5n * STAKE);
    assert.ok(await h.keeper.getUnbondingDelegation(h.store, h.operator(b), h.operator(a)));
    const done = await h.block(completion);
    assert.equal(await h.balance(b), b0 - 3n * STAKE);
    assert.equal(await pool(h, NOT_BONDED_POOL), 0n);
    assert.equal(await h.keeper.getUnbondingDelegation(h.store, h.operator(b), h.operator(a)), undefined);
    assert.ok(done.events.some((e) => e.type === "complete_unbonding"));
  });

  it("redelegation moves the stake at once and completes after the period", async () => {
    const h = await StakingHarness.create();
    const [a, b, c] = [h.acc(0), h.acc(1), h.acc(2)];
    await h.ok(a, [createValidatorMsg(a, 0, 10n * STAKE)]);
    await h.ok(b, [createValidatorMsg(b, 1, 10n * STAKE)]);
    await h.ok(c, [delegateMsg(c, a, 4n * STAKE)]);
    await h.ok(c, [redelegateMsg(c, a, b, 3n * STAKE)]);
    const start = h.chain.time;
    const dstDel = await h.keeper.getDelegation(h.store, h.operator(c), h.operator(b));
    assert.equal(dstDel?.shares, 3n * STAKE * 10n ** 18n);
    const srcDel = await h.keeper.getDelegation(h.store, h.operator(c), h.operator(a));
    assert.equal(srcDel?.shares, 1n * STAKE * 10n ** 18n);
    const updates = new Map(h.lastUpdates.map((u) => [Buffer.from(u.pubKey).toString("hex"), u.power]));
    assert.equal(updates.get(Buffer.from(consKey(0)).toString("hex")), 11n);
    assert.equal(updates.get(Buffer.from(consKey(1)).toString("hex")), 13n);
    assert.ok(await h.keeper.getRedelegation(h.store, h.operator(c), h.operator(a), h.operator(b)));
    await h.block(start + 10_000_000_000n - 1n);
    assert.ok(await h.keeper.getRedelegation(h.store, h.operator(c), h.operator(a), h.operator(b)));
    const done = await h.block(start + 10_000_000_000n);
    assert.equal(
      await h.keeper.getRedelegation(h.store, h.operator(c), h.operator(a), h.operator(b)),
      undefined,
    );
    assert.ok(done.events.some((e) => e.type === "complete_redelegation"));
  });

  it("undelegating everything removes the delegation; an operator below min self delegation is jailed", async () => {
    const h = await StakingHarness.create();
    const [a, b] = [h.acc(0), h.acc(1)];
    await h.ok(a, [createValidatorMsg(a, 0, 10n * STAKE, { minSelfDelegation: `${5n * STAKE}` })]);
    await h.ok(b, [delegateMsg(b, a, 5n * STAKE)]);
    await h.ok(b, [undelegateMsg(b, a, 5n * STAKE)]);
    assert.equal(await h.keeper.getDelegation(h.store, h.operator(b), h.operator(a)), undefined);
    await h.ok(a, [undelegateMsg(a, a, 6n * STAKE)]);
    const v = await h.keeper.getValidator(h.store, h.operator(a));
    assert.equal(v?.jailed, true);
    assert.deepEqual(h.lastUpdates, [{ pubKey: consKey(0), power: 0n }]);
    assert.equal(v?.status, "unbonding");
  });

  it("max_validators: only the top validators by power are bonded", async () => {
    const h = await StakingHarness.create({ params: { max_validators: 2 } });
    for (let i = 0; i < 3; i++)
      await h.ok(h.acc(i), [createValidatorMsg(h.acc(i), i, BigInt(10 + i) * STAKE)]);
    const bonded = await h.keeper.bondedValidatorsByPower(h.store);
    assert.deepEqual(
      bonded.map((v) => v.tokens),
      [12n * STAKE, 11n * STAKE],
    );
    // The third (12) displaced the first (10): power 0 for it, 12 for the newcomer.
    assert.deepEqual(
      [...h.lastUpdates].sort((x, y) => Number(x.power - y.power)),
      [
        { pubKey: consKey(0), power: 0n },
        { pubKey: consKey(2), power: 12n },
      ],
    );
    assert.equal((await h.keeper.getValidator(h.store, h.operator(h.acc(0))))?.status, "unbonding");
    assert.equal(await pool(h, BONDED_POOL), 23n * STAKE);
    assert.equal(await pool(h, NOT_BONDED_POOL), 10n * STAKE);
    // Delegating to the first brings it back, displacing the 11.
    await h.ok(h.acc(3), [delegateMsg(h.acc(3), h.acc(0), 5n * STAKE)]);
    assert.deepEqual(
      [...h.lastUpdates].sort((x, y) => Number(x.power - y.power)),
      [
        { pubKey: consKey(1), power: 0n },
        { pubKey: consKey(0), power: 15n },
      ],
    );
  });

  it("unbonding validator becomes unbonded after the period; removed once it has no shares", async () => {
    const h = await StakingHarness.create({ params: { max_validators: 1 } });
    const [a, b] = [h.acc(0), h.acc(1)];
    await h.ok(a, [createValidatorMsg(a, 0, 20n * STAKE)]);
    await h.ok(b, [createValidatorMsg(b, 1, 10n * STAKE)]);
    assert.equal((await h.keeper.getValidator(h.store, h.operator(b)))?.status, "unbonded");
    await h.ok(a, [undelegateMsg(a, a, 15n * STAKE)]);
    // a jailed itself (below min self delegation 1? no: 5 left >= 1), so power drops to 5 and b takes over.
    const va = await h.keeper.getValidator(h.store, h.operator(a));
    assert.equal(va?.status, "unbonding");
    await h.block(va!.unbondingTime);
    assert.equal((await h.keeper.getValidator(h.store, h.operator(a)))?.status, "unbonded");
    await h.ok(a, [undelegateMsg(a, a, 5n * STAKE)]);
    assert.equal(await h.keeper.getValidator(h.store, h.operator(a)), undefined);
  });
});
