import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createWriteBatch, type Event, type TxResult } from "../../../consensus/index.ts";
import { sha256 } from "../../../crypto/index.ts";
import { LevelKvStore, TxIndex, type TxIndexQuery } from "../../../store/index.ts";
import { tempDir } from "./helpers.ts";

function result(code: number, events: Event[]): TxResult {
  return {
    code,
    codespace: code === 0 ? "" : "sdk",
    log: code === 0 ? "" : "failed",
    data: new Uint8Array([code, 1, 2]),
    gasWanted: 200n,
    gasUsed: 100n,
    events,
  };
}

function transfer(recipient: string, amount: string): Event {
  return {
    type: "transfer",
    attributes: [
      { key: "recipient", value: recipient, index: true },
      { key: "amount", value: amount },
    ],
  };
}

const tx = (s: string) => new TextEncoder().encode(s);

describe("tx index (LevelDB)", { timeout: 20_000 }, () => {
  let db: LevelKvStore;
  let index: TxIndex;
  let remove: () => Promise<void>;

  // Heights 1..3: 2 txs at 1, 3 at 2 (one failed), 1 at 3.
  const blocks: { height: number; txs: Uint8Array[]; results: TxResult[] }[] = [
    {
      height: 1,
      txs: [tx("a"), tx("b")],
      results: [result(0, [transfer("alice", "10")]), result(0, [transfer("bob", "20")])],
    },
    {
      height: 2,
      txs: [tx("c"), tx("d"), tx("e")],
      results: [
        result(0, [transfer("alice", "30"), transfer("bob", "5")]),
        result(5, [{ type: "tx", attributes: [{ key: "fee", value: "1stake" }] }]),
        result(0, [
          {
            type: "app",
            attributes: [
              { key: "key", value: "a\u0000b'x AND y" },
              { key: "keys", value: "z" },
              { key: "secret", value: "s", index: false },
              { key: "", value: "no key" },
            ],
          },
          { type: "tx", attributes: [{ key: "height", value: "999" }] },
        ]),
      ],
    },
    { height: 3, txs: [tx("f")], results: [result(0, [transfer("alice", "40")])] },
  ];

  before(async () => {
    const t = await tempDir("txindex");
    remove = t.remove;
    db = await LevelKvStore.open(t.dir);
    index = new TxIndex(db);
    for (const b of blocks) {
      const batch = createWriteBatch();
      index.indexBlock(batch, b.height, b.txs, b.results);
      await db.batch(batch.ops, { sync: false });
    }
  });
  after(async () => {
    await db.close();
    await remove();
  });

  const where = async (q: TxIndexQuery) => (await index.search(q)).map((p) => `${p.height}/${p.index}`);

  it("finds a transaction by hash with its height, index, bytes and result", async () => {
    const t = await index.get(sha256(tx("d")));
    assert.ok(t);
    assert.equal(t.height, 2);
    assert.equal(t.index, 1);
    assert.deepEqual(t.tx, tx("d"));
    assert.equal(t.result.code, 5, "failed transactions are indexed too");
    assert.equal(t.result.codespace, "sdk");
    assert.equal(t.result.log, "failed");
    assert.deepEqual(t.result.data, new Uint8Array([5, 1, 2]));
    assert.equal(t.result.gasUsed, 100n);
    assert.equal(t.result.gasWanted, 200n);
    assert.deepEqual(t.result.events, [
      { type: "tx", attributes: [{ key: "fee", value: "1stake", index: true }] },
    ]);
    assert.equal(await index.get(sha256(tx("zzz"))), undefined);
    assert.deepEqual(await where({ hash: sha256(tx("d")) }), ["2/1"]);
  });

  it("lists everything in (height, index) order when there is no condition", async () => {
    assert.deepEqual(await where({}), ["1/0", "1/1", "2/0", "2/1", "2/2", "3/0"]);
  });

  it("scans heights as inclusive ranges", async () => {
    assert.deepEqual(await where({ minHeight: 2, maxHeight: 2 }), ["2/0", "2/1", "2/2"]);
    assert.deepEqual(await where({ minHeight: 2 }), ["2/0", "2/1", "2/2", "3/0"]);
    assert.deepEqual(await where({ maxHeight: 1 }), ["1/0", "1/1"]);
    assert.deepEqual(await where({ minHeight: 4 }), []);
    assert.deepEqual(await where({ minHeight: 3, maxHeight: 2 }), []);
  });

  it("matches attribute values exactly, any event of the tx counting", async () => {
    const alice = { key: "transfer.recipient", equals: "alice" };
    assert.deepEqual(await where({ attributes: [alice] }), ["1/0", "2/0", "3/0"]);
    assert.deepEqual(await where({ attributes: [{ key: "transfer.recipient", equals: "ali" }] }), []);
    assert.deepEqual(await where({ attributes: [alice], minHeight: 2, maxHeight: 2 }), ["2/0"]);
    // AND: both recipients in one transaction.
    assert.deepEqual(await where({ attributes: [alice, { key: "transfer.recipient", equals: "bob" }] }), [
      "2/0",
    ]);
  });

  it("evaluates comparisons over all values of a key", async () => {
    const gt = { key: "transfer.amount", test: (v: string) => Number(v) > 15 };
    assert.deepEqual(await where({ attributes: [gt] }), ["1/1", "2/0", "3/0"]);
    assert.deepEqual(await where({ attributes: [gt], maxHeight: 2 }), ["1/1", "2/0"]);
    assert.deepEqual(await where({ attributes: [gt, { key: "transfer.recipient", equals: "bob" }] }), [
      "1/1",
      "2/0",
    ]);
  });

  it("checks the other conditions when looking up by hash", async () => {
    const h = sha256(tx("c"));
    assert.deepEqual(await where({ hash: h, attributes: [{ key: "transfer.recipient", equals: "bob" }] }), [
      "2/0",
    ]);
    assert.deepEqual(
      await where({ hash: h, attributes: [{ key: "transfer.recipient", equals: "carol" }] }),
      [],
    );
    assert.deepEqual(await where({ hash: h, minHeight: 3 }), []);
  });

  it("keeps values with separator bytes and keys that prefix one another apart", async () => {
    assert.deepEqual(await where({ attributes: [{ key: "app.key", equals: "a\u0000b'x AND y" }] }), ["2/2"]);
    assert.deepEqual(await where({ attributes: [{ key: "app.key", equals: "a" }] }), []);
    assert.deepEqual(await where({ attributes: [{ key: "app.keys", equals: "z" }] }), ["2/2"]);
    assert.deepEqual(await where({ attributes: [{ key: "app.ke", test: () => true }] }), []);
  });

  it("leaves out attributes marked index:false, empty keys and the reserved tx.height", async () => {
    assert.deepEqual(await where({ attributes: [{ key: "app.secret", equals: "s" }] }), []);
    assert.deepEqual(await where({ attributes: [{ key: "app.", test: () => true }] }), []);
    assert.deepEqual(await where({ attributes: [{ key: "tx.height", equals: "999" }] }), []);
  });

  it("makes a block's transactions visible only once its batch is written", async () => {
    const batch = createWriteBatch();
    index.indexBlock(batch, 4, [tx("g")], [result(0, [transfer("dave", "1")])]);
    const dave = { attributes: [{ key: "transfer.recipient", equals: "dave" }] };
    assert.equal(await index.get(sha256(tx("g"))), undefined);
    assert.deepEqual(await where(dave), []);
    assert.deepEqual(await where({ minHeight: 4 }), []);
    await db.batch(batch.ops, { sync: false });
    assert.equal((await index.get(sha256(tx("g"))))?.height, 4);
    assert.deepEqual(await where(dave), ["4/0"]);
  });

  it("refuses a block whose results do not match its transactions", () => {
    assert.throws(() => index.indexBlock(createWriteBatch(), 5, [tx("h")], []), /1 txs but 0 results/);
  });
});
