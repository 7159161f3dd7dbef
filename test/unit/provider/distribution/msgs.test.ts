import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  QueryDelegationRewardsRequest,
  QueryDelegationTotalRewardsRequest,
  QueryDelegationTotalRewardsResponse,
  QueryDelegatorWithdrawAddressRequest,
  QueryDelegatorWithdrawAddressResponse,
  QueryValidatorDistributionInfoRequest,
  QueryValidatorDistributionInfoResponse,
} from "cosmjs-types/cosmos/distribution/v1beta1/query";
import {
  MsgFundCommunityPool,
  MsgSetWithdrawAddress,
  MsgUpdateParams,
  MsgWithdrawDelegatorReward,
  MsgWithdrawDelegatorRewardResponse,
  MsgWithdrawValidatorCommission,
} from "cosmjs-types/cosmos/distribution/v1beta1/tx";
import type { Any } from "cosmjs-types/google/protobuf/any";
import { decFromString, moduleAddress, type SdkError } from "../../../../app/index.ts";
import { getDistributionParams } from "../../../../provider/distribution/index.ts";
import { addr, type Fixture, fixture, pubKey, rate } from "./fixture.ts";

const V = 1;
const B = 2;
const T = "/cosmos.distribution.v1beta1.";

/** Decodes and runs a message through the module's route, returning the signer and the response. */
async function run(
  f: Fixture,
  height: number,
  typeUrl: string,
  value: Uint8Array,
): Promise<{ signer: string; res: Any }> {
  const route = f.module.msgs!.find((r) => r.typeUrl === typeUrl)!;
  const { signer, msg } = route.decode(value, "cosmos");
  return { signer, res: await route.handle(f.ctx(height), msg) };
}

const withdraw = (f: Fixture, del: number, val: number) =>
  MsgWithdrawDelegatorReward.encode({
    delegatorAddress: f.keeper.account(addr(del)),
    validatorAddress: f.keeper.valoper(addr(val)),
  }).finish();

const is = (codespace: string, code: number) => (e: SdkError) => e.codespace === codespace && e.code === code;

