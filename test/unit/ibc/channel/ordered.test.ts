import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  ChannelOrder,
  getChannel,
  getNextSequence,
  nextSequenceRecvKey,
  sendPacket,
  timeoutPacket,
  unreceivedPackets,
} from "../../../../ibc/index.ts";
import { utf8 } from "../../../../utils/index.ts";
import {
  A_END,
  assertRefused,
  B_END,
  blockTime,
  deliver,
  deliverAck,
  deliverTimeout,
  RecordingApp,
  setupPair,
  type TestChain,
} from "./helpers.ts";

async function sendFromA(
  a: TestChain,
  text: string,
  timeoutHeight = 0n,
  timeoutTimestamp = blockTime(10_000n),
) {
  return sendPacket(a.store, { ...A_END, data: utf8(text), timeoutHeight, timeoutTimestamp }, a.hostTime);
}

describe("ICS-04 ordered channel with real Merkle proofs", () => {
  it("delivers packets exactly once and in order; out-of-order and replayed packets are refused", async () => {
    const { a, b } = await setupPair(ChannelOrder.ordered);
    const appA = new RecordingApp();
    const appB = new RecordingApp();
    const [p1, p2, p3] = [await sendFromA(a, "1"), await sendFromA(a, "2"), await sendFromA(a, "3")];
    await a.commit();

    await assertRefused([b], () => deliver(a, b, p2!, appB), "IBC_PACKET_OUT_OF_ORDER", /expects sequence 1/);
    const ack1 = await deliver(a, b, p1!, appB);
    await assertRefused([b], () => deliver(a, b, p1!, appB), "IBC_PACKET_ALREADY_RECEIVED");
    await assertRefused([b], () => deliver(a, b, p3!, appB), "IBC_PACKET_OUT_OF_ORDER");
    const ack2 = await deliver(a, b, p2!, appB);
    assert.deepEqual(await unreceivedPackets(b.store, B_END.port, B_END.channel, [1n, 2n, 3n]), [3n]);
    const ack3 = await deliver(a, b, p3!, appB);
    await assertRefused([b], () => deliver(a, b, p2!, appB), "IBC_PACKET_ALREADY_RECEIVED");
    assert.deepEqual(
      appB.received.map((p) => p.sequence),
      [1n, 2n, 3n],
    );
    assert.equal(await getNextSequence(b.store, "recv", B_END.port, B_END.channel), 4n);

    // Acknowledgements are processed in order too.
    await assertRefused(
      [a],
      () => deliverAck(a, b, p2!, ack2, appA),
      "IBC_PACKET_OUT_OF_ORDER",
      /expected 1/,
    );
    await deliverAck(a, b, p1!, ack1, appA);
    await deliverAck(a, b, p2!, ack2, appA);
    await deliverAck(a, b, p3!, ack3, appA);
    assert.deepEqual(
      appA.acks.map(([p]) => p.sequence),
      [1n, 2n, 3n],
    );
    assert.equal(await getNextSequence(a.store, "ack", A_END.port, A_END.channel), 4n);
  });

  it("a real timeout closes the channel, calls onChanClose once, and still refunds the later packets", async () => {
    const { a, b } = await setupPair(ChannelOrder.ordered);
    const appA = new RecordingApp();
    const appB = new RecordingApp();
    const p1 = await sendFromA(a, "1", 4n, 0n);
    const p2 = await sendFromA(a, "2", 4n, 0n);
    await a.commit();
    await b.advanceTo(4n);
    await assertRefused([b], () => deliver(a, b, p1, appB), "IBC_PACKET_TIMED_OUT");

    await deliverTimeout(a, b, p1, appA);
    const closed = await getChannel(a.store, A_END.port, A_END.channel);
    assert.equal(closed?.state, "CLOSED");
    assert.equal(appA.closed.length, 1);
    assert.equal(appA.closed[0]!.state, "CLOSED");
    await assertRefused(
      [a],
      () =>
        sendPacket(
          a.store,
          { ...A_END, data: utf8("x"), timeoutHeight: 99n, timeoutTimestamp: 0n },
          a.hostTime,
        ),
      "IBC_CHANNEL_NOT_OPEN",
    );

    // The packet behind it is still timed out (refunded) on the closed channel, without a second close.
    await deliverTimeout(a, b, p2, appA);
    assert.deepEqual(
      appA.timeouts.map((p) => p.sequence),
      [1n, 2n],
    );
    assert.equal(appA.closed.length, 1);
  });

  it("refuses early timeouts, a lying nextSequenceRecv, and timing out a packet that was received", async () => {
    const { a, b } = await setupPair(ChannelOrder.ordered);
    const appA = new RecordingApp();
    const p1 = await sendFromA(a, "1", 6n, 0n);
    const p2 = await sendFromA(a, "2", 6n, 0n);
    await a.commit();
    await assertRefused([a], () => deliverTimeout(a, b, p1, appA), "IBC_TIMEOUT_NOT_REACHED");
    await deliver(a, b, p1, new RecordingApp()); // B: nextSequenceRecv = 2
    await b.advanceTo(7n);

    const h = a.verifier.update(b);
    const proof = await b.prove(nextSequenceRecvKey(B_END.port, B_END.channel), h);
    // The truth (2) is past p1: p1 was received and cannot time out.
    await assertRefused(
      [a],
      () => timeoutPacket(a.store, a.verifier, p1, proof, h, 2n, appA),
      "IBC_TIMEOUT_PACKET_RECEIVED",
      /was received/,
    );
    // A relayer claiming nextSequenceRecv = 1 cannot prove it.
    await assertRefused(
      [a],
      () => timeoutPacket(a.store, a.verifier, p1, proof, h, 1n, appA),
      "IBC_PROOF_INVALID",
    );
    assert.equal(appA.timeouts.length, 0);
    assert.equal((await getChannel(a.store, A_END.port, A_END.channel))?.state, "OPEN");

    // p2 genuinely timed out: nextSequenceRecv = 2 <= 2.
    await timeoutPacket(a.store, a.verifier, p2, proof, h, 2n, appA);
    assert.deepEqual(
      appA.timeouts.map((p) => p.sequence),
      [2n],
    );
    assert.equal(appA.closed.length, 1);
  });
});
