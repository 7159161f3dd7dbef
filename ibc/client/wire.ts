/**
 * The protobuf framing the light client's codecs share: messages whose fields 1..n are each written
 * exactly once, in order (zero values included), so one value has exactly one encoding. The reader
 * accepts only that shape and turns every malformed input into an IcsdError with the caller's code.
 */
import $protobuf from "protobufjs/minimal.js";
import { equalBytes } from "../../utils/index.ts";
import { type ClientErrorCode, clientError } from "./errors.ts";

/** Wire kinds of the fields of the client's messages. */
export type FieldKind = "uint64" | "bytes" | "string";

const WIRE_VARINT = 0;
const WIRE_LEN = 2;
/** Values are bounded to int64 so that any protobuf reader (signed or not) reads them the same. */
const MAX_U64 = (1n << 63n) - 1n;

/** One field value, as written or read. */
export type FieldValue = bigint | Uint8Array | string;

/** A Writer producing plain Uint8Arrays (Writer.create() would produce Node Buffers). */
export function newWriter(): $protobuf.Writer {
  return new $protobuf.Writer();
}

/**
 * Encodes `values` as fields 1..n of `kinds`. Throws `code` when a uint64 is negative or above 2^63-1
 * (every time, period and height fits; anything else is a caller bug or a hostile value).
 */
export function writeMessage(
  code: ClientErrorCode,
  what: string,
  kinds: readonly FieldKind[],
  values: readonly FieldValue[],
): Uint8Array {
  const w = newWriter();
  for (let i = 0; i < kinds.length; i++) {
    const kind = kinds[i]!;
    const v = values[i];
    const field = i + 1;
    if (kind === "uint64") {
      if (typeof v !== "bigint" || v < 0n || v > MAX_U64) {
        throw clientError(code, `${what}: field ${field} must be an integer in [0, 2^63), got ${String(v)}`);
      }
      w.uint32((field << 3) | WIRE_VARINT).uint64(v.toString());
    } else if (kind === "bytes") {
      if (!(v instanceof Uint8Array)) throw clientError(code, `${what}: field ${field} must be bytes`);
      w.uint32((field << 3) | WIRE_LEN).bytes(v);
    } else {
      if (typeof v !== "string") throw clientError(code, `${what}: field ${field} must be a string`);
      w.uint32((field << 3) | WIRE_LEN).string(v);
    }
  }
  return w.finish();
}

function longToBigint(v: number | $protobuf.Long): bigint {
  if (typeof v === "number") return BigInt(v);
  return (BigInt(v.high >>> 0) << 32n) | BigInt(v.low >>> 0);
}

/**
 * Decodes a message written by writeMessage with the same kinds: every field present once, in order,
 * nothing else, at most `maxBytes` long, and re-encoding to the same bytes (so a value has one
 * encoding). Strings must be valid UTF-8. Throws `code` naming `what` and the problem; never anything else.
 */
export function readMessage(
  code: ClientErrorCode,
  what: string,
  bytes: Uint8Array,
  maxBytes: number,
  kinds: readonly FieldKind[],
): FieldValue[] {
  const fail = (msg: string): never => {
    throw clientError(code, `cannot decode ${what}: ${msg}`);
  };
  if (!(bytes instanceof Uint8Array)) fail("expected a Uint8Array");
  if (bytes.length > maxBytes) fail(`${bytes.length} bytes exceeds the limit of ${maxBytes}`);
  const plain = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const values: FieldValue[] = [];
  try {
    const r = new $protobuf.Reader(plain);
    for (let i = 0; i < kinds.length; i++) {
      const kind = kinds[i]!;
      const field = i + 1;
      if (r.pos >= r.len) fail(`field ${field} is missing`);
      const tag = r.uint32();
      const wire = kind === "uint64" ? WIRE_VARINT : WIRE_LEN;
      if (tag !== ((field << 3) | wire)) fail(`expected field ${field} (${kind}), got tag ${tag}`);
      if (kind === "uint64") values.push(longToBigint(r.uint64()));
      else if (kind === "bytes") values.push(r.bytes().slice());
      else {
        const raw = r.bytes();
        try {
          values.push(new TextDecoder("utf-8", { fatal: true }).decode(raw));
        } catch {
          fail(`field ${field} is not valid UTF-8`);
        }
      }
    }
    if (r.pos !== r.len) fail("trailing bytes");
  } catch (e) {
    if (e instanceof Error && "code" in e && e.code === code) throw e;
    fail(`malformed protobuf: ${e instanceof Error ? e.message : String(e)}`);
  }
  for (let i = 0; i < kinds.length; i++) {
    if (kinds[i] === "uint64" && (values[i] as bigint) > MAX_U64) fail(`field ${i + 1} is above 2^63-1`);
  }
  // Non-minimal varints would give a second encoding of the same value: refuse them.
  if (!equalBytes(writeMessage(code, what, kinds, values), plain)) fail("not in canonical encoding");
  return values;
}
