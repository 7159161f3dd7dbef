import type { ModuleContext } from "../../app/index.ts";
import type { StakingKeeperImpl } from "./keeper.ts";
import { paramsFromJson } from "./params.ts";

/**
 * InitGenesis for `app_state.staking`: the params (SDK JSON, defaults when absent). Validators come
 * from the genesis transactions (gen_txs, delivered after every module's genesis), so a fresh chain's
 * staking genesis is its params; exported validators/delegations are not imported.
 */
export async function initStakingGenesis(
  k: StakingKeeperImpl,
  ctx: ModuleContext,
  state: unknown,
): Promise<void> {
  const s = (state ?? {}) as { params?: unknown };
  if (typeof s !== "object") throw new Error("app_state.staking must be an object");
  k.setParams(ctx.store, paramsFromJson(s.params));
  // The SDK creates both pools' module accounts at genesis (GetModuleAccount).
  await k.auth.moduleAccount(ctx.store, "bonded_tokens_pool", ["burner", "staking"]);
  await k.auth.moduleAccount(ctx.store, "not_bonded_tokens_pool", ["burner", "staking"]);
}
