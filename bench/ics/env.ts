/**
 * What the two phases of the interchain-security benchmark share: the provider's and the consumer's
 * RPC ports and block clocks, the epoch length, and a bounded wait.
 */
import type { BlockClock } from "../relay/blocks.ts";
import type { RpcClient } from "../throughput/rpc.ts";

/** A launched provider/consumer pair with a relayer between them, and a clock of each chain's commits. */
export interface IcsEnv {
  readonly rpc: RpcClient;
  readonly portP: number;
  readonly portC: number;
  readonly clockP: BlockClock;
  readonly clockC: BlockClock;
  /** The provider's blocks_per_epoch. */
  readonly epoch: number;
  readonly timeoutMs: number;
  /** Polls `check` until it holds; throws (with the processes' log tails) after `timeoutMs`. */
  until(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void>;
}

/** The first epoch boundary (height % epoch == 0, where the provider sends VSC packets) at or after `h`. */
export function nextBoundary(h: number, epoch: number): number {
  return Math.ceil(h / epoch) * epoch;
}
