/**
 * Relay latency under no load: one packet A->B at a time, each received and acknowledged before the
 * next is sent. The delay is counted in destination blocks from B0, B's height when A committed the
 * sending block, to the B block whose transaction received the packet.
 *
 * Why 2 is the floor: a packet sent in A's block H is proven against the app hash in A's header H+1, so
 * no relayer can submit it before A commits H+1; with equal block times B commits B0+1 no later than
 * that, so B0+2 is the first block that can hold the receive. It does
 * when the relayer's reaction to A's commit of H+1 (poll, queries, proofs, simulation, broadcast) beats
 * B's next proposal; otherwise B0+3. With equal block times the two chains' phase barely moves during
 * a run, so `bPhaseMs` (A's commit of H to B's next commit) is recorded to read the delays by.
 */
import { sleep } from "../../test/e2e/harness.ts";
import { type RelayEnv, type Stats, stats } from "./env.ts";
import { packetEventHeight } from "./packets.ts";

/** One packet's way: heights on both chains and the times between their commits. */
export interface LatencySample {
  readonly seq: string;
  readonly sendHeightA: number;
  /** B's height when A committed `sendHeightA` (from both chains' block clocks). */
  readonly b0: number;
  /** B's height polled right after the send's result came back (the way a client would see it). */
  readonly b0Polled: number;
  readonly recvHeightB: number;
  readonly delayBlocks: number;
  readonly delayBlocksPolledB0: number;
  /** From A's commit of the sending block to B's commit of the receiving block. */
  readonly delayMs: number;
  readonly ackHeightA: number;
  readonly ackDelayBlocksA: number;
  /** From A's commit of the sending block to B's next commit. */
  readonly bPhaseMs: number;
  /** From A's commit of the next block (the packet's proof height) to B's commit of the receiving block. */
  readonly fromProvableMs: number;
  /**
   * The relayer's reaction: from A's commit of the next block to the receive showing in B's mempool
   * (polled every 20 ms; null when it was never seen there).
   */
  readonly reactionMs: number | null;
}

export interface LatencyResult {
  readonly samples: readonly LatencySample[];
  readonly delayBlocks: Stats;
  readonly packetsByDelayBlocks: Record<string, number>;
  readonly delayBlocksPolledB0: Stats;
  readonly delayMs: Stats;
  readonly fromProvableMs: Stats;
  readonly reactionMs: Stats;
  readonly bPhaseMs: Stats;
  readonly ackDelaySourceBlocks: Stats;
  /** Block intervals of each chain over the phase. */
  readonly blockMs: { readonly a: Stats; readonly b: Stats };
}

const MEMPOOL_POLL_MS = 20;

/** The first moment B's mempool holds a transaction, polled until `stop.done` (undefined if never). */
async function firstInMempool(env: RelayEnv, stop: { done: boolean }): Promise<number | undefined> {
  while (!stop.done) {
    const r = await env.rpc
      .call<{ total: string }>(env.portB, "num_unconfirmed_txs", {}, 2000)
      .catch(() => ({ total: "0" }));
    if (Number(r.total) > 0) return performance.now();
    await sleep(MEMPOOL_POLL_MS);
  }
  return undefined;
}

/** A sent transfer: the A height that included it and its packet sequence. */
export type SendOne = () => Promise<{ height: number; seq: bigint }>;

/** Sends `n` packets one at a time with `send`, each waited for until acknowledged. */
export async function measureLatency(
  env: RelayEnv,
  send: SendOne,
  n: number,
  timeoutMs: number,
  log: (line: string) => void,
): Promise<LatencyResult> {
  const { rpc, clockA, clockB } = env;
  const fromA = clockA.tip;
  const fromB = clockB.tip;
  const samples: LatencySample[] = [];
  for (let i = 0; i < n; i++) {
    // Spread the sends over the phase of block production and of the relayer's rounds.
    await sleep((i * 137) % 600);
    const sent = await send();
    // Only the relayer sends to B in this phase: the first transaction in its mempool is the receive.
    const mempoolStop = { done: false };
    const inMempool = firstInMempool(env, mempoolStop);
    const b0Polled = await rpc.height(env.portB);
    const sentAt = await clockA.waitFor(sent.height, timeoutMs);
    const b0 = clockB.heightAt(sentAt);
    let recvHeight: number | undefined;
    await env.until(
      `packet ${sent.seq} to be received`,
      async () => {
        recvHeight = await packetEventHeight(
          rpc,
          env.portB,
          "recv_packet",
          "packet_dst_channel",
          env.channelB,
          sent.seq,
        );
        return recvHeight !== undefined;
      },
      timeoutMs,
    );
    mempoolStop.done = true;
    const mempoolAt = await inMempool;
    let ackHeight: number | undefined;
    await env.until(
      `packet ${sent.seq} to be acknowledged`,
      async () => {
        ackHeight = await packetEventHeight(
          rpc,
          env.portA,
          "acknowledge_packet",
          "packet_src_channel",
          env.channelA,
          sent.seq,
        );
        return ackHeight !== undefined;
      },
      timeoutMs,
    );
    const recvAt = await clockB.waitFor(recvHeight!, timeoutMs);
    const provableAt = await clockA.waitFor(sent.height + 1, timeoutMs);
    const s: LatencySample = {
      seq: String(sent.seq),
      sendHeightA: sent.height,
      b0,
      b0Polled,
      recvHeightB: recvHeight!,
      delayBlocks: recvHeight! - b0,
      delayBlocksPolledB0: recvHeight! - b0Polled,
      delayMs: recvAt - sentAt,
      ackHeightA: ackHeight!,
      ackDelayBlocksA: ackHeight! - sent.height,
      bPhaseMs: (await clockB.waitFor(b0 + 1, timeoutMs)) - sentAt,
      fromProvableMs: recvAt - provableAt,
      reactionMs: mempoolAt === undefined ? null : mempoolAt - provableAt,
    };
    samples.push(s);
    log(
      `  packet ${s.seq}: sent in A ${s.sendHeightA} (B at ${s.b0}), received in B ${s.recvHeightB}: ${s.delayBlocks} B blocks, ${s.delayMs.toFixed(0)} ms; acked in A ${s.ackHeightA}`,
    );
  }
  const byDelay: Record<string, number> = {};
  for (const s of samples) byDelay[s.delayBlocks] = (byDelay[s.delayBlocks] ?? 0) + 1;
  const of = (f: (s: LatencySample) => number) => stats(samples.map(f));
  return {
    samples,
    delayBlocks: of((s) => s.delayBlocks),
    packetsByDelayBlocks: byDelay,
    delayBlocksPolledB0: of((s) => s.delayBlocksPolledB0),
    delayMs: of((s) => s.delayMs),
    fromProvableMs: of((s) => s.fromProvableMs),
    reactionMs: stats(samples.flatMap((s) => (s.reactionMs === null ? [] : [s.reactionMs]))),
    bPhaseMs: of((s) => s.bPhaseMs),
    ackDelaySourceBlocks: of((s) => s.ackDelayBlocksA),
    blockMs: {
      a: stats(clockA.intervals(fromA, clockA.tip)),
      b: stats(clockB.intervals(fromB, clockB.tip)),
    },
  };
}
