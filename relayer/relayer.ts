/**
 * The relayer: every configured path's two directions, and the evidence of each CCV path, are workers
 * that run side by side, each in its own loop, so a packet never waits for another path's or the other
 * direction's transaction to land. A direction's turn reads both chains, plans (planner.ts) and submits
 * receives to the destination and acks and timeouts back to the source, each batch led by the
 * light-client update its proofs need. A source end that closed is confirmed on the destination (ICS-04
 * chanCloseConfirm) so both applications learn of it. Nothing is kept between turns but metrics, so
 * restarts lose and duplicate nothing.
 */
import type { Server } from "node:http";
import type { EncodeObject } from "@cosmjs/proto-signing";
import {
  ChannelState,
  type ClientHeader,
  type ClientState,
  channelKey,
  decodeChannelEnd,
  encodeChannelCloseProof,
  nextSequenceRecvKey,
  type Packet,
  packetAckKey,
  packetCommitmentKey,
  packetReceiptKey,
} from "../ibc/index.ts";
import { createLogger, errorMessage, IcsdError, type Logger, readUint64Be } from "../utils/index.ts";
import { Backoff, type BackoffOptions, DEFAULT_BACKOFF, sleep } from "./backoff.ts";
import { BlockWatch } from "./blockWatch.ts";
import { ChainQueries, httpRpcCaller } from "./chainQueries.ts";
import type { ChainConfig, PathConfig, PathEndConfig, RelayerConfig } from "./config.ts";
import { EvidenceSubmitter } from "./evidence.ts";
import { buildClientHeader, type LightBlock } from "./lightBlock.ts";
import {
  acknowledgementMsg,
  channelCloseConfirmMsg,
  recvPacketMsg,
  timeoutMsg,
  updateClientMsg,
} from "./messages.ts";
import {
  createRelayerMetrics,
  type RelayerMetrics,
  type RelayKind,
  serveMetrics,
  serverUrl,
} from "./metrics.ts";
import {
  batches,
  chooseProofPoint,
  DEFAULT_PLAN_OPTIONS,
  type DirectionPlan,
  type PlanOptions,
  planDirection,
  type SrcWork,
  srcWork,
} from "./planner.ts";
import { CosmjsTxSender, type TxOutcome, type TxSender } from "./txSender.ts";

const MEMO = "icsd-relayer";

function isLogger(x: RelayerModules | Logger): x is Logger {
  return typeof (x as Logger).child === "function" && typeof (x as Logger).info === "function";
}

/** A CCV path: port "provider" on one end and "consumer" on the other. */
function isCcvPath(p: PathConfig): boolean {
  return (
    (p.a.port === "provider" && p.b.port === "consumer") ||
    (p.b.port === "provider" && p.a.port === "consumer")
  );
}

/** What a relayer is built from; everything but the config has a production default. */
export interface RelayerModules {
  /** Used as given (pass the relayer's child, e.g. `logger.child({ module: "relayer" })`). */
  readonly logger?: Logger;
  /** Reads of a chain (default: JSON-RPC to its `rpc`). */
  readonly queries?: (chain: ChainConfig) => ChainQueries;
  /** Transaction submission on a chain (default: CosmJS with its mnemonic). */
  readonly sender?: (chain: ChainConfig, signal: AbortSignal, logger: Logger) => TxSender;
  readonly planOptions?: PlanOptions;
  /** Backoff of a worker's loop after a turn with errors. */
  readonly backoff?: BackoffOptions;
  /**
   * Wake workers at each new block of their chains (a websocket subscription on each chain's RPC)
   * rather than only every poll interval. Default: on with the default queries, off when `queries` is
   * given.
   */
  readonly watchBlocks?: boolean;
}

/** What one direction of one path did in a round. */
export interface DirectionReport {
  readonly path: string;
  /** `srcChain->dstChain`. */
  readonly direction: string;
  /** Packet messages included in successful transactions. */
  readonly recv: number;
  readonly ack: number;
  readonly timeout: number;
  /** Channel close confirmations included in successful transactions (0 or 1). */
  readonly closeConfirm: number;
  /** Packets held back (too close to their timeout, or the destination channel not open). */
  readonly deferred: number;
  /** Transactions refused or not included (redundant relays included). */
  readonly failedTxs: number;
  /** Set when the direction stopped on an error (RPC unreachable, bad answer...). */
  readonly error?: string;
}

