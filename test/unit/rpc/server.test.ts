import assert from "node:assert/strict";
import { request } from "node:http";
import { after, before, describe, it } from "node:test";
import { Counter, Registry } from "prom-client";
import { createRpcServer, paramInt, paramString, type RpcServer } from "../../../rpc/index.ts";
import { silentLogger } from "../../../utils/index.ts";

function post(port: number, body: string | Buffer): Promise<{ status: number; json: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: "127.0.0.1", port, method: "POST", path: "/", headers: { "content-type": "application/json" } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString()) }),
        );
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

async function get(port: number, path: string): Promise<{ status: number; text: string; type: string }> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: res.status, text: await res.text(), type: res.headers.get("content-type") ?? "" };
}

describe("JSON-RPC server", { timeout: 20_000 }, () => {
  let server: RpcServer;
  let port = 0;
  const registry = new Registry();
  new Counter({ name: "icsd_test_total", help: "test", registers: [registry] }).inc();

  before(async () => {
    server = createRpcServer(
      { laddr: "tcp://127.0.0.1:0", maxBodyBytes: 64 * 1024 },
      {
        logger: silentLogger(),
        metrics: registry,
        methods: {
          echo: async (p) => ({ height: paramInt(p, "height", 0), name: paramString(p, "name", "") }),
          boom: async () => {
            throw new Error("kaput");
          },
        },
      },
    );
    await server.start();
    port = server.address().port;
  });
  after(() => server.stop());

  it("answers a POST request with the echoed id and result", async () => {
    const r = await post(
      port,
      JSON.stringify({
        jsonrpc: "2.0",
        id: 123456789012,
        method: "echo",
        params: { height: "43", name: "x" },
      }),
    );
    assert.equal(r.status, 200);
    assert.deepEqual(r.json, { jsonrpc: "2.0", id: 123456789012, result: { height: 43, name: "x" } });
  });

  it("answers a batch with an array in order", async () => {
    const r = await post(
      port,
      JSON.stringify([
        { jsonrpc: "2.0", id: "a", method: "echo", params: {} },
        { jsonrpc: "2.0", id: "b", method: "nope" },
      ]),
    );
    const arr = r.json as { id: string; result?: unknown; error?: { code: number } }[];
    assert.equal(arr.length, 2);
    assert.equal(arr[0]!.id, "a");
    assert.deepEqual(arr[0]!.result, { height: 0, name: "" });
    assert.equal(arr[1]!.error?.code, -32601);
  });

  it("maps failures to JSON-RPC error codes, always with HTTP 200", async () => {
    const cases: [string, number, RegExp][] = [
      ["{not json", -32700, /Parse error/],
      [JSON.stringify({ jsonrpc: "2.0", id: 1, method: "missing" }), -32601, /missing/],
      [JSON.stringify({ jsonrpc: "2.0", id: 1, method: "echo", params: { height: "-3" } }), -32602, /height/],
      [
        JSON.stringify({ jsonrpc: "2.0", id: 1, method: "echo", params: [1] }),
        -32602,
        /params must be an object/,
      ],
      [JSON.stringify({ jsonrpc: "2.0", id: 1, method: "boom" }), -32603, /kaput/],
      [JSON.stringify({ id: 1, method: "echo" }), -32600, /jsonrpc/],
    ];
    for (const [body, code, msg] of cases) {
      const r = await post(port, body);
      assert.equal(r.status, 200);
      const err = (r.json as { error: { code: number; message: string } }).error;
      assert.equal(err.code, code, body);
      assert.match(err.message, msg);
    }
  });

  it("serves GET URI calls with CometBFT quoting", async () => {
    const r = await get(port, '/echo?height=7&name="hello"');
    assert.equal(r.status, 200);
    assert.deepEqual(JSON.parse(r.text), { jsonrpc: "2.0", id: -1, result: { height: 7, name: "hello" } });
  });

  it("serves /health and /metrics", async () => {
    assert.deepEqual(JSON.parse((await get(port, "/health")).text).result, {});
    const m = await get(port, "/metrics");
    assert.equal(m.status, 200);
    assert.match(m.type, /text\/plain/);
    assert.match(m.text, /icsd_test_total 1/);
  });

  it("refuses an oversized body with a clear error", async () => {
    const big = JSON.stringify({
      jsonrpc: "2.0",
      id: 1,
      method: "echo",
      params: { name: "x".repeat(100 * 1024) },
    });
    const r = await post(port, big);
    assert.equal(r.status, 200);
    const err = (r.json as { error: { code: number; message: string } }).error;
    assert.equal(err.code, -32600);
    assert.match(err.message, /exceeds 65536 bytes/);
  });

  it("refuses to start on a port already in use", async () => {
    const other = createRpcServer(
      { laddr: `tcp://127.0.0.1:${port}` },
      { logger: silentLogger(), methods: {} },
    );
    await assert.rejects(other.start(), /cannot listen/);
  });
});
