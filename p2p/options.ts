/**
 * Options of the p2p host and their defaults. One host serves exactly one chain: every gossip topic and
 * request/response protocol id embeds `chainId`, so hosts of different chains never share a topic.
 */

import { p2pError } from "./errors.ts";

/** The gossip topics of a chain. */
export const GOSSIP_TOPICS = ["proposal", "vote", "tx", "evidence"] as const;
/** A gossip topic name; its libp2p topic string is `/icsd/<chainId>/<topic>/1`. */
export type GossipTopic = (typeof GOSSIP_TOPICS)[number];

/** The request/response protocols of a chain. */
export const REQRESP_PROTOCOLS = ["status", "blocks", "catchup"] as const;
/** A request/response protocol name; its libp2p protocol id is `/icsd/<chainId>/<name>/1`. */
export type ReqRespProtocol = (typeof REQRESP_PROTOCOLS)[number];

/** Size limits of one request/response protocol, in bytes of the frame payload. */
export interface ReqRespLimits {
  readonly maxRequestBytes: number;
  readonly maxResponseBytes: number;
}

export interface P2pOptions {
  /** The chain this host serves; it scopes topics and protocol ids and is checked on every connection. */
  readonly chainId: string;
  /** 32-byte ed25519 seed of the node key (node_key.json); it fixes the peer id. */
  readonly nodeKeySeed: Uint8Array;
  /** Multiaddrs to listen on, e.g. `/ip4/127.0.0.1/tcp/26656` (tcp/0 picks a free port). */
  readonly listenAddrs: readonly string[];
  /** Multiaddrs with `/p2p/<id>`, dialed at start and re-dialed with backoff forever. */
  readonly persistentPeers: readonly string[];
  /** Largest gossip payload accepted (and published); proposals carry whole blocks. */
  readonly maxGossipBytes: number;
  /** Limits per request/response protocol. */
  readonly reqRespLimits: Readonly<Record<ReqRespProtocol, ReqRespLimits>>;
  /** Default timeout of one request, from opening the stream to the whole response read. */
  readonly requestTimeoutMs: number;
  /** Timeout of the chain-id status handshake run on every new connection. */
  readonly handshakeTimeoutMs: number;
  /** Application penalty (sum of weights) at which a peer is disconnected and refused. */
  readonly penaltyThreshold: number;
  /** How long a dropped peer (or a peer of another chain) is refused, in ms. */
  readonly banDurationMs: number;
  /** Persistent-peer re-dial backoff: first delay and cap, in ms (the delay doubles up to the cap). */
  readonly redialMinMs: number;
  readonly redialMaxMs: number;
  /** Gossipsub heartbeat; fast so small devnets propagate and form meshes quickly. */
  readonly heartbeatMs: number;
  /** Connection manager cap. */
  readonly maxConnections: number;
}

const MiB = 1024 * 1024;
const KiB = 1024;

/**
 * The largest gossip payload that can be sent at all: gossipsub length-prefixes each outgoing RPC with
 * it-length-prefixed's 4 MiB default cap and silently drops bigger frames, so the payload keeps 16 KiB
 * of headroom for the envelope (topic, seqno, key, signature).
 */
export const MAX_GOSSIP_BYTES_LIMIT = 4 * MiB - 16 * KiB;

/** Defaults for everything except the identity, the chain and the addresses. */
export const defaultP2pOptions = {
  persistentPeers: [] as readonly string[],
  maxGossipBytes: MAX_GOSSIP_BYTES_LIMIT,
  reqRespLimits: {
    status: { maxRequestBytes: 1 * KiB, maxResponseBytes: 64 * KiB },
    blocks: { maxRequestBytes: 1 * KiB, maxResponseBytes: 16 * MiB },
    catchup: { maxRequestBytes: 1 * KiB, maxResponseBytes: 16 * MiB },
  },
  requestTimeoutMs: 10_000,
  handshakeTimeoutMs: 5_000,
  penaltyThreshold: 100,
  banDurationMs: 60_000,
  redialMinMs: 500,
  redialMaxMs: 10_000,
  heartbeatMs: 300,
  maxConnections: 64,
} satisfies Partial<P2pOptions>;

/** What a caller must give; the rest falls back to `defaultP2pOptions`. */
export type P2pOptionsInput = Pick<P2pOptions, "chainId" | "nodeKeySeed"> & Partial<P2pOptions>;

/**
 * Fills in defaults; `listenAddrs` defaults to a free loopback TCP port. Throws P2P_INVALID_ARGUMENT when
 * `maxGossipBytes` exceeds `MAX_GOSSIP_BYTES_LIMIT`.
 */
export function resolveP2pOptions(input: P2pOptionsInput): P2pOptions {
  if (
    input.maxGossipBytes !== undefined &&
    !(input.maxGossipBytes > 0 && input.maxGossipBytes <= MAX_GOSSIP_BYTES_LIMIT)
  ) {
    throw p2pError("P2P_INVALID_ARGUMENT", `maxGossipBytes must be in 1..${MAX_GOSSIP_BYTES_LIMIT}`, {
      maxGossipBytes: input.maxGossipBytes,
    });
  }
  return {
    ...defaultP2pOptions,
    listenAddrs: ["/ip4/127.0.0.1/tcp/0"],
    ...input,
    reqRespLimits: { ...defaultP2pOptions.reqRespLimits, ...input.reqRespLimits },
  };
}

/** The libp2p topic string of `topic` on `chainId`. */
export function gossipTopicId(chainId: string, topic: GossipTopic): string {
  return `/icsd/${chainId}/${topic}/1`;
}

/** Wire version of each request-response protocol (`blocks` 2: a request asks for a range of blocks). */
const REQRESP_VERSIONS: Readonly<Record<ReqRespProtocol, number>> = { status: 1, blocks: 2, catchup: 1 };

/** The libp2p protocol id of `protocol` on `chainId`. */
export function reqRespProtocolId(chainId: string, protocol: ReqRespProtocol): string {
  return `/icsd/${chainId}/${protocol}/${REQRESP_VERSIONS[protocol]}`;
}
