/** JSON-RPC calls on a node's CometBFT RPC, for end-to-end tests (bounded: 10 s a call). */

/** Calls `method`; throws with the node's error when it answers one. */
export async function rpc<T = Record<string, unknown>>(
  url: string,
  method: string,
  params: Record<string, unknown> = {},
): Promise<T> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
    signal: AbortSignal.timeout(10_000),
  });
  const body = (await res.json()) as { result?: T; error?: unknown };
  if (body.result === undefined) throw new Error(`${method}: ${JSON.stringify(body.error)}`);
  return body.result;
}

/** The node's latest block height (RPC `status`). */
export async function height(url: string): Promise<number> {
  const s = await rpc<{ sync_info: { latest_block_height: string } }>(url, "status");
  return Number(s.sync_info.latest_block_height);
}
