import { Equivocation } from "cosmjs-types/cosmos/evidence/v1beta1/evidence";
import {
  QueryAllEvidenceRequest,
  QueryAllEvidenceResponse,
  QueryEvidenceRequest,
  QueryEvidenceResponse,
} from "cosmjs-types/cosmos/evidence/v1beta1/query";
import {
  QueryParamsResponse,
  QuerySigningInfoRequest,
  QuerySigningInfoResponse,
  QuerySigningInfosRequest,
  QuerySigningInfosResponse,
} from "cosmjs-types/cosmos/slashing/v1beta1/query";
import {
  addressBytes,
  decodeQueryRequest as decodeRequest,
  errInvalidRequest,
  grpcNotFound as notFound,
  paginate,
  type QueryHandler,
} from "../../app/index.ts";
import { fromHex, toHex } from "../../utils/index.ts";
import { allEvidence, EQUIVOCATION_TYPE_URL, getEvidence } from "./evidence.ts";
import type { SlashingKeeper } from "./keeper.ts";
import { paramsToProto } from "./params.ts";
import { signingInfoToProto } from "./signingInfo.ts";

/**
 * x/slashing's gRPC queries (Params, SigningInfo by `<prefix>valcons` address, SigningInfos paginated
 * in consensus-address order) and x/evidence's (Evidence by hex hash, AllEvidence paginated by hash).
 */
export function slashingQueries(k: SlashingKeeper): Record<string, QueryHandler> {
  return {
    "/cosmos.slashing.v1beta1.Query/Params": async (ctx) => {
      const p = await k.params(ctx.store);
      return QueryParamsResponse.encode({ params: paramsToProto(p) }).finish();
    },
    "/cosmos.slashing.v1beta1.Query/SigningInfo": async (ctx, data) => {
      const req = decodeRequest("SigningInfo", () => QuerySigningInfoRequest.decode(data));
      if (req.consAddress === "") throw errInvalidRequest("invalid request");
      let consAddr: Uint8Array;
      try {
        consAddr = addressBytes(req.consAddress, `${k.prefix}valcons`, "consensus address");
      } catch (e) {
        throw errInvalidRequest((e as Error).message);
      }
      const info = await k.getSigningInfo(ctx.store, consAddr);
      if (!info) throw notFound(`SigningInfo not found for validator ${req.consAddress}`);
      return QuerySigningInfoResponse.encode({ valSigningInfo: signingInfoToProto(info, k.prefix) }).finish();
    },
    "/cosmos.slashing.v1beta1.Query/SigningInfos": async (ctx, data) => {
      const req = decodeRequest("SigningInfos", () => QuerySigningInfosRequest.decode(data));
      const all = await k.signingInfos.all(ctx.store);
      const { page, pagination } = paginate(all, req.pagination);
      return QuerySigningInfosResponse.encode({
        info: page.map((i) => signingInfoToProto(i, k.prefix)),
        pagination,
      }).finish();
    },
    "/cosmos.evidence.v1beta1.Query/Evidence": async (ctx, data) => {
      const req = decodeRequest("Evidence", () => QueryEvidenceRequest.decode(data));
      // SDK 0.50 takes the hex `hash`; the deprecated `evidence_hash` bytes are accepted as a fallback.
      let hash: Uint8Array;
      if (req.hash !== "") {
        try {
          hash = fromHex(req.hash);
        } catch (e) {
          throw errInvalidRequest(`invalid evidence hash: ${(e as Error).message}`);
        }
      } else if (req.evidenceHash.length > 0) {
        hash = req.evidenceHash;
      } else {
        throw errInvalidRequest("invalid request; hash is empty");
      }
      const ev = await getEvidence(ctx.store, hash);
      if (!ev) throw notFound(`evidence ${toHex(hash)} not found`);
      return QueryEvidenceResponse.encode({
        evidence: { typeUrl: EQUIVOCATION_TYPE_URL, value: Equivocation.encode(ev).finish() },
      }).finish();
    },
    "/cosmos.evidence.v1beta1.Query/AllEvidence": async (ctx, data) => {
      const req = decodeRequest("AllEvidence", () => QueryAllEvidenceRequest.decode(data));
      const { page, pagination } = paginate(await allEvidence(ctx.store), req.pagination);
      return QueryAllEvidenceResponse.encode({
        evidence: page.map((e) => ({
          typeUrl: EQUIVOCATION_TYPE_URL,
          value: Equivocation.encode(e.evidence).finish(),
        })),
        pagination,
      }).finish();
    },
  };
}
