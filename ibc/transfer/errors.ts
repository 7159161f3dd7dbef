/**
 * Error codes of the ICS-20 token-transfer application. Refusals of a transfer message are thrown with
 * these codes; failures while receiving a packet become an error acknowledgement naming the code.
 */
import { IcsdError } from "../../utils/index.ts";

/** The stable codes of transfer failures. */
export const TransferErrorCode = {
  /** A transfer message or packet data field is malformed (amount, denom, sender, receiver, memo). */
  invalidPacketData: "IBC_TRANSFER_INVALID_PACKET_DATA",
  /** An "ibc/{hash}" denom has no recorded denom trace on this chain. */
  denomTraceNotFound: "IBC_TRANSFER_DENOM_TRACE_NOT_FOUND",
  /** The sender (or, when returning tokens, the escrow account) holds less than the amount. */
  insufficientFunds: "IBC_TRANSFER_INSUFFICIENT_FUNDS",
  /** The receiver cannot receive tokens (invalid address or a blocked module account). */
  invalidReceiver: "IBC_TRANSFER_INVALID_RECEIVER",
  /** The acknowledgement is not ICS-20 JSON ({"result":...} or {"error":...}). */
  invalidAcknowledgement: "IBC_TRANSFER_INVALID_ACK",
} as const;

/** One of the transfer error codes. */
export type TransferErrorCode = (typeof TransferErrorCode)[keyof typeof TransferErrorCode];

/** An IcsdError with a transfer code. */
export function transferError(
  code: TransferErrorCode,
  message: string,
  meta: Record<string, unknown> = {},
): IcsdError {
  return new IcsdError(code, message, meta);
}