/** What a round did. */
export interface RoundReport {
  readonly directions: readonly DirectionReport[];
}

interface Side {
  readonly end: PathEndConfig;
  readonly q: ChainQueries;
  readonly sender: TxSender;
}

/** One direction of one path, and the last of its turns (turns of one direction never overlap). */
interface DirectionWorker {
  readonly path: PathConfig;
  readonly src: PathEndConfig;
  readonly dst: PathEndConfig;
  last: Promise<unknown>;
}

interface Counts {
  recv: number;
  ack: number;
  timeout: number;
  closeConfirm: number;
  failedTxs: number;
}

/** Relays packets on the configured paths until stopped. */
export class Relayer {
  private readonly cfg: RelayerConfig;
  private readonly log: Logger;
  private readonly m: RelayerMetrics;
  private readonly planOpts: PlanOptions;
  private readonly backoffOpts: BackoffOptions;
  private readonly abort = new AbortController();
  private readonly queries = new Map<string, ChainQueries>();
  private readonly senders = new Map<string, TxSender>();
  /** Double-vote evidence carriers, one per CCV path (provider port on one end), by path name. */
  private readonly evidence = new Map<string, EvidenceSubmitter>();
  private readonly rpcCallers = new Map<string, ReturnType<typeof httpRpcCaller>>();
  private readonly watches = new Map<string, BlockWatch>();
  private readonly workers: DirectionWorker[];
  private readonly evidenceTurns = new Map<string, Promise<unknown>>();
  private loop: Promise<void> | undefined;
  private server: Server | undefined;
  private stopped = false;

  /**
   * `modules` may also be just a logger (already the relayer's child, e.g. `logger.child({ module:
   * "relayer" })`); without one the relayer logs JSON to stderr.
   */
  constructor(cfg: RelayerConfig, modulesOrLogger: RelayerModules | Logger = {}) {
    const modules: RelayerModules = isLogger(modulesOrLogger) ? { logger: modulesOrLogger } : modulesOrLogger;
    this.cfg = cfg;
    this.log = modules.logger ?? createLogger().child({ module: "relayer" });
    this.m = createRelayerMetrics();
    this.planOpts = modules.planOptions ?? DEFAULT_PLAN_OPTIONS;
    this.backoffOpts = modules.backoff ?? DEFAULT_BACKOFF;
    this.workers = cfg.paths.flatMap((path) =>
      (
        [
          [path.a, path.b],
          [path.b, path.a],
        ] as const
      ).map(([src, dst]) => ({ path, src, dst, last: Promise.resolve() as Promise<unknown> })),
    );
    const watch = modules.watchBlocks ?? modules.queries === undefined;
    for (const c of cfg.chains) {
      if (watch) {
        this.watches.set(c.id, new BlockWatch(c.rpc, this.log.child({ chain: c.id }), this.abort.signal));
      }
      this.rpcCallers.set(c.id, httpRpcCaller(c.rpc));
      this.queries.set(c.id, modules.queries?.(c) ?? new ChainQueries(c.id, httpRpcCaller(c.rpc)));
      const log = this.log.child({ chain: c.id });
      this.senders.set(
        c.id,
        modules.sender?.(c, this.abort.signal, log) ??
          new CosmjsTxSender(c, { logger: log, signal: this.abort.signal }),
      );
    }
  }

  /** Starts the metrics server (if configured) and the relay loop. */
  async start(): Promise<void> {
    if (this.stopped) throw new IcsdError("RELAYER_STOPPED", "a stopped relayer cannot start again");
    if (this.loop) return;
    const listen = this.cfg.global.metricsListen;
    if (listen) {
      this.server = await serveMetrics(this.m.registry, listen);
      this.log.info({ url: `${serverUrl(this.server)}/metrics` }, "serving metrics");
    }
    for (const s of this.senders.values()) {
      this.log.info({ chain: s.chain, address: await s.address() }, "relaying as");
    }
    for (const w of this.watches.values()) w.start();
    this.loop = this.run();
  }

