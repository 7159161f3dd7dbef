/**
 * The libp2p host of one chain: TCP + noise + yamux, identify and gossipsub, no discovery. It adds what
 * the node needs on top: chain-scoped gossip topics with handler verdicts, request/response protocols,
 * a chain-id handshake on every connection, application-level penalties with bans enforced by the
 * connection gater, and persistent peers kept connected.
 */
import { noise } from "@chainsafe/libp2p-noise";
import { yamux } from "@chainsafe/libp2p-yamux";
import { type GossipSub, gossipsub } from "@libp2p/gossipsub";
import { type Identify, identify } from "@libp2p/identify";
import type { Connection, Libp2p, PeerId, Stream } from "@libp2p/interface";
import { peerIdFromString } from "@libp2p/peer-id";
import { tcp } from "@libp2p/tcp";
import { multiaddr } from "@multiformats/multiaddr";
import { createLibp2p } from "libp2p";
import { IcsdError, type Logger } from "../utils/index.ts";
import { p2pError } from "./errors.ts";
import { type GossipHandler, GossipRouter, gossipsubOptions } from "./gossip.ts";
import { peerIdFromNodeKeySeed, privateKeyFromNodeKeySeed } from "./nodeKey.ts";
import {
  type GossipTopic,
  gossipTopicId,
  type P2pOptions,
  type P2pOptionsInput,
  REQRESP_PROTOCOLS,
  type ReqRespProtocol,
  reqRespProtocolId,
  resolveP2pOptions,
} from "./options.ts";
import { PeerPenalties } from "./peerPenalties.ts";
import { PersistentPeers } from "./persistentPeers.ts";
import { exchange, type ReqRespHandler, serve } from "./reqResp.ts";
import {
  decodeStatusRequest,
  decodeStatusResponse,
  encodeStatusRequest,
  encodeStatusResponse,
} from "./statusHandshake.ts";
import type { P2p, P2pStats, PeerSummary } from "./types.ts";
import { installYamuxWindowThreshold } from "./yamuxWindow.ts";

/** How long a peer found to be on another chain stays connected (banned) before the hang-up. */
const WRONG_CHAIN_HANGUP_MS = 300;

/** Default application penalty of one `penalize` call. */
export const DEFAULT_PENALTY_WEIGHT = 10;
const PENALTY_HALF_LIFE_MS = 10 * 60_000;

type Services = { identify: Identify; pubsub: GossipSub };

// The GossipSub interface omits getScore, which the implementation has; fall back to 0 if it goes away.
function gossipScore(pubsub: GossipSub, peerId: string): number {
  const impl = pubsub as unknown as { getScore?: (id: string) => number };
  return typeof impl.getScore === "function" ? impl.getScore(peerId) : 0;
}

/** Builds the host (not started). `opts` may omit anything `defaultP2pOptions` covers. */
export function createP2p(opts: P2pOptionsInput, components: { logger: Logger }): P2p {
  if (!installYamuxWindowThreshold()) {
    components.logger.warn("yamux: unexpected library shape, window updates go after every frame");
  }
  return new P2pHost(resolveP2pOptions(opts), components.logger.child({ module: "p2p" }));
}

class P2pHost implements P2p {
  readonly peerId: string;
  private readonly opts: P2pOptions;
  private readonly log: Logger;
  private readonly penalties: PeerPenalties;
  private readonly gossip: GossipRouter;
  private readonly persistent: PersistentPeers;
  private readonly handlers = new Map<ReqRespProtocol, ReqRespHandler>();
  private readonly verified = new Map<string, Uint8Array>();
  private readonly connectedCbs = new Set<(peerId: string, status: Uint8Array) => void>();
  private readonly disconnectedCbs = new Set<(peerId: string) => void>();
  private readonly counters = {
    invalidMessages: 0,
    peersDropped: 0,
    wrongChainPeers: 0,
    gossipPublished: 0,
    requestsServed: 0,
    requestsFailed: 0,
  };
  private statusProvider: () => Uint8Array = () => new Uint8Array();
  private node: Libp2p<Services> | undefined;
  private transition: Promise<void> = Promise.resolve();

  constructor(opts: P2pOptions, log: Logger) {
    this.opts = opts;
    this.log = log;
    this.peerId = peerIdFromNodeKeySeed(opts.nodeKeySeed);
    this.penalties = new PeerPenalties({
      threshold: opts.penaltyThreshold,
      banDurationMs: opts.banDurationMs,
      halfLifeMs: PENALTY_HALF_LIFE_MS,
      now: Date.now,
    });
    this.gossip = new GossipRouter(opts, { penalize: (p, r, w) => this.penalize(p, r, w), logger: log });
    this.persistent = new PersistentPeers(
      opts.persistentPeers,
      { minMs: opts.redialMinMs, maxMs: opts.redialMaxMs },
      {
        dial: (addr) => this.dial(addr),
        isConnected: (id) => this.isConnected(id),
        logger: log,
      },
    );
  }

  start(): Promise<void> {
    this.transition = this.transition.then(() => this.doStart());
    return this.transition;
  }

  stop(): Promise<void> {
    this.transition = this.transition.then(() => this.doStop());
    return this.transition;
  }

