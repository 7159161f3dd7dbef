import { appendFileSync } from "node:fs";
import { bech32PrefixOf, KvApp, SdkApp } from "../app/index.ts";
import {
  ConsensusDriver,
  type ConsensusWal,
  type Evidence,
  FileSigner,
  type ProposalWithBlock,
  type Vote,
  type WalEntry,
} from "../consensus/index.ts";
import { createP2p, MAX_GOSSIP_BYTES_LIMIT } from "../p2p/index.ts";
import {
  decodeEvidenceMessage,
  decodeProposalMessage,
  decodeTxMessage,
  decodeVoteMessage,
  decodeWalMessage,
  encodeWalMessage,
} from "../proto/index.ts";
import { createRpcServer, type RpcMethods } from "../rpc/index.ts";
import { BlockStore, LevelKvStore, MerkleTree, TxIndex, Wal } from "../store/index.ts";
import { createLogger, errorMessage, type Logger, toHex } from "../utils/index.ts";
import { appModulesFor, chainKindOf } from "./appModules.ts";
import { BlockSync } from "./blockSync.ts";
import { CcvChannelWatch } from "./ccvWatch.ts";
import { Chain } from "./chain.ts";
import { loadAppConfig, loadConfig, toListenMultiaddr } from "./config.ts";
import { EventBus } from "./eventBus.ts";
import { loadGenesis } from "./genesis.ts";
import { homePaths } from "./home.ts";
import { loadNodeKey, loadValidatorKey } from "./keys.ts";
import { defaultMempoolOptions, Mempool } from "./mempool.ts";
import { createNodeMetrics } from "./metrics.ts";
import { NodeNetwork } from "./network.ts";
import { wsEventSource } from "./rpcEvents.ts";
import { nodeRpcMethods } from "./rpcMethods.ts";

export interface RunningNode {
  stop(): Promise<void>;
}

const WAL_MAX_BYTES = 8 * 1024 * 1024;
const BLOCK_SYNC_INTERVAL_MS = 1000;
const CATCHUP_TICK_MS = 1000;
// Header, last commit, evidence and the proposal around the transactions of a block.
const BLOCK_OVERHEAD_BYTES = 64 * 1024;

function nowNs(): bigint {
  return BigInt(Date.now()) * 1_000_000n;
}

/**
 * Assembles and starts a node from its home directory: config, genesis, LevelDB, application, chain,
 * WAL, signer, p2p, consensus, block sync and RPC. `stop()` tears down in reverse order, database last.
 */
