/**
 * When each block of a chain was committed, as seen from the benchmark process: every height with the
 * moment its NewBlock arrived (throughput's CommitWatcher: websocket, or polling at 20 ms). Both chains'
 * clocks are this process's `performance.now()`, so "B's height when A committed block H" is a lookup.
 */
import { sleep } from "../../test/e2e/harness.ts";
import { CommitWatcher } from "../throughput/commits.ts";
import type { RpcClient } from "../throughput/rpc.ts";

/** The commit times of one chain's blocks, from the moment `start` is called. */
export class BlockClock {
  readonly name: string;
  private readonly watcher: CommitWatcher;
  private readonly seen = new Map<number, number>();
  private first = 0;
  private last = 0;

  constructor(name: string, rpc: RpcClient, port: number) {
    this.name = name;
    this.watcher = new CommitWatcher(rpc, port, (h, _txs, at) => {
      this.seen.set(h, at);
      this.last = h;
    });
  }

  /** Starts watching blocks above `afterHeight`; resolves with how commits are seen. */
  async start(afterHeight: number): Promise<"websocket" | "polling"> {
    this.first = afterHeight + 1;
    this.last = afterHeight;
    return this.watcher.start(afterHeight);
  }

  stop(): void {
    this.watcher.stop();
  }

  /** The last height seen committed. */
  get tip(): number {
    return this.last;
  }

  /** When block `h` was seen committed (undefined before it was, or before the clock started). */
  seenAt(h: number): number | undefined {
    return this.seen.get(h);
  }

  /** The highest height seen committed at or before `t` (the height before the first watched one if none). */
  heightAt(t: number): number {
    let h = this.first - 1;
    while (h + 1 <= this.last && this.seen.get(h + 1)! <= t) h++;
    return h;
  }

  /** Waits until block `h` has been seen; its commit time. */
  async waitFor(h: number, timeoutMs: number): Promise<number> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const t = this.seen.get(h);
      if (t !== undefined) return t;
      if (performance.now() > deadline) {
        throw new Error(`${this.name}: block ${h} not seen within ${timeoutMs} ms (tip ${this.last})`);
      }
      await sleep(10);
    }
  }

  /** Intervals between consecutive blocks with both ends in [from, to], in ms. */
  intervals(from: number, to: number): number[] {
    const out: number[] = [];
    for (let h = Math.max(from, this.first) + 1; h <= Math.min(to, this.last); h++) {
      const a = this.seen.get(h - 1);
      const b = this.seen.get(h);
      if (a !== undefined && b !== undefined) out.push(b - a);
    }
    return out;
  }
}
