import { DEC_ONE, type Dec, decToString, errInvalidRequest } from "../../app/index.ts";
import {
  errCommissionChangeRateGTMaxRate,
  errCommissionChangeRateNegative,
  errCommissionGTMaxChangeRate,
  errCommissionGTMaxRate,
  errCommissionHuge,
  errCommissionNegative,
  errCommissionUpdateTime,
} from "./errors.ts";
import type { Commission } from "./types.ts";

/** Commission rules of x/staking/types/commission.go (SDK 0.50). */

const DAY_NS = 24n * 3600n * 1_000_000_000n;

/** CommissionRates.Validate. */
export function validateCommissionRates(rate: Dec, maxRate: Dec, maxChangeRate: Dec): void {
  if (maxRate < 0n) throw errCommissionNegative();
  if (maxRate > DEC_ONE) throw errCommissionHuge();
  if (rate < 0n) throw errCommissionNegative();
  if (rate > maxRate) throw errCommissionGTMaxRate();
  if (maxChangeRate < 0n) throw errCommissionChangeRateNegative();
  if (maxChangeRate > maxRate) throw errCommissionChangeRateGTMaxRate();
}

/**
 * Commission.ValidateNewRate then the min-rate check of UpdateValidatorCommission: at most once per
 * 24 h of block time, within [min, max_rate], and by at most max_change_rate. Returns the new commission.
 */
export function updateCommission(c: Commission, newRate: Dec, blockTime: bigint, minRate: Dec): Commission {
  // blockTime.Sub(c.UpdateTime).Hours() < 24
  if (blockTime - c.updateTime < DAY_NS) throw errCommissionUpdateTime();
  if (newRate < 0n) throw errCommissionNegative();
  if (newRate > c.maxRate) throw errCommissionGTMaxRate();
  const delta = newRate > c.rate ? newRate - c.rate : c.rate - newRate;
  if (delta > c.maxChangeRate) throw errCommissionGTMaxChangeRate();
  if (newRate < minRate) {
    throw errInvalidRequest(
      `cannot set validator commission to less than minimum rate of ${decToString(minRate)}`,
    );
  }
  return { ...c, rate: newRate, updateTime: blockTime };
}
