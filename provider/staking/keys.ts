import { utf8 } from "../../utils/index.ts";

/**
 * x/staking's key layout under "stk/". Addresses are length-prefixed so composite keys never collide;
 * integers and times are big-endian and fixed-width so ascending store order is numeric order. Every
 * index the end block needs is ordered so that it reads only what it acts on.
 */

const P = "stk/";
const k = (s: string): Uint8Array => utf8(P + s);

export const PARAMS_KEY = k("params");
export const LAST_TOTAL_POWER_KEY = k("last_total_power");
export const NEXT_UNBONDING_ID_KEY = k("next_unbonding_id");

export const VALIDATOR_PREFIX = k("v/");
export const VALIDATOR_BY_CONS_PREFIX = k("c/");
/** Power index: (max - power) | operator, so ascending order is power descending then operator ascending. */
export const POWER_INDEX_PREFIX = k("i/");
export const LAST_POWER_PREFIX = k("l/");
export const DELEGATION_PREFIX = k("d/");
export const DELEGATION_BY_VAL_PREFIX = k("D/");
export const UBD_PREFIX = k("u/");
export const UBD_BY_VAL_PREFIX = k("U/");
export const RED_PREFIX = k("r/");
export const RED_BY_SRC_PREFIX = k("R/");
export const RED_BY_DST_PREFIX = k("T/");
export const VALIDATOR_QUEUE_PREFIX = k("qv/");
export const UBD_QUEUE_PREFIX = k("qu/");
export const RED_QUEUE_PREFIX = k("qr/");
/** Unbonding id -> the operation it names (for ICS's on-hold bookkeeping). */
export const UNBONDING_INDEX_PREFIX = k("ui/");

const MAX_U64 = (1n << 64n) - 1n;
const TIME_OFFSET = 1n << 63n;

export function cat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** `len | bytes`, as the SDK's address.MustLengthPrefix. */
export function lp(addr: Uint8Array): Uint8Array {
  if (addr.length > 255) throw new Error("address longer than 255 bytes");
  return cat(Uint8Array.of(addr.length), addr);
}

export function u64(n: bigint): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, n);
  return b;
}

export function readU64(b: Uint8Array, offset = 0): bigint {
  return new DataView(b.buffer, b.byteOffset, b.byteLength).getBigUint64(offset);
}

/** A signed nanosecond time as 8 sortable bytes (sign bit flipped, so times before 1970 sort first). */
export function timeBytes(ns: bigint): Uint8Array {
  return u64(BigInt.asUintN(64, ns + TIME_OFFSET));
}

export function readTime(b: Uint8Array, offset = 0): bigint {
  return readU64(b, offset) - TIME_OFFSET;
}

/** Splits `len | bytes | len | bytes ...` back into addresses. */
export function splitLp(b: Uint8Array, offset = 0): Uint8Array[] {
  const out: Uint8Array[] = [];
  let o = offset;
  while (o < b.length) {
    const n = b[o]!;
    out.push(b.slice(o + 1, o + 1 + n));
    o += 1 + n;
  }
  return out;
}

export const validatorKey = (op: Uint8Array): Uint8Array => cat(VALIDATOR_PREFIX, lp(op));
export const validatorByConsKey = (cons: Uint8Array): Uint8Array => cat(VALIDATOR_BY_CONS_PREFIX, lp(cons));
export const powerIndexKey = (power: bigint, op: Uint8Array): Uint8Array =>
  cat(POWER_INDEX_PREFIX, u64(MAX_U64 - (power > MAX_U64 ? MAX_U64 : power)), lp(op));
export const lastPowerKey = (op: Uint8Array): Uint8Array => cat(LAST_POWER_PREFIX, lp(op));

export const delegationKey = (del: Uint8Array, val: Uint8Array): Uint8Array =>
  cat(DELEGATION_PREFIX, lp(del), lp(val));
export const delegationsOfKey = (del: Uint8Array): Uint8Array => cat(DELEGATION_PREFIX, lp(del));
export const delegationByValKey = (val: Uint8Array, del: Uint8Array): Uint8Array =>
  cat(DELEGATION_BY_VAL_PREFIX, lp(val), lp(del));
export const delegationsByValPrefix = (val: Uint8Array): Uint8Array => cat(DELEGATION_BY_VAL_PREFIX, lp(val));

export const ubdKey = (del: Uint8Array, val: Uint8Array): Uint8Array => cat(UBD_PREFIX, lp(del), lp(val));
export const ubdsOfKey = (del: Uint8Array): Uint8Array => cat(UBD_PREFIX, lp(del));
export const ubdByValKey = (val: Uint8Array, del: Uint8Array): Uint8Array =>
  cat(UBD_BY_VAL_PREFIX, lp(val), lp(del));
export const ubdsByValPrefix = (val: Uint8Array): Uint8Array => cat(UBD_BY_VAL_PREFIX, lp(val));

export const redKey = (del: Uint8Array, src: Uint8Array, dst: Uint8Array): Uint8Array =>
  cat(RED_PREFIX, lp(del), lp(src), lp(dst));
export const redsOfKey = (del: Uint8Array): Uint8Array => cat(RED_PREFIX, lp(del));
export const redsOfSrcKey = (del: Uint8Array, src: Uint8Array): Uint8Array =>
  cat(RED_PREFIX, lp(del), lp(src));
export const redBySrcKey = (src: Uint8Array, del: Uint8Array, dst: Uint8Array): Uint8Array =>
  cat(RED_BY_SRC_PREFIX, lp(src), lp(del), lp(dst));
export const redsBySrcPrefix = (src: Uint8Array): Uint8Array => cat(RED_BY_SRC_PREFIX, lp(src));
export const redByDstKey = (dst: Uint8Array, del: Uint8Array, src: Uint8Array): Uint8Array =>
  cat(RED_BY_DST_PREFIX, lp(dst), lp(del), lp(src));
export const redsByDstDelPrefix = (dst: Uint8Array, del: Uint8Array): Uint8Array =>
  cat(RED_BY_DST_PREFIX, lp(dst), lp(del));
export const redsByDstPrefix = (dst: Uint8Array): Uint8Array => cat(RED_BY_DST_PREFIX, lp(dst));

export const validatorQueueKey = (time: bigint, height: number, op: Uint8Array): Uint8Array =>
  cat(VALIDATOR_QUEUE_PREFIX, timeBytes(time), u64(BigInt(height)), lp(op));
export const ubdQueueKey = (time: bigint, del: Uint8Array, val: Uint8Array): Uint8Array =>
  cat(UBD_QUEUE_PREFIX, timeBytes(time), lp(del), lp(val));
export const redQueueKey = (time: bigint, del: Uint8Array, src: Uint8Array, dst: Uint8Array): Uint8Array =>
  cat(RED_QUEUE_PREFIX, timeBytes(time), lp(del), lp(src), lp(dst));
/** The exclusive end of a queue's entries maturing at or before `time`. */
export const queueEnd = (prefix: Uint8Array, time: bigint): Uint8Array => cat(prefix, timeBytes(time + 1n));

export const unbondingIndexKey = (id: bigint): Uint8Array => cat(UNBONDING_INDEX_PREFIX, u64(id));
