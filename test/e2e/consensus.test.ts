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
    const accepted: number[] = [];
    const sender = setInterval(() => {
      const i = sent++;
      const node = net.nodes[i % net.nodes.length]!;
      const tx = Buffer.from(`key${i}=value${i}`).toString("base64");
      void net
        .rpc<{ code: number }>(node, "broadcast_tx_sync", { tx })
        .then((r) => r.code === 0 && accepted.push(i))
        .catch(() => undefined);
    }, 150);
    try {
      await net.waitForHeight(net.nodes, 100, 240_000);
    } finally {
      clearInterval(sender);
    }
    const appHashes = new Set<string>();
    for (let h = 1; h <= 100; h++) {
      const res = await Promise.all(
        net.nodes.map((n) => net.rpc<BlockRes>(n, "block", { height: String(h) })),
      );
      const hashes = new Set(res.map((r) => r.block_id.hash));
      const apps = new Set(res.map((r) => r.block.header.app_hash));
      assert.equal(hashes.size, 1, `block hashes differ at height ${h}`);
      assert.equal(apps.size, 1, `app hashes differ at height ${h}`);
      appHashes.add([...apps][0]!);
    }
    assert.ok(appHashes.size > 10, "transactions should have changed the app hash");
    const k = accepted[0];
    assert.ok(k !== undefined, "no transaction was accepted");
    const q = await net.rpc<{ response: { value: string | null } }>(net.nodes[3]!, "abci_query", {
      path: "/key",
      data: Buffer.from(`key${k}`).toString("hex"),
    });
    assert.equal(Buffer.from(q.response.value ?? "", "base64").toString(), `value${k}`);
    // The kv app's `app` event is indexed: every node finds the transaction, and its block's results.
    type Found = { total_count: string; txs: { height: string; tx: string; tx_result: { code: number } }[] };
    const found = await net.rpc<Found>(net.nodes[2]!, "tx_search", { query: `app.key='key${k}'` });
    assert.equal(found.total_count, "1");
    assert.equal(Buffer.from(found.txs[0]!.tx, "base64").toString(), `key${k}=value${k}`);
    assert.equal(found.txs[0]!.tx_result.code, 0);
    const results = await net.rpc<{ txs_results: unknown[] }>(net.nodes[1]!, "block_results", {
      height: found.txs[0]!.height,
    });
    assert.ok(results.txs_results.length >= 1);
    assert.deepEqual(doubleSigns(net.votes()), []);
  });
});