  /** Stops the loop (an in-flight transaction's wait is abandoned), the metrics server and the clients. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.abort.abort();
    await this.loop;
    await Promise.all([
      ...this.workers.map((w) => w.last),
      ...this.evidenceTurns.values(),
      ...[...this.watches.values()].map((w) => w.stopped()),
    ]);
    if (this.server) {
      const server = this.server;
      this.server = undefined;
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    for (const s of this.senders.values()) s.close();
  }

  /** Prometheus text of the relayer's metrics. */
  metrics(): Promise<string> {
    return this.m.registry.metrics();
  }

  /** `http://host:port` of the metrics server, once started with `metrics_listen`. */
  metricsUrl(): string | undefined {
    return this.server ? serverUrl(this.server) : undefined;
  }

  /**
   * Runs one turn of every direction and evidence carrier, side by side (each serialised with its own
   * worker's turns in the loop); the report lists the directions in the configuration's order.
   */
  async relayOnce(): Promise<RoundReport> {
    const [directions] = await Promise.all([
      Promise.all(this.workers.map((w) => this.turn(w))),
      Promise.all(this.cfg.paths.filter(isCcvPath).map((p) => this.evidenceTurn(p))),
    ]);
    return { directions };
  }

  private turn(w: DirectionWorker): Promise<DirectionReport> {
    const next = w.last.then(() => this.direction(w.path, this.side(w.src), this.side(w.dst)));
    w.last = next.catch(() => undefined);
    return next;
  }

  private evidenceTurn(path: PathConfig): Promise<void> {
    const last = this.evidenceTurns.get(path.name) ?? Promise.resolve();
    const next = last.then(() => this.carryEvidence(path));
    this.evidenceTurns.set(
      path.name,
      next.catch(() => undefined),
    );
    return next;
  }

  private async run(): Promise<void> {
    await Promise.all([
      ...this.workers.map((w) =>
        this.loopOf(
          async () => (await this.turn(w)).error === undefined,
          `${w.path.name} ${w.src.chain}->${w.dst.chain}`,
          [w.src.chain, w.dst.chain],
        ),
      ),
      ...this.cfg.paths.filter(isCcvPath).map((p) =>
        this.loopOf(
          async () => {
            await this.evidenceTurn(p);
            return true;
          },
          `${p.name} evidence`,
          [p.a.chain, p.b.chain],
        ),
      ),
    ]);
  }

  /**
   * Runs `turn` until stopped: again at the next new block of one of `chains` (at once if one came
   * during the turn) or after the poll interval, whichever comes first; after a failed turn, after the
   * backoff.
   */
  private async loopOf(turn: () => Promise<boolean>, name: string, chains: readonly string[]): Promise<void> {
    const backoff = new Backoff(this.backoffOpts);
    const poll = this.cfg.global.pollIntervalMs;
    const watches = chains.flatMap((c) => this.watches.get(c) ?? []);
    while (!this.abort.signal.aborted) {
      let delay = poll;
      const seen = watches.map((w) => w.seen);
      try {
        if (await turn()) backoff.reset();
        else delay = Math.max(delay, backoff.next());
      } catch (e) {
        delay = Math.max(delay, backoff.next());
        this.log.error({ worker: name, err: errorMessage(e), delayMs: delay }, "relay turn failed");
      }
      // A block that came during the turn starts the next one at once.
      if (delay === poll && watches.length > 0) {
        await Promise.race(watches.map((w, i) => w.next(poll, seen[i])));
      } else await sleep(delay, this.abort.signal);
    }
  }

  private side(end: PathEndConfig): Side {
    return { end, q: this.queries.get(end.chain)!, sender: this.senders.get(end.chain)! };
  }

