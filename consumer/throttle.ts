/**
 * Sending queued slash packets (throttle_retry.go): FIFO, one in flight at a time. After a send the
 * slash record says "waiting on reply"; an ack pops the head (handled) or leaves it for a retry once
 * retry_delay_period has passed since the send (bounced). Nothing is sent before CCV is established or
 * after the channel closed; a send the packet layer refuses leaves the packet queued for the next block.
 */
import { event, type IbcKeeper, type ModuleContext } from "../app/index.ts";
import { CONSUMER_PORT } from "../ibc/ccv/wire.ts";
import { MODULE } from "./relay.ts";
import { consumerState as S } from "./state.ts";

/** PacketSendingPermitted: no record, or not waiting and the retry delay has passed (strictly). */
export async function packetSendingPermitted(ctx: ModuleContext, retryDelay: bigint): Promise<boolean> {
  const record = await S.slashRecord(ctx.store);
  if (record === undefined) return true;
  if (record.waitingOnReply) return false;
  return ctx.block.time > record.sendTime + retryDelay;
}

/** SendPackets: sends the head of the queue when permitted (EndBlock). */
export async function sendPendingPackets(ctx: ModuleContext, ibc: IbcKeeper): Promise<void> {
  const { store } = ctx;
  if (!(await S.established(store)) || (await S.channelClosed(store))) return;
  const head = await S.headPendingPacket(store);
  if (head === undefined) return;
  const params = await S.params(store);
  if (!(await packetSendingPermitted(ctx, params.retryDelayPeriod))) return;
  const provider = (await S.provider(store))!;
  try {
    await ibc.sendPacket(ctx, {
      port: CONSUMER_PORT,
      channel: provider.channelId,
      data: head.data,
      timeoutHeight: 0n,
      timeoutTimestamp: ctx.block.time + params.ccvTimeoutPeriod,
    });
  } catch (e) {
    // Left queued (e.g. the client expired): retried next block, as the reference does.
    ctx.events.push(
      event("slash_packet_send_failed", [
        ["module", MODULE],
        ["error", (e as Error).message],
      ]),
    );
    return;
  }
  S.setSlashRecord(store, { waitingOnReply: true, sendTime: ctx.block.time });
}
