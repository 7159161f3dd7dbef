/**
 * The events of the packet layer, as ibc-go emits them (attribute values are strings; heights are
 * "revision-height", here always "0-H"): packets sent, received, acknowledged and timed out, clients
 * created, updated and frozen, and ICS-20's transfer events.
 */
import type { Event } from "../../../consensus/index.ts";
import {
  type ChannelEnd,
  ChannelOrder,
  decodeAck,
  decodePacketData,
  type FungibleTokenPacketData,
  type Packet,
} from "../../../ibc/index.ts";
import { fromUtf8, toHex } from "../../../utils/index.ts";
import { event } from "../../events.ts";

/** The client type icsd's light client reports in events (its ids are "07-icsd-<n>"). */
export const CLIENT_TYPE = "07-icsd";

/** A height as ibc-go prints it: "revision-height", revision always 0. */
export function formatHeight(h: bigint): string {
  return `0-${h}`;
}

/** ibc-go's name of a channel ordering. */
export function orderingName(o: ChannelEnd["ordering"]): string {
  return o === ChannelOrder.ordered ? "ORDER_ORDERED" : "ORDER_UNORDERED";
}

function packetAttrs(p: Packet, ordering: ChannelEnd["ordering"], withData: boolean): [string, string][] {
  const attrs: [string, string][] = [];
  if (withData) attrs.push(["packet_data_hex", toHex(p.data)]);
  attrs.push(
    ["packet_timeout_height", formatHeight(p.timeoutHeight)],
    ["packet_timeout_timestamp", p.timeoutTimestamp.toString()],
    ["packet_sequence", p.sequence.toString()],
    ["packet_src_port", p.sourcePort],
    ["packet_src_channel", p.sourceChannel],
    ["packet_dst_port", p.destPort],
    ["packet_dst_channel", p.destChannel],
    ["packet_channel_ordering", orderingName(ordering)],
  );
  return attrs;
}

/** `send_packet`: a packet this chain committed, for relayers to carry. */
export function sendPacketEvent(p: Packet, ordering: ChannelEnd["ordering"]): Event {
  return event("send_packet", packetAttrs(p, ordering, true));
}

/** `recv_packet`: a packet received here. */
export function recvPacketEvent(p: Packet, ordering: ChannelEnd["ordering"]): Event {
  return event("recv_packet", packetAttrs(p, ordering, true));
}

/** `write_acknowledgement`: the acknowledgement written for a received packet. */
export function writeAckEvent(p: Packet, ordering: ChannelEnd["ordering"], ack: Uint8Array): Event {
  return event("write_acknowledgement", [...packetAttrs(p, ordering, true), ["packet_ack_hex", toHex(ack)]]);
}

/** `acknowledge_packet`: the counterparty's acknowledgement of a packet sent from here was processed. */
export function acknowledgePacketEvent(p: Packet, ordering: ChannelEnd["ordering"]): Event {
  return event("acknowledge_packet", packetAttrs(p, ordering, false));
}

/** `timeout_packet`: a packet sent from here was proven never received. */
export function timeoutPacketEvent(p: Packet, ordering: ChannelEnd["ordering"]): Event {
  return event("timeout_packet", packetAttrs(p, ordering, false));
}

/** `channel_close_confirm`: the channel closed (an ordered channel, on its first timeout). */
export function channelCloseEvent(c: ChannelEnd): Event {
  return event("channel_close_confirm", [
    ["port_id", c.portId],
    ["channel_id", c.channelId],
    ["counterparty_port_id", c.counterpartyPortId],
    ["counterparty_channel_id", c.counterpartyChannelId],
    ["connection_id", c.clientId],
  ]);
}

/** `create_client`. */
export function createClientEvent(clientId: string, height: bigint): Event {
  return event("create_client", [
    ["client_id", clientId],
    ["client_type", CLIENT_TYPE],
    ["consensus_height", formatHeight(height)],
  ]);
}

/** `update_client`. */
export function updateClientEvent(clientId: string, height: bigint): Event {
  return event("update_client", [
    ["client_id", clientId],
    ["client_type", CLIENT_TYPE],
    ["consensus_height", formatHeight(height)],
    ["consensus_heights", formatHeight(height)],
  ]);
}

/** `client_misbehaviour`: the client is frozen. */
export function clientMisbehaviourEvent(clientId: string): Event {
  return event("client_misbehaviour", [
    ["client_id", clientId],
    ["client_type", CLIENT_TYPE],
  ]);
}

/** ICS-20 `ibc_transfer` (ibc-go msg server Transfer), with the denom as held here. */
export function ibcTransferEvent(
  sender: string,
  receiver: string,
  amount: bigint,
  denom: string,
  memo: string,
): Event {
  return event("ibc_transfer", [
    ["sender", sender],
    ["receiver", receiver],
    ["amount", amount.toString()],
    ["denom", denom],
    ["memo", memo],
  ]);
}

function packetData(p: Packet): FungibleTokenPacketData | undefined {
  try {
    return decodePacketData(p.data);
  } catch {
    return undefined;
  }
}

function dataAttrs(d: FungibleTokenPacketData | undefined): [string, string][] {
  return [
    ["module", "transfer"],
    ["sender", d?.sender ?? ""],
    ["receiver", d?.receiver ?? ""],
    ["denom", d?.denom ?? ""],
    ["amount", d?.amount ?? ""],
    ["memo", d?.memo ?? ""],
  ];
}

/** ICS-20 `fungible_token_packet` after receiving: success, or the error the ack carries. */
export function transferRecvEvent(p: Packet, ack: Uint8Array): Event {
  let error: string | undefined;
  try {
    const a = decodeAck(ack);
    if (!a.success) error = a.error;
  } catch {
    error = "invalid acknowledgement";
  }
  const attrs = dataAttrs(packetData(p));
  attrs.push(["success", error === undefined ? "true" : "false"]);
  if (error !== undefined) attrs.push(["error", error]);
  return event("fungible_token_packet", attrs);
}

/** ICS-20 `fungible_token_packet` events after an acknowledgement (ibc-go emits two). */
export function transferAckEvents(p: Packet, ack: Uint8Array): Event[] {
  const first = event("fungible_token_packet", [...dataAttrs(packetData(p)), ["acknowledgement", text(ack)]]);
  const a = decodeAck(ack);
  const second = a.success
    ? event("fungible_token_packet", [["success", "\u0001"]])
    : event("fungible_token_packet", [["error", a.error]]);
  return [first, second];
}

/** ICS-20 `timeout`: the sender was refunded. */
export function transferTimeoutEvent(p: Packet): Event {
  const d = packetData(p);
  return event("timeout", [
    ["module", "transfer"],
    ["refund_receiver", d?.sender ?? ""],
    ["refund_denom", d?.denom ?? ""],
    ["refund_amount", d?.amount ?? ""],
    ["memo", d?.memo ?? ""],
  ]);
}

/** ICS-20 `denomination_trace`: a voucher denom seen for the first time. */
export function denominationTraceEvent(hash: string, denom: string): Event {
  return event("denomination_trace", [
    ["trace_hash", hash],
    ["denom", denom],
  ]);
}

function text(b: Uint8Array): string {
  try {
    return fromUtf8(b);
  } catch {
    return toHex(b);
  }
}
