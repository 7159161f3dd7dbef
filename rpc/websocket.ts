import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { type WebSocket, WebSocketServer } from "ws";
import { errorMessage, IcsdError, type Logger } from "../utils/index.ts";
import { RpcErrorCode } from "./errors.ts";
import { callMethod, handleJsonRpcBody, type JsonRpcId, rpcError } from "./jsonRpc.ts";
import type { RpcMethods } from "./options.ts";
import { paramString } from "./params.ts";

/** One event pushed to subscribers: CometBFT's `result.data` and `result.events`. */
export interface WsEvent {
  readonly data: unknown;
  readonly events: Readonly<Record<string, readonly string[]>>;
}

/** Where subscriptions come from (the node's event bus, behind a query parser). */
export interface WsEventSource {
  /**
   * Delivers every later event matching `query` to `push` until the returned function is called.
   * Throws RpcInvalidParamsError for a malformed query.
   */
  subscribe(query: string, push: (ev: WsEvent) => void): () => void;
}

/** Limits of the websocket endpoint. */
export interface WebsocketOptions {
  /** Connected clients at most (CometBFT's max_subscription_clients). */
  readonly maxClients?: number;
  /** Subscriptions per client at most (CometBFT's max_subscriptions_per_client). */
  readonly maxSubscriptionsPerClient?: number;
  /** Bytes queued for a client before it is dropped as too slow. */
  readonly maxSendBufferBytes?: number;
  /** Largest incoming message. */
  readonly maxMessageBytes?: number;
  /** Ping period; a client that missed the previous pong is dropped. 0 disables. */
  readonly pingIntervalMs?: number;
}

export const defaultWebsocketOptions = {
  maxClients: 100,
  maxSubscriptionsPerClient: 5,
  maxSendBufferBytes: 8 * 1024 * 1024,
  maxMessageBytes: 1024 * 1024,
  pingIntervalMs: 27_000,
} as const;

/** The `/websocket` endpoint attached to the RPC server's HTTP upgrades. */
export interface WebsocketEndpoint {
  /** Takes over an HTTP upgrade request; any path but `/websocket` gets 404. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Number of connected clients. */
  clientCount(): number;
  /** Drops every client and their subscriptions. */
  close(): void;
}

interface Client {
  readonly ws: WebSocket;
  readonly subs: Map<string, () => void>;
  alive: boolean;
}

const SUBSCRIPTION_METHODS = new Set(["subscribe", "unsubscribe", "unsubscribe_all"]);

/**
 * JSON-RPC over websocket, as CometBFT's `/websocket`: every method of the HTTP server, plus `subscribe`
 * {query}, `unsubscribe` {query} and `unsubscribe_all`. An event matching a subscription is pushed as a
 * response carrying the subscribe request's id: `{"result":{"query","data","events"}}`. A client whose
 * send buffer overflows is dropped, so one slow reader cannot hold the node's memory.
 */
