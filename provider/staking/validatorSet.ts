import { bech32Address, event, type ModuleContext } from "../../app/index.ts";
import type { ValidatorUpdate } from "../../consensus/index.ts";
import { compareBytes } from "../../utils/index.ts";
import { valoperAddress } from "./address.ts";
import type { ValidatorRecord } from "./codec.ts";
import { completeRedelegation, completeUnbonding, removeValidator } from "./delegation.ts";
import type { StakingKeeperImpl } from "./keeper.ts";
import {
  queueEnd,
  RED_QUEUE_PREFIX,
  readTime,
  readU64,
  splitLp,
  UBD_QUEUE_PREFIX,
  VALIDATOR_QUEUE_PREFIX,
  validatorKey,
} from "./keys.ts";
import { potentialPower } from "./shares.ts";
import { consAddress, POWER_REDUCTION } from "./types.ts";

/**
 * The end block of x/staking (keeper/val_state_change.go, SDK 0.50): validator-set updates from the
 * power index, then the matured unbonding validators, unbonding delegations and redelegations. Cost is
 * O(max_validators + last set + matured entries): nothing here scans delegations.
 */

const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");

/** bondValidator: status bonded, out of the unbonding queue, AfterValidatorBonded. */
async function bondValidator(
  k: StakingKeeperImpl,
  ctx: ModuleContext,
  v: ValidatorRecord,
): Promise<ValidatorRecord> {
  k.deletePowerIndex(ctx.store, v);
  const out: ValidatorRecord = { ...v, status: "bonded" };
  k.setValidator(ctx.store, out);
  k.setPowerIndex(ctx.store, out);
  k.deleteValidatorQueue(ctx.store, v);
  const cons = consAddress(v.consPubKey);
  await k.hooks((h) => h.afterValidatorBonded?.(ctx, cons, v.operator));
  return out;
}

/**
 * BeginUnbondingValidator: status unbonding until now + unbonding_time, queued, with a new unbonding
 * id; AfterValidatorBeginUnbonding and AfterUnbondingInitiated.
 */
async function beginUnbondingValidator(
  k: StakingKeeperImpl,
  ctx: ModuleContext,
  v: ValidatorRecord,
): Promise<ValidatorRecord> {
  const params = await k.params(ctx.store);
  k.deletePowerIndex(ctx.store, v);
  if (v.status !== "bonded") throw new Error("should not already be unbonded or unbonding");
  const id = await k.incrementUnbondingId(ctx.store);
  const out: ValidatorRecord = {
    ...v,
    status: "unbonding",
    unbondingTime: ctx.block.time + params.unbondingTime,
    unbondingHeight: ctx.block.height,
    unbondingIds: [...v.unbondingIds, id],
  };
  k.setValidator(ctx.store, out);
  k.setPowerIndex(ctx.store, out);
  k.insertValidatorQueue(ctx.store, out);
  const cons = consAddress(v.consPubKey);
  await k.hooks((h) => h.afterValidatorBeginUnbonding?.(ctx, cons, v.operator));
  k.setUnbondingIndex(ctx.store, id, "validator", validatorKey(v.operator));
  await k.hooks((h) => h.afterUnbondingInitiated?.(ctx, id));
  return out;
}

/**
 * ApplyAndReturnValidatorSetUpdates: the top max_validators non-jailed validators with power > 0 are
 * bonded; those leaving the set begin unbonding; pools follow in one net transfer. Returns one update
 * per validator whose power changed (power 0 for those leaving), bonded ones first in power order.
 */
export async function applyAndReturnValidatorSetUpdates(
  k: StakingKeeperImpl,
  ctx: ModuleContext,
): Promise<ValidatorUpdate[]> {
  const { maxValidators } = await k.params(ctx.store);
  const updates: ValidatorUpdate[] = [];
  let totalPower = 0n;
  let notBondedToBonded = 0n;
  let bondedToNotBonded = 0n;
  const last = new Map<string, { operator: Uint8Array; power: bigint }>();
  for (const l of await k.lastValidators(ctx.store)) last.set(hex(l.operator), l);

  for (const op of await k.powerIndex(ctx.store, maxValidators)) {
    let v = await k.mustGetValidator(ctx.store, op);
    if (v.jailed) throw new Error("should never retrieve a jailed validator from the power store");
    // The first validator without power ends the bonded set.
    if (potentialPower(v) === 0n) break;
    if (v.status === "unbonded" || v.status === "unbonding") {
      v = await bondValidator(k, ctx, v);
      notBondedToBonded += v.tokens;
    }
    const newPower = v.tokens / POWER_REDUCTION;
    const old = last.get(hex(op));
    if (!old || old.power !== newPower) {
      updates.push({ pubKey: v.consPubKey, power: newPower });
      k.setLastValidatorPower(ctx.store, op, newPower);
    }
    last.delete(hex(op));
    totalPower += newPower;
  }

  // sortNoLongerBonded: by operator address bytes.
  const leaving = [...last.values()].sort((a, b) => compareBytes(a.operator, b.operator));
  for (const l of leaving) {
    let v = await k.mustGetValidator(ctx.store, l.operator);
    v = await beginUnbondingValidator(k, ctx, v);
    bondedToNotBonded += v.tokens;
    k.deleteLastValidatorPower(ctx.store, l.operator);
    updates.push({ pubKey: v.consPubKey, power: 0n });
  }

  if (notBondedToBonded > bondedToNotBonded) {
    await k.notBondedTokensToBonded(ctx, notBondedToBonded - bondedToNotBonded);
  } else if (notBondedToBonded < bondedToNotBonded) {
    await k.bondedTokensToNotBonded(ctx, bondedToNotBonded - notBondedToBonded);
  }
  if (updates.length > 0) k.setLastTotalPower(ctx.store, totalPower);
  return updates;
}

