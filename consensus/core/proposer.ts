/**
 * CometBFT's weighted round-robin proposer selection (types/validator_set.go), on bigint with Go's
 * integer semantics: truncating `/` for rescaling, Euclidean division (big.Int.Div) for the average,
 * int64 clipping on add and subtract. Every function is pure: it returns new arrays and new objects and
 * never mutates its arguments.
 *
 * Convention for heights: the set handed to consensus for height H holds the priorities *before* that
 * height's selection (for the first height: the set built by `updateValidatorSet([], genesis)`, all
 * priorities centered). The proposer of round r is the validator chosen by one increment followed by r
 * more increments, exactly as CometBFT's NewValidatorSet (one increment) and enterNewRound
 * (IncrementProposerPriority(round)) do. The set for H+1 is `incrementProposerPriority(setH, 1)`
 * followed by `updateValidatorSet` with whatever updates take effect at H+1.
 */
import type { Address } from "./types.ts";

/** What the selection needs from a validator; richer types pass through unchanged (generic T). */
export interface PrioritizedValidator {
  readonly address: Address;
  readonly power: bigint;
  readonly proposerPriority: bigint;
}

/** CometBFT's PriorityWindowSizeFactor: priorities are kept within 2 x total power of each other. */
export const PRIORITY_WINDOW_SIZE_FACTOR = 2n;
/** CometBFT's MaxTotalVotingPower (MaxInt64 / 8). */
export const MAX_TOTAL_VOTING_POWER = 9223372036854775807n / 8n;

const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;

function clip(x: bigint): bigint {
  if (x > INT64_MAX) return INT64_MAX;
  if (x < INT64_MIN) return INT64_MIN;
  return x;
}

/** Euclidean division as Go's big.Int.Div: the remainder is never negative (divisor > 0 here). */
function euclidDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b < 0n ? q - 1n : q;
}

/** Sum of the powers of a set. */
export function totalPower(vals: readonly { readonly power: bigint }[]): bigint {
  let sum = 0n;
  for (const v of vals) sum += v.power;
  return sum;
}

function withPriority<T extends PrioritizedValidator>(v: T, p: bigint): T {
  return p === v.proposerPriority ? v : { ...v, proposerPriority: p };
}

/** Compares in CometBFT order (power descending, then address ascending). */
export function compareByPower(a: PrioritizedValidator, b: PrioritizedValidator): number {
  if (a.power !== b.power) return a.power > b.power ? -1 : 1;
  return a.address < b.address ? -1 : a.address > b.address ? 1 : 0;
}

/** Rescales priorities so that max - min <= diffMax, dividing by ceil(diff / diffMax) (RescalePriorities). */
function rescale<T extends PrioritizedValidator>(vals: readonly T[], diffMax: bigint): T[] {
  if (diffMax <= 0n || vals.length === 0) return [...vals];
  let max = INT64_MIN;
  let min = INT64_MAX;
  for (const v of vals) {
    if (v.proposerPriority < min) min = v.proposerPriority;
    if (v.proposerPriority > max) max = v.proposerPriority;
  }
  let diff = max - min;
  if (diff < 0n) diff = -diff;
  if (diff <= diffMax) return [...vals];
  const ratio = (diff + diffMax - 1n) / diffMax;
  return vals.map((v) => withPriority(v, v.proposerPriority / ratio));
}

/** Subtracts the (Euclidean) average priority from every priority (shiftByAvgProposerPriority). */
function center<T extends PrioritizedValidator>(vals: readonly T[]): T[] {
  if (vals.length === 0) return [];
  let sum = 0n;
  for (const v of vals) sum += v.proposerPriority;
  const avg = euclidDiv(sum, BigInt(vals.length));
  return vals.map((v) => withPriority(v, clip(v.proposerPriority - avg)));
}

/** Index of the highest priority; ties go to the smaller address (CompareProposerPriority). */
function mostPriorityIndex(vals: readonly PrioritizedValidator[]): number {
  let best = -1;
  for (let i = 0; i < vals.length; i++) {
    const v = vals[i]!;
    if (best < 0) {
      best = i;
      continue;
    }
    const b = vals[best]!;
    if (v.proposerPriority > b.proposerPriority) best = i;
    else if (v.proposerPriority === b.proposerPriority && v.address < b.address) best = i;
  }
  return best;
}

/**
 * Runs CometBFT's IncrementProposerPriority(times): one rescale and centering, then `times` rounds of
 * "add each power to its priority; the highest priority is the proposer and loses the total power".
 * Returns the new set (same order as the input) and the proposer chosen by the last increment.
 * Throws on an empty set or times < 1, as CometBFT panics.
 */
