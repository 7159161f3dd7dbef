import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import { type KvStore, LevelKvStore, MemoryKvStore, PrefixedKvStore } from "../../../store/index.ts";
import { fromUtf8, utf8 } from "../../../utils/index.ts";
import { collect, tempDir } from "./helpers.ts";

const T = { timeout: 20_000 };
const keysOf = (entries: [Uint8Array, Uint8Array][]): string[] => entries.map(([k]) => fromUtf8(k));

function suite(name: string, make: () => Promise<{ db: KvStore; cleanup: () => Promise<void> }>): void {
  describe(`${name} behaves as a KvStore`, () => {
    const withDb = async (f: (db: KvStore) => Promise<void>): Promise<void> => {
      const { db, cleanup } = await make();
      try {
        await f(db);
      } finally {
        await db.close();
        await cleanup();
      }
    };

    it("puts, gets, deletes and returns undefined for missing keys", T, () =>
      withDb(async (db) => {
        assert.equal(await db.get(utf8("a")), undefined);
        await db.put(utf8("a"), utf8("1"));
        assert.deepEqual(await db.get(utf8("a")), utf8("1"));
        await db.put(utf8("a"), utf8("2"));
        assert.deepEqual(await db.get(utf8("a")), utf8("2"));
        await db.del(utf8("a"));
        assert.equal(await db.get(utf8("a")), undefined);
        await db.put(utf8("e"), new Uint8Array(0));
        assert.deepEqual(await db.get(utf8("e")), new Uint8Array(0));
      }),
    );

    it("applies a batch in order and getMany keeps positions", T, () =>
      withDb(async (db) => {
        await db.batch(
          [
            { type: "put", key: utf8("x"), value: utf8("1") },
            { type: "put", key: utf8("y"), value: utf8("2") },
            { type: "del", key: utf8("x") },
            { type: "put", key: utf8("z"), value: utf8("3") },
          ],
          { sync: true },
        );
        const got = await db.getMany([utf8("x"), utf8("y"), utf8("nope"), utf8("z")]);
        assert.deepEqual(got, [undefined, utf8("2"), undefined, utf8("3")]);
      }),
    );

    it("iterates byte-lexicographically with bounds, reverse and limit", T, () =>
      withDb(async (db) => {
        for (const k of ["b", "a", "ab", "c", "ba", "\u00ff"]) await db.put(utf8(k), utf8(k));
        await db.put(new Uint8Array([0]), utf8("zero"));
        const all = await collect(db.entries({}));
        assert.deepEqual(keysOf(all.slice(1)), ["a", "ab", "b", "ba", "c", "\u00ff"]);
        assert.deepEqual(all[0]![0], new Uint8Array([0]));
        assert.deepEqual(keysOf(await collect(db.entries({ gte: utf8("ab"), lt: utf8("c") }))), [
          "ab",
          "b",
          "ba",
        ]);
        assert.deepEqual(
          keysOf(await collect(db.entries({ gte: utf8("ab"), lt: utf8("c"), reverse: true }))),
          ["ba", "b", "ab"],
        );
        assert.deepEqual(keysOf(await collect(db.entries({ gte: utf8("a"), limit: 2 }))), ["a", "ab"]);
        assert.deepEqual(keysOf(await collect(db.entries({ lt: utf8("c"), reverse: true, limit: 2 }))), [
          "ba",
          "b",
        ]);
        assert.deepEqual(await collect(db.entries({ gte: utf8("c"), lt: utf8("b") })), []);
      }),
    );

    it("a prefixed view only sees and writes its namespace", T, () =>
      withDb(async (db) => {
        await db.put(utf8("a1"), utf8("outside"));
        await db.put(utf8("b"), utf8("outside"));
        const view = new PrefixedKvStore(db, utf8("p/"));
        await view.put(utf8("k1"), utf8("v1"));
        await view.batch([{ type: "put", key: utf8("k2"), value: utf8("v2") }]);
        assert.deepEqual(await db.get(utf8("p/k1")), utf8("v1"));
        assert.deepEqual(await view.get(utf8("k2")), utf8("v2"));
        assert.deepEqual(keysOf(await collect(view.entries({}))), ["k1", "k2"]);
        assert.deepEqual(keysOf(await collect(view.entries({ reverse: true, limit: 1 }))), ["k2"]);
      }),
    );
  });
}

suite("MemoryKvStore", async () => ({ db: new MemoryKvStore(), cleanup: async () => {} }));

suite("LevelKvStore", async () => {
  const tmp = await tempDir("kv");
  return { db: await LevelKvStore.open(join(tmp.dir, "db")), cleanup: tmp.remove };
});

describe("LevelKvStore.open", () => {
  it("persists across reopen", T, async () => {
    const tmp = await tempDir("kv");
    try {
      const path = join(tmp.dir, "db");
      const db = await LevelKvStore.open(path);
      await db.put(utf8("k"), utf8("v"), { sync: true });
      await db.close();
      const again = await LevelKvStore.open(path);
      assert.deepEqual(await again.get(utf8("k")), utf8("v"));
      await again.close();
    } finally {
      await tmp.remove();
    }
  });

  it("fails with DB_LOCKED while another instance holds the database", T, async () => {
    const tmp = await tempDir("kv");
    try {
      const path = join(tmp.dir, "db");
      const first = await LevelKvStore.open(path);
      try {
        await assert.rejects(
          LevelKvStore.open(path),
          (e: unknown) => (e as { code?: string }).code === "DB_LOCKED",
        );
      } finally {
        await first.close();
      }
      // Once released it opens again.
      const second = await LevelKvStore.open(path);
      await second.close();
    } finally {
      await tmp.remove();
    }
  });
});
