/**
 * The store keys of the packet layer: the ICS-24 paths, under the "ibc/" prefix of the app state.
 *
 * These keys are the protocol: the counterparty's relayer proves exactly these keys against this
 * chain's app hash, and this chain proves the counterparty's. Layout (ICS-24 host requirements):
 *   ibc/channelEnds/ports/{port}/channels/{chan}                     -> channel end
 *   ibc/nextSequenceSend/ports/{port}/channels/{chan}                -> u64 BE
 *   ibc/nextSequenceRecv/ports/{port}/channels/{chan}                -> u64 BE (proven in ordered timeouts)
 *   ibc/nextSequenceAck/ports/{port}/channels/{chan}                 -> u64 BE
 *   ibc/commitments/ports/{port}/channels/{chan}/sequences/{seq}     -> packet commitment (32 bytes)
 *   ibc/receipts/ports/{port}/channels/{chan}/sequences/{seq}        -> 0x01
 *   ibc/acks/ports/{port}/channels/{chan}/sequences/{seq}            -> ack commitment (32 bytes)
 * {seq} is the sequence in decimal zero-padded to 20 digits (the width of 2^64 - 1), so that key order
 * is sequence order and a prefix scan lists a channel's packets in order. Identifiers are checked
 * against ICS-24 (no "/"), so no path can alias another.
 */
import { utf8 } from "../../utils/index.ts";
import { ChannelErrorCode, channelError } from "./errors.ts";

/** The largest sequence: sequences are u64 and start at 1. */
export const MAX_SEQUENCE = (1n << 64n) - 1n;

// ICS-24: identifiers are [a-zA-Z0-9.\_+\-#[\]<>]; ports 2..128 characters, channels 8..64.
const IDENTIFIER = /^[a-zA-Z0-9._+\-#[\]<>]+$/;

function checkIdentifier(kind: string, id: string, min: number, max: number): void {
  if (typeof id !== "string" || id.length < min || id.length > max || !IDENTIFIER.test(id)) {
    throw channelError(
      ChannelErrorCode.invalidIdentifier,
      `invalid ${kind} identifier ${JSON.stringify(String(id).slice(0, 140))}: ICS-24 wants ${min}-${max} characters of [a-zA-Z0-9._+-#[]<>]`,
      { kind, id },
    );
  }
}

/** Throws IBC_INVALID_IDENTIFIER unless `id` is a valid ICS-24 port identifier. */
export function validatePortId(id: string): void {
  checkIdentifier("port", id, 2, 128);
}

/** Throws IBC_INVALID_IDENTIFIER unless `id` is a valid ICS-24 channel identifier. */
export function validateChannelId(id: string): void {
  checkIdentifier("channel", id, 8, 64);
}

/** Throws IBC_PACKET_INVALID unless 1 <= seq <= 2^64 - 1. */
export function validateSequence(seq: bigint): void {
  if (typeof seq !== "bigint" || seq < 1n || seq > MAX_SEQUENCE) {
    throw channelError(ChannelErrorCode.packetInvalid, `packet sequence ${String(seq)} is not in 1..2^64-1`, {
      sequence: String(seq),
    });
  }
}

function channelPath(port: string, channel: string): string {
  validatePortId(port);
  validateChannelId(channel);
  return `ports/${port}/channels/${channel}`;
}

/** The zero-padded decimal form of a sequence used in keys. */
export function sequenceSegment(seq: bigint): string {
  validateSequence(seq);
  return seq.toString().padStart(20, "0");
}

/** ibc/channelEnds/ports/{port}/channels/{chan} */
export function channelKey(port: string, channel: string): Uint8Array {
  return utf8(`ibc/channelEnds/${channelPath(port, channel)}`);
}

/** The key range holding every channel end, in (port, channel) order. */
export function channelRange(): { gte: Uint8Array; lt: Uint8Array } {
  return { gte: utf8("ibc/channelEnds/ports/"), lt: utf8("ibc/channelEnds/ports0") };
}

/** ibc/nextSequenceSend/ports/{port}/channels/{chan} */
export function nextSequenceSendKey(port: string, channel: string): Uint8Array {
  return utf8(`ibc/nextSequenceSend/${channelPath(port, channel)}`);
}

/** ibc/nextSequenceRecv/ports/{port}/channels/{chan} (the counterparty proves it in ordered timeouts). */
export function nextSequenceRecvKey(port: string, channel: string): Uint8Array {
  return utf8(`ibc/nextSequenceRecv/${channelPath(port, channel)}`);
}

/** ibc/nextSequenceAck/ports/{port}/channels/{chan} */
export function nextSequenceAckKey(port: string, channel: string): Uint8Array {
  return utf8(`ibc/nextSequenceAck/${channelPath(port, channel)}`);
}

/** The three kinds of per-sequence record. */
export type SequenceRecord = "commitments" | "receipts" | "acks" | "packets" | "ackdata";

/** ibc/{kind}/ports/{port}/channels/{chan}/sequences/{seq} */
export function sequenceKey(kind: SequenceRecord, port: string, channel: string, seq: bigint): Uint8Array {
  return utf8(`ibc/${kind}/${channelPath(port, channel)}/sequences/${sequenceSegment(seq)}`);
}

/** ibc/commitments/ports/{port}/channels/{chan}/sequences/{seq}: the packet commitment. */
export function packetCommitmentKey(port: string, channel: string, seq: bigint): Uint8Array {
  return sequenceKey("commitments", port, channel, seq);
}

/** ibc/receipts/ports/{port}/channels/{chan}/sequences/{seq}: present once an unordered packet is received. */
export function packetReceiptKey(port: string, channel: string, seq: bigint): Uint8Array {
  return sequenceKey("receipts", port, channel, seq);
}

/** ibc/acks/ports/{port}/channels/{chan}/sequences/{seq}: the acknowledgement commitment. */
export function packetAckKey(port: string, channel: string, seq: bigint): Uint8Array {
  return sequenceKey("acks", port, channel, seq);
}

/**
 * ibc/packets/ports/{port}/channels/{chan}/sequences/{seq}: the whole packet, kept while its commitment is
 * (not part of ICS-24; it lets a relayer rebuild its work from state alone, packets sent in begin/end
 * block included).
 */
export function sentPacketKey(port: string, channel: string, seq: bigint): Uint8Array {
  return sequenceKey("packets", port, channel, seq);
}

/** ibc/ackdata/ports/{port}/channels/{chan}/sequences/{seq}: the acknowledgement bytes a relayer carries back. */
export function ackDataKey(port: string, channel: string, seq: bigint): Uint8Array {
  return sequenceKey("ackdata", port, channel, seq);
}

/** The key range of one kind of per-sequence record of a channel, in sequence order. */
export function sequenceRange(
  kind: SequenceRecord,
  port: string,
  channel: string,
): { gte: Uint8Array; lt: Uint8Array } {
  const base = `ibc/${kind}/${channelPath(port, channel)}/sequences/`;
  // "0" is the character after "/", so [base, base with "/" -> "0") is exactly the prefix.
  return { gte: utf8(base), lt: utf8(`${base.slice(0, -1)}0`) };
}

/** The sequence at the end of a per-sequence key (inverse of sequenceSegment). */
export function sequenceOfKey(key: Uint8Array): bigint {
  const s = Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString("latin1");
  return BigInt(s.slice(s.lastIndexOf("/") + 1));
}
