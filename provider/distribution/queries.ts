import {
  QueryCommunityPoolResponse,
  QueryDelegationRewardsRequest,
  QueryDelegationRewardsResponse,
  QueryDelegationTotalRewardsRequest,
  QueryDelegationTotalRewardsResponse,
  QueryDelegatorValidatorsRequest,
  QueryDelegatorValidatorsResponse,
  QueryDelegatorWithdrawAddressRequest,
  QueryDelegatorWithdrawAddressResponse,
  QueryParamsResponse,
  QueryValidatorCommissionRequest,
  QueryValidatorCommissionResponse,
  QueryValidatorDistributionInfoRequest,
  QueryValidatorDistributionInfoResponse,
  QueryValidatorOutstandingRewardsRequest,
  QueryValidatorOutstandingRewardsResponse,
  QueryValidatorSlashesRequest,
  QueryValidatorSlashesResponse,
} from "cosmjs-types/cosmos/distribution/v1beta1/query";
import {
  addressBytes,
  type DecCoin,
  decToString,
  errInvalidRequest,
  errUnknownRequest,
  paginate,
  type QueryHandler,
  SdkError,
} from "../../app/index.ts";
import { bySource, sumBySource } from "./decCoins.ts";
import type { DistributionKeeper } from "./keeper.ts";
import { getCommission, getOutstanding, slashEventsBetween } from "./state.ts";
import { getDistributionParams, paramsToProto } from "./types.ts";

const Q = "/cosmos.distribution.v1beta1.Query/";
/** icsd's rewards-by-source query (see `distributionQueries`). */
export const REWARDS_BY_SOURCE_PATH = "/icsd.distribution.v1.Query/DelegationRewardsBySource";

const wire = (coins: readonly DecCoin[]) =>
  coins.map((c) => ({ denom: c.denom, amount: c.atomics.toString() }));

function decode<T>(name: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw errInvalidRequest(`invalid request for ${name}: ${(e as Error).message}`);
  }
}

/**
 * A module error inside a gRPC query reaches ABCI as the SDK's baseapp reports it (gRPCErrorToSDKError):
 * wrapped in ErrUnknownRequest (sdk 6); `sdk` errors (invalid request, not found) keep their code.
 */
function queryError(e: unknown): unknown {
  if (e instanceof SdkError && e.codespace !== "sdk") return errUnknownRequest(e.message);
  return e;
}

const wrap =
  (h: QueryHandler): QueryHandler =>
  async (ctx, data) => {
    try {
      return await h(ctx, data);
    } catch (e) {
      throw queryError(e);
    }
  };

