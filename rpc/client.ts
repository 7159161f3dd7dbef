import { IcsdError } from "../utils/index.ts";

/**
 * Calls one JSON-RPC method on a node (`http://host:port`) and returns its result; a transport failure
 * or a JSON-RPC error becomes an IcsdError naming the node.
 */
export async function rpcCall(
  node: string,
  method: string,
  params: Record<string, unknown> = {},
  timeoutMs = 5000,
): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(node, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (e) {
    const cause = (e as { cause?: { code?: string } }).cause?.code ?? (e as Error).message;
    throw new IcsdError("RPC_UNREACHABLE", `cannot reach ${node}: ${cause}`, { node });
  }
  if (res.status !== 200)
    throw new IcsdError("RPC_BAD_STATUS", `${node} answered HTTP ${res.status}`, { node });
  const body = (await res.json()) as { result?: unknown; error?: { message?: string } };
  if (body.error)
    throw new IcsdError(
      "RPC_ERROR",
      `${node} ${method}: ${body.error.message ?? JSON.stringify(body.error)}`,
      { node },
    );
  return body.result;
}
