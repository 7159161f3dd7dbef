/**
 * The ICS-20 application bound to the "transfer" port: receives tokens (unescrow what returns home,
 * mint vouchers for what arrives from elsewhere), and refunds the sender on an error acknowledgement or
 * a timeout. Supply is conserved: tokens escrowed on the source chain equal the vouchers outstanding
 * on the chains they went to.
 */

import { IcsdError } from "../../utils/index.ts";
import type { ChannelEnd, IbcApp, Packet } from "../channel/types.ts";
import type { TransferBank } from "./bank.ts";
import {
  denomHash,
  denomPrefix,
  escrowAddress,
  parseDenomTrace,
  receiverChainIsSource,
  senderChainIsSource,
  voucherDenom,
} from "./denom.ts";
import { TransferErrorCode, transferError } from "./errors.ts";
import {
  decodeAck,
  decodePacketData,
  errorAck,
  type FungibleTokenPacketData,
  parseAmount,
  SUCCESS_ACK,
} from "./packetData.ts";

/** The port ICS-20 binds. */
export const TRANSFER_PORT = "transfer";

/**
 * ICS-20 packet callbacks over a TransferBank. Every callback checks before it moves tokens, so a
 * failure leaves the bank untouched: in onRecvPacket as an error acknowledgement, elsewhere by throwing.
 */
export class TransferApp implements IbcApp {
  private readonly bank: TransferBank;

  constructor(bank: TransferBank) {
    this.bank = bank;
  }

  /**
   * ICS-20 `onRecvPacket`: returns {"result":"AQ=="} after crediting the receiver, or {"error":...}
   * (and changes nothing) when the data is malformed, the receiver cannot receive, or the escrow holds
   * less than a returning amount.
   */
  async onRecvPacket(packet: Packet): Promise<Uint8Array> {
    try {
      await this.receive(packet);
      return SUCCESS_ACK;
    } catch (e) {
      // Only expected, pre-write failures become error acks; anything else fails the message.
      if (e instanceof IcsdError && e.code.startsWith("IBC_TRANSFER_")) {
        // Deterministic text: the code only, as ibc-go commits only the ABCI code.
        return errorAck(`error handling packet: ${e.code}`);
      }
      throw e;
    }
  }

  /** ICS-20 `onAcknowledgePacket`: a success needs nothing; an error ack refunds the sender. */
  async onAcknowledgementPacket(packet: Packet, acknowledgement: Uint8Array): Promise<void> {
    const ack = decodeAck(acknowledgement);
    if (!ack.success) await this.refund(packet);
  }

  /** ICS-20 `onTimeoutPacket`: refunds the sender. */
  async onTimeoutPacket(packet: Packet): Promise<void> {
    await this.refund(packet);
  }

  /** Nothing to do: in-flight packets are still refunded by their timeouts. */
  async onChanClose(_channel: ChannelEnd): Promise<void> {}

  private async receive(packet: Packet): Promise<void> {
    const data = decodePacketData(packet.data);
    const amount = parseAmount(data.amount);
    if (!(await this.bank.canReceive(data.receiver))) {
      throw transferError(
        TransferErrorCode.invalidReceiver,
        `receiver ${data.receiver} cannot receive tokens`,
      );
    }
    if (receiverChainIsSource(packet.sourcePort, packet.sourceChannel, data.denom)) {
      // The token left this chain over this channel; strip the hop and release it from escrow.
      const unprefixed = data.denom.slice(denomPrefix(packet.sourcePort, packet.sourceChannel).length);
      const denom = await this.localDenom(unprefixed);
      const escrow = escrowAddress(packet.destPort, packet.destChannel);
      const held = await this.bank.escrowBalance(escrow, denom);
      if (held < amount) {
        throw transferError(
          TransferErrorCode.insufficientFunds,
          `escrow of ${packet.destPort}/${packet.destChannel} holds ${held}${denom}, less than ${amount}`,
        );
      }
      await this.bank.sendFromEscrow(escrow, data.receiver, denom, amount);
      return;
    }
    // The token comes from elsewhere: add this hop and mint the voucher, recording its trace.
    const fullPath = denomPrefix(packet.destPort, packet.destChannel) + data.denom;
    const inner = parseDenomTrace(data.denom);
    const trace = {
      path:
        inner.path === ""
          ? `${packet.destPort}/${packet.destChannel}`
          : `${packet.destPort}/${packet.destChannel}/${inner.path}`,
      baseDenom: inner.baseDenom,
    };
    if ((await this.bank.getDenomTrace(denomHash(fullPath))) === undefined)
      await this.bank.setDenomTrace(trace);
    await this.bank.mintVoucher(data.receiver, voucherDenom(fullPath), amount);
  }

  /** Gives the sender back what sendTransfer took: unescrow if this chain was the source, else re-mint. */
  private async refund(packet: Packet): Promise<void> {
    const data: FungibleTokenPacketData = decodePacketData(packet.data);
    const amount = parseAmount(data.amount);
    const denom = await this.localDenom(data.denom);
    if (senderChainIsSource(packet.sourcePort, packet.sourceChannel, data.denom)) {
      await this.bank.sendFromEscrow(
        escrowAddress(packet.sourcePort, packet.sourceChannel),
        data.sender,
        denom,
        amount,
      );
    } else {
      await this.bank.mintVoucher(data.sender, denom, amount);
    }
  }

  /**
   * How a full denom path is held on this chain: as its voucher when this chain recorded a trace for it
   * (it arrived here over IBC), else as the native denom of that name.
   */
  private async localDenom(fullPath: string): Promise<string> {
    return (await this.bank.getDenomTrace(denomHash(fullPath))) !== undefined
      ? voucherDenom(fullPath)
      : fullPath;
  }
}
