import type { Command } from "commander";
import { BinaryReader, BinaryWriter } from "cosmjs-types/binary";
import { PageResponse } from "cosmjs-types/cosmos/base/query/v1beta1/pagination";
import { DenomTrace } from "cosmjs-types/ibc/applications/transfer/v1/denomtrace";
import {
  QueryDenomRequest,
  QueryDenomsRequest,
  QueryEscrowAddressRequest,
  QueryEscrowAddressResponse,
} from "cosmjs-types/ibc/applications/transfer/v1/query";
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
  type ClientState,
  type ConsensusState,
  decodeClientState,
  decodeConsensusState,
  validateChannelId,
  validateClientId,
  validatePortId,
} from "../ibc/index.ts";
import { formatRfc3339Nano, IcsdError, toHexUpper } from "../utils/index.ts";
import { withExample } from "./common.ts";
import {
  type AnyDecoder,
  type ProtoType,
  pageRequest,
  printProto,
  type QueryFlags,
  queryCommand,
} from "./query.ts";
import { parseIbcHeight } from "./txIbc.ts";

const CLIENT_Q = "/ibc.core.client.v1.Query/";
const CHANNEL_Q = "/ibc.core.channel.v1.Query/";
const TRANSFER_Q = "/ibc.applications.transfer.v1.Query/";

/** The Any type URLs of the icsd light client's records (the contract of issue 5). */
export const CLIENT_STATE_TYPE = "/icsd.lightclient.v1.ClientState";
export const CONSENSUS_STATE_TYPE = "/icsd.lightclient.v1.ConsensusState";

const MAX_UINT64 = (1n << 64n) - 1n;
const NS_PER_S = 1_000_000_000n;

/** A duration in nanoseconds as protobuf JSON writes a Duration: "1209600s", "0.5s". */
export function formatDurationNs(ns: bigint): string {
  const sign = ns < 0n ? "-" : "";
  const abs = ns < 0n ? -ns : ns;
  const frac = abs % NS_PER_S;
  const fracText = frac === 0n ? "" : `.${frac.toString().padStart(9, "0").replace(/0+$/, "")}`;
  return `${sign}${abs / NS_PER_S}${fracText}s`;
}

function heightJson(h: bigint): { revision_number: string; revision_height: string } {
  return { revision_number: "0", revision_height: h.toString() };
}

/** A client state as ibc-go prints a Tendermint one: durations, {revision_number, revision_height}. */
export function clientStateJson(cs: ClientState): Record<string, unknown> {
  return {
    chain_id: cs.chainId,
    trust_level: {
      numerator: cs.trustLevel.numerator.toString(),
      denominator: cs.trustLevel.denominator.toString(),
    },
    trusting_period: formatDurationNs(cs.trustingPeriod),
    unbonding_period: formatDurationNs(cs.unbondingPeriod),
    max_clock_drift: formatDurationNs(cs.maxClockDrift),
    latest_height: heightJson(cs.latestHeight),
    frozen_height: heightJson(cs.frozenHeight),
  };
}

/** A consensus state: RFC3339 time, root (app hash; empty for a genesis client) and hash in hex. */
export function consensusStateJson(cs: ConsensusState): Record<string, unknown> {
  let timestamp: string;
  try {
    timestamp = formatRfc3339Nano(cs.timestamp);
  } catch {
    timestamp = `${cs.timestamp}ns`;
  }
  return {
    timestamp,
    root: toHexUpper(cs.root),
    next_validators_hash: toHexUpper(cs.nextValidatorsHash),
  };
}

/** Expands the icsd light client's Anys (undecodable bytes are left as the raw Any). */
export const ibcAnyDecoder: AnyDecoder = (typeUrl, value) => {
  try {
    if (typeUrl === CLIENT_STATE_TYPE)
      return { "@type": typeUrl, ...clientStateJson(decodeClientState(value)) };
    if (typeUrl === CONSENSUS_STATE_TYPE)
      return { "@type": typeUrl, ...consensusStateJson(decodeConsensusState(value)) };
  } catch {
    // Corrupt or foreign bytes: show the Any as it is rather than fail the whole query.
  }
  return undefined;
};

