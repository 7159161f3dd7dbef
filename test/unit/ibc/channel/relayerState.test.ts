import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { getAcknowledgement, getSentPacket, sendPacket, sentPackets } from "../../../../ibc/index.ts";
import { utf8 } from "../../../../utils/index.ts";
import {
  A_END,
  B_END,
  blockTime,
  deliver,
  deliverAck,
  deliverTimeout,
  RecordingApp,
  setupPair,
} from "./helpers.ts";

const T = { timeout: 30_000 };

describe("packet layer state a relayer rebuilds its work from", () => {
  it(
    "keeps each sent packet while its commitment exists and each ack's bytes on the receiver",
    T,
    async () => {
      const { a, b } = await setupPair();
      const appA = new RecordingApp();
      const appB = new RecordingApp();
      const far = blockTime(1_000_000n);
      const sent = [];
      for (const text of ["p1", "p2", "p3", "p4"]) {
        sent.push(
          await sendPacket(
            a.store,
            { ...A_END, data: utf8(text), timeoutHeight: 0n, timeoutTimestamp: far },
            a.hostTime,
          ),
        );
      }
      await a.commit();
      assert.deepEqual(await sentPackets(a.store, A_END.port, A_END.channel), sent);
      assert.deepEqual(
        (await sentPackets(a.store, A_END.port, A_END.channel, { afterSequence: 1n, limit: 2 })).map(
          (p) => p.sequence,
        ),
        [2n, 3n],
      );
      assert.deepEqual(await getSentPacket(a.store, A_END.port, A_END.channel, 3n), sent[2]);
      assert.equal(
        await sentPackets(a.store, A_END.port, A_END.channel, { limit: 0 }).then((p) => p.length),
        0,
      );

      const ack = await deliver(a, b, sent[0]!, appB);
      assert.deepEqual(await getAcknowledgement(b.store, B_END.port, B_END.channel, 1n), ack);
      assert.equal(await getAcknowledgement(b.store, B_END.port, B_END.channel, 2n), undefined);

      await deliverAck(a, b, sent[0]!, ack, appA);
      assert.equal(await getSentPacket(a.store, A_END.port, A_END.channel, 1n), undefined);
      assert.deepEqual(
        (await sentPackets(a.store, A_END.port, A_END.channel)).map((p) => p.sequence),
        [2n, 3n, 4n],
      );
    },
  );

  it("forgets a packet once it has timed out", T, async () => {
    const { a, b } = await setupPair();
    const appA = new RecordingApp();
    const p = await sendPacket(
      a.store,
      { ...A_END, data: utf8("late"), timeoutHeight: b.hostHeight + 1n, timeoutTimestamp: 0n },
      a.hostTime,
    );
    await a.commit();
    await b.commit();
    await b.commit();
    await b.commit();
    await deliverTimeout(a, b, p, appA);
    assert.equal(await getSentPacket(a.store, A_END.port, A_END.channel, p.sequence), undefined);
    assert.deepEqual(await sentPackets(a.store, A_END.port, A_END.channel), []);
  });
});
