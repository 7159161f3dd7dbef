import {
  DelegatorStartingInfo,
  FeePool,
  ValidatorAccumulatedCommission,
  ValidatorCurrentRewards,
  ValidatorHistoricalRewards,
  ValidatorOutstandingRewards,
  ValidatorSlashEvent,
} from "cosmjs-types/cosmos/distribution/v1beta1/distribution";
import { type AppStore, type Dec, type DecCoin, decFromAtomics, prefixEnd } from "../../app/index.ts";
import { concatBytes, readUint64Be, uint64Be, utf8 } from "../../utils/index.ts";
import { addDec } from "./decCoins.ts";

/**
 * x/distribution's state under the `dst/` prefix. Values are the SDK's protobuf messages; DecCoin
 * amounts are 18-decimal atomics and, in per-validator records, the denom is the internal
 * `source|denom` key (see decCoins.ts). Addresses in keys are length-prefixed, integers 8-byte
 * big-endian, so iteration runs in (validator, height, period) order as the SDK's stores.
 */

const P_PARAMS = utf8("dst/params");
const P_FEE_POOL = utf8("dst/feepool");
const P_PREV_PROPOSER = utf8("dst/prevproposer");
const P_WITHDRAW = utf8("dst/wd/");
const P_OUTSTANDING = utf8("dst/out/");
const P_HISTORICAL = utf8("dst/hist/");
const P_CURRENT = utf8("dst/cur/");
const P_COMMISSION = utf8("dst/comm/");
const P_STARTING = utf8("dst/start/");
const P_SLASH = utf8("dst/slash/");

export const PARAMS_KEY = P_PARAMS;

const lp = (a: Uint8Array): Uint8Array => concatBytes(Uint8Array.of(a.length), a);

type WireDecCoin = { denom: string; amount: string };
const toWire = (coins: readonly DecCoin[]): WireDecCoin[] =>
  coins.map((c) => ({ denom: c.denom, amount: c.atomics.toString() }));
const fromWire = (coins: readonly WireDecCoin[]): DecCoin[] =>
  addDec(
    coins.map((c) => ({ denom: c.denom, atomics: decFromAtomics(c.amount) })),
    [],
  );

export interface HistoricalRewards {
  readonly cumulativeRewardRatio: DecCoin[];
  readonly referenceCount: number;
}

export interface CurrentRewards {
  readonly rewards: DecCoin[];
  readonly period: bigint;
}

export interface StartingInfo {
  readonly previousPeriod: bigint;
  readonly stake: Dec;
  readonly height: bigint;
}

export interface SlashEvent {
  readonly height: bigint;
  readonly validatorPeriod: bigint;
  readonly fraction: Dec;
}

// ---- fee pool (community pool, real denoms) ----

export async function getCommunityPool(store: AppStore): Promise<DecCoin[]> {
  const raw = await store.get(P_FEE_POOL);
  return raw ? fromWire(FeePool.decode(raw).communityPool) : [];
}

export function setCommunityPool(store: AppStore, pool: readonly DecCoin[]): void {
  store.set(P_FEE_POOL, FeePool.encode({ communityPool: toWire(pool) }).finish());
}

/** Adds real-denom coins to the community pool. */
export async function addToCommunityPool(store: AppStore, coins: readonly DecCoin[]): Promise<void> {
  if (coins.length === 0) return;
  setCommunityPool(store, addDec(await getCommunityPool(store), coins));
}

export async function getPreviousProposer(store: AppStore): Promise<Uint8Array | undefined> {
  return store.get(P_PREV_PROPOSER);
}

export function setPreviousProposer(store: AppStore, consAddr: Uint8Array): void {
  store.set(P_PREV_PROPOSER, Uint8Array.from(consAddr));
}

// ---- withdraw addresses ----

export async function getWithdrawAddr(store: AppStore, del: Uint8Array): Promise<Uint8Array> {
  return (await store.get(concatBytes(P_WITHDRAW, del))) ?? del;
}

export function setWithdrawAddr(store: AppStore, del: Uint8Array, to: Uint8Array): void {
  store.set(concatBytes(P_WITHDRAW, del), Uint8Array.from(to));
}

/** Every explicitly set withdraw address, by delegator. */
export async function allWithdrawAddrs(store: AppStore): Promise<{ del: Uint8Array; to: Uint8Array }[]> {
  const out: { del: Uint8Array; to: Uint8Array }[] = [];
  for await (const [k, v] of store.iterate({ gte: P_WITHDRAW, lt: prefixEnd(P_WITHDRAW) })) {
    out.push({ del: k.slice(P_WITHDRAW.length), to: v });
  }
  return out;
}

