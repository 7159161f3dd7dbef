import type { Event, TxResult, WriteBatch } from "../consensus/index.ts";
import { sha256 } from "../crypto/index.ts";
import { concatBytes, IcsdError, readUint64Be, toHexUpper, uint64Be, utf8 } from "../utils/index.ts";
import { decodeIndexedTx, encodeIndexedTx, type IndexedTx } from "./abciResults.ts";
import type { KvStore } from "./kvStore.ts";
import { Prefix, prefixEnd, prefixedKey } from "./prefixes.ts";

/** The composite key under which every transaction is indexed by its height. */
export const TX_HEIGHT_KEY = "tx.height";
/** The composite key of a transaction's hash (uppercase hex). */
export const TX_HASH_KEY = "tx.hash";

/** A condition on one composite key (`type.key`): an exact value, or any value passing `test`. */
export type AttributeFilter =
  | { readonly key: string; readonly equals: string }
  | { readonly key: string; readonly test: (value: string) => boolean };

/** What to look for; every part given must hold (AND). */
export interface TxIndexQuery {
  readonly hash?: Uint8Array;
  /** Inclusive height bounds. */
  readonly minHeight?: number;
  readonly maxHeight?: number;
  readonly attributes?: readonly AttributeFilter[];
}

/** Where a matching transaction is; load it with `get(hash)`. */
export interface TxPointer {
  readonly height: number;
  readonly index: number;
  readonly hash: Uint8Array;
}

/** Composite event keys of a transaction (CometBFT's): tx.hash, tx.height and `type.key` -> values. */
export type EventMap = Record<string, string[]>;

/** Whether an attribute goes into the index: the app did not opt it out, and it has a type and a key. */
function indexable(type: string, key: string, index: boolean | undefined): boolean {
  if (type === "" || key === "" || index === false) return false;
  const ck = `${type}.${key}`;
  // CometBFT reserves these two keys for itself; an app event must not shadow them.
  return ck !== TX_HASH_KEY && ck !== TX_HEIGHT_KEY;
}

/**
 * The composite keys of a transaction as tx_search and subscriptions see them. With `indexedOnly`,
 * attributes the app marked `index: false` are left out (what the index holds).
 */
export function txEventMap(
  height: number,
  hash: Uint8Array,
  events: readonly Event[],
  opts: { indexedOnly?: boolean } = {},
): EventMap {
  const out: EventMap = { [TX_HASH_KEY]: [toHexUpper(hash)], [TX_HEIGHT_KEY]: [String(height)] };
  for (const ev of events) {
    for (const a of ev.attributes) {
      if (!indexable(ev.type, a.key, opts.indexedOnly ? a.index : true)) continue;
      const ck = `${ev.type}.${a.key}`;
      const list = out[ck];
      if (list) list.push(a.value);
      else out[ck] = [a.value];
    }
  }
  return out;
}

function u16(n: number): Uint8Array {
  return new Uint8Array([n >> 8, n & 0xff]);
}

function u32(n: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, n);
  return out;
}

// Event keys: 0x21 | u16 len | compositeKey | u32 len | value | height u64 BE | index u32 BE -> tx hash.
// Length prefixes (not separators) keep any byte legal in keys and values; the fixed-width big-endian
// height after the value makes every (key, value) a height-ordered range.
function keyPrefix(ck: Uint8Array): Uint8Array {
  return prefixedKey(Prefix.txByEvent, u16(ck.length), ck);
}

function valuePrefix(ck: Uint8Array, value: Uint8Array): Uint8Array {
  return prefixedKey(Prefix.txByEvent, u16(ck.length), ck, u32(value.length), value);
}

function eventKey(ck: string, value: string, height: number, index: number): Uint8Array | undefined {
  // One allocation per key: this runs for every attribute of every transaction inside the commit.
  const cLen = Buffer.byteLength(ck, "utf8");
  if (cLen > 0xffff) return undefined;
  const vLen = Buffer.byteLength(value, "utf8");
  const out = Buffer.allocUnsafe(1 + 2 + cLen + 4 + vLen + 8 + 4);
  let off = out.writeUInt8(Prefix.txByEvent, 0);
  off = out.writeUInt16BE(cLen, off);
  off += out.write(ck, off, "utf8");
  off = out.writeUInt32BE(vLen, off);
  off += out.write(value, off, "utf8");
  off = out.writeBigUInt64BE(BigInt(height), off);
  out.writeUInt32BE(index, off);
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}

/** Reads (value, height, index) from an event key, given the length of its composite-key prefix. */
function readEventKey(key: Uint8Array, prefixLen: number): { value: string; height: number; index: number } {
  const view = new DataView(key.buffer, key.byteOffset, key.byteLength);
  const vlen = view.getUint32(prefixLen);
  const vstart = prefixLen + 4;
  const value = Buffer.from(key.buffer, key.byteOffset + vstart, vlen).toString("utf8");
  return {
    value,
    height: Number(readUint64Be(key, vstart + vlen)),
    index: view.getUint32(vstart + vlen + 8),
  };
}