export function incrementProposerPriority<T extends PrioritizedValidator>(
  vals: readonly T[],
  times: number,
): { validators: T[]; proposer: T } {
  if (vals.length === 0) throw new Error("incrementProposerPriority: empty validator set");
  if (!Number.isInteger(times) || times < 1) throw new Error(`incrementProposerPriority: times must be >= 1`);
  const total = totalPower(vals);
  let cur = center(rescale(vals, PRIORITY_WINDOW_SIZE_FACTOR * total));
  let proposer: T | undefined;
  for (let i = 0; i < times; i++) {
    cur = cur.map((v) => withPriority(v, clip(v.proposerPriority + v.power)));
    const idx = mostPriorityIndex(cur);
    const chosen = cur[idx]!;
    const updated = withPriority(chosen, clip(chosen.proposerPriority - total));
    cur[idx] = updated;
    proposer = updated;
  }
  return { validators: cur, proposer: proposer! };
}

/**
 * The proposer of `round` at a height whose set (priorities before selection) is `vals`: one increment
 * gives round 0 (NewValidatorSet / the state's set), `round` more give the later rounds (enterNewRound).
 */
export function proposerOf<T extends PrioritizedValidator>(vals: readonly T[], round: number): T {
  const first = incrementProposerPriority(vals, 1);
  if (round === 0) return first.proposer;
  return incrementProposerPriority(first.validators, round).proposer;
}

/** A change to a validator set: power 0 removes the validator (ABCI ValidatorUpdate semantics). */
export interface PowerUpdate {
  readonly address: Address;
  readonly power: bigint;
}

/**
 * CometBFT's UpdateWithChangeSet: applies `updates` (power 0 removes) and returns a new set in CometBFT
 * order (power desc, address asc). New validators start at -1.125 x (total power after updates, before
 * removals), so bonding out and back in cannot reset a low priority; validators whose power changes
 * keep their priority; then priorities are rescaled and centered. An empty update list returns the set
 * unchanged. Throws on duplicates, negative powers, removal of an unknown validator, an empty result or
 * a total above MAX_TOTAL_VOTING_POWER. Extra fields of an update (e.g. a public key) are kept on the
 * resulting validator.
 */
export function updateValidatorSet<T extends PrioritizedValidator, U extends PowerUpdate>(
  vals: readonly T[],
  updates: readonly U[],
): (T | (U & { proposerPriority: bigint }))[] {
  type R = T | (U & { proposerPriority: bigint });
  if (updates.length === 0) return [...vals];
  const sorted = [...updates].sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i]!.address === sorted[i - 1]!.address) {
      throw new Error(`updateValidatorSet: duplicate entry ${sorted[i]!.address}`);
    }
  }
  const byAddr = new Map<Address, T>();
  for (const v of vals) byAddr.set(v.address, v);
  let removed = 0n;
  let newCount = 0;
  const removals = new Set<Address>();
  for (const u of sorted) {
    if (u.power < 0n) throw new Error(`updateValidatorSet: negative power for ${u.address}`);
    if (u.power > MAX_TOTAL_VOTING_POWER)
      throw new Error(`updateValidatorSet: power too large for ${u.address}`);
    const old = byAddr.get(u.address);
    if (u.power === 0n) {
      if (!old) throw new Error(`updateValidatorSet: cannot remove unknown validator ${u.address}`);
      removed += old.power;
      removals.add(u.address);
    } else if (!old) newCount++;
  }
  if (newCount === 0 && removals.size === vals.length) {
    throw new Error("updateValidatorSet: the change would leave an empty set");
  }
  // verifyUpdates: total after updates and before removals.
  let tvpBeforeRemovals = totalPower(vals);
  for (const u of sorted) {
    if (u.power === 0n) continue;
    tvpBeforeRemovals += u.power - (byAddr.get(u.address)?.power ?? 0n);
  }
  if (tvpBeforeRemovals - removed > MAX_TOTAL_VOTING_POWER) {
    throw new Error("updateValidatorSet: total voting power exceeds the maximum");
  }
  const merged = new Map<Address, R>();
  for (const v of vals) merged.set(v.address, v);
  for (const u of sorted) {
    if (u.power === 0n) {
      merged.delete(u.address);
      continue;
    }
    const old = byAddr.get(u.address);
    // computeNewPriorities: -(tvp + tvp >> 3) for a new validator, the old priority otherwise.
    const priority = old ? old.proposerPriority : -(tvpBeforeRemovals + (tvpBeforeRemovals >> 3n));
    merged.set(
      u.address,
      old ? { ...old, ...u, proposerPriority: priority } : { ...u, proposerPriority: priority },
    );
  }
  const list = [...merged.values()];
  const total = totalPower(list);
  const result = center(rescale(list, PRIORITY_WINDOW_SIZE_FACTOR * total));
  return result.sort(compareByPower);
}
