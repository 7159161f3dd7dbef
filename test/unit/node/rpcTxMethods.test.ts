import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Comet38Client } from "@cosmjs/tendermint-rpc";
import { sha256 } from "../../../crypto/index.ts";
import { txRpcMethods } from "../../../node/rpcTxMethods.ts";
import { blockHash } from "../../../proto/index.ts";
import { createRpcServer, type RpcServer, rpcCall } from "../../../rpc/index.ts";
import { silentLogger, toHexUpper } from "../../../utils/index.ts";
import { fill } from "../proto/fixtures.ts";
import { enc, FakeChain, kvResult } from "./fakeChain.ts";

describe("tx RPC methods through CosmJS's Comet38Client", { timeout: 30_000 }, () => {
  const chain = new FakeChain();
  const pool: Uint8Array[] = [];
  let server: RpcServer;
  let http = "";
  let client: Comet38Client;

  before(async () => {
    await chain.commit([enc("k1=v1"), enc("k2=v2")]);
    await chain.commit([enc("fail1")], {
      events: [{ type: "mint", attributes: [{ key: "amount", value: "5" }] }],
      validatorUpdates: [{ pubKey: fill(32, 3), power: 7n }],
    });
    await chain.commit([]);
    for (let i = 0; i < 32; i++) await chain.commit([enc(`n${i}=x`)]);
    server = createRpcServer(
      { laddr: "tcp://127.0.0.1:0" },
      {
        logger: silentLogger(),
        methods: txRpcMethods({
          chain,
          blocks: chain.blocks,
          txIndex: chain.txIndex,
          eventBus: chain.bus,
          broadcastTxCommitTimeoutMs: 500,
          network: { broadcastTx: () => undefined },
          mempool: {
            add: async (tx) => {
              const s = new TextDecoder().decode(tx);
              if (s.startsWith("bad")) return { ...kvResult(tx), code: 3, codespace: "kv", log: "rejected" };
              if (!s.startsWith("slow")) setTimeout(() => void chain.commit([tx]), 50);
              else pool.push(tx);
              return { ...kvResult(enc("ok=1")), events: [] };
            },
            txs: (limit) => pool.slice(0, limit),
            size: () => pool.length,
            totalBytes: () => pool.reduce((n, t) => n + t.length, 0),
          },
        }),
      },
    );
    await server.start();
    http = `http://127.0.0.1:${server.address().port}`;
    client = await Comet38Client.connect(http);
  });
  after(async () => {
    client.disconnect();
    await server.stop();
  });

  it("tx_search by attribute, hash and height decodes", async () => {
    const r = await client.txSearch({ query: "app.key='k2'" });
    assert.equal(r.totalCount, 1);
    const t = r.txs[0]!;
    assert.equal(t.height, 1);
    assert.equal(t.index, 1);
    assert.deepEqual(t.tx, enc("k2=v2"));
    assert.equal(toHexUpper(t.hash), toHexUpper(sha256(enc("k2=v2"))));
    assert.equal(t.result.gasUsed, 9n);
    assert.deepEqual(t.result.data, enc("v2"));
    assert.deepEqual(t.result.events[0]?.attributes[0], { key: "key", value: "k2" });
    const byHash = await client.txSearch({ query: `tx.hash='${toHexUpper(t.hash)}'` });
    assert.equal(byHash.txs[0]?.index, 1);
    const failed = await client.txSearch({ query: "tx.height=2" });
    assert.equal(failed.totalCount, 1);
    assert.equal(failed.txs[0]?.result.code, 7);
    assert.equal(failed.txs[0]?.result.log, "boom");
  });

  it("pages with an exact total_count, in either order", async () => {
    const all = await client.txSearchAll({ query: "app.creator='many'", per_page: 10 });
    assert.equal(all.totalCount, 32);
    assert.deepEqual(
      all.txs.map((t) => t.height),
      Array.from({ length: 32 }, (_, i) => i + 4),
    );
    const page = await client.txSearch({ query: "app.creator='many'", per_page: 10, page: 4 });
    assert.equal(page.totalCount, 32);
    assert.equal(page.txs.length, 2);
    const desc = await client.txSearch({ query: "app.creator='many' AND tx.height<=10", order_by: "desc" });
    assert.deepEqual(
      desc.txs.map((t) => t.height),
      [10, 9, 8, 7, 6, 5, 4],
    );
    await assert.rejects(
      client.txSearch({ query: "app.creator='many'", per_page: 10, page: 5 }),
      /page should be within \[1, 4\] range, given 5/,
    );
    const none = await client.txSearch({ query: "app.key='nope'" });
    assert.equal(none.totalCount, 0);
    assert.deepEqual(none.txs, []);
    await assert.rejects(client.txSearch({ query: "app.key=" }), /-32602/);
  });

  it("tx takes a base64 hash, and reports an unknown one as CometBFT does", async () => {
    const hash = sha256(enc("k1=v1"));
    const t = await client.tx({ hash });
    assert.equal(t.height, 1);
    assert.equal(t.index, 0);
    const hex = (await rpcCall(http, "tx", { hash: toHexUpper(hash) })) as { index: number };
    assert.equal(hex.index, 0);
    await assert.rejects(client.tx({ hash: fill(32, 0xee) }), (e: Error) => {
      const err = JSON.parse(e.message) as { code: number; data: string };
      return err.code === -32603 && err.data === `tx (${"EE".repeat(32)}) not found`;
    });
  });

  it("block_results carries tx results, block events, validator updates and the app hash", async () => {
    const r = await client.blockResults(2);
    assert.equal(r.height, 2);
    assert.equal(r.results[0]?.code, 7);
    assert.deepEqual(r.finalizeBlockEvents, [{ type: "mint", attributes: [{ key: "amount", value: "5" }] }]);
    assert.deepEqual(r.validatorUpdates, [
      { pubkey: { algorithm: "ed25519", data: fill(32, 3) }, votingPower: 7n },
    ]);
    const raw = (await rpcCall(http, "block_results", { height: "2" })) as { app_hash: string };
    assert.equal(raw.app_hash, toHexUpper(fill(32, 2)));
    await assert.rejects(client.blockResults(99), /height 99 must be between 1 and 35/);
  });

  it("blockchain lists at most 20 block metas, newest first", async () => {
    const r = await client.blockchain();
    assert.equal(r.lastHeight, 35);
    assert.deepEqual(
      r.blockMetas.map((m) => m.header.height),
      Array.from({ length: 20 }, (_, i) => 35 - i),
    );
    const first = await client.blockchain(1, 3);
    assert.deepEqual(
      first.blockMetas.map((m) => m.header.height),
      [3, 2, 1],
    );
    assert.equal(first.blockMetas[2]?.numTxs, 2);
    assert.equal(first.blockMetas[2]?.header.lastBlockId, null);
    assert.deepEqual(first.blockMetas[1]?.header.lastBlockId?.hash, first.blockMetas[2]?.blockId.hash);
    await assert.rejects(client.blockchain(10, 5), /can't be greater than max height/);
  });

  it("header, header_by_hash, block_by_hash and unconfirmed_txs", async () => {
    const block = (await chain.loadBlock(2))!.block;
    const hash = toHexUpper(blockHash(block));
    const h = (await rpcCall(http, "header", { height: "2" })) as { header: { height: string } };
    assert.equal(h.header.height, "2");
    const hb = (await rpcCall(http, "header_by_hash", { hash })) as { header: { height: string } };
    assert.equal(hb.header.height, "2");
    const b = (await rpcCall(http, "block_by_hash", { hash })) as { block_id: { hash: string } };
    assert.equal(b.block_id.hash, hash);
    const missing = (await rpcCall(http, "block_by_hash", { hash: "00".repeat(32) })) as { block: null };
    assert.equal(missing.block, null);
    pool.push(enc("p1"), enc("p22"));
    const u = await rpcCall(http, "unconfirmed_txs", { limit: "1" });
    assert.deepEqual(u, {
      n_txs: "1",
      total: "2",
      total_bytes: "5",
      txs: [Buffer.from("p1").toString("base64")],
    });
    pool.length = 0;
  });

  it("broadcast_tx_commit waits for the block, returns CheckTx rejections, and times out", async () => {
    const r = await client.broadcastTxCommit({ tx: enc("c1=v") });
    assert.equal(r.checkTx.code, 0);
    assert.equal(r.txResult?.code, 0);
    assert.ok(r.height > 35);
    assert.deepEqual(r.hash, sha256(enc("c1=v")));
    const seen = await client.txSearch({ query: `tx.hash='${toHexUpper(r.hash)}'` });
    assert.equal(seen.txs[0]?.height, r.height);
    const bad = await client.broadcastTxCommit({ tx: enc("bad=1") });
    assert.equal(bad.checkTx.code, 3);
    assert.equal(bad.height, 0);
    assert.equal(bad.txResult?.code, 0);
    await assert.rejects(
      client.broadcastTxCommit({ tx: enc("slow=1") }),
      /timed out waiting for tx to be included in a block/,
    );
    pool.length = 0;
    assert.equal(chain.bus.size, 0, "every waiter unsubscribed");
  });
});
