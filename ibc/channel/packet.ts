/**
 * Packets: validation, the commitment the sending chain stores (ICS-04 `CommitPacket`), the
 * acknowledgement commitment, the timeout rule, and the packet's binary encoding for messages.
 */
import { sha256 } from "../../crypto/index.ts";
import { concatBytes, uint64Be } from "../../utils/index.ts";
import { ByteReader, ByteWriter } from "./codec.ts";
import { ChannelErrorCode, channelError } from "./errors.ts";
import { MAX_SEQUENCE, validateChannelId, validatePortId, validateSequence } from "./keys.ts";
import type { Packet } from "./types.ts";

/** Packet data larger than this is refused (ibc-go has no hard cap; a block does). */
export const MAX_PACKET_DATA = 1 << 20;

const PACKET_FORMAT = 1;

/**
 * Throws IBC_PACKET_INVALID (or IBC_INVALID_IDENTIFIER) unless the packet is well formed: sequence in
 * 1..2^64-1, ICS-24 identifiers, non-empty data, and at least one timeout (ICS-04 `Packet.ValidateBasic`).
 */
export function validatePacket(p: Packet): void {
  validateSequence(p.sequence);
  validatePortId(p.sourcePort);
  validateChannelId(p.sourceChannel);
  validatePortId(p.destPort);
  validateChannelId(p.destChannel);
  if (!(p.data instanceof Uint8Array) || p.data.length === 0 || p.data.length > MAX_PACKET_DATA) {
    throw channelError(ChannelErrorCode.packetInvalid, "packet data must be 1 to 1 MiB of bytes", {
      sequence: String(p.sequence),
    });
  }
  validateTimeouts(p.timeoutHeight, p.timeoutTimestamp);
}

/** Throws IBC_PACKET_INVALID unless both timeouts are u64 and at least one is set (non-zero). */
export function validateTimeouts(timeoutHeight: bigint, timeoutTimestamp: bigint): void {
  for (const [name, v] of [
    ["timeoutHeight", timeoutHeight],
    ["timeoutTimestamp", timeoutTimestamp],
  ] as const) {
    if (typeof v !== "bigint" || v < 0n || v > MAX_SEQUENCE) {
      throw channelError(ChannelErrorCode.packetInvalid, `packet ${name} ${String(v)} is not a u64`);
    }
  }
  // ICS-04: a packet must be able to time out, or a dead counterparty would lock its funds forever.
  if (timeoutHeight === 0n && timeoutTimestamp === 0n) {
    throw channelError(
      ChannelErrorCode.packetInvalid,
      "packet has neither a timeout height nor a timeout timestamp",
    );
  }
}

/**
 * The packet commitment (ICS-04 `CommitPacket`, ibc-go v7):
 * sha256(timeoutTimestamp BE8 || revisionNumber BE8 (= 0) || timeoutHeight BE8 || sha256(data)).
 * Binds everything the receiver acts on except the routing fields, which the commitment's key binds.
 */
export function commitPacket(p: Packet): Uint8Array {
  return sha256(
    concatBytes(uint64Be(p.timeoutTimestamp), uint64Be(0), uint64Be(p.timeoutHeight), sha256(p.data)),
  );
}

/** The acknowledgement commitment (ICS-04 `CommitAcknowledgement`): sha256(ack). */
export function commitAcknowledgement(ack: Uint8Array): Uint8Array {
  return sha256(ack);
}

/**
 * ICS-04 receive-side timeout rule: true once the chain at `height` / block time `time` (ns) has reached
 * the packet's timeout height or timestamp (`timeoutHeight != 0 && height >= timeoutHeight`, or
 * `timeoutTimestamp != 0 && time >= timeoutTimestamp`). The same rule, applied to the counterparty's
 * proven height and time, decides whether a timeout may be claimed.
 */
export function hasTimedOut(p: Packet, height: bigint, time: bigint): boolean {
  return (
    (p.timeoutHeight !== 0n && height >= p.timeoutHeight) ||
    (p.timeoutTimestamp !== 0n && time >= p.timeoutTimestamp)
  );
}

/**
 * Deterministic packet encoding for messages: u8 format (=1) | u64 sequence | sourcePort | sourceChannel |
 * destPort | destChannel | data | u64 timeoutHeight | u64 timeoutTimestamp (strings and data
 * u32-length-prefixed). The commitment does not depend on it.
 */
export function encodePacket(p: Packet): Uint8Array {
  return new ByteWriter()
    .u8(PACKET_FORMAT)
    .u64(p.sequence)
    .string(p.sourcePort)
    .string(p.sourceChannel)
    .string(p.destPort)
    .string(p.destChannel)
    .bytes(p.data)
    .u64(p.timeoutHeight)
    .u64(p.timeoutTimestamp)
    .finish();
}

/** Decodes and validates a packet; throws IBC_PACKET_INVALID on anything but a valid encoding. */
export function decodePacket(bytes: Uint8Array): Packet {
  const r = new ByteReader(bytes, "packet", ChannelErrorCode.packetInvalid);
  const format = r.u8();
  if (format !== PACKET_FORMAT) r.fail(`unknown format ${format}`);
  const p: Packet = {
    sequence: r.u64(),
    sourcePort: r.string(128),
    sourceChannel: r.string(64),
    destPort: r.string(128),
    destChannel: r.string(64),
    data: r.bytes(MAX_PACKET_DATA),
    timeoutHeight: r.u64(),
    timeoutTimestamp: r.u64(),
  };
  r.end();
  validatePacket(p);
  return p;
}
