/**
 * Relay throughput: N transfers A->B broadcast at once (one tx of up to `msgsPerTx` messages per sender
 * account, so no tx waits on another's sequence), then the rates at which A included them, B received
 * them and A took their acknowledgements back, all from the chains' own records (tx results and the
 * recv_packet / acknowledge_packet events) timed by the block clocks.
 */
import type { SigningStargateClient, StdFee } from "@cosmjs/stargate";
import { DENOM } from "../../test/e2e/ibcHarness.ts";
import { type RelayEnv, type Stats, stats } from "./env.ts";
import { packetEventHeights, sentSequences, transferMsg } from "./packets.ts";

/** One sending account and its connected client on A. */
export interface BurstSender {
  readonly address: string;
  readonly client: SigningStargateClient;
}

export interface BurstOptions {
  readonly senders: readonly BurstSender[];
  readonly receiver: string;
  readonly packets: number;
  readonly msgsPerTx: number;
  readonly fee: (msgs: number) => StdFee;
  /** The receiver's voucher balance on B (one voucher per packet). */
  readonly received: () => Promise<bigint>;
  /** True when A holds no unacknowledged packet on the channel. */
  readonly allAcked: () => Promise<boolean>;
  readonly timeoutMs: number;
}

export interface BurstResult {
  readonly sendBlocksA: { readonly first: number; readonly last: number };
  readonly recvBlocksB: { readonly b0: number; readonly first: number; readonly last: number };
  readonly lastAckBlockA: number;
  /** Packets received per B block. */
  readonly recvPacketsPerBlockB: Record<string, number>;
  readonly windowsMs: {
    readonly send: number;
    readonly recv: number;
    readonly recvPipeline: number;
    readonly ack: number;
  };
  readonly sendPerSec: number;
  readonly recvPerSec: number;
  readonly recvPipelinePerSec: number;
  readonly ackPerSec: number;
  readonly recvOverSend: number;
  readonly ackOverSend: number;
  /** recv_packet / acknowledge_packet events of successful txs for the burst's packets (N each when exactly once). */
  readonly recvEvents: number;
  readonly ackEvents: number;
  readonly blockMs: { readonly a: Stats; readonly b: Stats };
}

/** Sends the burst and waits until every packet is received and acknowledged. */
export async function measureBurst(env: RelayEnv, o: BurstOptions): Promise<BurstResult> {
  const { rpc, clockA, clockB } = env;
  const receivedBefore = await o.received();
  const fromA = clockA.tip;
  const fromB = clockB.tip;
  const hashes = await Promise.all(
    o.senders.map((s, i) => {
      const n = Math.min(o.msgsPerTx, o.packets - i * o.msgsPerTx);
      const msgs = Array.from({ length: n }, () =>
        transferMsg(s.address, o.receiver, env.channelA, "1", DENOM),
      );
      return s.client.signAndBroadcastSync(s.address, msgs, o.fee(n));
    }),
  );
  const client = o.senders[0]!.client;
  const included: { height: number; seqs: bigint[] }[] = [];
  for (const hash of hashes) {
    let tx: Awaited<ReturnType<SigningStargateClient["getTx"]>> = null;
    await env.until(
      `burst tx ${hash} to be included`,
      async () => {
        tx = await client.getTx(hash);
        return tx !== null;
      },
      o.timeoutMs,
    );
    const t = tx!;
    if (t.code !== 0) throw new Error(`burst tx ${hash} failed at ${t.height}: ${t.rawLog}`);
    included.push({ height: t.height, seqs: sentSequences(t.events) });
  }
  const seqs = new Set(included.flatMap((t) => t.seqs));
  if (seqs.size !== o.packets) throw new Error(`the burst sent ${seqs.size} packets, not ${o.packets}`);
  await env.until(
    `all ${o.packets} packets to be received`,
    async () => (await o.received()) - receivedBefore >= BigInt(o.packets),
    o.timeoutMs,
  );
  await env.until(`all ${o.packets} packets to be acknowledged`, o.allAcked, o.timeoutMs);

  const recv = await packetEventHeights(
    rpc,
    env.portB,
    `recv_packet.packet_dst_channel='${env.channelB}' AND tx.height>${fromB}`,
    "recv_packet",
  );
  const ack = await packetEventHeights(
    rpc,
    env.portA,
    `acknowledge_packet.packet_src_channel='${env.channelA}' AND tx.height>${fromA}`,
    "acknowledge_packet",
  );
  const heightsOf = (m: Map<bigint, number>, what: string) =>
    [...seqs].map((s) => {
      const h = m.get(s);
      if (h === undefined) throw new Error(`packet ${s} has no ${what} event on record`);
      return h;
    });
  const sendHeights = included.map((t) => t.height);
  const recvHeights = heightsOf(recv.heights, "recv_packet");
  const ackHeights = heightsOf(ack.heights, "acknowledge_packet");
  const firstSend = Math.min(...sendHeights);
  const lastSend = Math.max(...sendHeights);
  const firstRecv = Math.min(...recvHeights);
  const lastRecv = Math.max(...recvHeights);
  const lastAck = Math.max(...ackHeights);

  const at = (c: typeof clockA, h: number) => c.waitFor(h, o.timeoutMs);
  const firstSendAt = await at(clockA, firstSend);
  // A block's sends took the whole interval since the block before it: that is where the window opens.
  const send = (await at(clockA, lastSend)) - (await at(clockA, firstSend - 1));
  const recvWindow = (await at(clockB, lastRecv)) - firstSendAt;
  // The relay pipeline alone, without the wait for the first packet to become provable.
  const recvPipeline = (await at(clockB, lastRecv)) - (await at(clockB, firstRecv - 1));
  const ackWindow = (await at(clockA, lastAck)) - firstSendAt;
  const perSec = (ms: number) => (o.packets * 1000) / ms;
  const perBlock: Record<string, number> = {};
  for (const h of recvHeights) perBlock[h] = (perBlock[h] ?? 0) + 1;
  return {
    sendBlocksA: { first: firstSend, last: lastSend },
    recvBlocksB: { b0: clockB.heightAt(firstSendAt), first: firstRecv, last: lastRecv },
    lastAckBlockA: lastAck,
    recvPacketsPerBlockB: perBlock,
    windowsMs: { send, recv: recvWindow, recvPipeline, ack: ackWindow },
    sendPerSec: perSec(send),
    recvPerSec: perSec(recvWindow),
    recvPipelinePerSec: perSec(recvPipeline),
    ackPerSec: perSec(ackWindow),
    recvOverSend: perSec(recvWindow) / perSec(send),
    ackOverSend: perSec(ackWindow) / perSec(send),
    recvEvents: recv.events,
    ackEvents: ack.events,
    blockMs: { a: stats(clockA.intervals(fromA, lastAck)), b: stats(clockB.intervals(fromB, lastRecv)) },
  };
}