// ---- per-validator records ----

export async function getOutstanding(store: AppStore, val: Uint8Array): Promise<DecCoin[]> {
  const raw = await store.get(concatBytes(P_OUTSTANDING, val));
  return raw ? fromWire(ValidatorOutstandingRewards.decode(raw).rewards) : [];
}

export function setOutstanding(store: AppStore, val: Uint8Array, rewards: readonly DecCoin[]): void {
  store.set(
    concatBytes(P_OUTSTANDING, val),
    ValidatorOutstandingRewards.encode({ rewards: toWire(rewards) }).finish(),
  );
}

export function deleteOutstanding(store: AppStore, val: Uint8Array): void {
  store.delete(concatBytes(P_OUTSTANDING, val));
}

/** Every validator's outstanding rewards, by operator address. */
export async function allOutstanding(store: AppStore): Promise<{ val: Uint8Array; rewards: DecCoin[] }[]> {
  const out: { val: Uint8Array; rewards: DecCoin[] }[] = [];
  for await (const [k, v] of store.iterate({ gte: P_OUTSTANDING, lt: prefixEnd(P_OUTSTANDING) })) {
    out.push({
      val: k.slice(P_OUTSTANDING.length),
      rewards: fromWire(ValidatorOutstandingRewards.decode(v).rewards),
    });
  }
  return out;
}

export async function getCommission(store: AppStore, val: Uint8Array): Promise<DecCoin[]> {
  const raw = await store.get(concatBytes(P_COMMISSION, val));
  return raw ? fromWire(ValidatorAccumulatedCommission.decode(raw).commission) : [];
}

export function setCommission(store: AppStore, val: Uint8Array, commission: readonly DecCoin[]): void {
  store.set(
    concatBytes(P_COMMISSION, val),
    ValidatorAccumulatedCommission.encode({ commission: toWire(commission) }).finish(),
  );
}

export function deleteCommission(store: AppStore, val: Uint8Array): void {
  store.delete(concatBytes(P_COMMISSION, val));
}

export async function getCurrent(store: AppStore, val: Uint8Array): Promise<CurrentRewards | undefined> {
  const raw = await store.get(concatBytes(P_CURRENT, val));
  if (!raw) return undefined;
  const c = ValidatorCurrentRewards.decode(raw);
  return { rewards: fromWire(c.rewards), period: c.period };
}

export function setCurrent(store: AppStore, val: Uint8Array, c: CurrentRewards): void {
  store.set(
    concatBytes(P_CURRENT, val),
    ValidatorCurrentRewards.encode({ rewards: toWire(c.rewards), period: c.period }).finish(),
  );
}

export function deleteCurrent(store: AppStore, val: Uint8Array): void {
  store.delete(concatBytes(P_CURRENT, val));
}

/** Every validator with distribution records (current rewards), by operator address. */
export async function allCurrent(store: AppStore): Promise<{ val: Uint8Array; current: CurrentRewards }[]> {
  const out: { val: Uint8Array; current: CurrentRewards }[] = [];
  for await (const [k, v] of store.iterate({ gte: P_CURRENT, lt: prefixEnd(P_CURRENT) })) {
    const c = ValidatorCurrentRewards.decode(v);
    out.push({ val: k.slice(P_CURRENT.length), current: { rewards: fromWire(c.rewards), period: c.period } });
  }
  return out;
}

const historicalKey = (val: Uint8Array, period: bigint) =>
  concatBytes(P_HISTORICAL, lp(val), uint64Be(period));

export async function getHistorical(
  store: AppStore,
  val: Uint8Array,
  period: bigint,
): Promise<HistoricalRewards | undefined> {
  const raw = await store.get(historicalKey(val, period));
  if (!raw) return undefined;
  const h = ValidatorHistoricalRewards.decode(raw);
  return { cumulativeRewardRatio: fromWire(h.cumulativeRewardRatio), referenceCount: h.referenceCount };
}

export function setHistorical(store: AppStore, val: Uint8Array, period: bigint, h: HistoricalRewards): void {
  store.set(
    historicalKey(val, period),
    ValidatorHistoricalRewards.encode({
      cumulativeRewardRatio: toWire(h.cumulativeRewardRatio),
      referenceCount: h.referenceCount,
    }).finish(),
  );
}

