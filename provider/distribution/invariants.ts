import { type AppStore, CacheStore, decTruncate, moduleAddress } from "../../app/index.ts";
import { toHex } from "../../utils/index.ts";
import { addDec, formatDecCoins, isAnyNegative, subDec, sumBySource } from "./decCoins.ts";
import { calculateDelegationRewards, incrementValidatorPeriod } from "./f1.ts";
import type { DistributionKeeper } from "./keeper.ts";
import {
  allCurrent,
  allHistorical,
  allOutstanding,
  countSlashEvents,
  countStartingInfos,
  getCommission,
  getCommunityPool,
  getOutstanding,
} from "./state.ts";
import { DISTRIBUTION_MODULE } from "./types.ts";

const MAX_HEIGHT = 0xffff_ffff_ffff_ffffn;

/**
 * x/distribution's invariants (keeper/invariants.go, stricter where cheap): a description of each one
 * broken. CanWithdraw walks every delegation of every validator on a scratch branch; it is meant for
 * tests and crisis-style checks, never for block execution.
 */
export async function distributionInvariants(k: DistributionKeeper, store: AppStore): Promise<string[]> {
  const broken: string[] = [];
  const outstanding = await allOutstanding(store);

  // nonnegative-outstanding and nothing else negative.
  for (const o of outstanding) {
    if (isAnyNegative(o.rewards)) {
      broken.push(
        `distribution: negative outstanding rewards ${formatDecCoins(o.rewards)} of ${toHex(o.val)}`,
      );
    }
  }
  const pool = await getCommunityPool(store);
  if (isAnyNegative(pool)) broken.push(`distribution: negative community pool ${formatDecCoins(pool)}`);

  // can-withdraw: every delegation's rewards plus the commission are covered by outstanding, per source.
  for (const { val: op, current } of await allCurrent(store)) {
    if (isAnyNegative(current.rewards)) broken.push(`distribution: negative current rewards of ${toHex(op)}`);
    const commission = await getCommission(store, op);
    if (isAnyNegative(commission)) broken.push(`distribution: negative commission of ${toHex(op)}`);
    const val = await k.staking.getValidator(store, op);
    if (!val) {
      broken.push(`distribution: records for validator ${toHex(op)} that staking does not know`);
      continue;
    }
    const scratch = new CacheStore(store);
    try {
      const ending = await incrementValidatorPeriod(scratch, val);
      let owed = commission;
      for (const d of await k.staking.validatorDelegations(store, op)) {
        owed = addDec(owed, await calculateDelegationRewards(scratch, val, d, ending, MAX_HEIGHT));
      }
      const left = subDec(await getOutstanding(scratch, op), owed);
      if (isAnyNegative(left)) {
        broken.push(`distribution: validator ${toHex(op)} owes more than its outstanding rewards`);
      }
    } catch (e) {
      broken.push(`distribution: validator ${toHex(op)} cannot pay out: ${(e as Error).message}`);
    }
  }

  // module-account: the balance covers outstanding rewards plus the community pool (truncated).
  let expected = pool;
  for (const o of outstanding) expected = addDec(expected, sumBySource(o.rewards));
  const macc = moduleAddress(DISTRIBUTION_MODULE);
  for (const c of expected) {
    const have = await k.bank.balance(store, macc, c.denom);
    if (have < decTruncate(c.atomics)) {
      broken.push(
        `distribution: module balance ${have}${c.denom} is below its holdings ${formatDecCoins([c])}`,
      );
    }
  }

  // reference-count: one per validator (its latest period), per delegation and per slash event.
  let refs = 0;
  for (const h of await allHistorical(store)) refs += h.rewards.referenceCount;
  const expectedRefs =
    (await allCurrent(store)).length + (await countStartingInfos(store)) + (await countSlashEvents(store));
  if (refs !== expectedRefs) {
    broken.push(`distribution: reference counts sum to ${refs}, expected ${expectedRefs}`);
  }
  return broken;
}
