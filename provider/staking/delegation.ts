import { type Dec, decToString, decTruncate, type ModuleContext } from "../../app/index.ts";
import { equalBytes } from "../../utils/index.ts";
import type { RedelegationRecord, UnbondingDelegationRecord, ValidatorRecord } from "./codec.ts";
import { GO_ZERO_TIME } from "./codec.ts";
import {
  errBadRedelegationDst,
  errBadRemoveValidator,
  errDelegatorShareExRateInvalid,
  errMaxRedelegationEntries,
  errMaxUnbondingDelegationEntries,
  errNoDelegatorForAddress,
  errNotEnoughDelegationShares,
  errSelfRedelegation,
  errTinyRedelegationAmount,
  errTransitiveRedelegation,
} from "./errors.ts";
import type { StakingKeeperImpl } from "./keeper.ts";
import { redKey, ubdKey } from "./keys.ts";
import { addTokensFromDel, invalidExRate, removeDelShares, tokensFromShares } from "./shares.ts";
import { jailValidator } from "./slash.ts";
import { type BondStatus, consAddress, type Delegation } from "./types.ts";

/**
 * Delegation state transitions of x/staking keeper/delegation.go (SDK 0.50): Delegate, Unbond,
 * Undelegate, BeginRedelegation, CompleteUnbonding, CompleteRedelegation, with the hooks at the SDK's
 * points. Each either completes or throws; a throwing message is reverted by the tx runner.
 */

/** AddValidatorTokensAndShares: re-indexes the validator by its new power. */
async function addValidatorTokensAndShares(
  k: StakingKeeperImpl,
  ctx: ModuleContext,
  v: ValidatorRecord,
  amount: bigint,
): Promise<{ validator: ValidatorRecord; shares: Dec }> {
  k.deletePowerIndex(ctx.store, v);
  const out = addTokensFromDel(v, amount);
  k.setValidator(ctx.store, out.validator);
  k.setPowerIndex(ctx.store, out.validator);
  return out;
}

/** RemoveValidatorTokensAndShares. */
export async function removeValidatorTokensAndShares(
  k: StakingKeeperImpl,
  ctx: ModuleContext,
  v: ValidatorRecord,
  shares: Dec,
): Promise<{ validator: ValidatorRecord; tokens: bigint }> {
  k.deletePowerIndex(ctx.store, v);
  const out = removeDelShares(v, shares);
  k.setValidator(ctx.store, out.validator);
  k.setPowerIndex(ctx.store, out.validator);
  return out;
}

/**
 * Delegate: `tokenSrc` is where the tokens are now; with `subtractAccount` they come from the
 * delegator's account into the validator's pool, otherwise (redelegation, cancel-unbonding) they move
 * between pools as needed. Returns the new shares.
 */
export async function delegate(
  k: StakingKeeperImpl,
  ctx: ModuleContext,
  del: Uint8Array,
  amount: bigint,
  tokenSrc: BondStatus,
  validator: ValidatorRecord,
  subtractAccount: boolean,
): Promise<Dec> {
  // A validator that lost all its tokens to slashing has an undefined exchange rate.
  if (invalidExRate(validator)) throw errDelegatorShareExRateInvalid();
  const val = validator.operator;
  let delegation = await k.getDelegation(ctx.store, del, val);
  if (delegation) {
    await k.hooks((h) => h.beforeDelegationSharesModified?.(ctx, del, val));
  } else {
    delegation = { delegator: del, validator: val, shares: 0n };
    await k.hooks((h) => h.beforeDelegationCreated?.(ctx, del, val));
  }
  if (subtractAccount) {
    if (tokenSrc === "bonded") throw new Error("delegation token source cannot be bonded");
    const pool = validator.status === "bonded" ? "bonded_tokens_pool" : "not_bonded_tokens_pool";
    const denom = await k.bondDenom(ctx.store);
    // DelegateCoinsFromAccountToModule
    await k.bank.sendFromAccountToModule(ctx.store, del, pool, [{ denom, amount }], ctx.events);
  } else {
    const srcBonded = tokenSrc === "bonded";
    const dstBonded = validator.status === "bonded";
    if (!srcBonded && dstBonded) await k.notBondedTokensToBonded(ctx, amount);
    else if (srcBonded && !dstBonded) await k.bondedTokensToNotBonded(ctx, amount);
  }
  const { shares } = await addValidatorTokensAndShares(k, ctx, validator, amount);
  delegation = { ...delegation, shares: delegation.shares + shares };
  k.setDelegation(ctx.store, delegation);
  await k.hooks((h) => h.afterDelegationModified?.(ctx, del, val));
  return shares;
}

