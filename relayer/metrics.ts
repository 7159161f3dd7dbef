/**
 * The relayer's Prometheus metrics, in a registry of its own (several relayers, or a relayer beside a
 * node, in one process do not collide).
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Counter, Gauge, Registry } from "prom-client";
import type { ListenAddress } from "./config.ts";

/** The kinds of relayed packet message. */
export type RelayKind = "recv" | "ack" | "timeout";

export interface RelayerMetrics {
  readonly registry: Registry;
  /** Packet messages included in successful transactions, by path, direction and kind. */
  readonly packetsRelayed: Counter<"path" | "direction" | "kind">;
  /** Work found in the last round of a direction (receives, acks and timeouts, plus deferred packets). */
  readonly packetsPending: Gauge<"path" | "direction">;
  /** Blocks between a packet becoming provable and its delivery (or between the last handled height and the tip). */
  readonly lagBlocks: Gauge<"path" | "direction">;
  /** Transactions refused or not included. */
  readonly txFailed: Counter;
}

export function createRelayerMetrics(): RelayerMetrics {
  const registry = new Registry();
  const registers = [registry];
  return {
    registry,
    packetsRelayed: new Counter({
      name: "icsd_relayer_packets_relayed_total",
      help: "Packet messages relayed in successful transactions",
      labelNames: ["path", "direction", "kind"] as const,
      registers,
    }),
    packetsPending: new Gauge({
      name: "icsd_relayer_packets_pending",
      help: "Packets awaiting receive, acknowledgement or timeout in the last round",
      labelNames: ["path", "direction"] as const,
      registers,
    }),
    lagBlocks: new Gauge({
      name: "icsd_relayer_lag_blocks",
      help: "Destination height at delivery minus the source height the packets were provable at",
      labelNames: ["path", "direction"] as const,
      registers,
    }),
    txFailed: new Counter({
      name: "icsd_relayer_tx_failed_total",
      help: "Relayer transactions refused by the chain or not included",
      registers,
    }),
  };
}

/** Serves `GET /metrics` from `registry` on `listen`; resolves once listening. */
export async function serveMetrics(registry: Registry, listen: ListenAddress): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.method !== "GET" || (req.url ?? "").split("?")[0] !== "/metrics") {
      res.writeHead(404).end("not found\n");
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { "content-type": registry.contentType }).end(text),
      (e: unknown) => res.writeHead(500).end(`${String(e)}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(listen.port, listen.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  return server;
}

/** `http://host:port` of a listening server. */
export function serverUrl(server: Server): string {
  const a = server.address() as AddressInfo;
  const host = a.family === "IPv6" ? `[${a.address}]` : a.address;
  return `http://${host}:${a.port}`;
}
