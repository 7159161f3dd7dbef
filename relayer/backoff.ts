/**
 * Capped exponential backoff and an abortable sleep: how the relayer waits after an RPC or broadcast
 * error before trying again.
 */

/** Base and cap of a backoff (ms). */
export interface BackoffOptions {
  readonly baseMs: number;
  readonly maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 250, maxMs: 30_000 };

/** The delay before retry number `attempt` (0-based): base * 2^attempt, capped at max. */
export function backoffDelay(attempt: number, o: BackoffOptions = DEFAULT_BACKOFF): number {
  const exp = Math.min(attempt, 30);
  return Math.min(o.maxMs, o.baseMs * 2 ** exp);
}

/** A counter of consecutive failures that yields the next delay and resets on success. */
export class Backoff {
  private readonly opts: BackoffOptions;
  private failures = 0;

  constructor(opts: BackoffOptions = DEFAULT_BACKOFF) {
    this.opts = opts;
  }

  /** The delay after one more failure. */
  next(): number {
    return backoffDelay(this.failures++, this.opts);
  }

  reset(): void {
    this.failures = 0;
  }

  /** Consecutive failures so far. */
  get attempts(): number {
    return this.failures;
  }
}

/** Resolves after `ms`, or at once when `signal` aborts (never rejects). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}
