import type {
  AppStore,
  AuthKeeper,
  BankKeeper,
  BaseKeepers,
  Coin,
  Dec,
  ModuleContext,
} from "../../app/index.ts";
import { moduleAddress, prefixEnd } from "../../app/index.ts";
import {
  decodeDelegation,
  decodeParams,
  decodeRed,
  decodeUbd,
  decodeValidator,
  encodeDelegation,
  encodeParams,
  encodeRed,
  encodeUbd,
  encodeValidator,
  type RedelegationRecord,
  type UnbondingDelegationRecord,
  type ValidatorRecord,
} from "./codec.ts";
import { errNoValidatorFound } from "./errors.ts";
import {
  cat,
  DELEGATION_PREFIX,
  delegationByValKey,
  delegationKey,
  delegationsByValPrefix,
  delegationsOfKey,
  LAST_POWER_PREFIX,
  LAST_TOTAL_POWER_KEY,
  lastPowerKey,
  NEXT_UNBONDING_ID_KEY,
  PARAMS_KEY,
  POWER_INDEX_PREFIX,
  powerIndexKey,
  RED_PREFIX,
  readU64,
  redByDstKey,
  redBySrcKey,
  redKey,
  redQueueKey,
  redsByDstDelPrefix,
  redsBySrcPrefix,
  redsOfKey,
  splitLp,
  UBD_PREFIX,
  u64,
  ubdByValKey,
  ubdKey,
  ubdQueueKey,
  ubdsByValPrefix,
  ubdsOfKey,
  unbondingIndexKey,
  VALIDATOR_PREFIX,
  validatorByConsKey,
  validatorKey,
  validatorQueueKey,
} from "./keys.ts";
import { DEFAULT_STAKING_PARAMS } from "./params.ts";
import { potentialPower } from "./shares.ts";
import { jail, slash, unjail } from "./slash.ts";
import {
  BONDED_POOL,
  consAddress,
  type Delegation,
  NOT_BONDED_POOL,
  type StakingHooks,
  type StakingKeeper,
  type StakingParams,
} from "./types.ts";
import { putUnbondingOnHold, unbondingCanComplete } from "./unbonding.ts";

/** What an unbonding id names (the SDK's UnbondingType), for ICS's on-hold bookkeeping. */
export type UnbondingKind = "unbonding_delegation" | "redelegation" | "validator";
const KIND_BYTE: Record<UnbondingKind, number> = { unbonding_delegation: 1, redelegation: 2, validator: 3 };
const BYTE_KIND: Record<number, UnbondingKind> = {
  1: "unbonding_delegation",
  2: "redelegation",
  3: "validator",
};

async function* rangeOf(store: AppStore, prefix: Uint8Array): AsyncIterable<[Uint8Array, Uint8Array]> {
  yield* store.iterate({ gte: prefix, lt: prefixEnd(prefix) });
}

/**
 * x/staking's keeper: the state (validators, delegations, unbonding entries, redelegations, queues and
 * the power index), the pools, and the hooks. The state transitions live in delegation.ts,
 * validatorSet.ts and slash.ts; this class holds the storage primitives they share, each keeping its
 * indexes consistent with the primary record.
 */
export class StakingKeeperImpl implements StakingKeeper {
  readonly auth: AuthKeeper;
  readonly bank: BankKeeper;
  private readonly hookSets: StakingHooks[] = [];

  constructor(base: BaseKeepers) {
    this.auth = base.auth;
    this.bank = base.bank;
  }

  /** The account bech32 prefix ("cosmos"); operator addresses use `${prefix}valoper`. */
  get prefix(): string {
    return this.auth.prefix;
  }

  addHooks(hooks: StakingHooks): void {
    this.hookSets.push(hooks);
  }

  /** Calls one hook on every registered hook set, in registration order. */
  async hooks(call: (h: StakingHooks) => Promise<void> | undefined): Promise<void> {
    for (const h of this.hookSets) await call(h);
  }

  // --- params ---

