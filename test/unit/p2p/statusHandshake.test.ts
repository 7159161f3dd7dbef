import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parsePeerAddr } from "../../../p2p/persistentPeers.ts";
import {
  decodeStatusRequest,
  decodeStatusResponse,
  encodeStatusRequest,
  encodeStatusResponse,
} from "../../../p2p/statusHandshake.ts";

describe("status handshake format", { timeout: 5_000 }, () => {
  it("round-trips the chain id and the node's status bytes", () => {
    assert.equal(decodeStatusRequest(encodeStatusRequest("provider-1")), "provider-1");
    const body = encodeStatusResponse("provider-1", new Uint8Array([7, 8, 9]));
    assert.deepEqual(decodeStatusResponse("provider-1", body), new Uint8Array([7, 8, 9]));
    assert.deepEqual(
      decodeStatusResponse("c", encodeStatusResponse("c", new Uint8Array())),
      new Uint8Array(),
    );
  });

  it("refuses a response naming another chain", () => {
    const body = encodeStatusResponse("consumer-1", new Uint8Array([1]));
    assert.throws(() => decodeStatusResponse("provider-1", body), { code: "P2P_WRONG_CHAIN" });
  });

  it("refuses malformed responses", () => {
    assert.throws(() => decodeStatusResponse("c", new Uint8Array()), { code: "P2P_WRONG_CHAIN" });
    assert.throws(() => decodeStatusResponse("c", new Uint8Array([5, 99])), { code: "P2P_WRONG_CHAIN" });
    assert.throws(() => decodeStatusResponse("c", new Uint8Array([1, 0xff])), { code: "P2P_WRONG_CHAIN" });
  });
});

describe("parsePeerAddr", { timeout: 5_000 }, () => {
  it("extracts the peer id", () => {
    const id = "12D3KooWPPQWRisezrMhnK4ETV2uZxFVBaM2JFQ8cEJhw9y67caa";
    assert.deepEqual(parsePeerAddr(`/ip4/127.0.0.1/tcp/1234/p2p/${id}`), {
      id,
      addr: `/ip4/127.0.0.1/tcp/1234/p2p/${id}`,
    });
  });

  it("refuses addresses without a peer id or malformed", () => {
    assert.throws(() => parsePeerAddr("/ip4/127.0.0.1/tcp/1234"), { code: "P2P_INVALID_ARGUMENT" });
    assert.throws(() => parsePeerAddr("not a multiaddr"), { code: "P2P_INVALID_ARGUMENT" });
  });
});
