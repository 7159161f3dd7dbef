import {
  DEC_ONE,
  type Dec,
  decFromInt,
  decMin,
  decMul,
  decMulInt,
  decQuoRoundUp,
  decTruncate,
  type ModuleContext,
} from "../../app/index.ts";
import type { RedelegationRecord, UnbondingDelegationRecord, ValidatorRecord } from "./codec.ts";
import { unbond } from "./delegation.ts";
import { errValidatorJailed } from "./errors.ts";
import type { StakingKeeperImpl } from "./keeper.ts";
import { removeTokens } from "./shares.ts";
import { POWER_REDUCTION } from "./types.ts";

/**
 * Slashing and jailing as x/staking keeper/slash.go (SDK 0.50, with the GHSA-86h5-xcpx-cfqc fix that
 * slashes an unbonding made from a redelegation's destination first).
 */

/** jailValidator: out of the power index, so the next end block drops it (power 0). */
export async function jailValidator(
  k: StakingKeeperImpl,
  ctx: ModuleContext,
  v: ValidatorRecord,
): Promise<void> {
  if (v.jailed) throw errValidatorJailed("cannot jail already jailed validator");
  k.setValidator(ctx.store, { ...v, jailed: true });
  k.deletePowerIndex(ctx.store, v);
}

/** unjailValidator: back into the power index. */
export async function unjailValidator(
  k: StakingKeeperImpl,
  ctx: ModuleContext,
  v: ValidatorRecord,
): Promise<void> {
  if (!v.jailed) throw new Error("cannot unjail already unjailed validator");
  const out = { ...v, jailed: false };
  k.setValidator(ctx.store, out);
  k.setPowerIndex(ctx.store, out);
}

async function byConsAddr(k: StakingKeeperImpl, ctx: ModuleContext, consAddr: Uint8Array) {
  const v = await k.getValidatorByConsAddr(ctx.store, consAddr);
  if (!v)
    throw new Error(`validator with consensus-Address ${Buffer.from(consAddr).toString("hex")} not found`);
  return v;
}

/** Keeper.Jail (by consensus address). */
export async function jail(k: StakingKeeperImpl, ctx: ModuleContext, consAddr: Uint8Array): Promise<void> {
  await jailValidator(k, ctx, await byConsAddr(k, ctx, consAddr));
}

/** Keeper.Unjail (by consensus address); x/slashing checks the conditions before calling it. */
export async function unjail(k: StakingKeeperImpl, ctx: ModuleContext, consAddr: Uint8Array): Promise<void> {
  await unjailValidator(k, ctx, await byConsAddr(k, ctx, consAddr));
}

const isMatureFree = (e: { completionTime: bigint; unbondingOnHoldRefCount: bigint }, now: bigint) =>
  e.completionTime <= now && e.unbondingOnHoldRefCount === 0n;

/**
 * SlashUnbondingDelegation: entries created at or after the infraction and not yet matured lose
 * fraction × initial balance (at most their balance), burned from the not-bonded pool. Returns the
 * amount the entries *should* have lost (the SDK's totalSlashAmount), which the caller deducts.
 */
export async function slashUnbondingDelegation(
  k: StakingKeeperImpl,
  ctx: ModuleContext,
  ubd: UnbondingDelegationRecord,
  infractionHeight: number,
  fraction: Dec,
): Promise<bigint> {
  let total = 0n;
  let burned = 0n;
  const entries = [...ubd.entries];
  let changed = false;
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    if (e.creationHeight < infractionHeight) continue;
    if (isMatureFree(e, ctx.block.time)) continue;
    const slashAmount = decTruncate(decMulInt(fraction, e.initialBalance));
    total += slashAmount;
    const cut = decMin(slashAmount, e.balance);
    if (cut === 0n) continue;
    burned += cut;
    entries[i] = { ...e, balance: e.balance - cut };
    changed = true;
  }
  if (changed) k.setUnbondingDelegation(ctx.store, { ...ubd, entries });
  await k.burnNotBondedTokens(ctx, burned);
  return total;
}

/**
 * SlashRedelegation: for each entry at or after the infraction, first the delegator's unbonding from
 * the destination, then the destination shares the redelegation created are unbonded and burned from
 * the destination's pool.
 */