  async params(store: AppStore): Promise<StakingParams> {
    const b = await store.get(PARAMS_KEY);
    return b ? decodeParams(b) : DEFAULT_STAKING_PARAMS;
  }

  setParams(store: AppStore, p: StakingParams): void {
    store.set(PARAMS_KEY, encodeParams(p));
  }

  async bondDenom(store: AppStore): Promise<string> {
    return (await this.params(store)).bondDenom;
  }

  // --- validators ---

  async getValidator(store: AppStore, operator: Uint8Array): Promise<ValidatorRecord | undefined> {
    const b = await store.get(validatorKey(operator));
    return b ? decodeValidator(b, this.prefix) : undefined;
  }

  /** GetValidator that fails with ErrNoValidatorFound. */
  async mustGetValidator(store: AppStore, operator: Uint8Array): Promise<ValidatorRecord> {
    const v = await this.getValidator(store, operator);
    if (!v) throw errNoValidatorFound();
    return v;
  }

  async getValidatorByConsAddr(store: AppStore, consAddr: Uint8Array): Promise<ValidatorRecord | undefined> {
    const op = await store.get(validatorByConsKey(consAddr));
    return op ? this.getValidator(store, op) : undefined;
  }

  setValidator(store: AppStore, v: ValidatorRecord): void {
    store.set(validatorKey(v.operator), encodeValidator(v, this.prefix));
  }

  setValidatorByConsAddr(store: AppStore, v: ValidatorRecord): void {
    store.set(validatorByConsKey(consAddress(v.consPubKey)), v.operator);
  }

  /** SetValidatorByPowerIndex: jailed validators are kept out of the power index. */
  setPowerIndex(store: AppStore, v: ValidatorRecord): void {
    if (v.jailed) return;
    store.set(powerIndexKey(potentialPower(v), v.operator), v.operator);
  }

  deletePowerIndex(store: AppStore, v: ValidatorRecord): void {
    store.delete(powerIndexKey(potentialPower(v), v.operator));
  }

  /** Removes every record of a validator (the tail of the SDK's RemoveValidator). */
  deleteValidatorRecords(store: AppStore, v: ValidatorRecord): void {
    store.delete(validatorKey(v.operator));
    store.delete(validatorByConsKey(consAddress(v.consPubKey)));
    store.delete(powerIndexKey(potentialPower(v), v.operator));
  }

  async validators(store: AppStore): Promise<ValidatorRecord[]> {
    const out: ValidatorRecord[] = [];
    for await (const [, v] of rangeOf(store, VALIDATOR_PREFIX)) out.push(decodeValidator(v, this.prefix));
    return out;
  }

  /** Operators of the power index in order (power descending, operator ascending), at most `limit`. */
  async powerIndex(store: AppStore, limit: number): Promise<Uint8Array[]> {
    const out: Uint8Array[] = [];
    if (limit <= 0) return out;
    for await (const [, op] of rangeOf(store, POWER_INDEX_PREFIX)) {
      out.push(op);
      if (out.length >= limit) break;
    }
    return out;
  }

  /** GetBondedValidatorsByPower: the bonded ones among the top maxValidators of the power index. */
  async bondedValidatorsByPower(store: AppStore): Promise<ValidatorRecord[]> {
    const { maxValidators } = await this.params(store);
    const out: ValidatorRecord[] = [];
    for (const op of await this.powerIndex(store, maxValidators)) {
      const v = await this.mustGetValidator(store, op);
      if (v.status === "bonded") out.push(v);
    }
    return out;
  }

  async totalBondedTokens(store: AppStore): Promise<bigint> {
    return this.bank.balance(store, moduleAddress(BONDED_POOL), await this.bondDenom(store));
  }

  async notBondedTokens(store: AppStore): Promise<bigint> {
    return this.bank.balance(store, moduleAddress(NOT_BONDED_POOL), await this.bondDenom(store));
  }

  async lastValidatorPower(store: AppStore, operator: Uint8Array): Promise<bigint> {
    const b = await store.get(lastPowerKey(operator));
    return b ? readU64(b) : 0n;
  }

