import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import { createWriteBatch } from "../../../consensus/application.ts";
import {
  EMPTY_HASH,
  type KvStore,
  LevelKvStore,
  MemoryKvStore,
  MerkleTree,
  Prefix,
} from "../../../store/index.ts";
import { compareBytes, fromHex, toHex, utf8 } from "../../../utils/index.ts";
import { collect, prng, tempDir } from "./helpers.ts";

type Model = Map<string, Uint8Array>;

/** Commits the tree into its own db, as the node does (batch written, then onBatchWritten). */
async function commit(
  tree: MerkleTree,
  db: KvStore,
): Promise<{ version: number; hash: Uint8Array; nodeWrites: number }> {
  const batch = createWriteBatch();
  const res = await tree.commit(batch);
  await db.batch(batch.ops);
  tree.onBatchWritten();
  const nodeWrites = batch.ops.filter((op) => op.type === "put" && op.key[0] === Prefix.stateNode).length;
  return { ...res, nodeWrites };
}

function sortedModel(m: Model): [Uint8Array, Uint8Array][] {
  return [...m.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => [fromHex(k), v]);
}

/** Random block of operations over a small key space, so keys are overwritten and deleted often. */
function randomBlock(r: ReturnType<typeof prng>, n: number): { key: Uint8Array; value: Uint8Array | null }[] {
  const ops: { key: Uint8Array; value: Uint8Array | null }[] = [];
  for (let i = 0; i < n; i++) {
    const key = utf8(`k${r.int(300)}`);
    ops.push({ key, value: r.int(4) === 0 ? null : r.bytes(1 + r.int(8)) });
  }
  return ops;
}

async function assertMatches(tree: MerkleTree, model: Model, version?: number): Promise<void> {
  const expected = sortedModel(model);
  const got = await collect(version === undefined ? tree.iterate() : tree.iterateAt({}, version));
  assert.deepEqual(got, expected);
  for (const [k, v] of expected) {
    assert.deepEqual(version === undefined ? await tree.get(k) : await tree.getAt(k, version), v);
  }
}

const T = { timeout: 60_000 };