export function createWebsocketEndpoint(
  opts: WebsocketOptions,
  modules: { logger: Logger; methods: RpcMethods; events?: WsEventSource },
): WebsocketEndpoint {
  const o = { ...defaultWebsocketOptions, ...opts };
  const log = modules.logger;
  const wss = new WebSocketServer({ noServer: true, maxPayload: o.maxMessageBytes });
  const clients = new Set<Client>();
  // The data and events of one event serialise once, whatever the number of subscribers.
  const eventJson = new WeakMap<WsEvent, string>();

  const drop = (c: Client, code: number, reason: string) => {
    if (!clients.delete(c)) return;
    for (const unsubscribe of c.subs.values()) unsubscribe();
    c.subs.clear();
    if (code === 0) c.ws.terminate();
    else c.ws.close(code, reason);
  };

  const send = (c: Client, text: string) => {
    if (c.ws.readyState !== c.ws.OPEN) return;
    if (c.ws.bufferedAmount + text.length > o.maxSendBufferBytes) {
      log.warn({ buffered: c.ws.bufferedAmount }, "websocket client too slow, dropped");
      drop(c, 0, "");
      return;
    }
    c.ws.send(text);
  };

  const subscriptionMethods = (c: Client, id: JsonRpcId): RpcMethods => ({
    subscribe: async (params) => {
      const query = paramString(params, "query");
      if (!modules.events) throw new IcsdError("WS_NO_EVENTS", "this server has no event source");
      if (c.subs.has(query)) throw new IcsdError("WS_ALREADY_SUBSCRIBED", "already subscribed");
      if (c.subs.size >= o.maxSubscriptionsPerClient) {
        throw new IcsdError(
          "WS_MAX_SUBSCRIPTIONS",
          `max_subscriptions_per_client ${o.maxSubscriptionsPerClient} reached`,
        );
      }
      const head = `{"jsonrpc":"2.0","id":${JSON.stringify(id)},"result":{"query":${JSON.stringify(query)},`;
      const unsubscribe = modules.events.subscribe(query, (ev) => {
        if (!c.subs.has(query)) return;
        let body = eventJson.get(ev);
        if (body === undefined) {
          body = `"data":${JSON.stringify(ev.data)},"events":${JSON.stringify(ev.events)}}}`;
          eventJson.set(ev, body);
        }
        send(c, head + body);
      });
      c.subs.set(query, unsubscribe);
      return {};
    },
    unsubscribe: async (params) => {
      const query = paramString(params, "query");
      const unsubscribe = c.subs.get(query);
      if (!unsubscribe) throw new IcsdError("WS_SUBSCRIPTION_NOT_FOUND", "subscription not found");
      c.subs.delete(query);
      unsubscribe();
      return {};
    },
    unsubscribe_all: async () => {
      if (c.subs.size === 0) throw new IcsdError("WS_SUBSCRIPTION_NOT_FOUND", "subscription not found");
      for (const unsubscribe of c.subs.values()) unsubscribe();
      c.subs.clear();
      return {};
    },
  });

  const onMessage = async (c: Client, text: string) => {
    let req: unknown;
    try {
      req = JSON.parse(text);
    } catch (e) {
      send(c, JSON.stringify(rpcError(null, RpcErrorCode.ParseError, "Parse error", errorMessage(e))));
      return;
    }
    const r = req as Record<string, unknown> | null;
    const params = r?.params ?? {};
    const id = r?.id;
    if (
      r !== null &&
      typeof r === "object" &&
      !Array.isArray(r) &&
      r.jsonrpc === "2.0" &&
      typeof r.method === "string" &&
      SUBSCRIPTION_METHODS.has(r.method) &&
      (id === undefined || id === null || typeof id === "string" || typeof id === "number") &&
      typeof params === "object" &&
      params !== null &&
      !Array.isArray(params)
    ) {
      const rid = id ?? null;
      const methods = subscriptionMethods(c, rid);
      const res = await callMethod(methods, rid, r.method, params as Record<string, unknown>, log);
      send(c, JSON.stringify(res));
      return;
    }
    const res = await handleJsonRpcBody(modules.methods, text, { maxBatchRequests: 100, logger: log });
    send(c, JSON.stringify(res));
  };

  const onConnection = (ws: WebSocket) => {
    if (clients.size >= o.maxClients) {
      const msg = `max websocket clients (${o.maxClients}) reached`;
      ws.send(JSON.stringify(rpcError(null, RpcErrorCode.InternalError, "Internal error", msg)));
      ws.close(1013, msg);
      setTimeout(() => ws.terminate(), 1000).unref();
      return;
    }
    const c: Client = { ws, subs: new Map(), alive: true };
    clients.add(c);
    ws.on("pong", () => {
      c.alive = true;
    });
    ws.on("message", (data, isBinary) => {
      if (isBinary) return;
      onMessage(c, data.toString()).catch((e: unknown) => {
        log.warn({ err: errorMessage(e) }, "websocket request failed");
      });
    });
    ws.on("close", () => drop(c, 0, ""));
    ws.on("error", (e) => {
      log.debug({ err: e.message }, "websocket client error");
      drop(c, 0, "");
    });
  };

  const pinger =
    o.pingIntervalMs > 0
      ? setInterval(() => {
          for (const c of clients) {
            if (!c.alive) {
              drop(c, 0, "");
              continue;
            }
            c.alive = false;
            c.ws.ping();
          }
        }, o.pingIntervalMs)
      : undefined;
  pinger?.unref();
  let closed = false;

  return {
    handleUpgrade(req, socket, head) {
      if (closed) {
        socket.destroy();
        return;
      }
      const path = new URL(req.url ?? "/", "http://localhost").pathname;
      // CosmJS's WebsocketClient appends "/websocket" to the URL it is given, so a user passing the
      // full endpoint URL ends up at /websocket/websocket: serve that too.
      if (!/^\/websocket(\/websocket)?\/?$/.test(path)) {
        socket.end("HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
        return;
      }
      wss.handleUpgrade(req, socket, head, onConnection);
    },
    clientCount: () => clients.size,
    close() {
      closed = true;
      if (pinger) clearInterval(pinger);
      for (const c of [...clients]) drop(c, 0, "");
      wss.close();
    },
  };
}
