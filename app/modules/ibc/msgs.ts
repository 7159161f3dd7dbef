/**
 * The ibc module's messages (ibc-go type URLs and protos): light clients (create, update,
 * misbehaviour), packet relays (receive, acknowledgement, timeout), channel close confirmation and
 * ICS-20 MsgTransfer. Decoding is
 * the stateless check (ValidateBasic): signer, identifiers, a present packet, proofs of 1 byte to
 * 64 KiB, revision-0 heights, and the light-client Anys decoded with ibc/'s canonical codecs.
 */

import type { Any } from "cosmjs-types/google/protobuf/any";
import { MsgTransfer, MsgTransferResponse } from "cosmjs-types/ibc/applications/transfer/v1/tx";
import type { Packet as PacketProto } from "cosmjs-types/ibc/core/channel/v1/channel";
import {
  MsgAcknowledgement,
  MsgAcknowledgementResponse,
  MsgChannelCloseConfirm,
  MsgChannelCloseConfirmResponse,
  MsgRecvPacket,
  MsgRecvPacketResponse,
  MsgTimeout,
  MsgTimeoutResponse,
  ResponseResultType,
} from "cosmjs-types/ibc/core/channel/v1/tx";
import type { Height } from "cosmjs-types/ibc/core/client/v1/client";
import {
  MsgCreateClient,
  MsgCreateClientResponse,
  MsgSubmitMisbehaviour,
  MsgSubmitMisbehaviourResponse,
  MsgUpdateClient,
  MsgUpdateClientResponse,
} from "cosmjs-types/ibc/core/client/v1/tx";
import {
  type ClientHeader,
  type ClientState,
  type ConsensusState,
  decodeClientHeader,
  decodeClientState,
  decodeConsensusState,
  decodeMisbehaviour,
  type Packet,
  type TransferMsg,
  validateChannelId,
  validateClientId,
  validatePacket,
  validatePortId,
} from "../../../ibc/index.ts";
import { addressBytes } from "../../address.ts";
import { parseAmount } from "../../coins.ts";
import type { SdkError } from "../../errors.ts";
import { type MsgRoute, msgRoute } from "../../module.ts";
import { decodeProto } from "../../msgs.ts";
import { errInvalidIbcMessage, errRedundantRelay, ibcCallSync } from "./errors.ts";
import type { IbcKeeper, RelayResult } from "./keeper.ts";

/** Type URLs of the light client's Anys (values are ibc/'s canonical encodings). */
export const LightClientTypeUrl = {
  clientState: "/icsd.lightclient.v1.ClientState",
  consensusState: "/icsd.lightclient.v1.ConsensusState",
  header: "/icsd.lightclient.v1.Header",
  misbehaviour: "/icsd.lightclient.v1.Misbehaviour",
} as const;

/** Proofs larger than this are refused before any work (an icsd tree proof is a few KiB). */
export const MAX_PROOF_BYTES = 64 * 1024;
const MAX_MEMO = 32768;
const MAX_RECEIVER = 2048;

// ---- stateless checks ----------------------------------------------------------------------------

function signerOf(signer: string, prefix: string): string {
  addressBytes(signer, prefix, "signer");
  return signer;
}

function anyValue(any: Any | undefined, typeUrl: string, field: string): Uint8Array {
  if (any === undefined) throw errInvalidIbcMessage(`${field} is missing`);
  if (any.typeUrl !== typeUrl) {
    throw errInvalidIbcMessage(`${field} has type ${JSON.stringify(any.typeUrl)}, expected ${typeUrl}`);
  }
  return any.value;
}

function proofOf(b: Uint8Array, field: string): Uint8Array {
  if (b.length === 0) throw errInvalidIbcMessage(`${field} is empty`);
  if (b.length > MAX_PROOF_BYTES) {
    throw errInvalidIbcMessage(`${field} is ${b.length} bytes, more than ${MAX_PROOF_BYTES}`);
  }
  return b;
}

/** A revision-0 height; `positive` refuses 0 (a proof height must name a consensus state). */
function heightOf(h: Height | undefined, field: string, positive: boolean): bigint {
  const revisionNumber = h?.revisionNumber ?? 0n;
  const revisionHeight = h?.revisionHeight ?? 0n;
  if (revisionNumber !== 0n) {
    throw errInvalidIbcMessage(`${field} has revision number ${revisionNumber}: icsd heights are revision 0`);
  }
  if (positive && revisionHeight === 0n) throw errInvalidIbcMessage(`${field} must not be zero`);
  return revisionHeight;
}

