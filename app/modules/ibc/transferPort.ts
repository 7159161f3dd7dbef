/**
 * The application bound to the "transfer" port: ibc/'s TransferApp over the app's bank, plus ICS-20's
 * events (fungible_token_packet on receive and acknowledgement, timeout on refund), as ibc-go's
 * transfer IBCModule emits them.
 */
import type { Event } from "../../../consensus/index.ts";
import type { TransferBank } from "../../../ibc/index.ts";
import { type ChannelEnd, type IbcApp, type Packet, TransferApp } from "../../../ibc/index.ts";
import { transferAckEvents, transferRecvEvent, transferTimeoutEvent } from "./events.ts";

/** TransferApp's callbacks, each followed by its ICS-20 events in `events`. */
export class TransferPortApp implements IbcApp {
  private readonly inner: TransferApp;
  private readonly events: Event[];

  constructor(bank: TransferBank, events: Event[]) {
    this.inner = new TransferApp(bank);
    this.events = events;
  }

  async onRecvPacket(packet: Packet): Promise<Uint8Array> {
    const ack = await this.inner.onRecvPacket(packet);
    this.events.push(transferRecvEvent(packet, ack));
    return ack;
  }

  async onAcknowledgementPacket(packet: Packet, acknowledgement: Uint8Array): Promise<void> {
    await this.inner.onAcknowledgementPacket(packet, acknowledgement);
    this.events.push(...transferAckEvents(packet, acknowledgement));
  }

  async onTimeoutPacket(packet: Packet): Promise<void> {
    await this.inner.onTimeoutPacket(packet);
    this.events.push(transferTimeoutEvent(packet));
  }

  async onChanClose(channel: ChannelEnd): Promise<void> {
    await this.inner.onChanClose(channel);
  }
}
