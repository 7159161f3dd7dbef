import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ResponseFinalizeBlock } from "cosmjs-types/tendermint/abci/types";
import { createWriteBatch } from "../../../consensus/index.ts";
import {
  type BlockResults,
  BlockStore,
  decodeBlockResults,
  decodeIndexedTx,
  encodeBlockResults,
  encodeIndexedTx,
  MemoryKvStore,
} from "../../../store/index.ts";

const results: BlockResults = {
  txResults: [
    {
      code: 0,
      codespace: "",
      log: "",
      data: new Uint8Array([1, 2]),
      gasWanted: 88_732n,
      gasUsed: 68_732n,
      events: [{ type: "message", attributes: [{ key: "action", value: "/x.Msg", index: true }] }],
    },
    {
      code: 11,
      codespace: "sdk",
      log: "out of gas",
      data: new Uint8Array(),
      gasWanted: 1n,
      gasUsed: 2n,
      events: [],
    },
  ],
  events: [{ type: "mint", attributes: [{ key: "amount", value: "5", index: false }] }],
  validatorUpdates: [{ pubKey: new Uint8Array(32).fill(7), power: 10n }],
  appHash: new Uint8Array(32).fill(9),
};

describe("stored ABCI results", { timeout: 5_000 }, () => {
  it("round-trip block results as CometBFT's ResponseFinalizeBlock", () => {
    const bytes = encodeBlockResults(results);
    assert.deepEqual(decodeBlockResults(bytes), results);
    const pb = ResponseFinalizeBlock.decode(bytes);
    assert.equal(pb.txResults[1]?.code, 11);
    assert.deepEqual(pb.validatorUpdates[0]?.pubKey.ed25519, new Uint8Array(32).fill(7));
  });

  it("round-trip an indexed tx", () => {
    const t = { height: 43, index: 2, tx: new Uint8Array([5, 6]), result: results.txResults[1]! };
    assert.deepEqual(decodeIndexedTx(encodeIndexedTx(t)), t);
  });

  it("report corrupt bytes as STORE_CORRUPT", () => {
    assert.throws(() => decodeBlockResults(new Uint8Array([0xff, 0xff, 0xff])), { code: "STORE_CORRUPT" });
  });

  it("are saved by the block store in the block's batch", async () => {
    const db = new MemoryKvStore();
    const blocks = new BlockStore(db);
    const batch = createWriteBatch();
    blocks.saveBlockResults(batch, 7, results);
    assert.equal(await blocks.loadBlockResults(7), undefined);
    await db.batch(batch.ops);
    assert.deepEqual(await blocks.loadBlockResults(7), results);
    assert.equal(await blocks.loadBlockResults(8), undefined);
  });
});
