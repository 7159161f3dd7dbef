import type { Command } from "commander";
import {
  QueryDelegationRequest,
  QueryDelegationResponse,
  QueryDelegatorDelegationsRequest,
  QueryDelegatorDelegationsResponse,
  QueryDelegatorUnbondingDelegationsRequest,
  QueryDelegatorUnbondingDelegationsResponse,
  QueryParamsRequest,
  QueryParamsResponse,
  QueryPoolRequest,
  QueryPoolResponse,
  QueryRedelegationsRequest,
  QueryRedelegationsResponse,
  QueryValidatorRequest,
  QueryValidatorResponse,
  QueryValidatorsRequest,
  QueryValidatorsResponse,
} from "cosmjs-types/cosmos/staking/v1beta1/query";
import { parseAccountAddress } from "../node/index.ts";
import { IcsdError } from "../utils/index.ts";
import { withExample } from "./common.ts";
import { pageRequest, printProto, queryCommand } from "./query.ts";
import { parseValidatorAddress } from "./tx.ts";

const Q = "/cosmos.staking.v1beta1.Query/";
const STATUS: Record<string, string> = {
  bonded: "BOND_STATUS_BONDED",
  unbonding: "BOND_STATUS_UNBONDING",
  unbonded: "BOND_STATUS_UNBONDED",
};

function registerValidatorQueries(staking: Command): void {
  const validators = queryCommand(
    staking,
    "validators",
    "Every validator (one page)",
    true,
    (_a, opts, cfg) => {
      const statusFlag = (opts as { status?: string }).status;
      const status = statusFlag === undefined ? "" : STATUS[statusFlag];
      if (status === undefined)
        throw new IcsdError(
          "INVALID_ARGUMENT",
          `--status must be bonded, unbonding or unbonded, got ${JSON.stringify(statusFlag)}`,
        );
      const pagination = pageRequest(opts);
      return async (query) => {
        const req = QueryValidatorsRequest.fromPartial({ status, pagination });
        const res = await query(`${Q}Validators`, QueryValidatorsRequest, req, QueryValidatorsResponse);
        printProto(opts, cfg, QueryValidatorsResponse, res);
      };
    },
  );
  validators.option("--status <status>", "only validators with this status: bonded, unbonding or unbonded");
  withExample(
    validators,
    "icsd query staking validators",
    "icsd query staking validators --status bonded --output json",
  );

  const validator = queryCommand(staking, "validator", "One validator", false, ([addr], opts, cfg) => {
    const validatorAddr = parseValidatorAddress(addr!, cfg.bech32Prefix);
    return async (query) => {
      const req = QueryValidatorRequest.fromPartial({ validatorAddr });
      const res = await query(`${Q}Validator`, QueryValidatorRequest, req, QueryValidatorResponse);
      printProto(opts, cfg, QueryValidatorResponse, res);
    };
  });
  validator.argument("<validator-addr>", "the validator's operator address");
  withExample(validator, "icsd query staking validator cosmosvaloper1...");

  const pool = queryCommand(
    staking,
    "pool",
    "The bonded and not-bonded token totals",
    false,
    (_a, opts, cfg) => {
      return async (query) => {
        const res = await query(`${Q}Pool`, QueryPoolRequest, {}, QueryPoolResponse);
        printProto(opts, cfg, QueryPoolResponse, res);
      };
    },
  );
  withExample(pool, "icsd query staking pool --output json");

  const params = queryCommand(
    staking,
    "params",
    "The staking module's parameters",
    false,
    (_a, opts, cfg) => {
      return async (query) => {
        const res = await query(`${Q}Params`, QueryParamsRequest, {}, QueryParamsResponse);
        printProto(opts, cfg, QueryParamsResponse, res);
      };
    },
  );
  withExample(params, "icsd query staking params");
}

