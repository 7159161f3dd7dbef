/**
 * The life of an opt-in consumer with real processes, on one 4-validator provider and one consumer:
 * who validates it (opt-in, opt-out at the next epoch, power shaping by its owner), what its
 * validators and their delegators earn from its fees, and its removal by the owner.
 *
 * Every provider validator runs a consumer node with its provider key; a validator outside the
 * consumer's set runs it as a non-signing member, so the consumer's validator set is only the opted-in
 * keys. Each step keeps at least 2/3 of the consumer's power online.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { sha256 } from "@cosmjs/crypto";
import { toBase64, toBech32, toHex, toUtf8 } from "@cosmjs/encoding";
import { QueryClient, SigningStargateClient, setupIbcExtension } from "@cosmjs/stargate";
import { Comet38Client } from "@cosmjs/tendermint-rpc";
import { State } from "cosmjs-types/ibc/core/channel/v1/channel";
import { addressFromPubKey } from "../../crypto/index.ts";
import * as codec from "../../provider/ccv/codec.ts";
import { user, waitUntil } from "./ibcHarness.ts";
import { IcsNet, registry } from "./icsHarness.ts";

type Json = Record<string, unknown>;
interface Coin {
  readonly denom: string;
  readonly amount: string;
}
interface RewardsSplit {
  readonly base: readonly Coin[];
  readonly consumers: readonly { consumer_id: string; chain_id: string; rewards: readonly Coin[] }[];
}
interface Rewards extends RewardsSplit {
  readonly commission: RewardsSplit;
  readonly totals: readonly {
    consumer_id: string;
    received: readonly Coin[];
    pending: readonly Coin[];
  }[];
}

const BLOCKS_PER_EPOCH = 3;
const hexAddr = (pubKey: Uint8Array) => toHex(addressFromPubKey(pubKey)).toUpperCase();
const valcons = (pubKey: Uint8Array) => toBech32("cosmosvalcons", addressFromPubKey(pubKey));

/** LegacyDec text ("12.5", "3.000000000000000000") or an integer → 18-decimal atomics. */
function atomics(amount: string): bigint {
  const [int, frac = ""] = amount.split(".");
  return BigInt(`${int}${frac.padEnd(18, "0").slice(0, 18)}`);
}

function amountOf(coins: readonly Coin[] | undefined, denom: string): bigint {
  const c = coins?.find((x) => x.denom === denom);
  return c === undefined ? 0n : atomics(c.amount);
}