  setLastValidatorPower(store: AppStore, operator: Uint8Array, power: bigint): void {
    store.set(lastPowerKey(operator), u64(power));
  }

  deleteLastValidatorPower(store: AppStore, operator: Uint8Array): void {
    store.delete(lastPowerKey(operator));
  }

  /** The last end block's validator set: operator -> power, in operator order. */
  async lastValidators(store: AppStore): Promise<{ operator: Uint8Array; power: bigint }[]> {
    const out: { operator: Uint8Array; power: bigint }[] = [];
    for await (const [k, v] of rangeOf(store, LAST_POWER_PREFIX)) {
      out.push({ operator: splitLp(k, LAST_POWER_PREFIX.length)[0]!, power: readU64(v) });
    }
    return out;
  }

  async lastTotalPower(store: AppStore): Promise<bigint> {
    const b = await store.get(LAST_TOTAL_POWER_KEY);
    return b ? readU64(b) : 0n;
  }

  setLastTotalPower(store: AppStore, power: bigint): void {
    store.set(LAST_TOTAL_POWER_KEY, u64(power));
  }

  // --- delegations ---

  async getDelegation(store: AppStore, del: Uint8Array, val: Uint8Array): Promise<Delegation | undefined> {
    const b = await store.get(delegationKey(del, val));
    return b ? decodeDelegation(b, this.prefix) : undefined;
  }

  setDelegation(store: AppStore, d: Delegation): void {
    store.set(delegationKey(d.delegator, d.validator), encodeDelegation(d, this.prefix));
    store.set(delegationByValKey(d.validator, d.delegator), new Uint8Array());
  }

  /** RemoveDelegation: the BeforeDelegationRemoved hook, then the record and its index go. */
  async removeDelegation(ctx: ModuleContext, d: Delegation): Promise<void> {
    await this.hooks((h) => h.beforeDelegationRemoved?.(ctx, d.delegator, d.validator));
    ctx.store.delete(delegationKey(d.delegator, d.validator));
    ctx.store.delete(delegationByValKey(d.validator, d.delegator));
  }

  async delegatorDelegations(store: AppStore, del: Uint8Array): Promise<Delegation[]> {
    const out: Delegation[] = [];
    for await (const [, v] of rangeOf(store, delegationsOfKey(del)))
      out.push(decodeDelegation(v, this.prefix));
    return out;
  }

  async validatorDelegations(store: AppStore, val: Uint8Array): Promise<Delegation[]> {
    const prefix = delegationsByValPrefix(val);
    const out: Delegation[] = [];
    for await (const [k] of rangeOf(store, prefix)) {
      const del = splitLp(k, prefix.length)[0]!;
      const d = await this.getDelegation(store, del, val);
      if (d) out.push(d);
    }
    return out;
  }

  /** Every delegation, by (delegator, validator) (invariants and export only). */
  async allDelegations(store: AppStore): Promise<Delegation[]> {
    const out: Delegation[] = [];
    for await (const [, v] of rangeOf(store, DELEGATION_PREFIX)) out.push(decodeDelegation(v, this.prefix));
    return out;
  }

  // --- unbonding delegations ---

  async getUnbondingDelegation(
    store: AppStore,
    del: Uint8Array,
    val: Uint8Array,
  ): Promise<UnbondingDelegationRecord | undefined> {
    const b = await store.get(ubdKey(del, val));
    return b ? decodeUbd(b, this.prefix) : undefined;
  }

  setUnbondingDelegation(store: AppStore, u: UnbondingDelegationRecord): void {
    store.set(ubdKey(u.delegator, u.validator), encodeUbd(u, this.prefix));
    store.set(ubdByValKey(u.validator, u.delegator), new Uint8Array());
  }

  removeUnbondingDelegation(store: AppStore, u: UnbondingDelegationRecord): void {
    store.delete(ubdKey(u.delegator, u.validator));
    store.delete(ubdByValKey(u.validator, u.delegator));
  }

