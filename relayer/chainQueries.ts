/**
 * The reads a relayer makes of one chain over CometBFT JSON-RPC: light blocks, the ibc-go gRPC queries
 * and icsd's JSON queries through abci_query, and proofs of ibc/ keys. Every read names the height of
 * the state it reads, so one round sees one consistent version of each chain.
 */

import {
  QueryChannelRequest,
  QueryChannelResponse,
  QueryUnreceivedAcksRequest,
  QueryUnreceivedAcksResponse,
  QueryUnreceivedPacketsRequest,
  QueryUnreceivedPacketsResponse,
} from "cosmjs-types/ibc/core/channel/v1/query";
import {
  QueryClientStateRequest,
  QueryClientStateResponse,
  QueryConsensusStateRequest,
  QueryConsensusStateResponse,
} from "cosmjs-types/ibc/core/client/v1/query";
import { type ClientState, decodeClientState, type Packet } from "../ibc/index.ts";
import { rpcCall } from "../rpc/index.ts";
import { fromBase64, fromUtf8, IcsdError, toHex, utf8 } from "../utils/index.ts";
import { decodeLightBlock, type LightBlock } from "./lightBlock.ts";

/** The Any type URL of an icsd light client's state (contract: ibc/'s canonical encoding inside). */
export const CLIENT_STATE_TYPE_URL = "/icsd.lightclient.v1.ClientState";

/** Calls one JSON-RPC method and returns its result (rpc/'s rpcCall by default; a stub in tests). */
export type RpcCaller = (method: string, params: Record<string, unknown>) => Promise<unknown>;

/** An RpcCaller for a node URL. */
export function httpRpcCaller(url: string, timeoutMs = 10_000): RpcCaller {
  return (method, params) => rpcCall(url, method, params, timeoutMs);
}

/** A raw abci_query answer. */
export interface AbciAnswer {
  readonly value: Uint8Array;
  /** `ops[0].data` of an `icsd:avl` proof, when one was asked for. */
  readonly proof?: Uint8Array;
  readonly height: bigint;
}

/** A channel end as the relayer needs it. */
export interface ChannelInfo {
  readonly open: boolean;
  readonly ordered: boolean;
  /** CLOSED (ChainQueries always sets it; absent counts as not closed). */
  readonly closed?: boolean;
}

/** A proof of a key in the state of version `height - 1`, to be checked at proof height `height`. */
export interface KeyProof {
  readonly value: Uint8Array | undefined;
  readonly proof: Uint8Array;
}

// ibc-go channel protos: State.STATE_OPEN, State.STATE_CLOSED, Order.ORDER_ORDERED.
const STATE_OPEN = 3;
const STATE_CLOSED = 4;
const ORDER_ORDERED = 2;
const SENT_PAGE = 500;
const SEQ_CHUNK = 500;

interface RpcAbciResponse {
  readonly code?: number;
  readonly log?: string;
  readonly codespace?: string;
  readonly value?: string | null;
  readonly height?: string;
  readonly proofOps?: { readonly ops?: readonly { readonly type?: string; readonly data?: string }[] } | null;
}

function chunks<T>(xs: readonly T[], n: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
  return out;
}

function decStr(v: unknown, field: string): bigint {
  // "0-H" (ibc-go height strings) is accepted as H: heights are revision 0.
  const s = typeof v === "string" && /^0-\d+$/.test(v) ? v.slice(2) : v;
  if (typeof s !== "string" || !/^\d+$/.test(s)) {
    throw new IcsdError(
      "RELAYER_QUERY_DECODE",
      `${field} must be a decimal string, got ${JSON.stringify(v)}`,
    );
  }
  return BigInt(s);
}

function b64Str(v: unknown, field: string): Uint8Array {
  if (typeof v !== "string") throw new IcsdError("RELAYER_QUERY_DECODE", `${field} must be a base64 string`);
  return fromBase64(v);
}

/** Decodes one packet of a SentPackets answer. */
export function decodeSentPacketJson(j: unknown, i: number): Packet {
  if (typeof j !== "object" || j === null) {
    throw new IcsdError("RELAYER_QUERY_DECODE", `packets[${i}] must be an object`);
  }
  const o = j as Record<string, unknown>;
  const s = (k: string): string => {
    const v = o[k];
    if (typeof v !== "string")
      throw new IcsdError("RELAYER_QUERY_DECODE", `packets[${i}].${k} must be a string`);
    return v;
  };
  return {
    sequence: decStr(o.sequence, `packets[${i}].sequence`),
    sourcePort: s("source_port"),
    sourceChannel: s("source_channel"),
    destPort: s("destination_port"),
    destChannel: s("destination_channel"),
    data: b64Str(o.data ?? "", `packets[${i}].data`),
    timeoutHeight: decStr(o.timeout_height ?? "0", `packets[${i}].timeout_height`),
    timeoutTimestamp: decStr(o.timeout_timestamp ?? "0", `packets[${i}].timeout_timestamp`),
  };
}