export async function slashRedelegation(
  k: StakingKeeperImpl,
  ctx: ModuleContext,
  red: RedelegationRecord,
  infractionHeight: number,
  fraction: Dec,
): Promise<bigint> {
  const now = ctx.block.time;
  let total = 0n;
  let bondedBurned = 0n;
  let notBondedBurned = 0n;
  for (const entry of red.entries) {
    if (entry.creationHeight < infractionHeight) continue;
    if (isMatureFree(entry, now)) continue;
    let slashAmount = decTruncate(decMulInt(fraction, entry.initialBalance));
    total += slashAmount;
    // Handle undelegation after redelegation: slash the unbonding from the destination first.
    const ubd = await k.getUnbondingDelegation(ctx.store, red.delegator, red.dst);
    if (ubd) {
      const entries = [...ubd.entries];
      let changed = false;
      for (let i = 0; i < entries.length; i++) {
        const e = entries[i]!;
        const cut = decMin(slashAmount, e.balance);
        if (cut === 0n) continue;
        if (e.creationHeight < infractionHeight) continue;
        if (isMatureFree(e, now)) continue;
        slashAmount -= cut;
        notBondedBurned += cut;
        entries[i] = { ...e, balance: e.balance - cut };
        changed = true;
      }
      if (changed) k.setUnbondingDelegation(ctx.store, { ...ubd, entries });
    }
    let sharesToUnbond = decMul(fraction, entry.sharesDst);
    if (sharesToUnbond === 0n || slashAmount === 0n) continue;
    const delegation = await k.getDelegation(ctx.store, red.delegator, red.dst);
    // A removed delegation has no shares left to unbond.
    if (!delegation) continue;
    if (sharesToUnbond > delegation.shares) sharesToUnbond = delegation.shares;
    const tokensToBurn = await unbond(k, ctx, red.delegator, red.dst, sharesToUnbond);
    const dst = await k.mustGetValidator(ctx.store, red.dst);
    // The redelegated tokens live with the destination: burn from its pool.
    if (dst.status === "bonded") bondedBurned += tokensToBurn;
    else notBondedBurned += tokensToBurn;
  }
  await k.burnBondedTokens(ctx, bondedBurned);
  await k.burnNotBondedTokens(ctx, notBondedBurned);
  return total;
}

/**
 * Slash: see StakingKeeper.slash. Returns the tokens burned from the validator itself (the SDK's
 * return value); unknown validators are a no-op, an unbonded one or a future infraction an error.
 */
export async function slash(
  k: StakingKeeperImpl,
  ctx: ModuleContext,
  consAddr: Uint8Array,
  infractionHeight: number,
  power: bigint,
  fraction: Dec,
): Promise<bigint> {
  if (fraction < 0n) throw new Error(`attempted to slash with a negative slash factor: ${fraction}`);
  const amount = power * POWER_REDUCTION;
  const slashAmount = decTruncate(decMul(decFromInt(amount), fraction));
  let validator = await k.getValidatorByConsAddr(ctx.store, consAddr);
  // Overslashed and removed: nothing left to slash (the SDK logs and returns zero).
  if (!validator) return 0n;
  if (validator.status === "unbonded") {
    throw new Error(
      `should not be slashing unbonded validator: ${Buffer.from(validator.operator).toString("hex")}`,
    );
  }
  const op = validator.operator;
  // The SDK logs (and ignores) a failing hook here; icsd lets it fail the slash, loudly.
  await k.hooks((h) => h.beforeValidatorModified?.(ctx, op));
  let remaining = slashAmount;
  if (infractionHeight > ctx.block.height) {
    throw new Error(
      `impossible attempt to slash future infraction at height ${infractionHeight} but we are at height ${ctx.block.height}`,
    );
  }
  if (infractionHeight < ctx.block.height) {
    for (const ubd of await k.validatorUnbondingDelegations(ctx.store, op)) {
      remaining -= await slashUnbondingDelegation(k, ctx, ubd, infractionHeight, fraction);
    }
    for (const red of await k.redelegationsFromSrc(ctx.store, op)) {
      remaining -= await slashRedelegation(k, ctx, red, infractionHeight, fraction);
    }
  }
  // Re-read (the loops above only touch other validators, so this equals the SDK's earlier read).
  validator = await k.mustGetValidator(ctx.store, op);
  let toBurn = decMin(remaining, validator.tokens);
  if (toBurn < 0n) toBurn = 0n;
  if (toBurn === 0n) return 0n;
  if (validator.tokens > 0n) {
    // The effective fraction, for F1 distribution.
    let effective = decQuoRoundUp(decFromInt(toBurn), decFromInt(validator.tokens));
    if (effective > DEC_ONE) effective = DEC_ONE;
    await k.hooks((h) => h.beforeValidatorSlashed?.(ctx, op, effective));
  }
  // RemoveValidatorTokens: re-index by the new power.
  k.deletePowerIndex(ctx.store, validator);
  const after = removeTokens(validator, toBurn);
  k.setValidator(ctx.store, after);
  k.setPowerIndex(ctx.store, after);
  if (after.status === "bonded") await k.burnBondedTokens(ctx, toBurn);
  else await k.burnNotBondedTokens(ctx, toBurn);
  return toBurn;
}
