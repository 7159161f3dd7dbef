import type { WeightedVoteOption } from "cosmjs-types/cosmos/gov/v1/gov";
import { type Coin, decFromInt, decMul, decRound, formatCoins } from "../../app/index.ts";
import { errInvalidDepositDenom, errMetadataTooLong, errMinDepositTooSmall } from "./errors.ts";
import type { GovParams } from "./params.ts";
import { MAX_METADATA_LEN } from "./types.ts";

/** Gov's stateless checks and formats, shared by the keeper and the msg server. */
export function assertMetadataLength(metadata: string): void {
  // Go measures bytes; so do we.
  const len = Buffer.byteLength(metadata, "utf8");
  if (len > MAX_METADATA_LEN) throw errMetadataTooLong(`got metadata with length ${len}`);
}

/** sdk.Coins.IsAllGTE: `a` covers every coin of `b` (and `b` empty is always covered). */
export function isAllGte(a: readonly Coin[], b: readonly Coin[]): boolean {
  return b.every((c) => (a.find((x) => x.denom === c.denom)?.amount ?? 0n) >= c.amount);
}

/** The SDK's validateDepositDenom: every deposited denom must appear in min_deposit. */
export function validateDepositDenom(params: GovParams, amount: readonly Coin[]): void {
  const denoms = params.minDeposit.map((c) => c.denom);
  for (const c of amount) {
    if (!denoms.includes(c.denom)) {
      throw errInvalidDepositDenom(
        `deposited ${formatCoins(amount)}, but gov accepts only the following denom(s): [${denoms.join(" ")}]`,
      );
    }
  }
}

/** The SDK's validateInitialDeposit: at least min_initial_deposit_ratio × min_deposit (rounded). */
export function validateInitialDeposit(params: GovParams, initial: readonly Coin[]): void {
  if (params.minInitialDepositRatio === 0n) return;
  const need = params.minDeposit.map((c) => ({
    denom: c.denom,
    amount: decRound(decMul(decFromInt(c.amount), params.minInitialDepositRatio)),
  }));
  if (!isAllGte(initial, need)) {
    throw errMinDepositTooSmall(`was (${formatCoins(initial)}), need (${formatCoins(need)})`);
  }
}

/** The `option` attribute of proposal_vote: the options as Go's json.Marshal writes them. */
export function optionsJson(options: readonly WeightedVoteOption[]): string {
  return JSON.stringify(options.map((o) => ({ option: o.option, weight: o.weight })));
}
