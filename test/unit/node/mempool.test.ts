import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Application, CheckTxKind, TxResult } from "../../../consensus/index.ts";
import { defaultMempoolOptions, Mempool, type MempoolOptions } from "../../../node/mempool.ts";
import { IcsdError, silentLogger } from "../../../utils/index.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

/** A sender's tx: `sender/sequence` plus optional padding to set its size. */
function stx(sender: string, sequence: number, pad = 0): Uint8Array {
  return enc.encode(`${sender}/${sequence}${pad > 0 ? `/${"x".repeat(pad)}` : ""}`);
}

/** A kvstore-style tx, without sender information. */
function kv(key: string): Uint8Array {
  return enc.encode(`${key}=v`);
}

function label(tx: Uint8Array): string {
  const s = dec.decode(tx);
  return s.includes("=") ? s : s.split("/").slice(0, 2).join("/");
}

function result(code: number, log = "", sender?: string, sequence?: bigint): TxResult {
  return {
    code,
    codespace: code === 0 ? "" : "sdk",
    log,
    data: new Uint8Array(),
    gasWanted: 0n,
    gasUsed: 0n,
    events: [],
    sender,
    sequence,
  };
}

/**
 * The SDK's check state in miniature: each sender's expected sequence, advanced by every passing
 * checkTx; `beginRecheck` resets it to the committed sequences; `commit` applies a block.
 */
class FakeSdkApp {
  readonly committed = new Map<string, number>();
  check = new Map<string, number>();
  beginRecheckCalls = 0;
  checks: { tx: string; kind: CheckTxKind }[] = [];

  async checkTx(tx: Uint8Array, kind: CheckTxKind): Promise<TxResult> {
    this.checks.push({ tx: label(tx), kind });
    const s = dec.decode(tx);
    if (s.includes("=")) return result(s.startsWith("bad") ? 1 : 0, "");
    const [sender, q] = s.split("/") as [string, string];
    const expected = this.check.get(sender) ?? 0;
    if (Number(q) !== expected) {
      return result(
        32,
        `account sequence mismatch, expected ${expected}, got ${q}: incorrect account sequence`,
      );
    }
    this.check.set(sender, expected + 1);
    return result(0, "", sender, BigInt(q));
  }

  beginRecheck(): void {
    this.beginRecheckCalls++;
    this.check = new Map(this.committed);
  }

  commit(txs: readonly Uint8Array[]): void {
    for (const tx of txs) {
      const s = dec.decode(tx);
      if (s.includes("=")) continue;
      const [sender, q] = s.split("/") as [string, string];
      this.committed.set(sender, Number(q) + 1);
    }
  }
}

function setup(opts: Partial<MempoolOptions> = {}) {
  const app = new FakeSdkApp();
  const pool = new Mempool(
    { ...defaultMempoolOptions, ...opts },
    { app: app as unknown as Application, logger: silentLogger() },
  );
  return { app, pool };
}

async function addOk(pool: Mempool, tx: Uint8Array): Promise<void> {
  const res = await pool.add(tx);
  assert.equal(res.code, 0, res.log);
}

async function rejects(p: Promise<unknown>, code: string, message?: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof IcsdError);
    assert.equal(e.code, code);
    if (message) assert.match(e.message, message);
    return true;
  });
}

