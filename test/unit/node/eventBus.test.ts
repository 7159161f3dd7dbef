import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Block, TxResult } from "../../../consensus/index.ts";
import { sha256 } from "../../../crypto/index.ts";
import { type BusEvent, EventBus } from "../../../node/eventBus.ts";
import { parseQuery } from "../../../node/txQuery.ts";
import type { BlockResults } from "../../../store/index.ts";
import { toHexUpper } from "../../../utils/index.ts";
import { sampleBlock } from "../proto/fixtures.ts";

const enc = (s: string) => new TextEncoder().encode(s);

function txResult(recipient: string, code = 0): TxResult {
  return {
    code,
    codespace: "",
    log: "",
    data: new Uint8Array(),
    gasWanted: 0n,
    gasUsed: 0n,
    events: [{ type: "transfer", attributes: [{ key: "recipient", value: recipient, index: false }] }],
  };
}

function blockAt(height: number, txs: string[]): { block: Block; results: BlockResults } {
  const block = sampleBlock({ header: { ...sampleBlock().header, height }, txs: txs.map(enc) });
  return {
    block,
    results: {
      txResults: txs.map((t) => txResult(t)),
      events: [{ type: "mint", attributes: [{ key: "amount", value: String(height) }] }],
      validatorUpdates: [],
      appHash: new Uint8Array(32),
    },
  };
}

function collect(bus: EventBus, query: string): BusEvent[] {
  const out: BusEvent[] = [];
  bus.subscribe(parseQuery(query), (ev) => out.push(ev));
  return out;
}

describe("event bus", { timeout: 5_000 }, () => {
  it("publishes NewBlock, then one Tx per transaction in block order", () => {
    const bus = new EventBus();
    const all = collect(bus, "tm.event EXISTS");
    const { block, results } = blockAt(5, ["alice", "bob"]);
    bus.publishBlock(block, new Uint8Array(32), results);
    assert.deepEqual(
      all.map((e) => (e.type === "Tx" ? `Tx#${e.index}` : e.type)),
      ["NewBlock", "Tx#0", "Tx#1"],
    );
    const tx = all[1]!;
    assert.equal(tx.type, "Tx");
    if (tx.type !== "Tx") return;
    assert.equal(tx.height, 5);
    assert.deepEqual(tx.hash, sha256(enc("alice")));
    assert.deepEqual(tx.events["tm.event"], ["Tx"]);
    assert.deepEqual(tx.events["tx.hash"], [toHexUpper(sha256(enc("alice")))]);
    assert.deepEqual(tx.events["tx.height"], ["5"]);
    // Subscriptions see every attribute, indexed or not (CometBFT's pubsub).
    assert.deepEqual(tx.events["transfer.recipient"], ["alice"]);
    assert.deepEqual(all[0]!.events, { "tm.event": ["NewBlock"], "mint.amount": ["5"] });
  });

  it("delivers only what matches the query", () => {
    const bus = new EventBus();
    const blocksOnly = collect(bus, "tm.event='NewBlock'");
    const bob = collect(bus, "tm.event='Tx' AND transfer.recipient='bob'");
    const byHash = collect(bus, `tx.hash='${toHexUpper(sha256(enc("alice"))).toLowerCase()}'`);
    const late = collect(bus, "tm.event='Tx' AND tx.height>5");
    const mint = collect(bus, "tm.event='NewBlock' AND mint.amount>=6");
    for (const h of [5, 6]) {
      const { block, results } = blockAt(h, h === 5 ? ["alice", "bob"] : ["carol"]);
      bus.publishBlock(block, new Uint8Array(32), results);
    }
    assert.equal(blocksOnly.length, 2);
    assert.deepEqual(
      bob.map((e) => e.type === "Tx" && e.index),
      [1],
    );
    assert.equal(byHash.length, 1);
    assert.deepEqual(
      late.map((e) => e.type === "Tx" && e.height),
      [6],
    );
    assert.equal(mint.length, 1);
  });

  it("stops delivering after unsubscribe, and a throwing listener does not stop the others", () => {
    const bus = new EventBus();
    let got = 0;
    const unsubscribe = bus.subscribe(parseQuery("tm.event='NewBlock'"), () => got++);
    bus.subscribe(parseQuery("tm.event='NewBlock'"), () => {
      throw new Error("bad listener");
    });
    const after = collect(bus, "tm.event='NewBlock'");
    assert.equal(bus.size, 3);
    const { block, results } = blockAt(1, []);
    bus.publishBlock(block, new Uint8Array(32), results);
    unsubscribe();
    bus.publishBlock(block, new Uint8Array(32), results);
    assert.equal(got, 1);
    assert.equal(after.length, 2);
    assert.equal(bus.size, 2);
  });

  it("lets a listener unsubscribe another during delivery", () => {
    const bus = new EventBus();
    let second = 0;
    let unsubscribeSecond = () => {};
    bus.subscribe(parseQuery("tm.event='NewBlock'"), () => unsubscribeSecond());
    unsubscribeSecond = bus.subscribe(parseQuery("tm.event='NewBlock'"), () => second++);
    const { block, results } = blockAt(1, []);
    bus.publishBlock(block, new Uint8Array(32), results);
    assert.equal(second, 0);
  });
});
