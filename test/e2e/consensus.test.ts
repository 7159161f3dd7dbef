import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { doubleSigns, Testnet } from "./harness.ts";

type BlockRes = { block_id: { hash: string }; block: { header: { app_hash: string; height: string } } };

describe("4 validator processes", { timeout: 300_000 }, () => {
  let net: Testnet;
  before(async () => {
    net = await Testnet.create({ validators: 4, chainId: "e2e-consensus" });
    net.startAll();
  });
  after(async () => {
    await net.cleanup();
  });

  it("commit 100 heights with identical block and app hashes at every height", async () => {
    // Transactions change the app hash from block to block, so identical app hashes mean identical state.
    let sent = 0;
    const sender = setInterval(() => {
      const node = net.nodes[sent % net.nodes.length]!;
      const tx = Buffer.from(`key${sent}=value${sent}`).toString("base64");
      sent++;
      void net.rpc(node, "broadcast_tx_sync", { tx }).catch(() => undefined);
    }, 150);
    try {
      await net.waitForHeight(net.nodes, 100, 240_000);
    } finally {
      clearInterval(sender);
    }
    const appHashes = new Set<string>();
    for (let h = 1; h <= 100; h++) {
      const res = await Promise.all(net.nodes.map((n) => net.rpc<BlockRes>(n, "block", { height: String(h) })));
      const hashes = new Set(res.map((r) => r.block_id.hash));
      const apps = new Set(res.map((r) => r.block.header.app_hash));
      assert.equal(hashes.size, 1, `block hashes differ at height ${h}`);
      assert.equal(apps.size, 1, `app hashes differ at height ${h}`);
      appHashes.add([...apps][0]!);
    }
    assert.ok(appHashes.size > 10, "transactions should have changed the app hash");
    const q = await net.rpc<{ response: { value: string } }>(net.nodes[3]!, "abci_query", {
      path: "/key",
      data: Buffer.from("key0").toString("hex"),
    });
    assert.equal(Buffer.from(q.response.value, "base64").toString(), "value0");
    assert.deepEqual(doubleSigns(net.votes()), []);
  });
});
