/**
 * Wakes relay workers when a chain commits a block, so a packet is picked up as soon as the block that
 * proves it exists instead of at the next poll: a websocket `subscribe` to tm.event='NewBlock' on the
 * chain's RPC (CometBFT's /websocket). A lost connection is re-opened after a capped backoff; meanwhile,
 * and on a node without websocket, the workers fall back to polling (their wait ends at the poll
 * interval either way).
 */
import WebSocket from "ws";
import { errorMessage, type Logger } from "../utils/index.ts";
import { Backoff, sleep } from "./backoff.ts";

/** The websocket URL of a CometBFT RPC endpoint (`http://h:p/x` -> `ws://h:p/x/websocket`). */
export function websocketUrl(rpc: string): string {
  const u = new URL(rpc);
  u.protocol = u.protocol === "https:" ? "wss:" : "ws:";
  u.pathname = `${u.pathname.replace(/\/+$/, "")}/websocket`;
  return u.toString();
}

/** New-block notifications of one chain. */
export class BlockWatch {
  private readonly url: string;
  private readonly log: Logger;
  private readonly signal: AbortSignal;
  private waiters: (() => void)[] = [];
  /** New blocks seen so far (a worker compares it before and after its turn). */
  seen = 0;
  private ws: WebSocket | undefined;
  private running: Promise<void> | undefined;

  constructor(rpc: string, log: Logger, signal: AbortSignal) {
    this.url = websocketUrl(rpc);
    this.log = log;
    this.signal = signal;
  }

  /** Connects, and reconnects until the signal aborts. */
  start(): void {
    this.running ??= this.keepConnected();
    this.signal.addEventListener("abort", () => this.wake(), { once: true });
  }

  /**
   * Resolves at the chain's next new block, after `ms`, or when stopped, whichever comes first; at once
   * if a block came after the `seen` count given.
   */
  next(ms: number, since = this.seen): Promise<void> {
    if (this.signal.aborted || this.seen !== since) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.waiters.push(done);
    });
  }

  /** Waits for the connection loop to end (after the signal aborted). */
  async stopped(): Promise<void> {
    this.ws?.terminate();
    await this.running;
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  private async keepConnected(): Promise<void> {
    const backoff = new Backoff({ baseMs: 500, maxMs: 10_000 });
    while (!this.signal.aborted) {
      const opened = await this.connectOnce();
      if (this.signal.aborted) return;
      if (opened) backoff.reset();
      await sleep(backoff.next(), this.signal);
    }
  }

  /** One connection's life; true if it was open and subscribed at some point. */
  private connectOnce(): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      let subscribed = false;
      const ws = new WebSocket(this.url, { handshakeTimeout: 5000, maxPayload: 64 * 1024 * 1024 });
      this.ws = ws;
      const onAbort = () => ws.terminate();
      this.signal.addEventListener("abort", onAbort, { once: true });
      ws.on("open", () => {
        ws.send(
          JSON.stringify({
            jsonrpc: "2.0",
            id: 1,
            method: "subscribe",
            params: { query: "tm.event='NewBlock'" },
          }),
        );
      });
      ws.on("message", (data) => {
        let msg: { id?: unknown; result?: { data?: unknown }; error?: unknown };
        try {
          msg = JSON.parse(String(data)) as typeof msg;
        } catch {
          return;
        }
        if (msg.error !== undefined) {
          this.log.debug({ url: this.url, err: JSON.stringify(msg.error) }, "block subscription refused");
          ws.terminate();
          return;
        }
        if (!subscribed) {
          subscribed = true;
          this.log.debug({ url: this.url }, "watching new blocks");
        }
        if (msg.result?.data !== undefined) {
          this.seen++;
          this.wake();
        }
      });
      ws.on("error", (e) => this.log.debug({ url: this.url, err: errorMessage(e) }, "block watch error"));
      ws.on("close", () => {
        this.signal.removeEventListener("abort", onAbort);
        if (this.ws === ws) this.ws = undefined;
        resolve(subscribed);
      });
    });
  }
}
