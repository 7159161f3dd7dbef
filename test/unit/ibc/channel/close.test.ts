import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  type ChannelEnd,
  ChannelOrder,
  ChannelState,
  channelKey,
  closeChannelConfirm,
  decodeChannelCloseProof,
  encodeChannelCloseProof,
  encodeChannelEnd,
  getChannel,
  type IbcApp,
  sendPacket,
} from "../../../../ibc/index.ts";
import { IcsdError, utf8 } from "../../../../utils/index.ts";
import {
  A_END,
  assertRefused,
  B_END,
  blockTime,
  deliver,
  RecordingApp,
  setupPair,
  type TestChain,
} from "./helpers.ts";

/** A's own client of B, as A's channel end records it (B needs it to build A's expected record). */
const A_CLIENT = "client-of-b";

/** Closes A's end in the block being executed (as the provider's IbcKeeper.closeChannel does). */
async function closeOnA(a: TestChain): Promise<void> {
  const end = (await getChannel(a.store, A_END.port, A_END.channel))!;
  a.store.set(
    channelKey(A_END.port, A_END.channel),
    encodeChannelEnd({ ...end, state: ChannelState.closed }),
  );
}

/** B's client moves to A's latest state; returns the proof height and a close proof of A's end there. */
async function proveAClosed(a: TestChain, b: TestChain, clientId = A_CLIENT) {
  const h = b.verifier.update(a);
  const proof = await a.prove(channelKey(A_END.port, A_END.channel), h);
  return { h, proofInit: encodeChannelCloseProof({ counterpartyClientId: clientId, proof }) };
}

function confirmOnB(b: TestChain, proofInit: Uint8Array, h: bigint, app: IbcApp) {
  return closeChannelConfirm(b.store, b.verifier, B_END.port, B_END.channel, proofInit, h, app);
}