/**
 * RemoveValidator: only an unbonded validator without tokens; deletes its records, then the
 * AfterValidatorRemoved hook. A missing validator is a no-op.
 */
export async function removeValidator(
  k: StakingKeeperImpl,
  ctx: ModuleContext,
  op: Uint8Array,
): Promise<void> {
  const v = await k.getValidator(ctx.store, op);
  if (!v) return;
  if (v.status !== "unbonded") {
    throw errBadRemoveValidator("cannot call RemoveValidator on bonded or unbonding validators");
  }
  if (v.tokens > 0n)
    throw errBadRemoveValidator("attempting to remove a validator which still contains tokens");
  k.deleteValidatorRecords(ctx.store, v);
  const cons = consAddress(v.consPubKey);
  await k.hooks((h) => h.afterValidatorRemoved?.(ctx, cons, op));
}

/**
 * Unbond: removes `shares` from the delegation (jailing an operator whose self-delegation drops below
 * its minimum) and from the validator; returns the tokens they were worth. Tokens stay in their pool.
 */
export async function unbond(
  k: StakingKeeperImpl,
  ctx: ModuleContext,
  del: Uint8Array,
  val: Uint8Array,
  shares: Dec,
): Promise<bigint> {
  let delegation: Delegation | undefined = await k.getDelegation(ctx.store, del, val);
  if (!delegation) throw errNoDelegatorForAddress();
  await k.hooks((h) => h.beforeDelegationSharesModified?.(ctx, del, val));
  if (delegation.shares < shares) throw errNotEnoughDelegationShares(decToString(delegation.shares));
  let validator = await k.mustGetValidator(ctx.store, val);
  delegation = { ...delegation, shares: delegation.shares - shares };
  const isOperator = equalBytes(del, val);
  if (
    isOperator &&
    !validator.jailed &&
    decTruncate(tokensFromShares(validator, delegation.shares)) < validator.minSelfDelegation
  ) {
    await jailValidator(k, ctx, validator);
    validator = await k.mustGetValidator(ctx.store, val);
  }
  if (delegation.shares === 0n) {
    await k.removeDelegation(ctx, delegation);
  } else {
    k.setDelegation(ctx.store, delegation);
    await k.hooks((h) => h.afterDelegationModified?.(ctx, del, val));
  }
  const out = await removeValidatorTokensAndShares(k, ctx, validator, shares);
  if (out.validator.delegatorShares === 0n && out.validator.status === "unbonded") {
    // An unbonding validator is removed instead when its unbonding completes (end block).
    await removeValidator(k, ctx, val);
  }
  return out.tokens;
}

/**
 * SetUnbondingDelegationEntry: a new id each call; an entry with the same creation height and
 * completion time absorbs the balance instead (and then no hook fires, as the SDK).
 */
