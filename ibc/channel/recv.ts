/**
 * Receiving a packet (ICS-04 `recvPacket` + `writeAcknowledgement`): the packet must be proven committed
 * by the counterparty, not timed out here, and not received before; the application's acknowledgement
 * is then committed for the sender to prove.
 */

import { getNextSequence, mustGetChannel, requireOpen, setNextSequence } from "./channelStore.ts";
import { requireCounterparty } from "./checks.ts";
import { ChannelErrorCode, channelError } from "./errors.ts";
import { ackDataKey, packetAckKey, packetCommitmentKey, packetReceiptKey } from "./keys.ts";
import { commitAcknowledgement, commitPacket, hasTimedOut, validatePacket } from "./packet.ts";
import { ChannelOrder, type IbcApp, type IbcStore, type Packet, type ProofVerifier } from "./types.ts";

const RECEIPT = Uint8Array.of(1);

/**
 * Receives `packet` on its destination channel and returns the acknowledgement the application wrote.
 *
 * Refused, with nothing written, when: the channel is missing or not OPEN; the packet's source is not
 * the channel's counterparty; this chain has reached the timeout (`hostHeight >= timeoutHeight` or
 * `hostTime >= timeoutTimestamp`, when set); the packet was received before (unordered: a receipt
 * exists; ordered: sequence < nextSequenceRecv) — IBC_PACKET_ALREADY_RECEIVED; an ordered packet
 * skips ahead (sequence > nextSequenceRecv) — IBC_PACKET_OUT_OF_ORDER; `proof` does not show the
 * packet's commitment at the counterparty's commitment key at `proofHeight`; or the app throws.
 * On success: the receipt (unordered) or nextSequenceRecv + 1 (ordered) and sha256(ack) are written,
 * so each packet is delivered exactly once, and in order on an ordered channel.
 */
export async function recvPacket(
  store: IbcStore,
  verifier: ProofVerifier,
  packet: Packet,
  proof: Uint8Array,
  proofHeight: bigint,
  hostHeight: bigint,
  hostTime: bigint,
  app: IbcApp,
): Promise<Uint8Array> {
  validatePacket(packet);
  const channel = await mustGetChannel(store, packet.destPort, packet.destChannel);
  requireOpen(channel);
  requireCounterparty(channel, packet.sourcePort, packet.sourceChannel);
  const where = `${packet.destPort}/${packet.destChannel} sequence ${packet.sequence}`;
  const meta = { port: packet.destPort, channel: packet.destChannel, sequence: String(packet.sequence) };
  // ICS-04: a packet past its timeout on the receiving chain must never be received, so that the
  // sender's timeout proof (non-receipt after the timeout) is sound.
  if (hasTimedOut(packet, hostHeight, hostTime)) {
    throw channelError(
      ChannelErrorCode.packetTimedOut,
      `packet ${where} timed out (timeout height ${packet.timeoutHeight}, timestamp ${packet.timeoutTimestamp}; host height ${hostHeight}, time ${hostTime})`,
      { ...meta, hostHeight: String(hostHeight), hostTime: String(hostTime) },
    );
  }

  // Replay protection (ICS-04): ordered channels by sequence, unordered ones by receipt.
  const ordered = channel.ordering === ChannelOrder.ordered;
  let nextRecv = 0n;
  if (ordered) {
    nextRecv = await getNextSequence(store, "recv", packet.destPort, packet.destChannel);
    if (packet.sequence < nextRecv) {
      throw channelError(
        ChannelErrorCode.packetAlreadyReceived,
        `packet ${where} was already received (ordered channel expects ${nextRecv})`,
        { ...meta, nextSequenceRecv: String(nextRecv) },
      );
    }
    if (packet.sequence > nextRecv) {
      throw channelError(
        ChannelErrorCode.packetOutOfOrder,
        `packet ${where} is out of order: the ordered channel expects sequence ${nextRecv}`,
        { ...meta, nextSequenceRecv: String(nextRecv) },
      );
    }
  } else if (
    (await store.get(packetReceiptKey(packet.destPort, packet.destChannel, packet.sequence))) !== undefined
  ) {
    throw channelError(ChannelErrorCode.packetAlreadyReceived, `packet ${where} was already received`, meta);
  }

  // The counterparty committed exactly this packet (ICS-04 verifyPacketCommitment).
  await verifier.verifyMembership(
    channel.clientId,
    proofHeight,
    packetCommitmentKey(packet.sourcePort, packet.sourceChannel, packet.sequence),
    commitPacket(packet),
    proof,
  );

  const ack = await app.onRecvPacket(packet);
  if (!(ack instanceof Uint8Array) || ack.length === 0) {
    // ICS-04 writeAcknowledgement: an empty acknowledgement is invalid.
    throw channelError(
      ChannelErrorCode.ackInvalid,
      `application returned an empty acknowledgement for ${where}`,
      meta,
    );
  }

  if (ordered) setNextSequence(store, "recv", packet.destPort, packet.destChannel, nextRecv + 1n);
  else store.set(packetReceiptKey(packet.destPort, packet.destChannel, packet.sequence), RECEIPT);
  store.set(packetAckKey(packet.destPort, packet.destChannel, packet.sequence), commitAcknowledgement(ack));
  store.set(ackDataKey(packet.destPort, packet.destChannel, packet.sequence), ack);
  return ack;
}
