/** The "ccvconsumer" app module (its genesis is app_state.ccvconsumer). */
import type { AppModule } from "../app/index.ts";
import { consumerInitChainValidators, initConsumerGenesis } from "./genesis.ts";
import type { ConsumerKeeper } from "./keeper.ts";
import { consumerQueries } from "./queries.ts";
import { consumerTxFilter } from "./txFilter.ts";

/** The module over a keeper; list it after the ibc module (its genesis creates ibc state). */
export function consumerModule(keeper: ConsumerKeeper): AppModule {
  return {
    name: "ccvconsumer",
    queries: consumerQueries(keeper.bank),
    initGenesis: (ctx, state) => initConsumerGenesis(ctx, keeper.ibc, state),
    initChainValidators: (ctx) => consumerInitChainValidators(ctx),
    beginBlock: (ctx, info) => keeper.beginBlock(ctx, info),
    endBlock: (ctx) => keeper.endBlock(ctx),
    txFilter: (store, typeUrls) => consumerTxFilter(store, typeUrls),
    invariants: (store) => keeper.invariants(store),
  };
}
