import type { AppModule, BaseKeepers } from "../../app/index.ts";
import type { StakingKeeper } from "../staking/types.ts";
import { initDistributionGenesis } from "./genesis.ts";
import { distributionHooks } from "./hooks.ts";
import { distributionInvariants } from "./invariants.ts";
import { DistributionKeeper } from "./keeper.ts";
import { distributionMsgRoutes } from "./msgs.ts";
import { distributionQueries } from "./queries.ts";
import { setPreviousProposer } from "./state.ts";
import { DISTRIBUTION_MODULE } from "./types.ts";

/**
 * x/distribution for the provider: registers the `distribution` module account (no permissions) and
 * its staking hooks. BeginBlock (from height 2) allocates the fee collector's balance to the previous
 * block's voters, O(votes); it then records the proposer as the SDK does.
 */
export function distributionModule(
  base: BaseKeepers,
  staking: StakingKeeper,
): { module: AppModule; keeper: DistributionKeeper } {
  base.bank.registerModule(DISTRIBUTION_MODULE, []);
  const keeper = new DistributionKeeper(base.bank, staking);
  staking.addHooks(distributionHooks(keeper));
  const module: AppModule = {
    name: DISTRIBUTION_MODULE,
    msgs: distributionMsgRoutes(keeper),
    queries: distributionQueries(keeper),
    initGenesis: (ctx, state) => initDistributionGenesis(base, ctx, state),
    async beginBlock(ctx, info) {
      // The first block has no previous votes to pay (the SDK's "height > 1").
      if (ctx.block.height > 1) await keeper.allocateTokens(ctx, info.lastCommit.votes);
      setPreviousProposer(ctx.store, info.proposer);
    },
    invariants: (store) => distributionInvariants(keeper, store),
  };
  return { module, keeper };
}
