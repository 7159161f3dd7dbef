import {
  type Dec,
  decFromInt,
  decMulInt,
  decQuo,
  decQuoInt,
  decQuoRoundUp,
  decQuoTruncate,
  decTruncate,
} from "../../app/index.ts";
import { errInsufficientShares } from "./errors.ts";
import { POWER_REDUCTION, type Validator } from "./types.ts";

/**
 * The exchange rate between a validator's tokens and its delegator shares, exactly as the SDK's
 * Validator methods (x/staking/types/validator.go): same operations, same rounding. All pure.
 */

/** SharesFromTokens: delegatorShares × amt ÷ tokens (QuoInt truncates); no tokens is ErrInsufficientShares. */
export function sharesFromTokens(v: Validator, amt: bigint): Dec {
  if (v.tokens === 0n) throw errInsufficientShares();
  return decQuoInt(decMulInt(v.delegatorShares, amt), v.tokens);
}

/** SharesFromTokensTruncated: delegatorShares × amt, QuoTruncate by tokens as a Dec. */
export function sharesFromTokensTruncated(v: Validator, amt: bigint): Dec {
  if (v.tokens === 0n) throw errInsufficientShares();
  return decQuoTruncate(decMulInt(v.delegatorShares, amt), decFromInt(v.tokens));
}

/** TokensFromShares: shares × tokens ÷ delegatorShares (banker's rounding on the quotient). */
export function tokensFromShares(v: Validator, shares: Dec): Dec {
  return decQuo(decMulInt(shares, v.tokens), v.delegatorShares);
}

export function tokensFromSharesTruncated(v: Validator, shares: Dec): Dec {
  return decQuoTruncate(decMulInt(shares, v.tokens), v.delegatorShares);
}

export function tokensFromSharesRoundUp(v: Validator, shares: Dec): Dec {
  return decQuoRoundUp(decMulInt(shares, v.tokens), v.delegatorShares);
}

/** InvalidExRate: all tokens slashed away while shares remain; such a validator refuses delegations. */
export function invalidExRate(v: Validator): boolean {
  return v.tokens === 0n && v.delegatorShares > 0n;
}

/** AddTokensFromDel: the first delegation sets the rate to one; returns the validator and issued shares. */
export function addTokensFromDel<V extends Validator>(v: V, amount: bigint): { validator: V; shares: Dec } {
  const shares = v.delegatorShares === 0n ? decFromInt(amount) : sharesFromTokens(v, amount);
  return {
    validator: { ...v, tokens: v.tokens + amount, delegatorShares: v.delegatorShares + shares },
    shares,
  };
}

/**
 * RemoveDelShares: the last shares take every remaining token ("trimmings"); otherwise the truncated
 * token value of the shares leaves the validator.
 */
export function removeDelShares<V extends Validator>(v: V, shares: Dec): { validator: V; tokens: bigint } {
  const remaining = v.delegatorShares - shares;
  let tokens: bigint;
  if (remaining === 0n) {
    tokens = v.tokens;
  } else {
    tokens = decTruncate(tokensFromShares(v, shares));
    if (v.tokens - tokens < 0n)
      throw new Error("attempting to remove more tokens than available in validator");
  }
  return { validator: { ...v, tokens: v.tokens - tokens, delegatorShares: remaining }, tokens };
}

/** RemoveTokens (a slash): tokens only, shares unchanged. */
export function removeTokens<V extends Validator>(v: V, tokens: bigint): V {
  if (tokens < 0n) throw new Error("should not happen: trying to remove negative tokens");
  if (v.tokens < tokens)
    throw new Error("should not happen: only have v.tokens tokens, trying to remove more");
  return { ...v, tokens: v.tokens - tokens };
}

/** PotentialConsensusPower: tokens / 10^6 whatever the status (what the power index sorts by). */
export function potentialPower(v: Validator): bigint {
  return v.tokens / POWER_REDUCTION;
}

/** A delegation's token balance as queries report it: TokensFromShares truncated (0 for an empty validator). */
export function delegationBalance(v: Validator, shares: Dec): bigint {
  return v.delegatorShares === 0n ? 0n : decTruncate(tokensFromShares(v, shares));
}
