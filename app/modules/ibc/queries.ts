/**
 * The ibc module's queries: ibc-go's gRPC services (client, channel, transfer; protos from cosmjs-types,
 * DenomTrace(s) from denomTraceQueries.ts) and icsd's JSON queries for relayers (packets still awaiting
 * an ack or timeout, and the acknowledgement bytes written on receive). Every query reads committed
 * state at the requested height; proofs come from `/store/ibc/key`, so the proof fields are empty.
 */

import type { Any } from "cosmjs-types/google/protobuf/any";
import {
  QueryEscrowAddressRequest,
  QueryEscrowAddressResponse,
} from "cosmjs-types/ibc/applications/transfer/v1/query";
import { type Channel, type IdentifiedChannel, Order, State } from "cosmjs-types/ibc/core/channel/v1/channel";
import {
  QueryChannelRequest,
  QueryChannelResponse,
  QueryChannelsRequest,
  QueryChannelsResponse,
  QueryNextSequenceReceiveRequest,
  QueryNextSequenceReceiveResponse,
  QueryPacketCommitmentsRequest,
  QueryPacketCommitmentsResponse,
  QueryUnreceivedAcksRequest,
  QueryUnreceivedAcksResponse,
  QueryUnreceivedPacketsRequest,
  QueryUnreceivedPacketsResponse,
} from "cosmjs-types/ibc/core/channel/v1/query";
import type { Height } from "cosmjs-types/ibc/core/client/v1/client";
import {
  QueryClientStateRequest,
  QueryClientStateResponse,
  QueryClientStatesRequest,
  QueryClientStatesResponse,
  QueryClientStatusRequest,
  QueryClientStatusResponse,
  QueryConsensusStateHeightsRequest,
  QueryConsensusStateHeightsResponse,
  QueryConsensusStateRequest,
  QueryConsensusStateResponse,
} from "cosmjs-types/ibc/core/client/v1/query";
import {
  type ChannelEnd,
  ChannelErrorCode,
  ChannelOrder,
  ChannelState,
  ClientErrorCode,
  type ClientState,
  type ConsensusState,
  clientStatus,
  consensusStateKey,
  encodeClientState,
  encodeConsensusState,
  escrowAddress,
  getAcknowledgement,
  getChannel,
  getClientState,
  getConsensusState,
  getNextSequence,
  latestConsensusState,
  listChannels,
  MAX_SEQUENCE,
  packetCommitments,
  sentPackets,
  unreceivedAcks,
  unreceivedPackets,
  validateChannelId,
  validateClientId,
  validatePortId,
} from "../../../ibc/index.ts";
import { fromUtf8, IcsdError, readUint64Be, toBase64, utf8 } from "../../../utils/index.ts";
import { bech32Address } from "../../address.ts";
import { errInvalidRequest, SdkError } from "../../errors.ts";
import type { QueryHandler } from "../../module.ts";
import { paginate } from "../../pagination.ts";
import { decodeQueryRequest as decodeRequest, grpcNotFound } from "../../queries.ts";
import type { AppStore } from "../../store.ts";
import { prefixEnd } from "../bank.ts";
import {
  QueryDenomTraceRequest,
  QueryDenomTraceResponse,
  QueryDenomTracesRequest,
  QueryDenomTracesResponse,
} from "./denomTraceQueries.ts";
import type { IbcKeeper } from "./keeper.ts";
import { LightClientTypeUrl } from "./msgs.ts";
import { allDenomTraces, readDenomTrace } from "./transferBank.ts";

/** Most packets one SentPackets query returns, and most sequences one Acknowledgements query takes. */
export const MAX_JSON_QUERY_ITEMS = 1000;

const NOT_FOUND_CODES: ReadonlySet<string> = new Set([
  ChannelErrorCode.channelNotFound,
  ClientErrorCode.ClientNotFound,
  ClientErrorCode.ConsensusStateNotFound,
]);

