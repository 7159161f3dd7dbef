import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { decFromString, moduleAddress } from "../../../../app/index.ts";
import { addressFromPubKey } from "../../../../crypto/index.ts";
import { BONDED_POOL, NOT_BONDED_POOL, type StakingHooks } from "../../../../provider/staking/index.ts";
import {
  consKey,
  createValidatorMsg,
  delegateMsg,
  redelegateMsg,
  STAKE,
  StakingHarness,
  undelegateMsg,
} from "./harness.ts";

const supply = (h: StakingHarness) => h.keeper.bank.supplyOf(h.store, "stake");

describe("staking: slash, jail, unjail, hooks", () => {
  it("jail sends power 0 at the next end block; unjail brings the validator back", async () => {
    const h = await StakingHarness.create();
    const [a, b] = [h.acc(0), h.acc(1)];
    await h.ok(a, [createValidatorMsg(a, 0, 10n * STAKE)]);
    await h.ok(b, [createValidatorMsg(b, 1, 20n * STAKE)]);
    const ctx = h.nextBlockContext();
    await h.keeper.jail(ctx, addressFromPubKey(consKey(0)));
    await h.block(ctx.block.time);
    assert.deepEqual(h.lastUpdates, [{ pubKey: consKey(0), power: 0n }]);
    const v = await h.keeper.getValidator(h.store, h.operator(a));
    assert.equal(v?.jailed, true);
    assert.equal(v?.status, "unbonding");
    assert.equal(await h.keeper.bank.balance(h.store, moduleAddress(NOT_BONDED_POOL), "stake"), 10n * STAKE);
    await assert.rejects(
      h.keeper.jail(h.nextBlockContext(), addressFromPubKey(consKey(0))),
      /already jailed/,
    );
    const ctx2 = h.nextBlockContext();
    await h.keeper.unjail(ctx2, addressFromPubKey(consKey(0)));
    await h.block(ctx2.block.time);
    assert.deepEqual(h.lastUpdates, [{ pubKey: consKey(0), power: 10n }]);
    assert.equal((await h.keeper.getValidator(h.store, h.operator(a)))?.status, "bonded");
  });

  it("slash at an earlier height slashes unbonding entries created at/after it, not before", async () => {
    const h = await StakingHarness.create();
    const [a, b] = [h.acc(0), h.acc(1)];
    await h.ok(a, [createValidatorMsg(a, 0, 10n * STAKE)]);
    await h.ok(b, [delegateMsg(b, a, 10n * STAKE)]);
    await h.ok(b, [undelegateMsg(b, a, 2n * STAKE)]); // entry before the infraction
    const infraction = h.chain.height + 1;
    await h.block(); // the infraction height: power 18
    await h.ok(b, [undelegateMsg(b, a, 2n * STAKE)]); // entry after the infraction
    const ubd0 = await h.keeper.getUnbondingDelegation(h.store, h.operator(b), h.operator(a));
    assert.equal(ubd0?.entries.length, 2);
    assert.ok(ubd0!.entries[0]!.creationHeight < infraction);
    assert.ok(ubd0!.entries[1]!.creationHeight > infraction);
    const supply0 = await supply(h);
    const vBefore = await h.keeper.getValidator(h.store, h.operator(a));
    assert.equal(vBefore?.tokens, 16n * STAKE);

    const slashed: bigint[] = [];
    h.keeper.addHooks({ beforeValidatorSlashed: async (_c, _v, f) => void slashed.push(f) });
    const ctx = h.nextBlockContext();
    const fraction = decFromString("0.1");
    const burned = await h.keeper.slash(ctx, addressFromPubKey(consKey(0)), infraction, 18n, fraction);
    await h.block(ctx.block.time);

    const ubd = await h.keeper.getUnbondingDelegation(h.store, h.operator(b), h.operator(a));
    assert.equal(ubd?.entries[0]?.balance, 2n * STAKE); // created before: untouched
    assert.equal(ubd?.entries[1]?.balance, 2n * STAKE - 200_000n); // 10% of 2 STAKE
    // 10% of 18 STAKE = 1.8 STAKE, of which 0.2 came from the unbonding entry.
    assert.equal(burned, 1_600_000n);
    const v = await h.keeper.getValidator(h.store, h.operator(a));
    assert.equal(v?.tokens, 16n * STAKE - 1_600_000n);
    assert.equal(await supply(h), supply0 - 1_800_000n);
    assert.deepEqual(slashed, [decFromString("0.1")]);
    assert.equal(await h.keeper.bank.balance(h.store, moduleAddress(BONDED_POOL), "stake"), v?.tokens);
    // The power update follows at the end block: 14.4 -> 14.
    assert.deepEqual(h.lastUpdates, [{ pubKey: consKey(0), power: 14n }]);
  });

  it("slash reaches a redelegation made after the infraction at its destination", async () => {
    const h = await StakingHarness.create();
    const [a, b, c] = [h.acc(0), h.acc(1), h.acc(2)];
    await h.ok(a, [createValidatorMsg(a, 0, 10n * STAKE)]);
    await h.ok(b, [createValidatorMsg(b, 1, 10n * STAKE)]);
    await h.ok(c, [delegateMsg(c, a, 10n * STAKE)]);
    const infraction = h.chain.height + 1;
    await h.block();
    await h.ok(c, [redelegateMsg(c, a, b, 5n * STAKE)]);
    const ctx = h.nextBlockContext();
    const burned = await h.keeper.slash(
      ctx,
      addressFromPubKey(consKey(0)),
      infraction,
      20n,
      decFromString("0.5"),
    );
    await h.block(ctx.block.time);
    // 50% of the 5 STAKE redelegated is unbonded from b and burned; the rest (10 - 2.5) from a.
    const del = await h.keeper.getDelegation(h.store, h.operator(c), h.operator(b));
    assert.equal(del?.shares, decFromString("2.5") * STAKE);
    assert.equal((await h.keeper.getValidator(h.store, h.operator(b)))?.tokens, 12_500_000n);
    assert.equal(burned, 7_500_000n);
    assert.equal((await h.keeper.getValidator(h.store, h.operator(a)))?.tokens, 15n * STAKE - 7_500_000n);
  });

  it("a future infraction is an error; an unknown validator is a no-op", async () => {
    const h = await StakingHarness.create();
    const a = h.acc(0);
    await h.ok(a, [createValidatorMsg(a, 0, 10n * STAKE)]);
    const ctx = h.nextBlockContext();
    await assert.rejects(
      h.keeper.slash(ctx, addressFromPubKey(consKey(0)), ctx.block.height + 1, 10n, decFromString("0.1")),
      /future infraction/,
    );
    assert.equal(await h.keeper.slash(ctx, new Uint8Array(20), 1, 10n, decFromString("0.1")), 0n);
  });

  it("hooks fire at the SDK's points", async () => {
    const h = await StakingHarness.create();
    const [a, b] = [h.acc(0), h.acc(1)];
    const calls: string[] = [];
    const rec =
      (name: string) =>
      async (..._args: unknown[]): Promise<void> => {
        calls.push(name);
      };
    const hooks: StakingHooks = {
      afterValidatorCreated: rec("afterValidatorCreated"),
      beforeValidatorModified: rec("beforeValidatorModified"),
      afterValidatorRemoved: rec("afterValidatorRemoved"),
      afterValidatorBonded: rec("afterValidatorBonded"),
      afterValidatorBeginUnbonding: rec("afterValidatorBeginUnbonding"),
      beforeDelegationCreated: rec("beforeDelegationCreated"),
      beforeDelegationSharesModified: rec("beforeDelegationSharesModified"),
      beforeDelegationRemoved: rec("beforeDelegationRemoved"),
      afterDelegationModified: rec("afterDelegationModified"),
      beforeValidatorSlashed: rec("beforeValidatorSlashed"),
      afterUnbondingInitiated: rec("afterUnbondingInitiated"),
    };
    h.keeper.addHooks(hooks);
    await h.ok(a, [createValidatorMsg(a, 0, 10n * STAKE)]);
    assert.deepEqual(calls.splice(0), [
      "afterValidatorCreated",
      "beforeDelegationCreated",
      "afterDelegationModified",
      "afterValidatorBonded",
    ]);
    await h.ok(b, [delegateMsg(b, a, STAKE)]);
    await h.ok(b, [delegateMsg(b, a, STAKE)]);
    assert.deepEqual(calls.splice(0), [
      "beforeDelegationCreated",
      "afterDelegationModified",
      "beforeDelegationSharesModified",
      "afterDelegationModified",
    ]);
    await h.ok(b, [undelegateMsg(b, a, 2n * STAKE)]);
    assert.deepEqual(calls.splice(0), [
      "beforeDelegationSharesModified",
      "beforeDelegationRemoved",
      "afterUnbondingInitiated",
    ]);
    await h.ok(a, [undelegateMsg(a, a, 10n * STAKE)]);
    assert.deepEqual(calls.splice(0), [
      "beforeDelegationSharesModified",
      "beforeDelegationRemoved",
      "afterUnbondingInitiated",
      "afterValidatorBeginUnbonding",
      "afterUnbondingInitiated",
    ]);
    const v = await h.keeper.getValidator(h.store, h.operator(a));
    await h.block(v!.unbondingTime);
    assert.deepEqual(calls.splice(0), ["afterValidatorRemoved"]);
  });
});

