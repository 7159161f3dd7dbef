/** Block sync against stub peers: ranges in flight over several peers, applied strictly in order. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  BlockSync,
  type BlockSyncComponents,
  LONG_SYNC_BLOCKS,
  SYNC_BATCH,
} from "../../../node/blockSync.ts";
import type { SyncedBlock } from "../../../proto/index.ts";
import { IcsdError, silentLogger } from "../../../utils/index.ts";

const T = { timeout: 10_000 };

/** A block of `height`; `bad` marks one the chain refuses (as applySyncedBlock refuses a bad commit). */
function block(height: number, bad = false): SyncedBlock {
  return {
    block: { header: { height, chainId: bad ? "bad" : "c-1" } },
    commit: { height },
  } as unknown as SyncedBlock;
}

interface StubPeer {
  height: number;
  /** Answers a range request (default: the blocks it holds, up to `count`). */
  serve?: (from: number, count: number) => SyncedBlock[];
}

function setup(peers: Record<string, StubPeer>, opts: { tip?: number } = {}) {
  let last = opts.tip ?? 0;
  const applied: number[] = [];
  const requests: { peer: string; from: number; count: number }[] = [];
  const penalized: string[] = [];
  const resets: number[] = [];
  /** "pause"/"resume" of live gossip, with the height the chain was at. */
  const gossip: string[] = [];
  let onHeight: ((peer: string, height: number) => void) | undefined;
  const c: BlockSyncComponents = {
    chain: {
      nextHeight: () => last + 1,
      get meta() {
        return { lastHeight: last } as BlockSyncComponents["chain"]["meta"];
      },
      validatorsForNext: () => [],
      applySyncedBlock: async (b, commit) => {
        if (b.header.height !== last + 1 || commit.height !== b.header.height)
          throw new Error(`out of order: ${b.header.height} at ${last}`);
        if (b.header.chainId === "bad") throw new IcsdError("BLOCK_INVALID", "invalid block: commit");
        await new Promise((r) => setImmediate(r));
        last = b.header.height;
        applied.push(last);
      },
    },
    driver: {
      exclusive: (fn) => fn(),
      reset: async (height) => {
        resets.push(height);
      },
    },
    network: {
      peerHeights: async () =>
        Object.entries(peers)
          .map(([peerId, p]) => ({ peerId, height: p.height }))
          .sort((a, b) => (a.peerId < b.peerId ? -1 : 1)),
      fetchBlocks: async (peer, from, count) => {
        requests.push({ peer, from, count });
        await new Promise((r) => setImmediate(r));
        const p = peers[peer]!;
        if (p.serve) return p.serve(from, count);
        const out: SyncedBlock[] = [];
        for (let h = from; h < from + count && h <= p.height; h++) out.push(block(h));
        return out;
      },
      penalize: (peer) => penalized.push(peer),
      onPeerHeight: (cb) => {
        onHeight = cb;
        return () => {};
      },
      onPeerGone: () => () => {},
      pauseLiveGossip: () => gossip.push(`pause@${last}`),
      resumeLiveGossip: () => gossip.push(`resume@${last}`),
    },
    logger: silentLogger(),
    metrics: { blocksyncBlocksTotal: { inc: () => {} } },
    expectPeers: true,
  };
  const sync = new BlockSync(c);
  return {
    sync,
    applied,
    requests,
    penalized,
    resets,
    gossip,
    height: () => last,
    connect: (peer: string, height: number) => onHeight?.(peer, height),
  };
}

