import type { AppModule, BaseKeepers } from "../../app/index.ts";
import type { StakingKeeper } from "../staking/types.ts";
import { defaultEvidenceParams, type EvidenceParams, handleEquivocation } from "./evidence.ts";
import { initSlashingGenesis } from "./genesis.ts";
import { slashingInvariants } from "./invariants.ts";
import { SlashingKeeper } from "./keeper.ts";
import { handleValidatorSignature } from "./liveness.ts";
import { slashingMsgRoutes } from "./msgs.ts";
import { slashingQueries } from "./queries.ts";

export interface SlashingModuleOptions {
  /** Consensus evidence params (CometBFT's defaults unless given). */
  readonly evidenceParams?: EvidenceParams;
}

/**
 * x/slashing and x/evidence as one app module named "slashing": its begin block first handles the last
 * commit's votes (liveness, as x/slashing's BeginBlocker), then the block's duplicate-vote
 * misbehaviour (as x/evidence's BeginBlocker, which the SDK orders right after slashing). Registers the
 * slashing staking hooks (AfterValidatorCreated/Bonded/Removed) on `staking`.
 */
export function slashingModule(
  base: BaseKeepers,
  staking: StakingKeeper,
  opts: SlashingModuleOptions = {},
): { module: AppModule; keeper: SlashingKeeper } {
  const keeper = new SlashingKeeper(staking, base.auth.prefix);
  staking.addHooks(keeper.hooks());
  const evidenceParams = opts.evidenceParams ?? defaultEvidenceParams;
  const module: AppModule = {
    name: "slashing",
    msgs: slashingMsgRoutes(keeper),
    queries: slashingQueries(keeper),
    initGenesis: (ctx, state) => initSlashingGenesis(ctx, keeper, state),
    async beginBlock(ctx, info) {
      for (const vote of info.lastCommit.votes) {
        await handleValidatorSignature(ctx, keeper, vote.address, vote.power, vote.signed);
      }
      for (const m of info.misbehavior) {
        // Duplicate votes are the only misbehaviour consensus reports; anything else is ignored.
        if (m.type === "duplicate_vote") await handleEquivocation(ctx, keeper, m, evidenceParams);
      }
    },
    invariants: (store) => slashingInvariants(store, keeper),
  };
  return { module, keeper };
}
