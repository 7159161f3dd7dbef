import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { toBech32 } from "@cosmjs/encoding";
import {
  ccvErrorAck,
  decodeConsumerPacket,
  resultAck,
  SLASH_PACKET_BOUNCED,
  SLASH_PACKET_HANDLED,
} from "../../../ibc/ccv/wire.ts";
import { ChannelState, getChannel } from "../../../ibc/index.ts";
import { toHexUpper } from "../../../utils/index.ts";
import {
  ConsumerTestChain,
  commit,
  consumerGenesis,
  consumerVals,
  eventsOf,
  SECOND,
  sentPackets,
  T,
  vscPacket,
} from "./helpers.ts";

const small = () => consumerGenesis({ signed_blocks_window: "10", min_signed_per_window: "0.5" });

describe("consumer: downtime slash packets and the throttle", () => {
  it(
    "queues one slash packet per outstanding downtime, sends FIFO, pops on handled, retries a bounce after the delay",
    T,
    async () => {
      const c = await ConsumerTestChain.create({ genesis: small() });
      const vals = consumerVals();
      const [x, y] = [vals[0]!, vals[1]!];
      await c.deliver(vscPacket(1n, []), { lastCommit: commit(vals) });
      // x misses from height 2: detected at height 11 (height > start 0 + window 10, missed 10 > 10 − 5).
      let res = await c.block({ lastCommit: commit(vals, [x]) });
      for (let h = 3; h <= 10; h++) {
        res = await c.block({ lastCommit: commit(vals, [x]) });
        assert.equal(eventsOf(res.events, "consumer_slash_request").length, 0, `no slash at ${h}`);
      }
      res = await c.block({ lastCommit: commit(vals, [x]) });
      assert.equal(c.height, 11n);
      const [req] = eventsOf(res.events, "consumer_slash_request");
      assert.deepEqual(req, {
        module: "ccvconsumer",
        validator_address: toHexUpper(x.validator.address),
        power: "10",
        infraction_height: "9",
        valset_update_id: "1",
        infraction: "downtime",
      });
      const [p1] = sentPackets(res.events);
      assert.equal(p1!.sourcePort, "consumer");
      assert.equal(p1!.sourceChannel, "channel-0");
      assert.equal(p1!.destPort, "provider");
      assert.equal(p1!.destChannel, "channel-1");
      assert.equal(p1!.timeoutTimestamp, c.chain.time + 2_419_200n * SECOND);
      const data = decodeConsumerPacket(p1!.data);
      assert.equal(data.type, "slash");
      assert.deepEqual(data.type === "slash" && data.slash.validator.address, x.validator.address);
      assert.equal((await c.query("SlashRecord")).slash_record !== null, true);
      assert.deepEqual(await c.query("SlashRecord"), {
        slash_record: { waiting_on_reply: true, send_time: c.chain.time.toString() },
      });

      // x keeps missing (outstanding: no second packet); y misses from 12 and is detected at 17, queued behind.
      for (let h = 12; h <= 17; h++) res = await c.block({ lastCommit: commit(vals, [x, y]) });
      assert.equal(eventsOf(res.events, "consumer_slash_request").length, 1);
      assert.equal(sentPackets(res.events).length, 0, "waiting on the reply to x's packet");
      let pending = (await c.query("PendingPackets")).packets as Record<string, string>[];
      assert.deepEqual(
        pending.map((p) => p.validator_address),
        [toHexUpper(x.validator.address), toHexUpper(y.validator.address)],
      );

      // Handled: x's packet is popped, y's goes out in the same EndBlock.
      res = await c.ack(p1!, resultAck(SLASH_PACKET_HANDLED));
      const [p2] = sentPackets(res.events);
      assert.equal(p2!.sequence, 2n);
      pending = (await c.query("PendingPackets")).packets as Record<string, string>[];
      assert.deepEqual(
        pending.map((p) => p.validator_address),
        [toHexUpper(y.validator.address)],
      );
      const sent2 = c.chain.time;

      // Bounced: kept at the head, not resent before retry_delay_period (3600 s) has passed.
      res = await c.ack(p2!, resultAck(SLASH_PACKET_BOUNCED));
      assert.equal(sentPackets(res.events).length, 0);
      assert.deepEqual(await c.query("SlashRecord"), {
        slash_record: { waiting_on_reply: false, send_time: sent2.toString() },
      });
      res = await c.block({ time: sent2 + 3600n * SECOND });
      assert.equal(sentPackets(res.events).length, 0, "not strictly after the delay");
      res = await c.block({ time: sent2 + 3601n * SECOND });
      const [p3] = sentPackets(res.events);
      assert.equal(p3!.sequence, 3n);
      assert.deepEqual(p3!.data, p2!.data);
      await c.ack(p3!, resultAck(SLASH_PACKET_HANDLED));
      assert.deepEqual((await c.query("PendingPackets")).packets, []);
      assert.deepEqual(await c.query("SlashRecord"), { slash_record: null });

      // The provider's slash acks clear the flags: x is tracked again.
      assert.equal(await c.keeper.outstandingDowntime(c.store(), x.validator.address), true);
      await c.deliver(
        vscPacket(
          2n,
          [],
          [toBech32("cosmosvalcons", x.validator.address), toBech32("pv", y.validator.address)],
        ),
      );
      assert.equal(await c.keeper.outstandingDowntime(c.store(), x.validator.address), false);
      assert.equal(await c.keeper.outstandingDowntime(c.store(), y.validator.address), false);
    },
  );

  it(
    "closes the channel on an error acknowledgement and keeps producing blocks with the last set",
    T,
    async () => {
      const c = await ConsumerTestChain.create({ genesis: small() });
      const vals = consumerVals();
      await c.deliver(vscPacket(1n, []));
      let res = await c.block({ lastCommit: commit(vals, [vals[0]!]) });
      for (let h = 3; h <= 11; h++) res = await c.block({ lastCommit: commit(vals, [vals[0]!]) });
      const [p] = sentPackets(res.events);
      assert.ok(p);
      res = await c.ack(p, ccvErrorAck("slash packet refused"));
      const [closed] = eventsOf(res.events, "ccv_channel_closed");
      assert.match(closed!.reason!, /error acknowledgement: slash packet refused/);
      assert.equal((await getChannel(c.store(), "consumer", "channel-0"))?.state, ChannelState.closed);
      assert.equal((await c.query("ProviderInfo")).channel_closed, true);
      // Every later block reports it, and the chain runs on.
      res = await c.block({ lastCommit: commit(vals, [vals[1]!]) });
      assert.equal(eventsOf(res.events, "ccv_channel_closed").length, 1);
      assert.equal(res.validatorUpdates.length, 0);
    },
  );

  it("closes the channel when a packet times out", T, async () => {
    const c = await ConsumerTestChain.create({ genesis: small() });
    await c.deliver(vscPacket(1n, []));
    c.during(async (ctx) => c.keeper.ibcApp(ctx).onTimeoutPacket(vscPacket(9n, [])));
    const res = await c.block();
    assert.match(eventsOf(res.events, "ccv_channel_closed")[0]!.reason!, /timed out/);
    assert.equal((await c.query("ProviderInfo")).channel_closed, true);
  });
});
