import type { AppModule, BaseKeepers } from "../../app/index.ts";
import type { StakingKeeper } from "../staking/types.ts";
import { govEndBlock } from "./endBlock.ts";
import { initGovGenesis } from "./genesis.ts";
import { govInvariants } from "./invariants.ts";
import { GovKeeper } from "./keeper.ts";
import { govMsgRoutes } from "./msgs.ts";
import { govQueries } from "./queries.ts";
import { GOV_MODULE } from "./types.ts";

/**
 * The x/gov module (SDK 0.50 gov v1 with the v1beta1 surface): registers the "gov" module account with
 * the burner permission (deposits are held there and burned on veto), its messages, its v1 and v1beta1
 * queries, genesis, the end block that closes deposit and voting periods, and its invariants. Its
 * keeper's `authority` (the gov module address) is the authority of every module's MsgUpdateParams.
 */
export function govModule(
  base: BaseKeepers,
  staking: StakingKeeper,
): { module: AppModule; keeper: GovKeeper } {
  base.bank.registerModule(GOV_MODULE, ["burner"]);
  const keeper = new GovKeeper(base, staking);
  const module: AppModule = {
    name: GOV_MODULE,
    msgs: govMsgRoutes(keeper),
    queries: govQueries(keeper),
    initGenesis: (ctx, state) => initGovGenesis(keeper, ctx, state),
    async endBlock(ctx) {
      await govEndBlock(keeper, ctx);
      return undefined;
    },
    invariants: (store) => govInvariants(keeper, store),
  };
  return { module, keeper };
}
