import { type AppModule, type BaseKeepers, type IbcKeeper, ibcModule } from "../app/index.ts";
import { evidenceKeepersOf, evidenceMsgRoutes } from "./ccv/evidence.ts";
import { providerModule } from "./ccv/index.ts";
import {
  consumerRewardsHook,
  distributeConsumerRewards,
  REWARDS_QUERY_PATH,
  registerRewardsPool,
  rewardsConsumersOf,
  rewardsQuery,
} from "./ccv/rewards.ts";
import { distributionModule } from "./distribution/index.ts";
import { govModule } from "./gov/index.ts";
import { mintModule } from "./mint/index.ts";
import { slashingModule } from "./slashing/index.ts";
import { stakingModule } from "./staking/index.ts";

/**
 * The provider chain's modules, in the order their genesis, begin and end blocks run (the SDK's
 * begin-block order: mint, distribution, slashing with evidence, gov, staking; gov's end block tallies
 * before staking's applies the validator set), then the interchain-security provider module (after
 * staking, so epochs see this block's validator set), then the packet layer (light clients, channels,
 * ICS-20, and the provider's CCV port).
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
  // The provider module sends packets through ibc's keeper, and ibc binds the provider's port: the
  // keeper is handed over as a getter to break the cycle.
  let ibcKeeper: IbcKeeper | undefined;
  const provider = providerModule(base, staking.keeper, slashing.keeper, () => {
    if (!ibcKeeper) throw new Error("the ibc keeper is not built yet");
    return ibcKeeper;
  });
  const ibc = ibcModule(base, { apps: provider.ibcApps });
  ibcKeeper = ibc.keeper;
  // Consumer evidence (double voting, light-client attacks) and consumer rewards: credited by the
  // ICS-20 receive hook, paid in the provider module's BeginBlock, reported by source.
  const rewards = {
    consumers: rewardsConsumersOf(provider.keeper),
    staking: staking.keeper,
    distribution: distribution.keeper,
    prefix: base.auth.prefix,
  };
  registerRewardsPool(ibc.keeper);
  ibc.keeper.addTransferReceiveHook(consumerRewardsHook(rewards));
  const providerBegin = provider.module.beginBlock;
  const providerAppModule: AppModule = {
    ...provider.module,
    msgs: [
      ...(provider.module.msgs ?? []),
      ...evidenceMsgRoutes(evidenceKeepersOf(provider.keeper, staking.keeper)),
    ],
    queries: { ...provider.module.queries, [REWARDS_QUERY_PATH]: rewardsQuery(rewards) },
    async beginBlock(ctx, info) {
      await providerBegin?.(ctx, info);
      await distributeConsumerRewards(ctx, rewards);
    },
  };
  return {
    modules: [
      mint.module,
      distribution.module,
      slashing.module,
      gov.module,
      staking.module,
      providerAppModule,
      ibc.module,
    ],
    staking: staking.keeper,
    distribution: distribution.keeper,
    slashing: slashing.keeper,
    gov: gov.keeper,
    mint: mint.keeper,
    ibc: ibc.keeper,
    provider: provider.keeper,
  };
}
