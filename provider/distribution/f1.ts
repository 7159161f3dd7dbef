import {
  type AppStore,
  DEC_ONE,
  type Dec,
  type DecCoin,
  decFromInt,
  decMulInt,
  decMulTruncate,
  decQuo,
  decQuoTruncate,
  decToString,
} from "../../app/index.ts";
import { toHex } from "../../utils/index.ts";
import type { Delegation, Validator } from "../staking/types.ts";
import { addDec, isAnyNegative, mulDecTruncate, quoDecTruncate, subDec, sumBySource } from "./decCoins.ts";
import {
  addToCommunityPool,
  deleteHistorical,
  getCurrent,
  getHistorical,
  getOutstanding,
  getStartingInfo,
  setCommission,
  setCurrent,
  setHistorical,
  setOutstanding,
  setSlashEvent,
  setStartingInfo,
  slashEventsBetween,
} from "./state.ts";

/**
 * F1 fee distribution (x/distribution/keeper/validator.go and delegation.go of SDK 0.50), over keyed
 * DecCoins (`source|denom`). A validator's rewards since its last period end sit in its current
 * rewards; ending a period adds rewards/tokens to the cumulative reward ratio of the new historical
 * record. A delegation's rewards are stake × (ratio at the end − ratio at its start), split at the
 * validator's slash events, where the stake shrinks by the slash fraction.
 */

/** The SDK's TokensFromShares: shares × tokens / delegatorShares, rounded. */
export function tokensFromShares(v: Validator, shares: Dec): Dec {
  return decQuo(decMulInt(shares, v.tokens), v.delegatorShares);
}

/** The SDK's TokensFromSharesTruncated. */
export function tokensFromSharesTruncated(v: Validator, shares: Dec): Dec {
  return decQuoTruncate(decMulInt(shares, v.tokens), v.delegatorShares);
}

/** initializeValidator: historical period 0 (one reference), current period 1, empty records. */
export function initializeValidator(store: AppStore, val: Uint8Array): void {
  setHistorical(store, val, 0n, { cumulativeRewardRatio: [], referenceCount: 1 });
  setCurrent(store, val, { rewards: [], period: 1n });
  setCommission(store, val, []);
  setOutstanding(store, val, []);
}

async function historical(store: AppStore, val: Uint8Array, period: bigint) {
  const h = await getHistorical(store, val, period);
  if (!h) throw new Error(`no historical rewards for validator ${toHex(val)} period ${period}`);
  return h;
}

export async function currentRewards(store: AppStore, val: Uint8Array) {
  const c = await getCurrent(store, val);
  if (!c) throw new Error(`no current rewards for validator ${toHex(val)}`);
  return c;
}

export async function incrementReferenceCount(
  store: AppStore,
  val: Uint8Array,
  period: bigint,
): Promise<void> {
  const h = await historical(store, val, period);
  if (h.referenceCount > 2) throw new Error("reference count should never exceed 2");
  setHistorical(store, val, period, { ...h, referenceCount: h.referenceCount + 1 });
}

export async function decrementReferenceCount(
  store: AppStore,
  val: Uint8Array,
  period: bigint,
): Promise<void> {
  const h = await historical(store, val, period);
  if (h.referenceCount === 0) throw new Error("cannot set negative reference count");
  if (h.referenceCount === 1) deleteHistorical(store, val, period);
  else setHistorical(store, val, period, { ...h, referenceCount: h.referenceCount - 1 });
}

/**
 * IncrementValidatorPeriod: ends the current period and returns it. A validator with no tokens cannot
 * form a ratio, so its current rewards go to the community pool instead (as the SDK).
 */
export async function incrementValidatorPeriod(store: AppStore, val: Validator): Promise<bigint> {
  const op = val.operator;
  const cur = await currentRewards(store, op);
  let current: DecCoin[];
  if (val.tokens === 0n) {
    const outstanding = await getOutstanding(store, op);
    await addToCommunityPool(store, sumBySource(cur.rewards));
    setOutstanding(store, op, subDec(outstanding, cur.rewards));
    current = [];
  } else {
    // Truncated so nobody can withdraw more than was allocated.
    current = quoDecTruncate(cur.rewards, decFromInt(val.tokens));
  }
  const prev = await historical(store, op, cur.period - 1n);
  await decrementReferenceCount(store, op, cur.period - 1n);
  setHistorical(store, op, cur.period, {
    cumulativeRewardRatio: addDec(prev.cumulativeRewardRatio, current),
    referenceCount: 1,
  });
  setCurrent(store, op, { rewards: [], period: cur.period + 1n });
  return cur.period;
}

