/**
 * The icsd relayer: relays packets between icsd chains over CometBFT JSON-RPC, signing with CosmJS.
 * Other layers import only from this file.
 */
export { Backoff, type BackoffOptions, backoffDelay, DEFAULT_BACKOFF, sleep } from "./backoff.ts";
export {
  type AbciAnswer,
  ChainQueries,
  type ChannelInfo,
  CLIENT_STATE_TYPE_URL,
  decodeSentPacketJson,
  httpRpcCaller,
  type KeyProof,
  type RpcCaller,
} from "./chainQueries.ts";
export {
  type ChainConfig,
  type ListenAddress,
  loadRelayerConfig,
  type ParseConfigOptions,
  type PathConfig,
  type PathEndConfig,
  parseListenAddress,
  parseRelayerConfig,
  RELAYER_CONFIG_ERROR,
  type RelayerConfig,
  type RelayerGlobalConfig,
} from "./config.ts";
export { buildClientHeader, decodeLightBlock, type LightBlock } from "./lightBlock.ts";
export {
  acknowledgementMsg,
  channelCloseConfirmMsg,
  HEADER_TYPE_URL,
  recvPacketMsg,
  timeoutMsg,
  toProtoPacket,
  updateClientMsg,
} from "./messages.ts";
export { createRelayerMetrics, type RelayerMetrics, type RelayKind } from "./metrics.ts";
export {
  type AckWork,
  batches,
  chooseProofPoint,
  DEFAULT_PLAN_OPTIONS,
  type DirectionPlan,
  type DirectionState,
  type PlanOptions,
  type ProofPoint,
  planDirection,
  type SrcWork,
  srcWork,
} from "./planner.ts";
export { type DirectionReport, Relayer, type RelayerModules, type RoundReport } from "./relayer.ts";
export {
  CosmjsTxSender,
  classifySubmitError,
  isRedundantRelay,
  type SubmitErrorClass,
  sequenceAfter,
  type TxOutcome,
  type TxSender,
  type TxSenderOptions,
} from "./txSender.ts";
