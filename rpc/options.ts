/** Options of the JSON-RPC server and their defaults. */

/** A JSON-RPC method: named parameters in, a JSON-serialisable result out (bigint is not allowed). */
export type RpcMethod = (params: Record<string, unknown>) => Promise<unknown>;

/** Methods by name, as CometBFT's routes map. */
export type RpcMethods = Readonly<Record<string, RpcMethod>>;

export interface RpcServerOptions {
  /** `tcp://host:port`; port 0 picks a free one (read it back with `address()`). */
  readonly laddr: string;
  /** Largest request body accepted, in bytes. */
  readonly maxBodyBytes?: number;
  /** Most requests accepted in one batch. */
  readonly maxBatchRequests?: number;
}

export const defaultRpcServerOptions = {
  maxBodyBytes: 1024 * 1024,
  maxBatchRequests: 100,
} as const;
