import {
  QueryParamsResponse as AuthParamsResponse,
  QueryAccountRequest,
  QueryAccountResponse,
} from "cosmjs-types/cosmos/auth/v1beta1/query";
import {
  QueryParamsResponse as BankParamsResponse,
  QueryAllBalancesRequest,
  QueryAllBalancesResponse,
  QueryBalanceRequest,
  QueryBalanceResponse,
  QuerySupplyOfRequest,
  QuerySupplyOfResponse,
  QueryTotalSupplyResponse,
} from "cosmjs-types/cosmos/bank/v1beta1/query";
import { addressBytes } from "./address.ts";
import { coinsToWire, isValidDenom } from "./coins.ts";
import { errInvalidRequest, errKeyNotFound, type SdkError } from "./errors.ts";
import type { AuthKeeper } from "./modules/auth.ts";
import type { BankKeeper } from "./modules/bank.ts";
import type { AppStore } from "./store.ts";

/** What a gRPC-style query handler reads: committed state at one height. */
export interface QueryContext {
  readonly store: AppStore;
  readonly auth: AuthKeeper;
  readonly bank: BankKeeper;
}

type Handler = (ctx: QueryContext, data: Uint8Array) => Promise<Uint8Array>;

/** Decodes a query request, turning a decode failure into the SDK's invalid request (sdk 18). */
export function decodeQueryRequest<T>(path: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw errInvalidRequest(`invalid request for ${path}: ${(e as Error).message}`);
  }
}

function address(ctx: QueryContext, a: string): Uint8Array {
  try {
    return addressBytes(a, ctx.auth.prefix);
  } catch (e) {
    throw errInvalidRequest((e as Error).message);
  }
}

/**
 * gRPC NotFound as the SDK reports it through ABCI (code 22, codespace sdk). CosmJS matches the
 * "rpc error: code = NotFound" text to return null from getAccount.
 */
function notFound(what: string): SdkError {
  return grpcNotFound(`${what} not found`);
}

/** gRPC NotFound with description `desc`, as the SDK reports it through ABCI (sdk 22). */
export function grpcNotFound(desc: string): SdkError {
  return errKeyNotFound(`rpc error: code = NotFound desc = ${desc}`);
}

const HANDLERS: Record<string, Handler> = {
  "/cosmos.auth.v1beta1.Query/Account": async (ctx, data) => {
    const req = decodeQueryRequest("Account", () => QueryAccountRequest.decode(data));
    const any = await ctx.auth.getAccountAny(ctx.store, address(ctx, req.address));
    if (!any) throw notFound(`account ${req.address}`);
    return QueryAccountResponse.encode({ account: any }).finish();
  },
  "/cosmos.auth.v1beta1.Query/Params": async (ctx) => {
    const p = await ctx.auth.getParams(ctx.store);
    return AuthParamsResponse.encode({ params: { ...p } }).finish();
  },
  "/cosmos.bank.v1beta1.Query/Balance": async (ctx, data) => {
    const req = decodeQueryRequest("Balance", () => QueryBalanceRequest.decode(data));
    if (!isValidDenom(req.denom)) throw errInvalidRequest(`invalid denom ${JSON.stringify(req.denom)}`);
    const amount = await ctx.bank.balance(ctx.store, address(ctx, req.address), req.denom);
    return QueryBalanceResponse.encode({ balance: { denom: req.denom, amount: amount.toString() } }).finish();
  },
  "/cosmos.bank.v1beta1.Query/AllBalances": async (ctx, data) => {
    const req = decodeQueryRequest("AllBalances", () => QueryAllBalancesRequest.decode(data));
    const all = await ctx.bank.allBalances(ctx.store, address(ctx, req.address));
    const offset = Number(req.pagination?.offset ?? 0n);
    const limit = Number(req.pagination?.limit || 100n);
    const page = all.slice(offset, offset + limit);
    return QueryAllBalancesResponse.encode({
      balances: coinsToWire(page),
      pagination: { nextKey: new Uint8Array(), total: BigInt(all.length) },
    }).finish();
  },
  "/cosmos.bank.v1beta1.Query/TotalSupply": async (ctx) => {
    const supply = await ctx.bank.totalSupply(ctx.store);
    return QueryTotalSupplyResponse.encode({
      supply: coinsToWire(supply),
      pagination: { nextKey: new Uint8Array(), total: BigInt(supply.length) },
    }).finish();
  },
  "/cosmos.bank.v1beta1.Query/SupplyOf": async (ctx, data) => {
    const req = decodeQueryRequest("SupplyOf", () => QuerySupplyOfRequest.decode(data));
    const amount = await ctx.bank.supplyOf(ctx.store, req.denom);
    return QuerySupplyOfResponse.encode({ amount: { denom: req.denom, amount: amount.toString() } }).finish();
  },
  "/cosmos.bank.v1beta1.Query/Params": async () =>
    BankParamsResponse.encode({ params: { sendEnabled: [], defaultSendEnabled: true } }).finish(),
};

/** The gRPC query paths the app serves through abci_query. */
export function queryHandler(path: string): Handler | undefined {
  return Object.hasOwn(HANDLERS, path) ? HANDLERS[path] : undefined;
}
