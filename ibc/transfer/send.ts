/**
 * Sending tokens (ICS-20 `sendFungibleTokens`, ibc-go `MsgTransfer`): escrow native tokens or burn
 * returning vouchers, and send the packet carrying the token's full denom path.
 */
import { sendPacket } from "../channel/send.ts";
import type { IbcStore, Packet } from "../channel/types.ts";
import type { TransferBank } from "./bank.ts";
import { escrowAddress, fullDenomPath, senderChainIsSource, validateDenomPath } from "./denom.ts";
import { TransferErrorCode, transferError } from "./errors.ts";
import { encodePacketData, parseAmount } from "./packetData.ts";

/** A transfer request (MsgTransfer). `denom` is the denom as held here: native, or "ibc/{HASH}". */
export interface TransferMsg {
  readonly sourcePort: string;
  readonly sourceChannel: string;
  readonly denom: string;
  readonly amount: bigint;
  readonly sender: string;
  readonly receiver: string;
  readonly memo?: string;
  readonly timeoutHeight: bigint;
  readonly timeoutTimestamp: bigint;
}

/**
 * The full denom path of a local denom: a voucher "ibc/{HASH}" resolves through its recorded trace
 * (IBC_TRANSFER_DENOM_TRACE_NOT_FOUND when none), anything else is native and its own path.
 */
export async function resolveDenom(bank: TransferBank, denom: string): Promise<string> {
  validateDenomPath(denom);
  if (!denom.startsWith("ibc/")) return denom;
  const hash = denom.slice(4);
  const trace = /^[0-9A-F]{64}$/.test(hash) ? await bank.getDenomTrace(hash) : undefined;
  if (trace === undefined) {
    throw transferError(TransferErrorCode.denomTraceNotFound, `no denom trace recorded for ${denom}`, {
      denom,
    });
  }
  return fullDenomPath(trace);
}

/**
 * Sends `amount` of `denom` from `sender` over the channel and returns the packet. When this chain is
 * the token's source the tokens move into the channel's escrow account; when the token came in over
 * this very channel the vouchers are burned (ICS-20). Refused with nothing written when the amount or
 * addresses are invalid, the voucher's trace is unknown, the sender's balance is short, or sendPacket
 * refuses (channel not OPEN, no timeout).
 */
export async function sendTransfer(
  store: IbcStore,
  bank: TransferBank,
  msg: TransferMsg,
  hostTime: bigint,
): Promise<Packet> {
  if (typeof msg.amount !== "bigint")
    throw transferError(TransferErrorCode.invalidPacketData, "amount must be a bigint");
  const amount = parseAmount(msg.amount.toString());
  const fullPath = await resolveDenom(bank, msg.denom);
  const data = encodePacketData({
    denom: fullPath,
    amount: amount.toString(),
    sender: msg.sender,
    receiver: msg.receiver,
    memo: msg.memo ?? "",
  });
  const balance = await bank.balance(msg.sender, msg.denom);
  if (balance < amount) {
    throw transferError(
      TransferErrorCode.insufficientFunds,
      `${msg.sender} has ${balance}${msg.denom}, less than the ${amount}${msg.denom} to transfer`,
      { sender: msg.sender, denom: msg.denom, balance: String(balance), amount: String(amount) },
    );
  }
  // sendPacket checks everything before it writes; the bank moves below cannot fail after the balance
  // check, so the message is all-or-nothing.
  const packet = await sendPacket(
    store,
    {
      port: msg.sourcePort,
      channel: msg.sourceChannel,
      data,
      timeoutHeight: msg.timeoutHeight,
      timeoutTimestamp: msg.timeoutTimestamp,
    },
    hostTime,
  );
  if (senderChainIsSource(msg.sourcePort, msg.sourceChannel, fullPath)) {
    await bank.sendToEscrow(msg.sender, escrowAddress(msg.sourcePort, msg.sourceChannel), msg.denom, amount);
  } else {
    await bank.burnFromAccount(msg.sender, msg.denom, amount);
  }
  return packet;
}
