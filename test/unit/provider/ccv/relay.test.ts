import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  decodeCcvAck,
  encodeConsumerPacket,
  PROVIDER_PORT,
  SLASH_PACKET_BOUNCED,
  SLASH_PACKET_HANDLED,
  V1_RESULT,
} from "../../../../ibc/ccv/wire.ts";
import { getChannel, type Packet } from "../../../../ibc/index.ts";
import { capPowers, diffValidators, minPowerInTopN, ProviderIbcApp } from "../../../../provider/ccv/index.ts";
import type { ConsumerValidator } from "../../../../provider/ccv/state.ts";
import { utf8 } from "../../../../utils/index.ts";
import { ProviderNet, SECOND } from "./fixture.ts";

function packet(data: Uint8Array, seq = 1n): Packet {
  return {
    sequence: seq,
    sourcePort: "consumer",
    sourceChannel: "channel-0",
    destPort: PROVIDER_PORT,
    destChannel: "channel-0",
    data,
    timeoutHeight: 0n,
    timeoutTimestamp: 1n,
  };
}

const slash = (address: Uint8Array, vscId: bigint, infraction: "downtime" | "double_sign" = "downtime") =>
  encodeConsumerPacket({
    type: "slash",
    slash: { validator: { address, power: 10n }, valsetUpdateId: vscId, infraction },
  });

async function recv(net: ProviderNet, data: Uint8Array) {
  const ctx = net.ctx();
  const ack = await new ProviderIbcApp(net.provider, ctx).onRecvPacket(packet(data));
  return { ack: decodeCcvAck(ack), events: ctx.events };
}