/** initializeDelegation: the delegation starts after the period just ended, with its truncated stake. */
export async function initializeDelegation(
  store: AppStore,
  val: Validator,
  del: Delegation,
  height: number,
): Promise<void> {
  const previousPeriod = (await currentRewards(store, val.operator)).period - 1n;
  await incrementReferenceCount(store, val.operator, previousPeriod);
  setStartingInfo(store, val.operator, del.delegator, {
    previousPeriod,
    stake: tokensFromSharesTruncated(val, del.shares),
    height: BigInt(height),
  });
}

async function rewardsBetween(
  store: AppStore,
  val: Uint8Array,
  startingPeriod: bigint,
  endingPeriod: bigint,
  stake: Dec,
): Promise<DecCoin[]> {
  if (startingPeriod > endingPeriod) throw new Error("startingPeriod cannot be greater than endingPeriod");
  if (stake < 0n) throw new Error("stake should not be negative");
  const starting = await historical(store, val, startingPeriod);
  const ending = await historical(store, val, endingPeriod);
  const difference = subDec(ending.cumulativeRewardRatio, starting.cumulativeRewardRatio);
  if (isAnyNegative(difference)) throw new Error("negative rewards should not be possible");
  return mulDecTruncate(difference, stake);
}

/**
 * CalculateDelegationRewards up to `endingPeriod` (already ended), at block `height`: keyed DecCoins.
 * Slash events between the delegation's start height and `height` split the sum; the recomputed
 * stake may exceed the current one by at most 3 atomics of rounding, then the current one is used.
 */
export async function calculateDelegationRewards(
  store: AppStore,
  val: Validator,
  del: Delegation,
  endingPeriod: bigint,
  height: bigint,
): Promise<DecCoin[]> {
  const info = await getStartingInfo(store, val.operator, del.delegator);
  if (!info) throw new Error("collections: not found: delegator starting info");
  // Started this height: no rewards yet.
  if (info.height === height) return [];
  let startingPeriod = info.previousPeriod;
  let stake = info.stake;
  let rewards: DecCoin[] = [];
  if (height > info.height) {
    for (const e of await slashEventsBetween(store, val.operator, info.height, height)) {
      if (e.validatorPeriod > startingPeriod) {
        rewards = addDec(
          rewards,
          await rewardsBetween(store, val.operator, startingPeriod, e.validatorPeriod, stake),
        );
        stake = decMulTruncate(stake, DEC_ONE - e.fraction);
        startingPeriod = e.validatorPeriod;
      }
    }
  }
  const currentStake = tokensFromShares(val, del.shares);
  if (stake > currentStake) {
    // Accumulated rounding across periods may leave the last digits above the current stake.
    if (stake <= currentStake + 3n) stake = currentStake;
    else {
      throw new Error(
        `calculated final stake for delegator ${toHex(del.delegator)} greater than current stake` +
          `\n\tfinal stake:\t${decToString(stake)}\n\tcurrent stake:\t${decToString(currentStake)}`,
      );
    }
  }
  return addDec(rewards, await rewardsBetween(store, val.operator, startingPeriod, endingPeriod, stake));
}

/**
 * updateValidatorSlashFraction (the BeforeValidatorSlashed hook): ends the period, keeps the new
 * historical record referenced by the slash event, and records the event at this height.
 */
export async function updateValidatorSlashFraction(
  store: AppStore,
  val: Validator,
  fraction: Dec,
  height: number,
): Promise<void> {
  if (fraction > DEC_ONE || fraction < 0n) {
    throw new Error(`fraction must be >=0 and <=1, current fraction: ${decToString(fraction)}`);
  }
  const newPeriod = await incrementValidatorPeriod(store, val);
  await incrementReferenceCount(store, val.operator, newPeriod);
  setSlashEvent(store, val.operator, { height: BigInt(height), validatorPeriod: newPeriod, fraction });
}
