/**
 * Read-only queries a relayer needs (ICS-04 / ibc-go gRPC queries): channel ends, packet commitments
 * still pending, which sequences the receiving chain has not received, and which acknowledgements the
 * sending chain has not processed. All results are in ascending key (sequence) order.
 */

import { decodeChannelEnd, getNextSequence, mustGetChannel } from "./channelStore.ts";
import {
  ackDataKey,
  channelRange,
  MAX_SEQUENCE,
  packetAckKey,
  packetCommitmentKey,
  packetReceiptKey,
  sentPacketKey,
  sequenceKey,
  sequenceOfKey,
  sequenceRange,
} from "./keys.ts";
import { decodePacket } from "./packet.ts";
import { type ChannelEnd, ChannelOrder, type IbcStore, type Packet } from "./types.ts";

/** A stored packet commitment and its sequence. */
export interface PacketCommitmentEntry {
  readonly sequence: bigint;
  readonly commitment: Uint8Array;
}

function sortedUnique(seqs: readonly bigint[]): bigint[] {
  return [...new Set(seqs)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Every channel end, in (port, channel) key order. */
export async function listChannels(store: IbcStore): Promise<ChannelEnd[]> {
  const out: ChannelEnd[] = [];
  for await (const [, v] of store.iterate(channelRange())) out.push(decodeChannelEnd(v));
  return out;
}

/** The packet commitments of a channel still awaiting an ack or timeout, by ascending sequence. */
export async function packetCommitments(
  store: IbcStore,
  port: string,
  channel: string,
): Promise<PacketCommitmentEntry[]> {
  const out: PacketCommitmentEntry[] = [];
  for await (const [k, v] of store.iterate(sequenceRange("commitments", port, channel))) {
    out.push({ sequence: sequenceOfKey(k), commitment: v });
  }
  return out;
}

/** The stored commitment of one sent packet, or undefined (never sent, acknowledged or timed out). */
export async function getPacketCommitment(
  store: IbcStore,
  port: string,
  channel: string,
  sequence: bigint,
): Promise<Uint8Array | undefined> {
  return store.get(packetCommitmentKey(port, channel, sequence));
}

/** The acknowledgement commitment written when a packet was received, or undefined. */
export async function getPacketAckCommitment(
  store: IbcStore,
  port: string,
  channel: string,
  sequence: bigint,
): Promise<Uint8Array | undefined> {
  return store.get(packetAckKey(port, channel, sequence));
}

/**
 * On the receiving chain, for its channel end (port, channel): which of `sequences` have not been
 * received — ordered: those >= nextSequenceRecv; unordered: those with no receipt. Sorted, unique.
 */
export async function unreceivedPackets(
  store: IbcStore,
  port: string,
  channel: string,
  sequences: readonly bigint[],
): Promise<bigint[]> {
  const end = await mustGetChannel(store, port, channel);
  const seqs = sortedUnique(sequences);
  if (end.ordering === ChannelOrder.ordered) {
    const next = await getNextSequence(store, "recv", port, channel);
    return seqs.filter((s) => s >= next);
  }
  const out: bigint[] = [];
  for (const s of seqs) if ((await store.get(packetReceiptKey(port, channel, s))) === undefined) out.push(s);
  return out;
}

/**
 * On the sending chain, for its channel end (port, channel): which of `sequences` (acknowledged by the
 * counterparty) still have a commitment here, i.e. whose acknowledgement has not been processed.
 */
export async function unreceivedAcks(
  store: IbcStore,
  port: string,
  channel: string,
  sequences: readonly bigint[],
): Promise<bigint[]> {
  await mustGetChannel(store, port, channel);
  const out: bigint[] = [];
  for (const s of sortedUnique(sequences)) {
    if ((await store.get(packetCommitmentKey(port, channel, s))) !== undefined) out.push(s);
  }
  return out;
}

/**
 * The packets of a channel that still await an ack or timeout (the packets behind its commitments), by
 * ascending sequence: those after `afterSequence` (default 0), at most `limit` (default 1,000).
 */
export async function sentPackets(
  store: IbcStore,
  port: string,
  channel: string,
  opts: { readonly afterSequence?: bigint; readonly limit?: number } = {},
): Promise<Packet[]> {
  const range = sequenceRange("packets", port, channel);
  const after = opts.afterSequence ?? 0n;
  const limit = opts.limit ?? 1_000;
  const out: Packet[] = [];
  if (limit <= 0 || after >= MAX_SEQUENCE) return out;
  const gte = after > 0n ? sequenceKey("packets", port, channel, after + 1n) : range.gte;
  for await (const [, v] of store.iterate({ gte, lt: range.lt })) {
    out.push(decodePacket(v));
    if (out.length >= limit) break;
  }
  return out;
}

/** The packet sent with `sequence`, while its commitment exists; undefined otherwise. */
export async function getSentPacket(
  store: IbcStore,
  port: string,
  channel: string,
  sequence: bigint,
): Promise<Packet | undefined> {
  const b = await store.get(sentPacketKey(port, channel, sequence));
  return b === undefined ? undefined : decodePacket(b);
}

/** The acknowledgement bytes written when this chain received `sequence` on (port, channel), or undefined. */
export async function getAcknowledgement(
  store: IbcStore,
  port: string,
  channel: string,
  sequence: bigint,
): Promise<Uint8Array | undefined> {
  return store.get(ackDataKey(port, channel, sequence));
}
