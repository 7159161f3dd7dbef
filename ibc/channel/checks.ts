/**
 * Checks shared by the packet handlers: the packet's routing matches the channel end and its
 * counterparty, and the sending chain's stored commitment is the one this packet hashes to.
 */
import { equalBytes } from "../../utils/index.ts";
import { ChannelErrorCode, channelError } from "./errors.ts";
import { packetCommitmentKey } from "./keys.ts";
import { commitPacket } from "./packet.ts";
import type { ChannelEnd, IbcStore, Packet } from "./types.ts";

/**
 * Throws IBC_COUNTERPARTY_MISMATCH unless `counterpartyPort/Channel` (the packet's other end, seen from
 * `channel`) are the channel's counterparty (ICS-04: a packet only travels along its channel).
 */
export function requireCounterparty(
  channel: ChannelEnd,
  counterpartyPort: string,
  counterpartyChannel: string,
): void {
  if (
    counterpartyPort !== channel.counterpartyPortId ||
    counterpartyChannel !== channel.counterpartyChannelId
  ) {
    throw channelError(
      ChannelErrorCode.counterpartyMismatch,
      `packet names counterparty ${counterpartyPort}/${counterpartyChannel} but channel ${channel.portId}/${channel.channelId} is connected to ${channel.counterpartyPortId}/${channel.counterpartyChannelId}`,
      { port: channel.portId, channel: channel.channelId, counterpartyPort, counterpartyChannel },
    );
  }
}

/**
 * On the sending chain: throws IBC_PACKET_COMMITMENT_NOT_FOUND when no commitment is stored for the
 * packet's sequence (never sent, or already acknowledged or timed out: ICS-04 replay protection for acks
 * and timeouts), and IBC_PACKET_COMMITMENT_MISMATCH when the packet differs from the one sent.
 */
export async function requireOwnCommitment(store: IbcStore, packet: Packet): Promise<void> {
  const stored = await store.get(
    packetCommitmentKey(packet.sourcePort, packet.sourceChannel, packet.sequence),
  );
  const where = `${packet.sourcePort}/${packet.sourceChannel} sequence ${packet.sequence}`;
  if (stored === undefined) {
    throw channelError(
      ChannelErrorCode.commitmentNotFound,
      `no packet commitment for ${where}: never sent, or already acknowledged or timed out`,
      { port: packet.sourcePort, channel: packet.sourceChannel, sequence: String(packet.sequence) },
    );
  }
  if (!equalBytes(stored, commitPacket(packet))) {
    throw channelError(
      ChannelErrorCode.commitmentMismatch,
      `packet does not match the commitment stored for ${where} (data or timeouts altered)`,
      { port: packet.sourcePort, channel: packet.sourceChannel, sequence: String(packet.sequence) },
    );
  }
}
