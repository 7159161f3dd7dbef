import { IcsdError } from "../utils/index.ts";

/** JSON-RPC 2.0 error codes (the spec's reserved range, as CometBFT uses them). */
export const RpcErrorCode = {
  ParseError: -32700,
  InvalidRequest: -32600,
  MethodNotFound: -32601,
  InvalidParams: -32602,
  InternalError: -32603,
} as const;
export type RpcErrorCode = (typeof RpcErrorCode)[keyof typeof RpcErrorCode];

/** The `error` member of a JSON-RPC response. */
export interface RpcErrorObject {
  readonly code: number;
  readonly message: string;
  readonly data?: string;
}

/**
 * Thrown by a method when a parameter is missing or malformed; the server answers -32602 with this
 * message, which names the parameter.
 */
export class RpcInvalidParamsError extends IcsdError<{ param: string }> {
  constructor(param: string, what: string) {
    super("RPC_INVALID_PARAMS", `invalid parameter ${param}: ${what}`, { param });
    this.name = "RpcInvalidParamsError";
  }
}
