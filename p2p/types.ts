/** The public surface of the p2p host: what the node holds and calls. */
import type { GossipHandler } from "./gossip.ts";
import type { GossipTopic, ReqRespProtocol } from "./options.ts";
import type { ReqRespHandler } from "./reqResp.ts";

/** A connected peer that passed the chain-id handshake. */
export interface PeerSummary {
  readonly id: string;
  readonly addrs: string[];
  /** Gossipsub score, which includes minus the application penalty. */
  readonly score: number;
}

/** Counters the node can read (and export as metrics). */
export interface P2pStats {
  /** `penalize` calls, including rejected and oversized gossip. */
  invalidMessages: number;
  /** Peers disconnected and banned for reaching the penalty threshold. */
  peersDropped: number;
  /** Peers disconnected because they serve another chain or failed the handshake's chain check. */
  wrongChainPeers: number;
  /** Peers banned right now. */
  peersBanned: number;
  gossipPublished: number;
  gossipAccepted: Record<GossipTopic, number>;
  requestsServed: number;
  requestsFailed: number;
}

/** The chain's p2p host; see the file comment. */
export interface P2p {
  readonly peerId: string;
  /** Listens, dials persistent peers. Idempotent; a stopped host can be started again. */
  start(): Promise<void>;
  /** Closes every connection and the listener, cancels redials. Idempotent. */
  stop(): Promise<void>;
  /** Actual listen multiaddrs with `/p2p/<id>` (real ports when listening on tcp/0); empty when stopped. */
  listenAddrs(): string[];
  /** Dials a multiaddr with `/p2p/<id>`; resolves when connected (the handshake may still drop it). */
  dial(addr: string): Promise<void>;
  /** Gossips `data` on the chain's topic; never throws for lack of peers. Throws P2P_GOSSIP_TOO_LARGE. */
  publish(topic: GossipTopic, data: Uint8Array): Promise<void>;
  /** Peers known to be subscribed to `topic` (gossipsub's view), e.g. to wait for a mesh in tests. */
  topicPeers(topic: GossipTopic): string[];
  /** Subscribes to `topic`; `handler` validates and consumes each distinct message once. */
  onGossip(topic: GossipTopic, handler: GossipHandler): void;
  /** Stops taking gossip on `topic` (unsubscribes; peers are told) until `resumeGossip`. */
  pauseGossip(topic: GossipTopic): void;
  resumeGossip(topic: GossipTopic): void;
  /** Serves `protocol` ("blocks" or "catchup"; "status" is served from `setStatusProvider`). */
  handle(protocol: ReqRespProtocol, handler: ReqRespHandler): void;
  /**
   * One request/response exchange. Throws IcsdError REQRESP_TIMEOUT, REQRESP_TOO_LARGE or REQRESP_FAILED.
   * For "status", `req` is ignored and the remote's node status is returned after checking its chain id
   * (P2P_WRONG_CHAIN when it differs).
   */
  request(
    peerId: string,
    protocol: ReqRespProtocol,
    req: Uint8Array,
    opts?: { timeoutMs?: number },
  ): Promise<Uint8Array>;
  /** The bytes this host reports as its status to peers (default: empty). */
  setStatusProvider(provider: () => Uint8Array): void;
  /** Connected peers that passed the chain-id handshake. */
  peers(): PeerSummary[];
  /** Called after a peer passes the handshake, with its status bytes. Returns an unsubscribe function. */
  onPeerConnected(cb: (peerId: string, status: Uint8Array) => void): () => void;
  /** Called when a handshaken peer's last connection closes. Returns an unsubscribe function. */
  onPeerDisconnected(cb: (peerId: string) => void): () => void;
  /** Application penalty; at the threshold the peer is disconnected and refused for the cool-down. */
  penalize(peerId: string, reason: string, weight?: number): void;
  /** Whether the peer is currently refused. */
  isBanned(peerId: string): boolean;
  stats(): P2pStats;
}
