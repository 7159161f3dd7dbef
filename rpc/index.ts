export { rpcCall } from "./client.ts";
export { RpcErrorCode, type RpcErrorObject, RpcInvalidParamsError } from "./errors.ts";
export {
  callMethod,
  handleJsonRpcBody,
  type JsonRpcId,
  type JsonRpcResponse,
  parseUriParams,
  rpcError,
} from "./jsonRpc.ts";
export {
  defaultRpcServerOptions,
  type RpcMethod,
  type RpcMethods,
  type RpcServerOptions,
} from "./options.ts";
export { paramBase64Bytes, paramBool, paramHexBytes, paramInt, paramString } from "./params.ts";
export { createRpcServer, type RpcServer, type RpcServerModules } from "./server.ts";
export {
  buildStatus,
  COMET_VERSION,
  type StatusBlockRef,
  type StatusResult,
  type StatusSource,
} from "./status.ts";
export {
  createWebsocketEndpoint,
  defaultWebsocketOptions,
  type WebsocketEndpoint,
  type WebsocketOptions,
  type WsEvent,
  type WsEventSource,
} from "./websocket.ts";