/** Parses gaiad's `--sequences 1,2,3`: positive uint64 packet sequences, in the order given. */
export function parseSequences(text: string, what = "--sequences"): bigint[] {
  const parts = text.split(",").map((s) => s.trim());
  const bad = parts.find((p) => !/^\d+$/.test(p) || BigInt(p) < 1n || BigInt(p) > MAX_UINT64);
  if (text.trim() === "" || bad !== undefined)
    throw new IcsdError(
      "INVALID_ARGUMENT",
      `${what} must be a comma-separated list of packet sequences (integers from 1 to 2^64-1) such as 1,2,3; ${
        text.trim() === "" ? "got nothing" : `${JSON.stringify(bad)} is not one`
      }`,
    );
  return parts.map((p) => BigInt(p));
}

/** The hash of a voucher denom, from "ibc/<HASH>" or "<HASH>" (64 hex digits), uppercase. */
export function parseDenomHash(text: string): string {
  const hash = text.startsWith("ibc/") ? text.slice(4) : text;
  if (!/^[0-9a-fA-F]{64}$/.test(hash))
    throw new IcsdError(
      "INVALID_ARGUMENT",
      `hash must be a denom trace hash (64 hex digits) or an ibc/<hash> denom, got ${JSON.stringify(text)}`,
    );
  return hash.toUpperCase();
}

// ibc-go v8's DenomTrace queries (deprecated there, served by icsd): cosmjs-types 0.11 only has v10's
// Denom queries. The requests are wire-identical to QueryDenomsRequest {pagination = 1} and
// QueryDenomRequest {hash = 1}; the responses are defined here.

/** ibc-go v8 QueryDenomTracesResponse { repeated DenomTrace denom_traces = 1; PageResponse pagination = 2; } */
export interface QueryDenomTracesResponse {
  denomTraces: DenomTrace[];
  pagination?: PageResponse;
}

/** Codec of QueryDenomTracesResponse. */
export const QueryDenomTracesResponse: ProtoType<QueryDenomTracesResponse> = {
  encode(m) {
    const w = BinaryWriter.create();
    for (const t of m.denomTraces) DenomTrace.encode(t, w.uint32(10).fork()).ldelim();
    if (m.pagination) PageResponse.encode(m.pagination, w.uint32(18).fork()).ldelim();
    return w;
  },
  decode(input) {
    const r = new BinaryReader(input);
    const m: QueryDenomTracesResponse = { denomTraces: [] };
    while (r.pos < r.len) {
      const tag = r.uint32();
      if (tag >>> 3 === 1) m.denomTraces.push(DenomTrace.decode(r, r.uint32()));
      else if (tag >>> 3 === 2) m.pagination = PageResponse.decode(r, r.uint32());
      else r.skipType(tag & 7);
    }
    return m;
  },
  fromPartial(o: Partial<QueryDenomTracesResponse>) {
    return { denomTraces: o.denomTraces ?? [], ...(o.pagination ? { pagination: o.pagination } : {}) };
  },
  toJSON(m) {
    return {
      denomTraces: m.denomTraces.map((t) => DenomTrace.toJSON(t)),
      ...(m.pagination ? { pagination: PageResponse.toJSON(m.pagination) } : {}),
    };
  },
};

/** ibc-go v8 QueryDenomTraceResponse { DenomTrace denom_trace = 1; } */
export interface QueryDenomTraceResponse {
  denomTrace?: DenomTrace;
}

/** Codec of QueryDenomTraceResponse. */
export const QueryDenomTraceResponse: ProtoType<QueryDenomTraceResponse> = {
  encode(m) {
    const w = BinaryWriter.create();
    if (m.denomTrace) DenomTrace.encode(m.denomTrace, w.uint32(10).fork()).ldelim();
    return w;
  },
  decode(input) {
    const r = new BinaryReader(input);
    const m: QueryDenomTraceResponse = {};
    while (r.pos < r.len) {
      const tag = r.uint32();
      if (tag >>> 3 === 1) m.denomTrace = DenomTrace.decode(r, r.uint32());
      else r.skipType(tag & 7);
    }
    return m;
  },
  fromPartial(o: Partial<QueryDenomTraceResponse>) {
    return o.denomTrace ? { denomTrace: o.denomTrace } : {};
  },
  toJSON(m) {
    return m.denomTrace ? { denomTrace: DenomTrace.toJSON(m.denomTrace) } : {};
  },
};

