import {
  addressBytes,
  type BaseKeepers,
  type DecCoin,
  decFromString,
  decTruncate,
  isValidDenom,
  type ModuleContext,
  moduleAddress,
  SdkError,
} from "../../app/index.ts";
import { addDec, formatDecCoins } from "./decCoins.ts";
import { setCommunityPool, setWithdrawAddr } from "./state.ts";
import {
  DISTRIBUTION_MODULE,
  type DistributionParams,
  defaultDistributionParams,
  setDistributionParams,
  validateDistributionParams,
} from "./types.ts";

const fail = (m: string) => new SdkError(DISTRIBUTION_MODULE, 1, `app_state.distribution: ${m}`);

function dec(v: unknown, what: string, dflt: bigint): bigint {
  if (v === undefined || v === null) return dflt;
  if (typeof v !== "string") throw fail(`${what} must be a decimal string`);
  return decFromString(v, what);
}

function parseParams(raw: unknown): DistributionParams {
  if (raw === undefined || raw === null) return defaultDistributionParams;
  const p = raw as Record<string, unknown>;
  const d = defaultDistributionParams;
  const enabled = p.withdraw_addr_enabled;
  if (enabled !== undefined && typeof enabled !== "boolean")
    throw fail("withdraw_addr_enabled must be a boolean");
  return {
    communityTax: dec(p.community_tax, "community_tax", d.communityTax),
    baseProposerReward: dec(p.base_proposer_reward, "base_proposer_reward", d.baseProposerReward),
    bonusProposerReward: dec(p.bonus_proposer_reward, "bonus_proposer_reward", d.bonusProposerReward),
    withdrawAddrEnabled: enabled ?? d.withdrawAddrEnabled,
  };
}

function parseDecCoins(raw: unknown, what: string): DecCoin[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw fail(`${what} must be an array`);
  return addDec(
    raw.map((c: { denom?: unknown; amount?: unknown }) => {
      if (typeof c.denom !== "string" || !isValidDenom(c.denom)) throw fail(`${what}: invalid denom`);
      const atomics = dec(c.amount, `${what} amount`, 0n);
      if (atomics < 0n) throw fail(`${what}: negative amount`);
      return { denom: c.denom, atomics };
    }),
    [],
  );
}

const VALIDATOR_RECORDS = [
  "outstanding_rewards",
  "validator_accumulated_commissions",
  "validator_historical_rewards",
  "validator_current_rewards",
  "delegator_starting_infos",
  "validator_slash_events",
];

/**
 * InitGenesis from `app_state.distribution` (SDK JSON: snake_case, decimals as "0.020000000000000000"):
 * params, fee_pool.community_pool and delegator_withdraw_infos; absent parts take the defaults. Per-
 * validator F1 records are created by staking's hooks as genesis validators appear, so exported ones
 * are refused rather than half-imported. As the SDK, the module account must hold exactly the
 * truncated community pool.
 */
export async function initDistributionGenesis(
  base: BaseKeepers,
  ctx: ModuleContext,
  state: unknown,
): Promise<void> {
  const g = (state ?? {}) as Record<string, unknown>;
  const params = parseParams(g.params);
  validateDistributionParams(params);
  setDistributionParams(ctx.store, params);
  const feePool = (g.fee_pool ?? {}) as Record<string, unknown>;
  const pool = parseDecCoins(feePool.community_pool, "fee_pool.community_pool");
  setCommunityPool(ctx.store, pool);
  const infos = g.delegator_withdraw_infos ?? [];
  if (!Array.isArray(infos)) throw fail("delegator_withdraw_infos must be an array");
  for (const i of infos as { delegator_address?: unknown; withdraw_address?: unknown }[]) {
    if (typeof i.delegator_address !== "string" || typeof i.withdraw_address !== "string") {
      throw fail("delegator_withdraw_infos entries need delegator_address and withdraw_address");
    }
    setWithdrawAddr(
      ctx.store,
      addressBytes(i.delegator_address, base.auth.prefix, "delegator address"),
      addressBytes(i.withdraw_address, base.auth.prefix, "withdraw address"),
    );
  }
  for (const key of VALIDATOR_RECORDS) {
    const v = g[key];
    if (Array.isArray(v) && v.length > 0)
      throw fail(`${key} is not supported at genesis (start from gen_txs)`);
  }
  await base.auth.moduleAccount(ctx.store, DISTRIBUTION_MODULE, []);
  const macc = moduleAddress(DISTRIBUTION_MODULE);
  const balances = await base.bank.allBalances(ctx.store, macc);
  const holdings = pool
    .map((c) => ({ denom: c.denom, amount: decTruncate(c.atomics) }))
    .filter((c) => c.amount > 0n);
  const same =
    balances.length === holdings.length &&
    balances.every((b, i) => b.denom === holdings[i]!.denom && b.amount === holdings[i]!.amount);
  if (!same) {
    throw fail(
      `distribution module balance does not match the module holdings: ${balances
        .map((b) => `${b.amount}${b.denom}`)
        .join(",")} <-> ${formatDecCoins(pool)}`,
    );
  }
}