  /**
   * On a CCV path (port "provider" on one end, "consumer" on the other): submits to the provider every
   * double vote the consumer's blocks carry (MsgSubmitConsumerDoubleVoting), once each. The consumer id
   * is the provider's consumer whose client is the path's client. Errors are logged, never fatal.
   */
  private async carryEvidence(path: PathConfig): Promise<void> {
    const [prov, cons] =
      path.a.port === "provider" && path.b.port === "consumer"
        ? [path.a, path.b]
        : path.b.port === "provider" && path.a.port === "consumer"
          ? [path.b, path.a]
          : [undefined, undefined];
    if (!prov || !cons) return;
    try {
      let submitter = this.evidence.get(path.name);
      if (!submitter) {
        const pq = this.queries.get(prov.chain)!;
        const answer = await pq.abciQuery(
          "/icsd.provider.v1.Query/ConsumerChains",
          new TextEncoder().encode("{}"),
          0n,
        );
        const chains =
          (
            JSON.parse(new TextDecoder().decode(answer.value)) as {
              chains?: { consumer_id: string; client_id?: string }[];
            }
          ).chains ?? [];
        const consumer = chains.find((c) => c.client_id === prov.clientId);
        if (!consumer) return;
        submitter = new EvidenceSubmitter({
          consumerRpc: this.rpcCallers.get(cons.chain)!,
          consumer: this.queries.get(cons.chain)!,
          provider: pq,
          providerTx: this.senders.get(prov.chain)!,
          consumerId: consumer.consumer_id,
          clientId: prov.clientId,
          logger: this.log.child({ path: path.name, evidence: true }),
        });
        this.evidence.set(path.name, submitter);
      }
      await submitter.round();
    } catch (e) {
      this.log.warn({ path: path.name, err: errorMessage(e) }, "evidence round failed");
    }
  }

  private async direction(path: PathConfig, src: Side, dst: Side): Promise<DirectionReport> {
    const direction = `${src.end.chain}->${dst.end.chain}`;
    const counts: Counts = { recv: 0, ack: 0, timeout: 0, closeConfirm: 0, failedTxs: 0 };
    let deferred = 0;
    try {
      deferred = await this.relayDirection(path.name, direction, src, dst, counts);
      return { path: path.name, direction, ...counts, deferred };
    } catch (e) {
      const error = errorMessage(e);
      this.log.warn({ path: path.name, direction, err: error }, "direction failed this round");
      return { path: path.name, direction, ...counts, deferred, error };
    }
  }

