import { RpcInvalidParamsError } from "../rpc/index.ts";
import type { AttributeFilter, TxIndexQuery } from "../store/index.ts";
import { fromHex } from "../utils/index.ts";

// The subset of CometBFT's pubsub query language (libs/pubsub/query) that tx_search and subscribe take:
//   query     := condition { "AND" condition }
//   condition := tag op operand | tag "EXISTS" | tag "CONTAINS" string
//   op        := "=" | "<" | "<=" | ">" | ">="
//   operand   := string ('single quoted', no escapes) | number (-?digits[.digits])
// A condition holds when any value of its tag satisfies it; all conditions must hold.

/** A comparison operator. */
export type CompareOp = "=" | "<" | "<=" | ">" | ">=";

/** A literal in a query: quoted text, or a decimal number (kept as text, compared exactly). */
export type Operand =
  | { readonly kind: "string"; readonly value: string }
  | { readonly kind: "number"; readonly value: string };

/** One condition of a query. */
export type Condition =
  | { readonly tag: string; readonly op: CompareOp; readonly operand: Operand }
  | { readonly tag: string; readonly op: "EXISTS" }
  | { readonly tag: string; readonly op: "CONTAINS"; readonly operand: string };

/** A parsed query: its conditions, all of which must hold. */
export interface Query {
  readonly text: string;
  readonly conditions: readonly Condition[];
}

/** Longest query accepted (CometBFT's maxQueryLength). */
export const MAX_QUERY_LENGTH = 512;

const NUMBER = /^-?\d+(\.\d+)?$/;

function fail(what: string): never {
  throw new RpcInvalidParamsError("query", what);
}

