import type { ModuleContext } from "../../app/index.ts";
import { decodeRed, decodeUbd, decodeValidator } from "./codec.ts";
import { errUnbondingNotFound, errUnbondingOnHoldRefCountNegative } from "./errors.ts";
import type { StakingKeeperImpl } from "./keeper.ts";

/**
 * ICS's hold on unbonding operations (x/staking keeper/unbonding.go, SDK 0.50): the provider module
 * puts every unbonding it hears of (AfterUnbondingInitiated) on hold until all consumers have matured
 * it, then calls unbondingCanComplete; an entry on hold is neither completed by the end block nor
 * freed from slashing.
 */

async function lookup(k: StakingKeeperImpl, ctx: ModuleContext, id: bigint) {
  const idx = await k.getUnbondingIndex(ctx.store, id);
  if (!idx) throw errUnbondingNotFound();
  const raw = await ctx.store.get(idx.key);
  if (!raw) throw errUnbondingNotFound();
  return { kind: idx.kind, raw };
}

/** PutUnbondingOnHold: one more hold on the operation `id`. */
export async function putUnbondingOnHold(
  k: StakingKeeperImpl,
  ctx: ModuleContext,
  id: bigint,
): Promise<void> {
  const { kind, raw } = await lookup(k, ctx, id);
  if (kind === "validator") {
    const v = decodeValidator(raw, k.prefix);
    k.setValidator(ctx.store, { ...v, unbondingOnHoldRefCount: v.unbondingOnHoldRefCount + 1n });
  } else if (kind === "unbonding_delegation") {
    const u = decodeUbd(raw, k.prefix);
    const i = u.entries.findIndex((e) => e.unbondingId === id);
    if (i < 0) throw errUnbondingNotFound();
    const entries = [...u.entries];
    entries[i] = { ...entries[i]!, unbondingOnHoldRefCount: entries[i]!.unbondingOnHoldRefCount + 1n };
    k.setUnbondingDelegation(ctx.store, { ...u, entries });
  } else {
    const r = decodeRed(raw, k.prefix);
    const i = r.entries.findIndex((e) => e.unbondingId === id);
    if (i < 0) throw errUnbondingNotFound();
    const entries = [...r.entries];
    entries[i] = { ...entries[i]!, unbondingOnHoldRefCount: entries[i]!.unbondingOnHoldRefCount + 1n };
    k.setRedelegation(ctx.store, { ...r, entries });
  }
}

/**
 * UnbondingCanComplete: releases one hold; an unbonding-delegation or redelegation entry that is then
 * free and mature completes now (the end block already passed it by). A validator's unbonding
 * completes at the next end block that finds it mature and free.
 */
export async function unbondingCanComplete(
  k: StakingKeeperImpl,
  ctx: ModuleContext,
  id: bigint,
): Promise<void> {
  const { kind, raw } = await lookup(k, ctx, id);
  const notOnHold = (what: string) =>
    errUnbondingOnHoldRefCountNegative(`${what} unbondingID(${id}), expecting UnbondingOnHoldRefCount > 0`);
  if (kind === "validator") {
    const v = decodeValidator(raw, k.prefix);
    if (v.unbondingOnHoldRefCount <= 0n) throw notOnHold("val");
    k.setValidator(ctx.store, { ...v, unbondingOnHoldRefCount: v.unbondingOnHoldRefCount - 1n });
    return;
  }
  if (kind === "unbonding_delegation") {
    const u = decodeUbd(raw, k.prefix);
    const i = u.entries.findIndex((e) => e.unbondingId === id);
    if (i < 0) throw errUnbondingNotFound();
    const e = u.entries[i]!;
    if (e.unbondingOnHoldRefCount <= 0n) throw notOnHold("undelegation");
    const entries = [...u.entries];
    const next = { ...e, unbondingOnHoldRefCount: e.unbondingOnHoldRefCount - 1n };
    entries[i] = next;
    if (next.unbondingOnHoldRefCount === 0n && next.completionTime <= ctx.block.time) {
      if (next.balance !== 0n) {
        const denom = await k.bondDenom(ctx.store);
        await k.bank.sendFromModuleToAccount(
          ctx.store,
          "not_bonded_tokens_pool",
          u.delegator,
          [{ denom, amount: next.balance }],
          ctx.events,
        );
      }
      entries.splice(i, 1);
      k.deleteUnbondingIndex(ctx.store, id);
    }
    if (entries.length === 0) k.removeUnbondingDelegation(ctx.store, u);
    else k.setUnbondingDelegation(ctx.store, { ...u, entries });
    return;
  }
  const r = decodeRed(raw, k.prefix);
  const i = r.entries.findIndex((e) => e.unbondingId === id);
  if (i < 0) throw errUnbondingNotFound();
  const e = r.entries[i]!;
  if (e.unbondingOnHoldRefCount <= 0n) throw notOnHold("redelegation");
  const entries = [...r.entries];
  const next = { ...e, unbondingOnHoldRefCount: e.unbondingOnHoldRefCount - 1n };
  entries[i] = next;
  if (next.unbondingOnHoldRefCount === 0n && next.completionTime <= ctx.block.time) {
    entries.splice(i, 1);
    k.deleteUnbondingIndex(ctx.store, id);
  }
  if (entries.length === 0) k.removeRedelegation(ctx.store, r);
  else k.setRedelegation(ctx.store, { ...r, entries });
}
