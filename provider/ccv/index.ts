export * from "./codec.ts";
export { defaultInitializationParameters, durationFromJson } from "./codecJson.ts";
export * from "./errors.ts";
export { ProviderIbcApp } from "./ibcApp.ts";
export {
  bech32Bytes,
  CONSUMER_REWARDS_POOL,
  normalizeDec,
  PROVIDER_MODULE,
  ProviderKeeper,
  type ProviderLogger,
  parseConsumerId,
} from "./keeper.ts";
export { exportProviderGenesis, parseProviderGenesis, providerModule } from "./module.ts";
export { consumerKeyJson, parseConsumerKey, providerMsgRoutes } from "./msgs.ts";
export { capPowers, computeNextValidators, diffValidators, minPowerInTopN } from "./powerShaping.ts";
export { consumerToJson, PROVIDER_QUERY_PREFIX, providerQueries } from "./queries.ts";
export {
  ConsumerPhase,
  type ConsumerRecord,
  type ConsumerValidator,
  DEFAULT_PROVIDER_PARAMS,
  formatDuration,
  type ProviderParams,
  paramsFromJson,
  paramsToJson,
  parseDuration,
} from "./state.ts";