/** Parses a query; a malformed one throws RpcInvalidParamsError (-32602) saying where and why. */
export function parseQuery(text: string): Query {
  if (text.length > MAX_QUERY_LENGTH) fail(`maximum query length (${MAX_QUERY_LENGTH}) exceeded`);
  let pos = 0;
  const skipWs = () => {
    while (pos < text.length && /\s/.test(text[pos]!)) pos++;
  };
  const take = (re: RegExp): string | undefined => {
    const m = re.exec(text.slice(pos));
    if (!m) return undefined;
    pos += m[0].length;
    return m[0];
  };
  const quoted = (): string => {
    if (text[pos] !== "'") fail(`expected a 'quoted string' at position ${pos}`);
    const end = text.indexOf("'", pos + 1);
    if (end < 0) fail(`unterminated string starting at position ${pos}`);
    const s = text.slice(pos + 1, end);
    pos = end + 1;
    return s;
  };
  const condition = (): Condition => {
    skipWs();
    const at = pos;
    const tag = take(/^[^\s=<>'"!()]+/);
    if (!tag) fail(`expected a tag (like transfer.recipient) at position ${at}`);
    skipWs();
    if (take(/^EXISTS(?=\s|$)/i)) return { tag, op: "EXISTS" };
    if (take(/^CONTAINS(?=\s|')/i)) {
      skipWs();
      return { tag, op: "CONTAINS", operand: quoted() };
    }
    const op = take(/^(<=|>=|=|<|>)/) as CompareOp | undefined;
    if (!op) fail(`expected =, <, <=, >, >=, EXISTS or CONTAINS after ${tag} at position ${pos}`);
    skipWs();
    if (text[pos] === "'") {
      const value = quoted();
      if (op !== "=") fail(`operator ${op} needs a number, got '${value}'`);
      return { tag, op, operand: { kind: "string", value } };
    }
    if (/^(TIME|DATE)\s/i.test(text.slice(pos))) fail(`TIME and DATE operands are not supported (${tag})`);
    const num = take(/^-?\d+(\.\d+)?(?=\s|$)/);
    if (!num) fail(`expected a 'quoted string' or a number after ${tag} ${op} at position ${pos}`);
    return { tag, op, operand: { kind: "number", value: num } };
  };
  skipWs();
  if (pos === text.length) fail("query is empty");
  const conditions = [condition()];
  skipWs();
  while (pos < text.length) {
    if (!take(/^AND(?=\s|$)/i)) fail(`expected AND at position ${pos}`);
    conditions.push(condition());
    skipWs();
  }
  return { text, conditions };
}

/** Exact comparison of two decimal numbers given as text (a - b: negative, zero or positive). */
export function compareDecimal(a: string, b: string): number {
  const scale = (s: string, digits: number): bigint => {
    const neg = s.startsWith("-");
    const [int, frac = ""] = (neg ? s.slice(1) : s).split(".");
    const v = BigInt(int! + frac.padEnd(digits, "0"));
    return neg ? -v : v;
  };
  const digits = Math.max(a.split(".")[1]?.length ?? 0, b.split(".")[1]?.length ?? 0);
  const d = scale(a, digits) - scale(b, digits);
  return d < 0n ? -1 : d > 0n ? 1 : 0;
}

/** Whether one value of the condition's tag satisfies it. */
export function matchValue(c: Condition, value: string): boolean {
  if (c.op === "EXISTS") return true;
  if (c.op === "CONTAINS") return value.includes(c.operand);
  if (c.operand.kind === "string") {
    // Hashes are hex: CosmJS sends them uppercase, curl users may not.
    return c.tag === "tx.hash"
      ? value.toUpperCase() === c.operand.value.toUpperCase()
      : value === c.operand.value;
  }
  if (!NUMBER.test(value)) return false;
  const d = compareDecimal(value, c.operand.value);
  switch (c.op) {
    case "=":
      return d === 0;
    case "<":
      return d < 0;
    case "<=":
      return d <= 0;
    case ">":
      return d > 0;
    default:
      return d >= 0;
  }
}

/** Whether an event's composite keys (`tm.event`, `tx.hash`, `type.key` -> values) satisfy the query. */
export function matchesEvents(q: Query, events: Readonly<Record<string, readonly string[]>>): boolean {
  return q.conditions.every((c) => (events[c.tag] ?? []).some((v) => matchValue(c, v)));
}

function floorCeil(n: string): { floor: bigint; ceil: bigint } {
  const neg = n.startsWith("-");
  const [int, frac = ""] = (neg ? n.slice(1) : n).split(".");
  const whole = BigInt(int!);
  const exact = /^0*$/.test(frac);
  if (!neg) return { floor: whole, ceil: exact ? whole : whole + 1n };
  return { floor: exact ? -whole : -whole - 1n, ceil: -whole };
}

function clampHeight(n: bigint): number {
  if (n < 0n) return 0;
  return n > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(n);
}

/**
 * Turns a query into what the tx index can look up, or null when no transaction can match (e.g.
 * `tm.event='NewBlock'`, or two different hashes). Conditions the index cannot serve throw -32602.
 */
export function toIndexQuery(q: Query): TxIndexQuery | null {
  let hash: Uint8Array | undefined;
  let min = 0n;
  let max = BigInt(Number.MAX_SAFE_INTEGER);
  const attributes: AttributeFilter[] = [];
  for (const c of q.conditions) {
    if (c.tag === "tm.event") {
      // Everything in the tx index is a Tx event.
      if (!matchValue(c, "Tx")) return null;
    } else if (c.tag === "tx.hash") {
      if (c.op === "EXISTS") continue;
      if (c.op !== "=" || c.operand.kind !== "string" || !/^[0-9a-fA-F]{64}$/.test(c.operand.value)) {
        fail("tx.hash takes = and a quoted 64-digit hex hash, e.g. tx.hash='A4E1…5B68'");
      }
      const h = fromHex(c.operand.value);
      if (hash && Buffer.compare(hash, h) !== 0) return null;
      hash = h;
    } else if (c.tag === "tx.height") {
      if (c.op === "EXISTS") continue;
      if (c.op === "CONTAINS") fail("tx.height takes =, <, <=, >, >= and a number");
      const v = c.operand.value;
      if (!NUMBER.test(v)) return null;
      const { floor, ceil } = floorCeil(v);
      if (c.op === "=") {
        if (floor !== ceil) return null;
        if (floor > min) min = floor;
        if (floor < max) max = floor;
      } else if (c.op === ">" && floor + 1n > min) min = floor + 1n;
      else if (c.op === ">=" && ceil > min) min = ceil;
      else if (c.op === "<" && ceil - 1n < max) max = ceil - 1n;
      else if (c.op === "<=" && floor < max) max = floor;
    } else if (c.op === "=" && c.operand.kind === "string") {
      attributes.push({ key: c.tag, equals: c.operand.value });
    } else {
      attributes.push({ key: c.tag, test: (v) => matchValue(c, v) });
    }
  }
  if (max < 0n || min > max) return null;
  return { hash, minHeight: clampHeight(min), maxHeight: clampHeight(max), attributes };
}
