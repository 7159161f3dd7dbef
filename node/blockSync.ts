import type { ConsensusDriver } from "../consensus/index.ts";
import type { SyncedBlock } from "../proto/index.ts";
import { errorMessage, IcsdError, type Logger } from "../utils/index.ts";
import type { Chain } from "./chain.ts";
import type { NodeNetwork } from "./network.ts";

/** Blocks asked for in one request (a peer may answer with fewer; at most MAX_BLOCKS_PER_REQUEST). */
export const SYNC_BATCH = 32;
/** Requests in flight at once, spread over the peers: what is received while blocks are applied. */
export const SYNC_REQUESTS_IN_FLIGHT = 4;
/**
 * A catch-up of at least this many blocks stops taking live gossip (proposals, votes, transactions)
 * until it ends: a late node then spends its CPU on blocks, and its peers stop sending it messages it
 * cannot use. A shorter one (a validator a few blocks behind) keeps it, to rejoin consensus at once.
 */
export const LONG_SYNC_BLOCKS = 64;
/** How often a catch-up logs its progress (ms). */
const SYNC_PROGRESS_MS = 3000;
/** Response errors that are the serving peer's fault (a malformed response, blocks not asked for). */
const PEER_FAULTS = new Set(["PROTO_DECODE", "BLOCKSYNC_BAD_RESPONSE"]);

/** What block sync uses of the node: only these, so tests stub exactly that. */
export interface BlockSyncComponents {
  readonly chain: Pick<Chain, "nextHeight" | "applySyncedBlock" | "validatorsForNext" | "meta">;
  readonly driver: Pick<ConsensusDriver, "exclusive" | "reset">;
  readonly network: Pick<
    NodeNetwork,
    | "peerHeights"
    | "fetchBlocks"
    | "penalize"
    | "onPeerHeight"
    | "onPeerGone"
    | "pauseLiveGossip"
    | "resumeLiveGossip"
  >;
  readonly logger: Logger;
  readonly metrics: { readonly blocksyncBlocksTotal: { inc(): void } };
  /**
   * Whether the node has peers to catch up from (persistent peers configured). Without, it is never
   * catching up; with, it is until a round hears from a peer that it is not behind.
   */
  readonly expectPeers?: boolean;
}

/** One range request: heights `from` .. `from + count - 1`, and what the peer answered. */
interface RangeRequest {
  readonly from: number;
  readonly count: number;
  readonly res: Promise<{ peer: string | undefined; blocks: SyncedBlock[] }>;
}

/**
 * Block sync: when a peer has committed the height this node is still deciding (or later), fetch the
 * missing blocks with their commits in ranges, verify each commit against the validator set of its
 * height, execute the blocks in order, and then restart consensus at the new tip. Runs with consensus
 * paused (driver.exclusive), so the two never commit the same height.
 */
export class BlockSync {
  private readonly c: BlockSyncComponents;
  private running = false;
  private wanted = 0;
  private timer: ReturnType<typeof setInterval> | undefined;
  private syncing = false;
  /** A round heard from a peer and the node was not behind it, or caught up with it. */
  private settled: boolean;
  /**
   * Connected peers and the last height each reported (handshake or status poll). A peer that served a
   * bad response is left out until it reports its height again.
   */
  private readonly peers = new Map<string, number>();
  private readonly unsubscribe: (() => void)[];
  private nextPeer = 0;

  constructor(c: BlockSyncComponents) {
    this.c = c;
    this.settled = c.expectPeers !== true;
    // A peer's handshake tells its height: a node that is behind starts syncing as soon as one peer is
    // connected, and a sync in progress spreads its requests over peers as they arrive.
    this.unsubscribe = [
      c.network.onPeerHeight((peer, height) => {
        this.peers.set(peer, height);
        if (this.timer !== undefined && height >= c.chain.nextHeight()) void this.poll();
      }),
      c.network.onPeerGone((peer) => this.peers.delete(peer)),
    ];
  }

  /**
   * CometBFT's `catching_up`: true while blocks are being synced, and from the start until the node
   * has heard from a peer that it is at (or past) the peers' heights.
   */
  get catchingUp(): boolean {
    return this.syncing || !this.settled;
  }

  /** Polls peers every `intervalMs`, and at once when a connected peer is already ahead. */
  start(intervalMs: number): void {
    this.timer = setInterval(() => void this.poll(), intervalMs);
    const next = this.c.chain.nextHeight();
    if ([...this.peers.values()].some((h) => h >= next)) void this.poll();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    for (const u of this.unsubscribe) u();
  }

  /** Called when gossip shows a height above ours: check peers soon. */
  hint(height: number): void {
    if (height > this.wanted) {
      this.wanted = height;
      void this.poll();
    }
  }

