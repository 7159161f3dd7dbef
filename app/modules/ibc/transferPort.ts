/**
 * The application bound to the "transfer" port: ibc/'s TransferApp over the app's bank, plus ICS-20's
 * events (fungible_token_packet on receive and acknowledgement, timeout on refund), as ibc-go's
 * transfer IBCModule emits them.
 */
import type { Event } from "../../../consensus/index.ts";
import type { FungibleTokenPacketData, TransferBank } from "../../../ibc/index.ts";
import {
  type ChannelEnd,
  decodeAck,
  decodePacketData,
  denomHash,
  type IbcApp,
  type Packet,
  TransferApp,
  voucherDenom,
} from "../../../ibc/index.ts";
import type { ModuleContext } from "../../module.ts";
import { transferAckEvents, transferRecvEvent, transferTimeoutEvent } from "./events.ts";

/**
 * Called after a successful ICS-20 receive, on the receive's context (its store branch and events):
 * the packet, its decoded data, and the denom the receiver was credited in on this chain. A hook that
 * throws fails the receive message (its writes and the transfer's are dropped), so hooks must only
 * throw for bugs; expected refusals are theirs to swallow (the reference's middleware logs them).
 */
export type TransferReceiveHook = (
  ctx: ModuleContext,
  packet: Packet,
  data: FungibleTokenPacketData,
  localDenom: string,
) => Promise<void>;

/**
 * The denom a receive credits on this chain, as TransferApp decides it: the unprefixed denom (its
 * voucher when it has a trace here, else native) when the token returns over this channel, else the
 * voucher of this hop's full path.
 */
export async function receivedLocalDenom(
  bank: Pick<TransferBank, "getDenomTrace">,
  packet: Packet,
  data: FungibleTokenPacketData,
): Promise<string> {
  const back = `${packet.sourcePort}/${packet.sourceChannel}/`;
  if (data.denom.startsWith(back)) {
    const unprefixed = data.denom.slice(back.length);
    return (await bank.getDenomTrace(denomHash(unprefixed))) !== undefined
      ? voucherDenom(unprefixed)
      : unprefixed;
  }
  return voucherDenom(`${packet.destPort}/${packet.destChannel}/${data.denom}`);
}

/** TransferApp's callbacks, each followed by its ICS-20 events in `events`. */
export class TransferPortApp implements IbcApp {
  private readonly inner: TransferApp;
  private readonly bank: TransferBank;
  private readonly events: Event[];
  private readonly ctx: ModuleContext | undefined;
  private readonly hooks: readonly TransferReceiveHook[];

  /**
   * `ctx` and `hooks`: receive hooks run on that context after each successful receive. `receivers`:
   * bech32 addresses that may receive ICS-20 transfers although they are module accounts (the
   * provider's consumer rewards pool, which the reference removes from the blocked addresses).
   */
  constructor(
    bank: TransferBank,
    events: Event[],
    ctx?: ModuleContext,
    hooks: readonly TransferReceiveHook[] = [],
    receivers: ReadonlySet<string> = new Set(),
  ) {
    const open: TransferBank =
      receivers.size === 0
        ? bank
        : {
            balance: (a, d) => bank.balance(a, d),
            escrowBalance: (e, d) => bank.escrowBalance(e, d),
            canReceive: async (a) => receivers.has(a) || (await bank.canReceive(a)),
            sendToEscrow: (f, e, d, n) => bank.sendToEscrow(f, e, d, n),
            sendFromEscrow: (e, t, d, n) => bank.sendFromEscrow(e, t, d, n),
            mintVoucher: (t, d, n) => bank.mintVoucher(t, d, n),
            burnFromAccount: (f, d, n) => bank.burnFromAccount(f, d, n),
            getDenomTrace: (h) => bank.getDenomTrace(h),
            setDenomTrace: (t) => bank.setDenomTrace(t),
          };
    this.inner = new TransferApp(open);
    this.bank = bank;
    this.events = events;
    this.ctx = ctx;
    this.hooks = hooks;
  }

  async onRecvPacket(packet: Packet): Promise<Uint8Array> {
    const ack = await this.inner.onRecvPacket(packet);
    this.events.push(transferRecvEvent(packet, ack));
    const ctx = this.ctx;
    if (ctx !== undefined && this.hooks.length > 0 && decodeAck(ack).success) {
      // A success ack means the data decoded and the receiver was credited (ICS middleware's premise).
      const data = decodePacketData(packet.data);
      const localDenom = await receivedLocalDenom(this.bank, packet, data);
      for (const hook of this.hooks) await hook(ctx, packet, data, localDenom);
    }
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