describe("mempool ordering", () => {
  it("reaps in arrival order with each sender's sequences increasing", async () => {
    const { pool } = setup();
    for (const tx of [stx("a", 0), stx("b", 0), stx("a", 1), stx("c", 0), stx("b", 1), stx("a", 2)]) {
      await addOk(pool, tx);
    }
    assert.deepEqual(pool.reap(1 << 20).map(label), ["a/0", "b/0", "a/1", "c/0", "b/1", "a/2"]);
    assert.equal(pool.size(), 6);
  });

  it("never puts a tx before a lower sequence of its sender, whatever the arrival order", async () => {
    // The app here accepts any sequence, so the pool receives a/1 before a/0.
    const app = {
      checkTx: async (tx: Uint8Array) => {
        const [sender, q] = dec.decode(tx).split("/") as [string, string];
        return result(0, "", sender, BigInt(q));
      },
    };
    const pool = new Mempool(defaultMempoolOptions, {
      app: app as unknown as Application,
      logger: silentLogger(),
    });
    for (const tx of [stx("a", 2), stx("b", 0), stx("a", 1), stx("a", 0), stx("b", 1)]) {
      await addOk(pool, tx);
    }
    assert.deepEqual(pool.reap(1 << 20).map(label), ["a/0", "a/1", "a/2", "b/0", "b/1"]);
    assert.deepEqual(pool.txs(2).map(label), ["a/0", "a/1"]);
  });

  it("keeps pure arrival order for txs without sender information", async () => {
    const { pool } = setup();
    for (const k of ["z", "a", "m"]) await addOk(pool, kv(k));
    await addOk(pool, stx("s", 0));
    await addOk(pool, kv("b"));
    assert.deepEqual(pool.reap(1 << 20).map(label), ["z=v", "a=v", "m=v", "s/0", "b=v"]);
  });

  it("does not skip over a sender's gap at the byte limit", async () => {
    const { pool } = setup();
    await addOk(pool, stx("a", 0, 10)); // 14 bytes
    await addOk(pool, stx("a", 1, 100)); // 106 bytes: does not fit below
    await addOk(pool, stx("b", 0, 10)); // 14 bytes
    await addOk(pool, stx("a", 2)); // 3 bytes: fits, but must not follow a gap
    await addOk(pool, stx("b", 1)); // 3 bytes
    assert.deepEqual(pool.reap(40).map(label), ["a/0", "b/0", "b/1"]);
    assert.deepEqual(pool.reap(14).map(label), ["a/0"]);
    assert.deepEqual(pool.reap(0), []);
    assert.equal(pool.reap(1 << 20).length, 5);
  });
});

describe("mempool update and recheck", () => {
  it("removes committed txs, resets the check state and rechecks the rest in sequence order", async () => {
    const { app, pool } = setup();
    for (const tx of [stx("a", 0), stx("b", 0), stx("a", 1), stx("a", 2)]) await addOk(pool, tx);
    const block = [stx("a", 0), stx("b", 0)];
    app.commit(block);
    app.checks = [];
    await pool.update(block);
    assert.equal(app.beginRecheckCalls, 1);
    assert.deepEqual(app.checks, [
      { tx: "a/1", kind: "recheck" },
      { tx: "a/2", kind: "recheck" },
    ]);
    assert.deepEqual(pool.reap(1 << 20).map(label), ["a/1", "a/2"]);
    // The check state continues after the rechecked txs.
    await addOk(pool, stx("a", 3));
    await addOk(pool, stx("b", 1));
    assert.equal(pool.size(), 4);
  });

  it("checks a tx arriving during a recheck pass only after the pass", async () => {
    const { app, pool } = setup();
    for (const tx of [stx("a", 0), stx("a", 1), stx("a", 2)]) await addOk(pool, tx);
    const slow = app.checkTx.bind(app);
    app.checkTx = async (tx, kind) => {
      await new Promise((r) => setTimeout(r, 5));
      return await slow(tx, kind);
    };
    app.commit([stx("a", 0)]);
    const updating = pool.update([stx("a", 0)]);
    const adding = pool.add(stx("a", 3));
    await updating;
    assert.equal((await adding).code, 0);
    assert.deepEqual(pool.reap(1 << 20).map(label), ["a/1", "a/2", "a/3"]);
  });

  it("holds new txs off between lock (before the app's commit) and update", async () => {
    const { app, pool } = setup();
    await addOk(pool, stx("a", 0));
    await pool.lock();
    // The app commits an empty block and resets its check state: a/0 is no longer in it.
    app.beginRecheck();
    let added = false;
    const adding = pool.add(stx("a", 1)).then((r) => {
      added = true;
      return r;
    });
    await new Promise((r) => setTimeout(r, 10));
    assert.equal(added, false);
    await pool.update([]);
    assert.equal((await adding).code, 0);
    assert.deepEqual(pool.reap(1 << 20).map(label), ["a/0", "a/1"]);
    // Released: a later add does not wait, and unlock without lock is harmless.
    pool.unlock();
    await addOk(pool, stx("a", 2));
  });

  it("calls beginRecheck even when nothing is left to recheck", async () => {
    const { app, pool } = setup();
    await pool.update([]);
    assert.equal(app.beginRecheckCalls, 1);
    assert.equal(pool.size(), 0);
  });

  it("drops a tx failing recheck with its sender's later txs, and lets them be resubmitted", async () => {
    const { app, pool } = setup();
    for (const tx of [stx("a", 0), stx("a", 1), stx("a", 2), stx("b", 0)]) await addOk(pool, tx);
    // Another node's block spent a's sequence 0 with a different tx: a/0 here now fails on sequence.
    const other = enc.encode("a/0/other");
    app.commit([other]);
    await pool.update([other]);
    // a/0 fails, so a's later txs go too (the rule assumes they depend on it); b is untouched.
    assert.deepEqual(pool.reap(1 << 20).map(label), ["b/0"]);
    assert.equal(pool.size(), 1);
    assert.equal(pool.totalBytes(), stx("b", 0).length);
    // Forgotten by the cache: a/1 can come back (and now passes, the committed sequence being 1).
    await addOk(pool, stx("a", 1));
    await addOk(pool, stx("a", 2));
    assert.deepEqual(pool.reap(1 << 20).map(label), ["b/0", "a/1", "a/2"]);
  });

  it("keeps committed txs in the cache so they cannot re-enter", async () => {
    const { app, pool } = setup();
    await addOk(pool, stx("a", 0));
    app.commit([stx("a", 0)]);
    await pool.update([stx("a", 0)]);
    await rejects(pool.add(stx("a", 0)), "TX_IN_CACHE", /^tx already exists in cache$/);
    // Also a committed tx this pool never saw.
    app.commit([kv("x")]);
    await pool.update([kv("x")]);
    await rejects(pool.add(kv("x")), "TX_IN_CACHE");
  });

  it("drops kvstore txs that fail recheck without touching others", async () => {
    let failing = "";
    const app = {
      checkTx: async (tx: Uint8Array) => result(dec.decode(tx) === failing ? 1 : 0),
    };
    const pool = new Mempool(defaultMempoolOptions, {
      app: app as unknown as Application,
      logger: silentLogger(),
    });
    for (const k of ["a", "b", "c"]) await addOk(pool, kv(k));
    failing = "b=v";
    await pool.update([]);
    assert.deepEqual(pool.reap(1 << 20).map(label), ["a=v", "c=v"]);
    failing = "";
    await addOk(pool, kv("b"));
  });
});

