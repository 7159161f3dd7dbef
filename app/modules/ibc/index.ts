export {
  QueryDenomTraceRequest,
  QueryDenomTraceResponse,
  QueryDenomTracesRequest,
  QueryDenomTracesResponse,
} from "./denomTraceQueries.ts";
export {
  errInvalidIbcMessage,
  errRedundantRelay,
  IBC_CODESPACE,
  IbcModuleErrorCode,
  ibcAbciCode,
  ibcSdkError,
  REDUNDANT_RELAY_LOG,
  toIbcError,
} from "./errors.ts";
export { CLIENT_TYPE, formatHeight } from "./events.ts";
export { type IbcGenesis, type IbcGenesisClient, initIbcGenesis, parseIbcGenesis } from "./genesis.ts";
export { CLIENT_ID_PREFIX, type IbcAppFactory, IbcKeeper, type RelayResult } from "./keeper.ts";
export { type IbcModuleOptions, ibcModule } from "./module.ts";
export { ibcMsgRoutes, LightClientTypeUrl, MAX_PROOF_BYTES, packetFromProto, packetToProto } from "./msgs.ts";
export {
  channelToProto,
  clientStateAny,
  consensusStateAny,
  ibcQueries,
  MAX_JSON_QUERY_ITEMS,
} from "./queries.ts";
export {
  AppTransferBank,
  allDenomTraces,
  denomTraceKey,
  readDenomTrace,
  TRANSFER_MODULE,
  TRANSFER_MODULE_PERMISSIONS,
} from "./transferBank.ts";