describe("MerkleTree", () => {
  it("the empty tree has root sha256('') and version 0", T, async () => {
    const tree = await MerkleTree.open(new MemoryKvStore());
    assert.equal(tree.version, 0);
    assert.deepEqual(tree.hash, EMPTY_HASH);
    assert.deepEqual(await tree.workingHash(), EMPTY_HASH);
    assert.equal(toHex(EMPTY_HASH), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  });

  it(
    "matches a sorted-map model under random blocks and reloads with the same hash (LevelDB)",
    T,
    async () => {
      const tmp = await tempDir("tree");
      const path = join(tmp.dir, "db");
      try {
        let db = await LevelKvStore.open(path);
        let tree = await MerkleTree.open(db, { cacheSize: 64 });
        const model: Model = new Map();
        const r = prng(42);
        const hashes: Uint8Array[] = [];
        for (let b = 1; b <= 30; b++) {
          for (const op of randomBlock(r, 40)) {
            if (op.value === null) {
              tree.delete(op.key);
              model.delete(toHex(op.key));
            } else {
              tree.set(op.key, op.value);
              model.set(toHex(op.key), op.value);
            }
          }
          await assertMatches(tree, model); // working view, before commit
          const wh = await tree.workingHash();
          const { version, hash } = await commit(tree, db);
          assert.equal(version, b);
          assert.deepEqual(hash, wh, "workingHash predicts the commit hash");
          hashes.push(hash);
          await assertMatches(tree, model, version);
        }
        await db.close();
        db = await LevelKvStore.open(path);
        tree = await MerkleTree.open(db, { cacheSize: 64 });
        assert.equal(tree.version, 30);
        assert.deepEqual(tree.hash, hashes[29]);
        await assertMatches(tree, model, 30);
        assert.deepEqual(await tree.rootHash(10), hashes[9]);
        await db.close();
      } finally {
        await tmp.remove();
      }
    },
  );

  it("the same final state of a block gives the same hash whatever the order of writes", T, async () => {
    const r = prng(7);
    const base = randomBlock(r, 200);
    const block = randomBlock(r, 100);
    const build = async (order: typeof block) => {
      const db = new MemoryKvStore();
      const tree = await MerkleTree.open(db);
      for (const op of base) if (op.value) tree.set(op.key, op.value);
      await commit(tree, db);
      // The final state per key: last write wins in block order.
      const last = new Map<string, (typeof block)[number]>();
      for (const op of block) last.set(toHex(op.key), op);
      // Write some noise first, then the final value of each key, in the given order.
      for (const op of order) tree.set(op.key, utf8("noise"));
      for (const op of order) {
        const fin = last.get(toHex(op.key))!;
        if (fin.value === null) tree.delete(op.key);
        else tree.set(op.key, fin.value);
      }
      return (await commit(tree, db)).hash;
    };
    const reversed = [...block].reverse();
    const shuffled = [...block].sort((a, b) => compareBytes(a.value ?? a.key, b.value ?? b.key));
    const h1 = await build(block);
    assert.deepEqual(await build(reversed), h1);
    assert.deepEqual(await build(shuffled), h1);
  });

  it("get sees uncommitted writes, discard drops them, iterate merges them in range", T, async () => {
    const db = new MemoryKvStore();
    const tree = await MerkleTree.open(db);
    for (const k of ["a", "b", "c", "d"]) tree.set(utf8(k), utf8(k));
    await commit(tree, db);
    tree.set(utf8("bb"), utf8("new"));
    tree.delete(utf8("c"));
    tree.set(utf8("a"), utf8("A"));
    assert.deepEqual(await tree.get(utf8("bb")), utf8("new"));
    assert.equal(await tree.get(utf8("c")), undefined);
    assert.deepEqual(await tree.getAt(utf8("c"), 1), utf8("c"));
    const names = (e: [Uint8Array, Uint8Array][]) => e.map(([k, v]) => `${Buffer.from(k)}=${Buffer.from(v)}`);
    assert.deepEqual(names(await collect(tree.iterate({ gte: utf8("a"), lt: utf8("d") }))), [
      "a=A",
      "b=b",
      "bb=new",
    ]);
    assert.deepEqual(names(await collect(tree.iterate({ reverse: true, limit: 3 }))), [
      "d=d",
      "bb=new",
      "b=b",
    ]);
    assert.deepEqual(names(await collect(tree.iterateAt({ gte: utf8("b"), reverse: true }, 1))), [
      "d=d",
      "c=c",
      "b=b",
    ]);
    // Ranges entirely beyond the last key, or entirely before the first, are empty (not a crash).
    assert.deepEqual(await collect(tree.iterate({ gte: utf8("x"), lt: utf8("z") })), []);
    assert.deepEqual(await collect(tree.iterateAt({ gte: utf8("e") }, 1)), []);
    assert.deepEqual(await collect(tree.iterateAt({ lt: utf8("0"), reverse: true }, 1)), []);
    const before = tree.hash;
    assert.notDeepEqual(await tree.workingHash(), before);
    tree.discard();
    assert.deepEqual(await tree.workingHash(), before);
    assert.equal(await tree.get(utf8("bb")), undefined);
    // A commit with no effective change keeps the root hash and still creates a version.
    tree.set(utf8("a"), utf8("a"));
    const res = await commit(tree, db);
    assert.equal(res.version, 2);
    assert.deepEqual(res.hash, before);
    assert.equal(res.nodeWrites, 0);
  });

  it("starts at the initial version", T, async () => {
    const db = new MemoryKvStore();
    const tree = await MerkleTree.open(db, { initialVersion: 100 });
    tree.set(utf8("k"), utf8("v"));
    assert.equal((await commit(tree, db)).version, 100);
    assert.equal((await commit(tree, db)).version, 101);
  });

  it("costs O(log n) node writes to change one key in a 10,000-key tree, and stays balanced", T, async () => {
    const db = new MemoryKvStore();
    const tree = await MerkleTree.open(db);
    const r = prng(3);
    for (let i = 0; i < 10_000; i++) tree.set(r.bytes(20), r.bytes(32));
    await commit(tree, db);
    const rootHeight = (await db.get(new Uint8Array([Prefix.stateRoot, 0, 0, 0, 0, 0, 0, 0, 1])))!.at(-1)!;
    assert.ok(rootHeight <= Math.ceil(1.45 * Math.log2(10_002)), `AVL height ${rootHeight}`);
    const some = (await collect(tree.iterate({ limit: 5000 }))).at(-1)![0];
    for (const change of ["set", "delete", "insert"] as const) {
      if (change === "set") tree.set(some, utf8("changed"));
      else if (change === "delete") tree.delete(some);
      else tree.set(r.bytes(20), utf8("new"));
      const { nodeWrites } = await commit(tree, db);
      assert.ok(nodeWrites > 0 && nodeWrites < 64, `${change}: ${nodeWrites} node writes`);
    }
  });

  it("caches the live tree, not the nodes that only old versions reach", T, async () => {
    const db = new MemoryKvStore();
    const tree = await MerkleTree.open(db);
    const r = prng(7);
    const keys = 64;
    for (let k = 0; k < keys; k++) tree.set(utf8(`k${k}`), r.bytes(8));
    await commit(tree, db);
    const first = tree.version;
    const firstValue = await tree.get(utf8("k3"));
    for (let v = 0; v < 200; v++) {
      for (let i = 0; i < 8; i++) tree.set(utf8(`k${r.int(keys)}`), r.bytes(8));
      await commit(tree, db);
    }
    // 64 live nodes plus the nodes the last two commits replaced (at most 8 paths of 8 nodes each);
    // keeping every replaced node would be about 200 x 8 x 7.
    assert.ok(tree.cachedNodes <= keys + 2 * 8 * 8, `cached ${tree.cachedNodes}`);
    // Evicted nodes are still readable from the database at the versions that use them.
    assert.deepEqual(await tree.getAt(utf8("k3"), first), firstValue);
  });

  it("keeps old versions readable until pruned, and pruning never breaks a retained version", T, async () => {
    const db = new MemoryKvStore();
    const tree = await MerkleTree.open(db);
    const r = prng(99);
    const snapshots: Model[] = [];
    const model: Model = new Map();
    for (let b = 1; b <= 20; b++) {
      for (const op of randomBlock(r, 30)) {
        if (op.value === null) {
          tree.delete(op.key);
          model.delete(toHex(op.key));
        } else {
          tree.set(op.key, op.value);
          model.set(toHex(op.key), op.value);
        }
      }
      await commit(tree, db);
      snapshots.push(new Map(model));
    }
    for (let v = 1; v <= 20; v++) await assertMatches(tree, snapshots[v - 1]!, v);
    const res = await tree.prune(8);
    assert.equal(res.versionsDeleted, 7);
    assert.ok(res.nodesDeleted > 0);
    assert.equal(tree.firstVersion, 8);
    await assert.rejects(
      tree.getAt(utf8("k1"), 7),
      (e: unknown) => (e as { code?: string }).code === "VERSION_NOT_FOUND",
    );
    // Fresh tree on the same db (cold cache): every retained version is intact.
    const cold = await MerkleTree.open(db, { cacheSize: 16 });
    assert.equal(cold.firstVersion, 8);
    for (let v = 8; v <= 20; v++) await assertMatches(cold, snapshots[v - 1]!, v);
    // Nothing unreachable is left behind: stored nodes are exactly those reachable from retained roots.
    await cold.prune(20);
    await assertMatches(cold, snapshots[19]!, 20);
    const stored = await collect(
      db.entries({ gte: new Uint8Array([Prefix.stateNode]), lt: new Uint8Array([Prefix.stateNode + 1]) }),
    );
    assert.equal(stored.length, snapshots[19]!.size, "one node per key remains after pruning all history");
    const orphans = await collect(
      db.entries({ gte: new Uint8Array([Prefix.stateOrphan]), lt: new Uint8Array([Prefix.stateOrphan + 1]) }),
    );
    assert.equal(orphans.length, 0);
    await assert.rejects(cold.prune(21), (e: unknown) => (e as { code?: string }).code === "PRUNE_LATEST");
  });

  it("an uncommitted batch that is never written leaves the previous version on reopen", T, async () => {
    const db = new MemoryKvStore();
    const tree = await MerkleTree.open(db);
    tree.set(utf8("a"), utf8("1"));
    const first = await commit(tree, db);
    tree.set(utf8("a"), utf8("2"));
    await tree.commit(createWriteBatch()); // staged, never written: as if the node crashed
    assert.deepEqual(await tree.get(utf8("a")), utf8("2"), "pinned nodes are readable before the write");
    const reopened = await MerkleTree.open(db);
    assert.equal(reopened.version, 1);
    assert.deepEqual(reopened.hash, first.hash);
    assert.deepEqual(await reopened.get(utf8("a")), utf8("1"));
  });
});