describe("block sync", T, () => {
  it("fetches ranges from every peer and applies them in height order", T, async () => {
    const s = setup({ a: { height: 200 }, b: { height: 200 }, c: { height: 150 } });
    assert.equal(s.sync.catchingUp, true);
    await s.sync.poll();
    assert.deepEqual(
      s.applied,
      Array.from({ length: 200 }, (_, i) => i + 1),
    );
    assert.deepEqual(s.resets, [201]);
    assert.equal(s.sync.catchingUp, false);
    // Ranges, not single blocks; each peer asked only for heights it holds; all peers used.
    assert.ok(s.requests.every((r) => r.count <= SYNC_BATCH && r.count >= 1));
    assert.ok(s.requests.length <= Math.ceil(200 / SYNC_BATCH) + 1, `${s.requests.length} requests`);
    assert.ok(s.requests.every((r) => r.from + r.count - 1 <= (r.peer === "c" ? 150 : 200)));
    assert.deepEqual([...new Set(s.requests.map((r) => r.peer))].sort(), ["a", "b", "c"]);
    assert.deepEqual(s.penalized, []);
  });

  it("stops taking live gossip during a long catch-up, and only then", T, async () => {
    const long = setup({ a: { height: LONG_SYNC_BLOCKS + 10 } }, { tip: 10 });
    await long.sync.poll();
    assert.deepEqual(long.gossip, ["pause@10", `resume@${LONG_SYNC_BLOCKS + 10}`]);
    const short = setup({ a: { height: 10 + LONG_SYNC_BLOCKS - 1 } }, { tip: 10 });
    await short.sync.poll();
    assert.equal(short.height(), 10 + LONG_SYNC_BLOCKS - 1);
    assert.deepEqual(short.gossip, []);
    // A catch-up that fails part way still takes gossip again.
    const failing = setup({ a: { height: 200, serve: () => [] } }, { tip: 0 });
    await failing.sync.poll();
    assert.deepEqual(failing.gossip, ["pause@0", "resume@0"]);
  });

  it("leaves the height in progress alone when a round applies nothing", T, async () => {
    // Peers claim height 20 but serve nothing: consensus must not be restarted at round 0 of 11.
    const s = setup({ a: { height: 20, serve: () => [] }, b: { height: 20, serve: () => [] } }, { tip: 10 });
    await s.sync.poll();
    assert.equal(s.height(), 10);
    assert.deepEqual(s.resets, []);
  });

  it("asks again for what a short response left out", T, async () => {
    // Peer a answers at most 3 blocks per request (its size budget), peer b holds nothing.
    const s = setup({
      a: {
        height: 40,
        serve: (from, count) => Array.from({ length: Math.min(3, count) }, (_, i) => block(from + i)),
      },
      b: { height: 40, serve: () => [] },
    });
    await s.sync.poll();
    assert.equal(s.height(), 40);
    assert.deepEqual(s.penalized, []);
  });

  it("penalizes a peer serving an invalid block and takes the blocks from another", T, async () => {
    const s = setup({
      a: {
        height: 60,
        serve: (from, count) => Array.from({ length: count }, (_, i) => block(from + i, from + i === 10)),
      },
      b: { height: 60 },
    });
    await s.sync.poll();
    assert.equal(s.height(), 60);
    assert.deepEqual(s.penalized, ["a"]);
    // Left out for the rest of the round: its one range was asked again from b.
    assert.equal(s.requests.filter((r) => r.peer === "a").length, 1);
  });

  it("penalizes a malformed response but not a timeout", T, async () => {
    const s = setup({
      a: {
        height: 50,
        serve: () => {
          throw new IcsdError("BLOCKSYNC_BAD_RESPONSE", "blocks not asked for");
        },
      },
      b: {
        height: 50,
        serve: () => {
          throw new IcsdError("REQRESP_TIMEOUT", "request timed out");
        },
      },
      c: { height: 50 },
    });
    await s.sync.poll();
    assert.equal(s.height(), 50);
    assert.ok(s.penalized.includes("a"));
    assert.ok(!s.penalized.includes("b"));
  });

  it("gives up a round when every peer keeps failing, leaving the chain as it was", T, async () => {
    const s = setup({
      a: {
        height: 30,
        serve: () => {
          throw new IcsdError("REQRESP_FAILED", "stream broke");
        },
      },
    });
    await s.sync.poll();
    assert.equal(s.height(), 0);
    assert.ok(s.requests.length <= 3 + 4, `${s.requests.length} requests`);
    assert.equal(s.sync.catchingUp, true);
  });

  it("starts syncing when a peer ahead connects, without waiting for the poll interval", T, async () => {
    const peers: Record<string, StubPeer> = {};
    const s = setup(peers, { tip: 5 });
    s.sync.start(60_000);
    try {
      peers.a = { height: 25 };
      s.connect("a", 25);
      for (let i = 0; i < 200 && s.height() < 25; i++) await new Promise((r) => setTimeout(r, 5));
      assert.equal(s.height(), 25);
      assert.equal(s.applied[0], 6);
    } finally {
      s.sync.stop();
    }
  });

  it("is settled, not catching up, once a peer shows it is not behind", T, async () => {
    const s = setup({ a: { height: 7 } }, { tip: 7 });
    await s.sync.poll();
    assert.equal(s.sync.catchingUp, false);
    assert.deepEqual(s.requests, []);
  });
});
