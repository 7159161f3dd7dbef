/**
 * A minimal JSON-RPC 2.0 client over HTTP POST with keep-alive connections, as CosmJS talks to a node
 * (always POST /, always HTTP 200), without CosmJS's per-call overhead.
 */
import { Agent, request } from "node:http";

const IDLE_SOCKET_MS = 2000;

/** The `broadcast_tx_sync` result fields the bench reads. */
export interface BroadcastResult {
  readonly code: number;
  readonly log: string;
  readonly hash: string;
}

/** JSON-RPC over one keep-alive agent, to nodes on 127.0.0.1. */
export class RpcClient {
  private readonly agent: Agent;
  private nextId = 1;

  constructor(maxSockets = 64) {
    // Idle sockets are dropped well before the node's 5 s keep-alive timeout, so a request rarely
    // races the server closing its socket (the load retries the few that do).
    this.agent = new Agent({ keepAlive: true, maxSockets, timeout: IDLE_SOCKET_MS });
  }

  async call<T>(
    port: number,
    method: string,
    params: Record<string, unknown>,
    timeoutMs = 10_000,
  ): Promise<T> {
    const body = JSON.stringify({ jsonrpc: "2.0", id: this.nextId++, method, params });
    const text = await new Promise<string>((resolve, reject) => {
      const req = request(
        {
          host: "127.0.0.1",
          port,
          path: "/",
          method: "POST",
          agent: this.agent,
          headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
          timeout: timeoutMs,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => {
            if (res.statusCode !== 200) reject(new Error(`${method}: HTTP ${res.statusCode}`));
            else resolve(Buffer.concat(chunks).toString("utf8"));
          });
          res.on("error", reject);
        },
      );
      req.on("timeout", () => req.destroy(new Error(`${method}: timed out after ${timeoutMs} ms`)));
      req.on("error", reject);
      req.end(body);
    });
    const parsed = JSON.parse(text) as { result?: T; error?: unknown };
    if (parsed.error !== undefined) throw new Error(`${method}: ${JSON.stringify(parsed.error)}`);
    return parsed.result as T;
  }

  async broadcastTxSync(port: number, tx: Uint8Array): Promise<BroadcastResult> {
    const r = await this.call<{ code?: number; log?: string; hash: string }>(port, "broadcast_tx_sync", {
      tx: Buffer.from(tx).toString("base64"),
    });
    return { code: r.code ?? 0, log: r.log ?? "", hash: r.hash };
  }

  /** Last committed height, or -1 when the node does not answer. */
  async height(port: number): Promise<number> {
    try {
      const s = await this.call<{ sync_info: { latest_block_height: string } }>(port, "status", {}, 2000);
      return Number(s.sync_info.latest_block_height);
    } catch {
      return -1;
    }
  }

  close(): void {
    this.agent.destroy();
  }
}
