/**
 * Consumer rewards on a real SdkApp ([distribution, staking, ibc, rewards]) over an in-memory tree: the
 * transfer hook credits the memo's (or the channel's) consumer, BeginBlock pays the consumer's set by
 * consumer power after community tax with per-consumer commission, and the Rewards query splits a
 * delegator's pending rewards into base and per-consumer parts.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fromBech32 } from "@cosmjs/encoding";
import type { EncodeObject } from "@cosmjs/proto-signing";
import { PubKey } from "cosmjs-types/cosmos/crypto/ed25519/keys";
import {
  type AppModule,
  bech32Address,
  FEE_COLLECTOR,
  ibcModule,
  moduleAddress,
} from "../../../../app/index.ts";
import { ed25519FromSeed } from "../../../../crypto/index.ts";
import { ChannelOrder, openChannelFromGenesis, type Packet, voucherDenom } from "../../../../ibc/index.ts";
import {
  CONSUMER_REWARDS_POOL_NAME,
  consumerRewardsHook,
  distributeConsumerRewards,
  pendingAllocation,
  REWARDS_QUERY_PATH,
  type RewardsConsumer,
  type RewardsKeepers,
  registerRewardsPool,
  rewardMemoConsumerId,
  rewardsQuery,
} from "../../../../provider/ccv/rewards.ts";
import { distributionModule } from "../../../../provider/distribution/index.ts";
import { consAddress, stakingModule } from "../../../../provider/staking/index.ts";
import { fromUtf8, utf8 } from "../../../../utils/index.ts";
import { fundedAppState, signTx } from "../../../support/txSigner.ts";
import { ModuleTestChain, type TestAccount, testAccount } from "../helpers.ts";
import { chainStore } from "../slashing/setup.ts";

const STAKE = 1_000_000n;
const CONSUMER_CHAIN = "consumer-1";
const TRANSFER_CHANNEL = "channel-1";
const DENOM = voucherDenom(`transfer/${TRANSFER_CHANNEL}/ucon`);

function consPub(i: number): Uint8Array {
  return ed25519FromSeed(utf8(`cons-key-${i}`.padEnd(32, "."))).publicKey;
}

function createValidatorMsg(acc: TestAccount, i: number): EncodeObject {
  return {
    typeUrl: "/cosmos.staking.v1beta1.MsgCreateValidator",
    value: {
      description: { moniker: `val-${i}`, identity: "", website: "", securityContact: "", details: "" },
      commission: {
        rate: "100000000000000000",
        maxRate: "200000000000000000",
        maxChangeRate: "10000000000000000",
      },
      minSelfDelegation: "1",
      delegatorAddress: "",
      validatorAddress: bech32Address(fromBech32(acc.address, 1023).data, "cosmosvaloper"),
      pubkey: {
        typeUrl: "/cosmos.crypto.ed25519.PubKey",
        value: PubKey.encode({ key: consPub(i) }).finish(),
      },
      value: { denom: "stake", amount: (10n * STAKE).toString() },
    },
  };
}

function packet(
  memo: string,
  receiver: string,
  amount: bigint,
  destChannel = TRANSFER_CHANNEL,
): {
  packet: Packet;
  data: { denom: string; amount: string; sender: string; receiver: string; memo: string };
} {
  const data = { denom: "ucon", amount: amount.toString(), sender: "consumer1sender", receiver, memo };
  return {
    packet: {
      sequence: 1n,
      sourcePort: "transfer",
      sourceChannel: "channel-9",
      destPort: "transfer",
      destChannel,
      data: utf8(JSON.stringify(data)),
      timeoutHeight: 0n,
      timeoutTimestamp: 0n,
    },
    data,
  };
}

async function setup() {
  const accounts = await Promise.all([0, 1, 2].map((i) => testAccount(i)));
  const appState = fundedAppState(
    accounts.map((a) => a.address),
    1_000n * STAKE,
  );
  appState.genutil = {
    gen_txs: await Promise.all(
      accounts.map(async (a, i) =>
        Buffer.from(
          await signTx(a, [createValidatorMsg(a, i)], {
            sequence: 0n,
            fee: [],
            gas: 5_000_000n,
            accountNumber: 0n,
          }),
        ).toString("base64"),
      ),
    ),
  };
  const consumer: RewardsConsumer = {
    consumerId: "0",
    chainId: CONSUMER_CHAIN,
    clientId: "07-icsd-0",
    transferChannelId: TRANSFER_CHANNEL,
    rewardDenoms: [],
  };
  const pool = bech32Address(moduleAddress(CONSUMER_REWARDS_POOL_NAME), "cosmos");
  let keepers: RewardsKeepers | undefined;
  // Consumer validators: provider validators 0 (power 10) and 1 (power 30, commission 50% on this consumer).
  const consumers = {
    consumers: async () => [consumer],
    validators: async () => [
      { providerConsAddr: consAddress(consPub(0)), power: 10n, joinHeight: 0n },
      { providerConsAddr: consAddress(consPub(1)), power: 30n, joinHeight: 0n },
    ],
    commissionRate: async (_s: unknown, _id: string, addr: Uint8Array) =>
      Buffer.from(addr).equals(Buffer.from(consAddress(consPub(1)))) ? "0.5" : undefined,
    blocksToStartReceivingRewards: async () => 0n,
  };
  const chain = await ModuleTestChain.create((base) => {
    const s = stakingModule(base);
    const d = distributionModule(base, s.keeper);
    const ibc = ibcModule(base);
    registerRewardsPool(ibc.keeper);
    const k: RewardsKeepers = { consumers, staking: s.keeper, distribution: d.keeper, prefix: "cosmos" };
    keepers = k;
    const hook = consumerRewardsHook(k);
    ibc.keeper.addTransferReceiveHook(hook);
    const rewards: AppModule = {
      name: "rewardstest",
      queries: { [REWARDS_QUERY_PATH]: rewardsQuery(k) },
      async initGenesis(ctx) {
        // The consumer's transfer channel, bound to its client; then 1000 ucon vouchers arrive in the
        // pool (minted as ICS-20 would) and the hook credits them.
        await openChannelFromGenesis(ctx.store, {
          portId: "transfer",
          channelId: TRANSFER_CHANNEL,
          counterpartyPortId: "transfer",
          counterpartyChannelId: "channel-9",
          clientId: consumer.clientId,
          ordering: ChannelOrder.unordered,
          version: "ics20-1",
        });
        await base.bank.mint(ctx.store, moduleAddress(CONSUMER_REWARDS_POOL_NAME), [
          { denom: DENOM, amount: 1000n },
        ]);
        await ibc.keeper
          .transferBank(ctx)
          .setDenomTrace({ path: `transfer/${TRANSFER_CHANNEL}`, baseDenom: "ucon" });
        // Provider fees, paid as base rewards at height 2.
        await base.bank.mint(ctx.store, moduleAddress(FEE_COLLECTOR), [{ denom: "stake", amount: 3000n }]);
        const p = packet("", pool, 1000n);
        await hook(ctx, p.packet, p.data, DENOM);
      },
      beginBlock: (ctx) => distributeConsumerRewards(ctx, k),
    };
    return [d.module, s.module, ibc.module, rewards];
  }, appState);
  if (!keepers) throw new Error("keepers not built");
  return { chain, accounts, keepers, pool };
}

describe("consumer rewards", () => {
  it("reads the consumer id from a reward memo and nothing else", () => {
    assert.equal(rewardMemoConsumerId('{"provider":{"consumerId":"3","chainId":"c","memo":"x"}}'), "3");
    assert.equal(rewardMemoConsumerId("consumer chain rewards distribution"), undefined);
    assert.equal(rewardMemoConsumerId('{"provider":{"consumerId":"x"}}'), undefined);
    assert.equal(rewardMemoConsumerId(""), undefined);
  });

  it("credits the pool's transfers to the channel's consumer, pays its set by power after community tax with per-consumer commission, and splits pending rewards", {
    timeout: 60_000,
  }, async () => {
    const { chain, accounts, keepers } = await setup();
    const store = chainStore(chain);
    assert.deepEqual(await pendingAllocation(store, "0"), [[DENOM, 1000n * 10n ** 18n]]);
    const votes = [0, 1, 2].map((i) => ({ address: consAddress(consPub(i)), power: 10n, signed: true }));
    await chain.block({ lastCommit: { round: 0, votes } });
    // Height 1: nothing distributed yet (BeginBlockRD runs from height 2).
    assert.equal((await pendingAllocation(store, "0")).length, 1);
    await chain.block({ lastCommit: { round: 0, votes } });
    // 2% community tax: 980 to validators (245 to val 0, 735 to val 1), 20 to the community pool.
    assert.deepEqual(await pendingAllocation(store, "0"), []);
    const distr = await keepers.distribution.bank.balance(store, moduleAddress("distribution"), DENOM);
    assert.equal(distr, 1000n);
    assert.equal(
      await keepers.distribution.bank.balance(store, moduleAddress(CONSUMER_REWARDS_POOL_NAME), DENOM),
      0n,
    );
    const pool = await keepers.distribution.communityPool(store);
    assert.deepEqual(
      pool.filter((c) => c.denom === DENOM).map((c) => c.atomics),
      [20n * 10n ** 18n],
    );

    const q = async (address: string) => {
      const r = await chain.query(REWARDS_QUERY_PATH, utf8(JSON.stringify({ address })));
      assert.equal(r.code, 0, r.log);
      return JSON.parse(fromUtf8(r.value));
    };
    // Validator 1 (commission 50% here instead of its 10%): its delegation earns 735 × 0.5.
    const r1 = await q(accounts[1]!.address);
    assert.equal(r1.consumers.length, 1);
    assert.equal(r1.consumers[0].consumer_id, "0");
    assert.deepEqual(r1.consumers[0].rewards, [{ denom: DENOM, amount: "367.500000000000000000" }]);
    // Base rewards (the provider's fees, 3000 × 0.98 / 3 = 980 per validator, 10% commission) stay apart.
    // (F1's period ratios truncate the last digits.)
    assert.equal(r1.base.length, 1);
    assert.equal(r1.base[0].denom, "stake");
    assert.match(r1.base[0].amount, /^881\.9999999999/);
    const valoper1 = bech32Address(fromBech32(accounts[1]!.address, 1023).data, "cosmosvaloper");
    const c1 = await q(valoper1);
    assert.deepEqual(c1.commission.consumers[0].rewards, [
      { denom: DENOM, amount: "367.500000000000000000" },
    ]);
    // Validator 0 with its provider commission (10%): 245 × 0.9.
    const r0 = await q(accounts[0]!.address);
    assert.deepEqual(r0.consumers[0].rewards, [{ denom: DENOM, amount: "220.500000000000000000" }]);
    // Validator 2 is not in the consumer's set.
    const r2 = await q(accounts[2]!.address);
    assert.deepEqual(r2.consumers, []);
    assert.deepEqual(r1.totals[0].received, [{ denom: DENOM, amount: "1000" }]);
    assert.deepEqual(r1.totals[0].paid_to_validators, [{ denom: DENOM, amount: "980" }]);
    assert.deepEqual(r1.totals[0].community_pool, [{ denom: DENOM, amount: "20" }]);
    assert.deepEqual(await chain.app.checkInvariants(), []);
  });

  it("ignores transfers to other receivers and to unknown consumers", { timeout: 60_000 }, async () => {
    const { chain, keepers, pool } = await setup();
    const store = chainStore(chain);
    const hook = consumerRewardsHook(keepers);
    const ctx = {
      store,
      events: [],
      block: { chainId: "unit-1", height: 5, time: 1n },
      runMsg: async () => {
        throw new Error("no");
      },
    };
    const before = await pendingAllocation(store, "0");
    const other = packet("", "cosmos1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqnrql8a", 5n);
    await hook(ctx, other.packet, other.data, DENOM);
    const unknown = packet('{"provider":{"consumerId":"7","chainId":"x","memo":""}}', pool, 5n);
    await hook(ctx, unknown.packet, unknown.data, DENOM);
    const wrongChannel = packet("", pool, 5n, "channel-5");
    await hook(ctx, wrongChannel.packet, wrongChannel.data, DENOM);
    assert.deepEqual(await pendingAllocation(store, "0"), before);
    const memo = packet(
      '{"provider":{"consumerId":"0","chainId":"consumer-1","memo":"r"}}',
      pool,
      5n,
      "channel-5",
    );
    await hook(ctx, memo.packet, memo.data, DENOM);
    assert.deepEqual(await pendingAllocation(store, "0"), [[DENOM, 1005n * 10n ** 18n]]);
  });
});