describe("x/distribution messages and queries", () => {
  it("MsgWithdrawDelegatorReward pays to the withdraw address; bad inputs fail as the SDK", async () => {
    const f = await fixture();
    await f.staking.createValidator(f.ctx(1), addr(V), pubKey(V), 100n, rate("0.5"));
    await f.staking.delegate(f.ctx(1), addr(B), addr(V), 100n);
    await f.allocate(2, V, 100n);
    // No delegation: staking's ErrNoDelegation (SDK 0.50 stakingKeeper.Delegation); unknown validator: ErrNoValidatorFound.
    await assert.rejects(run(f, 3, `${T}MsgWithdrawDelegatorReward`, withdraw(f, 9, V)), is("staking", 19));
    await assert.rejects(run(f, 3, `${T}MsgWithdrawDelegatorReward`, withdraw(f, B, 8)), is("staking", 3));
    assert.throws(
      () =>
        f.module
          .msgs!.find((r) => r.typeUrl === `${T}MsgWithdrawDelegatorReward`)!
          .decode(
            MsgWithdrawDelegatorReward.encode({
              delegatorAddress: f.keeper.account(addr(B)),
              validatorAddress: f.keeper.account(addr(V)),
            }).finish(),
            "cosmos",
          ),
      is("sdk", 7),
    );
    // Set a withdraw address, then withdraw.
    const to = addr(5);
    const set = await run(
      f,
      3,
      `${T}MsgSetWithdrawAddress`,
      MsgSetWithdrawAddress.encode({
        delegatorAddress: f.keeper.account(addr(B)),
        withdrawAddress: f.keeper.account(to),
      }).finish(),
    );
    assert.equal(set.signer, f.keeper.account(addr(B)));
    const { signer, res } = await run(f, 3, `${T}MsgWithdrawDelegatorReward`, withdraw(f, B, V));
    assert.equal(signer, f.keeper.account(addr(B)));
    assert.deepEqual(MsgWithdrawDelegatorRewardResponse.decode(res.value).amount, [
      { denom: "stake", amount: "25" },
    ]);
    assert.equal(await f.balance(to), 25n);
    assert.equal(await f.balance(addr(B)), 0n);
    // Nothing new: the SDK reports one zero coin.
    const again = await run(f, 3, `${T}MsgWithdrawDelegatorReward`, withdraw(f, B, V));
    assert.deepEqual(MsgWithdrawDelegatorRewardResponse.decode(again.res.value).amount, [
      { denom: "stake", amount: "0" },
    ]);
    // Queries.
    const q = f.module.queries!;
    const wa = QueryDelegatorWithdrawAddressResponse.decode(
      await q[`/cosmos.distribution.v1beta1.Query/DelegatorWithdrawAddress`]!(
        { store: f.store, height: 3 },
        QueryDelegatorWithdrawAddressRequest.encode({ delegatorAddress: f.keeper.account(addr(B)) }).finish(),
      ),
    );
    assert.equal(wa.withdrawAddress, f.keeper.account(to));
    await assert.rejects(
      q[`/cosmos.distribution.v1beta1.Query/DelegationRewards`]!(
        { store: f.store, height: 3 },
        QueryDelegationRewardsRequest.encode({
          delegatorAddress: f.keeper.account(addr(9)),
          validatorAddress: f.keeper.valoper(addr(V)),
        }).finish(),
      ),
      // A module error in a gRPC query reaches ABCI wrapped as unknown request (sdk 6).
      (e: SdkError) => e.codespace === "sdk" && e.code === 6 && /no delegation/.test(e.message),
    );
    await assert.rejects(
      q[`/cosmos.distribution.v1beta1.Query/DelegationRewards`]!(
        { store: f.store, height: 3 },
        QueryDelegationRewardsRequest.encode({ delegatorAddress: "", validatorAddress: "" }).finish(),
      ),
      is("sdk", 18),
    );
  });

  it("MsgWithdrawValidatorCommission: signed by the operator account, fails when empty", async () => {
    const f = await fixture();
    await f.staking.createValidator(f.ctx(1), addr(V), pubKey(V), 100n, rate("0.1"));
    const msg = MsgWithdrawValidatorCommission.encode({
      validatorAddress: f.keeper.valoper(addr(V)),
    }).finish();
    await assert.rejects(run(f, 2, `${T}MsgWithdrawValidatorCommission`, msg), is("distribution", 7));
    await f.allocate(2, V, 1000n);
    const info = QueryValidatorDistributionInfoResponse.decode(
      await f.module.queries![`/cosmos.distribution.v1beta1.Query/ValidatorDistributionInfo`]!(
        { store: f.store, height: 3 },
        QueryValidatorDistributionInfoRequest.encode({
          validatorAddress: f.keeper.valoper(addr(V)),
        }).finish(),
      ),
    );
    assert.equal(info.operatorAddress, f.keeper.account(addr(V)));
    assert.deepEqual(info.commission, [{ denom: "stake", amount: decFromString("100").toString() }]);
    assert.deepEqual(info.selfBondRewards, [{ denom: "stake", amount: decFromString("900").toString() }]);
    const { signer } = await run(f, 3, `${T}MsgWithdrawValidatorCommission`, msg);
    assert.equal(signer, f.keeper.account(addr(V)));
    assert.equal(await f.balance(addr(V)), 100n);
    const total = QueryDelegationTotalRewardsResponse.decode(
      await f.module.queries![`/cosmos.distribution.v1beta1.Query/DelegationTotalRewards`]!(
        { store: f.store, height: 3 },
        QueryDelegationTotalRewardsRequest.encode({ delegatorAddress: f.keeper.account(addr(V)) }).finish(),
      ),
    );
    assert.deepEqual(total.total, [{ denom: "stake", amount: decFromString("900").toString() }]);
    assert.deepEqual(await f.invariants(), []);
  });

  it("MsgSetWithdrawAddress refuses module accounts and a disabled param", async () => {
    const f = await fixture();
    const set = (to: Uint8Array) =>
      run(
        f,
        1,
        `${T}MsgSetWithdrawAddress`,
        MsgSetWithdrawAddress.encode({
          delegatorAddress: f.keeper.account(addr(B)),
          withdrawAddress: f.keeper.account(to),
        }).finish(),
      );
    await assert.rejects(set(moduleAddress("distribution")), is("sdk", 4));
    const gov = f.keeper.account(moduleAddress("gov"));
    const params = (p: Partial<Record<string, unknown>>) =>
      MsgUpdateParams.encode({
        authority: gov,
        params: {
          communityTax: decFromString("0.02").toString(),
          baseProposerReward: "0",
          bonusProposerReward: "0",
          withdrawAddrEnabled: false,
          ...p,
        },
      }).finish();
    await run(f, 1, `${T}MsgUpdateParams`, params({}));
    assert.equal((await getDistributionParams(f.store)).withdrawAddrEnabled, false);
    await assert.rejects(set(addr(5)), is("distribution", 8));
  });

  it("MsgUpdateParams: gov only, no deprecated fields, a valid tax", async () => {
    const f = await fixture();
    const msg = (authority: string, communityTax: string, base = "0") =>
      MsgUpdateParams.encode({
        authority,
        params: {
          communityTax,
          baseProposerReward: base,
          bonusProposerReward: "0",
          withdrawAddrEnabled: true,
        },
      }).finish();
    const gov = f.keeper.account(moduleAddress("gov"));
    await assert.rejects(
      run(f, 1, `${T}MsgUpdateParams`, msg(f.keeper.account(addr(1)), "0")),
      is("gov", 12),
    );
    await assert.rejects(run(f, 1, `${T}MsgUpdateParams`, msg(gov, "0", "1")), is("sdk", 18));
    await assert.rejects(
      run(f, 1, `${T}MsgUpdateParams`, msg(gov, decFromString("1.5").toString())),
      /community tax too large/,
    );
    await run(f, 1, `${T}MsgUpdateParams`, msg(gov, decFromString("0.5").toString()));
    assert.equal((await getDistributionParams(f.store)).communityTax, decFromString("0.5"));
  });

  it("MsgFundCommunityPool moves the depositor's coins into the pool", async () => {
    const f = await fixture();
    const fund = (amount: string) =>
      run(
        f,
        1,
        `${T}MsgFundCommunityPool`,
        MsgFundCommunityPool.encode({
          depositor: f.keeper.account(addr(B)),
          amount: [{ denom: "stake", amount }],
        }).finish(),
      );
    await assert.rejects(fund("10"), is("sdk", 5));
    await f.base.bank.mint(f.store, addr(B), [{ denom: "stake", amount: 10n }]);
    await fund("10");
    assert.deepEqual(await f.keeper.communityPool(f.store), [
      { denom: "stake", atomics: decFromString("10") },
    ]);
    assert.equal(await f.balance(moduleAddress("distribution")), 10n);
    assert.throws(
      () =>
        f.module
          .msgs!.find((r) => r.typeUrl === `${T}MsgFundCommunityPool`)!
          .decode(
            MsgFundCommunityPool.encode({ depositor: f.keeper.account(addr(B)), amount: [] }).finish(),
            "cosmos",
          ),
      is("sdk", 10),
    );
    assert.deepEqual(await f.invariants(), []);
  });

  it("genesis: params, community pool and withdraw addresses; the module must hold the pool", async () => {
    const f = await fixture();
    const ctx = f.ctx(0);
    await assert.rejects(
      f.module.initGenesis!(ctx, { fee_pool: { community_pool: [{ denom: "stake", amount: "5.5" }] } }),
      /distribution module balance does not match the module holdings/,
    );
    await f.base.bank.mint(f.store, moduleAddress("distribution"), [{ denom: "stake", amount: 5n }]);
    await f.module.initGenesis!(ctx, {
      params: { community_tax: "0.100000000000000000", withdraw_addr_enabled: true },
      fee_pool: { community_pool: [{ denom: "stake", amount: "5.500000000000000000" }] },
      delegator_withdraw_infos: [
        { delegator_address: f.keeper.account(addr(1)), withdraw_address: f.keeper.account(addr(2)) },
      ],
    });
    assert.equal((await getDistributionParams(f.store)).communityTax, decFromString("0.1"));
    assert.deepEqual(await f.keeper.withdrawAddr(f.store, addr(1)), addr(2));
  });
});
