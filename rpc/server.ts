import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Registry } from "prom-client";
import { errorMessage, IcsdError, type Logger } from "../utils/index.ts";
import { RpcErrorCode } from "./errors.ts";
import { callMethod, handleJsonRpcBody, type JsonRpcResponse, parseUriParams, rpcError } from "./jsonRpc.ts";
import { defaultRpcServerOptions, type RpcMethods, type RpcServerOptions } from "./options.ts";
import {
  createWebsocketEndpoint,
  type WebsocketEndpoint,
  type WebsocketOptions,
  type WsEventSource,
} from "./websocket.ts";

/** What the RPC server needs from the node. */
export interface RpcServerModules {
  readonly logger: Logger;
  readonly methods: RpcMethods;
  /** When given, GET /metrics serves it in the Prometheus text format. */
  readonly metrics?: Registry;
  /** When given, `/websocket` serves JSON-RPC over websocket, with subscriptions to `events`. */
  readonly websocket?: WebsocketOptions & { readonly events?: WsEventSource };
}

/** A running (or startable) JSON-RPC server. */
export interface RpcServer {
  /** Listens on `laddr`; rejects with RPC_LISTEN_FAILED (e.g. the port is taken). */
  start(): Promise<void>;
  /** Stops accepting, closes open connections and resolves when the socket is closed. Idempotent. */
  stop(): Promise<void>;
  /** The bound address (after start): useful with port 0. */
  address(): { host: string; port: number };
}

class BodyTooLarge extends Error {}

const DRAIN_FACTOR = 16;

/** Discards the rest of a request body; false (and the socket is left to close) past `limit` bytes. */
function drain(req: IncomingMessage, limit: number): Promise<boolean> {
  if (req.readableEnded) return Promise.resolve(true);
  return new Promise((resolve) => {
    let size = 0;
    const done = (ok: boolean) => {
      req.removeAllListeners("data");
      resolve(ok);
    };
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        req.pause();
        done(false);
      }
    });
    req.once("end", () => done(true));
    req.once("error", () => done(false));
    req.resume();
  });
}

function parseLaddr(laddr: string): { host: string; port: number } {
  const m = /^tcp:\/\/([^:/]+|\[[0-9a-fA-F:]+\]):(\d{1,5})$/.exec(laddr);
  if (!m || Number(m[2]) > 65535) {
    throw new IcsdError(
      "RPC_INVALID_LADDR",
      `rpc laddr must look like "tcp://127.0.0.1:26657", got ${JSON.stringify(laddr)}`,
    );
  }
  return { host: m[1]!.replace(/^\[|\]$/g, ""), port: Number(m[2]) };
}

function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers["content-length"] ?? 0);
    if (declared > limit) {
      reject(new BodyTooLarge());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on("data", (c: Buffer) => {
      if (failed) return;
      size += c.length;
      if (size > limit) {
        failed = true;
        reject(new BodyTooLarge());
        return;
      }
      chunks.push(c);
    });
    req.on("end", () => {
      if (!failed) resolve(Buffer.concat(chunks).toString("utf8"));
    });
    req.on("error", (e) => {
      if (!failed) reject(e);
    });
  });
}

function sendJson(res: ServerResponse, body: JsonRpcResponse | JsonRpcResponse[], close = false): void {
  let text: string;
  try {
    text = JSON.stringify(body);
  } catch (e) {
    // A method returned something JSON cannot carry (a bigint): report it rather than dropping the reply.
    const id = Array.isArray(body) ? null : body.id;
    text = JSON.stringify(
      rpcError(id, RpcErrorCode.InternalError, "Internal error", `unserialisable result: ${errorMessage(e)}`),
    );
  }
  // Always HTTP 200: CosmJS throws on a status >= 400 without reading the JSON-RPC error.
  res.writeHead(200, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
    ...(close ? { connection: "close" } : {}),
  });
  res.end(text);
}

/**
 * An HTTP JSON-RPC 2.0 server in the CometBFT 0.38 dialect: POST `/` with a request or a batch, GET
 * `/<method>?name=value` for curl (URI responses carry id -1, as CometBFT), GET `/health`, GET
 * `/metrics` when a registry is given, and JSON-RPC over websocket at `/websocket` when asked
 * (rpc/websocket.ts). Every JSON-RPC answer is HTTP 200; bodies over the limit get -32600 and the
 * connection is closed.
 */
