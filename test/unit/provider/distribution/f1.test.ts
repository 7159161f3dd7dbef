import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DEC_ONE, decFromInt, decFromString, moduleAddress } from "../../../../app/index.ts";
import { REWARDS_BY_SOURCE_PATH } from "../../../../provider/distribution/index.ts";
import { utf8 } from "../../../../utils/index.ts";
import { addr, cons, fixture, pubKey, rate } from "./fixture.ts";

const V = 1; // the validator (its operator is also delegator A)
const B = 2;
const C = 3;

describe("x/distribution F1 rewards", () => {
  it("two delegators with equal stake get equal halves", async () => {
    const f = await fixture();
    await f.staking.createValidator(f.ctx(1), addr(V), pubKey(V), 100n, 0n);
    await f.staking.delegate(f.ctx(1), addr(B), addr(V), 100n);
    await f.allocate(2, V, 1000n);
    assert.deepEqual(await f.keeper.withdrawDelegationRewards(f.ctx(3), addr(V), addr(V)), [
      { denom: "stake", amount: 500n },
    ]);
    assert.deepEqual(await f.keeper.withdrawDelegationRewards(f.ctx(3), addr(B), addr(V)), [
      { denom: "stake", amount: 500n },
    ]);
    assert.equal(await f.balance(addr(B)), 500n);
    assert.deepEqual(await f.invariants(), []);
  });

  it("unequal stake and commission: commission off the top, the rest pro rata", async () => {
    const f = await fixture();
    await f.staking.createValidator(f.ctx(1), addr(V), pubKey(V), 100n, rate("0.1"));
    await f.staking.delegate(f.ctx(1), addr(B), addr(V), 300n);
    await f.allocate(2, V, 1000n);
    const ctx = f.ctx(3);
    assert.deepEqual(await f.keeper.withdrawDelegationRewards(ctx, addr(B), addr(V)), [
      { denom: "stake", amount: 675n },
    ]);
    const ev = ctx.events.find((e) => e.type === "withdraw_rewards")!;
    assert.deepEqual(
      ev.attributes.map((a) => a.key),
      ["amount", "validator", "delegator"],
    );
    assert.equal(ev.attributes[0]!.value, "675stake");
    assert.deepEqual(await f.keeper.withdrawDelegationRewards(f.ctx(3), addr(V), addr(V)), [
      { denom: "stake", amount: 225n },
    ]);
    assert.deepEqual(await f.keeper.withdrawValidatorCommission(f.ctx(3), addr(V)), [
      { denom: "stake", amount: 100n },
    ]);
    assert.equal(await f.balance(addr(V)), 325n);
    // Nothing left anywhere.
    assert.equal(await f.balance(moduleAddress("distribution")), 0n);
    assert.deepEqual(await f.invariants(), []);
  });

  it("a slash in between: rewards before at the old stake, after at the slashed stake", async () => {
    const f = await fixture();
    await f.staking.createValidator(f.ctx(1), addr(V), pubKey(V), 100_000_000n, 0n);
    await f.staking.delegate(f.ctx(1), addr(B), addr(V), 100_000_000n);
    await f.allocate(2, V, 1000n);
    assert.equal(await f.staking.slash(f.ctx(3), cons(V), 2, 200n, decFromString("0.5")), 100_000_000n);
    assert.deepEqual(await f.invariants(), []);
    await f.allocate(4, V, 1000n);
    // 500 before the slash (100M of 200M) + 500 after (50M of 100M).
    for (const d of [V, B]) {
      assert.deepEqual(await f.keeper.withdrawDelegationRewards(f.ctx(5), addr(d), addr(V)), [
        { denom: "stake", amount: 1000n },
      ]);
    }
    assert.deepEqual(await f.invariants(), []);
    // Query: the slash event is listed (periods 1 and 2 ended when the two delegations were created).
    const { QueryValidatorSlashesRequest, QueryValidatorSlashesResponse } = await import(
      "cosmjs-types/cosmos/distribution/v1beta1/query"
    );
    const res = QueryValidatorSlashesResponse.decode(
      await f.module.queries!["/cosmos.distribution.v1beta1.Query/ValidatorSlashes"]!(
        { store: f.store, height: 5 },
        QueryValidatorSlashesRequest.encode({
          validatorAddress: f.keeper.valoper(addr(V)),
          startingHeight: 0n,
          endingHeight: 10n,
        }).finish(),
      ),
    );
    assert.deepEqual(res.slashes, [{ validatorPeriod: 3n, fraction: decFromString("0.5").toString() }]);
  });

  it("an uneven slash keeps the final stake within the SDK's rounding tolerance", async () => {
    const f = await fixture();
    await f.staking.createValidator(f.ctx(1), addr(V), pubKey(V), 3n, 0n);
    await f.staking.delegate(f.ctx(1), addr(B), addr(V), 7n);
    await f.allocate(2, V, 1000n);
    await f.staking.slash(f.ctx(3), cons(V), 2, 0n, decFromString("0.333333333333333333"));
    await f.allocate(4, V, 999n);
    await f.staking.slash(f.ctx(5), cons(V), 4, 0n, decFromString("0.3"));
    await f.allocate(6, V, 10n);
    let paid = 0n;
    for (const d of [V, B]) {
      for (const c of await f.keeper.withdrawDelegationRewards(f.ctx(7), addr(d), addr(V))) paid += c.amount;
    }
    assert.ok(paid <= 2009n && paid >= 2005n, `paid ${paid}`);
    assert.deepEqual(await f.invariants(), []);
  });

  it("a delegation change in between withdraws first, then earns on the new stake", async () => {
    const f = await fixture();
    await f.staking.createValidator(f.ctx(1), addr(V), pubKey(V), 100n, 0n);
    await f.staking.delegate(f.ctx(1), addr(B), addr(V), 100n);
    await f.allocate(2, V, 1000n);
    // B adds 200: BeforeDelegationSharesModified pays B's 500 first.
    await f.staking.delegate(f.ctx(3), addr(B), addr(V), 200n);
    assert.equal(await f.balance(addr(B)), 500n);
    await f.allocate(4, V, 1000n);
    assert.deepEqual(await f.keeper.withdrawDelegationRewards(f.ctx(5), addr(V), addr(V)), [
      { denom: "stake", amount: 750n },
    ]);
    assert.deepEqual(await f.keeper.withdrawDelegationRewards(f.ctx(5), addr(B), addr(V)), [
      { denom: "stake", amount: 750n },
    ]);
    assert.equal(await f.balance(addr(B)), 1250n);
    // Unbonding everything also withdraws, and the removal pays nothing twice.
    await f.staking.undelegate(f.ctx(6), addr(B), addr(V), decFromInt(300n));
    assert.equal(await f.balance(addr(B)), 1250n);
    assert.deepEqual(await f.invariants(), []);
  });

  it("withdrawals equal the allocation minus truncation dust, which goes to the community pool", async () => {
    const f = await fixture();
    await f.staking.createValidator(f.ctx(1), addr(V), pubKey(V), 100n, 0n);
    await f.staking.delegate(f.ctx(1), addr(B), addr(V), 100n);
    await f.staking.delegate(f.ctx(1), addr(C), addr(V), 100n);
    await f.allocate(2, V, 1000n);
    let paid = 0n;
    for (const d of [V, B, C]) {
      const [coin] = await f.keeper.withdrawDelegationRewards(f.ctx(3), addr(d), addr(V));
      assert.equal(coin!.amount, 333n);
      paid += coin!.amount;
    }
    const pool = (await f.keeper.communityPool(f.store))[0]!.atomics;
    const { getOutstanding } = await import("../../../../provider/distribution/state.ts");
    const left = (await getOutstanding(f.store, addr(V)))[0]?.atomics ?? 0n;
    assert.equal(paid * DEC_ONE + pool + left, 1000n * DEC_ONE);
    assert.ok(pool > 0n && left >= 0n);
    assert.deepEqual(await f.invariants(), []);
  });

  it("keeps rewards per source, pays the sum and reports each source", async () => {
    const f = await fixture();
    await f.staking.createValidator(f.ctx(1), addr(V), pubKey(V), 100n, 0n);
    await f.allocate(2, V, 1000n);
    await f.allocate(2, V, 500n, "consumer-1");
    await f.allocate(2, V, "0.5", "consumer-2");
    await f.allocate(2, V, "0.5", "consumer-3");
    const q = f.module.queries![REWARDS_BY_SOURCE_PATH]!;
    const req = utf8(
      JSON.stringify({
        delegator_address: f.keeper.account(addr(V)),
        validator_address: f.keeper.valoper(addr(V)),
      }),
    );
    const res = JSON.parse(Buffer.from(await q({ store: f.store, height: 3 }, req)).toString());
    assert.deepEqual(res, {
      rewards: [
        { source: "consumer-1", rewards: [{ denom: "stake", amount: "500.000000000000000000" }] },
        { source: "consumer-2", rewards: [{ denom: "stake", amount: "0.500000000000000000" }] },
        { source: "consumer-3", rewards: [{ denom: "stake", amount: "0.500000000000000000" }] },
        { source: "provider", rewards: [{ denom: "stake", amount: "1000.000000000000000000" }] },
      ],
    });
    // The two halves add up to a whole coin: payouts sum sources before truncating.
    assert.deepEqual(await f.keeper.withdrawDelegationRewards(f.ctx(3), addr(V), addr(V)), [
      { denom: "stake", amount: 1501n },
    ]);
    assert.deepEqual(await f.invariants(), []);
  });

  it("removing a validator pays its commission and clears its records", async () => {
    const f = await fixture();
    await f.staking.createValidator(f.ctx(1), addr(V), pubKey(V), 100n, rate("0.15"));
    await f.allocate(2, V, 11n);
    await f.staking.undelegate(f.ctx(3), addr(V), addr(V), decFromInt(100n));
    // 11 × 0.85 = 9.35 → 9 paid, 0.35 to the pool; commission 1.65 → 1 paid on removal, 0.65 to the pool.
    assert.equal(await f.balance(addr(V)), 9n);
    await f.staking.removeValidator(f.ctx(4), addr(V));
    assert.equal(await f.balance(addr(V)), 10n);
    assert.deepEqual(await f.keeper.communityPool(f.store), [
      { denom: "stake", atomics: decFromString("1") },
    ]);
    const { allHistorical, getCurrent } = await import("../../../../provider/distribution/state.ts");
    assert.deepEqual(await allHistorical(f.store), []);
    assert.equal(await getCurrent(f.store, addr(V)), undefined);
    assert.deepEqual(await f.invariants(), []);
  });
});