describe("mempool admission", () => {
  it("returns a checkTx rejection as data and does not cache it", async () => {
    const { pool } = setup();
    const res = await pool.add(stx("a", 5));
    assert.equal(res.code, 32);
    assert.match(res.log, /account sequence mismatch, expected 0, got 5/);
    assert.equal(pool.size(), 0);
    await addOk(pool, stx("a", 0));
    assert.equal((await pool.add(stx("a", 5))).code, 32);
  });

  it("refuses duplicates, also when they arrive concurrently", async () => {
    const { pool } = setup();
    const results = await Promise.allSettled([pool.add(kv("k")), pool.add(kv("k"))]);
    assert.equal(results.filter((r) => r.status === "fulfilled").length, 1);
    const failed = results.find((r) => r.status === "rejected");
    assert.ok(failed && failed.status === "rejected" && failed.reason instanceof IcsdError);
    assert.equal(failed.reason.code, "TX_IN_CACHE");
    assert.equal(pool.size(), 1);
  });

  it("is bounded by count with CometBFT's wording", async () => {
    const { pool } = setup({ maxTxs: 2 });
    await addOk(pool, kv("a"));
    await addOk(pool, kv("b"));
    await rejects(
      pool.add(kv("c")),
      "MEMPOOL_FULL",
      /^mempool is full: number of txs 2 \(max: 2\), total txs bytes 6 \(max: 67108864\)$/,
    );
  });

  it("is bounded by bytes", async () => {
    const { pool } = setup({ maxBytes: 10 });
    await addOk(pool, kv("aaa")); // 5 bytes
    await addOk(pool, kv("bbb"));
    await rejects(pool.add(kv("c")), "MEMPOOL_FULL", /total txs bytes 10 \(max: 10\)/);
    assert.equal(pool.totalBytes(), 10);
  });

  it("refuses a tx larger than maxTxBytes, and an empty one", async () => {
    const { pool } = setup({ maxTxBytes: 4 });
    await rejects(pool.add(kv("abcd")), "TX_TOO_LARGE", /^tx too large\. Max size is 4, but got 6$/);
    await rejects(pool.add(new Uint8Array()), "TX_EMPTY");
  });

  it("forgets the oldest hashes beyond cacheSize", async () => {
    const { app, pool } = setup({ cacheSize: 2 });
    const block = [kv("a"), kv("b"), kv("c")];
    app.commit(block);
    await pool.update(block);
    await addOk(pool, kv("a"));
    await rejects(pool.add(kv("c")), "TX_IN_CACHE");
  });
});
