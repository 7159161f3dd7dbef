/**
 * Sees committed blocks on one node as soon as it can: a websocket `subscribe` to tm.event='NewBlock'
 * (CometBFT's event stream) when the node offers it, otherwise polling `status` and fetching each new
 * height with `block`. Blocks are delivered once each, in height order, with the time they were seen.
 */
import WebSocket from "ws";
import type { RpcClient } from "./rpc.ts";

/** One committed block: height, its txs (base64, as the RPC gives them), and when it was seen. */
export type BlockHandler = (height: number, txs: readonly string[], seenAt: number) => void;

type BlockJson = { header: { height: string }; data: { txs?: string[] | null } };

const POLL_MS = 20;
const WS_SUBSCRIBE_TIMEOUT_MS = 3000;

export class CommitWatcher {
  private readonly rpc: RpcClient;
  private readonly port: number;
  private readonly onBlock: BlockHandler;
  private lastHeight = 0;
  private stopped = false;
  private ws: WebSocket | undefined;
  private chain: Promise<void> = Promise.resolve();
  mode: "websocket" | "polling" = "polling";

  constructor(rpc: RpcClient, port: number, onBlock: BlockHandler) {
    this.rpc = rpc;
    this.port = port;
    this.onBlock = onBlock;
  }

  /** Starts delivering blocks above `afterHeight`; resolves once the source is chosen. */
  async start(afterHeight: number): Promise<"websocket" | "polling"> {
    this.lastHeight = afterHeight;
    if (await this.trySubscribe()) this.mode = "websocket";
    else void this.poll();
    return this.mode;
  }

  stop(): void {
    this.stopped = true;
    this.ws?.terminate();
  }

  private async trySubscribe(): Promise<boolean> {
    const ws = new WebSocket(`ws://127.0.0.1:${this.port}/websocket`);
    const ok = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), WS_SUBSCRIBE_TIMEOUT_MS);
      ws.once("error", () => resolve(false));
      ws.once("unexpected-response", () => resolve(false));
      ws.once("open", () => {
        ws.send(
          JSON.stringify({
            jsonrpc: "2.0",
            id: 0,
            method: "subscribe",
            params: { query: "tm.event='NewBlock'" },
          }),
        );
      });
      ws.on("message", (raw) => {
        const msg = JSON.parse(raw.toString()) as {
          id?: unknown;
          error?: unknown;
          result?: { data?: { value?: { block?: BlockJson } } };
        };
        if (msg.id === 0 && !msg.result?.data) {
          clearTimeout(timer);
          resolve(msg.error === undefined);
          return;
        }
        const block = msg.result?.data?.value?.block;
        if (block) this.deliverFromEvent(block, performance.now());
      });
    }).catch(() => false);
    if (!ok) {
      ws.removeAllListeners();
      ws.on("error", () => undefined);
      ws.terminate();
      return false;
    }
    this.ws = ws;
    ws.on("close", () => {
      // The stream went away mid-run: carry on by polling.
      if (!this.stopped && this.mode === "websocket") {
        this.mode = "polling";
        void this.poll();
      }
    });
    return true;
  }

  private deliverFromEvent(block: BlockJson, seenAt: number): void {
    const height = Number(block.header.height);
    this.chain = this.chain.then(async () => {
      if (height <= this.lastHeight) return;
      // Heights the stream skipped (a slow consumer, a reconnect) are fetched, so none is lost.
      await this.fetchUpTo(height - 1);
      this.emit(height, block.data.txs ?? [], seenAt);
    });
  }

  private async poll(): Promise<void> {
    while (!this.stopped) {
      const tip = await this.rpc.height(this.port);
      if (tip > this.lastHeight) await this.fetchUpTo(tip).catch(() => undefined);
      else await new Promise((r) => setTimeout(r, POLL_MS));
    }
  }

  private async fetchUpTo(height: number): Promise<void> {
    while (!this.stopped && this.lastHeight < height) {
      const h = this.lastHeight + 1;
      const r = await this.rpc.call<{ block: BlockJson }>(this.port, "block", { height: String(h) });
      this.emit(h, r.block.data.txs ?? [], performance.now());
    }
  }

  private emit(height: number, txs: readonly string[], seenAt: number): void {
    if (height !== this.lastHeight + 1) return;
    this.lastHeight = height;
    this.onBlock(height, txs, seenAt);
  }
}