/** x/distribution's gRPC queries (totals over all sources) and icsd's per-source rewards query. */
export function distributionQueries(k: DistributionKeeper): Record<string, QueryHandler> {
  const acc = (a: string, field: string) => {
    if (a === "") throw errInvalidRequest(`empty ${field} address`);
    try {
      return addressBytes(a, k.prefix, `${field} address`);
    } catch (e) {
      throw errInvalidRequest((e as Error).message);
    }
  };
  const valop = (a: string) => {
    if (a === "") throw errInvalidRequest("empty validator address");
    try {
      return addressBytes(a, `${k.prefix}valoper`, "validator address");
    } catch (e) {
      throw errInvalidRequest((e as Error).message);
    }
  };
  /** The keyed rewards a delegation could withdraw now (the SDK's DelegationRewards). */
  const rewardsOf = async (
    ctx: Parameters<QueryHandler>[0],
    delegator: string,
    validator: string,
  ): Promise<DecCoin[]> => {
    const val = await k.validator(ctx.store, valop(validator));
    const del = await k.delegation(ctx.store, acc(delegator, "delegator"), val.operator);
    return k.pendingRewards(ctx.store, ctx.height, val, del);
  };

  const handlers: Record<string, QueryHandler> = {
    [`${Q}Params`]: async (ctx) =>
      QueryParamsResponse.encode({ params: paramsToProto(await getDistributionParams(ctx.store)) }).finish(),
    [`${Q}ValidatorDistributionInfo`]: async (ctx, data) => {
      const req = decode("ValidatorDistributionInfo", () =>
        QueryValidatorDistributionInfoRequest.decode(data),
      );
      const val = await k.validator(ctx.store, valop(req.validatorAddress));
      const del = await k.delegation(ctx.store, val.operator, val.operator);
      const rewards = await k.pendingRewards(ctx.store, ctx.height, val, del);
      return QueryValidatorDistributionInfoResponse.encode({
        operatorAddress: k.account(val.operator),
        selfBondRewards: wire(sumBySource(rewards)),
        commission: wire(sumBySource(await getCommission(ctx.store, val.operator))),
      }).finish();
    },
    [`${Q}ValidatorOutstandingRewards`]: async (ctx, data) => {
      const req = decode("ValidatorOutstandingRewards", () =>
        QueryValidatorOutstandingRewardsRequest.decode(data),
      );
      const val = await k.validator(ctx.store, valop(req.validatorAddress));
      const rewards = sumBySource(await getOutstanding(ctx.store, val.operator));
      return QueryValidatorOutstandingRewardsResponse.encode({
        rewards: { rewards: wire(rewards) },
      }).finish();
    },
    [`${Q}ValidatorCommission`]: async (ctx, data) => {
      const req = decode("ValidatorCommission", () => QueryValidatorCommissionRequest.decode(data));
      const val = await k.validator(ctx.store, valop(req.validatorAddress));
      const commission = sumBySource(await getCommission(ctx.store, val.operator));
      return QueryValidatorCommissionResponse.encode({
        commission: { commission: wire(commission) },
      }).finish();
    },
    [`${Q}ValidatorSlashes`]: async (ctx, data) => {
      const req = decode("ValidatorSlashes", () => QueryValidatorSlashesRequest.decode(data));
      if (req.validatorAddress === "") throw errInvalidRequest("empty validator address");
      if (req.endingHeight < req.startingHeight) {
        throw errInvalidRequest(
          `starting height greater than ending height (${req.startingHeight} > ${req.endingHeight})`,
        );
      }
      const events = await slashEventsBetween(
        ctx.store,
        valop(req.validatorAddress),
        req.startingHeight,
        req.endingHeight,
      );
      const { page, pagination } = paginate(events, req.pagination);
      return QueryValidatorSlashesResponse.encode({
        slashes: page.map((e) => ({ validatorPeriod: e.validatorPeriod, fraction: e.fraction.toString() })),
        pagination,
      }).finish();
    },
    [`${Q}DelegationRewards`]: async (ctx, data) => {
      const req = decode("DelegationRewards", () => QueryDelegationRewardsRequest.decode(data));
      if (req.delegatorAddress === "") throw errInvalidRequest("empty delegator address");
      const rewards = await rewardsOf(ctx, req.delegatorAddress, req.validatorAddress);
      return QueryDelegationRewardsResponse.encode({ rewards: wire(sumBySource(rewards)) }).finish();
    },
    [`${Q}DelegationTotalRewards`]: async (ctx, data) => {
      const req = decode("DelegationTotalRewards", () => QueryDelegationTotalRewardsRequest.decode(data));
      const del = acc(req.delegatorAddress, "delegator");
      const rewards: { validatorAddress: string; reward: ReturnType<typeof wire> }[] = [];
      let total: DecCoin[] = [];
      for (const d of await k.staking.delegatorDelegations(ctx.store, del)) {
        const val = await k.validator(ctx.store, d.validator);
        const r = sumBySource(await k.pendingRewards(ctx.store, ctx.height, val, d));
        rewards.push({ validatorAddress: k.valoper(d.validator), reward: wire(r) });
        total = sumBySource([...total, ...r]);
      }
      return QueryDelegationTotalRewardsResponse.encode({ rewards, total: wire(total) }).finish();
    },
    [`${Q}DelegatorValidators`]: async (ctx, data) => {
      const req = decode("DelegatorValidators", () => QueryDelegatorValidatorsRequest.decode(data));
      const del = acc(req.delegatorAddress, "delegator");
      const validators = (await k.staking.delegatorDelegations(ctx.store, del)).map((d) =>
        k.valoper(d.validator),
      );
      return QueryDelegatorValidatorsResponse.encode({ validators }).finish();
    },
    [`${Q}DelegatorWithdrawAddress`]: async (ctx, data) => {
      const req = decode("DelegatorWithdrawAddress", () => QueryDelegatorWithdrawAddressRequest.decode(data));
      const del = acc(req.delegatorAddress, "delegator");
      return QueryDelegatorWithdrawAddressResponse.encode({
        withdrawAddress: k.account(await k.withdrawAddr(ctx.store, del)),
      }).finish();
    },
    [`${Q}CommunityPool`]: async (ctx) =>
      QueryCommunityPoolResponse.encode({ pool: wire(await k.communityPool(ctx.store)) }).finish(),
    /**
     * Request: UTF-8 JSON `{"delegator_address": "cosmos1…", "validator_address": "cosmosvaloper1…"}`.
     * Response: UTF-8 JSON `{"rewards": [{"source": "provider", "rewards": [{"denom": "stake",
     * "amount": "1.500000000000000000"}]}, …]}`, sources sorted, amounts as LegacyDec strings: what
     * DelegationRewards reports, split by where each reward came from ("provider" or a consumer chain id).
     */
    [REWARDS_BY_SOURCE_PATH]: async (ctx, data) => {
      const req = decode("DelegationRewardsBySource", () => {
        const j = JSON.parse(Buffer.from(data).toString("utf8")) as Record<string, unknown>;
        if (typeof j.delegator_address !== "string" || typeof j.validator_address !== "string") {
          throw new Error("delegator_address and validator_address must be strings");
        }
        return { delegator: j.delegator_address, validator: j.validator_address };
      });
      if (req.delegator === "") throw errInvalidRequest("empty delegator address");
      const keyed = await rewardsOf(ctx, req.delegator, req.validator);
      const rewards = bySource(keyed).map((g) => ({
        source: g.source,
        rewards: g.coins.map((c) => ({ denom: c.denom, amount: decToString(c.atomics) })),
      }));
      return new Uint8Array(Buffer.from(JSON.stringify({ rewards }), "utf8"));
    },
  };
  return Object.fromEntries(Object.entries(handlers).map(([p, h]) => [p, wrap(h)]));
}