  /** Relays one direction; returns the number of deferred packets. */
  private async relayDirection(
    pathName: string,
    direction: string,
    src: Side,
    dst: Side,
    counts: Counts,
  ): Promise<number> {
    const labels = { path: pathName, direction };
    const [srcChan, dstChan, srcLatest, dstLatest, dstClient, srcClient] = await Promise.all([
      src.q.channel(src.end.port, src.end.channel),
      dst.q.channel(dst.end.port, dst.end.channel),
      src.q.lightBlock(),
      dst.q.lightBlock(),
      dst.q.clientState(dst.end.clientId),
      src.q.clientState(src.end.clientId),
    ]);
    for (const [chain, id, cs] of [
      [dst.end.chain, dst.end.clientId, dstClient],
      [src.end.chain, src.end.clientId, srcClient],
    ] as const) {
      if (cs.frozenHeight !== 0n) {
        throw new IcsdError(
          "RELAYER_CLIENT_FROZEN",
          `client ${id} on ${chain} is frozen at ${cs.frozenHeight}`,
        );
      }
    }
    // Proofs of src are checked by dst's client of src, and the other way round.
    const sp = chooseProofPoint(srcLatest.height, dstClient.latestHeight);
    const dp = chooseProofPoint(dstLatest.height, srcClient.latestHeight);
    // A proof height H proves state version H - 1; version 0 (before the first block) has nothing.
    if (sp.height < 2n || dp.height < 2n) return 0;
    // ICS-04 chanCloseConfirm: a CLOSED source end closes the destination end too; once it has, the
    // destination receives nothing more this round.
    let dstOpen = dstChan.open;
    if (srcChan.closed === true && dstChan.closed !== true) {
      if (await this.confirmClose(labels, src, dst, sp, srcLatest, dstClient, counts)) dstOpen = false;
    }
    const dstProofTime = dp.needsUpdate
      ? dstLatest.signedHeader.header.time
      : (await dst.q.lightBlock(dp.height)).signedHeader.header.time;

    const packets = await src.q.sentPackets(src.end.port, src.end.channel, sp.height - 1n);
    for (const p of packets) {
      if (p.destPort !== dst.end.port || p.destChannel !== dst.end.channel) {
        throw new IcsdError(
          "RELAYER_PATH_MISMATCH",
          `${src.end.chain} packet ${p.sequence} goes to ${p.destPort}/${p.destChannel}, the path says ${dst.end.port}/${dst.end.channel}`,
        );
      }
    }
    const seqs = packets.map((p) => p.sequence);
    // Receipts from dst's latest state (a packet received in its newest block is not proposed again);
    // acks below are read at the proof point, where they can be proven.
    const unreceived = new Set(
      seqs.length ? await dst.q.unreceivedPackets(dst.end.port, dst.end.channel, seqs, 0n) : [],
    );
    const received = seqs.filter((s) => !unreceived.has(s));
    const acks = received.length
      ? await dst.q.acknowledgements(dst.end.port, dst.end.channel, received, dp.height - 1n)
      : new Map<bigint, Uint8Array>();
    const ackPending = new Set(
      acks.size ? await src.q.unreceivedAcks(src.end.port, src.end.channel, [...acks.keys()], 0n) : [],
    );
    const plan = planDirection(
      {
        ordered: srcChan.ordered,
        dstOpen,
        packets,
        unreceived,
        acks,
        ackPending,
        dstProofHeight: dp.height,
        dstProofTime,
        dstLatestHeight: dstLatest.height,
        dstLatestTime: dstLatest.signedHeader.header.time,
      },
      this.planOpts,
    );
    this.m.packetsPending.set(
      labels,
      plan.recv.length + plan.ack.length + plan.timeout.length + plan.deferred.length,
    );

    if (plan.recv.length > 0) {
      await this.deliverRecvs(labels, src, dst, plan, sp, srcLatest, dstClient, counts);
    } else {
      const lag = srcLatest.height - sp.height;
      this.m.lagBlocks.set(labels, Number(lag > 0n ? lag : 0n));
    }
    const back = srcWork(plan);
    if (back.length > 0) {
      await this.deliverBack(labels, src, dst, back, srcChan.ordered, dp, dstLatest, srcClient, counts);
    } else if (plan.recv.length === 0 && counts.closeConfirm === 0) {
      // (A close confirmation already moved dst's client this round; dstClient predates it.)
      await this.refreshIfStale(labels, src, dst, dstClient, srcLatest);
    }
    return plan.deferred.length;
  }

  /**
   * Keeps dst's client of src from expiring while no packets flow (hermes' refresh): when its latest
   * consensus state is older than a third of the trusting period, updates it to src's latest height.
   * A client still at its genesis height is updated at once.
   */
  private async refreshIfStale(
    labels: { path: string; direction: string },
    src: Side,
    dst: Side,
    client: ClientState,
    srcLatest: LightBlock,
  ): Promise<void> {
    if (client.latestHeight >= srcLatest.height) return;
    if (client.latestHeight > 0n) {
      const trustedTime = (await src.q.lightBlock(client.latestHeight)).signedHeader.header.time;
      const age = srcLatest.signedHeader.header.time - trustedTime;
      if (age * 3n < client.trustingPeriod) return;
    }
    const signer = await dst.sender.address();
    const header = await this.clientHeader(src.q, srcLatest, client.latestHeight);
    const out = await dst.sender.submit([updateClientMsg(dst.end.clientId, header, signer)], MEMO);
    if (!out.ok) {
      this.m.txFailed.inc();
      this.log.warn({ ...labels, chain: dst.end.chain, log: out.log }, "client refresh failed");
      return;
    }
    this.log.info(
      { ...labels, chain: dst.end.chain, clientId: dst.end.clientId, height: String(srcLatest.height) },
      "refreshed client",
    );
  }

