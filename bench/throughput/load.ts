/**
 * The load: each account is pinned to one node and sends its txs there one after the other, in
 * sequence order (the node's check state wants them in order), while all accounts send concurrently.
 * Each account keeps at most `window` txs broadcast but not yet committed. Commits are matched back
 * by tx hash, giving broadcast-to-commit latency per tx.
 */
import { createHash } from "node:crypto";
import type { RpcClient } from "./rpc.ts";

/** One account's stream of txs: pre-signed ones first, then signed on demand (the --duration run). */
export interface TxSource {
  readonly port: number;
  /** Makes the tx of a sequence that was not pre-signed. */
  readonly make: (sequence: number) => Promise<Uint8Array>;
  /** Indexed by sequence; each is dropped once sent, so a long run holds no history. */
  readonly presigned: (Uint8Array | undefined)[];
}

export interface LoadOptions {
  /** Txs per account to send; Infinity sends until `stop()`. */
  readonly txsPerAccount: number;
  readonly window: number;
}

const MEMPOOL_FULL_BACKOFF_MS = 25;
const MAX_ERRORS_KEPT = 10;
const MAX_TRANSPORT_RETRIES = 5;
const TRANSPORT_BACKOFF_MS = 50;

async function sleep(ms: number): Promise<void> {
  await new Promise((r) => setTimeout(r, ms));
}

function txHash(tx: Uint8Array): string {
  return createHash("sha256").update(tx).digest("hex").toUpperCase();
}

export class Load {
  private readonly rpc: RpcClient;
  private readonly sources: readonly TxSource[];
  private readonly opts: LoadOptions;
  private readonly pending = new Map<string, { account: number; sentAt: number }>();
  private readonly inflight: number[];
  private readonly wakers: ((() => void) | undefined)[];
  private stopped = false;
  /** Broadcast-to-commit latencies in ms, of txs committed. */
  readonly latencies: number[] = [];
  /** Commit times (ms, performance.now) of txs committed, in order. */
  readonly commitTimes: number[] = [];
  sent = 0;
  mempoolFullRetries = 0;
  /** Broadcasts repeated after a transport error (no response). */
  transportRetries = 0;
  /** Txs signed after the clock started (only when the pre-signed ones ran out: --duration). */
  signedDuringRun = 0;
  readonly errors: string[] = [];
  failedAccounts = 0;

  constructor(rpc: RpcClient, sources: readonly TxSource[], opts: LoadOptions) {
    this.rpc = rpc;
    this.sources = sources;
    this.opts = opts;
    this.inflight = sources.map(() => 0);
    this.wakers = sources.map(() => undefined);
  }

  /** Runs every account's sender; resolves when all have sent their txs (or `stop()` was called). */
  async run(): Promise<void> {
    await Promise.all(this.sources.map((_, i) => this.sender(i)));
  }

  stop(): void {
    this.stopped = true;
    for (const w of this.wakers) w?.();
  }

  /** Txs broadcast and accepted but not yet seen in a block. */
  uncommitted(): number {
    return this.pending.size;
  }

  /** Matches a committed block's txs to broadcasts. */
  onBlock(_height: number, txs: readonly string[], seenAt: number): void {
    for (const b64 of txs) {
      const hash = txHash(Buffer.from(b64, "base64"));
      const p = this.pending.get(hash);
      if (!p) continue;
      this.pending.delete(hash);
      this.latencies.push(seenAt - p.sentAt);
      this.commitTimes.push(seenAt);
      this.inflight[p.account]!--;
      const wake = this.wakers[p.account];
      this.wakers[p.account] = undefined;
      wake?.();
    }
  }

  private async sender(i: number): Promise<void> {
    const src = this.sources[i]!;
    for (let seq = 0; seq < this.opts.txsPerAccount && !this.stopped; seq++) {
      while (this.inflight[i]! >= this.opts.window && !this.stopped) {
        await new Promise<void>((r) => {
          this.wakers[i] = r;
        });
      }
      if (this.stopped) return;
      let tx = src.presigned[seq];
      src.presigned[seq] = undefined;
      if (tx === undefined) {
        tx = await src.make(seq);
        this.signedDuringRun++;
      }
      if (!(await this.send(i, src.port, tx))) {
        this.failedAccounts++;
        return;
      }
    }
  }

  /** Broadcasts until accepted; false when the node refuses the tx for good. */
  private async send(account: number, port: number, tx: Uint8Array): Promise<boolean> {
    const hash = txHash(tx);
    let transportFailures = 0;
    // Latency counts from the first attempt: retries after a full mempool are part of the wait.
    const sentAt = performance.now();
    for (;;) {
      if (this.stopped) return false;
      // Registered before the request: the block may be seen before the response arrives.
      this.pending.set(hash, { account, sentAt });
      this.inflight[account]!++;
      let res: { code: number; log: string };
      try {
        res = await this.rpc.broadcastTxSync(port, tx);
      } catch (e) {
        res = { code: -1, log: e instanceof Error ? e.message : String(e) };
      }
      // After a lost response (a keep-alive socket reset), the node may already hold the tx.
      if (res.code === 0 || (transportFailures > 0 && /tx already exists in cache/.test(res.log))) {
        this.sent++;
        return true;
      }
      if (this.pending.delete(hash)) this.inflight[account]!--;
      if (/mempool is full/.test(res.log)) {
        this.mempoolFullRetries++;
        await sleep(MEMPOOL_FULL_BACKOFF_MS);
        continue;
      }
      if (res.code === -1 && transportFailures < MAX_TRANSPORT_RETRIES) {
        transportFailures++;
        this.transportRetries++;
        await sleep(TRANSPORT_BACKOFF_MS);
        continue;
      }
      if (this.errors.length < MAX_ERRORS_KEPT) this.errors.push(`code ${res.code}: ${res.log}`);
      return false;
    }
  }
}
