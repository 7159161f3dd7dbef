/**
 * Gossipsub configuration and the bridge from gossipsub topic validators to the node's handlers. A
 * handler runs once per distinct message (gossipsub drops duplicates by message id = sha256(data) before
 * validating) and its verdict is the validation result: "accept" delivers and forwards, "ignore" drops
 * without penalty, "reject" drops, lowers the sender's gossipsub score (P4, invalid deliveries) and adds
 * an application penalty. The sender is the propagation source, the peer that handed us the message.
 */
import type { GossipSub, GossipsubOpts, TopicValidatorFn } from "@libp2p/gossipsub";
import { TopicValidatorResult } from "@libp2p/gossipsub";
import { createTopicScoreParams, type TopicScoreParams } from "@libp2p/gossipsub/score";
import { sha256 } from "../crypto/index.ts";
import type { Logger } from "../utils/index.ts";
import { GOSSIP_TOPICS, type GossipTopic, gossipTopicId, type P2pOptions } from "./options.ts";

/** A gossip verdict, as data. */
export type GossipVerdict = "accept" | "ignore" | "reject";
/** Validates and consumes one gossip message; `from` is the peer id that sent it to us. */
export type GossipHandler = (data: Uint8Array, from: string) => Promise<GossipVerdict>;

/** Penalty weight of one rejected gossip message (the default threshold drops a peer after 10). */
export const REJECT_PENALTY = 10;

// Score parameters for our topics: only invalid deliveries count. Mesh-delivery penalties (P3/P3b) are
// off because consensus topics are quiet between heights and a small devnet would punish honest peers.
// P4 grows with the square of the count, so its weight is small: the application penalty (which every
// reject also feeds) must reach the drop threshold before gossipsub graylists the peer, or a graylisted
// peer would stay connected, muted, without ever being dropped.
const topicScore: Partial<TopicScoreParams> = {
  topicWeight: 1,
  timeInMeshWeight: 0,
  firstMessageDeliveriesWeight: 0,
  meshMessageDeliveriesWeight: 0,
  meshFailurePenaltyWeight: 0,
  invalidMessageDeliveriesWeight: -0.1,
  invalidMessageDeliveriesDecay: 0.5,
};

/** Gossipsub options for one chain's host; `appScore` is the application penalty component. */
export function gossipsubOptions(
  opts: P2pOptions,
  appScore: (peerId: string) => number,
): Partial<GossipsubOpts> {
  const topics = GOSSIP_TOPICS.map((t) => gossipTopicId(opts.chainId, t));
  return {
    emitSelf: false,
    fallbackToFloodsub: false,
    floodPublish: true,
    allowPublishToZeroTopicPeers: true,
    ignoreDuplicatePublishError: true,
    // Every payload authenticates itself (proposals and votes carry validator signatures, transactions
    // account signatures, evidence signed votes), so gossipsub's per-message ed25519 envelope would only
    // add a signature and a verification per message per hop. Message ids are content hashes.
    globalSignaturePolicy: "StrictNoSign",
    D: 4,
    Dlo: 2,
    Dhi: 8,
    Dscore: 2,
    Dout: 1,
    Dlazy: 4,
    heartbeatInterval: opts.heartbeatMs,
    // A node unsubscribes from live topics while it syncs a long range of blocks, and subscribes again
    // when done: its mesh peers may graft it back after this, not after gossipsub's default 10 s.
    unsubcribeBackoff: Math.max(1000, 3 * opts.heartbeatMs),
    msgIdFn: (msg) => sha256(msg.data),
    // Frames carry signature, key and sometimes several messages (IWANT replies): leave headroom; the
    // exact payload limit is enforced before any handler runs.
    maxInboundDataLength: 2 * opts.maxGossipBytes + 64 * 1024,
    allowedTopics: topics,
    scoreParams: {
      topics: Object.fromEntries(topics.map((t) => [t, createTopicScoreParams(topicScore)])),
      appSpecificScore: appScore,
      appSpecificWeight: 1,
      // Devnets run every node on 127.0.0.1: co-location is the norm, not a Sybil signal.
      IPColocationFactorWeight: 0,
    },
    // Thresholds scale with the application drop threshold T: a peer near T stops receiving our gossip,
    // and only a peer well past it (already dropped) would be graylisted.
    scoreThresholds: {
      gossipThreshold: -0.5 * opts.penaltyThreshold,
      publishThreshold: -0.8 * opts.penaltyThreshold,
      graylistThreshold: -1.5 * opts.penaltyThreshold,
    },
  };
}

