/**
 * Sending a packet (ICS-04 `sendPacket`): assigns the channel's next send sequence and stores the packet
 * commitment, which the counterparty later proves against this chain's app hash.
 */

import { getNextSequence, mustGetChannel, requireOpen, setNextSequence } from "./channelStore.ts";
import { ChannelErrorCode, channelError } from "./errors.ts";
import { MAX_SEQUENCE, packetCommitmentKey, sentPacketKey } from "./keys.ts";
import { commitPacket, encodePacket, validatePacket, validateTimeouts } from "./packet.ts";
import type { IbcStore, Packet } from "./types.ts";

/** What an application asks to send. */
export interface SendPacketMsg {
  readonly port: string;
  readonly channel: string;
  readonly data: Uint8Array;
  /** Counterparty height at which the packet times out (0 = none). */
  readonly timeoutHeight: bigint;
  /** Counterparty block time (ns) at which the packet times out (0 = none). */
  readonly timeoutTimestamp: bigint;
}

/**
 * Sends a packet on an OPEN channel and returns it (the caller emits it for relayers). Guarantees: the
 * packet carries the channel's next send sequence, its commitment is stored under
 * ibc/commitments/..., and the counter advances; on any failure (channel missing or not OPEN, no timeout,
 * a timeout timestamp not after `hostTime`, empty data) nothing is written.
 */
export async function sendPacket(store: IbcStore, msg: SendPacketMsg, hostTime: bigint): Promise<Packet> {
  const channel = await mustGetChannel(store, msg.port, msg.channel);
  requireOpen(channel);
  validateTimeouts(msg.timeoutHeight, msg.timeoutTimestamp);
  // ibc-go refuses a timeout already passed on the counterparty's latest consensus state; without a
  // latest height here, the host time is the stand-in (a timestamp already past here is past there
  // within clock drift, and would only produce a timeout).
  if (msg.timeoutTimestamp !== 0n && msg.timeoutTimestamp <= hostTime) {
    throw channelError(
      ChannelErrorCode.packetTimedOut,
      `timeout timestamp ${msg.timeoutTimestamp} is not after the current block time ${hostTime}`,
      { timeoutTimestamp: String(msg.timeoutTimestamp), hostTime: String(hostTime) },
    );
  }
  const sequence = await getNextSequence(store, "send", msg.port, msg.channel);
  if (sequence >= MAX_SEQUENCE) {
    throw channelError(
      ChannelErrorCode.packetInvalid,
      `channel ${msg.port}/${msg.channel} has used every sequence`,
    );
  }
  const packet: Packet = {
    sequence,
    sourcePort: channel.portId,
    sourceChannel: channel.channelId,
    destPort: channel.counterpartyPortId,
    destChannel: channel.counterpartyChannelId,
    data: msg.data.slice(),
    timeoutHeight: msg.timeoutHeight,
    timeoutTimestamp: msg.timeoutTimestamp,
  };
  validatePacket(packet);
  store.set(packetCommitmentKey(packet.sourcePort, packet.sourceChannel, sequence), commitPacket(packet));
  store.set(sentPacketKey(packet.sourcePort, packet.sourceChannel, sequence), encodePacket(packet));
  setNextSequence(store, "send", msg.port, msg.channel, sequence + 1n);
  return packet;
}
