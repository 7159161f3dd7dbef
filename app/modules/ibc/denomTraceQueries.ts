/**
 * ibc-go v7's DenomTrace and DenomTraces query messages (ibc.applications.transfer.v1), which
 * cosmjs-types 0.11 (ibc-go v10) no longer carries: the same field numbers, written with its binary
 * codec, so a client built against ibc-go v7 protos reads them unchanged.
 *   QueryDenomTraceRequest   { string hash = 1; }
 *   QueryDenomTraceResponse  { DenomTrace denom_trace = 1; }
 *   QueryDenomTracesRequest  { PageRequest pagination = 1; }
 *   QueryDenomTracesResponse { repeated DenomTrace denom_traces = 1; PageResponse pagination = 2; }
 */
import { BinaryReader, BinaryWriter } from "cosmjs-types/binary";
import { PageRequest, PageResponse } from "cosmjs-types/cosmos/base/query/v1beta1/pagination";
import { DenomTrace } from "cosmjs-types/ibc/applications/transfer/v1/denomtrace";

/** Reads every field of a message, handing each (field number, reader) to `field`; others are skipped. */
function readFields(bytes: Uint8Array, field: (n: number, r: BinaryReader) => boolean): void {
  const r = new BinaryReader(bytes);
  while (r.pos < r.len) {
    const tag = r.uint32();
    if (!field(tag >>> 3, r)) r.skipType(tag & 7);
  }
}

/** QueryDenomTraceRequest: `hash` is the trace hash, or the full "ibc/{hash}" denom. */
export interface QueryDenomTraceRequest {
  readonly hash: string;
}

export const QueryDenomTraceRequest = {
  encode(m: QueryDenomTraceRequest): Uint8Array {
    const w = BinaryWriter.create();
    if (m.hash !== "") w.uint32(10).string(m.hash);
    return w.finish();
  },
  decode(bytes: Uint8Array): QueryDenomTraceRequest {
    let hash = "";
    readFields(bytes, (n, r) => {
      if (n !== 1) return false;
      hash = r.string();
      return true;
    });
    return { hash };
  },
};

/** QueryDenomTraceResponse. */
export interface QueryDenomTraceResponse {
  readonly denomTrace?: DenomTrace;
}

export const QueryDenomTraceResponse = {
  encode(m: QueryDenomTraceResponse): Uint8Array {
    const w = BinaryWriter.create();
    if (m.denomTrace !== undefined) DenomTrace.encode(m.denomTrace, w.uint32(10).fork()).ldelim();
    return w.finish();
  },
  decode(bytes: Uint8Array): QueryDenomTraceResponse {
    let denomTrace: DenomTrace | undefined;
    readFields(bytes, (n, r) => {
      if (n !== 1) return false;
      denomTrace = DenomTrace.decode(r.bytes());
      return true;
    });
    return denomTrace === undefined ? {} : { denomTrace };
  },
};

/** QueryDenomTracesRequest. */
export interface QueryDenomTracesRequest {
  readonly pagination?: PageRequest;
}

export const QueryDenomTracesRequest = {
  encode(m: QueryDenomTracesRequest): Uint8Array {
    const w = BinaryWriter.create();
    if (m.pagination !== undefined) PageRequest.encode(m.pagination, w.uint32(10).fork()).ldelim();
    return w.finish();
  },
  decode(bytes: Uint8Array): QueryDenomTracesRequest {
    let pagination: PageRequest | undefined;
    readFields(bytes, (n, r) => {
      if (n !== 1) return false;
      pagination = PageRequest.decode(r.bytes());
      return true;
    });
    return pagination === undefined ? {} : { pagination };
  },
};

/** QueryDenomTracesResponse. */
export interface QueryDenomTracesResponse {
  readonly denomTraces: readonly DenomTrace[];
  readonly pagination?: PageResponse;
}

export const QueryDenomTracesResponse = {
  encode(m: QueryDenomTracesResponse): Uint8Array {
    const w = BinaryWriter.create();
    for (const t of m.denomTraces) DenomTrace.encode(t, w.uint32(10).fork()).ldelim();
    if (m.pagination !== undefined) PageResponse.encode(m.pagination, w.uint32(18).fork()).ldelim();
    return w.finish();
  },
  decode(bytes: Uint8Array): QueryDenomTracesResponse {
    const denomTraces: DenomTrace[] = [];
    let pagination: PageResponse | undefined;
    readFields(bytes, (n, r) => {
      if (n === 1) denomTraces.push(DenomTrace.decode(r.bytes()));
      else if (n === 2) pagination = PageResponse.decode(r.bytes());
      else return false;
      return true;
    });
    return pagination === undefined ? { denomTraces } : { denomTraces, pagination };
  },
};
