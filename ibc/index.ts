/**
 * The packet layer (ICS-02/03/04/07/20): light clients of other icsd chains, channels, packets and the
 * token-transfer application. Other layers import only from this file.
 */

export { acknowledgePacket } from "./channel/acknowledge.ts";
export {
  decodeChannelEnd,
  encodeChannelEnd,
  type GenesisChannel,
  getChannel,
  getNextSequence,
  openChannelFromGenesis,
} from "./channel/channelStore.ts";
export {
  type ChannelCloseProof,
  closeChannelConfirm,
  decodeChannelCloseProof,
  encodeChannelCloseProof,
  expectedCounterpartyClosed,
} from "./channel/close.ts";
export { ChannelErrorCode } from "./channel/errors.ts";
export {
  ackDataKey,
  channelKey,
  MAX_SEQUENCE,
  nextSequenceAckKey,
  nextSequenceRecvKey,
  nextSequenceSendKey,
  packetAckKey,
  packetCommitmentKey,
  packetReceiptKey,
  sentPacketKey,
  validateChannelId,
  validatePortId,
} from "./channel/keys.ts";
export {
  commitAcknowledgement,
  commitPacket,
  decodePacket,
  encodePacket,
  hasTimedOut,
  validatePacket,
} from "./channel/packet.ts";
export {
  getAcknowledgement,
  getPacketAckCommitment,
  getPacketCommitment,
  getSentPacket,
  listChannels,
  type PacketCommitmentEntry,
  packetCommitments,
  sentPackets,
  unreceivedAcks,
  unreceivedPackets,
} from "./channel/queries.ts";
export { recvPacket } from "./channel/recv.ts";
export { type SendPacketMsg, sendPacket } from "./channel/send.ts";
export { timeoutPacket } from "./channel/timeout.ts";
export {
  type ChannelEnd,
  ChannelOrder,
  ChannelState,
  type IbcApp,
  type IbcKeyRange,
  type IbcStore,
  type Packet,
  type ProofVerifier,
} from "./channel/types.ts";
export {
  clientStatus,
  consensusTimestamp,
  createClient,
  getClientState,
  getConsensusState,
  latestConsensusState,
  type UpdateResult,
  updateClient,
} from "./client/client.ts";
export {
  decodeClientState,
  decodeConsensusState,
  decodeMisbehaviourRecord,
  encodeClientState,
  encodeConsensusState,
  encodeMisbehaviourRecord,
  validateClientState,
  validateConsensusState,
} from "./client/codec.ts";
export { ClientErrorCode } from "./client/errors.ts";
export {
  decodeClientHeader,
  decodeMisbehaviour,
  encodeClientHeader,
  encodeMisbehaviour,
  MAX_CLIENT_HEADER_BYTES,
  MAX_HEADER_VALIDATORS,
} from "./client/headerCodec.ts";
export { clientStateKey, consensusStateKey, validateClientId } from "./client/keys.ts";
export { submitMisbehaviour } from "./client/misbehaviour.ts";
export {
  type ClientProofVerifier,
  clientProofVerifier,
  verifyMembershipAt,
  verifyNonMembershipAt,
} from "./client/proofs.ts";
export { pruneExpired } from "./client/prune.ts";
export { readMisbehaviour as getMisbehaviour, type StoredConsensusState } from "./client/records.ts";
export {
  type ClientHeader,
  type ClientState,
  ClientStatus,
  type ClientStore,
  type ConsensusState,
  DEFAULT_TRUST_LEVEL,
  MisbehaviourKind,
  type MisbehaviourRecord,
  type SignedHeader,
  type TrustLevel,
} from "./client/types.ts";
export { isExpired, type VerifiedHeader, verifyClientHeader } from "./client/verifyHeader.ts";
export { TRANSFER_PORT, TransferApp } from "./transfer/app.ts";
export type { TransferBank } from "./transfer/bank.ts";
export {
  type DenomTrace,
  denomHash,
  escrowAddress,
  fullDenomPath,
  parseDenomTrace,
  voucherDenom,
} from "./transfer/denom.ts";
export { TransferErrorCode } from "./transfer/errors.ts";
export {
  decodeAck,
  decodePacketData,
  encodePacketData,
  errorAck,
  type FungibleTokenPacketData,
  ICS20_VERSION,
  SUCCESS_ACK,
  type TransferAck,
} from "./transfer/packetData.ts";
export { resolveDenom, sendTransfer, type TransferMsg } from "./transfer/send.ts";
