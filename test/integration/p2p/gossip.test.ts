import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { MAX_GOSSIP_BYTES_LIMIT, type P2p } from "../../../p2p/index.ts";
import { utf8 } from "../../../utils/index.ts";
import { addrOf, Hosts, hasPeer, sleep, waitFor } from "./harness.ts";

describe("p2p gossip over TCP", { timeout: 30_000 }, () => {
  const hosts = new Hosts();
  after(() => hosts.stopAll());

  it("delivers a message published on one end of a line to every other node exactly once", async () => {
    // a <- b <- c: b dials a, c dials b (persistent peers); a and c are not connected.
    const a = await hosts.start({ chainId: "line-1" });
    const b = await hosts.start({ chainId: "line-1", persistentPeers: [addrOf(a)] });
    const c = await hosts.start({ chainId: "line-1", persistentPeers: [addrOf(b)] });
    const got = new Map<P2p, { data: string; from: string }[]>([
      [a, []],
      [b, []],
      [c, []],
    ]);
    for (const [h, list] of got) {
      h.onGossip("vote", async (data, from) => {
        list.push({ data: new TextDecoder().decode(data), from });
        return "accept";
      });
    }
    await waitFor(
      "line connected",
      () => hasPeer(a, b.peerId) && hasPeer(b, a.peerId) && hasPeer(b, c.peerId),
    );
    await waitFor("c sees b", () => hasPeer(c, b.peerId));
    assert.equal(hasPeer(a, c.peerId), false);
    await waitFor("subscriptions known", () => {
      return (
        a.topicPeers("vote").includes(b.peerId) &&
        b.topicPeers("vote").includes(c.peerId) &&
        c.topicPeers("vote").includes(b.peerId)
      );
    });
    await sleep(400); // a few heartbeats: b grafts c into its mesh

    await a.publish("vote", utf8("vote-1"));
    await waitFor("c receives the vote", () => (got.get(c)?.length ?? 0) > 0);
    await sleep(500); // would-be duplicates have time to arrive
    assert.deepEqual(got.get(b), [{ data: "vote-1", from: a.peerId }]);
    assert.deepEqual(got.get(c), [{ data: "vote-1", from: b.peerId }]);
    assert.deepEqual(got.get(a), [], "no echo to the publisher");
    assert.equal(b.stats().gossipAccepted.vote, 1);
    assert.equal(a.stats().gossipPublished, 1);
  });

  it("carries a proposal of exactly the default maxGossipBytes", async () => {
    const receiver = await hosts.start({ chainId: "big-1" });
    let got: Uint8Array | undefined;
    receiver.onGossip("proposal", async (data) => {
      got = data;
      return "accept";
    });
    const sender = await hosts.start({ chainId: "big-1", persistentPeers: [addrOf(receiver)] });
    await waitFor("subscribed", () => sender.topicPeers("proposal").includes(receiver.peerId));
    const block = new Uint8Array(MAX_GOSSIP_BYTES_LIMIT).map((_, i) => (i * 7) & 0xff);
    await sender.publish("proposal", block);
    await waitFor("proposal delivered", () => got !== undefined, 10_000);
    assert.deepEqual(got, block);
  });

  it("a paused topic is not taken until resumed, and the peer learns it", async () => {
    const receiver = await hosts.start({ chainId: "pause-1" });
    const got: string[] = [];
    receiver.onGossip("vote", async (data) => {
      got.push(new TextDecoder().decode(data));
      return "accept";
    });
    const sender = await hosts.start({ chainId: "pause-1", persistentPeers: [addrOf(receiver)] });
    await waitFor("subscribed", () => sender.topicPeers("vote").includes(receiver.peerId));
    receiver.pauseGossip("vote");
    await waitFor("unsubscription known", () => !sender.topicPeers("vote").includes(receiver.peerId));
    await sender.publish("vote", utf8("while paused"));
    await sleep(300);
    assert.deepEqual(got, []);
    receiver.resumeGossip("vote");
    await waitFor("subscribed again", () => sender.topicPeers("vote").includes(receiver.peerId));
    await sender.publish("vote", utf8("after resume"));
    await waitFor("delivered after resume", () => got.length > 0);
    assert.deepEqual(got, ["after resume"]);
  });

  it("does not throw when publishing with no peers", async () => {
    const lonely = await hosts.start({ chainId: "lonely-1" });
    await lonely.publish("tx", utf8("nobody listens"));
    assert.equal(lonely.peers().length, 0);
  });

  it("refuses to publish more than maxGossipBytes", async () => {
    const h = await hosts.start({ chainId: "small-1", maxGossipBytes: 100 });
    await assert.rejects(h.publish("tx", new Uint8Array(101)), { code: "P2P_GOSSIP_TOO_LARGE" });
  });
});