/** What the router needs from the host. */
export interface GossipRouterComponents {
  /** Reports an invalid message from `peer` (application penalty). */
  penalize(peer: string, reason: string, weight: number): void;
  logger: Logger;
}

/** Maps our topics to handlers and installs them as gossipsub validators. */
export class GossipRouter {
  private readonly handlers = new Map<GossipTopic, GossipHandler>();
  private readonly opts: P2pOptions;
  private readonly c: GossipRouterComponents;
  private pubsub: GossipSub | undefined;
  /** Topics not taken for now (unsubscribed; their handlers stay). */
  private readonly paused = new Set<GossipTopic>();
  /** Messages delivered (accepted) per topic, for stats. */
  readonly accepted: Record<GossipTopic, number> = { proposal: 0, vote: 0, tx: 0, evidence: 0 };

  constructor(opts: P2pOptions, components: GossipRouterComponents) {
    this.opts = opts;
    this.c = components;
  }

  /** Sets the handler of `topic` (replacing any) and subscribes once the host runs. */
  on(topic: GossipTopic, handler: GossipHandler): void {
    this.handlers.set(topic, handler);
    if (this.pubsub !== undefined) this.install(this.pubsub, topic);
  }

  /** Attaches to a started gossipsub: installs validators and subscribes every handled topic. */
  attach(pubsub: GossipSub): void {
    this.pubsub = pubsub;
    for (const topic of this.handlers.keys()) this.install(pubsub, topic);
  }

  detach(): void {
    this.pubsub = undefined;
  }

  /**
   * Stops taking `topic`: unsubscribing tells peers, so they stop sending it, and gossipsub drops what
   * still arrives for a topic this node is not subscribed to. Publishing on it still works.
   */
  pause(topic: GossipTopic): void {
    if (this.paused.has(topic)) return;
    this.paused.add(topic);
    const id = gossipTopicId(this.opts.chainId, topic);
    if (this.pubsub?.getTopics().includes(id)) this.pubsub.unsubscribe(id);
  }

  /** Takes `topic` again (subscribes, when it has a handler). */
  resume(topic: GossipTopic): void {
    if (!this.paused.delete(topic)) return;
    if (this.pubsub !== undefined && this.handlers.has(topic)) this.install(this.pubsub, topic);
  }

  private install(pubsub: GossipSub, topic: GossipTopic): void {
    const id = gossipTopicId(this.opts.chainId, topic);
    pubsub.topicValidators.set(id, this.validator(topic));
    if (!this.paused.has(topic) && !pubsub.getTopics().includes(id)) pubsub.subscribe(id);
  }

  private validator(topic: GossipTopic): TopicValidatorFn {
    return async (peer, msg) => {
      const from = peer.toString();
      if (msg.data.length > this.opts.maxGossipBytes) {
        this.c.penalize(from, `oversized ${topic} gossip (${msg.data.length} bytes)`, REJECT_PENALTY);
        return TopicValidatorResult.Reject;
      }
      const handler = this.handlers.get(topic);
      if (handler === undefined) return TopicValidatorResult.Ignore;
      let verdict: GossipVerdict;
      try {
        verdict = await handler(msg.data, from);
      } catch (e) {
        // A throwing handler is our bug, not the peer's fault: drop without penalty.
        this.c.logger.error({ topic, peer: from, err: String(e) }, "gossip handler threw");
        return TopicValidatorResult.Ignore;
      }
      if (verdict === "accept") {
        this.accepted[topic]++;
        return TopicValidatorResult.Accept;
      }
      if (verdict === "reject") {
        this.c.penalize(from, `invalid ${topic} gossip`, REJECT_PENALTY);
        return TopicValidatorResult.Reject;
      }
      return TopicValidatorResult.Ignore;
    };
  }
}