describe("ICS-04 chanCloseConfirm with real Merkle proofs", () => {
  it("closes this end once the counterparty's end is proven CLOSED, telling the application once", async () => {
    for (const ordering of [ChannelOrder.ordered, ChannelOrder.unordered]) {
      const { a, b } = await setupPair(ordering);
      const appB = new RecordingApp();
      await closeOnA(a);
      await a.commit();

      const { h, proofInit } = await proveAClosed(a, b);
      const closed = await confirmOnB(b, proofInit, h, appB);
      assert.equal(closed.state, ChannelState.closed);
      assert.deepEqual(await getChannel(b.store, B_END.port, B_END.channel), closed);
      assert.deepEqual(appB.closed, [closed], ordering);
      await b.commit();

      // A second confirmation is refused as already closed, writing nothing and not calling the app.
      await assertRefused([b], () => confirmOnB(b, proofInit, h, appB), "IBC_CHANNEL_ALREADY_CLOSED");
      assert.equal(appB.closed.length, 1);
    }
  });

  it("a closed end receives and sends nothing more", async () => {
    const { a, b } = await setupPair();
    const p = await sendPacket(
      a.store,
      { ...A_END, data: utf8("late"), timeoutHeight: 0n, timeoutTimestamp: blockTime(10_000n) },
      a.hostTime,
    );
    await a.commit();
    await closeOnA(a);
    await a.commit();
    const { h, proofInit } = await proveAClosed(a, b);
    await confirmOnB(b, proofInit, h, new RecordingApp());
    await b.commit();

    await assertRefused([b], () => deliver(a, b, p, new RecordingApp()), "IBC_CHANNEL_NOT_OPEN");
    await assertRefused(
      [b],
      () =>
        sendPacket(
          b.store,
          { ...B_END, data: utf8("x"), timeoutHeight: 99n, timeoutTimestamp: 0n },
          b.hostTime,
        ),
      "IBC_CHANNEL_NOT_OPEN",
    );
  });

  it("refuses while the counterparty is open, and for a proof of the state before the close", async () => {
    const { a, b } = await setupPair();
    const appB = new RecordingApp();
    // A's end is OPEN: its record is not the expected CLOSED one.
    const open = await proveAClosed(a, b);
    await assertRefused([b], () => confirmOnB(b, open.proofInit, open.h, appB), "IBC_PROOF_INVALID");

    // Closed in block N: proof height N proves version N-1, where it was still OPEN.
    await closeOnA(a);
    const n = a.hostHeight;
    await a.commit();
    assert.equal(b.verifier.update(a), n + 1n);
    assert.equal(open.h, n, "B's client holds A's state before the close at height N");
    const before = await a.prove(channelKey(A_END.port, A_END.channel), n);
    await assertRefused(
      [b],
      () =>
        confirmOnB(b, encodeChannelCloseProof({ counterpartyClientId: A_CLIENT, proof: before }), n, appB),
      "IBC_PROOF_INVALID",
    );
    assert.equal(appB.closed.length, 0);
    assert.equal((await getChannel(b.store, B_END.port, B_END.channel))?.state, ChannelState.open);
  });

  it("refuses a wrong counterparty client id, a malformed proof, an unknown height and a missing channel", async () => {
    const { a, b } = await setupPair();
    const appB = new RecordingApp();
    await closeOnA(a);
    await a.commit();

    const wrong = await proveAClosed(a, b, "client-of-c");
    await assertRefused([b], () => confirmOnB(b, wrong.proofInit, wrong.h, appB), "IBC_PROOF_INVALID");

    const { h, proofInit } = await proveAClosed(a, b);
    const { proof } = decodeChannelCloseProof(proofInit);
    // The bare store proof (no envelope), trailing bytes, and a tampered proof.
    await assertRefused([b], () => confirmOnB(b, proof, h, appB), "IBC_PROOF_INVALID");
    await assertRefused(
      [b],
      () => confirmOnB(b, Uint8Array.of(...proofInit, 0), h, appB),
      "IBC_PROOF_INVALID",
      /trailing/,
    );
    const tampered = Uint8Array.from(proof);
    tampered[tampered.length - 1]! ^= 1;
    await assertRefused(
      [b],
      () =>
        confirmOnB(b, encodeChannelCloseProof({ counterpartyClientId: A_CLIENT, proof: tampered }), h, appB),
      "IBC_PROOF_INVALID",
    );

    await assertRefused([b], () => confirmOnB(b, proofInit, h + 5n, appB), "IBC_CONSENSUS_STATE_NOT_FOUND");
    await assertRefused(
      [b],
      () => closeChannelConfirm(b.store, b.verifier, B_END.port, "channel-99", proofInit, h, appB),
      "IBC_CHANNEL_NOT_FOUND",
    );
    assert.equal(appB.closed.length, 0);

    // The genuine proof still works after all that.
    await confirmOnB(b, proofInit, h, appB);
    assert.equal(appB.closed.length, 1);
  });

  it("writes nothing when the application refuses the close", async () => {
    const { a, b } = await setupPair();
    await closeOnA(a);
    await a.commit();
    const { h, proofInit } = await proveAClosed(a, b);
    const refusing: IbcApp = {
      onRecvPacket: async () => utf8("ok"),
      onAcknowledgementPacket: async () => {},
      onTimeoutPacket: async () => {},
      onChanClose: async (_c: ChannelEnd) => {
        throw new IcsdError("APP_REFUSED", "no");
      },
    };
    await assertRefused([b], () => confirmOnB(b, proofInit, h, refusing), "APP_REFUSED");
  });

  it("encodes a close proof deterministically and decodes it strictly", () => {
    const p = { counterpartyClientId: "07-icsd-3", proof: Uint8Array.of(1, 2, 3) };
    const bytes = encodeChannelCloseProof(p);
    assert.deepEqual(decodeChannelCloseProof(bytes), p);
    assert.deepEqual(encodeChannelCloseProof(decodeChannelCloseProof(bytes)), bytes);
    assert.throws(() => decodeChannelCloseProof(Uint8Array.of(2, ...bytes.subarray(1))), /unknown format/);
    assert.throws(() => decodeChannelCloseProof(bytes.subarray(0, bytes.length - 1)), /truncated/);
  });
});