/** The ibc-go Packet proto as ibc/'s Packet, validated (ICS-04 Packet.ValidateBasic). */
export function packetFromProto(p: PacketProto | undefined): Packet {
  if (
    p === undefined ||
    (p.sequence === 0n && p.sourcePort === "" && p.sourceChannel === "" && p.data.length === 0)
  ) {
    throw errInvalidIbcMessage("packet is missing");
  }
  const packet: Packet = {
    sequence: p.sequence,
    sourcePort: p.sourcePort,
    sourceChannel: p.sourceChannel,
    destPort: p.destinationPort,
    destChannel: p.destinationChannel,
    data: p.data,
    timeoutHeight: heightOf(p.timeoutHeight, "packet timeout height", false),
    timeoutTimestamp: p.timeoutTimestamp,
  };
  ibcCallSync(() => validatePacket(packet));
  return packet;
}

/** ibc/'s Packet as the ibc-go Packet proto. */
export function packetToProto(p: Packet): PacketProto {
  return {
    sequence: p.sequence,
    sourcePort: p.sourcePort,
    sourceChannel: p.sourceChannel,
    destinationPort: p.destPort,
    destinationChannel: p.destChannel,
    data: p.data,
    timeoutHeight: { revisionNumber: 0n, revisionHeight: p.timeoutHeight },
    timeoutTimestamp: p.timeoutTimestamp,
  };
}

// ---- decoded messages ----------------------------------------------------------------------------

interface CreateClientMsg {
  readonly clientState: ClientState;
  readonly consensusState: ConsensusState;
}

type UpdateClientMsg =
  | { readonly clientId: string; readonly header: ClientHeader }
  | { readonly clientId: string; readonly misbehaviour: { header1: ClientHeader; header2: ClientHeader } };

interface MisbehaviourMsg {
  readonly clientId: string;
  readonly header1: ClientHeader;
  readonly header2: ClientHeader;
}

interface RecvMsg {
  readonly packet: Packet;
  readonly proof: Uint8Array;
  readonly proofHeight: bigint;
}

interface AckMsg extends RecvMsg {
  readonly acknowledgement: Uint8Array;
}

interface TimeoutMsg extends RecvMsg {
  readonly nextSequenceRecv: bigint;
}

interface CloseConfirmMsg {
  readonly portId: string;
  readonly channelId: string;
  readonly proofInit: Uint8Array;
  readonly proofHeight: bigint;
}

// ---- responses -----------------------------------------------------------------------------------

function resultOf(r: RelayResult): ResponseResultType {
  return r.kind === "noop"
    ? ResponseResultType.RESPONSE_RESULT_TYPE_NOOP
    : ResponseResultType.RESPONSE_RESULT_TYPE_SUCCESS;
}

/** The redundant-relay hook of a packet route: a NOOP result fails an all-redundant tx. */
function redundantIf(decode: (value: Uint8Array) => { result: ResponseResultType }) {
  return (response: Any): SdkError | undefined =>
    decode(response.value).result === ResponseResultType.RESPONSE_RESULT_TYPE_NOOP
      ? errRedundantRelay()
      : undefined;
}

