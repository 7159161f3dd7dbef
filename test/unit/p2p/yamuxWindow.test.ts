import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { StreamState, YamuxStream } from "@chainsafe/libp2p-yamux/stream";
import { installYamuxWindowThreshold } from "../../../p2p/yamuxWindow.ts";

type Frame = { type: number; flag: number; length: number };

/** A stream's window fields with the methods sendWindowUpdate uses, recording the frames it sends. */
function fakeStream(state: StreamState, recvWindow: number, recvWindowCapacity: number) {
  const frames: Frame[] = [];
  return {
    frames,
    state,
    recvWindow,
    recvWindowCapacity,
    maxStreamWindowSize: recvWindow,
    epochStart: 0,
    getRTT: () => -1,
    getSendFlags(): number {
      return this.state === StreamState.SYNReceived ? 2 : 0;
    },
    sendFrame: (f: Frame) => frames.push(f),
  };
}

describe("yamux window updates", () => {
  installYamuxWindowThreshold();
  const send = (s: ReturnType<typeof fakeStream>) =>
    (YamuxStream.prototype as unknown as { sendWindowUpdate(this: unknown): void }).sendWindowUpdate.call(s);

  it("sends none while the peer has used less than half the window", () => {
    const s = fakeStream(StreamState.Established, 1000, 600);
    send(s);
    assert.equal(s.frames.length, 0);
    assert.equal(s.recvWindowCapacity, 600);
  });

  it("restores the whole window once half of it is used", () => {
    const s = fakeStream(StreamState.Established, 1000, 499);
    send(s);
    assert.equal(s.frames.length, 1);
    assert.equal(s.frames[0]!.length, 501);
    assert.equal(s.recvWindowCapacity, 1000);
  });

  it("still answers at once when the frame carries a flag (an inbound stream's ACK)", () => {
    const s = fakeStream(StreamState.SYNReceived, 1000, 1000);
    send(s);
    assert.equal(s.frames.length, 1);
  });

  it("installs once", () => {
    const fn = (YamuxStream.prototype as unknown as { sendWindowUpdate: unknown }).sendWindowUpdate;
    assert.equal(installYamuxWindowThreshold(), true);
    assert.equal((YamuxStream.prototype as unknown as { sendWindowUpdate: unknown }).sendWindowUpdate, fn);
  });
});
