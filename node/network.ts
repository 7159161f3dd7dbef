import type { ConsensusNetwork, Evidence, ProposalWithBlock, Vote } from "../consensus/index.ts";
import { defaultP2pOptions, type P2p } from "../p2p/index.ts";
import {
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
  MAX_BLOCKS_PER_REQUEST,
  type StoredBlock,
  type SyncedBlock,
} from "../proto/index.ts";
import type { BlockStore } from "../store/index.ts";
import { errorMessage, IcsdError, type Logger } from "../utils/index.ts";

export interface NodeNetworkSources {
  status(): { height: number; earliestHeight: number; lastBlockHash: Uint8Array };
  /** The block store block-sync requests are served from, as stored (no decoding and encoding). */
  readonly blocks: Pick<BlockStore, "loadBlockRange">;
  catchup(height: number): { proposals: readonly ProposalWithBlock[]; votes: readonly Vote[] };
  onCatchup(proposals: readonly ProposalWithBlock[], votes: readonly Vote[]): void;
}

const CATCHUP_MIN_INTERVAL_MS = 300;
/** Gossip a node far behind does not take while it syncs blocks. */
const LIVE_TOPICS = ["proposal", "vote", "tx"] as const;
/**
 * Block and commit bytes one block-sync response carries at most: half the protocol's response limit
 * (16 MiB), so the few framing bytes per block never push it over. A block fits one gossip message (under
 * 4 MiB), so the first block of a range always fits.
 */
export const MAX_BLOCK_RESPONSE_BYTES = defaultP2pOptions.reqRespLimits.blocks.maxResponseBytes / 2;
/** Time for one block-sync exchange (up to MAX_BLOCK_RESPONSE_BYTES). */
const BLOCK_REQUEST_TIMEOUT_MS = 10_000;
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
    this.p2p.handle("blocks", async (req) => {
      const { height, count } = decodeBlockRequest(req);
      return encodeBlockResponse(await readBlockRange(sources.blocks, height, count));
    });
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

  /**
   * Stops taking proposals, votes and transactions, for a long block sync: consensus is paused meanwhile,
   * and a node far behind can neither use them nor check transactions against a current state. Peers
   * stop sending them, which spares both sides the work. Evidence is still taken.
   */
  pauseLiveGossip(): void {
    for (const t of LIVE_TOPICS) this.p2p.pauseGossip(t);
  }

  resumeLiveGossip(): void {
    for (const t of LIVE_TOPICS) this.p2p.resumeGossip(t);
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

  /** Calls `cb` with a peer's height each time a peer connects (from its handshake status). */
  onPeerHeight(cb: (peerId: string, height: number) => void): () => void {
    return this.p2p.onPeerConnected((peerId, status) => {
      try {
        cb(peerId, decodeStatusResponse(status).height);
      } catch (e) {
        this.log.debug({ peer: peerId, err: errorMessage(e) }, "malformed status from a new peer");
      }
    });
  }

  /** Calls `cb` when a peer's last connection closes. */
  onPeerGone(cb: (peerId: string) => void): () => void {
    return this.p2p.onPeerDisconnected(cb);
  }

  /**
   * Up to `count` consecutive blocks from `height` on, with their commits, from `peerId`: fewer when the
   * peer holds fewer or its response reached the size budget, none when it holds none. Throws the
   * request's IcsdError, PROTO_DECODE for a malformed response, or BLOCKSYNC_BAD_RESPONSE for blocks that
   * were not asked for (more than `count`, or not consecutive from `height`).
   */
  async fetchBlocks(peerId: string, height: number, count: number): Promise<SyncedBlock[]> {
    const req = encodeBlockRequest({ height, count });
    const res = await this.p2p.request(peerId, "blocks", req, { timeoutMs: BLOCK_REQUEST_TIMEOUT_MS });
    const blocks = decodeBlockResponse(res);
    if (blocks.length > count) {
      throw new IcsdError("BLOCKSYNC_BAD_RESPONSE", `${blocks.length} blocks for a request of ${count}`, {
        peerId,
      });
    }
    for (let i = 0; i < blocks.length; i++) {
      const b = blocks[i]!;
      if (b.block.header.height !== height + i || b.commit.height !== height + i) {
        throw new IcsdError(
          "BLOCKSYNC_BAD_RESPONSE",
          `block ${b.block.header.height} with commit ${b.commit.height} where ${height + i} was asked for`,
          { peerId },
        );
      }
    }
    return blocks;
  }

  penalize(peerId: string, reason: string): void {
    this.p2p.penalize(peerId, reason);
  }
}

/**
 * The blocks a block-sync request for `count` blocks from `height` is answered with, as stored:
 * consecutive from `height`, ending before the first one not held, after MAX_BLOCKS_PER_REQUEST, or before
 * the block that would take the total past `maxBytes` (the first block always goes).
 */
export async function readBlockRange(
  store: Pick<BlockStore, "loadBlockRange">,
  height: number,
  count: number,
  maxBytes = MAX_BLOCK_RESPONSE_BYTES,
): Promise<StoredBlock[]> {
  return store.loadBlockRange(height, Math.min(count, MAX_BLOCKS_PER_REQUEST), maxBytes);
}
