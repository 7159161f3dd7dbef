import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  acknowledgePacket,
  getChannel,
  packetAckKey,
  packetCommitmentKey,
  packetCommitments,
  packetReceiptKey,
  recvPacket,
  sendPacket,
  timeoutPacket,
  unreceivedAcks,
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
} from "./helpers.ts";

const FAR = blockTime(1_000_000n);

async function sendFromA(
  a: Awaited<ReturnType<typeof setupPair>>["a"],
  text: string,
  timeoutHeight = 0n,
  timeoutTimestamp = FAR,
) {
  return sendPacket(a.store, { ...A_END, data: utf8(text), timeoutHeight, timeoutTimestamp }, a.hostTime);
}

describe("ICS-04 unordered channel with real Merkle proofs", () => {
  it("delivers every packet exactly once, in any order, and acks clear the sender's commitments", async () => {
    const { a, b } = await setupPair();
    const appA = new RecordingApp();
    const appB = new RecordingApp();
    const packets = [await sendFromA(a, "one"), await sendFromA(a, "two"), await sendFromA(a, "three")];
    assert.deepEqual(
      packets.map((p) => p.sequence),
      [1n, 2n, 3n],
    );
    assert.deepEqual(packets[0]!.destChannel, B_END.channel);
    await a.commit();
    assert.deepEqual(
      (await packetCommitments(a.store, A_END.port, A_END.channel)).map((c) => c.sequence),
      [1n, 2n, 3n],
    );

    const acks = new Map<bigint, Uint8Array>();
    for (const i of [2, 0, 1]) acks.set(packets[i]!.sequence, await deliver(a, b, packets[i]!, appB));
    assert.deepEqual(
      appB.received.map((p) => p.sequence),
      [3n, 1n, 2n],
    );
    assert.equal(new TextDecoder().decode(acks.get(1n)), "ok:one");
    assert.deepEqual(await unreceivedPackets(b.store, B_END.port, B_END.channel, [4n, 2n, 1n, 3n]), [4n]);
    assert.deepEqual(await unreceivedAcks(a.store, A_END.port, A_END.channel, [1n, 2n, 3n]), [1n, 2n, 3n]);

    for (const p of packets) await deliverAck(a, b, p, acks.get(p.sequence)!, appA);
    assert.deepEqual(
      appA.acks.map(([p, ack]) => [p.sequence, new TextDecoder().decode(ack)]),
      [
        [1n, "ok:one"],
        [2n, "ok:two"],
        [3n, "ok:three"],
      ],
    );
    assert.deepEqual(await packetCommitments(a.store, A_END.port, A_END.channel), []);
    assert.deepEqual(await unreceivedAcks(a.store, A_END.port, A_END.channel, [1n, 2n, 3n]), []);
  });

  it("refuses a replayed packet with IBC_PACKET_ALREADY_RECEIVED and changes nothing", async () => {
    const { a, b } = await setupPair();
    const app = new RecordingApp();
    const p = await sendFromA(a, "once");
    await a.commit();
    await deliver(a, b, p, app);
    await assertRefused([b], () => deliver(a, b, p, app), "IBC_PACKET_ALREADY_RECEIVED", /already received/);
    assert.equal(app.received.length, 1);
  });

  it("refuses a forged packet (data or timeout altered) for a real commitment: the Merkle check fails", async () => {
    const { a, b } = await setupPair();
    const app = new RecordingApp();
    const p = await sendFromA(a, "pay 10");
    await a.commit();
    const h = b.verifier.update(a);
    const proof = await a.prove(packetCommitmentKey(p.sourcePort, p.sourceChannel, p.sequence), h);
    for (const forged of [
      { ...p, data: utf8("pay 1000") },
      { ...p, timeoutTimestamp: p.timeoutTimestamp + 1n },
      { ...p, sequence: 2n },
    ]) {
      await assertRefused(
        [b],
        () => recvPacket(b.store, b.verifier, forged, proof, h, b.hostHeight, b.hostTime, app),
        "IBC_PROOF_INVALID",
      );
    }
    // A garbage proof is refused the same way.
    await assertRefused(
      [b],
      () => recvPacket(b.store, b.verifier, p, utf8("garbage"), h, b.hostHeight, b.hostTime, app),
      "IBC_PROOF_INVALID",
    );
    assert.equal(app.received.length, 0);
    // The genuine packet still goes through afterwards.
    await recvPacket(b.store, b.verifier, p, proof, h, b.hostHeight, b.hostTime, app);
    assert.equal(app.received.length, 1);
  });

  it("refuses a proof against a height the client has no consensus state for", async () => {
    const { a, b } = await setupPair();
    const app = new RecordingApp();
    const p = await sendFromA(a, "x");
    await a.commit();
    const h = b.verifier.update(a);
    const proof = await a.prove(packetCommitmentKey(p.sourcePort, p.sourceChannel, p.sequence), h);
    await assertRefused(
      [b],
      () => recvPacket(b.store, b.verifier, p, proof, h + 5n, b.hostHeight, b.hostTime, app),
      "IBC_CONSENSUS_STATE_NOT_FOUND",
    );
  });

  it("refuses a packet routed to a channel that is not its counterparty", async () => {
    const { a, b } = await setupPair();
    const app = new RecordingApp();
    const p = await sendFromA(a, "x");
    await a.commit();
    const h = b.verifier.update(a);
    const proof = await a.prove(packetCommitmentKey(p.sourcePort, p.sourceChannel, p.sequence), h);
    const misrouted = { ...p, sourceChannel: "channel-9" };
    await assertRefused(
      [b],
      () => recvPacket(b.store, b.verifier, misrouted, proof, h, b.hostHeight, b.hostTime, app),
      "IBC_COUNTERPARTY_MISMATCH",
    );
    await assertRefused(
      [b],
      () =>
        recvPacket(
          b.store,
          b.verifier,
          { ...p, destChannel: "channel-8" },
          proof,
          h,
          b.hostHeight,
          b.hostTime,
          app,
        ),
      "IBC_CHANNEL_NOT_FOUND",
    );
  });

  it("refuses a forged ack, a replayed ack and an ack for an altered packet", async () => {
    const { a, b } = await setupPair();
    const appA = new RecordingApp();
    const appB = new RecordingApp();
    const p = await sendFromA(a, "fail please");
    await a.commit();
    const ack = await deliver(a, b, p, appB);
    assert.equal(new TextDecoder().decode(ack), "error:fail please");
    const h = a.verifier.update(b);
    const proof = await b.prove(packetAckKey(p.destPort, p.destChannel, p.sequence), h);

    await assertRefused(
      [a],
      () => acknowledgePacket(a.store, a.verifier, p, utf8("ok:fail please"), proof, h, appA),
      "IBC_PROOF_INVALID",
    );
    await assertRefused(
      [a],
      () => acknowledgePacket(a.store, a.verifier, { ...p, data: utf8("other") }, ack, proof, h, appA),
      "IBC_PACKET_COMMITMENT_MISMATCH",
    );
    await assertRefused(
      [a],
      () => acknowledgePacket(a.store, a.verifier, p, new Uint8Array(), proof, h, appA),
      "IBC_ACK_INVALID",
    );
    assert.equal(appA.acks.length, 0);
    await acknowledgePacket(a.store, a.verifier, p, ack, proof, h, appA);
    await a.commit();
    await assertRefused(
      [a],
      () => acknowledgePacket(a.store, a.verifier, p, ack, proof, h, appA),
      "IBC_PACKET_COMMITMENT_NOT_FOUND",
    );
    assert.equal(appA.acks.length, 1);
  });

  it("refuses a timeout claimed before it expired, by height and by timestamp", async () => {
    const { a, b } = await setupPair();
    const app = new RecordingApp();
    const byHeight = await sendFromA(a, "h", b.committedHeight + 10n, 0n);
    const byTime = await sendFromA(a, "t", 0n, blockTime(b.committedHeight + 10n));
    await a.commit();
    await b.advanceTo(5n);
    for (const p of [byHeight, byTime]) {
      await assertRefused(
        [a],
        () => deliverTimeout(a, b, p, app),
        "IBC_TIMEOUT_NOT_REACHED",
        /has not timed out/,
      );
    }
    assert.equal(app.timeouts.length, 0);
  });

  it("times out a packet the counterparty never received, once, after the counterparty refused it", async () => {
    const { a, b } = await setupPair();
    const appA = new RecordingApp();
    const appB = new RecordingApp();
    const byHeight = await sendFromA(a, "h", 4n, 0n);
    const byTime = await sendFromA(a, "t", 0n, blockTime(4n));
    await a.commit();
    await b.advanceTo(4n); // B is executing block 5: past both timeouts
    for (const p of [byHeight, byTime]) {
      await assertRefused([b], () => deliver(a, b, p, appB), "IBC_PACKET_TIMED_OUT");
    }
    await deliverTimeout(a, b, byHeight, appA);
    await deliverTimeout(a, b, byTime, appA);
    assert.deepEqual(
      appA.timeouts.map((p) => p.sequence),
      [1n, 2n],
    );
    assert.equal(appB.received.length, 0);
    assert.deepEqual(await packetCommitments(a.store, A_END.port, A_END.channel), []);
    assert.equal((await getChannel(a.store, A_END.port, A_END.channel))?.state, "OPEN");
    await assertRefused([a], () => deliverTimeout(a, b, byHeight, appA), "IBC_PACKET_COMMITMENT_NOT_FOUND");
  });

  it("refuses to time out a packet that was received before its timeout: the receipt cannot be proven absent", async () => {
    const { a, b } = await setupPair();
    const appA = new RecordingApp();
    const p = await sendFromA(a, "in time", 6n, 0n);
    await a.commit();
    await deliver(a, b, p, new RecordingApp());
    await b.advanceTo(8n);
    await assertRefused([a], () => deliverTimeout(a, b, p, appA), "IBC_PROOF_INVALID");
    // Nor with a non-membership proof of some other key.
    const h = a.verifier.update(b);
    const other = await b.prove(packetReceiptKey(p.destPort, p.destChannel, 99n), h);
    await assertRefused(
      [a],
      () => timeoutPacket(a.store, a.verifier, p, other, h, 0n, appA),
      "IBC_PROOF_INVALID",
    );
    assert.equal(appA.timeouts.length, 0);
  });

  it("sendPacket refuses a packet without timeout, an expired timestamp and an unknown channel", async () => {
    const { a } = await setupPair();
    const msg = { ...A_END, data: utf8("x"), timeoutHeight: 0n, timeoutTimestamp: 0n };
    await assertRefused([a], () => sendPacket(a.store, msg, a.hostTime), "IBC_PACKET_INVALID", /neither/);
    await assertRefused(
      [a],
      () => sendPacket(a.store, { ...msg, timeoutTimestamp: a.hostTime }, a.hostTime),
      "IBC_PACKET_TIMED_OUT",
    );
    await assertRefused(
      [a],
      () => sendPacket(a.store, { ...msg, channel: "channel-5", timeoutHeight: 9n }, a.hostTime),
      "IBC_CHANNEL_NOT_FOUND",
    );
    await assertRefused(
      [a],
      () => sendPacket(a.store, { ...msg, data: new Uint8Array(), timeoutHeight: 9n }, a.hostTime),
      "IBC_PACKET_INVALID",
    );
  });
});