function pointerId(height: number, index: number): string {
  return `${height}/${index}`;
}

/**
 * The transaction index (CometBFT's kv indexer): each transaction by hash, and by every composite event
 * key it carries (`tx.height`, and `type.key=value` for each attribute of its events, failed
 * transactions included). Writes are staged into the block's commit batch, so a transaction becomes
 * findable exactly when its block's state is committed.
 */
export class TxIndex {
  private readonly db: KvStore;

  constructor(db: KvStore) {
    this.db = db;
  }

  /** Stages the index entries of the transactions of the block at `height` (one result per tx). */
  indexBlock(
    batch: WriteBatch,
    height: number,
    txs: readonly Uint8Array[],
    txResults: readonly Omit<TxResult, "sender" | "sequence">[],
  ): void {
    if (txs.length !== txResults.length) {
      throw new IcsdError("TX_INDEX_MISMATCH", `${txs.length} txs but ${txResults.length} results`, {
        height,
      });
    }
    txs.forEach((tx, index) => {
      const result = txResults[index]!;
      const hash = sha256(tx);
      batch.put(prefixedKey(Prefix.txByHash, hash), encodeIndexedTx({ height, index, tx, result }));
      const map = txEventMap(height, hash, result.events, { indexedOnly: true });
      delete map[TX_HASH_KEY];
      map[TX_HEIGHT_KEY] = [""];
      for (const [ck, values] of Object.entries(map)) {
        for (const v of new Set(values)) {
          const key = eventKey(ck, v, height, index);
          if (key) batch.put(key, hash);
        }
      }
    });
  }

  /** The indexed transaction with this hash, or undefined. */
  async get(hash: Uint8Array): Promise<IndexedTx | undefined> {
    const bytes = await this.db.get(prefixedKey(Prefix.txByHash, hash));
    return bytes === undefined ? undefined : decodeIndexedTx(bytes);
  }

  /** Every transaction matching `q`, ordered by (height, index) ascending. */
  async search(q: TxIndexQuery): Promise<TxPointer[]> {
    const min = q.minHeight ?? 0;
    const max = q.maxHeight ?? Number.MAX_SAFE_INTEGER;
    if (min > max) return [];
    const filters = q.attributes ?? [];
    if (q.hash) {
      const t = await this.get(q.hash);
      if (!t || t.height < min || t.height > max) return [];
      const map = txEventMap(t.height, q.hash, t.result.events, { indexedOnly: true });
      const ok = filters.every((f) => (map[f.key] ?? []).some((v) => valuePasses(f, v)));
      return ok ? [{ height: t.height, index: t.index, hash: q.hash }] : [];
    }
    const sets: Map<string, TxPointer>[] = [];
    for (const f of filters) sets.push(await this.scan(f, min, max));
    if (sets.length === 0) sets.push(await this.scan({ key: TX_HEIGHT_KEY, equals: "" }, min, max));
    sets.sort((a, b) => a.size - b.size);
    const [first, ...rest] = sets;
    const out: TxPointer[] = [];
    for (const [id, p] of first!) if (rest.every((s) => s.has(id))) out.push(p);
    return out.sort((a, b) => a.height - b.height || a.index - b.index);
  }

  private async scan(f: AttributeFilter, min: number, max: number): Promise<Map<string, TxPointer>> {
    const ck = utf8(f.key);
    const out = new Map<string, TxPointer>();
    if ("equals" in f) {
      const prefix = valuePrefix(ck, utf8(f.equals));
      const range = {
        gte: concatBytes(prefix, uint64Be(min)),
        lt: concatBytes(prefix, uint64Be(BigInt(max) + 1n)),
      };
      for await (const [key, hash] of this.db.entries(range)) {
        const height = Number(readUint64Be(key, prefix.length));
        const index = new DataView(key.buffer, key.byteOffset, key.byteLength).getUint32(prefix.length + 8);
        out.set(pointerId(height, index), { height, index, hash });
      }
      return out;
    }
    const prefix = keyPrefix(ck);
    for await (const [key, hash] of this.db.entries({ gte: prefix, lt: prefixEnd(prefix) })) {
      const e = readEventKey(key, prefix.length);
      if (e.height < min || e.height > max || !f.test(e.value)) continue;
      out.set(pointerId(e.height, e.index), { height: e.height, index: e.index, hash });
    }
    return out;
  }
}

function valuePasses(f: AttributeFilter, v: string): boolean {
  return "equals" in f ? v === f.equals : f.test(v);
}
