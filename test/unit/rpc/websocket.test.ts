import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { WebSocket } from "ws";
import {
  createRpcServer,
  paramString,
  RpcInvalidParamsError,
  type RpcServer,
  type WsEvent,
  type WsEventSource,
} from "../../../rpc/index.ts";
import { silentLogger } from "../../../utils/index.ts";

/** A fake event source: subscriptions by query, emitted to by hand. */
class FakeEvents implements WsEventSource {
  readonly subs = new Set<{ query: string; push: (ev: WsEvent) => void }>();
  subscribe(query: string, push: (ev: WsEvent) => void): () => void {
    if (query.includes("bad")) throw new RpcInvalidParamsError("query", "bad query");
    const sub = { query, push };
    this.subs.add(sub);
    return () => this.subs.delete(sub);
  }
  emit(query: string, ev: WsEvent): void {
    for (const s of [...this.subs]) if (s.query === query) s.push(ev);
  }
}

interface Msg {
  id: unknown;
  result?: { query?: string; data?: unknown; events?: unknown };
  error?: { code: number; message: string; data?: string };
}

/** A websocket client that queues what it receives. */
class Client {
  readonly ws: WebSocket;
  private readonly inbox: Msg[] = [];
  private waiter: (() => void) | undefined;
  readonly closed: Promise<number>;

  constructor(url: string) {
    this.ws = new WebSocket(url);
    this.ws.on("message", (d) => {
      this.inbox.push(JSON.parse(d.toString()) as Msg);
      this.waiter?.();
    });
    this.ws.on("error", () => undefined);
    this.closed = new Promise((resolve) => this.ws.on("close", (code) => resolve(code)));
  }

  open(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.ws.once("open", () => resolve());
      this.ws.once("error", reject);
    });
  }

  async next(timeoutMs = 2000): Promise<Msg> {
    const deadline = Date.now() + timeoutMs;
    while (this.inbox.length === 0) {
      if (Date.now() > deadline) throw new Error("no message");
      await new Promise<void>((resolve) => {
        this.waiter = resolve;
        setTimeout(resolve, 50);
      });
    }
    return this.inbox.shift()!;
  }

  async call(id: number, method: string, params: Record<string, unknown> = {}): Promise<Msg> {
    this.ws.send(JSON.stringify({ jsonrpc: "2.0", id, method, params }));
    return this.next();
  }

  pending(): number {
    return this.inbox.length;
  }
}

const settle = () => new Promise((r) => setTimeout(r, 50));

