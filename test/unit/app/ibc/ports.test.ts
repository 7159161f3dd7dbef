import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { AppModule, IbcAppFactory, IbcKeeper } from "../../../../app/index.ts";
import {
  type ChannelEnd,
  nextSequenceRecvKey,
  type Packet,
  packetCommitmentKey,
} from "../../../../ibc/index.ts";
import { fromBase64, fromUtf8, uint64Be, utf8 } from "../../../../utils/index.ts";
import {
  acksOf,
  eventsOf,
  type IbcTestChain,
  recvMsg,
  relayAck,
  setupChains,
  T,
  timeoutMsg,
  updateClient,
} from "./twoChains.ts";

const PORT = "mock";
const A_END = "channel-5";
const B_END = "channel-6";

/** What a mock application bound to "mock" saw. */
interface Seen {
  received: string[];
  acked: string[];
  timedOut: bigint[];
  closed: string[];
}

function mockApp(seen: Seen): IbcAppFactory {
  return () => ({
    async onRecvPacket(p: Packet) {
      seen.received.push(fromUtf8(p.data));
      return utf8(`ok:${fromUtf8(p.data)}`);
    },
    async onAcknowledgementPacket(_p: Packet, ack: Uint8Array) {
      seen.acked.push(fromUtf8(ack));
    },
    async onTimeoutPacket(p: Packet) {
      seen.timedOut.push(p.sequence);
    },
    async onChanClose(c: ChannelEnd) {
      seen.closed.push(`${c.portId}/${c.channelId}`);
    },
  });
}

/** A module that sends queued payloads on the mock channel from its end block, through the keeper. */
function senderModule(queue: { data: string; timeoutHeight: bigint }[]) {
  return (k: IbcKeeper): AppModule[] => [
    {
      name: "sender",
      async endBlock(ctx) {
        for (const q of queue.splice(0)) {
          await k.sendPacket(ctx, {
            port: PORT,
            channel: A_END,
            data: utf8(q.data),
            timeoutHeight: q.timeoutHeight,
            timeoutTimestamp: 0n,
          });
        }
        return [];
      },
    },
  ];
}

async function sentPackets(a: IbcTestChain): Promise<Packet[]> {
  const raw = await a.query(
    "/icsd.ibc.v1.Query/SentPackets",
    utf8(JSON.stringify({ port_id: PORT, channel_id: A_END })),
  );
  const body = JSON.parse(fromUtf8(raw)) as { packets: Record<string, string>[] };
  return body.packets.map((p) => ({
    sequence: BigInt(p.sequence!),
    sourcePort: p.source_port!,
    sourceChannel: p.source_channel!,
    destPort: p.destination_port!,
    destChannel: p.destination_channel!,
    data: fromBase64(p.data!),
    timeoutHeight: BigInt(p.timeout_height!),
    timeoutTimestamp: BigInt(p.timeout_timestamp!),
  }));
}

const mockChannel = (channel: string, counterparty: string) => ({
  port_id: PORT,
  channel_id: channel,
  counterparty_port_id: PORT,
  counterparty_channel_id: counterparty,
  client_id: "07-icsd-0",
  ordering: "ordered",
  version: "mock-1",
});

describe("ibc module: applications bound through opts.apps, packets sent by modules", () => {
  it("delivers in order on an ordered channel, and closes it on a timeout", T, async () => {
    const seenA: Seen = { received: [], acked: [], timedOut: [], closed: [] };
    const seenB: Seen = { received: [], acked: [], timedOut: [], closed: [] };
    const queue: { data: string; timeoutHeight: bigint }[] = [];
    const { a, b, relayer } = await setupChains(
      { a: { [PORT]: mockApp(seenA) }, b: { [PORT]: mockApp(seenB) } },
      { a: [mockChannel(A_END, B_END)], b: [mockChannel(B_END, A_END)] },
      { a: senderModule(queue) },
    );

    queue.push({ data: "one", timeoutHeight: 100n }, { data: "two", timeoutHeight: b.height + 3n });
    await a.block();
    const [p1, p2] = await sentPackets(a);
    assert.equal(p1!.sequence, 1n);
    assert.equal(p2!.sequence, 2n);

    // Sequence 2 before 1 is out of order on an ordered channel.
    const proofHeight = await updateClient(b, a, relayer);
    const proof1 = (await a.prove(packetCommitmentKey(PORT, A_END, 1n), proofHeight - 1n)).proof;
    const proof2 = (await a.prove(packetCommitmentKey(PORT, A_END, 2n), proofHeight - 1n)).proof;
    const skip = await b.tx(relayer, [recvMsg(relayer.address, p2!, proof2, proofHeight)]);
    assert.match(skip.log, /IBC_PACKET_OUT_OF_ORDER/);

    const r1 = await b.ok(relayer, [recvMsg(relayer.address, p1!, proof1, proofHeight)]);
    assert.equal(eventsOf(r1.events, "recv_packet")[0]!.packet_channel_ordering, "ORDER_ORDERED");
    assert.deepEqual(seenB.received, ["one"]);
    const ack1 = acksOf(r1)[0]!;
    assert.equal(fromUtf8(ack1), "ok:one");
    // The ack bytes are in state for relayers.
    const acks = JSON.parse(
      fromUtf8(
        await b.query(
          "/icsd.ibc.v1.Query/Acknowledgements",
          utf8(JSON.stringify({ port_id: PORT, channel_id: B_END, sequences: ["2", "1"] })),
        ),
      ),
    );
    assert.deepEqual(acks, {
      acknowledgements: [{ sequence: "1", acknowledgement: Buffer.from("ok:one").toString("base64") }],
    });
    assert.equal((await relayAck(a, b, p1!, ack1, relayer)).code, 0);
    assert.deepEqual(seenA.acked, ["ok:one"]);
    assert.deepEqual(
      (await sentPackets(a)).map((p) => p.sequence),
      [2n],
    );

    // Sequence 2 times out on B: A proves B's nextSequenceRecv (2 <= 2) and the channel closes.
    while (b.height + 1n < p2!.timeoutHeight) await b.block();
    const h = await updateClient(a, b, relayer);
    const { proof, value } = await b.prove(nextSequenceRecvKey(PORT, B_END), h - 1n);
    assert.deepEqual(value, uint64Be(2n));
    const t = await a.ok(relayer, [timeoutMsg(relayer.address, p2!, proof, h, 2n)]);
    assert.equal(eventsOf(t.events, "timeout_packet").length, 1);
    assert.deepEqual(eventsOf(t.events, "channel_close_confirm")[0]!.channel_id, A_END);
    assert.deepEqual(seenA.timedOut, [2n]);
    assert.deepEqual(seenA.closed, [`${PORT}/${A_END}`]);
    assert.deepEqual(await sentPackets(a), []);

    // A closed channel sends nothing: the module's sendPacket is refused with the library's code.
    queue.push({ data: "three", timeoutHeight: 1000n });
    await assert.rejects(a.block(), /IBC_CHANNEL_NOT_OPEN/);
  });
});
