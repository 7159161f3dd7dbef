/**
 * Provider power change → consumer consensus: a delegation on the provider, one at a time, followed to
 * the first consumer block signed by a set that carries the new power.
 *
 * The way, and where each part is counted:
 *  - provider blocks P0 → send: the delegation's block P0 to the epoch boundary whose EndBlock sends the
 *    VSC packet (the provider's EndBlock runs after staking's, so a delegation in a boundary block
 *    goes out in that block). At most blocks_per_epoch − 1 when no epoch is missed;
 *  - consumer blocks c0 → recv: the relay, from the consumer's height when the provider committed the
 *    send (c0). The packet is provable only against the provider's next header, so 2 is the floor;
 *  - consumer blocks recv → effective: the consumer returns the updates from the receiving block's
 *    EndBlock and CometBFT applies them two heights later, so 2 is exact.
 * The end-to-end figure is (send − P0) + (effective − c0): each part on the chain where it happens.
 * Its floor is the epoch wait + 4, so with the worst phase (P0 just after a boundary) it is
 * blocks_per_epoch + 3.
 */
import { sleep } from "../../test/e2e/harness.ts";
import { attr, firstHeightWithPower, recvTx, scanFor, sendPacketFrom } from "./chain.ts";
import { type IcsEnv, nextBoundary } from "./env.ts";

/** One power change's way through both chains. */
export interface PowerSample {
  /** The delegation's provider height. */
  readonly p0: number;
  /** p0 % blocks_per_epoch (1 is the worst phase: a whole epoch less one block to wait). */
  readonly phase: number;
  readonly sendHeightP: number;
  readonly vscSequence: string;
  /** send − P0: the epoch wait. */
  readonly epochWaitBlocksP: number;
  /** send − the first boundary at or after P0: provider blocks beyond the epoch wait (0 unless an epoch was missed). */
  readonly beyondEpochWaitBlocksP: number;
  /** The consumer's height when the provider committed P0, and the send. */
  readonly consumerAtP0: number;
  readonly consumerAtSend: number;
  readonly recvHeightC: number;
  readonly effectiveHeightC: number;
  /** recv − c0. */
  readonly relayBlocksC: number;
  /** effective − recv. */
  readonly applyBlocksC: number;
  /** effective − c0: consumer blocks beyond the epoch wait. */
  readonly beyondEpochWaitBlocksC: number;
  /** (send − P0) + (effective − c0). */
  readonly totalBlocks: number;
  /** effective − the consumer's height at P0 (all in consumer blocks). */
  readonly totalConsumerBlocks: number;
  /** From the provider's commit of P0 to the consumer's commit of the effective block. */
  readonly seconds: number;
  /** From the provider's commit of the send to the consumer's commit of the effective block. */
  readonly sendToEffectiveSeconds: number;
}

/** A delegation to the target: returns the provider height that included it. */
export type Delegate = () => Promise<number>;

/**
 * `n` power changes of the validator whose consumer address is `address` (hex, upper case), each raising
 * its power by `step`, waited for until effective. Sample i is sent so that P0 tends to land at phase
 * i % blocks_per_epoch, to spread the samples over the epoch.
 */
export async function measurePowerChanges(
  env: IcsEnv,
  o: { address: string; startPower: bigint; step: bigint; delegate: Delegate },
  n: number,
  log: (line: string) => void,
): Promise<PowerSample[]> {
  const { rpc, clockP, clockC, epoch, timeoutMs } = env;
  const samples: PowerSample[] = [];
  let power = o.startPower;
  for (let i = 0; i < n; i++) {
    // A tx broadcast while the tip is h lands in h + 1 when the mempool is quiet.
    const wantTip = (((i - 1) % epoch) + epoch) % epoch;
    await env.until(
      `provider tip at phase ${wantTip}`,
      async () => clockP.tip % epoch === wantTip,
      timeoutMs,
    );
    const p0 = await o.delegate();
    const expected = power + o.step;
    const send = await scanFor(rpc, env.portP, p0, sendPacketFrom("provider"), timeoutMs, "the VSC send");
    const seq = attr(send.event, "packet_sequence") ?? "";
    const p0At = await clockP.waitFor(p0, timeoutMs);
    const sendAt = await clockP.waitFor(send.height, timeoutMs);
    const consumerAtP0 = clockC.heightAt(p0At);
    const consumerAtSend = clockC.heightAt(sendAt);
    const recv = await recvTx(rpc, env.portC, "consumer", seq, timeoutMs);
    const effective = await firstHeightWithPower(
      rpc,
      env.portC,
      consumerAtP0 + 1,
      o.address,
      (p) => p === expected,
      timeoutMs,
      `the consumer to use power ${expected}`,
    );
    const effectiveAt = await clockC.waitFor(effective, timeoutMs);
    const s: PowerSample = {
      p0,
      phase: p0 % epoch,
      sendHeightP: send.height,
      vscSequence: seq,
      epochWaitBlocksP: send.height - p0,
      beyondEpochWaitBlocksP: send.height - nextBoundary(p0, epoch),
      consumerAtP0,
      consumerAtSend,
      recvHeightC: recv.height,
      effectiveHeightC: effective,
      relayBlocksC: recv.height - consumerAtSend,
      applyBlocksC: effective - recv.height,
      beyondEpochWaitBlocksC: effective - consumerAtSend,
      totalBlocks: send.height - p0 + (effective - consumerAtSend),
      totalConsumerBlocks: effective - consumerAtP0,
      seconds: (effectiveAt - p0At) / 1000,
      sendToEffectiveSeconds: (effectiveAt - sendAt) / 1000,
    };
    samples.push(s);
    power = expected;
    log(
      `  power ${expected}: delegated in P ${p0} (phase ${s.phase}), VSC sent in P ${s.sendHeightP} (+${s.epochWaitBlocksP}), received in C ${s.recvHeightC} (+${s.relayBlocksC} from C ${consumerAtSend}), effective in C ${effective} (+${s.applyBlocksC}): ${s.totalBlocks} blocks, ${s.seconds.toFixed(2)} s`,
    );
    // Let the relayer finish the acknowledgement before the next sample's send.
    await sleep(200);
  }
  return samples;
}