/**
 * UnbondAllMatureValidators: queue entries with time <= now and height <= current height; a validator
 * not on hold becomes unbonded (and is removed when it has no delegator shares left).
 */
export async function unbondAllMatureValidators(k: StakingKeeperImpl, ctx: ModuleContext): Promise<void> {
  const P = VALIDATOR_QUEUE_PREFIX;
  const due: { key: Uint8Array; height: bigint; op: Uint8Array }[] = [];
  for await (const [key] of ctx.store.iterate({ gte: P, lt: queueEnd(P, ctx.block.time) })) {
    due.push({ key, height: readU64(key, P.length + 8), op: splitLp(key, P.length + 16)[0]! });
  }
  for (const d of due) {
    if (d.height > BigInt(ctx.block.height)) continue;
    const v = await k.getValidator(ctx.store, d.op);
    if (!v) throw new Error("validator in the unbonding queue was not found");
    if (v.status !== "unbonding")
      throw new Error("unexpected validator in unbonding queue; status was not unbonding");
    if (v.unbondingOnHoldRefCount !== 0n) continue;
    for (const id of v.unbondingIds) k.deleteUnbondingIndex(ctx.store, id);
    const unbonded: ValidatorRecord = { ...v, status: "unbonded" };
    k.setValidator(ctx.store, unbonded);
    if (unbonded.delegatorShares === 0n) await removeValidator(k, ctx, v.operator);
    else k.setValidator(ctx.store, { ...unbonded, unbondingIds: [] });
    ctx.store.delete(d.key);
  }
}

/** Takes the queue keys maturing at or before now (DequeueAllMature*Queue), deleting them. */
async function dequeue(ctx: ModuleContext, prefix: Uint8Array): Promise<Uint8Array[][]> {
  const out: Uint8Array[][] = [];
  const keys: Uint8Array[] = [];
  for await (const [key] of ctx.store.iterate({ gte: prefix, lt: queueEnd(prefix, ctx.block.time) })) {
    keys.push(key);
    out.push(splitLp(key, prefix.length + 8));
  }
  for (const key of keys) ctx.store.delete(key);
  return out;
}

/**
 * BlockValidatorUpdates (the staking EndBlocker): the set updates, then matured validators, unbonding
 * delegations (complete_unbonding) and redelegations (complete_redelegation).
 */
export async function blockValidatorUpdates(
  k: StakingKeeperImpl,
  ctx: ModuleContext,
): Promise<ValidatorUpdate[]> {
  const updates = await applyAndReturnValidatorSetUpdates(k, ctx);
  await unbondAllMatureValidators(k, ctx);
  const denom = await k.bondDenom(ctx.store);
  const prefix = k.prefix;
  for (const [del, val] of await dequeue(ctx, UBD_QUEUE_PREFIX)) {
    const paid = await completeUnbonding(k, ctx, del!, val!);
    if (paid === undefined) continue;
    ctx.events.push(
      event("complete_unbonding", [
        ["amount", paid > 0n ? `${paid}${denom}` : ""],
        ["validator", valoperAddress(val!, prefix)],
        ["delegator", bech32Address(del!, prefix)],
      ]),
    );
  }
  for (const [del, src, dst] of await dequeue(ctx, RED_QUEUE_PREFIX)) {
    const total = await completeRedelegation(k, ctx, del!, src!, dst!);
    if (total === undefined) continue;
    ctx.events.push(
      event("complete_redelegation", [
        ["amount", total > 0n ? `${total}${denom}` : ""],
        ["delegator", bech32Address(del!, prefix)],
        ["source_validator", valoperAddress(src!, prefix)],
        ["destination_validator", valoperAddress(dst!, prefix)],
      ]),
    );
  }
  return updates;
}

/** Reads a queue key's time (for tests and debugging). */
export function queueKeyTime(key: Uint8Array, prefix: Uint8Array): bigint {
  return readTime(key, prefix.length);
}