/** Packet-layer errors in a query: missing things are gRPC NotFound, the rest invalid requests. */
async function read<T>(f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    if (e instanceof SdkError) throw e;
    if (e instanceof IcsdError) {
      throw NOT_FOUND_CODES.has(e.code)
        ? grpcNotFound(e.message)
        : errInvalidRequest(`${e.code}: ${e.message}`);
    }
    throw e;
  }
}

function check(f: () => void): void {
  try {
    f();
  } catch (e) {
    throw errInvalidRequest(e instanceof Error ? e.message : String(e));
  }
}

const height = (h: number | bigint): Height => ({ revisionNumber: 0n, revisionHeight: BigInt(h) });

/** The client state as the light client's Any. */
export function clientStateAny(cs: ClientState): Any {
  return { typeUrl: LightClientTypeUrl.clientState, value: encodeClientState(cs) };
}

/** The consensus state as the light client's Any. */
export function consensusStateAny(cs: ConsensusState): Any {
  return { typeUrl: LightClientTypeUrl.consensusState, value: encodeConsensusState(cs) };
}

const STATE: Record<ChannelEnd["state"], State> = {
  [ChannelState.init]: State.STATE_INIT,
  [ChannelState.open]: State.STATE_OPEN,
  [ChannelState.closed]: State.STATE_CLOSED,
};

/** A channel end as ibc-go's Channel proto (the connection hop is the client the channel proves with). */
export function channelToProto(c: ChannelEnd): Channel {
  return {
    state: STATE[c.state],
    ordering: c.ordering === ChannelOrder.ordered ? Order.ORDER_ORDERED : Order.ORDER_UNORDERED,
    counterparty: { portId: c.counterpartyPortId, channelId: c.counterpartyChannelId },
    connectionHops: [c.clientId],
    version: c.version,
  };
}

function identified(c: ChannelEnd): IdentifiedChannel {
  return { ...channelToProto(c), portId: c.portId, channelId: c.channelId };
}

// The light client's documented layout (ibc/client/keys.ts): ibc/clients/{clientId}/... per client.
const CLIENTS_PREFIX = "ibc/clients/";

/** Every client id, in key order: one seek per client, whatever its number of consensus states. */
export async function listClientIds(store: AppStore): Promise<string[]> {
  const end = prefixEnd(utf8(CLIENTS_PREFIX));
  const ids: string[] = [];
  let gte = utf8(CLIENTS_PREFIX);
  for (;;) {
    let next: Uint8Array | undefined;
    for await (const [k] of store.iterate({ gte, lt: end })) {
      next = k;
      break;
    }
    if (next === undefined) return ids;
    const rest = Buffer.from(next).toString("latin1").slice(CLIENTS_PREFIX.length);
    const id = rest.slice(0, rest.indexOf("/"));
    if ((await store.get(utf8(`${CLIENTS_PREFIX}${id}/clientState`))) !== undefined) ids.push(id);
    gte = prefixEnd(utf8(`${CLIENTS_PREFIX}${id}/`));
  }
}

/** The heights of a client's consensus states, ascending. */
export async function consensusStateHeights(store: AppStore, clientId: string): Promise<bigint[]> {
  const prefix = consensusStateKey(clientId, 0n).slice(0, -8);
  const out: bigint[] = [];
  for await (const [k] of store.iterate({ gte: prefix, lt: prefixEnd(prefix) })) {
    if (k.length === prefix.length + 8) out.push(readUint64Be(k, prefix.length));
  }
  return out;
}

// ---- icsd JSON queries ---------------------------------------------------------------------------

type Json = Record<string, unknown>;

function jsonRequest(path: string, data: Uint8Array): Json {
  const v = decodeRequest(path, () => JSON.parse(fromUtf8(data)) as unknown);
  if (typeof v !== "object" || v === null || Array.isArray(v)) {
    throw errInvalidRequest(`invalid request for ${path}: the body must be a JSON object`);
  }
  return v as Json;
}

