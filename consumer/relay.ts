/**
 * The consumer's application on the "consumer" port (interchain-security x/ccv/consumer relay.go and
 * ibc_module.go): VSC packets in, slash packet acknowledgements and timeouts back, and closing the CCV
 * channel on an error acknowledgement or a timeout. The consumer keeps producing blocks with its last
 * validator set once the channel is closed (#1127); it only reports it (events, ProviderInfo).
 */
import { fromBech32 } from "@cosmjs/encoding";
import { event, type ModuleContext } from "../app/index.ts";
import {
  ccvErrorAck,
  decodeCcvAck,
  decodeConsumerPacket,
  decodeVscPacket,
  resultAck,
  SLASH_PACKET_BOUNCED,
  SLASH_PACKET_HANDLED,
  V1_RESULT,
  type ValidatorSetChangePacketData,
} from "../ibc/ccv/wire.ts";
import {
  type ChannelEnd,
  ChannelState,
  channelKey,
  encodeChannelEnd,
  getChannel,
  type IbcApp,
  type Packet,
} from "../ibc/index.ts";
import { IcsdError, toHexUpper } from "../utils/index.ts";
import { consumerState as S } from "./state.ts";

export const MODULE = "ccvconsumer";

/**
 * Decodes the slash acks (bech32 consumer consensus addresses; the provider writes them with its own
 * valcons prefix, so the prefix is ignored and the 20 address bytes compared). Throws on a bad one.
 */
function slashAckAddresses(acks: readonly string[]): Uint8Array[] {
  return acks.map((a, i) => {
    let data: Uint8Array;
    try {
      data = fromBech32(a, 1023).data;
    } catch (e) {
      throw new IcsdError(
        "CCV_INVALID_PACKET_DATA",
        `slash_acks[${i}] is not bech32: ${(e as Error).message}`,
      );
    }
    if (data.length !== 20)
      throw new IcsdError("CCV_INVALID_PACKET_DATA", `slash_acks[${i}] is not 20 bytes`);
    return data;
  });
}

/**
 * OnRecvVSCPacket: the packet must come on the genesis CCV channel; changes accumulate (the latest power
 * per key wins) until EndBlock; height + 1 maps to the packet's vscId; the first packet establishes CCV;
 * each slash ack clears that validator's outstanding-downtime flag. Invalid data, or a packet on another
 * channel, gets an error acknowledgement with nothing written.
 */
export async function onRecvVscPacket(ctx: ModuleContext, packet: Packet): Promise<Uint8Array> {
  const { store } = ctx;
  const provider = await S.provider(store);
  if (
    provider === undefined ||
    packet.destChannel !== provider.channelId ||
    packet.sourceChannel !== provider.providerChannelId
  ) {
    return ccvErrorAck(
      `packet on channel ${packet.destChannel} from ${packet.sourcePort}/${packet.sourceChannel} is not on the CCV channel`,
    );
  }
  let data: ValidatorSetChangePacketData;
  let acked: Uint8Array[];
  try {
    data = decodeVscPacket(packet.data);
    acked = slashAckAddresses(data.slashAcks);
  } catch (e) {
    return ccvErrorAck(`invalid VSC packet data: ${(e as Error).message}`);
  }
  // Everything is valid: from here on the packet is applied.
  if (!(await S.established(store))) {
    S.setEstablished(store);
    ctx.events.push(
      event("channel_established", [
        ["module", MODULE],
        ["port_id", packet.destPort],
        ["channel_id", packet.destChannel],
      ]),
    );
  }
  for (const u of data.validatorUpdates) S.setPendingChange(store, u.pubKey, u.power);
  S.setVscIdAtHeight(store, BigInt(ctx.block.height) + 1n, data.valsetUpdateId);
  for (const a of acked) S.deleteOutstandingDowntime(store, a);
  ctx.events.push(
    event("ccv_packet", [
      ["module", MODULE],
      ["valset_update_id", data.valsetUpdateId.toString()],
      ["validator_updates", String(data.validatorUpdates.length)],
      ["slash_acks", String(acked.length)],
      ["success", "true"],
    ]),
  );
  return resultAck(V1_RESULT);
}

/**
 * Closes the CCV channel (the reference's ChanCloseInit on an error acknowledgement) and records it.
 * Idempotent.
 */
export async function closeCcvChannel(ctx: ModuleContext, reason: string): Promise<void> {
  const { store } = ctx;
  const provider = await S.provider(store);
  if (provider === undefined) return;
  const ch = await getChannel(store, "consumer", provider.channelId);
  if (ch !== undefined && ch.state !== ChannelState.closed) {
    store.set(channelKey(ch.portId, ch.channelId), encodeChannelEnd({ ...ch, state: ChannelState.closed }));
  }
  if (await S.channelClosed(store)) return;
  S.setChannelClosed(store);
  ctx.events.push(
    event("ccv_channel_closed", [
      ["module", MODULE],
      ["channel_id", provider.channelId],
      ["reason", reason],
    ]),
  );
}

/**
 * A slash packet's acknowledgement (throttle_retry.go): V1 result or "handled" pops the head and lets
 * the next packet go; "bounced" keeps it at the head for a retry after retry_delay_period; an error
 * acknowledgement closes the channel. Any other result byte is refused (the ack message fails).
 */
export async function onSlashAck(ctx: ModuleContext, packet: Packet, ackBytes: Uint8Array): Promise<void> {
  const { store } = ctx;
  const ack = decodeCcvAck(ackBytes);
  if (ack.kind === "error") {
    await closeCcvChannel(ctx, `error acknowledgement: ${ack.error}`);
    return;
  }
  const data = decodeConsumerPacket(packet.data);
  if (data.type !== "slash") return;
  const head = await S.headPendingPacket(store);
  if (ack.result === V1_RESULT || ack.result === SLASH_PACKET_HANDLED) {
    if (head !== undefined) S.deletePendingPacket(store, head.index);
    S.clearSlashRecord(store);
  } else if (ack.result === SLASH_PACKET_BOUNCED) {
    const record = await S.slashRecord(store);
    S.setSlashRecord(store, { waitingOnReply: false, sendTime: record?.sendTime ?? ctx.block.time });
  } else {
    throw new IcsdError("CCV_INVALID_ACK", `unexpected CCV acknowledgement result ${ack.result}`);
  }
  ctx.events.push(
    event("slash_packet_ack", [
      ["module", MODULE],
      ["validator_address", toHexUpper(data.slash.validator.address)],
      ["valset_update_id", data.slash.valsetUpdateId.toString()],
      [
        "result",
        ack.result === SLASH_PACKET_BOUNCED ? "bounced" : ack.result === V1_RESULT ? "v1_result" : "handled",
      ],
    ]),
  );
}

/** The IbcApp bound to the "consumer" port, for one context. */
export function consumerIbcApp(ctx: ModuleContext): IbcApp {
  return {
    onRecvPacket: (packet) => onRecvVscPacket(ctx, packet),
    onAcknowledgementPacket: (packet, ack) => onSlashAck(ctx, packet, ack),
    // A timeout closes the ordered channel (the packet layer closes it and calls onChanClose).
    onTimeoutPacket: (packet) => closeCcvChannel(ctx, `packet ${packet.sequence} timed out`),
    onChanClose: async (_channel: ChannelEnd) => {
      await closeCcvChannel(ctx, "channel closed");
    },
  };
}
