export { addressBytes, bech32Address } from "./address.ts";
export * from "./coins.ts";
export * from "./dec.ts";
export * from "./errors.ts";
export { event, withMsgIndex } from "./events.ts";
export { bech32PrefixOf, parseSdkGenesis, type SdkGenesis } from "./genesis.ts";
export { KvApp } from "./kvApp.ts";
export type {
  AppModule,
  BeginBlockInfo,
  BlockInfo,
  ModuleContext,
  MsgRoute,
  QueryHandler,
} from "./module.ts";
export { msgRoute } from "./module.ts";
export { AuthKeeper, FEE_COLLECTOR, moduleAddress } from "./modules/auth.ts";
export { BankKeeper, prefixEnd } from "./modules/bank.ts";
export {
  AppTransferBank,
  CLIENT_ID_PREFIX,
  CLIENT_TYPE,
  channelToProto,
  clientStateAny,
  consensusStateAny,
  errRedundantRelay,
  IBC_CODESPACE,
  type IbcAppFactory,
  type IbcGenesis,
  IbcKeeper,
  IbcModuleErrorCode,
  type IbcModuleOptions,
  ibcAbciCode,
  ibcModule,
  ibcSdkError,
  LightClientTypeUrl,
  MAX_PROOF_BYTES,
  packetFromProto,
  packetToProto,
  parseIbcGenesis,
  QueryDenomTraceRequest,
  QueryDenomTraceResponse,
  QueryDenomTracesRequest,
  QueryDenomTracesResponse,
  REDUNDANT_RELAY_LOG,
  type RelayResult,
  TRANSFER_MODULE,
  toIbcError,
} from "./modules/ibc/index.ts";
export { type DecodedMsg, decodeProto, MsgRouter, positiveCoins } from "./msgs.ts";
export { paginate } from "./pagination.ts";
export { decodeQueryRequest, grpcNotFound } from "./queries.ts";
export { type BaseKeepers, SdkApp, type SdkAppOptions } from "./sdkApp.ts";
export type { StateTree } from "./stateTree.ts";
export { type AppStore, CacheStore, GasStore } from "./store.ts";