  /**
   * Submits MsgChannelCloseConfirm for dst's end, led by the client update its proof needs, proving
   * src's channel end at the src proof point. False (nothing sent) while the proven state does not show
   * the end CLOSED yet (it closed in src's newest block: the next round proves it), or when the
   * transaction fails.
   */
  private async confirmClose(
    labels: { path: string; direction: string },
    src: Side,
    dst: Side,
    sp: { height: bigint; needsUpdate: boolean },
    srcLatest: LightBlock,
    dstClient: ClientState,
    counts: Counts,
  ): Promise<boolean> {
    const kp = await src.q.proveKey(channelKey(src.end.port, src.end.channel), sp.height);
    if (kp.value === undefined) {
      throw new IcsdError(
        "RELAYER_QUERY_DECODE",
        `${src.end.chain}: no channel end ${src.end.port}/${src.end.channel} at proof height ${sp.height}`,
      );
    }
    const end = decodeChannelEnd(kp.value);
    if (end.state !== ChannelState.closed) return false;
    const signer = await dst.sender.address();
    const update = await this.updateFor(src.q, dst, sp, srcLatest, dstClient, signer);
    // The expected record on dst names src's own client of dst, which dst does not store.
    const proofInit = encodeChannelCloseProof({ counterpartyClientId: end.clientId, proof: kp.proof });
    const msg = channelCloseConfirmMsg(dst.end.port, dst.end.channel, proofInit, sp.height, signer);
    const out = await dst.sender.submit([...update, msg], MEMO);
    const fields = {
      ...labels,
      chain: dst.end.chain,
      port: dst.end.port,
      channel: dst.end.channel,
      proofHeight: String(sp.height),
      hash: out.hash,
    };
    if (!out.ok) {
      this.m.txFailed.inc();
      counts.failedTxs++;
      if (out.redundant) this.log.info({ ...fields, log: out.log }, "channel close already confirmed");
      else this.log.error({ ...fields, code: out.code, log: out.log }, "channel close confirmation failed");
      return false;
    }
    counts.closeConfirm++;
    this.log.info({ ...fields, height: out.height }, "confirmed channel close on the destination");
    return true;
  }

  private async updateFor(
    counterparty: ChainQueries,
    host: Side,
    point: { height: bigint; needsUpdate: boolean },
    latest: LightBlock,
    client: ClientState,
    signer: string,
  ): Promise<EncodeObject[]> {
    if (!point.needsUpdate) return [];
    if (await host.q.hasConsensusState(host.end.clientId, point.height)) return [];
    const header = await this.clientHeader(counterparty, latest, client.latestHeight);
    return [updateClientMsg(host.end.clientId, header, signer)];
  }

  /** The update of a client trusting `trusted` to `target` (trusted set = the set signing trusted + 1). */
  private async clientHeader(q: ChainQueries, target: LightBlock, trusted: bigint): Promise<ClientHeader> {
    const next = trusted + 1n === target.height ? target : await q.lightBlock(trusted + 1n);
    return buildClientHeader(target, trusted, next);
  }

  private async deliverRecvs(
    labels: { path: string; direction: string },
    src: Side,
    dst: Side,
    plan: DirectionPlan,
    sp: { height: bigint; needsUpdate: boolean },
    srcLatest: LightBlock,
    dstClient: ClientState,
    counts: Counts,
  ): Promise<void> {
    const signer = await dst.sender.address();
    let update = await this.updateFor(src.q, dst, sp, srcLatest, dstClient, signer);
    for (const batch of batches(plan.recv, this.cfg.global.maxMsgsPerTx)) {
      // The batch's proofs are read concurrently (at most max_msgs_per_tx of them).
      const proofs = await Promise.all(
        batch.map((p) =>
          src.q.proveKey(packetCommitmentKey(p.sourcePort, p.sourceChannel, p.sequence), sp.height),
        ),
      );
      const msgs = [...update, ...batch.map((p, i) => recvPacketMsg(p, proofs[i]!.proof, sp.height, signer))];
      const out = await dst.sender.submit(msgs, MEMO);
      if (!this.outcome(labels, dst.end.chain, out, { recv: batch }, sp.height)) return;
      counts.recv += batch.length;
      this.m.lagBlocks.set(labels, Math.max(0, (out.height ?? 0) - Number(sp.height)));
      update = [];
    }
  }

