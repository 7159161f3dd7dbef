/**
 * Consumer downtime → jailing on the provider: one consumer node killed, followed from the consumer
 * block that detects the downtime to the provider block whose receive of the slash packet jails the
 * validator.
 *
 * The way, and where each part is counted:
 *  - consumer blocks detection → send: the consumer queues the slash packet in BeginBlock
 *    (`consumer_slash_request`) and sends the head of its queue in the same block's EndBlock, so 0;
 *  - provider blocks p0 → jail: from the provider's height when the consumer committed the send (p0)
 *    to the block of the relayer's receive, where the provider jails at once (no epoch on this way).
 *    The packet is provable only against the consumer's next header, so 2 is the floor.
 * The end-to-end figure is (send − detection) + (jail − p0). How long detection takes after the node
 * goes down is the consumer's signed_blocks_window / min_signed_per_window, reported apart; so is when
 * the consumer drops the validator (the next epoch's VSC packet, recv + 2).
 */
import { attr, firstHeightWithPower, recvTx, scanFor, sendPacketFrom } from "./chain.ts";
import type { IcsEnv } from "./env.ts";

/** One downtime's way through both chains. */
export interface DowntimeSample {
  /** The consumer's tip when its node was killed. */
  readonly killHeightC: number;
  readonly detectHeightC: number;
  /** detection − kill: the liveness window at work. */
  readonly killToDetectBlocksC: number;
  readonly sendHeightC: number;
  readonly slashSequence: string;
  /** send − detection. */
  readonly detectToSendBlocksC: number;
  /** The provider's height when the consumer committed the send. */
  readonly providerAtSend: number;
  readonly jailHeightP: number;
  /** jail − p0. */
  readonly sendToJailBlocksP: number;
  /** (send − detection) + (jail − p0). */
  readonly totalBlocks: number;
  /** From the consumer's commit of the detection block to the provider's commit of the jailing block. */
  readonly seconds: number;
  /** The first consumer height whose set no longer has the validator, and its distance from the jail. */
  readonly droppedHeightC: number;
  readonly jailToDropSeconds: number;
}

export interface DowntimeTarget {
  /** The validator's consumer address (hex, upper case). */
  readonly address: string;
  /** Kills the validator's consumer node. */
  kill(): Promise<void>;
  /** Whether the provider has the validator jailed. */
  jailed(): Promise<boolean>;
  /** Restarts the node, waits out the jail, unjails, and waits for the consumer to take it back. */
  restore(): Promise<void>;
}

/** `n` downtimes of `t`, restoring it between them (not after the last). */
export async function measureDowntimes(
  env: IcsEnv,
  t: DowntimeTarget,
  n: number,
  log: (line: string) => void,
): Promise<DowntimeSample[]> {
  const { rpc, clockP, clockC, timeoutMs } = env;
  const samples: DowntimeSample[] = [];
  for (let i = 0; i < n; i++) {
    if (i > 0) await t.restore();
    const killHeightC = clockC.tip;
    await t.kill();
    const detect = await scanFor(
      rpc,
      env.portC,
      killHeightC + 1,
      (e) => e.type === "consumer_slash_request" && attr(e, "validator_address")?.toUpperCase() === t.address,
      timeoutMs,
      "the consumer to detect the downtime",
    );
    const send = await scanFor(
      rpc,
      env.portC,
      detect.height,
      sendPacketFrom("consumer"),
      timeoutMs,
      "the slash packet send",
    );
    const seq = attr(send.event, "packet_sequence") ?? "";
    const recv = await recvTx(rpc, env.portP, "provider", seq, timeoutMs);
    // A receive without the slash executed is a bounce (slash meter) or an ignored packet: not a jailing.
    const executed = recv.events.some(
      (e) => e.type === "execute_consumer_chain_slash" && attr(e, "infraction_type") === "downtime",
    );
    if (!executed)
      throw new Error(`slash packet ${seq} received in provider block ${recv.height} without a jailing`);
    if (!(await t.jailed()))
      throw new Error(`the provider has not jailed the validator after block ${recv.height}`);
    const detectAt = await clockC.waitFor(detect.height, timeoutMs);
    const sendAt = await clockC.waitFor(send.height, timeoutMs);
    const jailAt = await clockP.waitFor(recv.height, timeoutMs);
    const providerAtSend = clockP.heightAt(sendAt);
    const dropped = await firstHeightWithPower(
      rpc,
      env.portC,
      send.height,
      t.address,
      (p) => p === 0n,
      timeoutMs,
      "the consumer to drop the jailed validator",
    );
    const s: DowntimeSample = {
      killHeightC,
      detectHeightC: detect.height,
      killToDetectBlocksC: detect.height - killHeightC,
      sendHeightC: send.height,
      slashSequence: seq,
      detectToSendBlocksC: send.height - detect.height,
      providerAtSend,
      jailHeightP: recv.height,
      sendToJailBlocksP: recv.height - providerAtSend,
      totalBlocks: send.height - detect.height + (recv.height - providerAtSend),
      seconds: (jailAt - detectAt) / 1000,
      droppedHeightC: dropped,
      jailToDropSeconds: ((await clockC.waitFor(dropped, timeoutMs)) - jailAt) / 1000,
    };
    samples.push(s);
    log(
      `  downtime: node killed at C ${killHeightC}, detected in C ${s.detectHeightC} (+${s.killToDetectBlocksC}), slash sent in C ${s.sendHeightC} (+${s.detectToSendBlocksC}), jailed in P ${s.jailHeightP} (+${s.sendToJailBlocksP} from P ${providerAtSend}): ${s.totalBlocks} blocks, ${s.seconds.toFixed(2)} s; dropped on C at ${dropped}`,
    );
  }
  return samples;
}
