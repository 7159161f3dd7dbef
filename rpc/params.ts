import { fromBase64, fromHex } from "../utils/index.ts";
import { RpcInvalidParamsError } from "./errors.ts";

/**
 * Parameter readers for method handlers. They accept both forms a CometBFT RPC receives: typed JSON from
 * POST bodies (`"height":"43"`, `"prove":false`) and the raw strings of GET URIs (`height=43`,
 * `prove=false`). Each throws RpcInvalidParamsError naming the parameter.
 */

/** A string parameter, or `def` when absent (throws when absent and no default). */
export function paramString(params: Record<string, unknown>, name: string, def?: string): string {
  const v = params[name];
  if (v === undefined || v === null) {
    if (def === undefined) throw new RpcInvalidParamsError(name, "is required");
    return def;
  }
  if (typeof v !== "string") throw new RpcInvalidParamsError(name, "must be a string");
  return v;
}

/** A non-negative integer (int64 as a string or a number), or `def` when absent or empty. */
export function paramInt(params: Record<string, unknown>, name: string, def?: number): number {
  const v = params[name];
  if (v === undefined || v === null || v === "") {
    if (def === undefined) throw new RpcInvalidParamsError(name, "is required");
    return def;
  }
  const s = typeof v === "number" ? String(v) : v;
  if (typeof s !== "string" || !/^\d+$/.test(s) || !Number.isSafeInteger(Number(s))) {
    throw new RpcInvalidParamsError(name, "must be a non-negative integer");
  }
  return Number(s);
}

/** A boolean (`true`/`false`, or those strings), or `def` when absent. */
export function paramBool(params: Record<string, unknown>, name: string, def: boolean): boolean {
  const v = params[name];
  if (v === undefined || v === null || v === "") return def;
  if (v === true || v === "true") return true;
  if (v === false || v === "false") return false;
  throw new RpcInvalidParamsError(name, "must be true or false");
}

/** Bytes given as hex (CometBFT's `data` of abci_query; an optional `0x` prefix is accepted). */
export function paramHexBytes(params: Record<string, unknown>, name: string, def?: Uint8Array): Uint8Array {
  const v = params[name];
  if (v === undefined || v === null) {
    if (def === undefined) throw new RpcInvalidParamsError(name, "is required");
    return def;
  }
  if (typeof v !== "string") throw new RpcInvalidParamsError(name, "must be a hex string");
  try {
    return fromHex(v.startsWith("0x") || v.startsWith("0X") ? v.slice(2) : v);
  } catch {
    throw new RpcInvalidParamsError(name, "must be a hex string");
  }
}

/** Bytes given as base64 (CometBFT's `tx` of broadcast_tx_*); a GET `0x` hex form is accepted too. */
export function paramBase64Bytes(params: Record<string, unknown>, name: string): Uint8Array {
  const v = params[name];
  if (v === undefined || v === null) throw new RpcInvalidParamsError(name, "is required");
  if (typeof v !== "string") throw new RpcInvalidParamsError(name, "must be a base64 string");
  try {
    if (v.startsWith("0x")) return fromHex(v.slice(2));
    return fromBase64(v);
  } catch {
    throw new RpcInvalidParamsError(name, "must be a base64 string");
  }
}
