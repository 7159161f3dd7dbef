import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  QueryCommunityPoolResponse,
  QueryValidatorCommissionRequest,
  QueryValidatorCommissionResponse,
  QueryValidatorOutstandingRewardsRequest,
  QueryValidatorOutstandingRewardsResponse,
} from "cosmjs-types/cosmos/distribution/v1beta1/query";
import { bech32Address, decFromString, FEE_COLLECTOR, moduleAddress } from "../../../../app/index.ts";
import { addr, cons, fixture, pubKey, rate } from "./fixture.ts";

const attrs = (e: { attributes: readonly { key: string; value: string }[] }) =>
  Object.fromEntries(e.attributes.map((a) => [a.key, a.value]));
const valoper = (i: number) => bech32Address(addr(i), "cosmosvaloper");

describe("x/distribution allocation", () => {
  it("splits the fee collector by vote power, commission first, tax to the community pool", async () => {
    const f = await fixture();
    await f.staking.createValidator(f.ctx(1), addr(1), pubKey(1), 100_000_000n, rate("0.1"));
    await f.staking.createValidator(f.ctx(1), addr(2), pubKey(2), 300_000_000n, rate("0.1"));
    const fc = moduleAddress(FEE_COLLECTOR);
    await f.base.bank.mint(f.store, fc, [{ denom: "stake", amount: 1000n }]);
    const votes = [
      { address: cons(1), power: 100n, signed: true },
      // SDK 0.50 pays every validator of the last commit, signed or not.
      { address: cons(2), power: 300n, signed: false },
    ];
    const info = () => ({ proposer: cons(1), lastCommit: { round: 0, votes }, misbehavior: [] });
    // Height 1 allocates nothing.
    await f.module.beginBlock!(f.ctx(1), info());
    assert.equal(await f.balance(fc), 1000n);

    const ctx = f.ctx(2);
    await f.module.beginBlock!(ctx, info());
    assert.equal(await f.balance(fc), 0n);
    assert.equal(await f.balance(moduleAddress("distribution")), 1000n);
    // 1000 × 0.98 = 980; v1 gets 245 (24.5 commission), v2 735 (73.5 commission); pool keeps 20.
    const q = f.module.queries!;
    const out = async (i: number) =>
      QueryValidatorOutstandingRewardsResponse.decode(
        await q["/cosmos.distribution.v1beta1.Query/ValidatorOutstandingRewards"]!(
          { store: f.store, height: 2 },
          QueryValidatorOutstandingRewardsRequest.encode({ validatorAddress: valoper(i) }).finish(),
        ),
      ).rewards.rewards;
    assert.deepEqual(await out(1), [{ denom: "stake", amount: decFromString("245").toString() }]);
    assert.deepEqual(await out(2), [{ denom: "stake", amount: decFromString("735").toString() }]);
    const comm = QueryValidatorCommissionResponse.decode(
      await q["/cosmos.distribution.v1beta1.Query/ValidatorCommission"]!(
        { store: f.store, height: 2 },
        QueryValidatorCommissionRequest.encode({ validatorAddress: valoper(2) }).finish(),
      ),
    );
    assert.deepEqual(comm.commission.commission, [
      { denom: "stake", amount: decFromString("73.5").toString() },
    ]);
    const pool = QueryCommunityPoolResponse.decode(
      await q["/cosmos.distribution.v1beta1.Query/CommunityPool"]!(
        { store: f.store, height: 2 },
        new Uint8Array(),
      ),
    );
    assert.deepEqual(pool.pool, [{ denom: "stake", amount: decFromString("20").toString() }]);
    const events = ctx.events.filter((e) => e.type === "commission" || e.type === "rewards").map(attrs);
    assert.deepEqual(events[0], { amount: "24.500000000000000000stake", validator: valoper(1) });
    assert.deepEqual(events[1], { amount: "245.000000000000000000stake", validator: valoper(1) });
    assert.deepEqual(await f.invariants(), []);
  });

  it("with no vote power everything goes to the community pool", async () => {
    const f = await fixture();
    await f.base.bank.mint(f.store, moduleAddress(FEE_COLLECTOR), [{ denom: "stake", amount: 7n }]);
    await f.module.beginBlock!(f.ctx(5), {
      proposer: cons(1),
      lastCommit: { round: 0, votes: [] },
      misbehavior: [],
    });
    assert.deepEqual(await f.keeper.communityPool(f.store), [
      { denom: "stake", atomics: decFromString("7") },
    ]);
    assert.deepEqual(await f.invariants(), []);
  });

  it("truncates each validator's share and leaves the dust to the community pool", async () => {
    const f = await fixture();
    for (const i of [1, 2, 3]) await f.staking.createValidator(f.ctx(1), addr(i), pubKey(i), 1_000_000n, 0n);
    await f.base.bank.mint(f.store, moduleAddress(FEE_COLLECTOR), [{ denom: "stake", amount: 10n }]);
    const votes = [1, 2, 3].map((i) => ({ address: cons(i), power: 1n, signed: true }));
    await f.module.beginBlock!(f.ctx(2), {
      proposer: cons(1),
      lastCommit: { round: 0, votes },
      misbehavior: [],
    });
    // 9.8 × 0.333333333333333333 = 3.266666666666666663 each (truncated twice), the rest is the pool's.
    const each = decFromString("3.266666666666666663");
    assert.deepEqual(await f.keeper.communityPool(f.store), [
      { denom: "stake", atomics: decFromString("10") - 3n * each },
    ]);
    assert.deepEqual(await f.invariants(), []);
  });
});