async function setUnbondingDelegationEntry(
  k: StakingKeeperImpl,
  ctx: ModuleContext,
  del: Uint8Array,
  val: Uint8Array,
  height: number,
  completionTime: bigint,
  balance: bigint,
): Promise<UnbondingDelegationRecord> {
  const id = await k.incrementUnbondingId(ctx.store);
  const existing = await k.getUnbondingDelegation(ctx.store, del, val);
  let ubd: UnbondingDelegationRecord;
  let isNew = true;
  if (existing) {
    const i = existing.entries.findIndex(
      (e) => e.creationHeight === height && e.completionTime === completionTime,
    );
    if (i >= 0) {
      isNew = false;
      const e = existing.entries[i]!;
      const entries = [...existing.entries];
      entries[i] = { ...e, balance: e.balance + balance, initialBalance: e.initialBalance + balance };
      ubd = { ...existing, entries };
    } else {
      ubd = { ...existing, entries: [...existing.entries, newUbdEntry(height, completionTime, balance, id)] };
    }
  } else {
    ubd = { delegator: del, validator: val, entries: [newUbdEntry(height, completionTime, balance, id)] };
  }
  k.setUnbondingDelegation(ctx.store, ubd);
  if (isNew) {
    k.setUnbondingIndex(ctx.store, id, "unbonding_delegation", ubdKey(del, val));
    // The SDK logs (and ignores) a failing AfterUnbondingInitiated; icsd lets it fail the message.
    await k.hooks((h) => h.afterUnbondingInitiated?.(ctx, id));
  }
  return ubd;
}

function newUbdEntry(height: number, completionTime: bigint, balance: bigint, id: bigint) {
  return {
    creationHeight: height,
    completionTime,
    initialBalance: balance,
    balance,
    unbondingId: id,
    unbondingOnHoldRefCount: 0n,
  };
}

/** Undelegate: unbonds, moves the tokens to the not-bonded pool, queues the entry; returns (time, amount). */
export async function undelegate(
  k: StakingKeeperImpl,
  ctx: ModuleContext,
  del: Uint8Array,
  val: Uint8Array,
  shares: Dec,
): Promise<{ completionTime: bigint; amount: bigint }> {
  const validator = await k.mustGetValidator(ctx.store, val);
  const params = await k.params(ctx.store);
  const ubd = await k.getUnbondingDelegation(ctx.store, del, val);
  if (ubd && ubd.entries.length >= params.maxEntries) throw errMaxUnbondingDelegationEntries();
  const amount = await unbond(k, ctx, del, val, shares);
  if (validator.status === "bonded") await k.bondedTokensToNotBonded(ctx, amount);
  const completionTime = ctx.block.time + params.unbondingTime;
  await setUnbondingDelegationEntry(k, ctx, del, val, ctx.block.height, completionTime, amount);
  k.insertUbdQueue(ctx.store, del, val, completionTime);
  return { completionTime, amount };
}

/**
 * getBeginInfo: a bonded (or vanished) source waits the full unbonding period, an unbonding one
 * until its own unbonding ends, an unbonded one completes now.
 */
async function beginInfo(
  k: StakingKeeperImpl,
  ctx: ModuleContext,
  src: Uint8Array,
): Promise<{ completionTime: bigint; height: number; completeNow: boolean }> {
  const v = await k.getValidator(ctx.store, src);
  if (!v) return { completionTime: GO_ZERO_TIME, height: 0, completeNow: false };
  if (v.status === "bonded") {
    const { unbondingTime } = await k.params(ctx.store);
    return { completionTime: ctx.block.time + unbondingTime, height: ctx.block.height, completeNow: false };
  }
  if (v.status === "unbonded") return { completionTime: GO_ZERO_TIME, height: 0, completeNow: true };
  return { completionTime: v.unbondingTime, height: v.unbondingHeight, completeNow: false };
}

