import { fromBech32, toBech32 } from "@cosmjs/encoding";
import type { Command } from "commander";
import {
  QueryParamsRequest,
  QueryParamsResponse,
  QuerySigningInfoRequest,
  QuerySigningInfoResponse,
  QuerySigningInfosRequest,
  QuerySigningInfosResponse,
} from "cosmjs-types/cosmos/slashing/v1beta1/query";
import { IcsdError } from "../utils/index.ts";
import { withExample } from "./common.ts";
import { pageRequest, printProto, queryCommand } from "./query.ts";

const Q = "/cosmos.slashing.v1beta1.Query/";

/** The canonical `<prefix>valcons1...` consensus address; INVALID_ADDRESS otherwise. */
export function parseConsAddress(text: string, accountPrefix: string): string {
  const prefix = `${accountPrefix}valcons`;
  let d: { prefix: string; data: Uint8Array };
  try {
    d = fromBech32(text, 90);
  } catch (e) {
    throw new IcsdError(
      "INVALID_ADDRESS",
      `invalid address ${JSON.stringify(text)}: ${(e as Error).message}`,
    );
  }
  if (d.prefix !== prefix || d.data.length !== 20)
    throw new IcsdError(
      "INVALID_ADDRESS",
      `invalid address ${JSON.stringify(text)}: expected a 20-byte ${prefix} consensus address`,
    );
  return toBech32(prefix, d.data);
}

/** `icsd query slashing signing-info|signing-infos|params`. */
export function registerSlashingQuery(query: Command): void {
  const slashing = query.command("slashing").description("Query the slashing module");
  withExample(slashing, "icsd query slashing signing-infos");

  const info = queryCommand(
    slashing,
    "signing-info",
    "The liveness record of a validator, by consensus address",
    false,
    ([addr], opts, cfg) => {
      const consAddress = parseConsAddress(addr!, cfg.bech32Prefix);
      return async (q) => {
        const req = QuerySigningInfoRequest.fromPartial({ consAddress });
        const res = await q(`${Q}SigningInfo`, QuerySigningInfoRequest, req, QuerySigningInfoResponse);
        printProto(opts, cfg, QuerySigningInfoResponse, res);
      };
    },
  );
  info.argument("<valcons-addr>", "the validator's consensus address (cosmosvalcons1...)");
  withExample(info, "icsd query slashing signing-info cosmosvalcons1...");

  const infos = queryCommand(
    slashing,
    "signing-infos",
    "Every signing info (one page)",
    true,
    (_a, opts, cfg) => {
      const pagination = pageRequest(opts);
      return async (q) => {
        const req = QuerySigningInfosRequest.fromPartial({ pagination });
        const res = await q(`${Q}SigningInfos`, QuerySigningInfosRequest, req, QuerySigningInfosResponse);
        printProto(opts, cfg, QuerySigningInfosResponse, res);
      };
    },
  );
  withExample(infos, "icsd query slashing signing-infos --output json");

  const params = queryCommand(
    slashing,
    "params",
    "The slashing module's parameters",
    false,
    (_a, opts, cfg) => {
      return async (q) => {
        const res = await q(`${Q}Params`, QueryParamsRequest, {}, QueryParamsResponse);
        printProto(opts, cfg, QueryParamsResponse, res);
      };
    },
  );
  withExample(params, "icsd query slashing params");
}
