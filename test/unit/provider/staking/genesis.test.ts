import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MsgUpdateParams } from "cosmjs-types/cosmos/staking/v1beta1/tx";
import { bech32Address, moduleAddress } from "../../../../app/index.ts";
import { DEFAULT_STAKING_PARAMS, paramsToJson } from "../../../../provider/staking/index.ts";
import { registry } from "../../../support/txSigner.ts";
import { signTx, testAccount } from "../helpers.ts";
import {
  consKey,
  createValidatorMsg,
  delegateMsg,
  expectFailure,
  STAKE,
  StakingHarness,
  undelegateMsg,
  valoper,
} from "./harness.ts";

describe("staking: genesis, params, cancel unbonding", () => {
  it("gen_txs create the initial validator set returned by InitChain", async () => {
    const genTxs: string[] = [];
    for (let i = 0; i < 2; i++) {
      const acc = await testAccount(i);
      const tx = await signTx(acc, [createValidatorMsg(acc, i, BigInt(5 + i) * STAKE)], {
        sequence: 0n,
        fee: [],
        // Genesis transactions are signed with account number 0, as the SDK's DeliverGenTxs checks them.
        accountNumber: 0n,
      });
      genTxs.push(Buffer.from(tx).toString("base64"));
    }
    const h = await StakingHarness.create({ genTxs });
    assert.deepEqual(
      [...h.chain.genesisValidators].sort((a, b) => Number(a.power - b.power)),
      [
        { pubKey: consKey(0), power: 5n },
        { pubKey: consKey(1), power: 6n },
      ],
    );
    assert.equal(await h.keeper.lastTotalPower(h.store), 11n);
    // The first block has nothing to change.
    await h.block();
    assert.deepEqual(h.lastUpdates, []);
  });

  it("default params without app_state.staking; JSON round trip", async () => {
    assert.deepEqual(paramsToJson(DEFAULT_STAKING_PARAMS), {
      unbonding_time: "1814400s",
      max_validators: 100,
      max_entries: 7,
      historical_entries: 10000,
      bond_denom: "stake",
      min_commission_rate: "0.000000000000000000",
    });
  });

  it("MsgUpdateParams: only the gov module account; params are validated", async () => {
    // The CosmJS default registry lacks MsgUpdateParams.
    registry.register("/cosmos.staking.v1beta1.MsgUpdateParams", MsgUpdateParams);
    const h = await StakingHarness.create();
    const a = h.acc(0);
    const gov = bech32Address(moduleAddress("gov"), "cosmos");
    const params = { ...(await h.keeper.params(h.store)) };
    const msg = (authority: string, maxValidators: number) => ({
      typeUrl: "/cosmos.staking.v1beta1.MsgUpdateParams",
      value: MsgUpdateParams.fromPartial({
        authority,
        params: {
          unbondingTime: { seconds: 20n, nanos: 0 },
          maxValidators,
          maxEntries: params.maxEntries,
          historicalEntries: params.historicalEntries,
          bondDenom: "stake",
          minCommissionRate: "0",
        },
      }),
    });
    await expectFailure(
      h,
      a,
      [msg(a.address, 5)],
      "gov",
      13,
      `invalid authority; expected ${gov}, got ${a.address}`,
    );
    const route = h.module.msgs!.find((r) => r.typeUrl === "/cosmos.staking.v1beta1.MsgUpdateParams")!;
    const ctx = h.nextBlockContext();
    const bad = route.decode(MsgUpdateParams.encode(msg(gov, 0).value).finish(), "cosmos");
    assert.equal(bad.signer, gov);
    await assert.rejects(route.handle(ctx, bad.msg), /max validators must be positive/);
    const good = route.decode(MsgUpdateParams.encode(msg(gov, 5).value).finish(), "cosmos");
    await route.handle(ctx, good.msg);
    await h.block(ctx.block.time);
    const p = await h.keeper.params(h.store);
    assert.equal(p.maxValidators, 5);
    assert.equal(p.unbondingTime, 20_000_000_000n);
  });

  it("MsgCancelUnbondingDelegation delegates an unbonding entry back", async () => {
    const h = await StakingHarness.create();
    const [a, b] = [h.acc(0), h.acc(1)];
    await h.ok(a, [createValidatorMsg(a, 0, 10n * STAKE)]);
    await h.ok(b, [delegateMsg(b, a, 5n * STAKE)]);
    await h.ok(b, [undelegateMsg(b, a, 3n * STAKE)]);
    const height = BigInt(h.chain.height);
    const cancel = (amount: bigint, creationHeight: bigint) => ({
      typeUrl: "/cosmos.staking.v1beta1.MsgCancelUnbondingDelegation",
      value: {
        delegatorAddress: b.address,
        validatorAddress: valoper(a),
        amount: { denom: "stake", amount: `${amount}` },
        creationHeight,
      },
    });
    await expectFailure(
      h,
      b,
      [cancel(STAKE, height + 5n)],
      "sdk",
      38,
      "unbonding delegation entry is not found",
    );
    await expectFailure(
      h,
      b,
      [cancel(4n * STAKE, height)],
      "sdk",
      18,
      "amount is greater than the unbonding delegation entry balance",
    );
    await h.ok(b, [cancel(STAKE, height)]);
    assert.deepEqual(
      h.lastUpdates.map((u) => u.power),
      [13n],
    );
    const ubd = await h.keeper.getUnbondingDelegation(h.store, h.operator(b), h.operator(a));
    assert.equal(ubd?.entries[0]?.balance, 2n * STAKE);
    assert.equal(
      (await h.keeper.getDelegation(h.store, h.operator(b), h.operator(a)))?.shares,
      3n * STAKE * 10n ** 18n,
    );
    await h.ok(b, [cancel(2n * STAKE, height)]);
    assert.equal(await h.keeper.getUnbondingDelegation(h.store, h.operator(b), h.operator(a)), undefined);
  });
});
