import assert from "node:assert/strict";
import { appendFile, readFile, stat, truncate, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, it } from "node:test";
import { encodeWalRecord, Wal, WalTag } from "../../../store/index.ts";
import { utf8 } from "../../../utils/index.ts";
import { tempDir } from "./helpers.ts";

const T = { timeout: 20_000 };

async function withWalDir(f: (path: string) => Promise<void>): Promise<void> {
  const tmp = await tempDir("wal");
  try {
    await f(join(tmp.dir, "cs.wal"));
  } finally {
    await tmp.remove();
  }
}

describe("Wal", () => {
  it("round trips records and replays the messages after EndHeight(h)", T, () =>
    withWalDir(async (path) => {
      const wal = await Wal.open(path);
      assert.deepEqual(wal.recovered, { records: 0, truncatedBytes: 0 });
      await wal.appendEndHeight(0);
      await wal.append(utf8("h1-a"));
      await wal.append(utf8("h1-b"), { sync: true });
      await wal.appendEndHeight(1);
      // Writes issued without awaiting stay in call order.
      const pending = [
        wal.append(utf8("h2-a")),
        wal.append(utf8("h2-b")),
        wal.append(utf8("h2-c"), { sync: true }),
      ];
      await Promise.all(pending);
      const now = await wal.records();
      assert.equal(now.length, 7);
      assert.equal(now[3]!.tag, WalTag.EndHeight);
      await wal.close();

      const again = await Wal.open(path);
      assert.deepEqual(again.recovered, { records: 7, truncatedBytes: 0 });
      const text = (ps: Uint8Array[]) => ps.map((p) => Buffer.from(p).toString());
      assert.deepEqual(text(again.messagesAfterEndHeight(0)), ["h1-a", "h1-b"]);
      assert.deepEqual(text(again.messagesAfterEndHeight(1)), ["h2-a", "h2-b", "h2-c"]);
      assert.equal(again.hasEndHeight(1), true);
      assert.equal(again.hasEndHeight(2), false);
      assert.deepEqual(again.messagesAfterEndHeight(2), []);
      await again.close();
    }),
  );

  it("cuts a garbage tail, reports the bytes, and later appends work", T, () =>
    withWalDir(async (path) => {
      const wal = await Wal.open(path);
      await wal.appendEndHeight(4);
      await wal.append(utf8("m1"), { sync: true });
      await wal.close();
      const goodSize = (await stat(path)).size;
      await appendFile(path, Buffer.from("this is not a record at all"));
      const reopened = await Wal.open(path);
      assert.deepEqual(reopened.recovered, { records: 2, truncatedBytes: 27 });
      assert.equal((await stat(path)).size, goodSize);
      await reopened.append(utf8("m2"), { sync: true });
      await reopened.close();
      const third = await Wal.open(path);
      assert.equal(third.recovered.truncatedBytes, 0);
      assert.deepEqual(
        third.messagesAfterEndHeight(4).map((p) => Buffer.from(p).toString()),
        ["m1", "m2"],
      );
      await third.close();
    }),
  );

  it("cuts a truncated last record and a record with a bad crc", T, () =>
    withWalDir(async (path) => {
      const wal = await Wal.open(path);
      await wal.appendEndHeight(1);
      await wal.append(utf8("kept"));
      await wal.append(utf8("torn record payload"), { sync: true });
      await wal.close();
      const full = (await stat(path)).size;
      await truncate(path, full - 5); // a crash mid-write
      const torn = await Wal.open(path);
      const tornRecord = 9 + "torn record payload".length;
      assert.deepEqual(torn.recovered, { records: 2, truncatedBytes: tornRecord - 5 });
      await torn.close();

      // Flip one payload byte of the last record: the crc no longer matches.
      const bytes = new Uint8Array(await readFile(path));
      const bad = encodeWalRecord(WalTag.Message, utf8("corrupt"));
      bad[bad.length - 1]! ^= 0xff;
      await writeFile(path, Buffer.concat([bytes, bad]));
      const corrupt = await Wal.open(path);
      assert.deepEqual(corrupt.recovered, { records: 2, truncatedBytes: bad.length });
      // An impossible length is corruption too.
      await corrupt.close();
      const huge = encodeWalRecord(WalTag.Message, utf8("x"));
      new DataView(huge.buffer).setUint32(4, 0xffffffff);
      await appendFile(path, huge);
      const third = await Wal.open(path);
      assert.deepEqual(third.recovered, { records: 2, truncatedBytes: huge.length });
      await third.close();
    }),
  );

  it("rotates past maxBytes after an EndHeight, keeping only that marker", T, () =>
    withWalDir(async (path) => {
      const wal = await Wal.open(path, { maxBytes: 200 });
      await wal.appendEndHeight(0);
      for (let i = 0; i < 10; i++) await wal.append(utf8(`message number ${i}`));
      assert.ok(wal.sizeBytes > 200);
      await wal.appendEndHeight(1);
      assert.equal(wal.sizeBytes, 17);
      assert.equal((await stat(path)).size, 17);
      await wal.append(utf8("after"), { sync: true });
      await wal.close();
      const again = await Wal.open(path, { maxBytes: 200 });
      assert.deepEqual(again.recovered, { records: 2, truncatedBytes: 0 });
      assert.equal(again.hasEndHeight(0), false);
      assert.deepEqual(
        again.messagesAfterEndHeight(1).map((p) => Buffer.from(p).toString()),
        ["after"],
      );
      await again.close();
    }),
  );

  it("buffers unsynced records and writes them, in order, ahead of the next synced one", T, () =>
    withWalDir(async (path) => {
      const wal = await Wal.open(path);
      await wal.appendEndHeight(0);
      await wal.append(utf8("peer vote"));
      // Not on disk yet: a crash now loses only these unsynced records.
      assert.equal((await stat(path)).size, 0);
      await wal.append(utf8("own vote"), { sync: true });
      const onDisk = await readFile(path);
      // What a crash right now would leave: reopen a copy without closing the original.
      const copy = `${path}.copy`;
      await writeFile(copy, onDisk);
      const crashed = await Wal.open(copy);
      assert.deepEqual(
        crashed.messagesAfterEndHeight(0).map((p) => Buffer.from(p).toString()),
        ["peer vote", "own vote"],
      );
      await crashed.close();
      // Unsynced records reach the file by the end of the event-loop turn, without a sync.
      await wal.append(utf8("later"));
      await new Promise((r) => setImmediate(r));
      await wal.flush();
      assert.equal((await wal.records()).length, 4);
      assert.equal((await stat(path)).size, wal.sizeBytes);
      await wal.close();
    }),
  );

  it("rejects writes after close", T, () =>
    withWalDir(async (path) => {
      const wal = await Wal.open(path);
      await wal.close();
      await assert.rejects(
        wal.append(utf8("x")),
        (e: unknown) => (e as { code?: string }).code === "WAL_CLOSED",
      );
    }),
  );
});
