import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { peerIdFromPrivateKey } from "@libp2p/peer-id";
import {
  generateNodeKey,
  gossipTopicId,
  MAX_GOSSIP_BYTES_LIMIT,
  peerIdFromNodeKeySeed,
  privateKeyFromNodeKeySeed,
  reqRespProtocolId,
  resolveP2pOptions,
} from "../../../p2p/index.ts";

describe("p2p node key", { timeout: 5_000 }, () => {
  it("derives the same peer id from the seed as libp2p does from the private key", () => {
    const seed = generateNodeKey();
    assert.equal(seed.length, 32);
    const id = peerIdFromNodeKeySeed(seed);
    assert.match(id, /^12D3KooW/);
    assert.equal(peerIdFromPrivateKey(privateKeyFromNodeKeySeed(seed)).toString(), id);
    assert.equal(peerIdFromNodeKeySeed(new Uint8Array(seed)), id);
  });

  it("gives different peer ids to different seeds", () => {
    assert.notEqual(peerIdFromNodeKeySeed(generateNodeKey()), peerIdFromNodeKeySeed(generateNodeKey()));
  });

  it("refuses a seed of the wrong length with a coded error", () => {
    assert.throws(() => peerIdFromNodeKeySeed(new Uint8Array(31)), { code: "P2P_INVALID_ARGUMENT" });
    assert.throws(() => privateKeyFromNodeKeySeed(new Uint8Array(33)), { code: "P2P_INVALID_ARGUMENT" });
  });
});

describe("p2p options", { timeout: 5_000 }, () => {
  it("scopes topics and protocols by chain id", () => {
    assert.equal(gossipTopicId("prov-1", "vote"), "/icsd/prov-1/vote/1");
    assert.equal(reqRespProtocolId("cons-1", "blocks"), "/icsd/cons-1/blocks/2");
  });

  it("refuses a gossip limit gossipsub cannot send", () => {
    const nodeKeySeed = generateNodeKey();
    assert.throws(() => resolveP2pOptions({ chainId: "c", nodeKeySeed, maxGossipBytes: 4 * 1024 * 1024 }), {
      code: "P2P_INVALID_ARGUMENT",
    });
    assert.throws(() => resolveP2pOptions({ chainId: "c", nodeKeySeed, maxGossipBytes: 0 }), {
      code: "P2P_INVALID_ARGUMENT",
    });
  });

  it("fills defaults and merges per-protocol limits", () => {
    const o = resolveP2pOptions({
      chainId: "c",
      nodeKeySeed: generateNodeKey(),
      reqRespLimits: {
        status: { maxRequestBytes: 10, maxResponseBytes: 10 },
        blocks: { maxRequestBytes: 1024, maxResponseBytes: 100 },
        catchup: { maxRequestBytes: 1024, maxResponseBytes: 16 * 1024 * 1024 },
      },
    });
    assert.equal(o.maxGossipBytes, MAX_GOSSIP_BYTES_LIMIT);
    assert.ok(o.maxGossipBytes > 4 * 1024 * 1024 - 32 * 1024, "whole blocks of almost 4 MiB fit");
    assert.deepEqual(o.listenAddrs, ["/ip4/127.0.0.1/tcp/0"]);
    assert.equal(o.reqRespLimits.blocks.maxResponseBytes, 100);
  });
});
