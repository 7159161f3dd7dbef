/** The consumer chain: the ccvconsumer module (CCV validator set, downtime, rewards) and its assembly. */
export { buildConsumer, consumerModules } from "./app.ts";
export { CONSUMER_CODESPACE, ConsumerErrorCode } from "./errors.ts";
export { type ConsumerGenesis, PROVIDER_CLIENT_ID, parseConsumerGenesis } from "./genesis.ts";
export { ConsumerKeeper, VSC_ID_RETENTION_MARGIN } from "./keeper.ts";
export { consumerModule } from "./module.ts";
export {
  type ConsumerParams,
  consumerParamsToJson,
  DEFAULT_CONSUMER_PARAMS,
  formatDuration,
  maxMissedPerWindow,
  parseConsumerParams,
  parseDuration,
} from "./params.ts";
export { CONSUMER_QUERY_PREFIX } from "./queries.ts";
export { CONS_REDISTRIBUTE, CONS_TO_SEND_TO_PROVIDER, rewardMemo } from "./rewards.ts";
export {
  CONSUMER_KEY_PREFIXES,
  type ConsumerValidator,
  type PendingPacket,
  type ProviderInfo,
  type SigningInfo,
  type SlashRecord,
} from "./state.ts";