describe("provider module: packets from the consumer", () => {
  it("downtime slash: jails through slashing until now + downtime jail, acks with the consumer address", async () => {
    const net = await ProviderNet.create([30n, 20n, 10n], {
      blocks_per_epoch: "2",
      slash_meter_replenish_fraction: "1",
    });
    const id = BigInt(await net.launch([0, 1]));
    const r = await recv(net, slash(net.vals[1]!.consAddr, 0n));
    assert.deepEqual(r.ack, { kind: "result", result: SLASH_PACKET_HANDLED });
    const v = await net.staking.getValidator(net.store, net.vals[1]!.operator);
    assert.equal(v?.jailed, true);
    const info = await net.provider.slashing.getSigningInfo(net.store, net.vals[1]!.consAddr);
    assert.equal(info?.jailedUntil, net.chain.time + 60n * SECOND); // the provider slashing downtime_jail_duration
    assert.deepEqual(await net.provider.slashAcks(net.store, id), [net.vals[1]!.valcons]);
    assert.ok(r.events.some((e) => e.type === "execute_consumer_chain_slash"));
  });

  it("unknown vscId is an error ack; a validator not in the consumer's set is handled with an ack", async () => {
    const net = await ProviderNet.create();
    const id = BigInt(await net.launch([0]));
    const unknown = await recv(net, slash(net.vals[0]!.consAddr, 99n));
    assert.equal(unknown.ack.kind, "error");
    const notInSet = await recv(net, slash(net.vals[2]!.consAddr, 0n));
    assert.deepEqual(notInSet.ack, { kind: "result", result: SLASH_PACKET_HANDLED });
    assert.equal((await net.staking.getValidator(net.store, net.vals[2]!.operator))?.jailed, false);
    assert.deepEqual(await net.provider.slashAcks(net.store, id), [net.vals[2]!.valcons]);
  });

  it("a negative meter bounces; double-sign packets and VSCMatured get V1 results; bad data an error ack", async () => {
    // Allowance = round(0.05 × 60) = 3: the first slash (power 30) drives the meter negative.
    const net = await ProviderNet.create();
    await net.launch([0, 1]);
    assert.deepEqual((await recv(net, slash(net.vals[0]!.consAddr, 0n))).ack, {
      kind: "result",
      result: SLASH_PACKET_HANDLED,
    });
    assert.equal(await net.provider.slashMeter(net.store), 3n - 30n);
    assert.deepEqual((await recv(net, slash(net.vals[1]!.consAddr, 0n))).ack, {
      kind: "result",
      result: SLASH_PACKET_BOUNCED,
    });
    assert.equal((await net.staking.getValidator(net.store, net.vals[1]!.operator))?.jailed, false);
    assert.deepEqual((await recv(net, slash(net.vals[1]!.consAddr, 0n, "double_sign"))).ack, {
      kind: "result",
      result: V1_RESULT,
    });
    const vscm = encodeConsumerPacket({ type: "vsc_matured", valsetUpdateId: 1n });
    assert.deepEqual((await recv(net, vscm)).ack, { kind: "result", result: V1_RESULT });
    assert.equal((await recv(net, utf8("{}"))).ack.kind, "error");
  });

  it("the slash meter refills by the allowance each replenish period, capped at the allowance", async () => {
    const net = await ProviderNet.create([30n, 20n, 10n], {
      blocks_per_epoch: "2",
      slash_meter_replenish_period: "10s",
    });
    await net.launch([0]);
    await recv(net, slash(net.vals[0]!.consAddr, 0n));
    assert.equal(await net.provider.slashMeter(net.store), -27n);
    await net.block(net.chain.time + 11n * SECOND);
    assert.equal(await net.provider.slashMeter(net.store), -24n);
    // Validator 0 is jailed now: the allowance is round(0.05 × 30) = 2 (banker's rounding of 1.5).
    assert.equal(await net.provider.slashMeterAllowance(net.store), 2n);
    for (let i = 0; i < 20; i++) await net.block(net.chain.time + 11n * SECOND);
    assert.equal(await net.provider.slashMeter(net.store), 2n);
  });

  it("a VSC packet timeout stops the consumer", async () => {
    const net = await ProviderNet.create();
    const id = await net.launch([0]);
    const ctx = net.ctx();
    const p = { ...packet(new Uint8Array([1])), sourcePort: PROVIDER_PORT, sourceChannel: "channel-0" };
    await new ProviderIbcApp(net.provider, ctx).onTimeoutPacket(p);
    assert.equal((await net.provider.getConsumer(net.store, id))?.phase, "CONSUMER_PHASE_STOPPED");
    assert.ok(ctx.events.some((e) => e.type === "consumer_stopped"));
    // The packet layer closes the ordered channel itself after a timeout.
    assert.equal((await getChannel(net.store, PROVIDER_PORT, "channel-0"))?.state, "OPEN");
  });
});

const cv = (n: number, power: bigint): ConsumerValidator => ({
  providerConsAddr: Uint8Array.of(n),
  power,
  pubKey: Uint8Array.of(100 + n),
  joinHeight: 1n,
});

describe("provider module: power shaping", () => {
  it("NoMoreThanPercentOfTheSum: [100,1,1,1] at 30% caps at 30 and spreads the rest, keeping the sum", () => {
    const out = capPowers([cv(1, 100n), cv(2, 1n), cv(3, 1n), cv(4, 1n)], 30);
    assert.deepEqual(
      out.map((v) => v.power),
      [30n, 24n, 24n, 25n],
    );
  });

  it("minimum power in the top N%", () => {
    assert.equal(minPowerInTopN([30n, 20n, 10n], 50), 30n);
    assert.equal(minPowerInTopN([30n, 20n, 10n], 51), 20n);
    assert.equal(minPowerInTopN([30n, 20n, 10n], 100), 10n);
  });

  it("the diff removes gone keys, updates changed powers and adds new keys", () => {
    const d = diffValidators([cv(1, 10n), cv(2, 5n)], [cv(2, 6n), cv(3, 1n)]);
    assert.deepEqual(d, [
      { pubKey: Uint8Array.of(101), power: 0n },
      { pubKey: Uint8Array.of(102), power: 6n },
      { pubKey: Uint8Array.of(103), power: 1n },
    ]);
  });
});
