import type { PageRequest } from "cosmjs-types/cosmos/base/query/v1beta1/pagination";
import {
  QueryDelegationRequest,
  QueryDelegationResponse,
  QueryDelegatorDelegationsRequest,
  QueryDelegatorDelegationsResponse,
  QueryDelegatorUnbondingDelegationsRequest,
  QueryDelegatorUnbondingDelegationsResponse,
  QueryDelegatorValidatorRequest,
  QueryDelegatorValidatorResponse,
  QueryDelegatorValidatorsRequest,
  QueryDelegatorValidatorsResponse,
  QueryHistoricalInfoRequest,
  QueryParamsResponse,
  QueryPoolResponse,
  QueryRedelegationsRequest,
  QueryRedelegationsResponse,
  QueryUnbondingDelegationRequest,
  QueryUnbondingDelegationResponse,
  QueryValidatorDelegationsRequest,
  QueryValidatorDelegationsResponse,
  QueryValidatorRequest,
  QueryValidatorResponse,
  QueryValidatorsRequest,
  QueryValidatorsResponse,
  QueryValidatorUnbondingDelegationsRequest,
  QueryValidatorUnbondingDelegationsResponse,
} from "cosmjs-types/cosmos/staking/v1beta1/query";
import type { DelegationResponse, RedelegationResponse } from "cosmjs-types/cosmos/staking/v1beta1/staking";
import {
  type AppStore,
  addressBytes,
  decodeQueryRequest as decodeRequest,
  errInvalidRequest,
  grpcNotFound as notFound,
  paginate,
  type QueryHandler,
  type SdkError,
} from "../../app/index.ts";
import { valoperBytes } from "./address.ts";
import {
  bondStatusName,
  delegationToProto,
  paramsToProto,
  type RedelegationRecord,
  redToProto,
  ubdToProto,
  validatorToProto,
} from "./codec.ts";
import type { StakingKeeperImpl } from "./keeper.ts";
import { delegationBalance } from "./shares.ts";
import type { Delegation } from "./types.ts";

/** x/staking's gRPC queries (`/cosmos.staking.v1beta1.Query/...`) over committed state. */

const Q = "/cosmos.staking.v1beta1.Query/";

function invalidArgument(what: string): SdkError {
  return errInvalidRequest(`rpc error: code = InvalidArgument desc = ${what}`);
}