  /** Asks peers for their heights and syncs from them when behind. */
  async poll(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      const peers = await this.c.network.peerHeights();
      let best = 0;
      for (const p of peers) {
        this.peers.set(p.peerId, p.height);
        best = Math.max(best, p.height);
      }
      const before = this.c.chain.nextHeight();
      if (best >= before) {
        await this.c.driver.exclusive(() => this.syncTo(best));
        // Consensus restarts at the new tip; a round that applied nothing leaves the height in progress
        // alone (restarting it at round 0 would have the signer refuse this node's next votes).
        if (this.c.chain.nextHeight() > before) {
          await this.c.driver.reset(this.c.chain.nextHeight(), this.c.chain.validatorsForNext());
        }
        if (this.c.chain.nextHeight() > best) this.settled = true;
      } else if (peers.length > 0) {
        this.settled = true;
      }
    } catch (e) {
      this.c.logger.warn({ err: errorMessage(e) }, "block sync round failed");
    } finally {
      this.running = false;
      this.syncing = false;
    }
  }

  /** The next peer (round robin) that reported holding `height`, if any. */
  private pickPeer(height: number): string | undefined {
    const ids = [...this.peers].filter(([, h]) => h >= height).map(([id]) => id);
    if (ids.length === 0) return undefined;
    return ids.sort()[this.nextPeer++ % ids.length];
  }

  private request(from: number, count: number): RangeRequest {
    const peer = this.pickPeer(from);
    if (peer === undefined) return { from, count, res: Promise.resolve({ peer, blocks: [] }) };
    const res = this.c.network.fetchBlocks(peer, from, count).then(
      (blocks) => {
        // A peer without the first block (pruned, or behind what it said) is not asked for it again
        // until it reports its height anew.
        if (blocks.length === 0 && this.peers.has(peer)) this.peers.set(peer, from - 1);
        return { peer, blocks };
      },
      (e: unknown) => {
        if (e instanceof IcsdError && PEER_FAULTS.has(e.code)) {
          this.c.logger.warn({ from, peer, err: errorMessage(e) }, "block sync: bad response");
          this.c.network.penalize(peer, "served a malformed block response");
          this.peers.delete(peer);
        } else {
          this.c.logger.debug({ from, peer, err: errorMessage(e) }, "block sync: request failed");
        }
        return { peer, blocks: [] };
      },
    );
    return { from, count, res };
  }

  private async syncTo(target: number): Promise<void> {
    const log = this.c.logger;
    const chain = this.c.chain;
    const start = chain.nextHeight();
    if (start > target) return;
    this.syncing = true;
    log.info({ from: start, to: target, peers: this.peers.size }, "block sync started");
    const long = target - start + 1 >= LONG_SYNC_BLOCKS;
    if (long) this.c.network.pauseLiveGossip();
    try {
      await this.fetchAndApply(target);
    } finally {
      if (long) this.c.network.resumeLiveGossip();
    }
    log.info({ height: chain.meta.lastHeight }, "block sync finished");
  }

  private async fetchAndApply(target: number): Promise<void> {
    const log = this.c.logger;
    const chain = this.c.chain;
    const start = chain.nextHeight();
    // A long catch-up reports where it is every few seconds (operators watch the log while it syncs).
    let reportedAt = Date.now();
    let reportedHeight = start - 1;
    const report = () => {
      const now = Date.now();
      if (now - reportedAt < SYNC_PROGRESS_MS) return;
      const height = chain.meta.lastHeight;
      const perSec = ((height - reportedHeight) * 1000) / (now - reportedAt);
      log.info(
        { height, target, remaining: target - height, blocksPerSec: Math.round(perSec) },
        "block sync progress",
      );
      reportedAt = now;
      reportedHeight = height;
    };
    // Ranges of the next heights are requested ahead, consecutive and in height order; the first one
    // always starts at the chain's next height. Blocks are verified and applied strictly in order; what
    // a response did not cover (fewer blocks, a failure, a rejected block) is asked again, from the next
    // peer in turn.
    const queue: RangeRequest[] = [];
    let next = start;
    let failures = 0;
    while (chain.nextHeight() <= target && failures < Math.max(1, this.peers.size) * 3) {
      while (queue.length < SYNC_REQUESTS_IN_FLIGHT && next <= target) {
        const count = Math.min(SYNC_BATCH, target - next + 1);
        queue.push(this.request(next, count));
        next += count;
      }
      const head = queue.shift()!;
      const { peer, blocks } = await head.res;
      if (peer === undefined) break; // no connected peer holds the height: the next round retries
      if (blocks.length === 0) failures++;
      let applied = 0;
      for (const b of blocks) {
        try {
          await chain.applySyncedBlock(b.block, b.commit);
        } catch (e) {
          failures++;
          log.warn(
            { height: b.block.header.height, peer, err: errorMessage(e) },
            "block sync: block rejected",
          );
          this.c.network.penalize(peer, "served an invalid block");
          this.peers.delete(peer);
          break;
        }
        applied++;
        failures = 0;
        this.c.metrics.blocksyncBlocksTotal.inc();
      }
      if (applied < head.count) queue.unshift(this.request(head.from + applied, head.count - applied));
      report();
    }
  }
}
