/** The block-sync range protocol: what a node serves from its block store, and what a requester accepts. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createWriteBatch } from "../../../consensus/index.ts";
import { MAX_BLOCK_RESPONSE_BYTES, NodeNetwork, readBlockRange } from "../../../node/network.ts";
import type { P2p, ReqRespHandler } from "../../../p2p/index.ts";
import { icsd } from "../../../proto/gen/icsd.js";
import {
  decodeBlock,
  decodeBlockResponse,
  decodeCommit,
  encodeBlock,
  encodeBlockRequest,
  encodeBlockResponse,
  encodeCommit,
  MAX_BLOCKS_PER_REQUEST,
  type StoredBlock,
} from "../../../proto/index.ts";
import { BlockStore, MemoryKvStore } from "../../../store/index.ts";
import { IcsdError, silentLogger } from "../../../utils/index.ts";
import { fill, sampleBlock, sampleCommit, sampleHeader } from "../proto/fixtures.ts";

const T = { timeout: 10_000 };

function stored(height: number, txBytes = 0): StoredBlock {
  const txs = txBytes > 0 ? [fill(txBytes, height & 0xff)] : [];
  return {
    block: encodeBlock(sampleBlock({ header: sampleHeader({ height }), txs })),
    commit: encodeCommit(sampleCommit({ height })),
  };
}

/** A block store holding heights 1..`tip`. */
async function storeUpTo(tip: number, txBytes = 0): Promise<BlockStore> {
  const db = new MemoryKvStore();
  const blocks = new BlockStore(db);
  const batch = createWriteBatch();
  for (let h = 1; h <= tip; h++) {
    const b = stored(h, txBytes);
    blocks.saveBlock(batch, h, fill(32, h & 0xff), b.block, b.commit);
  }
  await db.batch(batch.ops);
  return blocks;
}

/** A P2p stub: records the handlers installed and answers requests with `respond`. */
function fakeP2p(respond: (req: Uint8Array) => Uint8Array = () => new Uint8Array()) {
  const handlers = new Map<string, ReqRespHandler>();
  const requests: Uint8Array[] = [];
  const p2p = {
    setStatusProvider: () => {},
    handle: (protocol: string, h: ReqRespHandler) => handlers.set(protocol, h),
    request: async (_peer: string, _protocol: string, req: Uint8Array) => {
      requests.push(req);
      return respond(req);
    },
  } as unknown as P2p;
  return { p2p, handlers, requests };
}

function serving(blocks: BlockStore) {
  const f = fakeP2p();
  new NodeNetwork("c-1", f.p2p, silentLogger(), { maxGossipBytes: 1024 * 1024 }).serve({
    status: () => ({ height: 0, earliestHeight: 1, lastBlockHash: new Uint8Array() }),
    blocks,
    catchup: () => ({ proposals: [], votes: [] }),
    onCatchup: () => {},
  });
  return f.handlers.get("blocks")!;
}

describe("serving block ranges from the block store", T, () => {
  it("answers with the stored blocks, consecutive from the requested height", T, async () => {
    const handler = serving(await storeUpTo(10));
    const res = decodeBlockResponse(await handler(encodeBlockRequest({ height: 3, count: 4 }), "peer"));
    assert.deepEqual(
      res.map((b) => [b.block.header.height, b.commit.height]),
      [
        [3, 3],
        [4, 4],
        [5, 5],
        [6, 6],
      ],
    );
    assert.deepStrictEqual(res[0]!.block, decodeBlock(stored(3).block));
    assert.deepStrictEqual(res[0]!.commit, decodeCommit(stored(3).commit));
  });

  it("stops at the last block held, and holds none past the tip", T, async () => {
    const handler = serving(await storeUpTo(10));
    const tail = decodeBlockResponse(await handler(encodeBlockRequest({ height: 8, count: 32 }), "peer"));
    assert.deepEqual(
      tail.map((b) => b.block.header.height),
      [8, 9, 10],
    );
    const none = decodeBlockResponse(await handler(encodeBlockRequest({ height: 11, count: 5 }), "peer"));
    assert.deepEqual(none, []);
  });

  it("refuses a malformed or oversized request with PROTO_DECODE", T, async () => {
    const handler = serving(await storeUpTo(3));
    const tooMany = icsd.p2p.BlockRequest.encode({ height: 1, count: MAX_BLOCKS_PER_REQUEST + 1 }).finish();
    await assert.rejects(handler(tooMany, "peer"), (e: unknown) => {
      assert.ok(e instanceof IcsdError);
      assert.equal(e.code, "PROTO_DECODE");
      assert.match(e.message, /blockRequest\.count: more than 64/);
      return true;
    });
    await assert.rejects(handler(Uint8Array.of(0xff), "peer"), { code: "PROTO_DECODE" });
    await assert.rejects(handler(encodeHeightZero(), "peer"), { code: "PROTO_DECODE" });
  });

  it("bounds a response by block count and by bytes, always sending the first block", T, async () => {
    const blocks = await storeUpTo(MAX_BLOCKS_PER_REQUEST + 10, 1000);
    assert.equal((await readBlockRange(blocks, 1, 1000)).length, MAX_BLOCKS_PER_REQUEST);
    const one = stored(1, 1000);
    const size = one.block.length + one.commit.length;
    // Room for two and a half blocks: two go.
    assert.equal((await readBlockRange(blocks, 1, 10, size * 2.5)).length, 2);
    // Less room than one block: the first still goes (a block is always far smaller than the limit).
    assert.equal((await readBlockRange(blocks, 1, 10, 10)).length, 1);
    assert.ok(MAX_BLOCK_RESPONSE_BYTES * 2 <= 16 * 1024 * 1024);
  });
});

function encodeHeightZero(): Uint8Array {
  return icsd.p2p.BlockRequest.encode({ height: 0, count: 1 }).finish();
}

describe("fetching a block range from a peer", T, () => {
  const net = (respond: (req: Uint8Array) => Uint8Array) => {
    const f = fakeP2p(respond);
    return { net: new NodeNetwork("c-1", f.p2p, silentLogger(), { maxGossipBytes: 1024 * 1024 }), f };
  };
  const response = (heights: number[], commitHeights = heights) =>
    encodeBlockResponse(
      heights.map((h, i) => ({ block: stored(h).block, commit: stored(commitHeights[i]!).commit })),
    );

  it("asks for the range and returns the decoded blocks", T, async () => {
    const { net: n, f } = net(() => response([5, 6, 7]));
    const got = await n.fetchBlocks("peer", 5, 8);
    assert.deepEqual(
      got.map((b) => b.block.header.height),
      [5, 6, 7],
    );
    assert.deepEqual(f.requests[0], encodeBlockRequest({ height: 5, count: 8 }));
  });

  it("rejects blocks that were not asked for with BLOCKSYNC_BAD_RESPONSE", T, async () => {
    const bad = [
      response([5, 6, 7]), // more than the 2 asked for
      response([6]), // does not start at the height asked for
      response([5, 7]), // not consecutive
      response([5, 6], [5, 9]), // a commit for another height
    ];
    for (const bytes of bad) {
      await assert.rejects(net(() => bytes).net.fetchBlocks("peer", 5, 2), {
        code: "BLOCKSYNC_BAD_RESPONSE",
      });
    }
  });

  it("rejects a malformed response with PROTO_DECODE", T, async () => {
    await assert.rejects(net(() => Uint8Array.of(0x22, 0x01, 0xff)).net.fetchBlocks("peer", 5, 2), {
      code: "PROTO_DECODE",
    });
  });
});
