import type { ConsensusDriver } from "../consensus/index.ts";
import { errorMessage, type Logger } from "../utils/index.ts";
import type { Chain } from "./chain.ts";
import type { NodeMetrics } from "./metrics.ts";
import type { NodeNetwork } from "./network.ts";

const SYNC_WINDOW = 16;
/** How often a catch-up logs its progress (ms). */
const SYNC_PROGRESS_MS = 3000;

type FetchedBlock = NonNullable<Awaited<ReturnType<NodeNetwork["fetchBlock"]>>> & { peer: string };

export interface BlockSyncComponents {
  readonly chain: Chain;
  readonly driver: ConsensusDriver;
  readonly network: NodeNetwork;
  readonly logger: Logger;
  readonly metrics: NodeMetrics;
  /**
   * Whether the node has peers to catch up from (persistent peers configured). Without, it is never
   * catching up; with, it is until a round hears from a peer that it is not behind.
   */
  readonly expectPeers?: boolean;
}

/**
 * Block sync: when a peer has committed the height this node is still deciding (or later), fetch each
 * missing block with its commit, verify the commit against the validator set of that height, execute
 * it, and then restart consensus at the new tip. Runs with consensus paused (driver.exclusive), so the
 * two never commit the same height.
 */
export class BlockSync {
  private readonly c: BlockSyncComponents;
  private running = false;
  private wanted = 0;
  private timer: ReturnType<typeof setInterval> | undefined;
  private syncing = false;
  /** A round heard from a peer and the node was not behind it, or caught up with it. */
  private settled: boolean;

  constructor(c: BlockSyncComponents) {
    this.c = c;
    this.settled = c.expectPeers !== true;
  }

  /**
   * CometBFT's `catching_up`: true while blocks are being synced, and from the start until the node
   * has heard from a peer that it is at (or past) the peers' heights.
   */
  get catchingUp(): boolean {
    return this.syncing || !this.settled;
  }

  start(intervalMs: number): void {
    this.timer = setInterval(() => void this.poll(), intervalMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Called when gossip shows a height above ours: check peers soon. */
  hint(height: number): void {
    if (height > this.wanted) {
      this.wanted = height;
      void this.poll();
    }
  }

  /** Asks peers for their heights and syncs from the best one when behind. */
  async poll(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      const peers = await this.c.network.peerHeights();
      let best = 0;
      for (const p of peers) best = Math.max(best, p.height);
      if (best >= this.c.chain.nextHeight()) {
        const peerIds = peers.filter((p) => p.height >= this.c.chain.nextHeight()).map((p) => p.peerId);
        await this.c.driver.exclusive(() => this.syncFrom(peerIds, best));
        await this.c.driver.reset(this.c.chain.nextHeight(), this.c.chain.validatorsForNext());
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

  private async syncFrom(peerIds: string[], target: number): Promise<void> {
    const log = this.c.logger;
    const start = this.c.chain.nextHeight();
    if (start > target) return;
    this.syncing = true;
    log.info({ from: start, to: target, peers: peerIds.length }, "block sync started");
    // Requests for the next SYNC_WINDOW heights are in flight at once, spread over the peers; blocks
    // are verified and applied strictly in height order.
    const inflight = new Map<number, Promise<FetchedBlock | undefined>>();
    let peerIdx = 0;
    let failures = 0;
    // A long catch-up reports where it is every few seconds (operators watch the log while it syncs).
    let reportedAt = Date.now();
    let reportedHeight = start - 1;
    const report = () => {
      const now = Date.now();
      if (now - reportedAt < SYNC_PROGRESS_MS) return;
      const height = this.c.chain.meta.lastHeight;
      const perSec = ((height - reportedHeight) * 1000) / (now - reportedAt);
      log.info(
        { height, target, remaining: target - height, blocksPerSec: Math.round(perSec) },
        "block sync progress",
      );
      reportedAt = now;
      reportedHeight = height;
    };
    const fetch = (height: number) => {
      const peer = peerIds[peerIdx++ % peerIds.length]!;
      const p = this.c.network.fetchBlock(peer, height).then(
        (res) => (res ? { ...res, peer } : undefined),
        (e: unknown) => {
          log.debug({ height, peer, err: errorMessage(e) }, "block sync: request failed");
          return undefined;
        },
      );
      inflight.set(height, p);
    };
    while (this.c.chain.nextHeight() <= target && failures < peerIds.length * 3) {
      const height = this.c.chain.nextHeight();
      for (let h = height; h < height + SYNC_WINDOW && h <= target; h++) if (!inflight.has(h)) fetch(h);
      const res = await inflight.get(height)!;
      inflight.delete(height);
      if (!res) {
        failures++;
        continue;
      }
      try {
        await this.c.chain.applySyncedBlock(res.block, res.commit);
        this.c.metrics.blocksyncBlocksTotal.inc();
        failures = 0;
        report();
      } catch (e) {
        failures++;
        log.warn({ height, peer: res.peer, err: errorMessage(e) }, "block sync: block rejected");
        this.c.network.penalize(res.peer, "served an invalid block");
      }
    }
    log.info({ height: this.c.chain.meta.lastHeight }, "block sync finished");
  }
}
