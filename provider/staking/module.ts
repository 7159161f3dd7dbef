import type { AppModule, BaseKeepers } from "../../app/index.ts";
import { delegationMsgRoutes } from "./delegationMsgs.ts";
import { initStakingGenesis } from "./genesis.ts";
import { stakingInvariants } from "./invariants.ts";
import { StakingKeeperImpl } from "./keeper.ts";
import { stakingQueries } from "./queries.ts";
import { BONDED_POOL, NOT_BONDED_POOL, STAKING_MODULE } from "./types.ts";
import { validatorMsgRoutes } from "./validatorMsgs.ts";
import { applyAndReturnValidatorSetUpdates, blockValidatorUpdates } from "./validatorSet.ts";

/**
 * The x/staking app module ("staking", reads app_state.staking) and its keeper. Registers the bonded
 * and not-bonded pools with the bank (burner, staking). Other modules add their hooks to the keeper
 * before the chain starts. The end block returns the validator-set changes (effective at H+2).
 */
export function stakingModule(base: BaseKeepers): { module: AppModule; keeper: StakingKeeperImpl } {
  base.bank.registerModule(BONDED_POOL, ["burner", "staking"]);
  base.bank.registerModule(NOT_BONDED_POOL, ["burner", "staking"]);
  const keeper = new StakingKeeperImpl(base);
  const module: AppModule = {
    name: STAKING_MODULE,
    msgs: [...validatorMsgRoutes(keeper), ...delegationMsgRoutes(keeper)],
    queries: stakingQueries(keeper),
    initGenesis: (ctx, state) => initStakingGenesis(keeper, ctx, state),
    // genutil's InitGenesis: the set the gen_txs created.
    initChainValidators: (ctx) => applyAndReturnValidatorSetUpdates(keeper, ctx),
    endBlock: (ctx) => blockValidatorUpdates(keeper, ctx),
    invariants: (store) => stakingInvariants(keeper, store),
  };
  return { module, keeper };
}
