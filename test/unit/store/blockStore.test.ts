import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createWriteBatch } from "../../../consensus/application.ts";
import { BlockStore, MemoryKvStore, Prefix, prefixedKey } from "../../../store/index.ts";
import { uint64Be, utf8 } from "../../../utils/index.ts";

const T = { timeout: 10_000 };
const hashOf = (h: number) => new Uint8Array(32).fill(h);

async function filled(db: MemoryKvStore, from: number, to: number): Promise<BlockStore> {
  const store = new BlockStore(db);
  for (let h = from; h <= to; h++) {
    const batch = createWriteBatch();
    store.saveBlock(batch, h, hashOf(h), utf8(`block ${h}`), utf8(`commit ${h}`));
    store.saveValidatorSet(batch, h + 1, utf8(`vals ${h + 1}`));
    store.saveMeta(batch, utf8(`meta ${h}`));
    await db.batch(batch.ops);
  }
  return store;
}

describe("BlockStore", () => {
  it("is empty before the first block", T, async () => {
    const store = new BlockStore(new MemoryKvStore());
    assert.equal(await store.height(), 0);
    assert.equal(await store.baseHeight(), 0);
    assert.equal(await store.loadMeta(), undefined);
    assert.equal(await store.loadBlock(1), undefined);
  });

  it("saves and loads blocks by height and hash, commits, validator sets and meta", T, async () => {
    const store = await filled(new MemoryKvStore(), 5, 12);
    assert.equal(await store.baseHeight(), 5);
    assert.equal(await store.height(), 12);
    assert.deepEqual(await store.loadBlock(7), utf8("block 7"));
    assert.deepEqual(await store.loadBlockHash(7), hashOf(7));
    assert.deepEqual(await store.loadBlockByHash(hashOf(9)), { height: 9, block: utf8("block 9") });
    assert.equal(await store.loadBlockByHash(hashOf(99)), undefined);
    assert.deepEqual(await store.loadCommit(12), utf8("commit 12"));
    assert.deepEqual(await store.loadValidatorSet(13), utf8("vals 13"));
    assert.deepEqual(await store.loadMeta(), utf8("meta 12"));
    // Heights order numerically, not as decimal strings (256 after 255, 1000 after 999).
    const wide = await filled(new MemoryKvStore(), 255, 257);
    assert.equal(await wide.height(), 257);
  });

  it("prunes everything below the retain height and nothing above", T, async () => {
    const db = new MemoryKvStore();
    const store = await filled(db, 1, 10);
    const batch = createWriteBatch();
    assert.equal(await store.prune(6, batch), 5);
    await db.batch(batch.ops);
    assert.equal(await store.baseHeight(), 6);
    assert.equal(await store.height(), 10);
    for (let h = 1; h < 6; h++) {
      assert.equal(await store.loadBlock(h), undefined);
      assert.equal(await store.loadCommit(h), undefined);
      assert.equal(await store.loadBlockByHash(hashOf(h)), undefined);
      assert.equal(await store.loadValidatorSet(h), undefined);
    }
    assert.deepEqual(await store.loadBlock(6), utf8("block 6"));
    assert.deepEqual(await store.loadValidatorSet(6), utf8("vals 6"));
    assert.deepEqual(await store.loadBlockByHash(hashOf(6)), { height: 6, block: utf8("block 6") });
  });

  it("reads a range of blocks with their commits, ending at a gap or at the byte budget", T, async () => {
    const db = new MemoryKvStore();
    const store = await filled(db, 1, 20);
    const text = (r: { block: Uint8Array; commit: Uint8Array }[]) =>
      r.map((x) => `${new TextDecoder().decode(x.block)}/${new TextDecoder().decode(x.commit)}`);
    assert.deepEqual(text(await store.loadBlockRange(3, 3, 1 << 20)), [
      "block 3/commit 3",
      "block 4/commit 4",
      "block 5/commit 5",
    ]);
    assert.equal((await store.loadBlockRange(15, 64, 1 << 20)).length, 6, "ends at the tip");
    assert.deepEqual(await store.loadBlockRange(21, 5, 1 << 20), []);
    // "block 1/commit 1" is 15 bytes: a 40-byte budget holds two, a tiny one still gives the first.
    assert.equal((await store.loadBlockRange(1, 10, 40)).length, 2);
    assert.equal((await store.loadBlockRange(1, 10, 1)).length, 1);
    // A height missing its block, or only its commit, ends the range there.
    await db.batch([{ type: "del", key: prefixedKey(Prefix.blockByHeight, uint64Be(8)) }]);
    assert.equal((await store.loadBlockRange(5, 10, 1 << 20)).length, 3);
    await db.batch([{ type: "del", key: prefixedKey(Prefix.commitByHeight, uint64Be(13)) }]);
    assert.equal((await store.loadBlockRange(11, 10, 1 << 20)).length, 2);
  });

  it("rejects invalid heights", T, () => {
    const store = new BlockStore(new MemoryKvStore());
    assert.throws(
      () => store.saveBlock(createWriteBatch(), -1, hashOf(1), utf8("b"), utf8("c")),
      (e: unknown) => (e as { code?: string }).code === "INVALID_HEIGHT",
    );
  });
});
