import type { Application, TxResult } from "../consensus/application.ts";
import { sha256 } from "../crypto/index.ts";
import { IcsdError, type Logger, toHex } from "../utils/index.ts";

export interface MempoolOptions {
  /** Most transactions held at once. */
  readonly maxTxs: number;
  /** Most bytes of transactions held at once. */
  readonly maxBytes: number;
  /** Largest single transaction admitted. */
  readonly maxTxBytes: number;
  /** Hashes remembered to refuse duplicates (admitted and committed transactions). */
  readonly cacheSize: number;
}

export const defaultMempoolOptions: MempoolOptions = {
  maxTxs: 5000,
  maxBytes: 64 * 1024 * 1024,
  maxTxBytes: 1024 * 1024,
  cacheSize: 10_000,
};

/** What the mempool reports, when the node gives it metrics (prom-client gauges and counters fit). */
export interface MempoolMetrics {
  readonly size: { set(value: number): void };
  readonly sizeBytes: { set(value: number): void };
  readonly failedTxsTotal: { inc(): void };
  readonly recheckTimesTotal: { inc(value?: number): void };
}

interface Entry {
  readonly tx: Uint8Array;
  readonly hash: string;
  /** The first signer and the sequence the tx carries, when the application says (the SDK app does). */
  readonly sender: string | undefined;
  readonly sequence: bigint;
}

/**
 * Transactions waiting for a block, as CometBFT's mempool: admitted by checkTx, bounded by count and
 * bytes, rechecked after every commit, with a cache of recent hashes that refuses duplicates (including
 * transactions already committed).
 *
 * Ordering: arrival order overall, except that a sender's transactions always come out in increasing
 * sequence order, so a proposal never carries a sequence before the one it depends on. Transactions
 * without sender information (the kvstore app) keep pure arrival order.
 *
 * `add` and `update` run one at a time, and the node holds `lock` from the application's commit to
 * `update`, so a new transaction is never checked against a check state that a commit has reset or a
 * recheck pass is halfway through (CometBFT's mempool lock).
 */
export class Mempool {
  private readonly opts: MempoolOptions;
  private readonly app: Application;
  private readonly log: Logger;
  private readonly metrics: MempoolMetrics | undefined;
  /** In arrival order (Map iteration order is insertion order). */
  private readonly entries = new Map<string, Entry>();
  /** Each sender's entries, by increasing sequence. */
  private readonly bySender = new Map<string, Entry[]>();
  private bytes = 0;
  private readonly cache = new Set<string>();
  private queue: Promise<unknown> = Promise.resolve();
  /** Set while `lock` is held: releases it. */
  private release: (() => void) | undefined;

  constructor(opts: MempoolOptions, modules: { app: Application; logger: Logger; metrics?: MempoolMetrics }) {
    this.opts = opts;
    this.app = modules.app;
    this.log = modules.logger;
    this.metrics = modules.metrics;
  }

  /** Number of transactions held. */
  size(): number {
    return this.entries.size;
  }

  /** Bytes of transactions held. */
  totalBytes(): number {
    return this.bytes;
  }

  /** Up to `limit` transactions, in the order `reap` would propose them. */
  txs(limit = Number.MAX_SAFE_INTEGER): Uint8Array[] {
    return this.ordered(Number.POSITIVE_INFINITY)
      .slice(0, limit)
      .map((e) => e.tx);
  }

  /**
   * Runs checkTx and admits the transaction. A rejection by the application is returned as data; an
   * empty, oversized or duplicate transaction, or a full pool, is an IcsdError (TX_EMPTY, TX_TOO_LARGE,
   * TX_IN_CACHE, MEMPOOL_FULL) with CometBFT's wording.
   */
  async add(tx: Uint8Array): Promise<TxResult> {
    if (tx.length === 0) throw new IcsdError("TX_EMPTY", "transaction is empty");
    const max = this.opts.maxTxBytes;
    if (tx.length > max) {
      const meta = { max, size: tx.length };
      throw new IcsdError("TX_TOO_LARGE", `tx too large. Max size is ${max}, but got ${tx.length}`, meta);
    }
    const hash = toHex(sha256(tx));
    return await this.exclusive(() => this.admit(tx, hash));
  }

  /**
   * Transactions for a proposal, up to `maxBytes` in total. A transaction that does not fit is left
   * out together with its sender's later transactions (they would fail on sequence without it); later
   * transactions of other senders may still fill the space.
   */
  reap(maxBytes: number): Uint8Array[] {
    return this.ordered(maxBytes).map((e) => e.tx);
  }

  /**
   * Holds `add` off from now until `update` (or `unlock`), as CometBFT locks the mempool across the
   * application's Commit and the mempool's Update: once the application has committed, its check state
   * no longer holds the pending transactions until they are rechecked, so a new transaction checked in
   * between would fail on its sequence. Resolves once in-flight checks are done.
   */
  async lock(): Promise<void> {
    if (this.release !== undefined) return;
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    await new Promise<void>((acquired) => {
      void this.exclusive(async () => {
        acquired();
        await gate;
      });
    });
    this.release = release;
  }

  /** Releases `lock` (update releases it too); a no-op when not locked. */
  unlock(): void {
    const release = this.release;
    this.release = undefined;
    release?.();
  }