export function stakingQueries(k: StakingKeeperImpl): Record<string, QueryHandler> {
  const prefix = (): string => k.prefix;
  const acc = (s: string, what: string): Uint8Array => {
    if (s === "") throw invalidArgument(`${what} address cannot be empty`);
    try {
      return addressBytes(s, prefix());
    } catch (e) {
      throw invalidArgument((e as Error).message);
    }
  };
  const val = (s: string, what = "validator"): Uint8Array => {
    if (s === "") throw invalidArgument(`${what} address cannot be empty`);
    try {
      return valoperBytes(s, prefix());
    } catch (e) {
      throw invalidArgument((e as Error).message);
    }
  };
  const validatorProto = async (store: AppStore, op: Uint8Array, what: string) => {
    const v = await k.getValidator(store, op);
    if (!v) throw notFound(`validator ${what} not found`);
    return validatorToProto(v, prefix());
  };
  const delegationResponses = async (
    store: AppStore,
    ds: readonly Delegation[],
  ): Promise<DelegationResponse[]> => {
    const denom = await k.bondDenom(store);
    const out: DelegationResponse[] = [];
    for (const d of ds) {
      const v = await k.getValidator(store, d.validator);
      if (!v) throw errInvalidRequest("validator does not exist");
      out.push({
        delegation: delegationToProto(d, prefix()),
        balance: { denom, amount: delegationBalance(v, d.shares).toString() },
      });
    }
    return out;
  };
  const redelegationResponses = async (store: AppStore, rs: readonly RedelegationRecord[]) => {
    const out: RedelegationResponse[] = [];
    for (const r of rs) {
      const dst = await k.getValidator(store, r.dst);
      const proto = redToProto(r, prefix());
      out.push({
        redelegation: proto,
        entries: r.entries.map((e, i) => ({
          redelegationEntry: proto.entries[i]!,
          balance: (dst ? delegationBalance(dst, e.sharesDst) : 0n).toString(),
        })),
      });
    }
    return out;
  };
  const page = <T>(items: readonly T[], p: PageRequest | undefined) => paginate(items, p);

  return {
    [`${Q}Validators`]: async ({ store }, data) => {
      const req = decodeRequest("Validators", () => QueryValidatorsRequest.decode(data));
      const ok = ["", "BOND_STATUS_BONDED", "BOND_STATUS_UNBONDED", "BOND_STATUS_UNBONDING"];
      if (!ok.includes(req.status)) throw invalidArgument(`invalid validator status ${req.status}`);
      const all = (await k.validators(store)).filter(
        (v) => req.status === "" || bondStatusName(v.status) === req.status,
      );
      const { page: items, pagination } = page(all, req.pagination);
      return QueryValidatorsResponse.encode({
        validators: items.map((v) => validatorToProto(v, prefix())),
        pagination,
      }).finish();
    },
    [`${Q}Validator`]: async ({ store }, data) => {
      const req = decodeRequest("Validator", () => QueryValidatorRequest.decode(data));
      const validator = await validatorProto(store, val(req.validatorAddr), req.validatorAddr);
      return QueryValidatorResponse.encode({ validator }).finish();
    },
    [`${Q}ValidatorDelegations`]: async ({ store }, data) => {
      const req = decodeRequest("ValidatorDelegations", () => QueryValidatorDelegationsRequest.decode(data));
      const ds = await k.validatorDelegations(store, val(req.validatorAddr));
      const { page: items, pagination } = page(ds, req.pagination);
      return QueryValidatorDelegationsResponse.encode({
        delegationResponses: await delegationResponses(store, items),
        pagination,
      }).finish();
    },
    [`${Q}ValidatorUnbondingDelegations`]: async ({ store }, data) => {
      const req = decodeRequest("ValidatorUnbondingDelegations", () =>
        QueryValidatorUnbondingDelegationsRequest.decode(data),
      );
      const us = await k.validatorUnbondingDelegations(store, val(req.validatorAddr));
      const { page: items, pagination } = page(us, req.pagination);
      return QueryValidatorUnbondingDelegationsResponse.encode({
        unbondingResponses: items.map((u) => ubdToProto(u, prefix())),
        pagination,
      }).finish();
    },
    [`${Q}Delegation`]: async ({ store }, data) => {
      const req = decodeRequest("Delegation", () => QueryDelegationRequest.decode(data));
      const d = await k.getDelegation(store, acc(req.delegatorAddr, "delegator"), val(req.validatorAddr));
      if (!d) {
        throw notFound(
          `delegation with delegator ${req.delegatorAddr} not found for validator ${req.validatorAddr}`,
        );
      }
      const [delegationResponse] = await delegationResponses(store, [d]);
      return QueryDelegationResponse.encode({ delegationResponse }).finish();
    },
    [`${Q}UnbondingDelegation`]: async ({ store }, data) => {
      const req = decodeRequest("UnbondingDelegation", () => QueryUnbondingDelegationRequest.decode(data));
      const u = await k.getUnbondingDelegation(
        store,
        acc(req.delegatorAddr, "delegator"),
        val(req.validatorAddr),
      );
      if (!u) {
        throw notFound(
          `unbonding delegation with delegator ${req.delegatorAddr} not found for validator ${req.validatorAddr}`,
        );
      }
      return QueryUnbondingDelegationResponse.encode({ unbond: ubdToProto(u, prefix()) }).finish();
    },
    [`${Q}DelegatorDelegations`]: async ({ store }, data) => {
      const req = decodeRequest("DelegatorDelegations", () => QueryDelegatorDelegationsRequest.decode(data));
      const ds = await k.delegatorDelegations(store, acc(req.delegatorAddr, "delegator"));
      const { page: items, pagination } = page(ds, req.pagination);
      return QueryDelegatorDelegationsResponse.encode({
        delegationResponses: await delegationResponses(store, items),
        pagination,
      }).finish();
    },
    [`${Q}DelegatorUnbondingDelegations`]: async ({ store }, data) => {
      const req = decodeRequest("DelegatorUnbondingDelegations", () =>
        QueryDelegatorUnbondingDelegationsRequest.decode(data),
      );
      const us = await k.delegatorUnbondingDelegations(store, acc(req.delegatorAddr, "delegator"));
      const { page: items, pagination } = page(us, req.pagination);
      return QueryDelegatorUnbondingDelegationsResponse.encode({
        unbondingResponses: items.map((u) => ubdToProto(u, prefix())),
        pagination,
      }).finish();
    },
    [`${Q}Redelegations`]: async ({ store }, data) => {
      const req = decodeRequest("Redelegations", () => QueryRedelegationsRequest.decode(data));
      let reds: RedelegationRecord[];
      if (req.delegatorAddr !== "" && req.srcValidatorAddr !== "" && req.dstValidatorAddr !== "") {
        const r = await k.getRedelegation(
          store,
          acc(req.delegatorAddr, "delegator"),
          val(req.srcValidatorAddr, "source validator"),
          val(req.dstValidatorAddr, "destination validator"),
        );
        if (!r) {
          throw notFound(
            `redelegation not found for delegator address ${req.delegatorAddr} from validator address ${req.srcValidatorAddr}`,
          );
        }
        reds = [r];
      } else if (req.delegatorAddr === "" && req.srcValidatorAddr !== "" && req.dstValidatorAddr === "") {
        reds = await k.redelegationsFromSrc(store, val(req.srcValidatorAddr, "source validator"));
      } else {
        reds = await k.delegatorRedelegations(store, acc(req.delegatorAddr, "delegator"));
      }
      const { page: items, pagination } = page(reds, req.pagination);
      return QueryRedelegationsResponse.encode({
        redelegationResponses: await redelegationResponses(store, items),
        pagination,
      }).finish();
    },
    [`${Q}DelegatorValidators`]: async ({ store }, data) => {
      const req = decodeRequest("DelegatorValidators", () => QueryDelegatorValidatorsRequest.decode(data));
      const ds = await k.delegatorDelegations(store, acc(req.delegatorAddr, "delegator"));
      const { page: items, pagination } = page(ds, req.pagination);
      const validators = [];
      for (const d of items) validators.push(await validatorProto(store, d.validator, "of delegation"));
      return QueryDelegatorValidatorsResponse.encode({ validators, pagination }).finish();
    },
    [`${Q}DelegatorValidator`]: async ({ store }, data) => {
      const req = decodeRequest("DelegatorValidator", () => QueryDelegatorValidatorRequest.decode(data));
      const op = val(req.validatorAddr);
      const d = await k.getDelegation(store, acc(req.delegatorAddr, "delegator"), op);
      if (!d) throw notFound(`no delegation for (address, validator) tuple`);
      const validator = await validatorProto(store, op, req.validatorAddr);
      return QueryDelegatorValidatorResponse.encode({ validator }).finish();
    },
    [`${Q}HistoricalInfo`]: async (_ctx, data) => {
      const req = decodeRequest("HistoricalInfo", () => QueryHistoricalInfoRequest.decode(data));
      if (req.height < 0n) throw invalidArgument("height cannot be negative");
      // icsd keeps no historical info on the provider (consumers keep their own).
      throw notFound(`historical info for height ${req.height} not found`);
    },
    [`${Q}Pool`]: async ({ store }) => {
      const pool = {
        notBondedTokens: (await k.notBondedTokens(store)).toString(),
        bondedTokens: (await k.totalBondedTokens(store)).toString(),
      };
      return QueryPoolResponse.encode({ pool }).finish();
    },
    [`${Q}Params`]: async ({ store }) =>
      QueryParamsResponse.encode({ params: paramsToProto(await k.params(store)) }).finish(),
  };
}