  async delegatorUnbondingDelegations(
    store: AppStore,
    del: Uint8Array,
  ): Promise<UnbondingDelegationRecord[]> {
    const out: UnbondingDelegationRecord[] = [];
    for await (const [, v] of rangeOf(store, ubdsOfKey(del))) out.push(decodeUbd(v, this.prefix));
    return out;
  }

  /** GetUnbondingDelegationsFromValidator, by delegator. */
  async validatorUnbondingDelegations(
    store: AppStore,
    val: Uint8Array,
  ): Promise<UnbondingDelegationRecord[]> {
    const prefix = ubdsByValPrefix(val);
    const out: UnbondingDelegationRecord[] = [];
    for await (const [k] of rangeOf(store, prefix)) {
      const u = await this.getUnbondingDelegation(store, splitLp(k, prefix.length)[0]!, val);
      if (u) out.push(u);
    }
    return out;
  }

  async allUnbondingDelegations(store: AppStore): Promise<UnbondingDelegationRecord[]> {
    const out: UnbondingDelegationRecord[] = [];
    for await (const [, v] of rangeOf(store, UBD_PREFIX)) out.push(decodeUbd(v, this.prefix));
    return out;
  }

  // --- redelegations ---

  async getRedelegation(
    store: AppStore,
    del: Uint8Array,
    src: Uint8Array,
    dst: Uint8Array,
  ): Promise<RedelegationRecord | undefined> {
    const b = await store.get(redKey(del, src, dst));
    return b ? decodeRed(b, this.prefix) : undefined;
  }

  setRedelegation(store: AppStore, r: RedelegationRecord): void {
    store.set(redKey(r.delegator, r.src, r.dst), encodeRed(r, this.prefix));
    store.set(redBySrcKey(r.src, r.delegator, r.dst), new Uint8Array());
    store.set(redByDstKey(r.dst, r.delegator, r.src), new Uint8Array());
  }

  removeRedelegation(store: AppStore, r: RedelegationRecord): void {
    store.delete(redKey(r.delegator, r.src, r.dst));
    store.delete(redBySrcKey(r.src, r.delegator, r.dst));
    store.delete(redByDstKey(r.dst, r.delegator, r.src));
  }

  async delegatorRedelegations(store: AppStore, del: Uint8Array): Promise<RedelegationRecord[]> {
    const out: RedelegationRecord[] = [];
    for await (const [, v] of rangeOf(store, redsOfKey(del))) out.push(decodeRed(v, this.prefix));
    return out;
  }

  /** GetRedelegationsFromSrcValidator, by (delegator, destination). */
  async redelegationsFromSrc(store: AppStore, src: Uint8Array): Promise<RedelegationRecord[]> {
    const prefix = redsBySrcPrefix(src);
    const out: RedelegationRecord[] = [];
    for await (const [k] of rangeOf(store, prefix)) {
      const [del, dst] = splitLp(k, prefix.length);
      const r = await this.getRedelegation(store, del!, src, dst!);
      if (r) out.push(r);
    }
    return out;
  }

  /** HasReceivingRedelegation: a redelegation of `del` into `dst` that has not completed. */
  async hasReceivingRedelegation(store: AppStore, del: Uint8Array, dst: Uint8Array): Promise<boolean> {
    for await (const _ of rangeOf(store, redsByDstDelPrefix(dst, del))) return true;
    return false;
  }

  async allRedelegations(store: AppStore): Promise<RedelegationRecord[]> {
    const out: RedelegationRecord[] = [];
    for await (const [, v] of rangeOf(store, RED_PREFIX)) {
      out.push(decodeRed(v, this.prefix));
    }
    return out;
  }

  // --- queues ---

  insertValidatorQueue(store: AppStore, v: ValidatorRecord): void {
    store.set(validatorQueueKey(v.unbondingTime, v.unbondingHeight, v.operator), new Uint8Array());
  }

  deleteValidatorQueue(store: AppStore, v: ValidatorRecord): void {
    store.delete(validatorQueueKey(v.unbondingTime, v.unbondingHeight, v.operator));
  }

