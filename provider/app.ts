import { type AppModule, type BaseKeepers, ibcModule } from "../app/index.ts";
import { distributionModule } from "./distribution/index.ts";
import { govModule } from "./gov/index.ts";
import { mintModule } from "./mint/index.ts";
import { slashingModule } from "./slashing/index.ts";
import { stakingModule } from "./staking/index.ts";

/**
 * The provider chain's modules, in the order their genesis, begin and end blocks run (the SDK's
 * begin-block order: mint, distribution, slashing with evidence, gov, staking; gov's end block tallies
 * before staking's applies the validator set), then the packet layer (light clients, channels, ICS-20).
 * Staking is built first because the others hook into it.
 */
export function providerModules(base: BaseKeepers): AppModule[] {
  return buildProvider(base).modules;
}

/** The provider's modules together with their keepers (for benchmarks and tools that drive keepers). */
export function buildProvider(base: BaseKeepers) {
  const staking = stakingModule(base);
  const mint = mintModule(base, staking.keeper);
  const distribution = distributionModule(base, staking.keeper);
  const slashing = slashingModule(base, staking.keeper);
  const gov = govModule(base, staking.keeper);
  const ibc = ibcModule(base);
  return {
    modules: [mint.module, distribution.module, slashing.module, gov.module, staking.module, ibc.module],
    staking: staking.keeper,
    distribution: distribution.keeper,
    slashing: slashing.keeper,
    gov: gov.keeper,
    mint: mint.keeper,
    ibc: ibc.keeper,
  };
}