function checkPortChannel(port: string, channel: string): void {
  validatePortId(port);
  validateChannelId(channel);
}

function registerClientQueries(ibc: Command): void {
  const client = ibc.command("client").description("Query IBC light clients (ICS-02)");
  withExample(client, "icsd query ibc client states", "icsd query ibc client state 07-icsd-0");

  const state = queryCommand(client, "state", "A client's state", false, ([id], opts, cfg) => {
    validateClientId(id!);
    return async (query) => {
      const req = QueryClientStateRequest.fromPartial({ clientId: id! });
      const res = await query(
        `${CLIENT_Q}ClientState`,
        QueryClientStateRequest,
        req,
        QueryClientStateResponse,
      );
      printProto(opts, cfg, QueryClientStateResponse, res, ibcAnyDecoder);
    };
  });
  state.argument("<client-id>", "the client identifier, e.g. 07-icsd-0");
  withExample(state, "icsd query ibc client state 07-icsd-0 --output json");

  const states = queryCommand(client, "states", "Every client's state (one page)", true, (_a, opts, cfg) => {
    const pagination = pageRequest(opts);
    return async (query) => {
      const req = QueryClientStatesRequest.fromPartial({ pagination });
      const res = await query(
        `${CLIENT_Q}ClientStates`,
        QueryClientStatesRequest,
        req,
        QueryClientStatesResponse,
      );
      printProto(opts, cfg, QueryClientStatesResponse, res, ibcAnyDecoder);
    };
  });
  withExample(
    states,
    "icsd query ibc client states",
    "icsd query ibc client states --limit 10 --output json",
  );

  const status = queryCommand(
    client,
    "status",
    "A client's status: Active, Frozen (misbehaviour) or Expired (trusting period passed)",
    false,
    ([id], opts, cfg) => {
      validateClientId(id!);
      return async (query) => {
        const req = QueryClientStatusRequest.fromPartial({ clientId: id! });
        const res = await query(
          `${CLIENT_Q}ClientStatus`,
          QueryClientStatusRequest,
          req,
          QueryClientStatusResponse,
        );
        printProto(opts, cfg, QueryClientStatusResponse, res);
      };
    },
  );
  status.argument("<client-id>", "the client identifier");
  withExample(status, "icsd query ibc client status 07-icsd-0");

  const heights = queryCommand(
    client,
    "consensus-state-heights",
    "The heights of a client's stored consensus states (one page)",
    true,
    ([id], opts, cfg) => {
      validateClientId(id!);
      const pagination = pageRequest(opts);
      return async (query) => {
        const T = QueryConsensusStateHeightsRequest;
        const R = QueryConsensusStateHeightsResponse;
        const res = await query(
          `${CLIENT_Q}ConsensusStateHeights`,
          T,
          T.fromPartial({ clientId: id!, pagination }),
          R,
        );
        printProto(opts, cfg, R, res);
      };
    },
  );
  heights.argument("<client-id>", "the client identifier");
  withExample(heights, "icsd query ibc client consensus-state-heights 07-icsd-0");

  const consensus = queryCommand(
    client,
    "consensus-state",
    "A client's consensus state at a height (the latest one when no height is given)",
    false,
    ([id, heightText], opts, cfg) => {
      validateClientId(id!);
      const height = heightText === "" ? undefined : parseIbcHeight(heightText!, "height");
      return async (query) => {
        const req = QueryConsensusStateRequest.fromPartial({
          clientId: id!,
          revisionNumber: 0n,
          revisionHeight: height ?? 0n,
          latestHeight: height === undefined,
        });
        const res = await query(
          `${CLIENT_Q}ConsensusState`,
          QueryConsensusStateRequest,
          req,
          QueryConsensusStateResponse,
        );
        printProto(opts, cfg, QueryConsensusStateResponse, res, ibcAnyDecoder);
      };
    },
  );
  consensus
    .argument("<client-id>", "the client identifier")
    .argument("[height]", "the counterparty height, 0-H or H (default: the client's latest height)");
  withExample(
    consensus,
    "icsd query ibc client consensus-state 07-icsd-0",
    "icsd query ibc client consensus-state 07-icsd-0 0-42 --output json",
  );
}

