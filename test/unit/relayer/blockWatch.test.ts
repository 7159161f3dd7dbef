import assert from "node:assert/strict";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { type WebSocket, WebSocketServer } from "ws";
import { BlockWatch, websocketUrl } from "../../../relayer/blockWatch.ts";
import { createLogger } from "../../../utils/index.ts";

const T = { timeout: 20_000 };

async function until(what: string, check: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe("websocketUrl", T, () => {
  it("turns an RPC URL into its /websocket endpoint", () => {
    assert.equal(websocketUrl("http://127.0.0.1:26657"), "ws://127.0.0.1:26657/websocket");
    assert.equal(websocketUrl("https://127.0.0.1:443/rpc/"), "wss://127.0.0.1/rpc/websocket");
  });
});

describe("BlockWatch", T, () => {
  let server: WebSocketServer;
  let rpc: string;
  const clients: WebSocket[] = [];
  const queries: string[] = [];

  before(async () => {
    server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
    await new Promise((r) => server.once("listening", r));
    rpc = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    server.on("connection", (ws) => {
      clients.push(ws);
      ws.on("message", (data) => {
        const req = JSON.parse(String(data)) as { id: number; params: { query: string } };
        queries.push(req.params.query);
        ws.send(JSON.stringify({ jsonrpc: "2.0", id: req.id, result: {} }));
      });
    });
  });
  after(async () => {
    for (const c of clients) c.terminate();
    await new Promise((r) => server.close(r));
  });

  function block(): void {
    const ev = { jsonrpc: "2.0", id: 1, result: { data: { type: "tendermint/event/NewBlock" } } };
    for (const c of clients) if (c.readyState === c.OPEN) c.send(JSON.stringify(ev));
  }

  it("wakes a waiter at a new block, long before its timeout, and reconnects after a drop", async () => {
    const abort = new AbortController();
    const watch = new BlockWatch(rpc, createLogger({ level: "silent" }), abort.signal);
    try {
      watch.start();
      await until("the subscription", () => queries.length === 1);
      assert.equal(queries[0], "tm.event='NewBlock'");
      const t0 = Date.now();
      const woken = watch.next(10_000);
      block();
      await woken;
      assert.ok(Date.now() - t0 < 5000);
      assert.equal(watch.seen, 1);

      // A block seen after the count a worker took ends its wait at once.
      const before = watch.seen;
      block();
      await until("the second block", () => watch.seen === before + 1);
      const t1 = Date.now();
      await watch.next(10_000, before);
      assert.ok(Date.now() - t1 < 1000);

      // Without blocks the wait ends at its timeout.
      const t2 = Date.now();
      await watch.next(100);
      assert.ok(Date.now() - t2 >= 90);

      // The node drops the connection: the watch subscribes again.
      for (const c of clients) c.terminate();
      await until("the second subscription", () => queries.length === 2, 10_000);
      const again = watch.next(10_000);
      block();
      await again;
      assert.equal(watch.seen, before + 2);
    } finally {
      abort.abort();
      await watch.stopped();
    }
  });
});
