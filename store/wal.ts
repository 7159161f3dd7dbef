/**
 * The consensus write-ahead log: a plain append-only file (`<home>/data/cs.wal`) the consensus driver
 * writes every input to before the core sees it, so a restarted node replays the height it was in
 * (CometBFT's WAL, simplified).
 *
 * Record framing (integers big-endian):
 *   crc32 (4) | length of payload (4) | tag (1: message, 2: end of height) | payload
 * where crc32 (zlib's, IEEE) covers the length, the tag and the payload. An end-of-height payload is the
 * height as u64. `EndHeight(h)` marks that height h is committed: the messages after it are those of
 * height h + 1. A fresh node writes EndHeight(initialHeight - 1) before its first message.
 *
 * Crash safety: on open the file is scanned and cut at the first record that is truncated or corrupt
 * (bad crc, impossible length, unknown tag), since a crash can only tear the tail. The file stays bounded:
 * after an EndHeight, if it exceeds `maxBytes`, it is rewritten atomically (temp file, fsync, rename,
 * fsync of the directory) to hold only that marker.
 *
 * Replay reads the records found when the file was opened (`messagesAfterEndHeight`); `records()` reads
 * the file as it is now.
 */
import { fsyncSync, writeSync } from "node:fs";
import { type FileHandle, open, rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { crc32 } from "node:zlib";
import { IcsdError, readUint64Be, uint64Be } from "../utils/index.ts";

/** Record tags. */
export const WalTag = { Message: 1, EndHeight: 2 } as const;
export type WalTag = (typeof WalTag)[keyof typeof WalTag];

/** One decoded record. */
export interface WalRecord {
  readonly tag: WalTag;
  readonly payload: Uint8Array;
}

/** What opening found: valid records kept, bytes cut off a torn or corrupt tail. */
export interface WalRecovery {
  readonly records: number;
  readonly truncatedBytes: number;
}

/** Options of a Wal. */
export interface WalOptions {
  /** Size above which the file is rewritten after an EndHeight (default 64 MiB). */
  readonly maxBytes?: number;
}

const HEADER = 9;
/** No consensus message comes near this; a larger length is corruption. */
export const MAX_WAL_RECORD_BYTES = 16 * 1024 * 1024;

/** Frames one record. */
export function encodeWalRecord(tag: WalTag, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(HEADER + payload.length);
  const dv = new DataView(out.buffer);
  dv.setUint32(4, payload.length);
  out[8] = tag;
  out.set(payload, HEADER);
  dv.setUint32(0, crc32(out.subarray(4)));
  return out;
}

/** Parses records from the start of `buf`; `validBytes` is where the first bad or torn record begins. */
export function decodeWalRecords(buf: Uint8Array): { records: WalRecord[]; validBytes: number } {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const records: WalRecord[] = [];
  let off = 0;
  while (off + HEADER <= buf.length) {
    const len = dv.getUint32(off + 4);
    const tag = buf[off + 8];
    if (len > MAX_WAL_RECORD_BYTES || off + HEADER + len > buf.length) break;
    if (tag !== WalTag.Message && tag !== WalTag.EndHeight) break;
    if (tag === WalTag.EndHeight && len !== 8) break;
    if (crc32(buf.subarray(off + 4, off + HEADER + len)) !== dv.getUint32(off)) break;
    records.push({ tag, payload: buf.slice(off + HEADER, off + HEADER + len) });
    off += HEADER + len;
  }
  return { records, validBytes: off };
}

/** The consensus WAL. Writes are serialized in call order. */
export class Wal {
  private readonly path: string;
  private readonly maxBytes: number;
  private fh: FileHandle;
  private size: number;
  private tail: Promise<unknown> = Promise.resolve();
  private closed = false;
  /** Unsynced records not yet handed to the file, in append order. */
  private pending: Uint8Array[] = [];
  private flushScheduled = false;
  /** A background write failed: later appends report it rather than pretend to succeed. */
  private failed: Error | undefined;
  /** What `open` found and cut. */
  readonly recovered: WalRecovery;
  /** The valid records found at open, for replay. */
  private readonly found: readonly WalRecord[];

  private constructor(
    path: string,
    fh: FileHandle,
    size: number,
    maxBytes: number,
    found: readonly WalRecord[],
    recovered: WalRecovery,
  ) {
    this.path = path;
    this.fh = fh;
    this.size = size;
    this.maxBytes = maxBytes;
    this.found = found;
    this.recovered = recovered;
  }

  /** Opens (creating) the WAL at `path`, truncating a torn or corrupt tail; see `recovery`. */
  static async open(path: string, opts: WalOptions = {}): Promise<Wal> {
    const fh = await open(path, "a+");
    try {
      const buf = new Uint8Array(await fh.readFile());
      const { records, validBytes } = decodeWalRecords(buf);
      const truncatedBytes = buf.length - validBytes;
      if (truncatedBytes > 0) {
        await fh.truncate(validBytes);
        await fh.sync();
      }
      return new Wal(path, fh, validBytes, opts.maxBytes ?? 64 * 1024 * 1024, records, {
        records: records.length,
        truncatedBytes,
      });
    } catch (e) {
      await fh.close();
      throw e;
    }
  }

  /** File size in bytes, counting buffered records not yet written. */
  get sizeBytes(): number {
    let n = this.size;
    for (const r of this.pending) n += r.length;
    return n;
  }

  /**
   * Appends a message. With `sync` it is on disk, with every record appended before it, when the
   * promise resolves. Without, it is buffered and written at the end of the current event-loop turn
   * (or with the next synced record, whichever comes first): a crash may lose the last turn's unsynced
   * messages, never a synced one or the order of records. Peers' messages are written this way, as
   * CometBFT buffers them; a node's own messages are synced before they leave the process.
   */
  append(payload: Uint8Array, opts: { sync?: boolean } = {}): Promise<void> {
    if (this.closed) return Promise.reject(new IcsdError("WAL_CLOSED", "the WAL is closed"));
    if (this.failed) return Promise.reject(this.failed);
    const rec = encodeWalRecord(WalTag.Message, payload);
    if (opts.sync) {
      const parts = this.takePending(rec);
      return this.serial(() => this.write(parts, true));
    }
    this.buffer(rec);
    return Promise.resolve();
  }

  /**
   * Appends EndHeight(height), buffered like an unsynced message: the block it marks is already durable
   * in the block store, and the next synced record (the node's own vote) carries it to disk ahead of
   * itself, so the file on disk is always a prefix of what was appended. Past `maxBytes` the marker is
   * synced and the file rotated to hold only it.
   */
  appendEndHeight(height: number): Promise<void> {
    if (!Number.isSafeInteger(height) || height < 0) {
      return Promise.reject(new IcsdError("INVALID_HEIGHT", `invalid height ${height}`, { height }));
    }
    if (this.closed) return Promise.reject(new IcsdError("WAL_CLOSED", "the WAL is closed"));
    if (this.failed) return Promise.reject(this.failed);
    const rec = encodeWalRecord(WalTag.EndHeight, uint64Be(height));
    if (this.sizeBytes + rec.length <= this.maxBytes) {
      this.buffer(rec);
      return Promise.resolve();
    }
    const parts = this.takePending(rec);
    return this.serial(async () => {
      await this.write(parts, true);
      await this.rotate(rec);
    });
  }

  /** Writes buffered messages (not synced). */
  flush(): Promise<void> {
    const parts = this.takePending();
    if (parts.length === 0) return this.serial(async () => undefined);
    return this.serial(() => this.write(parts, false));
  }

  /** Every valid record in the file, in order (after pending writes). */
  records(): Promise<WalRecord[]> {
    const parts = this.takePending();
    return this.serial(async () => {
      if (parts.length > 0) await this.write(parts, false);
      // Positional read: after appends the handle's position is at the end of the file.
      const buf = new Uint8Array(this.size);
      let off = 0;
      while (off < buf.length) {
        const { bytesRead } = await this.fh.read(buf, off, buf.length - off, off);
        if (bytesRead === 0) break;
        off += bytesRead;
      }
      return decodeWalRecords(buf.subarray(0, off)).records;
    });
  }

  /**
   * The message payloads found at open after EndHeight(height) and before the next EndHeight: the inputs
   * of height + 1 to replay on start. Empty when there are none or the marker is absent (see
   * `hasEndHeight`).
   */
  messagesAfterEndHeight(height: number): Uint8Array[] {
    let found = false;
    const out: Uint8Array[] = [];
    for (const r of this.found) {
      if (r.tag === WalTag.EndHeight) {
        if (found) break;
        if (Number(readUint64Be(r.payload)) === height) found = true;
      } else if (found) {
        out.push(r.payload);
      }
    }
    return out;
  }

  /** Whether the file held EndHeight(height) when it was opened. */
  hasEndHeight(height: number): boolean {
    return this.found.some((r) => r.tag === WalTag.EndHeight && Number(readUint64Be(r.payload)) === height);
  }

  /** Waits for pending writes and closes the file. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.flush().catch(() => undefined);
    await this.tail;
    this.closed = true;
    await this.fh.close();
  }

  private serial<T>(op: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new IcsdError("WAL_CLOSED", "the WAL is closed"));
    const p = this.tail.then(op);
    this.tail = p.catch(() => undefined);
    return p;
  }

  /** Queues an unsynced record; it is written at the end of this event-loop turn. */
  private buffer(rec: Uint8Array): void {
    this.pending.push(rec);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      void this.flush().catch(() => undefined);
    });
  }

  /** The buffered records (and `rec` after them) for one write, taken at call time to keep order. */
  private takePending(rec?: Uint8Array): Uint8Array[] {
    const parts = this.pending;
    this.pending = [];
    if (rec) parts.push(rec);
    return parts;
  }

  private async write(parts: readonly Uint8Array[], sync: boolean): Promise<void> {
    const buf = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
    try {
      let off = 0;
      if (sync) {
        // A synced record holds up the caller until it is on disk; blocking system calls cost less
        // than the thread pool's round trips for it. Earlier writes are done (writes are serialized).
        while (off < buf.length) off += writeSync(this.fh.fd, buf, off, buf.length - off, null);
        fsyncSync(this.fh.fd);
      } else {
        while (off < buf.length) {
          const { bytesWritten } = await this.fh.write(buf, off, buf.length - off, null);
          off += bytesWritten;
        }
      }
      this.size += buf.length;
    } catch (e) {
      this.failed ??= e instanceof Error ? e : new Error(String(e));
      throw e;
    }
  }

  /** Atomically replaces the file with one holding only `marker`. */
  private async rotate(marker: Uint8Array): Promise<void> {
    const tmp = join(dirname(this.path), `.${basename(this.path)}.tmp`);
    const t = await open(tmp, "w");
    try {
      await t.write(marker, 0, marker.length, 0);
      await t.sync();
    } finally {
      await t.close();
    }
    try {
      await rename(tmp, this.path);
    } catch (e) {
      await rm(tmp, { force: true });
      throw e;
    }
    const dir = await open(dirname(this.path), "r");
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
    await this.fh.close();
    this.fh = await open(this.path, "a+");
    this.size = marker.length;
  }
}
