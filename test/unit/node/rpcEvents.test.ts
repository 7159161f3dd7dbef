import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Comet38Client, type comet38, WebsocketClient } from "@cosmjs/tendermint-rpc";
import { WebSocket } from "ws";
import type { Stream } from "xstream";
import { sha256 } from "../../../crypto/index.ts";
import { wsEventSource } from "../../../node/rpcEvents.ts";
import { blockHash } from "../../../proto/index.ts";
import { createRpcServer, type RpcServer } from "../../../rpc/index.ts";
import { silentLogger, toBase64, toHexUpper } from "../../../utils/index.ts";
import { enc, FakeChain, until } from "./fakeChain.ts";

/** Collects a CosmJS event stream. */
function listen<T>(stream: Stream<T>): { got: T[]; stop: () => void } {
  const got: T[] = [];
  const listener = { next: (x: T) => got.push(x), error: () => undefined, complete: () => undefined };
  stream.addListener(listener);
  return { got, stop: () => stream.removeListener(listener) };
}

describe("websocket subscriptions through CosmJS's WebsocketClient", { timeout: 30_000 }, () => {
  const chain = new FakeChain();
  let server: RpcServer;
  let http = "";

  before(async () => {
    await chain.commit([enc("k1=v1")]);
    server = createRpcServer(
      { laddr: "tcp://127.0.0.1:0" },
      {
        logger: silentLogger(),
        methods: {},
        websocket: { events: wsEventSource(chain.bus, chain), pingIntervalMs: 0 },
      },
    );
    await server.start();
    http = `http://127.0.0.1:${server.address().port}`;
  });
  after(() => server.stop());

  it("subscribeNewBlock and subscribeTx over the websocket", async () => {
    const wsClient = new WebsocketClient(http.replace("http", "ws"));
    const ws = Comet38Client.create(wsClient);
    try {
      const blocks = listen<comet38.NewBlockEvent>(ws.subscribeNewBlock());
      const txs = listen<comet38.TxEvent>(ws.subscribeTx("app.key='w1'"));
      await until(() => chain.bus.size === 2);
      const start = chain.meta.lastHeight;
      await chain.commit([enc("w0=a"), enc("w1=b")]);
      await chain.commit([]);
      await until(() => blocks.got.length === 2 && txs.got.length === 1);
      assert.deepEqual(
        blocks.got.map((b) => b.header.height),
        [start + 1, start + 2],
      );
      assert.deepEqual(blocks.got[0]?.txs, [enc("w0=a"), enc("w1=b")]);
      assert.deepEqual(
        blocks.got[1]?.lastCommit?.blockId.hash,
        blockHash((await chain.loadBlock(start + 1))!.block),
      );
      const t = txs.got[0]!;
      assert.equal(t.height, start + 1);
      assert.deepEqual(t.tx, enc("w1=b"));
      assert.deepEqual(t.hash, sha256(enc("w1=b")));
      assert.equal(t.result.code, 0);
      blocks.stop();
      txs.stop();
      await until(() => chain.bus.size === 0);
    } finally {
      ws.disconnect();
      // CosmJS's ReconnectingSocket reconnects even after a deliberate disconnect (each close arms a
      // timer): disarm it so the test process can exit.
      const rs = (
        wsClient as unknown as {
          socket: { reconnectTimeout: NodeJS.Timeout | null; socket: { reconnect: () => void } };
        }
      ).socket;
      rs.socket.reconnect = () => undefined;
      if (rs.reconnectTimeout) clearTimeout(rs.reconnectTimeout);
    }
  });

  it("pushes CometBFT 0.38's raw event JSON and refuses a malformed query", async () => {
    const ws = new WebSocket(`${http.replace("http", "ws")}/websocket`);
    const inbox: { id: number; result?: Record<string, unknown>; error?: { code: number } }[] = [];
    ws.on("message", (d) => inbox.push(JSON.parse(d.toString())));
    await new Promise((resolve) => ws.once("open", resolve));
    try {
      ws.send(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "subscribe", params: { query: "tm.event=" } }));
      ws.send(
        JSON.stringify({ jsonrpc: "2.0", id: 2, method: "subscribe", params: { query: "tm.event='Tx'" } }),
      );
      const q = "tm.event='NewBlock'";
      ws.send(JSON.stringify({ jsonrpc: "2.0", id: 3, method: "subscribe", params: { query: q } }));
      await until(() => inbox.length === 3);
      assert.equal(inbox.find((m) => m.id === 1)?.error?.code, -32602);
      await chain.commit([enc("raw=1")], {
        events: [{ type: "mint", attributes: [{ key: "amount", value: "9" }] }],
      });
      await until(() => inbox.length === 5);
      const height = String(chain.meta.lastHeight);
      const hash = toHexUpper(sha256(enc("raw=1")));
      const tx = inbox.find((m) => m.id === 2 && m.result?.data) as { result: Record<string, unknown> };
      assert.deepEqual(tx.result.data, {
        type: "tendermint/event/Tx",
        value: {
          TxResult: {
            height,
            index: 0,
            tx: toBase64(enc("raw=1")),
            result: {
              code: 0,
              data: toBase64(enc("1")),
              log: "",
              info: "",
              gas_wanted: "10",
              gas_used: "9",
              events: [
                {
                  type: "app",
                  attributes: [
                    { key: "key", value: "raw", index: true },
                    { key: "creator", value: "kvstore", index: true },
                  ],
                },
              ],
              codespace: "",
            },
          },
        },
      });
      assert.deepEqual(tx.result.events, {
        "tx.hash": [hash],
        "tx.height": [height],
        "app.key": ["raw"],
        "app.creator": ["kvstore"],
        "tm.event": ["Tx"],
      });
      type NewBlockJson = {
        query: string;
        events: unknown;
        data: {
          type: string;
          value: {
            block: { header: { height: string } };
            block_id: { parts: { total: number } };
            result_finalize_block: { tx_results: { gas_used: string }[]; app_hash: string };
          };
        };
      };
      const nb = inbox.find((m) => m.id === 3 && m.result?.data) as unknown as { result: NewBlockJson };
      assert.equal(nb.result.query, q);
      assert.equal(nb.result.data.type, "tendermint/event/NewBlock");
      assert.equal(nb.result.data.value.block.header.height, height);
      assert.equal(nb.result.data.value.block_id.parts.total, 1);
      assert.equal(nb.result.data.value.result_finalize_block.tx_results[0]?.gas_used, "9");
      assert.equal(typeof nb.result.data.value.result_finalize_block.app_hash, "string");
      assert.deepEqual(nb.result.events, { "tm.event": ["NewBlock"], "mint.amount": ["9"] });
    } finally {
      ws.terminate();
    }
  });
});
