import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { P2p } from "../../../p2p/index.ts";
import { fromUtf8, IcsdError, utf8 } from "../../../utils/index.ts";
import { addrOf, Hosts, hasPeer, sleep, waitFor } from "./harness.ts";

const limits = {
  status: { maxRequestBytes: 1024, maxResponseBytes: 1024 },
  blocks: { maxRequestBytes: 1024, maxResponseBytes: 1000 },
  catchup: { maxRequestBytes: 1024, maxResponseBytes: 1024 },
};

describe("p2p request/response over TCP", { timeout: 30_000 }, () => {
  const hosts = new Hosts();
  let server: P2p;
  let client: P2p;
  const statuses: { peer: string; status: string }[] = [];

  before(async () => {
    server = await hosts.start({ chainId: "rr-1", reqRespLimits: limits });
    server.setStatusProvider(() => utf8("height=42"));
    let mode: "echo" | "throw" | "refuse" | "slow" | "huge" = "echo";
    server.handle("blocks", async (req, from) => {
      if (mode === "throw") throw new Error("boom");
      if (mode === "refuse") throw new IcsdError("PROTO_DECODE", "blockRequest.count: more than 64");
      if (mode === "slow") await sleep(1_500);
      if (mode === "huge") return new Uint8Array(2_000); // above the server's own 1000-byte limit
      return utf8(`${fromUtf8(req)} from ${from}`);
    });
    server.handle("catchup", async (req) => {
      mode = fromUtf8(req) as typeof mode;
      return new Uint8Array();
    });
    client = await hosts.start({ chainId: "rr-1", reqRespLimits: limits, persistentPeers: [addrOf(server)] });
    client.onPeerConnected((peer, status) => statuses.push({ peer, status: fromUtf8(status) }));
    await waitFor("handshake", () => hasPeer(client, server.peerId) && hasPeer(server, client.peerId));
  });
  after(() => hosts.stopAll());

  const setMode = (m: string) => client.request(server.peerId, "catchup", utf8(m));

  it("round-trips a request and sees the remote peer id", async () => {
    await setMode("echo");
    const res = await client.request(server.peerId, "blocks", utf8("height 7"));
    assert.equal(fromUtf8(res), `height 7 from ${client.peerId}`);
    assert.ok(server.stats().requestsServed >= 2);
  });

  it("returns the remote status from the handshake and from request('status')", async () => {
    await waitFor("status callback", () => statuses.length > 0);
    assert.deepEqual(statuses, [{ peer: server.peerId, status: "height=42" }]);
    assert.equal(fromUtf8(await client.request(server.peerId, "status", new Uint8Array())), "height=42");
  });

  it("reports a throwing handler as REQRESP_FAILED", async () => {
    await setMode("throw");
    await assert.rejects(client.request(server.peerId, "blocks", utf8("x")), { code: "REQRESP_FAILED" });
  });

  it("tells the requester why a request was refused (an IcsdError from the handler)", async () => {
    await setMode("refuse");
    await assert.rejects(client.request(server.peerId, "blocks", utf8("x")), {
      code: "REQRESP_FAILED",
      message: "remote: PROTO_DECODE: blockRequest.count: more than 64",
    });
  });

  it("reports a protocol without a handler as REQRESP_FAILED", async () => {
    // The client never registered "blocks": the server asks it.
    await assert.rejects(server.request(client.peerId, "blocks", utf8("x")), { code: "REQRESP_FAILED" });
  });

  it("times out a slow handler with REQRESP_TIMEOUT", async () => {
    await setMode("slow");
    const t0 = Date.now();
    await assert.rejects(client.request(server.peerId, "blocks", utf8("x"), { timeoutMs: 300 }), {
      code: "REQRESP_TIMEOUT",
    });
    assert.ok(Date.now() - t0 < 1_400, "the timeout fired before the handler answered");
  });

  it("refuses a response above the requester's limit with REQRESP_TOO_LARGE", async () => {
    // The server may answer up to 1000 bytes on blocks; this requester accepts only 10.
    const tight = await hosts.start({
      chainId: "rr-1",
      reqRespLimits: { ...limits, blocks: { maxRequestBytes: 1024, maxResponseBytes: 10 } },
      persistentPeers: [addrOf(server)],
    });
    await waitFor("tight connected", () => hasPeer(tight, server.peerId));
    await setMode("echo");
    assert.ok((await client.request(server.peerId, "blocks", utf8("ok"))).length > 10);
    await assert.rejects(tight.request(server.peerId, "blocks", utf8("ok")), { code: "REQRESP_TOO_LARGE" });
  });

  it("refuses a response above the responder's own limit with REQRESP_TOO_LARGE", async () => {
    await setMode("huge");
    await assert.rejects(client.request(server.peerId, "blocks", utf8("x")), { code: "REQRESP_TOO_LARGE" });
  });

  it("refuses a request above the limit before sending it", async () => {
    await assert.rejects(client.request(server.peerId, "blocks", new Uint8Array(1025)), {
      code: "REQRESP_TOO_LARGE",
    });
  });

  it("reports an unknown peer as REQRESP_FAILED", async () => {
    const other = await hosts.start({ chainId: "rr-1" });
    const id = other.peerId;
    await other.stop();
    await assert.rejects(client.request(id, "blocks", utf8("x"), { timeoutMs: 2_000 }), {
      code: "REQRESP_FAILED",
    });
  });

  it("carries a multi-MiB response (a batch of blocks) intact", async () => {
    const big = { ...limits, catchup: { maxRequestBytes: 1024, maxResponseBytes: 16 * 1024 * 1024 } };
    const bigServer = await hosts.start({ chainId: "rr-1", reqRespLimits: big });
    const payload = new Uint8Array(6 * 1024 * 1024).map((_, i) => (i * 31) & 0xff);
    bigServer.handle("catchup", async () => payload);
    const bigClient = await hosts.start({
      chainId: "rr-1",
      reqRespLimits: big,
      persistentPeers: [addrOf(bigServer)],
    });
    await waitFor("big connected", () => hasPeer(bigClient, bigServer.peerId));
    const res = await bigClient.request(bigServer.peerId, "catchup", utf8("all"), { timeoutMs: 10_000 });
    assert.equal(res.length, payload.length);
    assert.deepEqual(res, payload);
  });

  it("refuses to register a handler for the status protocol", () => {
    assert.throws(() => server.handle("status", async () => new Uint8Array()), {
      code: "P2P_INVALID_ARGUMENT",
    });
  });
});
