/**
 * Timing out a packet (ICS-04 `timeoutPacket`): the sending chain proves that the counterparty passed
 * the packet's timeout without receiving it, lets the application refund, and deletes the commitment.
 * On an ordered channel a timeout breaks the ordering guarantee, so the channel closes.
 */
import { uint64Be } from "../../utils/index.ts";
import { mustGetChannel, setChannel } from "./channelStore.ts";
import { requireCounterparty, requireOwnCommitment } from "./checks.ts";
import { ChannelErrorCode, channelError } from "./errors.ts";
import { nextSequenceRecvKey, packetCommitmentKey, packetReceiptKey, sentPacketKey } from "./keys.ts";
import { validatePacket } from "./packet.ts";
import {
  type ChannelEnd,
  ChannelOrder,
  ChannelState,
  type IbcApp,
  type IbcStore,
  type Packet,
  type ProofVerifier,
} from "./types.ts";

/**
 * Processes a proven timeout of a packet this chain sent.
 *
 * `proofHeight` is a counterparty height the client has a consensus state for. For an unordered
 * channel `proof` is a non-membership proof of the packet's receipt; for an ordered channel it is a
 * membership proof that the counterparty's nextSequenceRecv equals `nextSequenceRecv`, which must be
 * <= the packet's sequence (ICS-04). Refused, with nothing written, when: the channel is missing or
 * INIT; routing does not match; the commitment is missing or differs; the timeout has not passed on
 * the counterparty (neither `proofHeight >= timeoutHeight` nor its consensus time at `proofHeight >=
 * timeoutTimestamp`) — IBC_TIMEOUT_NOT_REACHED; the proven nextSequenceRecv is past the packet —
 * IBC_TIMEOUT_PACKET_RECEIVED; the proof fails; or the application throws. On success the application's
 * onTimeoutPacket ran, the commitment is deleted, and an ordered channel that was OPEN is CLOSED (its
 * onChanClose called once).
 */
export async function timeoutPacket(
  store: IbcStore,
  verifier: ProofVerifier,
  packet: Packet,
  proof: Uint8Array,
  proofHeight: bigint,
  nextSequenceRecv: bigint,
  app: IbcApp,
): Promise<void> {
  validatePacket(packet);
  const meta = { port: packet.sourcePort, channel: packet.sourceChannel, sequence: String(packet.sequence) };
  const channel = await mustGetChannel(store, packet.sourcePort, packet.sourceChannel);
  // As ibc-go: a CLOSED channel still times out its in-flight packets, so their funds come back after
  // an ordered channel closes on its first timeout.
  if (channel.state === ChannelState.init) {
    throw channelError(
      ChannelErrorCode.channelNotOpen,
      `channel ${channel.portId}/${channel.channelId} is INIT`,
      meta,
    );
  }
  requireCounterparty(channel, packet.destPort, packet.destChannel);
  await requireOwnCommitment(store, packet);

  // ICS-04: the timeout must have passed on the counterparty at the proven height.
  const heightReached = packet.timeoutHeight !== 0n && proofHeight >= packet.timeoutHeight;
  let reached = heightReached;
  let counterpartyTime: bigint | undefined;
  if (!reached && packet.timeoutTimestamp !== 0n) {
    counterpartyTime = await verifier.consensusTimestamp(channel.clientId, proofHeight);
    reached = counterpartyTime >= packet.timeoutTimestamp;
  }
  if (!reached) {
    throw channelError(
      ChannelErrorCode.timeoutNotReached,
      `packet ${packet.sourcePort}/${packet.sourceChannel} sequence ${packet.sequence} has not timed out on the counterparty at height ${proofHeight}` +
        ` (timeout height ${packet.timeoutHeight}, timestamp ${packet.timeoutTimestamp}${counterpartyTime === undefined ? "" : `; counterparty time ${counterpartyTime}`})`,
      { ...meta, proofHeight: String(proofHeight) },
    );
  }

  const ordered = channel.ordering === ChannelOrder.ordered;
  if (ordered) {
    // ICS-04: the counterparty's nextSequenceRecv <= sequence proves the packet was not received.
    if (nextSequenceRecv > packet.sequence) {
      throw channelError(
        ChannelErrorCode.timeoutPacketReceived,
        `counterparty nextSequenceRecv ${nextSequenceRecv} is past sequence ${packet.sequence}: the packet was received`,
        { ...meta, nextSequenceRecv: String(nextSequenceRecv) },
      );
    }
    await verifier.verifyMembership(
      channel.clientId,
      proofHeight,
      nextSequenceRecvKey(packet.destPort, packet.destChannel),
      uint64Be(nextSequenceRecv),
      proof,
    );
  } else {
    await verifier.verifyNonMembership(
      channel.clientId,
      proofHeight,
      packetReceiptKey(packet.destPort, packet.destChannel, packet.sequence),
      proof,
    );
  }

  await app.onTimeoutPacket(packet);
  let closed: ChannelEnd | undefined;
  if (ordered && channel.state === ChannelState.open) {
    closed = { ...channel, state: ChannelState.closed };
    await app.onChanClose(closed);
  }

  store.delete(packetCommitmentKey(packet.sourcePort, packet.sourceChannel, packet.sequence));
  store.delete(sentPacketKey(packet.sourcePort, packet.sourceChannel, packet.sequence));
  if (closed !== undefined) setChannel(store, closed);
}