export function deleteHistorical(store: AppStore, val: Uint8Array, period: bigint): void {
  store.delete(historicalKey(val, period));
}

/** Every historical record: the operator address, the period and the record, in key order. */
export async function allHistorical(
  store: AppStore,
  val?: Uint8Array,
): Promise<{ val: Uint8Array; period: bigint; rewards: HistoricalRewards }[]> {
  const prefix = val ? concatBytes(P_HISTORICAL, lp(val)) : P_HISTORICAL;
  const out: { val: Uint8Array; period: bigint; rewards: HistoricalRewards }[] = [];
  for await (const [k, v] of store.iterate({ gte: prefix, lt: prefixEnd(prefix) })) {
    const len = k[P_HISTORICAL.length]!;
    const h = ValidatorHistoricalRewards.decode(v);
    out.push({
      val: k.slice(P_HISTORICAL.length + 1, P_HISTORICAL.length + 1 + len),
      period: readUint64Be(k, P_HISTORICAL.length + 1 + len),
      rewards: { cumulativeRewardRatio: fromWire(h.cumulativeRewardRatio), referenceCount: h.referenceCount },
    });
  }
  return out;
}

const startingKey = (val: Uint8Array, del: Uint8Array) => concatBytes(P_STARTING, lp(val), lp(del));

export async function getStartingInfo(
  store: AppStore,
  val: Uint8Array,
  del: Uint8Array,
): Promise<StartingInfo | undefined> {
  const raw = await store.get(startingKey(val, del));
  if (!raw) return undefined;
  const s = DelegatorStartingInfo.decode(raw);
  return { previousPeriod: s.previousPeriod, stake: decFromAtomics(s.stake), height: s.height };
}

export function setStartingInfo(store: AppStore, val: Uint8Array, del: Uint8Array, s: StartingInfo): void {
  store.set(
    startingKey(val, del),
    DelegatorStartingInfo.encode({
      previousPeriod: s.previousPeriod,
      stake: s.stake.toString(),
      height: s.height,
    }).finish(),
  );
}

export function deleteStartingInfo(store: AppStore, val: Uint8Array, del: Uint8Array): void {
  store.delete(startingKey(val, del));
}

/** How many delegations of `val` (or of every validator) have starting info. */
export async function countStartingInfos(store: AppStore, val?: Uint8Array): Promise<number> {
  const prefix = val ? concatBytes(P_STARTING, lp(val)) : P_STARTING;
  let n = 0;
  for await (const _ of store.iterate({ gte: prefix, lt: prefixEnd(prefix) })) n++;
  return n;
}

const slashPrefix = (val: Uint8Array) => concatBytes(P_SLASH, lp(val));

export function setSlashEvent(store: AppStore, val: Uint8Array, e: SlashEvent): void {
  store.set(
    concatBytes(slashPrefix(val), uint64Be(e.height), uint64Be(e.validatorPeriod)),
    ValidatorSlashEvent.encode({
      validatorPeriod: e.validatorPeriod,
      fraction: e.fraction.toString(),
    }).finish(),
  );
}

/** A validator's slash events with `from <= height <= to`, by height then period. */
export async function slashEventsBetween(
  store: AppStore,
  val: Uint8Array,
  from: bigint,
  to: bigint,
): Promise<SlashEvent[]> {
  const prefix = slashPrefix(val);
  const out: SlashEvent[] = [];
  const lt = to >= 0xffff_ffff_ffff_ffffn ? prefixEnd(prefix) : concatBytes(prefix, uint64Be(to + 1n));
  for await (const [k, v] of store.iterate({ gte: concatBytes(prefix, uint64Be(from)), lt })) {
    const e = ValidatorSlashEvent.decode(v);
    out.push({
      height: readUint64Be(k, prefix.length),
      validatorPeriod: e.validatorPeriod,
      fraction: decFromAtomics(e.fraction),
    });
  }
  return out;
}

export function deleteSlashEvents(store: AppStore, val: Uint8Array, events: readonly SlashEvent[]): void {
  for (const e of events) {
    store.delete(concatBytes(slashPrefix(val), uint64Be(e.height), uint64Be(e.validatorPeriod)));
  }
}

/** How many slash events are recorded (for the reference-count invariant). */
export async function countSlashEvents(store: AppStore): Promise<number> {
  let n = 0;
  for await (const _ of store.iterate({ gte: P_SLASH, lt: prefixEnd(P_SLASH) })) n++;
  return n;
}
