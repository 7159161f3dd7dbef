import { errorMessage, IcsdError, type Logger } from "../utils/index.ts";
import { RpcErrorCode, type RpcErrorObject, RpcInvalidParamsError } from "./errors.ts";
import type { RpcMethods } from "./options.ts";

/** A request id as JSON-RPC 2.0 allows it; null when the request had none or could not be read. */
export type JsonRpcId = string | number | null;

/** One JSON-RPC 2.0 response: exactly one of `result` and `error`. */
export type JsonRpcResponse =
  | { readonly jsonrpc: "2.0"; readonly id: JsonRpcId; readonly result: unknown }
  | { readonly jsonrpc: "2.0"; readonly id: JsonRpcId; readonly error: RpcErrorObject };

/** A JSON-RPC error response. */
export function rpcError(id: JsonRpcId, code: number, message: string, data?: string): JsonRpcResponse {
  // CometBFT puts the detail in `data`; CosmJS shows the whole error object, and curl users read
  // `message`, so the detail goes in both.
  if (data === undefined) return { jsonrpc: "2.0", id, error: { code, message } };
  return { jsonrpc: "2.0", id, error: { code, message: `${message}: ${data}`, data } };
}

/**
 * Calls one method and wraps the outcome: unknown method -32601, RpcInvalidParamsError -32602, any
 * other exception -32603 with its message. Never throws.
 */
export async function callMethod(
  methods: RpcMethods,
  id: JsonRpcId,
  method: string,
  params: Record<string, unknown>,
  logger: Logger,
): Promise<JsonRpcResponse> {
  const fn = Object.hasOwn(methods, method) ? methods[method] : undefined;
  if (!fn) return rpcError(id, RpcErrorCode.MethodNotFound, `Method not found: ${method}`);
  try {
    const result = await fn(params);
    return { jsonrpc: "2.0", id, result: result === undefined ? null : result };
  } catch (e) {
    if (e instanceof RpcInvalidParamsError)
      return rpcError(id, RpcErrorCode.InvalidParams, "Invalid params", e.message);
    if (!(e instanceof IcsdError)) logger.warn({ method, err: e }, "rpc method failed");
    return rpcError(id, RpcErrorCode.InternalError, "Internal error", errorMessage(e));
  }
}

function validId(v: unknown): v is string | number {
  return typeof v === "string" || (typeof v === "number" && Number.isFinite(v));
}

async function handleOne(methods: RpcMethods, req: unknown, logger: Logger): Promise<JsonRpcResponse> {
  if (typeof req !== "object" || req === null || Array.isArray(req)) {
    return rpcError(null, RpcErrorCode.InvalidRequest, "Invalid Request", "a request must be a JSON object");
  }
  const r = req as Record<string, unknown>;
  const id: JsonRpcId = validId(r.id) ? r.id : null;
  if (r.jsonrpc !== "2.0")
    return rpcError(id, RpcErrorCode.InvalidRequest, "Invalid Request", 'jsonrpc must be "2.0"');
  if (r.id !== undefined && r.id !== null && !validId(r.id)) {
    return rpcError(null, RpcErrorCode.InvalidRequest, "Invalid Request", "id must be a string or a number");
  }
  if (typeof r.method !== "string" || r.method === "") {
    return rpcError(id, RpcErrorCode.InvalidRequest, "Invalid Request", "method must be a non-empty string");
  }
  if (
    r.params !== undefined &&
    r.params !== null &&
    (typeof r.params !== "object" || Array.isArray(r.params))
  ) {
    return rpcError(
      id,
      RpcErrorCode.InvalidParams,
      "Invalid params",
      "params must be an object of named parameters",
    );
  }
  return callMethod(methods, id, r.method, (r.params ?? {}) as Record<string, unknown>, logger);
}

/**
 * Handles a POST body: one request or a batch array. Invalid JSON gives -32700, an empty or oversized
 * batch -32600. The result is what to send back as JSON.
 */
export async function handleJsonRpcBody(
  methods: RpcMethods,
  body: string,
  opts: { maxBatchRequests: number; logger: Logger },
): Promise<JsonRpcResponse | JsonRpcResponse[]> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (e) {
    return rpcError(null, RpcErrorCode.ParseError, "Parse error", errorMessage(e));
  }
  if (!Array.isArray(parsed)) return handleOne(methods, parsed, opts.logger);
  if (parsed.length === 0)
    return rpcError(null, RpcErrorCode.InvalidRequest, "Invalid Request", "empty batch");
  if (parsed.length > opts.maxBatchRequests) {
    return rpcError(
      null,
      RpcErrorCode.InvalidRequest,
      "Invalid Request",
      `batch larger than ${opts.maxBatchRequests} requests`,
    );
  }
  return Promise.all(parsed.map((r) => handleOne(methods, r, opts.logger)));
}

/**
 * Turns GET URI parameters into method parameters, CometBFT style: a quoted value is a string
 * (`hash="ABC"`), anything else stays its raw text (`height=5`, `prove=true`, `data=0x0a0b`) for the
 * param readers to interpret.
 */
export function parseUriParams(search: URLSearchParams): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of search) {
    if (v.length >= 2 && v.startsWith('"') && v.endsWith('"')) {
      try {
        out[k] = JSON.parse(v);
      } catch {
        out[k] = v.slice(1, -1);
      }
    } else {
      out[k] = v;
    }
  }
  return out;
}