function registerChannelQueries(ibc: Command): void {
  const channel = ibc.command("channel").description("Query IBC channels and packets (ICS-04)");
  withExample(channel, "icsd query ibc channel channels", "icsd query ibc channel end transfer channel-0");

  const channels = queryCommand(channel, "channels", "Every channel (one page)", true, (_a, opts, cfg) => {
    const pagination = pageRequest(opts);
    return async (query) => {
      const req = QueryChannelsRequest.fromPartial({ pagination });
      const res = await query(`${CHANNEL_Q}Channels`, QueryChannelsRequest, req, QueryChannelsResponse);
      printProto(opts, cfg, QueryChannelsResponse, res);
    };
  });
  withExample(channels, "icsd query ibc channel channels --output json");

  const end = queryCommand(
    channel,
    "end",
    "A channel end: state, ordering, counterparty, client and version",
    false,
    ([port, chan], opts, cfg) => {
      checkPortChannel(port!, chan!);
      return async (query) => {
        const req = QueryChannelRequest.fromPartial({ portId: port!, channelId: chan! });
        const res = await query(`${CHANNEL_Q}Channel`, QueryChannelRequest, req, QueryChannelResponse);
        printProto(opts, cfg, QueryChannelResponse, res);
      };
    },
  );
  end
    .argument("<port-id>", "the port, e.g. transfer")
    .argument("<channel-id>", "the channel, e.g. channel-0");
  withExample(end, "icsd query ibc channel end transfer channel-0");

  const commitments = queryCommand(
    channel,
    "packet-commitments",
    "The commitments of the packets sent on a channel and not yet acknowledged or timed out (one page)",
    true,
    ([port, chan], opts, cfg) => {
      checkPortChannel(port!, chan!);
      const pagination = pageRequest(opts);
      return async (query) => {
        const T = QueryPacketCommitmentsRequest;
        const R = QueryPacketCommitmentsResponse;
        const res = await query(
          `${CHANNEL_Q}PacketCommitments`,
          T,
          T.fromPartial({ portId: port!, channelId: chan!, pagination }),
          R,
        );
        printProto(opts, cfg, R, res);
      };
    },
  );
  commitments.argument("<port-id>", "the port").argument("<channel-id>", "the channel");
  withExample(commitments, "icsd query ibc channel packet-commitments transfer channel-0");

  const unreceivedPackets = queryCommand(
    channel,
    "unreceived-packets",
    "Which of the given packet sequences (sent by the counterparty) this chain has not received",
    false,
    ([port, chan], opts, cfg) => {
      checkPortChannel(port!, chan!);
      const seqs = parseSequences((opts as QueryFlags & { sequences: string }).sequences);
      return async (query) => {
        const T = QueryUnreceivedPacketsRequest;
        const R = QueryUnreceivedPacketsResponse;
        const req = T.fromPartial({ portId: port!, channelId: chan!, packetCommitmentSequences: seqs });
        printProto(opts, cfg, R, await query(`${CHANNEL_Q}UnreceivedPackets`, T, req, R));
      };
    },
  );
  unreceivedPackets
    .argument("<port-id>", "this chain's port (the destination of the packets)")
    .argument("<channel-id>", "this chain's channel")
    .requiredOption("--sequences <list>", "comma-separated packet sequences, e.g. 1,2,3");
  withExample(
    unreceivedPackets,
    "icsd query ibc channel unreceived-packets transfer channel-0 --sequences 1,2,3",
  );

  const unreceivedAcks = queryCommand(
    channel,
    "unreceived-acks",
    "Which of the given packet sequences (sent by this chain) still await their acknowledgement",
    false,
    ([port, chan], opts, cfg) => {
      checkPortChannel(port!, chan!);
      const seqs = parseSequences((opts as QueryFlags & { sequences: string }).sequences);
      return async (query) => {
        const T = QueryUnreceivedAcksRequest;
        const R = QueryUnreceivedAcksResponse;
        const req = T.fromPartial({ portId: port!, channelId: chan!, packetAckSequences: seqs });
        printProto(opts, cfg, R, await query(`${CHANNEL_Q}UnreceivedAcks`, T, req, R));
      };
    },
  );
  unreceivedAcks
    .argument("<port-id>", "this chain's port (the source of the packets)")
    .argument("<channel-id>", "this chain's channel")
    .requiredOption("--sequences <list>", "comma-separated packet sequences, e.g. 1,2,3");
  withExample(unreceivedAcks, "icsd query ibc channel unreceived-acks transfer channel-0 --sequences 1,2,3");

  const nextRecv = queryCommand(
    channel,
    "next-sequence-receive",
    "The next packet sequence an ordered channel expects to receive",
    false,
    ([port, chan], opts, cfg) => {
      checkPortChannel(port!, chan!);
      return async (query) => {
        const T = QueryNextSequenceReceiveRequest;
        const R = QueryNextSequenceReceiveResponse;
        const req = T.fromPartial({ portId: port!, channelId: chan! });
        printProto(opts, cfg, R, await query(`${CHANNEL_Q}NextSequenceReceive`, T, req, R));
      };
    },
  );
  nextRecv.argument("<port-id>", "the port").argument("<channel-id>", "the channel");
  withExample(nextRecv, "icsd query ibc channel next-sequence-receive transfer channel-0");
}