/** Reads of one chain. */
export class ChainQueries {
  private readonly call: RpcCaller;
  /** Label in errors (the chain id). */
  readonly chain: string;

  constructor(chain: string, call: RpcCaller) {
    this.chain = chain;
    this.call = call;
  }

  /** The light block at `height`, or at the latest committed height. */
  async lightBlock(height?: bigint): Promise<LightBlock> {
    const params = height === undefined ? {} : { height: String(height) };
    const lb = decodeLightBlock(await this.call("light_block", params));
    if (height !== undefined && lb.height !== height) {
      throw new IcsdError(
        "RELAYER_LIGHT_BLOCK",
        `${this.chain}: asked light_block ${height}, got ${lb.height}`,
      );
    }
    return lb;
  }

  /** abci_query; a non-zero code becomes IcsdError RELAYER_QUERY carrying the chain's log. */
  async abciQuery(path: string, data: Uint8Array, height: bigint, prove = false): Promise<AbciAnswer> {
    const result = (await this.call("abci_query", {
      path,
      data: toHex(data),
      height: String(height),
      prove,
    })) as { response?: RpcAbciResponse } | null;
    const r = result?.response;
    if (!r) throw new IcsdError("RELAYER_QUERY", `${this.chain}: abci_query ${path}: no response`);
    if ((r.code ?? 0) !== 0) {
      throw new IcsdError(
        "RELAYER_QUERY",
        `${this.chain}: abci_query ${path} at ${height}: code ${r.code} (${r.codespace ?? ""}): ${r.log ?? ""}`,
        { chain: this.chain, path, code: r.code ?? 0 },
      );
    }
    const value = r.value ? fromBase64(r.value) : new Uint8Array();
    const op = r.proofOps?.ops?.[0];
    const answer: AbciAnswer = { value, height: decStr(r.height ?? "0", "abci_query height") };
    if (!prove) return answer;
    if (op?.type !== "icsd:avl" || typeof op.data !== "string") {
      throw new IcsdError(
        "RELAYER_QUERY",
        `${this.chain}: abci_query ${path} at ${height}: no icsd:avl proof`,
      );
    }
    return { ...answer, proof: fromBase64(op.data) };
  }

  private async json(path: string, body: unknown, height: bigint): Promise<Record<string, unknown>> {
    const a = await this.abciQuery(path, utf8(JSON.stringify(body)), height);
    const parsed = JSON.parse(fromUtf8(a.value)) as unknown;
    if (typeof parsed !== "object" || parsed === null) {
      throw new IcsdError("RELAYER_QUERY_DECODE", `${this.chain}: ${path} answered a non-object`);
    }
    return parsed as Record<string, unknown>;
  }

  /** The client's state (decoded from its Any) at the latest height. */
  async clientState(clientId: string): Promise<ClientState> {
    const a = await this.abciQuery(
      "/ibc.core.client.v1.Query/ClientState",
      QueryClientStateRequest.encode({ clientId }).finish(),
      0n,
    );
    const any = QueryClientStateResponse.decode(a.value).clientState;
    if (!any || any.typeUrl !== CLIENT_STATE_TYPE_URL) {
      throw new IcsdError(
        "RELAYER_QUERY_DECODE",
        `${this.chain}: client ${clientId} has state ${any?.typeUrl ?? "(none)"}, want ${CLIENT_STATE_TYPE_URL}`,
      );
    }
    return decodeClientState(any.value);
  }

  /** Whether the client holds a consensus state at `height` (any refusal counts as no). */
  async hasConsensusState(clientId: string, height: bigint): Promise<boolean> {
    try {
      const a = await this.abciQuery(
        "/ibc.core.client.v1.Query/ConsensusState",
        QueryConsensusStateRequest.encode({
          clientId,
          revisionNumber: 0n,
          revisionHeight: height,
          latestHeight: false,
        }).finish(),
        0n,
      );
      return QueryConsensusStateResponse.decode(a.value).consensusState !== undefined;
    } catch (e) {
      if (e instanceof IcsdError && e.code === "RELAYER_QUERY") return false;
      throw e;
    }
  }