  private async doStart(): Promise<void> {
    if (this.node !== undefined) return;
    const gater = (peer: PeerId): boolean => this.penalties.isBanned(peer.toString());
    const node = await createLibp2p<Services>({
      privateKey: privateKeyFromNodeKeySeed(this.opts.nodeKeySeed),
      addresses: { listen: [...this.opts.listenAddrs] },
      transports: [tcp()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      connectionGater: {
        denyDialPeer: gater,
        denyInboundEncryptedConnection: gater,
        denyOutboundEncryptedConnection: gater,
      },
      connectionManager: { maxConnections: this.opts.maxConnections },
      services: {
        identify: identify(),
        pubsub: gossipsub(gossipsubOptions(this.opts, (id) => this.penalties.score(id))),
      },
      start: false,
    });
    node.addEventListener("peer:connect", (evt) => void this.handshake(node, evt.detail));
    node.addEventListener("peer:disconnect", (evt) => this.peerGone(evt.detail.toString()));
    for (const protocol of REQRESP_PROTOCOLS) {
      await node.handle(reqRespProtocolId(this.opts.chainId, protocol), (stream, conn) =>
        this.serveStream(protocol, stream, conn),
      );
    }
    await node.start();
    this.node = node;
    this.gossip.attach(node.services.pubsub);
    this.persistent.start();
    this.log.info({ peerId: this.peerId, addrs: this.listenAddrs() }, "p2p started");
  }

  private async doStop(): Promise<void> {
    const node = this.node;
    if (node === undefined) return;
    this.node = undefined;
    this.persistent.stop();
    this.gossip.detach();
    await node.stop();
    for (const id of [...this.verified.keys()]) this.peerGone(id);
    this.log.info("p2p stopped");
  }

  private started(): Libp2p<Services> {
    if (this.node === undefined) throw p2pError("P2P_NOT_STARTED", "p2p host is not started");
    return this.node;
  }

  listenAddrs(): string[] {
    return this.node?.getMultiaddrs().map((a) => a.toString()) ?? [];
  }

  async dial(addr: string): Promise<void> {
    await this.started().dial(multiaddr(addr));
  }

  private isConnected(peerId: string): boolean {
    return (this.node?.getConnections(peerIdFromString(peerId)).length ?? 0) > 0;
  }

  async publish(topic: GossipTopic, data: Uint8Array): Promise<void> {
    if (data.length > this.opts.maxGossipBytes) {
      throw p2pError(
        "P2P_GOSSIP_TOO_LARGE",
        `gossip of ${data.length} bytes exceeds ${this.opts.maxGossipBytes}`,
      );
    }
    const node = this.started();
    try {
      await node.services.pubsub.publish(gossipTopicId(this.opts.chainId, topic), data);
      this.counters.gossipPublished++;
    } catch (e) {
      // Gossip is best effort: consensus recovers a lost message through later rounds and catch-up.
      this.log.warn({ topic, err: String(e) }, "publish failed");
    }
  }

  topicPeers(topic: GossipTopic): string[] {
    const pubsub = this.node?.services.pubsub;
    return pubsub?.getSubscribers(gossipTopicId(this.opts.chainId, topic)).map((p) => p.toString()) ?? [];
  }

  onGossip(topic: GossipTopic, handler: GossipHandler): void {
    this.gossip.on(topic, handler);
  }

  /** Stops taking gossip on `topic` until resumeGossip (peers are told; publishing still works). */
  pauseGossip(topic: GossipTopic): void {
    this.gossip.pause(topic);
  }

  resumeGossip(topic: GossipTopic): void {
    this.gossip.resume(topic);
  }

  handle(protocol: ReqRespProtocol, handler: ReqRespHandler): void {
    if (protocol === "status") {
      throw p2pError("P2P_INVALID_ARGUMENT", "the status protocol is served from setStatusProvider");
    }
    this.handlers.set(protocol, handler);
  }

  setStatusProvider(provider: () => Uint8Array): void {
    this.statusProvider = provider;
  }

  async request(
    peerId: string,
    protocol: ReqRespProtocol,
    req: Uint8Array,
    opts: { timeoutMs?: number } = {},
  ): Promise<Uint8Array> {
    const node = this.started();
    const signal = AbortSignal.timeout(opts.timeoutMs ?? this.opts.requestTimeoutMs);
    const limits = this.opts.reqRespLimits[protocol];
    const body = protocol === "status" ? encodeStatusRequest(this.opts.chainId) : req;
    let stream: Stream;
    try {
      stream = await node.dialProtocol(
        peerIdFromString(peerId),
        reqRespProtocolId(this.opts.chainId, protocol),
        {
          signal,
        },
      );
    } catch (e) {
      if (signal.aborted) throw p2pError("REQRESP_TIMEOUT", "request timed out while opening the stream");
      throw p2pError("REQRESP_FAILED", `cannot open ${protocol} stream: ${String(e)}`, {
        cause: e instanceof Error ? e.name : "unknown",
      });
    }
    const res = await exchange(stream, body, limits, signal);
    return protocol === "status" ? decodeStatusResponse(this.opts.chainId, res) : res;
  }

  private async serveStream(protocol: ReqRespProtocol, stream: Stream, conn: Connection): Promise<void> {
    const from = conn.remotePeer.toString();
    const handler =
      protocol === "status" ? (req: Uint8Array) => this.serveStatus(req, from) : this.handlers.get(protocol);
    const err = await serve(
      stream,
      from,
      this.opts.reqRespLimits[protocol],
      handler,
      this.opts.requestTimeoutMs,
    );
    if (err === undefined) {
      this.counters.requestsServed++;
    } else {
      this.counters.requestsFailed++;
      this.log.debug({ protocol, peer: from, err: err.message }, "request failed");
    }
  }

  private async serveStatus(req: Uint8Array, from: string): Promise<Uint8Array> {
    const chainId = decodeStatusRequest(req);
    if (chainId !== this.opts.chainId) {
      // Only a crafted peer gets here (the protocol id already names our chain).
      this.wrongChain(from, chainId);
      throw p2pError("P2P_WRONG_CHAIN", "status request for another chain");
    }
    return encodeStatusResponse(this.opts.chainId, this.statusProvider());
  }

  /** Runs on every new peer: fetch its status; a peer of another chain is dropped and banned. */
  private async handshake(node: Libp2p<Services>, peer: PeerId): Promise<void> {
    const id = peer.toString();
    try {
      const status = await this.request(id, "status", new Uint8Array(), {
        timeoutMs: this.opts.handshakeTimeoutMs,
      });
      if (this.node !== node || node.getConnections(peer).length === 0) return;
      const fresh = !this.verified.has(id);
      this.verified.set(id, status);
      this.persistent.connected(id);
      if (fresh) {
        this.log.info({ peer: id }, "peer connected");
        for (const cb of this.connectedCbs) cb(id, status);
      }
    } catch (e) {
      if (this.node !== node) return;
      // Protocol negotiation fails when the remote does not serve /icsd/<our chain>/status/1.
      const wrong =
        e instanceof IcsdError &&
        (e.code === "P2P_WRONG_CHAIN" || e.meta.cause === "UnsupportedProtocolError");
      if (wrong) {
        this.wrongChain(id, e instanceof IcsdError ? e.meta.chainId : undefined);
      } else {
        this.log.warn({ peer: id, err: String(e) }, "status handshake failed; disconnecting");
        void node.hangUp(peer).catch(() => {});
      }
    }
  }

  private wrongChain(id: string, theirChain: unknown): void {
    this.counters.wrongChainPeers++;
    this.log.warn({ peer: id, chainId: this.opts.chainId, theirChain }, "peer is on another chain");
    this.penalties.ban(id, "peer is on another chain");
    // Hung up a moment later, so the other side's own status request is refused for the same reason
    // (and it bans us too) rather than cut off mid-way; the peer shares no topic meanwhile.
    const node = this.node;
    const t = setTimeout(
      () => void node?.hangUp(peerIdFromString(id)).catch(() => {}),
      WRONG_CHAIN_HANGUP_MS,
    );
    t.unref?.();
  }

  private peerGone(id: string): void {
    if (this.verified.delete(id)) {
      this.log.info({ peer: id }, "peer disconnected");
      for (const cb of this.disconnectedCbs) cb(id);
    }
    if (this.node !== undefined) this.persistent.disconnected(id);
  }

  peers(): PeerSummary[] {
    const node = this.node;
    if (node === undefined) return [];
    const out: PeerSummary[] = [];
    for (const id of this.verified.keys()) {
      const peer = peerIdFromString(id);
      const conns = node.getConnections(peer);
      if (conns.length === 0) continue;
      out.push({
        id,
        addrs: conns.map((c) => c.remoteAddr.toString()),
        score: gossipScore(node.services.pubsub, id),
      });
    }
    return out;
  }

  onPeerConnected(cb: (peerId: string, status: Uint8Array) => void): () => void {
    this.connectedCbs.add(cb);
    return () => this.connectedCbs.delete(cb);
  }

  onPeerDisconnected(cb: (peerId: string) => void): () => void {
    this.disconnectedCbs.add(cb);
    return () => this.disconnectedCbs.delete(cb);
  }

  penalize(peerId: string, reason: string, weight = DEFAULT_PENALTY_WEIGHT): void {
    this.counters.invalidMessages++;
    const { total, drop } = this.penalties.penalize(peerId, weight);
    this.log.warn({ peer: peerId, reason, weight, total }, "peer penalized");
    if (!drop) return;
    this.counters.peersDropped++;
    this.penalties.ban(peerId, reason);
    this.log.warn(
      { peer: peerId, reason, total, banMs: this.opts.banDurationMs },
      "dropping peer: penalty threshold reached",
    );
    void this.node?.hangUp(peerIdFromString(peerId)).catch(() => {});
  }

  isBanned(peerId: string): boolean {
    return this.penalties.isBanned(peerId);
  }

  stats(): P2pStats {
    return {
      ...this.counters,
      peersBanned: this.penalties.bannedCount(),
      gossipAccepted: { ...this.gossip.accepted },
    };
  }
}