  insertUbdQueue(store: AppStore, del: Uint8Array, val: Uint8Array, time: bigint): void {
    store.set(ubdQueueKey(time, del, val), new Uint8Array());
  }

  insertRedQueue(store: AppStore, r: RedelegationRecord, time: bigint): void {
    store.set(redQueueKey(time, r.delegator, r.src, r.dst), new Uint8Array());
  }

  // --- unbonding ids ---

  /** IncrementUnbondingID: ids start at 1. */
  async incrementUnbondingId(store: AppStore): Promise<bigint> {
    const b = await store.get(NEXT_UNBONDING_ID_KEY);
    const id = (b ? readU64(b) : 0n) + 1n;
    store.set(NEXT_UNBONDING_ID_KEY, u64(id));
    return id;
  }

  /** Records which operation an unbonding id names (SetUnbondingType + the by-id index). */
  setUnbondingIndex(store: AppStore, id: bigint, kind: UnbondingKind, key: Uint8Array): void {
    store.set(unbondingIndexKey(id), cat(Uint8Array.of(KIND_BYTE[kind]), key));
  }

  deleteUnbondingIndex(store: AppStore, id: bigint): void {
    store.delete(unbondingIndexKey(id));
  }

  async getUnbondingIndex(
    store: AppStore,
    id: bigint,
  ): Promise<{ kind: UnbondingKind; key: Uint8Array } | undefined> {
    const b = await store.get(unbondingIndexKey(id));
    if (!b || b.length === 0) return undefined;
    const kind = BYTE_KIND[b[0]!];
    return kind ? { kind, key: b.slice(1) } : undefined;
  }

  // --- pools ---

  private async coins(store: AppStore, amount: bigint): Promise<Coin[]> {
    return amount > 0n ? [{ denom: await this.bondDenom(store), amount }] : [];
  }

  async notBondedTokensToBonded(ctx: ModuleContext, amount: bigint): Promise<void> {
    const c = await this.coins(ctx.store, amount);
    await this.bank.sendFromModuleToModule(ctx.store, NOT_BONDED_POOL, BONDED_POOL, c, ctx.events);
  }

  async bondedTokensToNotBonded(ctx: ModuleContext, amount: bigint): Promise<void> {
    const c = await this.coins(ctx.store, amount);
    await this.bank.sendFromModuleToModule(ctx.store, BONDED_POOL, NOT_BONDED_POOL, c, ctx.events);
  }

  async burnBondedTokens(ctx: ModuleContext, amount: bigint): Promise<void> {
    const c = await this.coins(ctx.store, amount);
    if (c.length > 0) await this.bank.burnCoins(ctx.store, BONDED_POOL, c, ctx.events);
  }

  async burnNotBondedTokens(ctx: ModuleContext, amount: bigint): Promise<void> {
    const c = await this.coins(ctx.store, amount);
    if (c.length > 0) await this.bank.burnCoins(ctx.store, NOT_BONDED_POOL, c, ctx.events);
  }

  // --- slashing surface (x/staking keeper/slash.go) ---

  slash(ctx: ModuleContext, consAddr: Uint8Array, infractionHeight: number, power: bigint, fraction: Dec) {
    return slash(this, ctx, consAddr, infractionHeight, power, fraction);
  }

  jail(ctx: ModuleContext, consAddr: Uint8Array): Promise<void> {
    return jail(this, ctx, consAddr);
  }

  unjail(ctx: ModuleContext, consAddr: Uint8Array): Promise<void> {
    return unjail(this, ctx, consAddr);
  }

  // --- ICS holds (keeper/unbonding.go) ---

  /** PutUnbondingOnHold: the operation `id` (from AfterUnbondingInitiated) cannot complete until released. */
  putUnbondingOnHold(ctx: ModuleContext, id: bigint): Promise<void> {
    return putUnbondingOnHold(this, ctx, id);
  }

  /** UnbondingCanComplete: releases one hold; a mature, free entry completes at once. */
  unbondingCanComplete(ctx: ModuleContext, id: bigint): Promise<void> {
    return unbondingCanComplete(this, ctx, id);
  }
}
