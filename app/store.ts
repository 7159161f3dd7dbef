import type { KeyRange } from "../store/index.ts";
import { type GasMeter, KV_GAS } from "./gas.ts";

/** The key-value view a keeper works on: a branch of state, possibly gas-metered. */
export interface AppStore {
  get(key: Uint8Array): Promise<Uint8Array | undefined>;
  set(key: Uint8Array, value: Uint8Array): void;
  delete(key: Uint8Array): void;
  /** Entries in `range`, in ascending key order (`reverse` and `limit` are not honoured). */
  iterate(range: KeyRange): AsyncIterable<[Uint8Array, Uint8Array]>;
}

const keyId = (k: Uint8Array): string => Buffer.from(k.buffer, k.byteOffset, k.byteLength).toString("latin1");
const idKey = (id: string): Uint8Array => new Uint8Array(Buffer.from(id, "latin1"));

function inRange(id: string, gte?: string, lt?: string): boolean {
  return (gte === undefined || id >= gte) && (lt === undefined || id < lt);
}

/**
 * A write-buffering branch over a parent store (the SDK's cachekv): reads see the branch's own writes,
 * `write()` flushes them to the parent in key order, dropping the branch discards them. Branches nest,
 * which is how a failed message reverts while the ante handler's fee and sequence stay.
 */
export class CacheStore implements AppStore {
  private readonly parent: AppStore;
  private readonly writes = new Map<string, Uint8Array | null>();

  constructor(parent: AppStore) {
    this.parent = parent;
  }

  async get(key: Uint8Array): Promise<Uint8Array | undefined> {
    const w = this.writes.get(keyId(key));
    if (w !== undefined) return w ?? undefined;
    return this.parent.get(key);
  }

  set(key: Uint8Array, value: Uint8Array): void {
    this.writes.set(keyId(key), value);
  }

  delete(key: Uint8Array): void {
    this.writes.set(keyId(key), null);
  }

  async *iterate(range: KeyRange): AsyncIterable<[Uint8Array, Uint8Array]> {
    // latin1 strings compare like the bytes they carry, so string order is key order.
    const gte = range.gte ? keyId(range.gte) : undefined;
    const lt = range.lt ? keyId(range.lt) : undefined;
    const local = [...this.writes.keys()].filter((id) => inRange(id, gte, lt)).sort();
    let i = 0;
    for await (const [k, v] of this.parent.iterate(range)) {
      const id = keyId(k);
      while (i < local.length && local[i]! < id) {
        const w = this.writes.get(local[i]!)!;
        if (w) yield [idKey(local[i]!), w];
        i++;
      }
      if (i < local.length && local[i] === id) {
        const w = this.writes.get(id)!;
        if (w) yield [k, w];
        i++;
        continue;
      }
      yield [k, v];
    }
    for (; i < local.length; i++) {
      const w = this.writes.get(local[i]!)!;
      if (w) yield [idKey(local[i]!), w];
    }
  }

  /** Flushes the buffered writes into the parent, in key order, and empties the branch. */
  write(): void {
    for (const id of [...this.writes.keys()].sort()) {
      const v = this.writes.get(id)!;
      if (v === null) this.parent.delete(idKey(id));
      else this.parent.set(idKey(id), v);
    }
    this.writes.clear();
  }
}

/** Charges the SDK's KV gas for every access to the store beneath (the SDK's gaskv). */
export class GasStore implements AppStore {
  private readonly parent: AppStore;
  private readonly meter: GasMeter;

  constructor(parent: AppStore, meter: GasMeter) {
    this.parent = parent;
    this.meter = meter;
  }

  async get(key: Uint8Array): Promise<Uint8Array | undefined> {
    this.meter.consume(KV_GAS.readCostFlat, "ReadFlat");
    const v = await this.parent.get(key);
    this.meter.consume(KV_GAS.readCostPerByte * (key.length + (v?.length ?? 0)), "ReadPerByte");
    return v;
  }

  set(key: Uint8Array, value: Uint8Array): void {
    this.meter.consume(KV_GAS.writeCostFlat, "WriteFlat");
    this.meter.consume(KV_GAS.writeCostPerByte * (key.length + value.length), "WritePerByte");
    this.parent.set(key, value);
  }

  delete(key: Uint8Array): void {
    this.meter.consume(KV_GAS.deleteCost, "Delete");
    this.parent.delete(key);
  }

  async *iterate(range: KeyRange): AsyncIterable<[Uint8Array, Uint8Array]> {
    for await (const [k, v] of this.parent.iterate(range)) {
      this.meter.consume(KV_GAS.iterNextCostFlat, "IterNextFlat");
      this.meter.consume(KV_GAS.readCostPerByte * (k.length + v.length), "ValuePerByte");
      yield [k, v];
    }
  }
}