function registerDelegatorQueries(staking: Command): void {
  const delegation = queryCommand(
    staking,
    "delegation",
    "A delegation of a delegator to a validator",
    false,
    ([del, val], opts, cfg) => {
      const delegatorAddr = parseAccountAddress(del!, cfg.bech32Prefix);
      const validatorAddr = parseValidatorAddress(val!, cfg.bech32Prefix);
      return async (query) => {
        const req = QueryDelegationRequest.fromPartial({ delegatorAddr, validatorAddr });
        const res = await query(`${Q}Delegation`, QueryDelegationRequest, req, QueryDelegationResponse);
        printProto(opts, cfg, QueryDelegationResponse, res);
      };
    },
  );
  delegation.argument("<delegator-addr>", "the delegator's account address");
  delegation.argument("<validator-addr>", "the validator's operator address");
  withExample(delegation, "icsd query staking delegation cosmos1... cosmosvaloper1...");

  const delegations = queryCommand(
    staking,
    "delegations",
    "Every delegation of a delegator (one page)",
    true,
    ([del], opts, cfg) => {
      const delegatorAddr = parseAccountAddress(del!, cfg.bech32Prefix);
      const pagination = pageRequest(opts);
      return async (query) => {
        const req = QueryDelegatorDelegationsRequest.fromPartial({ delegatorAddr, pagination });
        const path = `${Q}DelegatorDelegations`;
        const res = await query(
          path,
          QueryDelegatorDelegationsRequest,
          req,
          QueryDelegatorDelegationsResponse,
        );
        printProto(opts, cfg, QueryDelegatorDelegationsResponse, res);
      };
    },
  );
  delegations.argument("<delegator-addr>", "the delegator's account address");
  withExample(delegations, "icsd query staking delegations cosmos1... --output json");

  const unbonding = queryCommand(
    staking,
    "unbonding-delegations",
    "Every unbonding delegation of a delegator (one page)",
    true,
    ([del], opts, cfg) => {
      const delegatorAddr = parseAccountAddress(del!, cfg.bech32Prefix);
      const pagination = pageRequest(opts);
      return async (query) => {
        const T = QueryDelegatorUnbondingDelegationsRequest;
        const R = QueryDelegatorUnbondingDelegationsResponse;
        const res = await query(
          `${Q}DelegatorUnbondingDelegations`,
          T,
          T.fromPartial({ delegatorAddr, pagination }),
          R,
        );
        printProto(opts, cfg, R, res);
      };
    },
  );
  unbonding.argument("<delegator-addr>", "the delegator's account address");
  withExample(unbonding, "icsd query staking unbonding-delegations cosmos1...");

  const redelegations = queryCommand(
    staking,
    "redelegations",
    "Every redelegation of a delegator (one page; --src-validator/--dst-validator narrow it)",
    true,
    ([del], opts, cfg) => {
      const o = opts as { srcValidator?: string; dstValidator?: string };
      const delegatorAddr = parseAccountAddress(del!, cfg.bech32Prefix);
      const srcValidatorAddr = o.srcValidator ? parseValidatorAddress(o.srcValidator, cfg.bech32Prefix) : "";
      const dstValidatorAddr = o.dstValidator ? parseValidatorAddress(o.dstValidator, cfg.bech32Prefix) : "";
      const pagination = pageRequest(opts);
      return async (query) => {
        const req = QueryRedelegationsRequest.fromPartial({
          delegatorAddr,
          srcValidatorAddr,
          dstValidatorAddr,
          pagination,
        });
        const res = await query(
          `${Q}Redelegations`,
          QueryRedelegationsRequest,
          req,
          QueryRedelegationsResponse,
        );
        printProto(opts, cfg, QueryRedelegationsResponse, res);
      };
    },
  );
  redelegations
    .argument("<delegator-addr>", "the delegator's account address")
    .option("--src-validator <addr>", "only redelegations from this validator")
    .option("--dst-validator <addr>", "only redelegations to this validator");
  withExample(redelegations, "icsd query staking redelegations cosmos1...");
}

/** `icsd query staking validators|validator|delegation|delegations|unbonding-delegations|redelegations|pool|params`. */
export function registerStakingQuery(query: Command): void {
  const staking = query.command("staking").description("Query the staking module");
  withExample(staking, "icsd query staking validators", "icsd query staking delegations cosmos1...");
  registerValidatorQueries(staking);
  registerDelegatorQueries(staking);
}