export async function startNode(opts: {
  home: string;
  logger?: Logger;
  /** Check every module invariant after each block and halt on a broken one (the SDK's crisis). */
  checkInvariants?: boolean;
}): Promise<RunningNode> {
  const paths = homePaths(opts.home);
  const config = loadConfig(paths.configToml);
  const genesis = loadGenesis(paths.genesis);
  const logger = opts.logger ?? createLogger({ level: config.log.level, name: config.moniker });
  const metrics = createNodeMetrics({ processMetrics: config.instrumentation.prometheus });
  const nodeKey = loadNodeKey(paths.nodeKey);
  const validatorKey = config.mode === "validator" ? loadValidatorKey(paths.privValidatorKey) : null;
  const signer = validatorKey
    ? await FileSigner.load(paths.privValidatorKey, paths.privValidatorState)
    : null;
  const selfAddress = validatorKey ? toHex(validatorKey.address) : null;

  const db = await LevelKvStore.open(paths.db);
  const closers: (() => Promise<void> | void)[] = [() => db.close()];
  const stopAll = async () => {
    for (const close of closers.reverse()) {
      try {
        await close();
      } catch (e) {
        logger.warn({ err: errorMessage(e) }, "error during shutdown");
      }
    }
  };
  try {
    const tree = await MerkleTree.open(db, { initialVersion: genesis.initialHeight });
    const app =
      config.proxyApp === "kvstore"
        ? new KvApp(tree)
        : new SdkApp(
            tree,
            {
              chainId: genesis.chainId,
              bech32Prefix: bech32PrefixOf(genesis.appState),
              minimumGasPrices: loadAppConfig(paths.appToml).minimumGasPrices,
              checkInvariants: opts.checkInvariants ?? process.env.ICSD_CHECK_INVARIANTS === "1",
            },
            { logger: logger.child({ module: "app" }), appModules: appModulesFor(genesis.appState) },
          );
    // A consumer watches its CCV channel to the provider (logs, metric, status).
    const ccvWatch =
      config.proxyApp !== "kvstore" && chainKindOf(genesis.appState) === "consumer"
        ? new CcvChannelWatch({ app, logger: logger.child({ module: "ccv" }), registry: metrics.registry })
        : undefined;
    const blocks = new BlockStore(db);
    const mempool = new Mempool(defaultMempoolOptions, {
      app,
      logger: logger.child({ module: "mempool" }),
      metrics: {
        size: metrics.mempoolSize,
        sizeBytes: metrics.mempoolSizeBytes,
        failedTxsTotal: metrics.mempoolFailedTxsTotal,
        recheckTimesTotal: metrics.mempoolRecheckTimesTotal,
      },
    });
    let network: NodeNetwork | undefined;
    // A proposal carries its whole block in one gossip message, so the message limit bounds the block.
    const maxMsgBytes = Math.min(config.p2p.maxMsgBytes, MAX_GOSSIP_BYTES_LIMIT);
    if (maxMsgBytes < config.p2p.maxMsgBytes) {
      logger.warn({ maxMsgBytes }, "p2p.max_msg_bytes lowered to the gossip limit");
    }
    const maxBlockTxBytes = Math.min(
      genesis.consensusParams.block.maxBytes,
      maxMsgBytes - BLOCK_OVERHEAD_BYTES,
    );
    // Transaction index and event bus: tx_search/tx, block_results and websocket subscriptions.
    const txIndex = new TxIndex(db);
    const eventBus = new EventBus({ logger: logger.child({ module: "events" }) });
    const chain = await Chain.open(genesis, {
      db,
      blocks,
      txIndex,
      app,
      mempool,
      maxBlockTxBytes,
      logger: logger.child({ module: "chain" }),
      now: nowNs,
      onBatchWritten: () => tree.onBatchWritten(),
      onEvidence: (ev) => network?.broadcastEvidence(ev),
      onCommitted: (block, hash, results) => {
        eventBus.publishBlock(block, hash, results);
        metrics.consensusHeight.set(block.header.height);
        metrics.consensusValidators.set(chain.validatorsForNext().length);
        if (lastBlockTime > 0n)
          metrics.consensusBlockIntervalSeconds.observe(Number(block.header.time - lastBlockTime) / 1e9);
        lastBlockTime = block.header.time;
        void ccvWatch?.onBlock(block.header.height);
      },
    });
    let lastBlockTime = chain.meta.lastBlockTime;
    metrics.consensusHeight.set(chain.meta.lastHeight);

    const walLog = logger.child({ module: "wal" });
    const wal = await Wal.open(paths.wal, { maxBytes: WAL_MAX_BYTES });
    closers.push(() => wal.close());
    if (wal.recovered.truncatedBytes > 0) {
      walLog.warn({ truncatedBytes: wal.recovered.truncatedBytes }, "WAL tail corrupt, truncated");
      metrics.walCorruptionsTotal.inc();
    }
    const walEntries = readWal(wal, chain.meta.lastHeight, walLog);
    const consensusWal: ConsensusWal = {
      write: (entry, sync) => wal.append(encodeWalMessage(entry), { sync }),
      endHeight: (height) => wal.appendEndHeight(height),
    };

    const p2pLog = logger.child({ module: "p2p" });
    const p2p = createP2p(
      {
        chainId: genesis.chainId,
        nodeKeySeed: nodeKey.keyPair.seed,
        listenAddrs: [toListenMultiaddr(config.p2p.laddr) ?? config.p2p.laddr],
        persistentPeers: config.p2p.persistentPeers,
        maxGossipBytes: maxMsgBytes,
      },
      { logger: p2pLog },
    );
    network = new NodeNetwork(genesis.chainId, p2p, p2pLog, { maxGossipBytes: maxMsgBytes });
    const voteLogPath = config.debug.voteLog ? paths.voteLog : null;
    const driver = new ConsensusDriver(
      {
        chainId: genesis.chainId,
        timeouts: {
          proposeMs: config.consensus.timeoutProposeMs,
          proposeDeltaMs: config.consensus.timeoutProposeDeltaMs,
          prevoteMs: config.consensus.timeoutPrevoteMs,
          prevoteDeltaMs: config.consensus.timeoutPrevoteDeltaMs,
          precommitMs: config.consensus.timeoutPrecommitMs,
          precommitDeltaMs: config.consensus.timeoutPrecommitDeltaMs,
        },
        timeoutCommitMs: config.consensus.skipTimeoutCommit ? 0 : config.consensus.timeoutCommitMs,
        self: selfAddress,
      },
      {
        signer,
        network,
        wal: consensusWal,
        chain,
        logger: logger.child({ module: "consensus" }),
        events: {
          onVoteSeen: voteLogPath ? (v) => appendVoteLog(voteLogPath, v) : undefined,
          onInvalid: (reason) => metrics.consensusInvalidVotesTotal.inc({ reason }),
          onDecide: (_h, round) => metrics.consensusRounds.set(round),
          // A message of the next height is normal while this one is being committed; one further
          // ahead means peers committed a block this node has not: look for blocks to sync.
          onFutureHeight: (h) => {
            if (h > driver.currentHeight() + 1) sync.hint(h);
          },
        },
      },
    );
    const sync = new BlockSync({
      chain,
      driver,
      network,
      logger: logger.child({ module: "blocksync" }),
      metrics,
      expectPeers: config.p2p.persistentPeers.length > 0,
    });

    network.serve({
      status: () => ({
        height: chain.meta.lastHeight,
        earliestHeight: chain.meta.initialHeight,
        lastBlockHash: chain.meta.lastBlockHash,
      }),
      blocks,
      catchup: (height) => driver.catchupFor(height),
      onCatchup: (proposals, votes) => {
        for (const p of proposals) driver.handleProposal(p);
        for (const v of votes) driver.handleVote(v);
      },
    });
    const invalid = (reason: string) => metrics.p2pInvalidMessagesTotal.inc({ reason });
    p2p.onGossip("proposal", async (data) => {
      let msg: ProposalWithBlock;
      try {
        msg = decodeProposalMessage(data);
      } catch (e) {
        p2pLog.warn({ err: errorMessage(e) }, "malformed proposal message");
        invalid("malformed_proposal");
        return "reject";
      }
      return driver.handleProposal(msg);
    });
    p2p.onGossip("vote", async (data) => {
      let vote: Vote;
      try {
        vote = decodeVoteMessage(data);
      } catch (e) {
        p2pLog.warn({ err: errorMessage(e) }, "malformed vote message");
        invalid("malformed_vote");
        return "reject";
      }
      return driver.handleVote(vote);
    });
    p2p.onGossip("tx", async (data) => {
      let txs: Uint8Array[];
      try {
        txs = decodeTxMessage(data);
      } catch {
        invalid("malformed_tx");
        return "reject";
      }
      // Forward the batch when any of it was new and valid here; a rejected tx is not the peer's fault
      // (it may simply be late: committed, or already in this mempool).
      let admitted = 0;
      for (const tx of txs) {
        try {
          if ((await mempool.add(tx)).code === 0) admitted++;
        } catch {
          // full, cached or too large: nothing to forward for this one
        }
      }
      return admitted > 0 ? "accept" : "ignore";
    });
    p2p.onGossip("evidence", async (data) => {
      let ev: Evidence;
      try {
        ev = decodeEvidenceMessage(data);
      } catch {
        invalid("malformed_evidence");
        return "reject";
      }
      chain.onEvidence(ev);
      return "accept";
    });

    await p2p.start();
    closers.push(() => p2p.stop());
    p2pLog.info({ peerId: p2p.peerId, addrs: p2p.listenAddrs() }, "p2p listening");

    const rpc = createRpcServer(
      { laddr: config.rpc.laddr },
      {
        logger: logger.child({ module: "rpc" }),
        metrics: metrics.registry,
        websocket: { events: wsEventSource(eventBus, chain) },
        methods: withCcvStatus(
          ccvWatch,
          nodeRpcMethods({
            blocks,
            txIndex,
            eventBus,
            config,
            genesis,
            chain,
            app,
            mempool,
            network,
            p2p,
            nodeKey,
            validatorKey,
            catchingUp: () => sync.catchingUp,
          }),
        ),
      },
    );
    await rpc.start();
    closers.push(() => rpc.stop());

    // Catch up with peers before joining consensus, so a restarted node does not vote at a stale height.
    await sync.poll();
    await driver.start(chain.nextHeight(), chain.validatorsForNext(), walEntries);
    closers.push(() => driver.stop());
    sync.start(BLOCK_SYNC_INTERVAL_MS);
    closers.push(() => sync.stop());
    const ticker = setInterval(() => {
      metrics.p2pPeers.set(p2p.peers().length);
      // Gossip is best effort: a node waiting for votes it missed may have no timer armed, so it asks
      // its peers for the height in progress whenever the height has not moved for a while.
      const h = driver.currentHeight();
      if (h === lastTickHeight) network?.requestCatchup(h);
      lastTickHeight = h;
    }, CATCHUP_TICK_MS);
    let lastTickHeight = 0;
    closers.push(() => clearInterval(ticker));
    logger.info(
      { height: chain.nextHeight(), chainId: genesis.chainId, validator: selfAddress },
      "node started",
    );
  } catch (e) {
    await stopAll();
    throw e;
  }
  let stopped = false;
  return {
    async stop() {
      if (stopped) return;
      stopped = true;
      await stopAll();
    },
  };
}

/** `status` with a `ccv` section on a consumer (CometBFT clients ignore the extra field). */
function withCcvStatus(watch: CcvChannelWatch | undefined, methods: RpcMethods): RpcMethods {
  if (!watch) return methods;
  const status = methods.status;
  if (!status) return methods;
  return {
    ...methods,
    status: async (params) => {
      const base = (await status(params)) as Record<string, unknown>;
      return { ...base, ccv: watch.status() ?? null };
    },
  };
}

function readWal(wal: Wal, lastHeight: number, log: Logger): WalEntry[] {
  const out: WalEntry[] = [];
  for (const payload of wal.messagesAfterEndHeight(lastHeight)) {
    try {
      const m = decodeWalMessage(payload);
      if (m.kind !== "endHeight") out.push(m);
    } catch (e) {
      log.warn({ err: errorMessage(e) }, "skipping undecodable WAL record");
    }
  }
  return out;
}

function appendVoteLog(path: string, v: Vote): void {
  const line = JSON.stringify({
    type: v.type,
    height: v.height,
    round: v.round,
    validator: toHex(v.validatorAddress),
    blockHash: toHex(v.blockHash),
    signature: Buffer.from(v.signature).toString("base64"),
  });
  appendFileSync(path, `${line}\n`);
}
