/**
 * Acknowledging a packet (ICS-04 `acknowledgePacket`): the sending chain proves the counterparty's
 * acknowledgement commitment, hands the acknowledgement to the application, and deletes its packet
 * commitment, so each packet is acknowledged at most once.
 */

import { getNextSequence, mustGetChannel, requireOpen, setNextSequence } from "./channelStore.ts";
import { requireCounterparty, requireOwnCommitment } from "./checks.ts";
import { ChannelErrorCode, channelError } from "./errors.ts";
import { packetAckKey, packetCommitmentKey, sentPacketKey } from "./keys.ts";
import { commitAcknowledgement, validatePacket } from "./packet.ts";
import { ChannelOrder, type IbcApp, type IbcStore, type Packet, type ProofVerifier } from "./types.ts";

/**
 * Processes the counterparty's acknowledgement of a packet this chain sent.
 *
 * Refused, with nothing written, when: the ack is empty; the source channel is missing or not OPEN;
 * the packet's destination is not the counterparty; no commitment is stored for the sequence
 * (IBC_PACKET_COMMITMENT_NOT_FOUND: never sent, or already acknowledged / timed out) or the packet
 * differs from it (IBC_PACKET_COMMITMENT_MISMATCH); an ordered channel's sequence is not
 * nextSequenceAck (IBC_PACKET_OUT_OF_ORDER); `proof` does not show sha256(ack) at the counterparty's
 * ack key at `proofHeight`; or the application throws. On success the commitment is deleted and, on
 * an ordered channel, nextSequenceAck advances.
 */
export async function acknowledgePacket(
  store: IbcStore,
  verifier: ProofVerifier,
  packet: Packet,
  acknowledgement: Uint8Array,
  proof: Uint8Array,
  proofHeight: bigint,
  app: IbcApp,
): Promise<void> {
  validatePacket(packet);
  const meta = { port: packet.sourcePort, channel: packet.sourceChannel, sequence: String(packet.sequence) };
  if (!(acknowledgement instanceof Uint8Array) || acknowledgement.length === 0) {
    throw channelError(ChannelErrorCode.ackInvalid, "acknowledgement is empty", meta);
  }
  const channel = await mustGetChannel(store, packet.sourcePort, packet.sourceChannel);
  requireOpen(channel);
  requireCounterparty(channel, packet.destPort, packet.destChannel);
  await requireOwnCommitment(store, packet);

  const ordered = channel.ordering === ChannelOrder.ordered;
  let nextAck = 0n;
  if (ordered) {
    // ICS-04: acknowledgements on an ordered channel are processed in sequence order.
    nextAck = await getNextSequence(store, "ack", packet.sourcePort, packet.sourceChannel);
    if (packet.sequence !== nextAck) {
      throw channelError(
        ChannelErrorCode.packetOutOfOrder,
        `acknowledgement of ${packet.sourcePort}/${packet.sourceChannel} sequence ${packet.sequence} is out of order: expected ${nextAck}`,
        { ...meta, nextSequenceAck: String(nextAck) },
      );
    }
  }

  // The counterparty wrote exactly this acknowledgement (ICS-04 verifyPacketAcknowledgement).
  await verifier.verifyMembership(
    channel.clientId,
    proofHeight,
    packetAckKey(packet.destPort, packet.destChannel, packet.sequence),
    commitAcknowledgement(acknowledgement),
    proof,
  );

  await app.onAcknowledgementPacket(packet, acknowledgement);

  store.delete(packetCommitmentKey(packet.sourcePort, packet.sourceChannel, packet.sequence));
  store.delete(sentPacketKey(packet.sourcePort, packet.sourceChannel, packet.sequence));
  if (ordered) setNextSequence(store, "ack", packet.sourcePort, packet.sourceChannel, nextAck + 1n);
}