  /** The channel end's state and ordering at the latest height. */
  async channel(port: string, channel: string): Promise<ChannelInfo> {
    const a = await this.abciQuery(
      "/ibc.core.channel.v1.Query/Channel",
      QueryChannelRequest.encode({ portId: port, channelId: channel }).finish(),
      0n,
    );
    const c = QueryChannelResponse.decode(a.value).channel;
    if (!c) throw new IcsdError("RELAYER_QUERY", `${this.chain}: no channel ${port}/${channel}`);
    return {
      open: c.state === STATE_OPEN,
      ordered: c.ordering === ORDER_ORDERED,
      closed: c.state === STATE_CLOSED,
    };
  }

  /** Every packet with a commitment in state version `version`, ascending (SentPackets, paged). */
  async sentPackets(port: string, channel: string, version: bigint): Promise<Packet[]> {
    const out: Packet[] = [];
    let after = 0n;
    for (;;) {
      const res = await this.json(
        "/icsd.ibc.v1.Query/SentPackets",
        { port_id: port, channel_id: channel, after_sequence: String(after), limit: String(SENT_PAGE) },
        version,
      );
      const list = res.packets ?? [];
      if (!Array.isArray(list))
        throw new IcsdError("RELAYER_QUERY_DECODE", `${this.chain}: packets must be a list`);
      const page = list.map((p, i) => decodeSentPacketJson(p, i));
      for (const p of page) {
        if (p.sequence <= after) {
          throw new IcsdError(
            "RELAYER_QUERY_DECODE",
            `${this.chain}: SentPackets is not ascending after ${after}`,
          );
        }
        after = p.sequence;
        out.push(p);
      }
      if (page.length < SENT_PAGE) return out;
    }
  }

  /** Of `seqs`, those not received on this chain's channel in state version `version` (0: latest). */
  async unreceivedPackets(
    port: string,
    channel: string,
    seqs: readonly bigint[],
    version: bigint,
  ): Promise<bigint[]> {
    const out: bigint[] = [];
    for (const part of chunks(seqs, SEQ_CHUNK)) {
      const a = await this.abciQuery(
        "/ibc.core.channel.v1.Query/UnreceivedPackets",
        QueryUnreceivedPacketsRequest.encode({
          portId: port,
          channelId: channel,
          packetCommitmentSequences: part,
        }).finish(),
        version,
      );
      out.push(...QueryUnreceivedPacketsResponse.decode(a.value).sequences);
    }
    return out;
  }

  /** Of `seqs`, those whose commitment this chain still holds (its acks are not yet relayed). */
  async unreceivedAcks(
    port: string,
    channel: string,
    seqs: readonly bigint[],
    version: bigint,
  ): Promise<bigint[]> {
    const out: bigint[] = [];
    for (const part of chunks(seqs, SEQ_CHUNK)) {
      const a = await this.abciQuery(
        "/ibc.core.channel.v1.Query/UnreceivedAcks",
        QueryUnreceivedAcksRequest.encode({
          portId: port,
          channelId: channel,
          packetAckSequences: part,
        }).finish(),
        version,
      );
      out.push(...QueryUnreceivedAcksResponse.decode(a.value).sequences);
    }
    return out;
  }

  /** The acknowledgements written for `seqs` on this chain's channel in state version `version`. */
  async acknowledgements(
    port: string,
    channel: string,
    seqs: readonly bigint[],
    version: bigint,
  ): Promise<Map<bigint, Uint8Array>> {
    const out = new Map<bigint, Uint8Array>();
    for (const part of chunks(seqs, SEQ_CHUNK)) {
      const res = await this.json(
        "/icsd.ibc.v1.Query/Acknowledgements",
        { port_id: port, channel_id: channel, sequences: part.map(String) },
        version,
      );
      const list = res.acknowledgements ?? [];
      if (!Array.isArray(list)) {
        throw new IcsdError("RELAYER_QUERY_DECODE", `${this.chain}: acknowledgements must be a list`);
      }
      list.forEach((x: unknown, i) => {
        const o = (x ?? {}) as Record<string, unknown>;
        out.set(
          decStr(o.sequence, `acknowledgements[${i}].sequence`),
          b64Str(o.acknowledgement, `acknowledgements[${i}].acknowledgement`),
        );
      });
    }
    return out;
  }

  /** The value of an ibc/ key and its proof in state version `proofHeight - 1`. */
  async proveKey(key: Uint8Array, proofHeight: bigint): Promise<KeyProof> {
    const a = await this.abciQuery("/store/ibc/key", key, proofHeight - 1n, true);
    return { value: a.value.length > 0 ? a.value : undefined, proof: a.proof! };
  }
}