  private async deliverBack(
    labels: { path: string; direction: string },
    src: Side,
    dst: Side,
    work: readonly SrcWork[],
    ordered: boolean,
    dp: { height: bigint; needsUpdate: boolean },
    dstLatest: LightBlock,
    srcClient: ClientState,
    counts: Counts,
  ): Promise<void> {
    const signer = await src.sender.address();
    let update = await this.updateFor(dst.q, src, dp, dstLatest, srcClient, signer);
    // Ordered timeouts all prove the one nextSequenceRecv of the destination channel.
    let nextRecv: { value: bigint; proof: Uint8Array } | undefined;
    if (ordered && work.some((w) => w.kind === "timeout")) {
      const kp = await dst.q.proveKey(nextSequenceRecvKey(dst.end.port, dst.end.channel), dp.height);
      if (kp.value === undefined || kp.value.length !== 8) {
        throw new IcsdError(
          "RELAYER_QUERY_DECODE",
          `${dst.end.chain}: no nextSequenceRecv for ${dst.end.port}/${dst.end.channel}`,
        );
      }
      nextRecv = { value: readUint64Be(kp.value), proof: kp.proof };
    }
    for (const batch of batches(work, this.cfg.global.maxMsgsPerTx)) {
      const done = {
        ack: batch.flatMap((w) => (w.kind === "ack" ? [w.work.packet] : [])),
        timeout: batch.flatMap((w) => (w.kind === "timeout" ? [w.packet] : [])),
      };
      const packetMsgs = await Promise.all(
        batch.map(async (w): Promise<EncodeObject> => {
          if (w.kind === "ack") {
            const p = w.work.packet;
            const kp = await dst.q.proveKey(packetAckKey(p.destPort, p.destChannel, p.sequence), dp.height);
            return acknowledgementMsg(p, w.work.acknowledgement, kp.proof, dp.height, signer);
          }
          const p = w.packet;
          if (nextRecv) return timeoutMsg(p, nextRecv.proof, dp.height, nextRecv.value, signer);
          // Unordered: the receipt's absence at the proof height proves the packet was never received.
          const kp = await dst.q.proveKey(packetReceiptKey(p.destPort, p.destChannel, p.sequence), dp.height);
          return timeoutMsg(p, kp.proof, dp.height, p.sequence, signer);
        }),
      );
      const msgs = [...update, ...packetMsgs];
      const out = await src.sender.submit(msgs, MEMO);
      if (!this.outcome(labels, src.end.chain, out, done, dp.height)) return;
      counts.ack += done.ack.length;
      counts.timeout += done.timeout.length;
      update = [];
    }
  }

  /** Records a batch's outcome in metrics and the log; false when the rest of the work must wait a round. */
  private outcome(
    labels: { path: string; direction: string },
    chain: string,
    out: TxOutcome,
    done: Partial<Record<RelayKind, readonly Packet[]>>,
    proofHeight: bigint,
  ): boolean {
    const sizes = Object.fromEntries(Object.entries(done).map(([k, v]) => [k, v.length]));
    const fields = { ...labels, chain, ...sizes, proofHeight: String(proofHeight), hash: out.hash };
    if (!out.ok) {
      this.m.txFailed.inc();
      if (out.redundant) {
        // Another relayer delivered these first: nothing lost, nothing to fix.
        this.log.info({ ...fields, log: out.log }, "batch already relayed by another relayer");
      } else {
        this.log.error(
          { ...fields, code: out.code, log: out.log },
          "relay transaction failed; recomputing next round",
        );
      }
      return false;
    }
    for (const [kind, packets] of Object.entries(done) as [RelayKind, readonly Packet[]][]) {
      if (packets.length) this.m.packetsRelayed.inc({ ...labels, kind }, packets.length);
    }
    this.log.info({ ...fields, height: out.height }, "relayed batch");
    return true;
  }
}
