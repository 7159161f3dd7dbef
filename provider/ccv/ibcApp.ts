/**
 * The provider's application on the "provider" port (ibc_module.go and relay.go): consumer packets in
 * (downtime slashes, the obsolete VSCMatured, double-sign reports that are only logged), and the
 * fate of its VSC packets (an error acknowledgement or a timeout stops the consumer, as does a closed
 * channel).
 */
import type { ModuleContext } from "../../app/index.ts";
import {
  ccvErrorAck,
  decodeCcvAck,
  decodeConsumerPacket,
  resultAck,
  SLASH_PACKET_BOUNCED,
  SLASH_PACKET_HANDLED,
  V1_RESULT,
} from "../../ibc/ccv/wire.ts";
import type { ChannelEnd, IbcApp, Packet } from "../../ibc/index.ts";
import type { ProviderKeeper } from "./keeper.ts";

/** The provider's IbcApp on one context. */
export class ProviderIbcApp implements IbcApp {
  private readonly k: ProviderKeeper;
  private readonly ctx: ModuleContext;

  constructor(k: ProviderKeeper, ctx: ModuleContext) {
    this.k = k;
    this.ctx = ctx;
  }

  async onRecvPacket(packet: Packet): Promise<Uint8Array> {
    const id = await this.k.consumerOfChannel(this.ctx.store, packet.destChannel);
    if (id === undefined) return ccvErrorAck(`no consumer chain with channel ${packet.destChannel}`);
    let data: ReturnType<typeof decodeConsumerPacket>;
    try {
      data = decodeConsumerPacket(packet.data);
    } catch (e) {
      return ccvErrorAck(`invalid consumer packet data: ${(e as Error).message}`);
    }
    if (data.type === "vsc_matured") return resultAck(V1_RESULT);
    const s = data.slash;
    if (s.infraction === "double_sign") {
      // The reference only logs these: double signing is punished through the evidence messages.
      this.k.log.info({ consumerId: id.toString() }, "double-sign slash packet received and dropped");
      return resultAck(V1_RESULT);
    }
    const r = await this.k.handleDowntimePacket(
      this.ctx,
      id,
      s.validator.address,
      s.validator.power,
      s.valsetUpdateId,
    );
    if (r === "handled") return resultAck(SLASH_PACKET_HANDLED);
    if (r === "bounced") return resultAck(SLASH_PACKET_BOUNCED);
    return ccvErrorAck(r.error);
  }

  async onAcknowledgementPacket(packet: Packet, acknowledgement: Uint8Array): Promise<void> {
    let ack: ReturnType<typeof decodeCcvAck> | undefined;
    try {
      ack = decodeCcvAck(acknowledgement);
    } catch {
      ack = undefined;
    }
    if (ack !== undefined && ack.kind === "result") return;
    const id = await this.k.consumerOfChannel(this.ctx.store, packet.sourceChannel);
    if (id === undefined) return;
    const reason = ack === undefined ? "invalid acknowledgement" : `error acknowledgement: ${ack.error}`;
    this.k.log.warn({ consumerId: id.toString(), reason }, "VSC packet failed on the consumer");
    await this.k.stopConsumer(this.ctx, id, "error_ack");
  }

  async onTimeoutPacket(packet: Packet): Promise<void> {
    const id = await this.k.consumerOfChannel(this.ctx.store, packet.sourceChannel);
    if (id !== undefined) await this.k.stopConsumer(this.ctx, id, "packet_timeout", false);
  }

  async onChanClose(channel: ChannelEnd): Promise<void> {
    const id = await this.k.consumerOfChannel(this.ctx.store, channel.channelId);
    if (id !== undefined) await this.k.stopConsumer(this.ctx, id, "channel_closed", false);
  }
}
