/**
 * Power shaping, as the reference's validator_set_update.go and power_shaping.go: which bonded provider
 * validators validate a consumer next, with which power, and the diff against the last set sent.
 * Pure functions over plain data (the keeper gathers the inputs); integer arithmetic only.
 */
import type { ValidatorUpdate } from "../../consensus/index.ts";
import { compareBytes, toHex } from "../../utils/index.ts";
import type { PowerShapingParameters } from "./codec.ts";
import type { ConsumerValidator } from "./state.ts";

/** A bonded provider validator as power shaping sees it. */
export interface Candidate {
  readonly providerConsAddr: Uint8Array;
  readonly tokens: bigint;
  /** The provider's last consensus power (what the consumer gets). */
  readonly power: bigint;
  /** The consumer key (assigned, else the provider key). */
  readonly consumerKey: Uint8Array;
}

/** What the predicates of ComputeNextValidators ask of the keeper's state. */
export interface ShapingState {
  isOptedIn(cons: Uint8Array): boolean;
  /** Allowlist / denylist / prioritylist membership by provider consensus address hex. */
  readonly allow: ReadonlySet<string>;
  readonly deny: ReadonlySet<string>;
  readonly priority: ReadonlySet<string>;
  /** Join heights of validators already in the set, by provider cons hex. */
  joinHeight(cons: Uint8Array): bigint | undefined;
}

/**
 * ComputeMinPowerInTopN: the smallest power among the validators that together hold at least `topN`%
 * of the total power of `powers` (sorted descending). 0 when there is no power at all.
 */
export function minPowerInTopN(powers: readonly bigint[], topN: number): bigint {
  const sorted = [...powers].sort((a, b) => (a > b ? -1 : a < b ? 1 : 0));
  const total = sorted.reduce((a, b) => a + b, 0n);
  if (total === 0n) return 0n;
  let sum = 0n;
  for (const p of sorted) {
    sum += p;
    // sum / total >= topN / 100
    if (sum * 100n >= BigInt(topN) * total) return p;
  }
  return sorted[sorted.length - 1] ?? 0n;
}

/**
 * NoMoreThanPercentOfTheSum: caps each power at floor(sum × percent / 100) (at least 1), giving the excess
 * to the others from the largest down, best effort, keeping the sum. Sorted by power descending.
 */
export function capPowers(vals: readonly ConsumerValidator[], percent: number): ConsumerValidator[] {
  const sorted = [...vals].sort((a, b) =>
    a.power > b.power ? -1 : a.power < b.power ? 1 : compareBytes(a.providerConsAddr, b.providerConsAddr),
  );
  const total = sorted.reduce((a, v) => a + v.power, 0n);
  let maxPower = (total * BigInt(percent)) / 100n;
  if (maxPower === 0n) maxPower = 1n;
  let remaining = 0n;
  let below = 0n;
  for (const v of sorted) {
    if (v.power >= maxPower) remaining += v.power - maxPower;
    else below++;
  }
  let perVal = below === 0n ? 0n : remaining / below;
  const out: ConsumerValidator[] = [];
  for (const v of sorted) {
    let power: bigint;
    if (v.power >= maxPower) {
      power = maxPower;
    } else if (v.power + perVal >= maxPower) {
      power = maxPower;
      remaining -= maxPower - v.power;
      below--;
    } else {
      power = v.power + perVal;
      remaining -= perVal;
      below--;
    }
    out.push({ ...v, power });
    if (below !== 0n) perVal = remaining / below;
  }
  return out;
}

/**
 * ComputeNextValidators: `bonded` sorted by tokens (descending; ties by address), truncated to
 * `maxConsensusValidators` unless inactive validators are allowed; kept when opted in (or, on a Top N
 * chain, holding at least `minPowerToOptIn`), allowlisted (if a list is set), not denylisted, and with at
 * least `minStake` tokens; priority-listed ones first; `validatorSetCap` (opt-in chains only); the
 * power cap.
 */
export function computeNextValidators(
  bonded: readonly Candidate[],
  psp: PowerShapingParameters,
  st: ShapingState,
  maxConsensusValidators: bigint,
  minPowerToOptIn: bigint,
  height: bigint,
): ConsumerValidator[] {
  let vals = [...bonded].sort((a, b) =>
    a.tokens > b.tokens ? -1 : a.tokens < b.tokens ? 1 : compareBytes(a.providerConsAddr, b.providerConsAddr),
  );
  if (!psp.allowInactiveVals && BigInt(vals.length) > maxConsensusValidators) {
    vals = vals.slice(0, Number(maxConsensusValidators));
  }
  const chosen: ConsumerValidator[] = [];
  for (const c of vals) {
    const hex = toHex(c.providerConsAddr);
    let optedIn = st.isOptedIn(c.providerConsAddr);
    if (!optedIn && psp.topN > 0) optedIn = c.power >= minPowerToOptIn;
    const ok =
      optedIn &&
      (st.allow.size === 0 || st.allow.has(hex)) &&
      (st.deny.size === 0 || !st.deny.has(hex)) &&
      (psp.minStake === 0n || c.tokens >= psp.minStake);
    if (!ok) continue;
    chosen.push({
      providerConsAddr: c.providerConsAddr,
      power: c.power,
      pubKey: c.consumerKey,
      joinHeight: st.joinHeight(c.providerConsAddr) ?? height,
    });
  }
  const prio = chosen.filter((v) => st.priority.has(toHex(v.providerConsAddr)));
  const rest = chosen.filter((v) => !st.priority.has(toHex(v.providerConsAddr)));
  let next = [...prio, ...rest];
  if (psp.topN === 0 && psp.validatorSetCap !== 0 && psp.validatorSetCap < next.length) {
    next = next.slice(0, psp.validatorSetCap);
  }
  if (psp.validatorsPowerCap > 0) next = capPowers(next, psp.validatorsPowerCap);
  // A validator with no power cannot be in a CometBFT set.
  return next.filter((v) => v.power > 0n);
}

/**
 * DiffValidators by consumer key: a key gone (or with a new key) gets power 0, a changed power its new
 * power, a new key its power. Removals first, in the current set's order, then additions in the next
 * set's order; both sets are given sorted by provider address.
 */
export function diffValidators(
  current: readonly ConsumerValidator[],
  next: readonly ConsumerValidator[],
): ValidatorUpdate[] {
  const cur = new Map(current.map((v) => [toHex(v.pubKey), v]));
  const nxt = new Map(next.map((v) => [toHex(v.pubKey), v]));
  const out: ValidatorUpdate[] = [];
  for (const v of current) {
    const n = nxt.get(toHex(v.pubKey));
    if (n === undefined) out.push({ pubKey: v.pubKey, power: 0n });
    else if (n.power !== v.power) out.push({ pubKey: n.pubKey, power: n.power });
  }
  for (const v of next) if (!cur.has(toHex(v.pubKey))) out.push({ pubKey: v.pubKey, power: v.power });
  return out;
}
