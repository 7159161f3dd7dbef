import assert from "node:assert/strict";
import { afterEach, describe, it } from "node:test";
import { createP2p, generateNodeKey } from "../../../p2p/index.ts";
import { silentLogger, utf8 } from "../../../utils/index.ts";
import { addrOf, fast, Hosts, hasPeer, sleep, waitFor } from "./harness.ts";

describe("p2p peers over TCP", { timeout: 60_000 }, () => {
  const hosts = new Hosts();
  afterEach(() => hosts.stopAll());

  it("disconnects and refuses a node of another chain, and shares no topic with it", async () => {
    const a = await hosts.start({ chainId: "chain-a" });
    let delivered = 0;
    a.onGossip("vote", async () => {
      delivered++;
      return "accept";
    });
    const b = await hosts.start({ chainId: "chain-b", persistentPeers: [addrOf(a)] });
    b.onGossip("vote", async () => "accept");
    await waitFor("a notices the other chain", () => a.stats().wrongChainPeers >= 1);
    await waitFor("connection closed", () => !hasPeer(a, b.peerId) && !hasPeer(b, a.peerId));
    assert.equal(a.isBanned(b.peerId), true);
    assert.equal(b.isBanned(a.peerId), true);
    await b.publish("vote", utf8("vote of chain b"));
    // b keeps re-dialing a (persistent), and a keeps refusing it.
    await sleep(800);
    assert.deepEqual(a.peers(), []);
    assert.deepEqual(b.peers(), []);
    assert.equal(delivered, 0);
  });

  it("rejects oversized gossip before the handler runs and penalizes its sender", async () => {
    const receiver = await hosts.start({ chainId: "size-1", maxGossipBytes: 1_000 });
    let calls = 0;
    receiver.onGossip("proposal", async () => {
      calls++;
      return "accept";
    });
    const sender = await hosts.start({ chainId: "size-1", persistentPeers: [addrOf(receiver)] });
    sender.onGossip("proposal", async () => "accept");
    await waitFor("connected", () => hasPeer(receiver, sender.peerId) && hasPeer(sender, receiver.peerId));
    await waitFor("subscribed", () => sender.topicPeers("proposal").includes(receiver.peerId));
    await sender.publish("proposal", new Uint8Array(2_000).fill(1));
    await waitFor("penalty recorded", () => receiver.stats().invalidMessages === 1);
    await sender.publish("proposal", new Uint8Array(500).fill(2));
    await waitFor("small proposal delivered", () => calls === 1);
    // Gossipsub caches scores for one heartbeat.
    await waitFor("sender's score is negative", () =>
      receiver.peers().some((p) => p.id === sender.peerId && p.score < 0),
    );
  });

  it("drops a peer whose messages are rejected repeatedly and refuses it for the cool-down", async () => {
    // Five rejects at weight 10 cross 45 even after a little decay between them.
    const victim = await hosts.start({ chainId: "drop-1", penaltyThreshold: 45, banDurationMs: 2_000 });
    let handled = 0;
    victim.onGossip("tx", async () => {
      handled++;
      return "reject";
    });
    const dropped: string[] = [];
    victim.onPeerDisconnected((id) => dropped.push(id));
    const bad = await hosts.start({ chainId: "drop-1", persistentPeers: [addrOf(victim)] });
    bad.onGossip("tx", async () => "accept");
    await waitFor("connected", () => hasPeer(victim, bad.peerId) && hasPeer(bad, victim.peerId));
    await waitFor("subscribed", () => bad.topicPeers("tx").includes(victim.peerId));
    // On a loaded machine the score decays between messages, so keep sending until the drop.
    for (let i = 0; i < 10 && !dropped.includes(bad.peerId); i++) {
      await bad.publish("tx", utf8(`bad tx ${i}`)).catch(() => {});
      await sleep(20);
    }
    await waitFor("dropped", () => dropped.includes(bad.peerId));
    assert.ok(handled >= 5, `dropped after ${handled} rejects`);
    assert.equal(victim.stats().peersDropped, 1);
    assert.equal(victim.stats().invalidMessages, handled);
    assert.equal(victim.isBanned(bad.peerId), true);
    const droppedAt = Date.now();

    // bad re-dials every <= 400 ms (persistent peer); victim refuses during the cool-down.
    // An explicit dial may even complete the transport upgrade, but the victim's gater closes it.
    await bad.dial(addrOf(victim)).catch(() => {});
    while (Date.now() - droppedAt < 1_500) {
      assert.equal(hasPeer(victim, bad.peerId), false, "refused during the cool-down");
      assert.equal(hasPeer(bad, victim.peerId), false, "no handshake completes during the cool-down");
      await sleep(50);
    }
    await waitFor("reconnected after the cool-down", () => hasPeer(victim, bad.peerId), 4_000);
    assert.equal(victim.isBanned(bad.peerId), false);
  });

  it("reconnects a persistent peer that is stopped and restarted with the same key and port", async () => {
    const seed = generateNodeKey();
    const first = await hosts.start({ chainId: "restart-1", nodeKeySeed: seed });
    const addr = addrOf(first);
    const port = addr.split("/")[4];
    const dialer = await hosts.start({ chainId: "restart-1", persistentPeers: [addr] });
    const events: string[] = [];
    dialer.onPeerConnected((id) => events.push(`up ${id}`));
    dialer.onPeerDisconnected((id) => events.push(`down ${id}`));
    await waitFor("connected", () => hasPeer(dialer, first.peerId));

    await first.stop();
    await waitFor("disconnected", () => !hasPeer(dialer, first.peerId));
    await sleep(600); // a few failed re-dials
    const again = createP2p(
      { chainId: "restart-1", nodeKeySeed: seed, listenAddrs: [`/ip4/127.0.0.1/tcp/${port}`], ...fast },
      { logger: silentLogger() },
    );
    try {
      await again.start();
      assert.equal(addrOf(again), addr);
      await waitFor("reconnected", () => hasPeer(dialer, again.peerId) && hasPeer(again, dialer.peerId));
      assert.deepEqual(events, [`up ${first.peerId}`, `down ${first.peerId}`, `up ${first.peerId}`]);
    } finally {
      await again.stop();
    }
  });

  it("stops idempotently and can start again", async () => {
    const h = await hosts.start({ chainId: "idem-1" });
    await Promise.all([h.stop(), h.stop()]);
    assert.deepEqual(h.listenAddrs(), []);
    await assert.rejects(h.publish("tx", utf8("x")), { code: "P2P_NOT_STARTED" });
    await h.start();
    assert.equal(h.listenAddrs().length, 1);
  });
});
