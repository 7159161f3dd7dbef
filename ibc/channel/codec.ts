/**
 * A tiny deterministic binary codec for packet-layer records (packets in messages, channel ends in
 * state): big-endian fixed-width integers and u32-length-prefixed byte strings, decoded strictly (every
 * length bounded, no trailing bytes), so one value has exactly one encoding.
 */
import { fromUtf8, IcsdError, utf8 } from "../../utils/index.ts";

/** Appends fields in order; `finish()` returns the bytes. */
export class ByteWriter {
  private readonly parts: Uint8Array[] = [];
  private length = 0;

  /** One byte. */
  u8(n: number): this {
    return this.push(Uint8Array.of(n & 0xff));
  }

  /** A u64, big-endian. */
  u64(n: bigint): this {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, n);
    return this.push(b);
  }

  /** u32 length then the bytes. */
  bytes(b: Uint8Array): this {
    const len = new Uint8Array(4);
    new DataView(len.buffer).setUint32(0, b.length);
    this.push(len);
    return this.push(b);
  }

  /** A UTF-8 string as `bytes`. */
  string(s: string): this {
    return this.bytes(utf8(s));
  }

  /** The concatenated encoding. */
  finish(): Uint8Array {
    const out = new Uint8Array(this.length);
    let off = 0;
    for (const p of this.parts) {
      out.set(p, off);
      off += p.length;
    }
    return out;
  }

  private push(b: Uint8Array): this {
    this.parts.push(b);
    this.length += b.length;
    return this;
  }
}

/** Reads fields in order; every read throws `code` on truncation; `end()` rejects trailing bytes. */
export class ByteReader {
  private readonly buf: Uint8Array;
  private readonly view: DataView;
  private readonly what: string;
  private readonly code: string;
  private off = 0;

  constructor(buf: Uint8Array, what: string, code: string) {
    if (!(buf instanceof Uint8Array)) throw new IcsdError(code, `cannot decode ${what}: not bytes`);
    this.buf = buf;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    this.what = what;
    this.code = code;
  }

  /** One byte. */
  u8(): number {
    this.need(1);
    return this.buf[this.off++]!;
  }

  /** A big-endian u64. */
  u64(): bigint {
    this.need(8);
    const v = this.view.getBigUint64(this.off);
    this.off += 8;
    return v;
  }

  /** A u32-length-prefixed byte string of at most `max` bytes (a copy). */
  bytes(max: number): Uint8Array {
    this.need(4);
    const len = this.view.getUint32(this.off);
    this.off += 4;
    if (len > max) this.fail(`field of ${len} bytes exceeds ${max}`);
    this.need(len);
    const out = this.buf.slice(this.off, this.off + len);
    this.off += len;
    return out;
  }

  /** A UTF-8 string of at most `max` bytes. */
  string(max: number): string {
    const b = this.bytes(max);
    try {
      return fromUtf8(b);
    } catch {
      return this.fail("invalid UTF-8");
    }
  }

  /** Throws unless every byte was read. */
  end(): void {
    if (this.off !== this.buf.length) this.fail(`${this.buf.length - this.off} trailing bytes`);
  }

  /** Throws the reader's error with `reason`. */
  fail(reason: string): never {
    throw new IcsdError(this.code, `cannot decode ${this.what}: ${reason}`, { reason });
  }

  private need(n: number): void {
    if (this.off + n > this.buf.length) this.fail("truncated");
  }
}
