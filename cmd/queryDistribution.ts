import type { Command } from "commander";
import {
  QueryCommunityPoolRequest,
  QueryCommunityPoolResponse,
  QueryDelegationRewardsRequest,
  QueryDelegationRewardsResponse,
  QueryDelegationTotalRewardsRequest,
  QueryDelegationTotalRewardsResponse,
  QueryParamsRequest,
  QueryParamsResponse,
  QueryValidatorCommissionRequest,
  QueryValidatorCommissionResponse,
} from "cosmjs-types/cosmos/distribution/v1beta1/query";
import { parseAccountAddress } from "../node/index.ts";
import { withExample } from "./common.ts";
import { type ProtoType, printProto, queryCommand } from "./query.ts";
import { parseValidatorAddress } from "./tx.ts";

const Q = "/cosmos.distribution.v1beta1.Query/";
/** icsd's own query (provider/distribution/queries.ts): UTF-8 JSON request and response. */
const REWARDS_BY_SOURCE_PATH = "/icsd.distribution.v1.Query/DelegationRewardsBySource";

/** A codec for a query whose request and response are UTF-8 JSON rather than protobuf. */
const JSON_CODEC: ProtoType<unknown> = {
  encode: (m) => ({ finish: () => new TextEncoder().encode(JSON.stringify(m)) }),
  decode: (b) => JSON.parse(new TextDecoder().decode(b)),
  fromPartial: (o) => o,
  toJSON: (m) => m,
};

/** `icsd query distribution rewards|rewards-by-source|commission|community-pool|params`. */
export function registerDistributionQuery(query: Command): void {
  const distribution = query.command("distribution").description("Query the distribution module");
  withExample(distribution, "icsd query distribution rewards cosmos1...");

  const rewards = queryCommand(
    distribution,
    "rewards",
    "A delegator's pending rewards: from every validator, or from one",
    false,
    ([del, val], opts, cfg) => {
      const delegatorAddress = parseAccountAddress(del!, cfg.bech32Prefix);
      const validatorAddress = val === "" ? "" : parseValidatorAddress(val!, cfg.bech32Prefix);
      return async (q) => {
        if (validatorAddress === "") {
          const T = QueryDelegationTotalRewardsRequest;
          const R = QueryDelegationTotalRewardsResponse;
          const res = await q(`${Q}DelegationTotalRewards`, T, T.fromPartial({ delegatorAddress }), R);
          printProto(opts, cfg, R, res);
          return;
        }
        const T = QueryDelegationRewardsRequest;
        const R = QueryDelegationRewardsResponse;
        const res = await q(
          `${Q}DelegationRewards`,
          T,
          T.fromPartial({ delegatorAddress, validatorAddress }),
          R,
        );
        printProto(opts, cfg, R, res);
      };
    },
  );
  rewards
    .argument("<delegator-addr>", "the delegator's account address")
    .argument("[validator-addr]", "only the rewards from this validator");
  withExample(
    rewards,
    "icsd query distribution rewards cosmos1...",
    "icsd query distribution rewards cosmos1... cosmosvaloper1... --output json",
  );

  const bySource = queryCommand(
    distribution,
    "rewards-by-source",
    "A delegator's pending rewards from one validator, split by source (the provider or a consumer chain)",
    false,
    ([del, val], opts, cfg) => {
      const req = {
        delegator_address: parseAccountAddress(del!, cfg.bech32Prefix),
        validator_address: parseValidatorAddress(val!, cfg.bech32Prefix),
      };
      return async (q) => {
        const res = await q(REWARDS_BY_SOURCE_PATH, JSON_CODEC, req, JSON_CODEC);
        printProto(opts, cfg, JSON_CODEC, res);
      };
    },
  );
  bySource
    .argument("<delegator-addr>", "the delegator's account address")
    .argument("<validator-addr>", "the validator's operator address");
  withExample(
    bySource,
    "icsd query distribution rewards-by-source cosmos1... cosmosvaloper1... --output json",
  );

  const commission = queryCommand(
    distribution,
    "commission",
    "A validator's accumulated, not yet withdrawn commission",
    false,
    ([val], opts, cfg) => {
      const validatorAddress = parseValidatorAddress(val!, cfg.bech32Prefix);
      return async (q) => {
        const T = QueryValidatorCommissionRequest;
        const R = QueryValidatorCommissionResponse;
        const res = await q(`${Q}ValidatorCommission`, T, T.fromPartial({ validatorAddress }), R);
        printProto(opts, cfg, R, res);
      };
    },
  );
  commission.argument("<validator-addr>", "the validator's operator address");
  withExample(commission, "icsd query distribution commission cosmosvaloper1...");

  const pool = queryCommand(
    distribution,
    "community-pool",
    "The community pool's coins",
    false,
    (_a, opts, cfg) => {
      return async (q) => {
        const res = await q(`${Q}CommunityPool`, QueryCommunityPoolRequest, {}, QueryCommunityPoolResponse);
        printProto(opts, cfg, QueryCommunityPoolResponse, res);
      };
    },
  );
  withExample(pool, "icsd query distribution community-pool");

  const params = queryCommand(
    distribution,
    "params",
    "The distribution module's parameters",
    false,
    (_a, opts, cfg) => {
      return async (q) => {
        const res = await q(`${Q}Params`, QueryParamsRequest, {}, QueryParamsResponse);
        printProto(opts, cfg, QueryParamsResponse, res);
      };
    },
  );
  withExample(params, "icsd query distribution params");
}
