import type { ConsensusNetwork, Evidence, ProposalWithBlock, Vote } from "../consensus/index.ts";
import type { P2p } from "../p2p/index.ts";
import {
  type BlockResponse,
  decodeBlockRequest,
  decodeBlockResponse,
  decodeCatchupRequest,
  decodeCatchupResponse,
  decodeStatusResponse,
  encodeBlockRequest,
  encodeBlockResponse,
  encodeCatchupRequest,
  encodeCatchupResponse,
  encodeEvidenceMessage,
  encodeProposalMessage,
  encodeStatusResponse,
  encodeTxMessage,
  encodeVoteMessage,
} from "../proto/index.ts";
import { errorMessage, type Logger } from "../utils/index.ts";

export interface NodeNetworkSources {
  status(): { height: number; earliestHeight: number; lastBlockHash: Uint8Array };
  block(height: number): Promise<BlockResponse>;
  catchup(height: number): { proposals: readonly ProposalWithBlock[]; votes: readonly Vote[] };
  onCatchup(proposals: readonly ProposalWithBlock[], votes: readonly Vote[]): void;
}

const CATCHUP_MIN_INTERVAL_MS = 300;
// Transactions received over RPC are gossiped in batches: per-message costs (framing, message ids,
// validation, forwarding) then fall on a batch instead of on every transaction.
const TX_BATCH_DELAY_MS = 5;
// Room left in a gossip message for the batch's framing.
const TX_BATCH_OVERHEAD_BYTES = 1024;

/**
 * The node's use of p2p: consensus gossip out, the block and catch-up request/response protocols in
 * both directions, and peers' heights for block sync. Decoding of what arrives happens here, at the edge.
 */
export class NodeNetwork implements ConsensusNetwork {
  private readonly p2p: P2p;
  private readonly chainId: string;
  private readonly log: Logger;
  private sources: NodeNetworkSources | undefined;
  private lastCatchup = new Map<number, number>();
  private readonly maxTxBatchBytes: number;
  private txBatch: Uint8Array[] = [];
  private txBatchBytes = 0;
  private txBatchTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(chainId: string, p2p: P2p, logger: Logger, opts: { maxGossipBytes: number }) {
    this.chainId = chainId;
    this.p2p = p2p;
    this.log = logger;
    this.maxTxBatchBytes = Math.max(1, opts.maxGossipBytes - TX_BATCH_OVERHEAD_BYTES);
  }

  /** Installs the request handlers; `sources` answers peers from this node's chain and consensus. */
  serve(sources: NodeNetworkSources): void {
    this.sources = sources;
    this.p2p.setStatusProvider(() => {
      const s = sources.status();
      return encodeStatusResponse({ chainId: this.chainId, ...s });
    });
    this.p2p.handle("blocks", async (req) =>
      encodeBlockResponse(await sources.block(decodeBlockRequest(req))),
    );
    this.p2p.handle("catchup", async (req) => {
      const c = sources.catchup(decodeCatchupRequest(req));
      return encodeCatchupResponse({ proposals: c.proposals, votes: c.votes });
    });
  }

  broadcastProposal(msg: ProposalWithBlock): void {
    void this.p2p
      .publish("proposal", encodeProposalMessage(msg))
      .catch((e) => this.publishFailed("proposal", e));
  }

  broadcastVote(vote: Vote): void {
    void this.p2p.publish("vote", encodeVoteMessage(vote)).catch((e) => this.publishFailed("vote", e));
  }

  /** Queues a transaction for gossip; the queue goes out after a few milliseconds or when full. */
  broadcastTx(tx: Uint8Array): void {
    if (this.txBatchBytes + tx.length + 8 > this.maxTxBatchBytes) this.flushTxs();
    this.txBatch.push(tx);
    this.txBatchBytes += tx.length + 8;
    this.txBatchTimer ??= setTimeout(() => this.flushTxs(), TX_BATCH_DELAY_MS);
  }

  /** Publishes the queued transactions now (also on shutdown). */
  flushTxs(): void {
    if (this.txBatchTimer !== undefined) clearTimeout(this.txBatchTimer);
    this.txBatchTimer = undefined;
    if (this.txBatch.length === 0) return;
    const txs = this.txBatch;
    this.txBatch = [];
    this.txBatchBytes = 0;
    void this.p2p.publish("tx", encodeTxMessage(txs)).catch((e) => this.publishFailed("tx", e));
  }

  broadcastEvidence(ev: Evidence): void {
    void this.p2p
      .publish("evidence", encodeEvidenceMessage(ev))
      .catch((e) => this.publishFailed("evidence", e));
  }

  private publishFailed(topic: string, e: unknown): void {
    this.log.debug({ topic, err: errorMessage(e) }, "publish failed");
  }

  /** Asks every peer for what it holds of `height` (at most once per interval per height). */
  requestCatchup(height: number): void {
    const now = Date.now();
    if (now - (this.lastCatchup.get(height) ?? 0) < CATCHUP_MIN_INTERVAL_MS) return;
    this.lastCatchup.set(height, now);
    if (this.lastCatchup.size > 16) this.lastCatchup.delete(this.lastCatchup.keys().next().value!);
    for (const peer of this.p2p.peers()) {
      void this.p2p
        .request(peer.id, "catchup", encodeCatchupRequest(height), { timeoutMs: 3000 })
        .then((bytes) => {
          const res = decodeCatchupResponse(bytes);
          this.sources?.onCatchup(res.proposals, res.votes);
        })
        .catch((e) => this.log.debug({ peer: peer.id, err: errorMessage(e) }, "catch-up request failed"));
    }
  }

  /** Each connected peer's last committed height, from the status protocol. */
  async peerHeights(): Promise<{ peerId: string; height: number }[]> {
    const out: { peerId: string; height: number }[] = [];
    await Promise.all(
      this.p2p.peers().map(async (peer) => {
        try {
          const s = decodeStatusResponse(
            await this.p2p.request(peer.id, "status", new Uint8Array(), { timeoutMs: 2000 }),
          );
          out.push({ peerId: peer.id, height: s.height });
        } catch (e) {
          this.log.debug({ peer: peer.id, err: errorMessage(e) }, "status request failed");
        }
      }),
    );
    return out.sort((a, b) => (a.peerId < b.peerId ? -1 : 1));
  }

  async fetchBlock(peerId: string, height: number) {
    const res = decodeBlockResponse(
      await this.p2p.request(peerId, "blocks", encodeBlockRequest(height), { timeoutMs: 10_000 }),
    );
    return res.found ? res : undefined;
  }

  penalize(peerId: string, reason: string): void {
    this.p2p.penalize(peerId, reason);
  }
}
