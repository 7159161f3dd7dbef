import {
  QueryAnnualProvisionsResponse,
  QueryInflationResponse,
  QueryParamsResponse,
} from "cosmjs-types/cosmos/mint/v1beta1/query";
import type { QueryHandler } from "../../app/index.ts";
import { utf8 } from "../../utils/index.ts";
import { getMinter, getMintParams, mintParamsToProto } from "./types.ts";

/**
 * x/mint's gRPC queries. As the SDK, Inflation and AnnualProvisions are `bytes` holding the LegacyDec's
 * wire form: the UTF-8 digits of its 18-decimal atomics ("130000000000000000" is 0.13).
 */
export function mintQueries(): Record<string, QueryHandler> {
  return {
    "/cosmos.mint.v1beta1.Query/Params": async (ctx) =>
      QueryParamsResponse.encode({ params: mintParamsToProto(await getMintParams(ctx.store)) }).finish(),
    "/cosmos.mint.v1beta1.Query/Inflation": async (ctx) =>
      QueryInflationResponse.encode({
        inflation: utf8((await getMinter(ctx.store)).inflation.toString()),
      }).finish(),
    "/cosmos.mint.v1beta1.Query/AnnualProvisions": async (ctx) =>
      QueryAnnualProvisionsResponse.encode({
        annualProvisions: utf8((await getMinter(ctx.store)).annualProvisions.toString()),
      }).finish(),
  };
}
