import { type AppModule, type BaseKeepers, type IbcKeeper, ibcModule } from "../app/index.ts";
import { CONSUMER_PORT } from "../ibc/ccv/wire.ts";
import { ConsumerKeeper } from "./keeper.ts";
import { consumerModule } from "./module.ts";

/**
 * The consumer chain's modules, in the order their genesis, begin and end blocks run: the packet layer
 * (light clients, channels, ICS-20, the "consumer" port) first, so the ccvconsumer genesis can create
 * the provider client and the channel ends in it; then ccvconsumer. No staking, gov, mint or
 * distribution: the validator set comes from the provider.
 */
export function consumerModules(base: BaseKeepers): AppModule[] {
  return buildConsumer(base).modules;
}

/** The consumer's modules together with their keepers (tests and tools that drive keepers). */
export function buildConsumer(base: BaseKeepers): {
  modules: AppModule[];
  consumer: ConsumerKeeper;
  ibc: IbcKeeper;
} {
  let consumer: ConsumerKeeper | undefined;
  const ibc = ibcModule(base, { apps: { [CONSUMER_PORT]: (ctx) => consumer!.ibcApp(ctx) } });
  consumer = new ConsumerKeeper(base, ibc.keeper);
  return { modules: [ibc.module, consumerModule(consumer)], consumer, ibc: ibc.keeper };
}
