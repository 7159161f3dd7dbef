import type { Application, TxResult } from "../consensus/application.ts";
import { sha256 } from "../crypto/index.ts";
import { IcsdError, type Logger, toHex } from "../utils/index.ts";

export interface MempoolOptions {
  readonly maxTxs: number;
  readonly maxBytes: number;
  readonly maxTxBytes: number;
  readonly cacheSize: number;
}

export const defaultMempoolOptions: MempoolOptions = {
  maxTxs: 5000,
  maxBytes: 64 * 1024 * 1024,
  maxTxBytes: 1024 * 1024,
  cacheSize: 10_000,
};

interface Entry {
  readonly tx: Uint8Array;
  readonly hash: string;
}

/**
 * Transactions waiting for a block: admitted by checkTx, kept in arrival order, rechecked after every
 * commit, bounded by count and bytes. A cache of recent hashes refuses duplicates (CometBFT's
 * mempool cache), including transactions already committed.
 */
export class Mempool {
  private readonly opts: MempoolOptions;
  private readonly app: Application;
  private readonly log: Logger;
  private entries = new Map<string, Entry>();
  private bytes = 0;
  private cache = new Set<string>();

  constructor(opts: MempoolOptions, modules: { app: Application; logger: Logger }) {
    this.opts = opts;
    this.app = modules.app;
    this.log = modules.logger;
  }

  size(): number {
    return this.entries.size;
  }

  totalBytes(): number {
    return this.bytes;
  }

  txs(limit = Number.MAX_SAFE_INTEGER): Uint8Array[] {
    return [...this.entries.values()].slice(0, limit).map((e) => e.tx);
  }

  /** Runs checkTx and admits the transaction; a rejection is returned as data, a full pool is an error. */
  async add(tx: Uint8Array): Promise<TxResult> {
    if (tx.length === 0) throw new IcsdError("TX_EMPTY", "transaction is empty");
    if (tx.length > this.opts.maxTxBytes) {
      throw new IcsdError(
        "TX_TOO_LARGE",
        `transaction of ${tx.length} bytes exceeds ${this.opts.maxTxBytes}`,
      );
    }
    const hash = toHex(sha256(tx));
    if (this.cache.has(hash)) throw new IcsdError("TX_IN_CACHE", "tx already exists in cache");
    if (this.entries.size >= this.opts.maxTxs || this.bytes + tx.length > this.opts.maxBytes) {
      throw new IcsdError(
        "MEMPOOL_FULL",
        `mempool is full: number of txs ${this.entries.size} (max: ${this.opts.maxTxs}), total txs bytes ${this.bytes} (max: ${this.opts.maxBytes})`,
      );
    }
    const res = await this.app.checkTx(tx, "new");
    if (res.code !== 0) return res;
    this.remember(hash);
    this.entries.set(hash, { tx, hash });
    this.bytes += tx.length;
    return res;
  }

  /** Transactions for a proposal, in arrival order, up to `maxBytes` in total. */
  reap(maxBytes: number): Uint8Array[] {
    const out: Uint8Array[] = [];
    let size = 0;
    for (const e of this.entries.values()) {
      if (size + e.tx.length > maxBytes) break;
      out.push(e.tx);
      size += e.tx.length;
    }
    return out;
  }

  /** After a commit: drop the block's transactions and recheck the rest against the new state. */
  async update(committed: readonly Uint8Array[]): Promise<void> {
    for (const tx of committed) {
      const hash = toHex(sha256(tx));
      this.remember(hash);
      const e = this.entries.get(hash);
      if (e) {
        this.entries.delete(hash);
        this.bytes -= e.tx.length;
      }
    }
    for (const e of [...this.entries.values()]) {
      const res = await this.app.checkTx(e.tx, "recheck");
      if (res.code !== 0) {
        this.entries.delete(e.hash);
        this.bytes -= e.tx.length;
        this.cache.delete(e.hash);
        this.log.debug({ hash: e.hash, code: res.code }, "tx dropped on recheck");
      }
    }
  }

  private remember(hash: string): void {
    this.cache.add(hash);
    if (this.cache.size > this.opts.cacheSize) {
      const first = this.cache.values().next().value;
      if (first !== undefined) this.cache.delete(first);
    }
  }
}