export function createRpcServer(opts: RpcServerOptions, modules: RpcServerModules): RpcServer {
  const { host, port } = parseLaddr(opts.laddr);
  const maxBodyBytes = opts.maxBodyBytes ?? defaultRpcServerOptions.maxBodyBytes;
  const maxBatchRequests = opts.maxBatchRequests ?? defaultRpcServerOptions.maxBatchRequests;
  const logger = modules.logger;
  const methods: RpcMethods = { health: async () => ({}), ...modules.methods };
  let server: Server | undefined;
  let stopping: Promise<void> | undefined;
  let ws: WebsocketEndpoint | undefined;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (req.method === "POST") {
      let body: string;
      try {
        body = await readBody(req, maxBodyBytes);
      } catch (e) {
        if (e instanceof BodyTooLarge) {
          // Read the rest of the body (up to a bound) before answering, so the client sees the JSON-RPC
          // error instead of a reset connection; a body far over the limit is cut off.
          const drained = await drain(req, maxBodyBytes * DRAIN_FACTOR);
          sendJson(
            res,
            rpcError(
              null,
              RpcErrorCode.InvalidRequest,
              "Invalid Request",
              `request body exceeds ${maxBodyBytes} bytes`,
            ),
            !drained,
          );
          return;
        }
        throw e;
      }
      sendJson(res, await handleJsonRpcBody(methods, body, { maxBatchRequests, logger }));
      return;
    }
    if (req.method === "GET" || req.method === "HEAD") {
      req.resume();
      const name = url.pathname.replace(/^\/+/, "");
      if (name === "metrics" && modules.metrics) {
        const text = await modules.metrics.metrics();
        res.writeHead(200, { "content-type": modules.metrics.contentType });
        res.end(text);
        return;
      }
      if (name === "") {
        const list = Object.keys(methods)
          .sort()
          .map((m) => `//localhost/${m}`)
          .join("\n");
        res.writeHead(200, { "content-type": "text/plain; charset=utf-8" });
        res.end(`Available endpoints:\n${list}${modules.metrics ? "\n//localhost/metrics" : ""}\n`);
        return;
      }
      sendJson(res, await callMethod(methods, -1, name, parseUriParams(url.searchParams), logger));
      return;
    }
    req.resume();
    res.writeHead(405, { allow: "GET, POST", "content-type": "text/plain" });
    res.end("method not allowed\n");
  }

  return {
    start() {
      if (server) return Promise.resolve();
      const s = createServer((req, res) => {
        handle(req, res).catch((e: unknown) => {
          logger.error({ err: e }, "rpc request failed");
          if (!res.headersSent)
            sendJson(res, rpcError(null, RpcErrorCode.InternalError, "Internal error", errorMessage(e)));
          else res.destroy();
        });
      });
      s.keepAliveTimeout = 5000;
      if (modules.websocket) {
        const { events, ...wsOpts } = modules.websocket;
        const endpoint = createWebsocketEndpoint(wsOpts, {
          logger: logger.child({ module: "websocket" }),
          methods,
          events,
        });
        ws = endpoint;
        s.on("upgrade", (req, socket, head) => endpoint.handleUpgrade(req, socket, head));
      }
      server = s;
      return new Promise((resolve, reject) => {
        const onError = (e: Error) => {
          server = undefined;
          reject(
            new IcsdError("RPC_LISTEN_FAILED", `rpc: cannot listen on ${opts.laddr}: ${e.message}`, {
              laddr: opts.laddr,
            }),
          );
        };
        s.once("error", onError);
        s.listen(port, host, () => {
          s.off("error", onError);
          s.on("error", (e) => logger.error({ err: e }, "rpc server error"));
          logger.info({ laddr: opts.laddr, port: (s.address() as AddressInfo).port }, "rpc server listening");
          resolve();
        });
      });
    },
    stop() {
      if (!server) return Promise.resolve();
      if (!stopping) {
        const s = server;
        ws?.close();
        ws = undefined;
        stopping = new Promise<void>((resolve) => {
          s.close(() => resolve());
          s.closeAllConnections();
        }).then(() => {
          server = undefined;
          stopping = undefined;
        });
      }
      return stopping;
    },
    address() {
      const a = server?.address();
      if (!a || typeof a === "string") throw new IcsdError("RPC_NOT_STARTED", "rpc server is not listening");
      return { host: a.address, port: a.port };
    },
  };
}
