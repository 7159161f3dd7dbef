/**
 * What the two phases of the relay benchmark share: the chains' RPC ports and block clocks, the channel,
 * a bounded wait, and the summary statistics they report.
 */
import { sleep } from "../../test/e2e/harness.ts";
import { quantile } from "../throughput/measure.ts";
import type { RpcClient } from "../throughput/rpc.ts";
import type { BlockClock } from "./blocks.ts";

/** Two running chains joined by one channel, a relayer between them, and a clock of each chain's commits. */
export interface RelayEnv {
  readonly rpc: RpcClient;
  readonly portA: number;
  readonly portB: number;
  readonly clockA: BlockClock;
  readonly clockB: BlockClock;
  readonly channelA: string;
  readonly channelB: string;
  /** Polls `check` until it holds; throws (with the relayer's log tail) after `timeoutMs`. */
  until(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void>;
}

/** How often `until` checks. */
export const CHECK_MS = 50;

/** Polls `check` every CHECK_MS until it holds; throws with `describe()` after `timeoutMs`. */
export async function until(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs: number,
  describe: () => string = () => "",
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}\n${describe()}`);
    await sleep(CHECK_MS);
  }
}

/** Median, 90th percentile and extremes of a sample (nearest rank; NaN / ±Infinity when empty). */
export interface Stats {
  readonly median: number;
  readonly p90: number;
  readonly max: number;
  readonly min: number;
}

export function stats(xs: readonly number[]): Stats {
  return {
    median: quantile(xs, 0.5),
    p90: quantile(xs, 0.9),
    max: xs.reduce((m, x) => Math.max(m, x), Number.NEGATIVE_INFINITY),
    min: xs.reduce((m, x) => Math.min(m, x), Number.POSITIVE_INFINITY),
  };
}

/** "median m, p90 p, max x" with `digits` decimals. */
export function fmt(s: Stats, digits = 0): string {
  return `median ${s.median.toFixed(digits)}, p90 ${s.p90.toFixed(digits)}, max ${s.max.toFixed(digits)}`;
}