/** Every message route of the ibc module, bound to its keeper. */
export function ibcMsgRoutes(k: IbcKeeper): MsgRoute[] {
  const createClient: MsgRoute<CreateClientMsg> = {
    typeUrl: "/ibc.core.client.v1.MsgCreateClient",
    module: "ibc_client",
    decode(value, prefix) {
      const m = decodeProto(this.typeUrl, () => MsgCreateClient.decode(value));
      const signer = signerOf(m.signer, prefix);
      const cs = anyValue(m.clientState, LightClientTypeUrl.clientState, "client state");
      const cons = anyValue(m.consensusState, LightClientTypeUrl.consensusState, "consensus state");
      const msg = {
        clientState: ibcCallSync(() => decodeClientState(cs)),
        consensusState: ibcCallSync(() => decodeConsensusState(cons)),
      };
      return { signer, msg };
    },
    async handle(ctx, msg) {
      const clientId = await k.createClient(ctx, msg.clientState, msg.consensusState);
      return {
        typeUrl: "/ibc.core.client.v1.MsgCreateClientResponse",
        value: MsgCreateClientResponse.encode({ clientId }).finish(),
      };
    },
  };

  const updateResponse = (): Any => ({
    typeUrl: "/ibc.core.client.v1.MsgUpdateClientResponse",
    value: MsgUpdateClientResponse.encode({}).finish(),
  });
  const updateClient: MsgRoute<UpdateClientMsg> = {
    typeUrl: "/ibc.core.client.v1.MsgUpdateClient",
    module: "ibc_client",
    decode(value, prefix) {
      const m = decodeProto(this.typeUrl, () => MsgUpdateClient.decode(value));
      const signer = signerOf(m.signer, prefix);
      ibcCallSync(() => validateClientId(m.clientId));
      // As ibc-go: the client message is a header or, equally, misbehaviour.
      if (m.clientMessage?.typeUrl === LightClientTypeUrl.misbehaviour) {
        const misbehaviour = ibcCallSync(() => decodeMisbehaviour(m.clientMessage!.value));
        return { signer, msg: { clientId: m.clientId, misbehaviour } };
      }
      const bytes = anyValue(m.clientMessage, LightClientTypeUrl.header, "client message");
      return { signer, msg: { clientId: m.clientId, header: ibcCallSync(() => decodeClientHeader(bytes)) } };
    },
    async handle(ctx, msg) {
      if ("header" in msg) await k.updateClient(ctx, msg.clientId, msg.header);
      else await k.submitMisbehaviour(ctx, msg.clientId, msg.misbehaviour.header1, msg.misbehaviour.header2);
      return updateResponse();
    },
  };

  const submitMisbehaviour: MsgRoute<MisbehaviourMsg> = {
    typeUrl: "/ibc.core.client.v1.MsgSubmitMisbehaviour",
    module: "ibc_client",
    decode(value, prefix) {
      const m = decodeProto(this.typeUrl, () => MsgSubmitMisbehaviour.decode(value));
      const signer = signerOf(m.signer, prefix);
      ibcCallSync(() => validateClientId(m.clientId));
      const bytes = anyValue(m.misbehaviour, LightClientTypeUrl.misbehaviour, "misbehaviour");
      const { header1, header2 } = ibcCallSync(() => decodeMisbehaviour(bytes));
      return { signer, msg: { clientId: m.clientId, header1, header2 } };
    },
    async handle(ctx, msg) {
      await k.submitMisbehaviour(ctx, msg.clientId, msg.header1, msg.header2);
      return {
        typeUrl: "/ibc.core.client.v1.MsgSubmitMisbehaviourResponse",
        value: MsgSubmitMisbehaviourResponse.encode({}).finish(),
      };
    },
  };

  const recvPacket: MsgRoute<RecvMsg> = {
    typeUrl: "/ibc.core.channel.v1.MsgRecvPacket",
    module: "ibc_channel",
    decode(value, prefix) {
      const m = decodeProto(this.typeUrl, () => MsgRecvPacket.decode(value));
      const signer = signerOf(m.signer, prefix);
      const packet = packetFromProto(m.packet);
      const proof = proofOf(m.proofCommitment, "proof commitment");
      return { signer, msg: { packet, proof, proofHeight: heightOf(m.proofHeight, "proof height", true) } };
    },
    async handle(ctx, msg) {
      const r = await k.recvPacket(ctx, msg.packet, msg.proof, msg.proofHeight);
      return {
        typeUrl: "/ibc.core.channel.v1.MsgRecvPacketResponse",
        value: MsgRecvPacketResponse.encode({ result: resultOf(r) }).finish(),
      };
    },
    redundantRelay: redundantIf((v) => MsgRecvPacketResponse.decode(v)),
  };

  const acknowledgement: MsgRoute<AckMsg> = {
    typeUrl: "/ibc.core.channel.v1.MsgAcknowledgement",
    module: "ibc_channel",
    decode(value, prefix) {
      const m = decodeProto(this.typeUrl, () => MsgAcknowledgement.decode(value));
      const signer = signerOf(m.signer, prefix);
      const packet = packetFromProto(m.packet);
      if (m.acknowledgement.length === 0) throw errInvalidIbcMessage("acknowledgement is empty");
      const proof = proofOf(m.proofAcked, "proof acked");
      const proofHeight = heightOf(m.proofHeight, "proof height", true);
      return { signer, msg: { packet, acknowledgement: m.acknowledgement, proof, proofHeight } };
    },
    async handle(ctx, msg) {
      const r = await k.acknowledgePacket(ctx, msg.packet, msg.acknowledgement, msg.proof, msg.proofHeight);
      return {
        typeUrl: "/ibc.core.channel.v1.MsgAcknowledgementResponse",
        value: MsgAcknowledgementResponse.encode({ result: resultOf(r) }).finish(),
      };
    },
    redundantRelay: redundantIf((v) => MsgAcknowledgementResponse.decode(v)),
  };

  const timeout: MsgRoute<TimeoutMsg> = {
    typeUrl: "/ibc.core.channel.v1.MsgTimeout",
    module: "ibc_channel",
    decode(value, prefix) {
      const m = decodeProto(this.typeUrl, () => MsgTimeout.decode(value));
      const signer = signerOf(m.signer, prefix);
      const packet = packetFromProto(m.packet);
      const proof = proofOf(m.proofUnreceived, "proof unreceived");
      const proofHeight = heightOf(m.proofHeight, "proof height", true);
      return { signer, msg: { packet, proof, proofHeight, nextSequenceRecv: m.nextSequenceRecv } };
    },
    async handle(ctx, msg) {
      const r = await k.timeoutPacket(ctx, msg.packet, msg.proof, msg.proofHeight, msg.nextSequenceRecv);
      return {
        typeUrl: "/ibc.core.channel.v1.MsgTimeoutResponse",
        value: MsgTimeoutResponse.encode({ result: resultOf(r) }).finish(),
      };
    },
    redundantRelay: redundantIf((v) => MsgTimeoutResponse.decode(v)),
  };

  // ibc-go's MsgChannelCloseConfirmResponse has no result field, so the route remembers which of its
  // responses were no-ops (a response object is only ever seen by the runTx that got it).
  const closeNoops = new WeakSet<Any>();
  const channelCloseConfirm: MsgRoute<CloseConfirmMsg> = {
    typeUrl: "/ibc.core.channel.v1.MsgChannelCloseConfirm",
    module: "ibc_channel",
    decode(value, prefix) {
      const m = decodeProto(this.typeUrl, () => MsgChannelCloseConfirm.decode(value));
      const signer = signerOf(m.signer, prefix);
      ibcCallSync(() => {
        validatePortId(m.portId);
        validateChannelId(m.channelId);
      });
      const proofInit = proofOf(m.proofInit, "proof init");
      const proofHeight = heightOf(m.proofHeight, "proof height", true);
      return { signer, msg: { portId: m.portId, channelId: m.channelId, proofInit, proofHeight } };
    },
    async handle(ctx, msg) {
      const r = await k.channelCloseConfirm(ctx, msg.portId, msg.channelId, msg.proofInit, msg.proofHeight);
      const response: Any = {
        typeUrl: "/ibc.core.channel.v1.MsgChannelCloseConfirmResponse",
        value: MsgChannelCloseConfirmResponse.encode({}).finish(),
      };
      if (r.kind === "noop") closeNoops.add(response);
      return response;
    },
    redundantRelay: (response) => (closeNoops.has(response) ? errRedundantRelay() : undefined),
  };

  const transfer: MsgRoute<TransferMsg> = {
    typeUrl: "/ibc.applications.transfer.v1.MsgTransfer",
    module: "transfer",
    decode(value, prefix) {
      const m = decodeProto(this.typeUrl, () => MsgTransfer.decode(value));
      const sender = m.sender;
      addressBytes(sender, prefix, "sender");
      ibcCallSync(() => {
        validatePortId(m.sourcePort);
        validateChannelId(m.sourceChannel);
      });
      const token = m.token;
      if (token === undefined || token.denom === "") throw errInvalidIbcMessage("token is missing");
      const amount = parseAmount(token.amount, "token amount");
      if (amount === 0n) throw errInvalidIbcMessage("token amount must be positive");
      if (m.receiver.trim() === "" || m.receiver.length > MAX_RECEIVER) {
        throw errInvalidIbcMessage(
          `receiver must be a non-blank string of at most ${MAX_RECEIVER} characters`,
        );
      }
      if (m.memo.length > MAX_MEMO) throw errInvalidIbcMessage(`memo is longer than ${MAX_MEMO} characters`);
      const timeoutHeight = heightOf(m.timeoutHeight, "timeout height", false);
      if (timeoutHeight === 0n && m.timeoutTimestamp === 0n) {
        throw errInvalidIbcMessage("timeout height and timeout timestamp are both zero");
      }
      const msg: TransferMsg = {
        sourcePort: m.sourcePort,
        sourceChannel: m.sourceChannel,
        denom: token.denom,
        amount,
        sender,
        receiver: m.receiver,
        memo: m.memo,
        timeoutHeight,
        timeoutTimestamp: m.timeoutTimestamp,
      };
      return { signer: sender, msg };
    },
    async handle(ctx, msg) {
      const packet = await k.transfer(ctx, msg);
      return {
        typeUrl: "/ibc.applications.transfer.v1.MsgTransferResponse",
        value: MsgTransferResponse.encode({ sequence: packet.sequence }).finish(),
      };
    },
  };

  return [
    msgRoute(createClient),
    msgRoute(updateClient),
    msgRoute(submitMisbehaviour),
    msgRoute(recvPacket),
    msgRoute(acknowledgement),
    msgRoute(timeout),
    msgRoute(channelCloseConfirm),
    msgRoute(transfer),
  ];
}