describe("an opt-in consumer's life: validators, rewards, removal", { timeout: 900_000 }, () => {
  let net: IcsNet;
  let delegator: Awaited<ReturnType<typeof user>>;
  let feePayer: Awaited<ReturnType<typeof user>>;

  before(async () => {
    delegator = await user("ics-life-delegator");
    feePayer = await user("ics-life-fee-payer");
    net = await IcsNet.create({
      validators: 4,
      funded: [delegator.address, feePayer.address],
      // Validators earn consumer rewards after one epoch in its set (the default is 24 epochs).
      providerParams: {
        blocks_per_epoch: String(BLOCKS_PER_EPOCH),
        number_of_epochs_to_start_receiving_rewards: "1",
      },
    });
    await net.launch({ optIn: [0, 1, 2] });
  });

  after(async () => {
    await net?.cleanup();
  });

  /** A provider JSON query at a given height (0: latest). */
  async function providerQueryAt<T>(name: string, req: Json, height: number): Promise<T> {
    const r = await net.provider.rpc<{ response: { code: number; log: string; value?: string } }>(
      net.p0,
      "abci_query",
      {
        path: `/icsd.provider.v1.Query/${name}`,
        data: Buffer.from(JSON.stringify(req)).toString("hex"),
        height: String(height),
      },
    );
    if (r.response.code !== 0) throw new Error(`${name}@${height}: ${r.response.log}`);
    return JSON.parse(Buffer.from(r.response.value ?? "", "base64").toString("utf8")) as T;
  }

  /** The consumer keys (base64) of the set the provider last computed, at `height` (0: latest). */
  async function providerSet(height = 0): Promise<Set<string>> {
    const r = await providerQueryAt<{ validators: { consumer_key: { ed25519: string } }[] }>(
      "ConsumerValidators",
      { consumer_id: net.consumerId },
      height,
    );
    return new Set(r.validators.map((v) => v.consumer_key.ed25519));
  }

  const keyB64 = (i: number) => toBase64(net.providerKey(i));
  const expectedHex = (idx: readonly number[]) => idx.map((i) => hexAddr(net.providerKey(i))).sort();

  async function consumerSetIs(idx: readonly number[]): Promise<boolean> {
    const got = [...(await net.consumerValidators()).keys()].sort();
    return JSON.stringify(got) === JSON.stringify(expectedHex(idx));
  }

  /** The consumer keeps committing blocks: its height moves on by `blocks` on every node. */
  async function consumerAdvances(blocks: number): Promise<void> {
    const h = await net.consumer.height(net.consumer.nodes[0]!);
    await net.consumer.waitForHeight(net.consumer.nodes, h + blocks, 60_000);
  }

  async function operatorTx(i: number, typeUrl: string, extra: Json = {}): Promise<{ height: number }> {
    const op = await net.operator(i);
    const r = await net.tx(op.wallet, [
      {
        typeUrl,
        value: { consumerId: net.consumerId, providerAddr: op.valoper, signer: op.address, ...extra },
      },
    ]);
    return r as unknown as { height: number };
  }

  it("is validated only by the opted-in validators; a non-opted node follows without signing", async () => {
    assert.deepEqual(
      await providerSet(),
      new Set([0, 1, 2].map(keyB64)),
      "provider's ConsumerValidators = the opted-in keys",
    );
    const vals = await net.consumerValidators();
    assert.deepEqual([...vals.keys()].sort(), expectedHex([0, 1, 2]), await net.describe());
    for (const p of vals.values()) assert.equal(p, 100n);
    // Node 3 holds validator 3's key but is not in the set: it follows the chain, its key never signs.
    await consumerAdvances(3);
    const commit = await net.consumer.rpc<{
      signed_header: { commit: { signatures: { validator_address: string }[] } };
    }>(net.consumer.nodes[3]!, "commit");
    const signers = commit.signed_header.commit.signatures.map((s) => s.validator_address.toUpperCase());
    assert.ok(!signers.includes(hexAddr(net.providerKey(3))), "validator 3 must not sign consumer blocks");
  });

  it("drops a validator that opts out at the next epoch boundary, and the consumer follows", async () => {
    const { height } = await operatorTx(2, codec.MsgOptOutCodec.typeUrl, { chainId: "" });
    assert.ok(height > 0, "the opt-out's inclusion height");
    // The set is recomputed in the EndBlock of epoch heights only: it still has validator 2 up to the
    // first epoch boundary at or after the opt-out, and not from there on.
    const boundary = Math.ceil(height / BLOCKS_PER_EPOCH) * BLOCKS_PER_EPOCH;
    await net.provider.waitForHeight([net.p0], boundary, 60_000);
    for (let h = height - 1; h < boundary; h++) {
      assert.ok((await providerSet(h)).has(keyB64(2)), `validator 2 still in the set at height ${h}`);
    }
    assert.deepEqual(await providerSet(boundary), new Set([0, 1].map(keyB64)), `set at ${boundary}`);
    await waitUntil(
      "the consumer to drop validator 2",
      () => consumerSetIs([0, 1]),
      90_000,
      () => net.describe(),
    );
    await consumerAdvances(3);
  });

  it("applies the owner's denylist, prioritylist and validator set cap to the next set", async () => {
    await operatorTx(2, codec.MsgOptInCodec.typeUrl, { consumerKey: "" });
    await operatorTx(3, codec.MsgOptInCodec.typeUrl, { consumerKey: "" });
    await waitUntil(
      "all four opted in validators on the consumer",
      () => consumerSetIs([0, 1, 2, 3]),
      90_000,
      () => net.describe(),
    );
    // Opted in: 0..3. Denied: 1. Prioritized: 0 and 3 (ahead of 2 whatever the tie order). Cap: 2.
    await net.tx(net.owner.wallet, [
      {
        typeUrl: codec.MsgUpdateConsumerCodec.typeUrl,
        value: codec.updateConsumerFromJson(net.owner.address, {
          consumer_id: net.consumerId,
          power_shaping_parameters: {
            top_N: 0,
            validator_set_cap: 2,
            denylist: [valcons(net.providerKey(1))],
            prioritylist: [valcons(net.providerKey(0)), valcons(net.providerKey(3))],
          },
        }),
      },
    ]);
    const rec = await net.providerQuery<{ power_shaping_params: Json }>("ConsumerChain", {
      consumer_id: net.consumerId,
    });
    assert.equal(rec.power_shaping_params.validator_set_cap, 2);
    await waitUntil(
      "the provider to apply the power shaping",
      async () => {
        const s = await providerSet();
        return s.size === 2 && s.has(keyB64(0)) && s.has(keyB64(3));
      },
      60_000,
      () => net.describe(),
    );
    await waitUntil(
      "the consumer to use the shaped set {0, 3}",
      () => consumerSetIs([0, 3]),
      90_000,
      () => net.describe(),
    );
    await consumerAdvances(3);
  });

  it("pays the consumer's fees to its validators and their delegators, apart from base rewards", async () => {
    const ch = net.consumerGenesis.ccv_channel as Json;
    const voucher = `ibc/${toHex(sha256(toUtf8(`transfer/${String(ch.provider_transfer_channel_id)}/stake`))).toUpperCase()}`;
    const op0 = await net.operator(0);
    const op1 = await net.operator(1);
    const rewards = (address: string) => net.providerQuery<Rewards>("Rewards", { address });
    const consumerPart = (r: RewardsSplit) => {
      const c = r.consumers.find((x) => x.consumer_id === net.consumerId);
      return amountOf(c?.rewards, voucher);
    };
    const totals = async () =>
      (await rewards(op0.address)).totals.find((t) => t.consumer_id === net.consumerId);
    const received = async () => amountOf((await totals())?.received, voucher);
    // Credited rewards are paid out in the next provider BeginBlock. Only whole tokens move, so a
    // remainder stays credited: up to ~1.02 tokens (0.98 after the 2 % community tax truncates to 0).
    const distributed = () =>
      waitUntil(
        "the credited consumer rewards to be paid out",
        async () => amountOf((await totals())?.pending, voucher) < 2n * 10n ** 18n,
        30_000,
        async () => JSON.stringify(await totals()),
      );

    // A delegator of validator 0 (in the consumer's set) from now on.
    const dtx = await net.tx(delegator.wallet, [
      {
        typeUrl: "/cosmos.staking.v1beta1.MsgDelegate",
        value: {
          delegatorAddress: delegator.address,
          validatorAddress: op0.valoper,
          amount: { denom: "stake", amount: "5000000" },
        },
      },
    ]);
    const delegatedAt = (dtx as unknown as { height: number }).height;
    await net.provider.waitForHeight([net.p0], (await net.provider.height(net.p0)) + 1, 30_000);
    const v1Before = await rewards(op1.address);

    // Fee-paying transactions on the consumer: 25 % of each fee (consumer_redistribution_fraction 0.75,
    // the provider's share rounded up) goes to the provider every 10 consumer blocks.
    const fee = 400_000n;
    const txs = 3;
    async function payFees(): Promise<void> {
      const client = await SigningStargateClient.connectWithSigner(net.url(net.consumer), feePayer.wallet, {
        registry,
        broadcastPollIntervalMs: 300,
        broadcastTimeoutMs: 30_000,
      });
      try {
        for (let i = 0; i < txs; i++) {
          const r = await client.sendTokens(
            feePayer.address,
            delegator.address,
            [{ denom: "stake", amount: "1" }],
            { amount: [{ denom: "stake", amount: fee.toString() }], gas: "300000" },
          );
          assert.equal(r.code, 0, r.rawLog);
        }
      } finally {
        client.disconnect();
      }
    }
    const providerShare = BigInt(txs) * (fee - (fee * 3n) / 4n) * 10n ** 18n;
    const r0 = await received();
    const earned = (r: Rewards) => consumerPart(r) + consumerPart(r.commission);
    const v0Start = earned(await rewards(op0.address));
    await payFees();
    await waitUntil(
      "the consumer's fees to reach the provider's rewards pool",
      async () => (await received()) >= r0 + providerShare,
      120_000,
      () => net.describe(),
    );

    // Validator 0: its self-delegation and its commission both carry the consumer's voucher, under the
    // consumer, and none of it under base (where the provider's own stake rewards are).
    await distributed();
    const v0 = await rewards(op0.address);
    // Validator 0 holds 105 of the set's 205 power: ~51 % of what reaches validators (98 % after the
    // community tax), as commission plus its self-delegation's share.
    assert.ok(
      (earned(v0) - v0Start) * 100n >= providerShare * 45n,
      `validator 0 earned ${earned(v0) - v0Start} of ${providerShare} atomics: ${JSON.stringify(v0)}`,
    );
    const entry = v0.consumers.find((c) => c.consumer_id === net.consumerId);
    assert.equal(entry?.chain_id, net.consumer.chainId);
    assert.ok(consumerPart(v0) > 0n, `self-delegation rewards from the consumer: ${JSON.stringify(v0)}`);
    assert.ok(consumerPart(v0.commission) > 0n, `commission from the consumer: ${JSON.stringify(v0)}`);
    assert.ok(amountOf(v0.base, "stake") > 0n, `base rewards in stake: ${JSON.stringify(v0.base)}`);
    assert.equal(amountOf(v0.base, voucher), 0n, "consumer rewards are not base rewards");
    assert.equal(amountOf(v0.commission.base, voucher), 0n);
    let d0 = await rewards(delegator.address);
    await waitUntil(
      "the delegator's consumer rewards",
      async () => {
        d0 = await rewards(delegator.address);
        return consumerPart(d0) > 0n;
      },
      15_000,
    ).catch(() => undefined);
    assert.ok(
      consumerPart(d0) > 0n,
      `delegator's consumer rewards (delegated at ${delegatedAt}, now ${await net.provider.height(net.p0)}): ` +
        `${JSON.stringify(d0)}; validator 0: ${JSON.stringify(v0)}`,
    );
    assert.equal(amountOf(d0.base, voucher), 0n);

    // More fees: validator 0 and its delegator earn more; validator 1 (denied, out of the set) nothing.
    const r1 = await received();
    await payFees();
    await waitUntil(
      "the second fees to reach the provider",
      async () => (await received()) >= r1 + providerShare,
      120_000,
      () => net.describe(),
    );
    await distributed();
    await waitUntil(
      "validator 0's and the delegator's consumer rewards to grow",
      async () =>
        consumerPart(await rewards(op0.address)) > consumerPart(v0) &&
        consumerPart(await rewards(delegator.address)) > consumerPart(d0),
      30_000,
    );
    const v1After = await rewards(op1.address);
    assert.equal(consumerPart(v1After), consumerPart(v1Before), "validator 1 is out of the set");
    assert.equal(consumerPart(v1After.commission), consumerPart(v1Before.commission));
  });

  it("removal stops the consumer on the provider, closes both channel ends; the consumer keeps running", async () => {
    const ch = net.consumerGenesis.ccv_channel as Json;
    const providerChannel = String(ch.provider_channel_id);
    await net.tx(net.owner.wallet, [
      {
        typeUrl: codec.MsgRemoveConsumerCodec.typeUrl,
        value: { consumerId: net.consumerId, owner: net.owner.address },
      },
    ]);
    const rec = await net.providerQuery<{ phase: string; removal_time: string }>("ConsumerChain", {
      consumer_id: net.consumerId,
    });
    assert.equal(rec.phase, "CONSUMER_PHASE_STOPPED");
    assert.match(rec.removal_time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    const comet = await Comet38Client.connect(net.url());
    try {
      const q = QueryClient.withExtensions(comet, setupIbcExtension);
      const end = await q.ibc.channel.channel("provider", providerChannel);
      assert.equal(end.channel?.state, State.STATE_CLOSED, "provider CCV channel end closed");
    } finally {
      comet.disconnect();
    }

    // The provider no longer updates the consumer: a power change on the provider (validator 3) is
    // not sent, and the consumer goes on with its last set.
    const lastSet = await net.consumerValidators();
    const op3 = await net.operator(3);
    await net.tx(delegator.wallet, [
      {
        typeUrl: "/cosmos.staking.v1beta1.MsgDelegate",
        value: {
          delegatorAddress: delegator.address,
          validatorAddress: op3.valoper,
          amount: { denom: "stake", amount: "20000000" },
        },
      },
    ]);
    const h = await net.provider.height(net.p0);
    await net.provider.waitForHeight([net.p0], h + 3 * BLOCKS_PER_EPOCH, 60_000);
    await consumerAdvances(5);
    assert.deepEqual(await net.consumerValidators(), lastSet, "the consumer keeps its last validator set");

    // What the consumer knows: the relayer confirms the provider's close on the consumer (ICS-04
    // ChanCloseConfirm), so its CCV end closes and ProviderInfo shows it, while it keeps producing blocks.
    await waitUntil(
      "the consumer to learn that the CCV channel closed",
      async () =>
        (await net.consumerQuery<{ channel_closed: boolean }>("ProviderInfo")).channel_closed === true,
      60_000,
      () => net.describe(),
    );
    const info = await net.consumerQuery<{ channel_closed: boolean; established: boolean }>("ProviderInfo");
    assert.equal(info.established, true);
    assert.equal(info.channel_closed, true);
    const consumerComet = await Comet38Client.connect(net.url(net.consumer));
    try {
      const q = QueryClient.withExtensions(consumerComet, setupIbcExtension);
      const end = await q.ibc.channel.channel("consumer", String(ch.consumer_channel_id));
      assert.equal(end.channel?.state, State.STATE_CLOSED, "consumer CCV channel end closed");
    } finally {
      consumerComet.disconnect();
    }
    await consumerAdvances(3);
    assert.deepEqual(await net.consumerValidators(), lastSet, "the consumer keeps its last validator set");
  });
});