describe("staking: ICS unbonding holds", () => {
  it("an unbonding delegation on hold completes only when released", async () => {
    const h = await StakingHarness.create();
    const [a, b] = [h.acc(0), h.acc(1)];
    const ids: bigint[] = [];
    await h.ok(a, [createValidatorMsg(a, 0, 10n * STAKE)]);
    await h.ok(b, [delegateMsg(b, a, 5n * STAKE)]);
    h.keeper.addHooks({
      afterUnbondingInitiated: async (ctx, id) => {
        ids.push(id);
        await h.keeper.putUnbondingOnHold(ctx, id);
      },
    });
    const bal0 = await h.balance(b);
    await h.ok(b, [undelegateMsg(b, a, 2n * STAKE)]);
    assert.equal(ids.length, 1);
    const ubd = await h.keeper.getUnbondingDelegation(h.store, h.operator(b), h.operator(a));
    await h.block(ubd!.entries[0]!.completionTime + 1n);
    // Mature but on hold: not paid.
    assert.equal(await h.balance(b), bal0);
    const ctx = h.nextBlockContext();
    await h.keeper.unbondingCanComplete(ctx, ids[0]!);
    await h.block(ctx.block.time);
    assert.equal(await h.balance(b), bal0 + 2n * STAKE);
    assert.equal(await h.keeper.getUnbondingDelegation(h.store, h.operator(b), h.operator(a)), undefined);
    await assert.rejects(
      h.keeper.unbondingCanComplete(h.nextBlockContext(), ids[0]!),
      /unbonding operation not found/,
    );
  });
});
