import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  compareDecimal,
  MAX_QUERY_LENGTH,
  matchesEvents,
  parseQuery,
  toIndexQuery,
} from "../../../node/txQuery.ts";
import { RpcInvalidParamsError } from "../../../rpc/index.ts";

const HASH = "A4E1EFAFDE637D64FF6746DED270244DF424D69331298592EB2AD12782125B68";

function parseError(q: string, re: RegExp): void {
  assert.throws(
    () => parseQuery(q),
    (e: unknown) => e instanceof RpcInvalidParamsError && re.test(e.message),
    `query ${JSON.stringify(q)}`,
  );
}

describe("tx query: parsing", { timeout: 5_000 }, () => {
  it("parses the queries CosmJS sends", () => {
    assert.deepEqual(parseQuery(`tx.hash='${HASH}'`).conditions, [
      { tag: "tx.hash", op: "=", operand: { kind: "string", value: HASH } },
    ]);
    assert.deepEqual(parseQuery("tx.height=43").conditions, [
      { tag: "tx.height", op: "=", operand: { kind: "number", value: "43" } },
    ]);
    assert.deepEqual(parseQuery("tm.event='Tx' AND transfer.recipient='cosmos1xyz'").conditions, [
      { tag: "tm.event", op: "=", operand: { kind: "string", value: "Tx" } },
      { tag: "transfer.recipient", op: "=", operand: { kind: "string", value: "cosmos1xyz" } },
    ]);
  });

  it("parses comparisons, EXISTS and CONTAINS with free spacing", () => {
    const q = parseQuery(
      "  tx.height >= 5 AND tx.height<10 and a.b EXISTS AND c.d CONTAINS 'x y' AND e.f > -1.5 ",
    );
    assert.deepEqual(
      q.conditions.map((c) => c.op),
      [">=", "<", "EXISTS", "CONTAINS", ">"],
    );
    assert.deepEqual(q.conditions[3], { tag: "c.d", op: "CONTAINS", operand: "x y" });
    assert.deepEqual(q.conditions[4], { tag: "e.f", op: ">", operand: { kind: "number", value: "-1.5" } });
  });

  it("keeps separators and spaces inside quoted values", () => {
    assert.deepEqual(parseQuery("app.key='a AND b=c'").conditions[0], {
      tag: "app.key",
      op: "=",
      operand: { kind: "string", value: "a AND b=c" },
    });
  });

  it("rejects malformed queries as invalid params, saying why", () => {
    parseError("", /empty/);
    parseError("   ", /empty/);
    parseError("tx.height", /expected =, <, <=, >, >=, EXISTS or CONTAINS/);
    parseError("tx.height=", /expected a 'quoted string' or a number/);
    parseError("app.key='abc", /unterminated string/);
    parseError("tx.height=5 tx.height=6", /expected AND/);
    parseError("tx.height=5 AND", /expected a tag/);
    parseError("a.b < 'x'", /needs a number/);
    parseError("a.b CONTAINS 5", /quoted string/);
    parseError("a.b = 5x", /quoted string' or a number/);
    parseError("block.time > TIME 2024-01-01T00:00:00Z", /not supported/);
    parseError(`a.b='${"x".repeat(MAX_QUERY_LENGTH)}'`, /maximum query length/);
  });
});

describe("tx query: matching events", { timeout: 5_000 }, () => {
  const events = {
    "tm.event": ["Tx"],
    "tx.hash": [HASH],
    "tx.height": ["12"],
    "transfer.amount": ["100", "7.5"],
    "transfer.recipient": ["cosmos1a", "cosmos1b"],
    "message.action": ["/cosmos.bank.v1beta1.MsgSend"],
  };
  const match = (q: string) => matchesEvents(parseQuery(q), events);

  it("needs every condition and any value of a tag", () => {
    assert.ok(match("tm.event='Tx' AND transfer.recipient='cosmos1b'"));
    assert.ok(!match("tm.event='NewBlock' AND transfer.recipient='cosmos1b'"));
    assert.ok(!match("transfer.recipient='cosmos1c'"));
    assert.ok(!match("missing.key='x'"));
  });

  it("compares hashes without regard to case", () => {
    assert.ok(match(`tx.hash='${HASH.toLowerCase()}'`));
  });

  it("compares numbers exactly, decimals included", () => {
    assert.ok(match("tx.height=12 AND tx.height>11 AND tx.height<=12 AND tx.height>=12"));
    assert.ok(!match("tx.height<12"));
    assert.ok(match("transfer.amount<8"));
    assert.ok(match("transfer.amount=7.50"));
    assert.ok(!match("transfer.amount>100"));
    assert.ok(!match("message.action>1"), "a non-numeric value never satisfies a numeric condition");
  });

  it("supports EXISTS and CONTAINS", () => {
    assert.ok(match("message.action EXISTS"));
    assert.ok(!match("nope.nope EXISTS"));
    assert.ok(match("message.action CONTAINS 'MsgSend'"));
    assert.ok(!match("message.action CONTAINS 'MsgDelegate'"));
  });

  it("compareDecimal orders signed decimals", () => {
    assert.equal(compareDecimal("10", "9"), 1);
    assert.equal(compareDecimal("-10", "9"), -1);
    assert.equal(compareDecimal("1.05", "1.5"), -1);
    assert.equal(compareDecimal("2.000", "2"), 0);
    assert.equal(compareDecimal("123456789012345678901234567890", "123456789012345678901234567891"), -1);
  });
});

describe("tx query: index plan", { timeout: 5_000 }, () => {
  it("turns tx.hash into a lookup and height conditions into inclusive bounds", () => {
    const p = toIndexQuery(parseQuery(`tx.hash='${HASH.toLowerCase()}' AND tx.height>4 AND tx.height<=9`));
    assert.ok(p);
    assert.equal(Buffer.from(p.hash!).toString("hex").toUpperCase(), HASH);
    assert.equal(p.minHeight, 5);
    assert.equal(p.maxHeight, 9);
    const q = toIndexQuery(parseQuery("tx.height>=2.5 AND tx.height<7.5"));
    assert.equal(q?.minHeight, 3);
    assert.equal(q?.maxHeight, 7);
    assert.equal(toIndexQuery(parseQuery("tx.height=5"))?.maxHeight, 5);
  });

  it("knows when nothing can match", () => {
    assert.equal(toIndexQuery(parseQuery("tm.event='NewBlock' AND app.key='x'")), null);
    assert.equal(toIndexQuery(parseQuery("tx.height>9 AND tx.height<5")), null);
    assert.equal(toIndexQuery(parseQuery("tx.height=2.5")), null);
    assert.equal(toIndexQuery(parseQuery("tx.height<0")), null);
    assert.equal(toIndexQuery(parseQuery(`tx.hash='${HASH}' AND tx.hash='${"0".repeat(64)}'`)), null);
  });

  it("keeps tm.event='Tx' as no condition and attributes as filters", () => {
    const p = toIndexQuery(parseQuery("tm.event='Tx' AND app.key='k' AND app.n>3 AND app.x EXISTS"));
    assert.ok(p);
    assert.equal(p.hash, undefined);
    assert.equal(p.attributes?.length, 3);
    assert.deepEqual(p.attributes?.[0], { key: "app.key", equals: "k" });
    const num = p.attributes?.[1];
    assert.ok(num && "test" in num);
    assert.ok(num.test("4") && !num.test("3") && !num.test("abc"));
  });

  it("rejects conditions the index cannot serve", () => {
    assert.throws(() => toIndexQuery(parseQuery("tx.hash='ABC'")), RpcInvalidParamsError);
    assert.throws(() => toIndexQuery(parseQuery("tx.hash CONTAINS 'AB'")), RpcInvalidParamsError);
    assert.throws(() => toIndexQuery(parseQuery("tx.height CONTAINS '1'")), RpcInvalidParamsError);
  });
});