describe("websocket endpoint", { timeout: 20_000 }, () => {
  let server: RpcServer;
  let url = "";
  const events = new FakeEvents();
  const clients: Client[] = [];
  const connect = async () => {
    const c = new Client(url);
    clients.push(c);
    await c.open();
    return c;
  };

  before(async () => {
    server = createRpcServer(
      { laddr: "tcp://127.0.0.1:0" },
      {
        logger: silentLogger(),
        methods: { echo: async (p) => ({ name: paramString(p, "name", "") }) },
        websocket: {
          events,
          maxClients: 3,
          maxSubscriptionsPerClient: 2,
          maxSendBufferBytes: 4096,
          pingIntervalMs: 0,
        },
      },
    );
    await server.start();
    url = `ws://127.0.0.1:${server.address().port}/websocket`;
  });
  after(async () => {
    for (const c of clients) c.ws.terminate();
    await server.stop();
  });

  it("answers ordinary methods and protocol errors over the socket", async () => {
    const c = await connect();
    assert.deepEqual(await c.call(7, "echo", { name: "x" }), {
      jsonrpc: "2.0",
      id: 7,
      result: { name: "x" },
    });
    assert.equal((await c.call(8, "nope")).error?.code, -32601);
    c.ws.send("{not json");
    assert.equal((await c.next()).error?.code, -32700);
    c.ws.close();
    await c.closed;
  });

  it("pushes matching events with the subscribe request's id until unsubscribed", async () => {
    const c = await connect();
    assert.deepEqual(await c.call(42, "subscribe", { query: "tm.event='NewBlock'" }), {
      jsonrpc: "2.0",
      id: 42,
      result: {},
    });
    const ev = {
      data: { type: "tendermint/event/NewBlock", value: { n: 1 } },
      events: { "tm.event": ["NewBlock"] },
    };
    events.emit("tm.event='NewBlock'", ev);
    assert.deepEqual(await c.next(), {
      jsonrpc: "2.0",
      id: 42,
      result: { query: "tm.event='NewBlock'", data: ev.data, events: ev.events },
    });
    assert.deepEqual((await c.call(43, "unsubscribe", { query: "tm.event='NewBlock'" })).result, {});
    events.emit("tm.event='NewBlock'", ev);
    await settle();
    assert.equal(c.pending(), 0);
    assert.equal(events.subs.size, 0);
    const missing = await c.call(44, "unsubscribe", { query: "tm.event='NewBlock'" });
    assert.match(missing.error?.message ?? "", /subscription not found/);
    c.ws.close();
    await c.closed;
  });

  it("refuses duplicate, malformed and excess subscriptions, and unsubscribes all", async () => {
    const c = await connect();
    assert.deepEqual((await c.call(1, "subscribe", { query: "a.b='1'" })).result, {});
    assert.match(
      (await c.call(2, "subscribe", { query: "a.b='1'" })).error?.message ?? "",
      /already subscribed/,
    );
    const bad = await c.call(3, "subscribe", { query: "bad" });
    assert.equal(bad.error?.code, -32602);
    assert.equal((await c.call(4, "subscribe", {})).error?.code, -32602);
    assert.deepEqual((await c.call(5, "subscribe", { query: "a.b='2'" })).result, {});
    const third = await c.call(6, "subscribe", { query: "a.b='3'" });
    assert.match(third.error?.message ?? "", /max_subscriptions_per_client 2 reached/);
    assert.equal(events.subs.size, 2);
    assert.deepEqual((await c.call(7, "unsubscribe_all")).result, {});
    assert.equal(events.subs.size, 0);
    assert.match((await c.call(8, "unsubscribe_all")).error?.message ?? "", /subscription not found/);
    c.ws.close();
    await c.closed;
  });

  it("drops its subscriptions when a client goes away", async () => {
    const c = await connect();
    await c.call(1, "subscribe", { query: "x.y='1'" });
    assert.equal(events.subs.size, 1);
    c.ws.terminate();
    await c.closed;
    await settle();
    assert.equal(events.subs.size, 0);
  });

  it("drops a client whose send buffer overflows", async () => {
    const c = await connect();
    await c.call(1, "subscribe", { query: "big.one='1'" });
    events.emit("big.one='1'", { data: "x".repeat(10_000), events: {} });
    await c.closed;
    await settle();
    assert.equal(events.subs.size, 0);
  });

  it("limits the number of clients with a clear error", async () => {
    const held = [await connect(), await connect(), await connect()];
    const extra = new Client(url);
    clients.push(extra);
    const msg = await extra.next();
    assert.match(msg.error?.message ?? "", /max websocket clients \(3\) reached/);
    assert.equal(await extra.closed, 1013);
    for (const c of held) {
      c.ws.close();
      await c.closed;
    }
    await settle();
    const again = await connect();
    assert.deepEqual((await again.call(1, "echo")).result, { name: "" });
    again.ws.close();
    await again.closed;
  });

  it("answers 404 off the /websocket path", async () => {
    const ws = new WebSocket(url.replace("/websocket", "/other"));
    const err = await new Promise<Error>((resolve) => ws.on("error", resolve));
    assert.match(err.message, /404/);
  });

  it("closes every socket and subscription on stop", async () => {
    const c = await connect();
    await c.call(1, "subscribe", { query: "s.t='1'" });
    await server.stop();
    await c.closed;
    assert.equal(events.subs.size, 0);
  });
});
