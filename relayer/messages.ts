/**
 * The ibc-go messages the relayer signs (contract: cosmjs-types protos, icsd light-client Anys inside),
 * built from ibc/'s domain types. CosmJS's default registry knows every one of these type URLs.
 */
import type { EncodeObject } from "@cosmjs/proto-signing";
import { Packet as ProtoPacket } from "cosmjs-types/ibc/core/channel/v1/channel";
import {
  MsgAcknowledgement,
  MsgChannelCloseConfirm,
  MsgRecvPacket,
  MsgTimeout,
} from "cosmjs-types/ibc/core/channel/v1/tx";
import type { Height } from "cosmjs-types/ibc/core/client/v1/client";
import { MsgUpdateClient } from "cosmjs-types/ibc/core/client/v1/tx";
import { type ClientHeader, encodeClientHeader, type Packet } from "../ibc/index.ts";

/** The Any type URL of a ClientHeader (value = encodeClientHeader). */
export const HEADER_TYPE_URL = "/icsd.lightclient.v1.Header";
export const MSG_UPDATE_CLIENT = "/ibc.core.client.v1.MsgUpdateClient";
export const MSG_RECV_PACKET = "/ibc.core.channel.v1.MsgRecvPacket";
export const MSG_ACKNOWLEDGEMENT = "/ibc.core.channel.v1.MsgAcknowledgement";
export const MSG_TIMEOUT = "/ibc.core.channel.v1.MsgTimeout";
export const MSG_CHANNEL_CLOSE_CONFIRM = "/ibc.core.channel.v1.MsgChannelCloseConfirm";

/** An ibc-go Height of revision 0. */
export function height(h: bigint): Height {
  return { revisionNumber: 0n, revisionHeight: h };
}

/** ibc/'s Packet as the ibc-go Packet proto. */
export function toProtoPacket(p: Packet): ProtoPacket {
  return ProtoPacket.fromPartial({
    sequence: p.sequence,
    sourcePort: p.sourcePort,
    sourceChannel: p.sourceChannel,
    destinationPort: p.destPort,
    destinationChannel: p.destChannel,
    data: p.data,
    timeoutHeight: height(p.timeoutHeight),
    timeoutTimestamp: p.timeoutTimestamp,
  });
}

export function updateClientMsg(clientId: string, header: ClientHeader, signer: string): EncodeObject {
  return {
    typeUrl: MSG_UPDATE_CLIENT,
    value: MsgUpdateClient.fromPartial({
      clientId,
      clientMessage: { typeUrl: HEADER_TYPE_URL, value: encodeClientHeader(header) },
      signer,
    }),
  };
}

export function recvPacketMsg(
  packet: Packet,
  proof: Uint8Array,
  proofHeight: bigint,
  signer: string,
): EncodeObject {
  return {
    typeUrl: MSG_RECV_PACKET,
    value: MsgRecvPacket.fromPartial({
      packet: toProtoPacket(packet),
      proofCommitment: proof,
      proofHeight: height(proofHeight),
      signer,
    }),
  };
}

export function acknowledgementMsg(
  packet: Packet,
  acknowledgement: Uint8Array,
  proof: Uint8Array,
  proofHeight: bigint,
  signer: string,
): EncodeObject {
  return {
    typeUrl: MSG_ACKNOWLEDGEMENT,
    value: MsgAcknowledgement.fromPartial({
      packet: toProtoPacket(packet),
      acknowledgement,
      proofAcked: proof,
      proofHeight: height(proofHeight),
      signer,
    }),
  };
}

/**
 * `nextSequenceRecv` is the counterparty's proven value on an ordered channel; on an unordered one it is
 * not checked, and the packet's own sequence is sent (ibc-go refuses 0).
 */
export function timeoutMsg(
  packet: Packet,
  proof: Uint8Array,
  proofHeight: bigint,
  nextSequenceRecv: bigint,
  signer: string,
): EncodeObject {
  return {
    typeUrl: MSG_TIMEOUT,
    value: MsgTimeout.fromPartial({
      packet: toProtoPacket(packet),
      proofUnreceived: proof,
      proofHeight: height(proofHeight),
      nextSequenceRecv,
      signer,
    }),
  };
}

/**
 * ICS-04 chanCloseConfirm of the destination end (port, channel); `proofInit` is ibc/'s encoded
 * ChannelCloseProof of the source's CLOSED end at `proofHeight`.
 */
export function channelCloseConfirmMsg(
  port: string,
  channel: string,
  proofInit: Uint8Array,
  proofHeight: bigint,
  signer: string,
): EncodeObject {
  return {
    typeUrl: MSG_CHANNEL_CLOSE_CONFIRM,
    value: MsgChannelCloseConfirm.fromPartial({
      portId: port,
      channelId: channel,
      proofInit,
      proofHeight: height(proofHeight),
      signer,
    }),
  };
}
