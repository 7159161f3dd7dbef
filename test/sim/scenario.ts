/**
 * Everything random about one simulation, drawn from its seed: the validators and their powers, which
 * of them are byzantine (total power strictly below one third), when the network stabilises (GST), how
 * lossy and slow it is before, and which honest nodes crash and restart.
 */
import type { CoreValidator, TimeoutConfig } from "../../consensus/core/index.ts";
import { updateValidatorSet } from "../../consensus/core/index.ts";
import { Prng } from "./prng.ts";

export interface Crash {
  readonly node: number;
  readonly at: number;
  readonly restartAt: number;
}

export interface Scenario {
  readonly seed: number;
  readonly addresses: readonly string[];
  /** The genesis set, priorities before the first selection. */
  readonly validators: readonly CoreValidator[];
  /** Node indices that behave arbitrarily (equivocate, split proposals, propose invalid values). */
  readonly byzantine: ReadonlySet<number>;
  readonly gstMs: number;
  /** Before GST: chance a message is lost, and the largest delay. */
  readonly dropPermille: number;
  readonly maxDelayPreGstMs: number;
  /** After GST every message arrives within this bound. */
  readonly maxDelayPostGstMs: number;
  readonly duplicatePermille: number;
  /** How often the pre-GST network is cut into new partitions. */
  readonly partitionEveryMs: number;
  readonly crashes: readonly Crash[];
  /** Chance that a byzantine proposer's alternative value is invalid. */
  readonly invalidPermille: number;
  readonly timeouts: TimeoutConfig;
  readonly prng: Prng;
}

/** Timeouts comfortably above the post-GST delay bound, growing per round as CometBFT's do. */
export const SIM_TIMEOUTS: TimeoutConfig = {
  proposeMs: 1000,
  proposeDeltaMs: 250,
  prevoteMs: 500,
  prevoteDeltaMs: 250,
  precommitMs: 500,
  precommitDeltaMs: 250,
};

/** Draws the scenario of `seed`; the same seed always gives the same scenario. */
export function scenarioFor(seed: number): Scenario {
  const prng = new Prng(seed);
  const n = prng.range(4, 7);
  const addresses = Array.from({ length: n }, (_, i) => (0xa0 + i).toString(16));
  const powers = addresses.map(() => BigInt(prng.range(1, 10)));
  const validators = updateValidatorSet(
    [],
    addresses.map((address, i) => ({ address, power: powers[i]! })),
  );
  const total = powers.reduce((a, b) => a + b, 0n);
  const byzantine = new Set<number>();
  const wanted = prng.int(Math.floor((n - 1) / 3) + 1);
  let byzPower = 0n;
  for (let tries = 0; byzantine.size < wanted && tries < 4 * n; tries++) {
    const i = prng.int(n);
    if (byzantine.has(i)) continue;
    if ((byzPower + powers[i]!) * 3n >= total) continue;
    byzantine.add(i);
    byzPower += powers[i]!;
  }
  const gstMs = prng.range(0, 8000);
  const crashes: Crash[] = [];
  if (gstMs > 1000 && prng.chance(500)) {
    const count = prng.range(1, 2);
    for (let c = 0; c < count; c++) {
      const node = prng.int(n);
      if (byzantine.has(node) || crashes.some((x) => x.node === node)) continue;
      const at = prng.range(0, gstMs - 500);
      crashes.push({ node, at, restartAt: prng.range(at + 1, gstMs) });
    }
  }
  return {
    seed,
    addresses,
    validators,
    byzantine,
    gstMs,
    dropPermille: prng.range(0, 400),
    maxDelayPreGstMs: prng.range(50, 2000),
    maxDelayPostGstMs: prng.range(10, 200),
    duplicatePermille: prng.range(0, 100),
    partitionEveryMs: prng.range(300, 3000),
    crashes,
    invalidPermille: prng.range(0, 600),
    timeouts: SIM_TIMEOUTS,
    prng: prng.fork(),
  };
}
