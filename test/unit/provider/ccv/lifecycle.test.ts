import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { bech32Address, moduleAddress } from "../../../../app/index.ts";
import { decodeVscPacket, PROVIDER_PORT } from "../../../../ibc/ccv/wire.ts";
import { getChannel, getClientState, sentPackets } from "../../../../ibc/index.ts";
import {
  consumerKeyJson,
  MsgAssignConsumerKeyCodec,
  MsgOptOutCodec,
  MsgRemoveConsumerCodec,
  MsgUpdateConsumerCodec,
} from "../../../../provider/ccv/index.ts";
import { consAddress } from "../../../../provider/staking/types.ts";
import { toBase64 } from "../../../../utils/index.ts";
import { consumerIdOf, edKey, ProviderNet, SECOND, STAKE } from "./fixture.ts";

type Chain = {
  phase: string;
  owner_address: string;
  channel_id: string;
  client_id: string;
  launch_time: string | null;
  removal_time: string | null;
};

const assign = (net: ProviderNet, i: number, id: string, key: Uint8Array) => ({
  typeUrl: MsgAssignConsumerKeyCodec.typeUrl,
  value: {
    providerAddr: net.vals[i]!.valoper,
    consumerKey: consumerKeyJson(key),
    signer: net.vals[i]!.account.address,
    consumerId: id,
  },
});

