import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

/**
 * The node's Prometheus metrics as typed handles, all in one registry. Names end in their unit (or
 * `_total` for counters), following Prometheus conventions; the node calls `.set()` / `.inc()` /
 * `.observe()` on them and the RPC server serves `registry.metrics()` at /metrics.
 */
export interface NodeMetrics {
  readonly registry: Registry;
  /** Height of the last committed block. */
  readonly consensusHeight: Gauge;
  /** Round at which the last committed height was decided. */
  readonly consensusRounds: Gauge;
  /** Seconds between the last two committed blocks' times. */
  readonly consensusBlockIntervalSeconds: Histogram;
  /** Number of validators in the current set. */
  readonly consensusValidators: Gauge;
  /** Connected peers. */
  readonly p2pPeers: Gauge;
  /** Peer messages rejected, by reason. */
  readonly p2pInvalidMessagesTotal: Counter<"reason">;
  /** Votes rejected, by reason (bad signature, unknown validator, ...). */
  readonly consensusInvalidVotesTotal: Counter<"reason">;
  /** WAL records found corrupt on replay. */
  readonly walCorruptionsTotal: Counter;
  /** Blocks applied through block sync. */
  readonly blocksyncBlocksTotal: Counter;
  /** Transactions in the mempool. */
  readonly mempoolSize: Gauge;
  /** Bytes of transactions in the mempool. */
  readonly mempoolSizeBytes: Gauge;
  /** Transactions refused by checkTx or dropped on recheck. */
  readonly mempoolFailedTxsTotal: Counter;
  /** Transactions rechecked after commits. */
  readonly mempoolRecheckTimesTotal: Counter;
}

/**
 * A fresh registry with every node metric registered (plus Node.js process metrics when
 * `processMetrics`). Each call gives an independent registry, so several in-process nodes do not clash.
 */
export function createNodeMetrics(opts: { prefix?: string; processMetrics?: boolean } = {}): NodeMetrics {
  const registry = new Registry();
  const p = opts.prefix ?? "icsd_";
  const registers = [registry];
  if (opts.processMetrics) collectDefaultMetrics({ register: registry, prefix: p });
  return {
    registry,
    consensusHeight: new Gauge({
      name: `${p}consensus_height`,
      help: "Height of the last committed block",
      registers,
    }),
    consensusRounds: new Gauge({
      name: `${p}consensus_rounds`,
      help: "Round at which the last committed height was decided",
      registers,
    }),
    consensusBlockIntervalSeconds: new Histogram({
      name: `${p}consensus_block_interval_seconds`,
      help: "Time between the last two committed blocks, in seconds",
      buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60],
      registers,
    }),
    consensusValidators: new Gauge({
      name: `${p}consensus_validators`,
      help: "Validators in the current set",
      registers,
    }),
    p2pPeers: new Gauge({ name: `${p}p2p_peers`, help: "Connected peers", registers }),
    p2pInvalidMessagesTotal: new Counter({
      name: `${p}p2p_invalid_messages_total`,
      help: "Peer messages rejected, by reason",
      labelNames: ["reason"] as const,
      registers,
    }),
    consensusInvalidVotesTotal: new Counter({
      name: `${p}consensus_invalid_votes_total`,
      help: "Votes rejected, by reason",
      labelNames: ["reason"] as const,
      registers,
    }),
    walCorruptionsTotal: new Counter({
      name: `${p}wal_corruptions_total`,
      help: "WAL records found corrupt on replay",
      registers,
    }),
    blocksyncBlocksTotal: new Counter({
      name: `${p}blocksync_blocks_total`,
      help: "Blocks applied through block sync",
      registers,
    }),
    mempoolSize: new Gauge({ name: `${p}mempool_size`, help: "Transactions in the mempool", registers }),
    mempoolSizeBytes: new Gauge({
      name: `${p}mempool_size_bytes`,
      help: "Bytes of transactions in the mempool",
      registers,
    }),
    mempoolFailedTxsTotal: new Counter({
      name: `${p}mempool_failed_txs_total`,
      help: "Transactions refused by checkTx or dropped on recheck",
      registers,
    }),
    mempoolRecheckTimesTotal: new Counter({
      name: `${p}mempool_recheck_times_total`,
      help: "Transactions rechecked after commits",
      registers,
    }),
  };
}
