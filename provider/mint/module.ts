import type { AppModule, BaseKeepers } from "../../app/index.ts";
import type { StakingKeeper } from "../staking/types.ts";
import { initMintGenesis } from "./genesis.ts";
import { MintKeeper } from "./keeper.ts";
import { mintMsgRoutes } from "./msgs.ts";
import { mintQueries } from "./queries.ts";
import { MINT_MODULE } from "./types.ts";

/**
 * x/mint for the provider: registers the `mint` module account with the minter permission; each
 * BeginBlock mints the block provision into the fee collector (distributed by x/distribution next).
 */
export function mintModule(
  base: BaseKeepers,
  staking: StakingKeeper,
): { module: AppModule; keeper: MintKeeper } {
  base.bank.registerModule(MINT_MODULE, ["minter"]);
  const keeper = new MintKeeper(base.bank, staking);
  const module: AppModule = {
    name: MINT_MODULE,
    msgs: mintMsgRoutes(base.auth.prefix),
    queries: mintQueries(),
    initGenesis: (ctx, state) => initMintGenesis(base, ctx, state),
    beginBlock: (ctx) => keeper.beginBlock(ctx),
  };
  return { module, keeper };
}