/** BeginRedelegation: returns the completion time (Go's zero time when it completed at once). */
export async function beginRedelegation(
  k: StakingKeeperImpl,
  ctx: ModuleContext,
  del: Uint8Array,
  src: Uint8Array,
  dst: Uint8Array,
  shares: Dec,
): Promise<bigint> {
  if (equalBytes(src, dst)) throw errSelfRedelegation();
  const dstValidator = await k.getValidator(ctx.store, dst);
  if (!dstValidator) throw errBadRedelegationDst();
  const srcValidator = await k.getValidator(ctx.store, src);
  if (!srcValidator) throw errBadRedelegationDst();
  if (await k.hasReceivingRedelegation(ctx.store, del, src)) throw errTransitiveRedelegation();
  const params = await k.params(ctx.store);
  const existing = await k.getRedelegation(ctx.store, del, src, dst);
  if (existing && existing.entries.length >= params.maxEntries) throw errMaxRedelegationEntries();
  const returnAmount = await unbond(k, ctx, del, src, shares);
  if (returnAmount === 0n) throw errTinyRedelegationAmount();
  // The destination may have changed (its power index) only through this delegation; read it afresh.
  const dstNow = await k.mustGetValidator(ctx.store, dst);
  const sharesCreated = await delegate(k, ctx, del, returnAmount, srcValidator.status, dstNow, false);
  const info = await beginInfo(k, ctx, src);
  if (info.completeNow) return info.completionTime;
  const id = await k.incrementUnbondingId(ctx.store);
  const entry = {
    creationHeight: info.height,
    completionTime: info.completionTime,
    initialBalance: returnAmount,
    sharesDst: sharesCreated,
    unbondingId: id,
    unbondingOnHoldRefCount: 0n,
  };
  const red: RedelegationRecord = existing
    ? { ...existing, entries: [...existing.entries, entry] }
    : { delegator: del, src, dst, entries: [entry] };
  k.setRedelegation(ctx.store, red);
  k.setUnbondingIndex(ctx.store, id, "redelegation", redKey(del, src, dst));
  await k.hooks((h) => h.afterUnbondingInitiated?.(ctx, id));
  k.insertRedQueue(ctx.store, red, info.completionTime);
  return info.completionTime;
}

/**
 * CompleteUnbonding: pays out every mature entry not on hold from the not-bonded pool; returns the
 * amount paid, or undefined when there is no unbonding delegation.
 */
export async function completeUnbonding(
  k: StakingKeeperImpl,
  ctx: ModuleContext,
  del: Uint8Array,
  val: Uint8Array,
): Promise<bigint | undefined> {
  const ubd = await k.getUnbondingDelegation(ctx.store, del, val);
  if (!ubd) return undefined;
  const denom = await k.bondDenom(ctx.store);
  let paid = 0n;
  const kept = [];
  for (const e of ubd.entries) {
    if (e.completionTime <= ctx.block.time && e.unbondingOnHoldRefCount === 0n) {
      k.deleteUnbondingIndex(ctx.store, e.unbondingId);
      if (e.balance !== 0n) {
        // UndelegateCoinsFromModuleToAccount
        await k.bank.sendFromModuleToAccount(
          ctx.store,
          "not_bonded_tokens_pool",
          del,
          [{ denom, amount: e.balance }],
          ctx.events,
        );
        paid += e.balance;
      }
    } else {
      kept.push(e);
    }
  }
  if (kept.length === 0) k.removeUnbondingDelegation(ctx.store, ubd);
  else k.setUnbondingDelegation(ctx.store, { ...ubd, entries: kept });
  return paid;
}

/** CompleteRedelegation: drops mature entries; returns their initial balances' sum (or undefined). */
export async function completeRedelegation(
  k: StakingKeeperImpl,
  ctx: ModuleContext,
  del: Uint8Array,
  src: Uint8Array,
  dst: Uint8Array,
): Promise<bigint | undefined> {
  const red = await k.getRedelegation(ctx.store, del, src, dst);
  if (!red) return undefined;
  let total = 0n;
  const kept = [];
  for (const e of red.entries) {
    if (e.completionTime <= ctx.block.time && e.unbondingOnHoldRefCount === 0n) {
      k.deleteUnbondingIndex(ctx.store, e.unbondingId);
      total += e.initialBalance;
    } else {
      kept.push(e);
    }
  }
  if (kept.length === 0) k.removeRedelegation(ctx.store, red);
  else k.setRedelegation(ctx.store, { ...red, entries: kept });
  return total;
}