  /**
   * After a commit: drops the block's transactions (remembering their hashes), resets the application's
   * check state, and rechecks the rest in each sender's sequence order. A transaction failing recheck is
   * dropped with its sender's later transactions, and forgotten by the cache so it can be resubmitted.
   * Runs inside `lock` when the caller holds it, and releases it.
   */
  async update(committed: readonly Uint8Array[]): Promise<void> {
    if (this.release === undefined) {
      await this.exclusive(() => this.recheck(committed));
      return;
    }
    try {
      await this.recheck(committed);
    } finally {
      this.unlock();
    }
  }

  private async admit(tx: Uint8Array, hash: string): Promise<TxResult> {
    if (this.entries.size >= this.opts.maxTxs || this.bytes + tx.length > this.opts.maxBytes) {
      throw new IcsdError(
        "MEMPOOL_FULL",
        `mempool is full: number of txs ${this.entries.size} (max: ${this.opts.maxTxs}), total txs bytes ${this.bytes} (max: ${this.opts.maxBytes})`,
        { txs: this.entries.size, maxTxs: this.opts.maxTxs, bytes: this.bytes, maxBytes: this.opts.maxBytes },
      );
    }
    if (this.cache.has(hash)) throw new IcsdError("TX_IN_CACHE", "tx already exists in cache", { hash });
    const res = await this.app.checkTx(tx, "new");
    if (res.code !== 0) {
      this.metrics?.failedTxsTotal.inc();
      return res;
    }
    this.remember(hash);
    this.insert({ tx, hash, sender: res.sender, sequence: res.sequence ?? 0n });
    this.reportSize();
    return res;
  }

  private async recheck(committed: readonly Uint8Array[]): Promise<void> {
    for (const tx of committed) {
      const hash = toHex(sha256(tx));
      this.remember(hash);
      const e = this.entries.get(hash);
      if (e) this.remove(e);
    }
    // Always reset, even with nothing left to recheck: the check state must follow the committed state.
    this.app.beginRecheck?.();
    const failedSenders = new Set<string>();
    let rechecked = 0;
    for (const e of this.ordered(Number.POSITIVE_INFINITY)) {
      if (e.sender !== undefined && failedSenders.has(e.sender)) {
        this.drop(e, "sender's earlier tx failed recheck");
        continue;
      }
      rechecked++;
      const res = await this.app.checkTx(e.tx, "recheck");
      if (res.code !== 0) {
        if (e.sender !== undefined) failedSenders.add(e.sender);
        this.drop(e, res.log);
      }
    }
    this.metrics?.recheckTimesTotal.inc(rechecked);
    this.reportSize();
  }

  /**
   * Entries in proposal order, within `maxBytes`. Walking arrival order, a sender's turn comes at the
   * arrival of any of its not-yet-emitted transactions and emits its queue in sequence order up to that
   * one, so a transaction never precedes a lower sequence of the same sender.
   */
  private ordered(maxBytes: number): Entry[] {
    const out: Entry[] = [];
    let size = 0;
    const nextIndex = new Map<string, number>();
    const blocked = new Set<string>();
    const emitted = new Set<Entry>();
    for (const e of this.entries.values()) {
      if (e.sender === undefined) {
        if (size + e.tx.length <= maxBytes) {
          out.push(e);
          size += e.tx.length;
        }
        continue;
      }
      if (blocked.has(e.sender)) continue;
      const queue = this.bySender.get(e.sender)!;
      let i = nextIndex.get(e.sender) ?? 0;
      if (emitted.has(e)) continue; // came out on an earlier arrival of this sender
      for (; i < queue.length; i++) {
        const q = queue[i]!;
        if (size + q.tx.length > maxBytes) {
          blocked.add(e.sender);
          break;
        }
        out.push(q);
        emitted.add(q);
        size += q.tx.length;
        if (q === e) {
          i++;
          break;
        }
      }
      nextIndex.set(e.sender, i);
    }
    return out;
  }

  private insert(e: Entry): void {
    this.entries.set(e.hash, e);
    this.bytes += e.tx.length;
    if (e.sender === undefined) return;
    let queue = this.bySender.get(e.sender);
    if (!queue) {
      queue = [];
      this.bySender.set(e.sender, queue);
    }
    // Usually appended: the app's check state admits a sender's sequences in order.
    let i = queue.length;
    while (i > 0 && queue[i - 1]!.sequence > e.sequence) i--;
    queue.splice(i, 0, e);
  }

  private remove(e: Entry): void {
    this.entries.delete(e.hash);
    this.bytes -= e.tx.length;
    if (e.sender === undefined) return;
    const queue = this.bySender.get(e.sender);
    if (!queue) return;
    const i = queue.indexOf(e);
    if (i >= 0) queue.splice(i, 1);
    if (queue.length === 0) this.bySender.delete(e.sender);
  }

  private drop(e: Entry, reason: string): void {
    this.remove(e);
    this.cache.delete(e.hash);
    this.metrics?.failedTxsTotal.inc();
    this.log.debug({ hash: e.hash, sender: e.sender, sequence: e.sequence, reason }, "tx dropped on recheck");
  }

  private remember(hash: string): void {
    // Re-inserting refreshes the hash's place, so the oldest hashes are the ones evicted.
    this.cache.delete(hash);
    this.cache.add(hash);
    if (this.cache.size > this.opts.cacheSize) {
      const oldest = this.cache.values().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
  }

  private reportSize(): void {
    this.metrics?.size.set(this.entries.size);
    this.metrics?.sizeBytes.set(this.bytes);
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }
}