describe("provider module: consumer lifecycle", () => {
  it("MsgCreateConsumer numbers consumers from 0, makes the submitter owner, REGISTERED or INITIALIZED", async () => {
    const net = await ProviderNet.create();
    const r0 = await net.ok(net.owner, [net.createMsg()]);
    const r1 = await net.ok(net.owner, [net.createMsg({}, 10n * SECOND)]);
    assert.equal(consumerIdOf(r0), "0");
    assert.equal(consumerIdOf(r1), "1");
    const c0 = await net.query<Chain>("ConsumerChain", { consumer_id: "0" });
    assert.equal(c0.phase, "CONSUMER_PHASE_REGISTERED");
    assert.equal(c0.owner_address, net.owner.address);
    const c1 = await net.query<Chain>("ConsumerChain", { consumer_id: "1" });
    assert.equal(c1.phase, "CONSUMER_PHASE_INITIALIZED");
    const all = await net.query<{ chains: Chain[] }>("ConsumerChains", {
      phase: "CONSUMER_PHASE_INITIALIZED",
    });
    assert.equal(all.chains.length, 1);
  });

  it("MsgCreateConsumer with top_N > 0 is refused (provider 41)", async () => {
    const net = await ProviderNet.create();
    const r = await net.tx(net.owner, [
      net.createMsg({
        powerShapingParameters: {
          topN: 60,
          validatorsPowerCap: 0,
          validatorSetCap: 0,
          allowlist: [],
          denylist: [],
          minStake: 0n,
          allowInactiveVals: false,
          prioritylist: [],
        },
      }),
    ]);
    assert.equal(r.codespace, "provider");
    assert.equal(r.code, 41);
  });

  it("launches at spawn time with the opted-in set: client, two channels, consumer genesis", async () => {
    const net = await ProviderNet.create();
    const id = await net.launch([0, 2]);
    const c = await net.query<Chain>("ConsumerChain", { consumer_id: id });
    assert.equal(c.channel_id, "channel-0");
    assert.equal(c.client_id, "07-icsd-0");
    // Times in RFC 3339, as consumer.json takes them; unset ones are null.
    assert.match(c.launch_time ?? "", /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    assert.equal(c.removal_time, null);
    const ccv = await getChannel(net.store, PROVIDER_PORT, "channel-0");
    assert.equal(ccv?.state, "OPEN");
    assert.equal(ccv?.ordering, "ordered");
    assert.equal(ccv?.counterpartyChannelId, "channel-0");
    const tr = await getChannel(net.store, "transfer", "channel-1");
    assert.equal(tr?.ordering, "unordered");
    assert.equal(tr?.counterpartyChannelId, "channel-1");
    const cs = await getClientState(net.store, "07-icsd-0");
    assert.equal(cs?.chainId, "consumer-1");
    assert.equal(cs?.trustingPeriod, 33n * SECOND); // 50 s × 0.66
    const g = await net.query<{
      params: Record<string, unknown>;
      provider: {
        initial_val_set: { pub_key: { ed25519: string }; power: string }[];
        client_state: Record<string, string>;
      };
      ccv_channel: Record<string, string>;
      new_chain: boolean;
    }>("ConsumerGenesis", { consumer_id: id });
    assert.deepEqual(
      g.provider.initial_val_set.map((v) => [v.pub_key.ed25519, v.power]).sort(),
      [
        [toBase64(net.vals[0]!.pubKey), "30"],
        [toBase64(net.vals[2]!.pubKey), "10"],
      ].sort(),
    );
    assert.equal(g.params.consumer_id, id);
    assert.equal(g.params.signed_blocks_window, "10");
    assert.equal(g.params.downtime_jail_duration, "10s");
    assert.equal(
      g.params.provider_fee_pool_addr_str,
      bech32Address(moduleAddress("consumer_rewards_pool"), "cosmos"),
    );
    assert.equal(g.provider.client_state.chain_id, "unit-1");
    assert.equal(g.provider.client_state.unbonding_period, String(100n * SECOND));
    assert.deepEqual(g.ccv_channel, {
      consumer_client_id: "07-icsd-0",
      consumer_channel_id: "channel-0",
      provider_client_id: "07-icsd-0",
      provider_channel_id: "channel-0",
      consumer_transfer_channel_id: "channel-1",
      provider_transfer_channel_id: "channel-1",
    });
    const vals = await net.query<{ validators: { provider_address: string; power: string }[] }>(
      "ConsumerValidators",
      {
        consumer_id: id,
      },
    );
    assert.equal(vals.validators.length, 2);
  });

  it("a launch with nobody opted in goes back to REGISTERED", async () => {
    const net = await ProviderNet.create();
    await net.ok(net.owner, [net.createMsg({}, 2n * SECOND)]);
    for (let i = 0; i < 4; i++) await net.block();
    const c = await net.query<Chain>("ConsumerChain", { consumer_id: "0" });
    assert.equal(c.phase, "CONSUMER_PHASE_REGISTERED");
  });

  it("epochs send a VSC packet with the power change on the CCV channel", async () => {
    const net = await ProviderNet.create();
    const id = await net.launch([0, 1]);
    await net.untilHeightMultipleOf(2);
    // The first epoch after launch sends a packet even without a change: it establishes CCV on the
    // consumer (docs/provider-ccv.md, "A first VSC packet right after launch").
    const first = await sentPackets(net.store, PROVIDER_PORT, "channel-0");
    assert.equal(first.length, 1, "the first epoch sends one packet");
    assert.deepEqual(decodeVscPacket(first[0]!.data).validatorUpdates, []);
    await net.untilHeightMultipleOf(2);
    assert.equal(
      (await sentPackets(net.store, PROVIDER_PORT, "channel-0")).length,
      1,
      "no change, no packet",
    );
    // Validator 1 gets 5 more power.
    await net.ok(net.owner, [
      {
        typeUrl: "/cosmos.staking.v1beta1.MsgDelegate",
        value: {
          delegatorAddress: net.owner.address,
          validatorAddress: net.vals[1]!.valoper,
          amount: { denom: "stake", amount: String(5n * STAKE) },
        },
      },
    ]);
    await net.untilHeightMultipleOf(2);
    await net.untilHeightMultipleOf(2);
    const sent = await sentPackets(net.store, PROVIDER_PORT, "channel-0");
    assert.equal(sent.length, 2);
    const data = decodeVscPacket(sent[1]!.data);
    assert.deepEqual(data.validatorUpdates, [{ pubKey: net.vals[1]!.pubKey, power: 25n }]);
    assert.ok(sent[1]!.timeoutTimestamp > net.chain.time);
    assert.equal((await net.provider.pendingPackets(net.store, BigInt(id))).length, 0);
  });

  it("key assignment: refused for another validator's key and the own key; old key kept until unbonding", async () => {
    const net = await ProviderNet.create();
    const r = await net.ok(net.owner, [net.createMsg({}, 20n * SECOND)]);
    const id = consumerIdOf(r);
    const other = await net.tx(net.vals[0]!.account, [assign(net, 0, id, net.vals[1]!.pubKey)]);
    assert.equal(other.code, 10);
    const own = await net.tx(net.vals[0]!.account, [assign(net, 0, id, net.vals[0]!.pubKey)]);
    assert.equal(own.code, 11);
    const k1 = edKey("consumer-key-1");
    const k2 = edKey("consumer-key-2");
    await net.ok(net.vals[0]!.account, [assign(net, 0, id, k1)]);
    // Before launch the replaced key is forgotten at once.
    await net.ok(net.vals[0]!.account, [assign(net, 0, id, k2)]);
    assert.deepEqual(await net.provider.providerAddrOf(net.store, 0n, consAddress(k1)), consAddress(k1));
    // The same key again is "in use".
    assert.equal((await net.tx(net.vals[0]!.account, [assign(net, 0, id, k2)])).code, 10);
    await net.ok(net.vals[0]!.account, [net.optIn(net.vals[0]!, id)]);
    while (
      (await net.query<Chain>("ConsumerChain", { consumer_id: id })).phase !== "CONSUMER_PHASE_LAUNCHED"
    ) {
      await net.block();
      assert.ok(net.chain.height < 50, "consumer did not launch");
    }
    const g = await net.query<{ provider: { initial_val_set: { pub_key: { ed25519: string } }[] } }>(
      "ConsumerGenesis",
      { consumer_id: id },
    );
    assert.equal(g.provider.initial_val_set[0]!.pub_key.ed25519, toBase64(k2));
    // After launch: reassigning back to the provider key is allowed, and k2 still maps for 100 s.
    await net.ok(net.vals[0]!.account, [assign(net, 0, id, net.vals[0]!.pubKey)]);
    assert.deepEqual(
      await net.provider.providerAddrOf(net.store, 0n, consAddress(k2)),
      net.vals[0]!.consAddr,
    );
    const q = await net.query<{ provider_address: string }>("ValidatorProviderAddr", {
      consumer_id: id,
      consumer_address: bech32Address(consAddress(k2), "cosmosvalcons"),
    });
    assert.equal(q.provider_address, net.vals[0]!.valcons);
    await net.block(net.chain.time + 101n * SECOND);
    assert.deepEqual(await net.provider.providerAddrOf(net.store, 0n, consAddress(k2)), consAddress(k2));
  });

  it("MsgOptIn with a consumer key assigns it; MsgOptOut is refused before launch", async () => {
    const net = await ProviderNet.create();
    const id = consumerIdOf(await net.ok(net.owner, [net.createMsg({}, 50n * SECOND)]));
    const key = edKey("opt-in-key");
    await net.ok(net.vals[1]!.account, [net.optIn(net.vals[1]!, id, consumerKeyJson(key))]);
    const q = await net.query<{ consumer_key: string; assigned: boolean }>("ValidatorConsumerKey", {
      consumer_id: id,
      provider_address: net.vals[1]!.valcons,
    });
    assert.equal(q.assigned, true);
    assert.equal(q.consumer_key, consumerKeyJson(key));
    const out = await net.tx(net.vals[1]!.account, [
      {
        typeUrl: MsgOptOutCodec.typeUrl,
        value: { providerAddr: net.vals[1]!.valoper, signer: net.vals[1]!.account.address, consumerId: id },
      },
    ]);
    assert.equal(out.code, 27);
  });

  it("MsgUpdateConsumer: owner only; Top N only when gov owns the chain; new owner", async () => {
    const net = await ProviderNet.create();
    const id = consumerIdOf(await net.ok(net.owner, [net.createMsg()]));
    const upd = (owner: string, over: Record<string, unknown>) => ({
      typeUrl: MsgUpdateConsumerCodec.typeUrl,
      value: MsgUpdateConsumerCodec.fromPartial({ owner, consumerId: id, ...over }),
    });
    const notOwner = await net.tx(net.vals[0]!.account, [
      upd(net.vals[0]!.account.address, { newChainId: "x" }),
    ]);
    assert.equal(notOwner.code, 25);
    const psp = {
      topN: 60,
      validatorsPowerCap: 0,
      validatorSetCap: 0,
      allowlist: [],
      denylist: [],
      minStake: 0n,
      allowInactiveVals: false,
      prioritylist: [],
    };
    const topN = await net.tx(net.owner, [upd(net.owner.address, { powerShapingParameters: psp })]);
    assert.equal(topN.code, 39);
    const gov = bech32Address(moduleAddress("gov"), "cosmos");
    await net.ok(net.owner, [upd(net.owner.address, { newOwnerAddress: gov, powerShapingParameters: psp })]);
    const c = await net.query<Chain & { power_shaping_params: { top_N: number } }>("ConsumerChain", {
      consumer_id: id,
    });
    assert.equal(c.owner_address, gov);
    assert.equal(c.power_shaping_params.top_N, 60);
  });

  it("MsgRemoveConsumer: LAUNCHED only → STOPPED with the channel closed, DELETED after the unbonding period", async () => {
    const net = await ProviderNet.create();
    const notLaunched = consumerIdOf(await net.ok(net.owner, [net.createMsg()]));
    const rm = (id: string) => ({
      typeUrl: MsgRemoveConsumerCodec.typeUrl,
      value: { consumerId: id, owner: net.owner.address },
    });
    assert.equal((await net.tx(net.owner, [rm(notLaunched)])).code, 27);
    const id = await net.launch([0]);
    await net.ok(net.owner, [rm(id)]);
    const c = await net.query<Chain>("ConsumerChain", { consumer_id: id });
    assert.equal(c.phase, "CONSUMER_PHASE_STOPPED");
    assert.match(c.removal_time ?? "", /^\d{4}-\d\d-\d\dT/);
    assert.equal((await getChannel(net.store, PROVIDER_PORT, c.channel_id))?.state, "CLOSED");
    await net.block(net.chain.time + 101n * SECOND);
    const d = await net.query<Chain>("ConsumerChain", { consumer_id: id });
    assert.equal(d.phase, "CONSUMER_PHASE_DELETED");
    assert.equal((await net.provider.consumerValidators(net.store, BigInt(id))).length, 0);
  });
});
