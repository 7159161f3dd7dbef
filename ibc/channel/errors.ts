/**
 * Error codes of the packet layer (ICS-04) and the token-transfer application (ICS-20).
 *
 * Every expected failure (a forged packet, a replay, a timeout claimed too early) is thrown as an
 * IcsdError with one of these stable codes, so the app layer can map them to SDK-style codes and
 * tests can match on the code rather than the message. Nothing is written to state when one is thrown.
 */
import { IcsdError } from "../../utils/index.ts";

/** The stable codes of channel and packet failures. */
export const ChannelErrorCode = {
  /** A port or channel identifier is not a valid ICS-24 identifier. */
  invalidIdentifier: "IBC_INVALID_IDENTIFIER",
  /** No channel end is stored under the port and channel. */
  channelNotFound: "IBC_CHANNEL_NOT_FOUND",
  /** A channel end already exists (genesis opens a channel once). */
  channelExists: "IBC_CHANNEL_EXISTS",
  /** The channel is not in the state the operation needs (OPEN for send, receive and ack). */
  channelNotOpen: "IBC_CHANNEL_NOT_OPEN",
  /** A close confirmation names a channel end that is already CLOSED. */
  channelAlreadyClosed: "IBC_CHANNEL_ALREADY_CLOSED",
  /** A channel record is malformed (genesis input or stored bytes). */
  channelInvalid: "IBC_CHANNEL_INVALID",
  /** The packet's ports and channels do not match the channel end and its counterparty. */
  counterpartyMismatch: "IBC_COUNTERPARTY_MISMATCH",
  /** A packet is malformed (no timeout, empty data, zero sequence, bad encoding). */
  packetInvalid: "IBC_PACKET_INVALID",
  /** The receiving chain has passed the packet's timeout height or timestamp. */
  packetTimedOut: "IBC_PACKET_TIMED_OUT",
  /** The packet was already received (unordered: a receipt exists; ordered: sequence below next). */
  packetAlreadyReceived: "IBC_PACKET_ALREADY_RECEIVED",
  /** Ordered channel: the sequence is ahead of the next expected one. */
  packetOutOfOrder: "IBC_PACKET_OUT_OF_ORDER",
  /** The sending chain holds no commitment for the sequence (never sent, or already acked/timed out). */
  commitmentNotFound: "IBC_PACKET_COMMITMENT_NOT_FOUND",
  /** The stored commitment differs from the packet given (fields altered). */
  commitmentMismatch: "IBC_PACKET_COMMITMENT_MISMATCH",
  /** A timeout was claimed before the counterparty passed the packet's timeout. */
  timeoutNotReached: "IBC_TIMEOUT_NOT_REACHED",
  /** Ordered timeout: the proven nextSequenceRecv shows the packet was received. */
  timeoutPacketReceived: "IBC_TIMEOUT_PACKET_RECEIVED",
  /** An acknowledgement is malformed (empty, or not what the application understands). */
  ackInvalid: "IBC_ACK_INVALID",
  /** A proof does not show the claimed key/value (raised by ProofVerifier implementations). */
  proofInvalid: "IBC_PROOF_INVALID",
} as const;

/** One of the channel error codes. */
export type ChannelErrorCode = (typeof ChannelErrorCode)[keyof typeof ChannelErrorCode];

/** An IcsdError with a packet-layer code; `meta` carries the fields that explain it. */
export function channelError(
  code: ChannelErrorCode,
  message: string,
  meta: Record<string, unknown> = {},
): IcsdError {
  return new IcsdError(code, message, meta);
}
