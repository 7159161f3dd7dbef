import {
  type Coin,
  DEC_ONE,
  type Dec,
  decFromInt,
  decMul,
  decMulInt,
  decQuo,
  decQuoInt,
  decTruncate,
} from "../../app/index.ts";
import type { Minter, MintParams } from "./types.ts";

/**
 * x/mint's inflation math (types/minter.go, SDK 0.50), in LegacyDec with the SDK's rounding:
 * the annual inflation moves toward the bonded-ratio goal by at most inflation_rate_change a year,
 * stepped once per block and clamped to [inflation_min, inflation_max].
 */

/** NextInflationRate: inflation + (1 − bondedRatio/goalBonded) × rateChange / blocksPerYear, clamped. */
export function nextInflationRate(m: Minter, p: MintParams, bondedRatio: Dec): Dec {
  const perYear = decMul(DEC_ONE - decQuo(bondedRatio, p.goalBonded), p.inflationRateChange);
  const perBlock = decQuo(perYear, decFromInt(p.blocksPerYear));
  let inflation = m.inflation + perBlock; // perBlock may be negative
  if (inflation > p.inflationMax) inflation = p.inflationMax;
  if (inflation < p.inflationMin) inflation = p.inflationMin;
  return inflation;
}

/** NextAnnualProvisions: inflation × total supply of the staking token. */
export function nextAnnualProvisions(m: Minter, totalSupply: bigint): Dec {
  return decMulInt(m.inflation, totalSupply);
}

/** BlockProvision: annual provisions / blocks per year, truncated to an integer coin. */
export function blockProvision(m: Minter, p: MintParams): Coin {
  return { denom: p.mintDenom, amount: decTruncate(decQuoInt(m.annualProvisions, p.blocksPerYear)) };
}

/** BondedRatio of x/staking: bonded / supply (QuoInt, truncating), zero without supply. */
export function bondedRatio(totalBonded: bigint, supply: bigint): Dec {
  return supply > 0n ? decQuoInt(decFromInt(totalBonded), supply) : 0n;
}
