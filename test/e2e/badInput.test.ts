import assert from "node:assert/strict";
import { appendFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { VoteType } from "../../consensus/index.ts";
import { ed25519FromSeed, ed25519Sign } from "../../crypto/index.ts";
import { homePaths } from "../../node/home.ts";
import { createP2p, generateNodeKey, type P2p } from "../../p2p/index.ts";
import { encodeVoteMessage, voteSignBytes } from "../../proto/index.ts";
import { silentLogger } from "../../utils/index.ts";
import { sleep, Testnet } from "./harness.ts";

async function metric(net: Testnet, name: string): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${net.nodes[0]!.rpcPort}/metrics`, {
    signal: AbortSignal.timeout(5000),
  });
  const text = await res.text();
  let total = 0;
  for (const line of text.split("\n")) {
    if (line.startsWith(name) && !line.startsWith("#")) total += Number(line.split(" ").pop());
  }
  return total;
}

describe("bad input against a running node", { timeout: 180_000 }, () => {
  let net: Testnet;
  const rogues: P2p[] = [];
  before(async () => {
    net = await Testnet.create({ validators: 1, chainId: "e2e-bad" });
    net.startAll();
    await net.waitForHeight(net.nodes, 2, 60_000);
  });
  after(async () => {
    for (const r of rogues) await r.stop();
    await net.cleanup();
  });

  async function rogue(chainId: string): Promise<P2p> {
    const node = net.nodes[0]!;
    const p = createP2p(
      {
        chainId,
        nodeKeySeed: generateNodeKey(),
        listenAddrs: ["/ip4/127.0.0.1/tcp/0"],
        persistentPeers: [`/ip4/127.0.0.1/tcp/${node.p2pPort}/p2p/${node.peerId}`],
      },
      { logger: silentLogger() },
    );
    rogues.push(p);
    await p.start();
    return p;
  }

  it("malformed, forged and non-validator votes are rejected, counted, and the chain goes on", async () => {
    const r = await rogue(net.chainId);
    const deadline = Date.now() + 20_000;
    while (r.topicPeers("vote").length === 0 && Date.now() < deadline) await sleep(100);
    assert.ok(r.topicPeers("vote").length > 0, "rogue peer never joined the vote topic");
    const before = await metric(net, "icsd_p2p_invalid_messages_total");
    const beforeVotes = await metric(net, "icsd_consensus_invalid_votes_total");
    const h = await net.height(net.nodes[0]!);

    await r.publish("vote", new Uint8Array([0xff, 0x01, 0x02, 0x03])); // not protobuf
    const outsider = ed25519FromSeed(new Uint8Array(32).fill(9));
    const vote = {
      type: VoteType.Prevote,
      height: h + 1,
      round: 0,
      blockHash: new Uint8Array(),
      timestamp: 0n,
      validatorAddress: new Uint8Array(20).fill(7),
      validatorIndex: 0,
      signature: new Uint8Array(64),
    };
    const signed = { ...vote, signature: ed25519Sign(outsider, voteSignBytes(net.chainId, vote)) };
    // Sent at the node's current height so it is checked, not buffered.
    for (let i = 0; i < 5; i++) {
      const cur = (await net.height(net.nodes[0]!)) + 1;
      await r.publish("vote", encodeVoteMessage({ ...signed, height: cur, round: i }));
      await sleep(50);
    }
    await sleep(1000);
    assert.ok(
      (await metric(net, "icsd_p2p_invalid_messages_total")) > before,
      "malformed message not counted",
    );
    assert.ok(
      (await metric(net, "icsd_consensus_invalid_votes_total")) > beforeVotes,
      "forged vote not counted",
    );
    await net.waitForHeight(net.nodes, h + 3, 30_000);
    const log = readFileSync(join(net.nodes[0]!.home, "node.log"), "utf8");
    assert.match(log, /malformed vote message/);
    assert.match(log, /invalid consensus message/);
  });

  it("a peer of another chain is not kept as a peer", async () => {
    const r = await rogue("some-other-chain");
    await sleep(3000);
    assert.equal(r.peers().length, 0);
    const info = await net.rpc<{ n_peers: string }>(net.nodes[0]!, "net_info");
    assert.ok(!JSON.stringify(info).includes(r.peerId), "node lists the wrong-chain peer");
  });

  it("a corrupt WAL tail after a crash is cut off with a log line and a metric, and the node resumes", async () => {
    const node = net.nodes[0]!;
    await net.kill(node);
    const h = await net.height(node);
    void h;
    appendFileSync(homePaths(node.home).wal, Buffer.from("garbage after a torn write \x00\x01\x02"));
    net.start(node);
    const before = await (async () => {
      for (let i = 0; i < 100; i++) {
        const x = await net.height(node);
        if (x > 0) return x;
        await sleep(200);
      }
      return -1;
    })();
    assert.ok(before > 0, "node did not come back");
    assert.equal(await metric(net, "icsd_wal_corruptions_total"), 1);
    await net.waitForHeight([node], before + 3, 30_000);
    assert.match(readFileSync(join(node.home, "node.log"), "utf8"), /WAL tail corrupt, truncated/);
  });
});
