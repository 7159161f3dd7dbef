/**
 * Field-level conversions between generated protobuf values and domain values, and the checks every
 * decoder of untrusted bytes applies. A failed check throws IcsdError("PROTO_DECODE") whose message
 * starts with the path of the field ("block.lastCommit.signatures[2].signature: ...").
 */
import $protobuf from "protobufjs/minimal.js";
import { IcsdError } from "../../utils/index.ts";

/** Error code of every decoding failure: malformed protobuf or a field that fails validation. */
export const PROTO_DECODE = "PROTO_DECODE";
/** Error code of an encoding failure: a domain value that does not fit its wire type. */
export const PROTO_ENCODE = "PROTO_ENCODE";

/** A generated 64-bit value: a Long when the "long" package is present (it is), else a number. */
export type Int64 = number | $protobuf.Long;

/** Shape of the generated Timestamp, as the codecs read and write it. */
export interface PbTimestamp {
  seconds?: Int64 | null;
  nanos?: number | null;
}

/** The shared empty byte string: decoders return it for absent bytes fields (never a Buffer). */
export const EMPTY = new Uint8Array(0);

const NS_PER_S = 1_000_000_000n;
const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;
const INT32_MAX = 0x7fffffff;
/** CometBFT's MaxChainIDLen. */
export const MAX_CHAIN_ID_LENGTH = 50;

/** Throws PROTO_DECODE naming `path`. */
export function fail(path: string, what: string): never {
  throw new IcsdError(PROTO_DECODE, `${path}: ${what}`, { field: path });
}

/**
 * Runs a generated decoder on untrusted bytes. Node Buffers are viewed as plain Uint8Arrays first so
 * decoded bytes fields are plain Uint8Array views into `bytes` (no copy: do not mutate `bytes` after).
 * Any error the generated code throws (truncation, bad wire type, depth) becomes PROTO_DECODE.
 */
export function decodeWith<T>(what: string, bytes: Uint8Array, decode: (r: Uint8Array) => T): T {
  if (!(bytes instanceof Uint8Array)) fail(what, "expected a Uint8Array");
  const plain =
    Object.getPrototypeOf(bytes) === Uint8Array.prototype
      ? bytes
      : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  try {
    return decode(plain);
  } catch (e) {
    if (e instanceof IcsdError) throw e;
    fail(what, `malformed protobuf: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** A writer producing plain Uint8Arrays (Writer.create() would produce Node Buffers). */
export function newWriter(): $protobuf.Writer {
  return new $protobuf.Writer();
}

/** A bytes field: plain Uint8Array, of one of the allowed lengths (any length when `lengths` is omitted). */
export function bytesField(path: string, v: Uint8Array | null | undefined, ...lengths: number[]): Uint8Array {
  const len = v?.length ?? 0;
  if (lengths.length > 0 && !lengths.includes(len)) {
    fail(path, `expected ${lengths.join(" or ")} bytes, got ${len}`);
  }
  if (v == null || len === 0) return EMPTY;
  return Object.getPrototypeOf(v) === Uint8Array.prototype ? v : new Uint8Array(v.buffer, v.byteOffset, len);
}

/** A 0- or 32-byte hash. */
export function hashField(path: string, v: Uint8Array | null | undefined): Uint8Array {
  return bytesField(path, v, 0, 32);
}

/** A required sub-message. */
export function required<T>(path: string, v: T | null | undefined): T {
  if (v == null) fail(path, "missing");
  return v;
}

/** A signed 64-bit wire value as bigint. */
export function toBigint(v: Int64 | null | undefined): bigint {
  if (v == null) return 0n;
  if (typeof v === "number") return BigInt(v);
  if (v.high === 0 && v.low >= 0) return BigInt(v.low);
  return v.unsigned
    ? (BigInt(v.high >>> 0) << 32n) | BigInt(v.low >>> 0)
    : (BigInt(v.high | 0) << 32n) | BigInt(v.low >>> 0);
}

/** A 64-bit wire value as a number in [min, Number.MAX_SAFE_INTEGER]. */
export function safeInt(path: string, v: Int64 | null | undefined, min = 0): number {
  let n: number;
  if (v == null) n = 0;
  else if (typeof v === "number") n = v;
  else {
    // Signed high word: |value| < 2^53 iff -2^21 <= high < 2^21 (the one extra negative value is unsafe).
    const high = v.unsigned ? v.high >>> 0 : v.high | 0;
    if (high >= 0x200000 || high < -0x200000) fail(path, "out of safe integer range");
    n = high * 0x100000000 + (v.low >>> 0);
  }
  if (!Number.isSafeInteger(n)) fail(path, "out of safe integer range");
  if (n < min) fail(path, `must be >= ${min}, got ${n}`);
  return n;
}

/** An int32 wire value (already an integer) that must be >= min. */
export function int32Field(path: string, v: number | null | undefined, min = 0): number {
  const n = v ?? 0;
  if (n < min) fail(path, `must be >= ${min}, got ${n}`);
  return n;
}

/** An enum value that must be one of `allowed`. */
export function enumField<T extends number>(
  path: string,
  v: number | null | undefined,
  allowed: readonly T[],
): T {
  const n = v ?? 0;
  if (!allowed.includes(n as T)) fail(path, `expected one of ${allowed.join("|")}, got ${n}`);
  return n as T;
}

/** A chain id: at most CometBFT's 50 bytes of UTF-8. */
export function chainIdField(path: string, v: string | null | undefined): string {
  const s = v ?? "";
  if (s.length > MAX_CHAIN_ID_LENGTH || Buffer.byteLength(s, "utf8") > MAX_CHAIN_ID_LENGTH) {
    fail(path, `longer than ${MAX_CHAIN_ID_LENGTH} bytes`);
  }
  return s;
}

/** A bigint for an int64 field; throws PROTO_ENCODE when it does not fit. */
export function int64(path: string, v: bigint): Int64 {
  if (v >= -9007199254740991n && v <= 9007199254740991n) return Number(v);
  if (v < INT64_MIN || v > INT64_MAX) {
    throw new IcsdError(PROTO_ENCODE, `${path}: ${v} does not fit in int64`, { field: path });
  }
  const low = Number(BigInt.asIntN(32, v));
  const high = Number(BigInt.asIntN(32, v >> 32n));
  return { low, high, unsigned: false } as $protobuf.Long;
}

/** A number for an int32 field; throws PROTO_ENCODE when it does not fit. */
export function int32(path: string, v: number): number {
  if (!Number.isInteger(v) || v > INT32_MAX || v < -INT32_MAX - 1) {
    throw new IcsdError(PROTO_ENCODE, `${path}: ${v} does not fit in int32`, { field: path });
  }
  return v;
}

/** Nanoseconds since the epoch as a protobuf Timestamp (nanos in [0, 1e9), as the well-known type requires). */
export function toTimestamp(path: string, ns: bigint): PbTimestamp {
  let seconds = ns / NS_PER_S;
  let nanos = ns - seconds * NS_PER_S;
  if (nanos < 0n) {
    seconds -= 1n;
    nanos += NS_PER_S;
  }
  return { seconds: int64(path, seconds), nanos: Number(nanos) };
}

/** A required protobuf Timestamp as nanoseconds since the epoch. */
export function timestampField(path: string, t: PbTimestamp | null | undefined): bigint {
  if (t == null) fail(path, "missing");
  const nanos = t.nanos ?? 0;
  if (nanos < 0 || nanos >= 1_000_000_000) fail(`${path}.nanos`, `must be in [0, 1e9), got ${nanos}`);
  return toBigint(t.seconds) * NS_PER_S + BigInt(nanos);
}