function registerTransferQueries(query: Command): void {
  const transfer = query.command("ibc-transfer").description("Query the IBC token transfer (ICS-20) module");
  withExample(
    transfer,
    "icsd query ibc-transfer denom-traces",
    "icsd query ibc-transfer escrow-address transfer channel-0",
  );

  const traces = queryCommand(
    transfer,
    "denom-traces",
    "Every denom trace of the vouchers this chain has minted (one page)",
    true,
    (_a, opts, cfg) => {
      const pagination = pageRequest(opts);
      return async (q) => {
        const req = QueryDenomsRequest.fromPartial({ pagination });
        const res = await q(`${TRANSFER_Q}DenomTraces`, QueryDenomsRequest, req, QueryDenomTracesResponse);
        printProto(opts, cfg, QueryDenomTracesResponse, res);
      };
    },
  );
  withExample(traces, "icsd query ibc-transfer denom-traces --output json");

  const trace = queryCommand(
    transfer,
    "denom-trace",
    "The denom trace (path and base denom) of a voucher",
    false,
    ([text], opts, cfg) => {
      const hash = parseDenomHash(text!);
      return async (q) => {
        const req = QueryDenomRequest.fromPartial({ hash });
        const res = await q(`${TRANSFER_Q}DenomTrace`, QueryDenomRequest, req, QueryDenomTraceResponse);
        printProto(opts, cfg, QueryDenomTraceResponse, res);
      };
    },
  );
  trace.argument("<hash>", "the voucher's hash, or the whole ibc/<hash> denom");
  withExample(
    trace,
    "icsd query ibc-transfer denom-trace 27394FB092D2ECCD56123C74F36E4C1F926001CEADA9CA97EA622B25F41E5EB2",
    "icsd query ibc-transfer denom-trace ibc/27394FB092D2ECCD56123C74F36E4C1F926001CEADA9CA97EA622B25F41E5EB2",
  );

  const escrow = queryCommand(
    transfer,
    "escrow-address",
    "The account that escrows the tokens sent out over a channel",
    false,
    ([port, chan], opts, cfg) => {
      checkPortChannel(port!, chan!);
      return async (q) => {
        const req = QueryEscrowAddressRequest.fromPartial({ portId: port!, channelId: chan! });
        const res = await q(
          `${TRANSFER_Q}EscrowAddress`,
          QueryEscrowAddressRequest,
          req,
          QueryEscrowAddressResponse,
        );
        printProto(opts, cfg, QueryEscrowAddressResponse, res);
      };
    },
  );
  escrow
    .argument("<port-id>", "the port, e.g. transfer")
    .argument("<channel-id>", "the channel, e.g. channel-0");
  withExample(escrow, "icsd query ibc-transfer escrow-address transfer channel-0");
}

/** `icsd query ibc client|channel ...` and `icsd query ibc-transfer ...`. */
export function registerIbcQuery(query: Command): void {
  const ibc = query.command("ibc").description("Query the IBC light clients, channels and packets");
  withExample(ibc, "icsd query ibc client states", "icsd query ibc channel channels");
  registerClientQueries(ibc);
  registerChannelQueries(ibc);
  registerTransferQueries(query);
}
