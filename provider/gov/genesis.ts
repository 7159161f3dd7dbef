import type { ModuleContext } from "../../app/index.ts";
import { errInvalidGenesis } from "./errors.ts";
import type { GovKeeper } from "./keeper.ts";
import { paramsFromJson, validateParams } from "./params.ts";
import { GOV_MODULE } from "./types.ts";

type Json = Record<string, unknown>;

const nonEmpty = (v: unknown): boolean => Array.isArray(v) && v.length > 0;

/**
 * x/gov's InitGenesis from `app_state.gov` (SDK JSON): params (validated as Params.ValidateBasic; left-out
 * fields keep their defaults), starting_proposal_id (default 1, must be > 0), the gov module account.
 * Importing existing proposals, deposits or votes (an exported chain) is not supported: their messages
 * are JSON Anys icsd cannot re-encode in general, so a genesis that carries any is refused.
 */
export async function initGovGenesis(keeper: GovKeeper, ctx: ModuleContext, state: unknown): Promise<void> {
  if (state !== undefined && state !== null && (typeof state !== "object" || Array.isArray(state))) {
    throw errInvalidGenesis("app_state.gov must be an object");
  }
  const g = (state ?? {}) as Json;
  let start = 1n;
  if (g.starting_proposal_id !== undefined && g.starting_proposal_id !== null) {
    const s = String(g.starting_proposal_id);
    if (!/^\d{1,19}$/.test(s))
      throw errInvalidGenesis("starting_proposal_id must be an unsigned integer string");
    start = BigInt(s);
    if (start === 0n) throw errInvalidGenesis("starting proposal id must be greater than 0");
  }
  for (const k of ["proposals", "deposits", "votes"]) {
    if (nonEmpty(g[k])) throw errInvalidGenesis(`importing gov ${k} is not supported (app_state.gov.${k})`);
  }
  let params: ReturnType<typeof paramsFromJson>;
  try {
    params = paramsFromJson(g.params);
    validateParams(params, keeper.prefix);
  } catch (e) {
    throw errInvalidGenesis(`app_state.gov.params: ${(e as Error).message}`);
  }
  keeper.setNextProposalId(ctx.store, start);
  keeper.setParams(ctx.store, params);
  await keeper.base.auth.moduleAccount(ctx.store, GOV_MODULE, ["burner"]);
}