function jsonString(o: Json, field: string): string {
  const v = o[field];
  if (typeof v !== "string") throw errInvalidRequest(`${field} must be a string`);
  return v;
}

function jsonUint(o: Json, field: string, dflt: bigint): bigint {
  const v = o[field];
  if (v === undefined) return dflt;
  return decimal(v, field);
}

function decimal(v: unknown, field: string): bigint {
  if (typeof v !== "string" || !/^(0|[1-9][0-9]{0,19})$/.test(v) || BigInt(v) > MAX_SEQUENCE) {
    throw errInvalidRequest(`${field} must be a decimal string of a u64`);
  }
  return BigInt(v);
}

function channelOf(o: Json): { port: string; channel: string } {
  const port = jsonString(o, "port_id");
  const channel = jsonString(o, "channel_id");
  check(() => {
    validatePortId(port);
    validateChannelId(channel);
  });
  return { port, channel };
}

const jsonResponse = (v: Json): Uint8Array => utf8(JSON.stringify(v));

// ---- handlers ------------------------------------------------------------------------------------

/** Every query of the ibc module, by abci_query path. */
export function ibcQueries(k: IbcKeeper): Record<string, QueryHandler> {
  const clientIdOf = (id: string): string => {
    check(() => validateClientId(id));
    return id;
  };
  const portChannel = (port: string, channel: string): void =>
    check(() => {
      validatePortId(port);
      validateChannelId(channel);
    });
  const requireClient = async (store: AppStore, id: string): Promise<ClientState> => {
    const cs = await read(() => getClientState(store, id));
    if (cs === undefined) throw grpcNotFound(`client ${id} not found`);
    return cs;
  };

  return {
    "/ibc.core.client.v1.Query/ClientState": async (ctx, data) => {
      const req = decodeRequest("ClientState", () => QueryClientStateRequest.decode(data));
      const cs = await requireClient(ctx.store, clientIdOf(req.clientId));
      return QueryClientStateResponse.encode({
        clientState: clientStateAny(cs),
        proof: new Uint8Array(),
        proofHeight: height(ctx.height),
      }).finish();
    },
    "/ibc.core.client.v1.Query/ClientStates": async (ctx, data) => {
      const req = decodeRequest("ClientStates", () => QueryClientStatesRequest.decode(data));
      const ids = await listClientIds(ctx.store);
      const { page, pagination } = paginate(ids, req.pagination);
      const clientStates = [];
      for (const clientId of page) {
        clientStates.push({
          clientId,
          clientState: clientStateAny(await requireClient(ctx.store, clientId)),
        });
      }
      return QueryClientStatesResponse.encode({ clientStates, pagination }).finish();
    },
    "/ibc.core.client.v1.Query/ConsensusState": async (ctx, data) => {
      const req = decodeRequest("ConsensusState", () => QueryConsensusStateRequest.decode(data));
      const id = clientIdOf(req.clientId);
      let at: bigint;
      let cons: ConsensusState | undefined;
      if (req.latestHeight) {
        const latest = await read(() => latestConsensusState(ctx.store, id));
        at = latest.height;
        cons = latest.consensusState;
      } else {
        if (req.revisionNumber !== 0n) throw errInvalidRequest("icsd heights are revision 0");
        at = req.revisionHeight;
        await requireClient(ctx.store, id);
        cons = await read(() => getConsensusState(ctx.store, id, at));
      }
      if (cons === undefined)
        throw grpcNotFound(`consensus state of client ${id} at height 0-${at} not found`);
      return QueryConsensusStateResponse.encode({
        consensusState: consensusStateAny(cons),
        proof: new Uint8Array(),
        proofHeight: height(ctx.height),
      }).finish();
    },
    "/ibc.core.client.v1.Query/ConsensusStateHeights": async (ctx, data) => {
      const req = decodeRequest("ConsensusStateHeights", () =>
        QueryConsensusStateHeightsRequest.decode(data),
      );
      const id = clientIdOf(req.clientId);
      await requireClient(ctx.store, id);
      const { page, pagination } = paginate(await consensusStateHeights(ctx.store, id), req.pagination);
      return QueryConsensusStateHeightsResponse.encode({
        consensusStateHeights: page.map(height),
        pagination,
      }).finish();
    },
    "/ibc.core.client.v1.Query/ClientStatus": async (ctx, data) => {
      const req = decodeRequest("ClientStatus", () => QueryClientStatusRequest.decode(data));
      const id = clientIdOf(req.clientId);
      const status = await read(() => clientStatus(ctx.store, id, k.lastBlockTime));
      return QueryClientStatusResponse.encode({ status }).finish();
    },
    "/ibc.core.channel.v1.Query/Channel": async (ctx, data) => {
      const req = decodeRequest("Channel", () => QueryChannelRequest.decode(data));
      portChannel(req.portId, req.channelId);
      const c = await read(() => getChannel(ctx.store, req.portId, req.channelId));
      if (c === undefined) throw grpcNotFound(`channel ${req.portId}/${req.channelId} not found`);
      return QueryChannelResponse.encode({
        channel: channelToProto(c),
        proof: new Uint8Array(),
        proofHeight: height(ctx.height),
      }).finish();
    },
    "/ibc.core.channel.v1.Query/Channels": async (ctx, data) => {
      const req = decodeRequest("Channels", () => QueryChannelsRequest.decode(data));
      const { page, pagination } = paginate(await read(() => listChannels(ctx.store)), req.pagination);
      return QueryChannelsResponse.encode({
        channels: page.map(identified),
        pagination,
        height: height(ctx.height),
      }).finish();
    },
    "/ibc.core.channel.v1.Query/PacketCommitments": async (ctx, data) => {
      const req = decodeRequest("PacketCommitments", () => QueryPacketCommitmentsRequest.decode(data));
      portChannel(req.portId, req.channelId);
      const all = await read(() => packetCommitments(ctx.store, req.portId, req.channelId));
      const { page, pagination } = paginate(all, req.pagination);
      return QueryPacketCommitmentsResponse.encode({
        commitments: page.map((c) => ({
          portId: req.portId,
          channelId: req.channelId,
          sequence: c.sequence,
          data: c.commitment,
        })),
        pagination,
        height: height(ctx.height),
      }).finish();
    },
    "/ibc.core.channel.v1.Query/UnreceivedPackets": async (ctx, data) => {
      const req = decodeRequest("UnreceivedPackets", () => QueryUnreceivedPacketsRequest.decode(data));
      portChannel(req.portId, req.channelId);
      const seqs = req.packetCommitmentSequences;
      if (seqs.some((s) => s === 0n)) throw errInvalidRequest("packet sequence 0 is invalid");
      const sequences = await read(() => unreceivedPackets(ctx.store, req.portId, req.channelId, seqs));
      return QueryUnreceivedPacketsResponse.encode({ sequences, height: height(ctx.height) }).finish();
    },
    "/ibc.core.channel.v1.Query/UnreceivedAcks": async (ctx, data) => {
      const req = decodeRequest("UnreceivedAcks", () => QueryUnreceivedAcksRequest.decode(data));
      portChannel(req.portId, req.channelId);
      const seqs = req.packetAckSequences;
      if (seqs.some((s) => s === 0n)) throw errInvalidRequest("packet sequence 0 is invalid");
      const sequences = await read(() => unreceivedAcks(ctx.store, req.portId, req.channelId, seqs));
      return QueryUnreceivedAcksResponse.encode({ sequences, height: height(ctx.height) }).finish();
    },
    "/ibc.core.channel.v1.Query/NextSequenceReceive": async (ctx, data) => {
      const req = decodeRequest("NextSequenceReceive", () => QueryNextSequenceReceiveRequest.decode(data));
      portChannel(req.portId, req.channelId);
      const next = await read(() => getNextSequence(ctx.store, "recv", req.portId, req.channelId));
      return QueryNextSequenceReceiveResponse.encode({
        nextSequenceReceive: next,
        proof: new Uint8Array(),
        proofHeight: height(ctx.height),
      }).finish();
    },
    "/ibc.applications.transfer.v1.Query/DenomTraces": async (ctx, data) => {
      const req = decodeRequest("DenomTraces", () => QueryDenomTracesRequest.decode(data));
      const { page, pagination } = paginate(await allDenomTraces(ctx.store), req.pagination);
      return QueryDenomTracesResponse.encode({ denomTraces: page, pagination });
    },
    "/ibc.applications.transfer.v1.Query/DenomTrace": async (ctx, data) => {
      const req = decodeRequest("DenomTrace", () => QueryDenomTraceRequest.decode(data));
      // As ibc-go: the hash alone or the whole "ibc/{hash}" denom.
      const hash = req.hash.startsWith("ibc/") ? req.hash.slice(4) : req.hash;
      if (!/^[0-9A-Fa-f]{64}$/.test(hash)) throw errInvalidRequest(`invalid denom trace hash ${req.hash}`);
      const trace = await readDenomTrace(ctx.store, hash.toUpperCase());
      if (trace === undefined) throw grpcNotFound(`denomination trace ${hash.toUpperCase()} not found`);
      return QueryDenomTraceResponse.encode({ denomTrace: trace });
    },
    "/ibc.applications.transfer.v1.Query/EscrowAddress": async (_ctx, data) => {
      const req = decodeRequest("EscrowAddress", () => QueryEscrowAddressRequest.decode(data));
      portChannel(req.portId, req.channelId);
      return QueryEscrowAddressResponse.encode({
        escrowAddress: bech32Address(escrowAddress(req.portId, req.channelId), k.prefix),
      }).finish();
    },
    "/icsd.ibc.v1.Query/SentPackets": async (ctx, data) => {
      const req = jsonRequest("SentPackets", data);
      const { port, channel } = channelOf(req);
      const afterSequence = jsonUint(req, "after_sequence", 0n);
      const limit = jsonUint(req, "limit", 500n);
      if (limit === 0n || limit > BigInt(MAX_JSON_QUERY_ITEMS)) {
        throw errInvalidRequest(`limit must be 1..${MAX_JSON_QUERY_ITEMS}`);
      }
      const packets = await read(() =>
        sentPackets(ctx.store, port, channel, { afterSequence, limit: Number(limit) }),
      );
      return jsonResponse({
        packets: packets.map((p) => ({
          sequence: p.sequence.toString(),
          source_port: p.sourcePort,
          source_channel: p.sourceChannel,
          destination_port: p.destPort,
          destination_channel: p.destChannel,
          data: toBase64(p.data),
          timeout_height: p.timeoutHeight.toString(),
          timeout_timestamp: p.timeoutTimestamp.toString(),
        })),
      });
    },
    "/icsd.ibc.v1.Query/Acknowledgements": async (ctx, data) => {
      const req = jsonRequest("Acknowledgements", data);
      const { port, channel } = channelOf(req);
      const raw = req.sequences;
      if (!Array.isArray(raw) || raw.length > MAX_JSON_QUERY_ITEMS) {
        throw errInvalidRequest(
          `sequences must be an array of at most ${MAX_JSON_QUERY_ITEMS} decimal strings`,
        );
      }
      const seqs = [...new Set(raw.map((s, i) => decimal(s, `sequences[${i}]`)))].sort((a, b) =>
        a < b ? -1 : a > b ? 1 : 0,
      );
      const acknowledgements: Json[] = [];
      for (const s of seqs) {
        if (s === 0n) continue;
        const ack = await read(() => getAcknowledgement(ctx.store, port, channel, s));
        if (ack !== undefined)
          acknowledgements.push({ sequence: s.toString(), acknowledgement: toBase64(ack) });
      }
      return jsonResponse({ acknowledgements });
    },
  };
}
