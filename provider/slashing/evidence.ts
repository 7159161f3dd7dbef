import { Equivocation } from "cosmjs-types/cosmos/evidence/v1beta1/evidence";
import { type AppStore, type ModuleContext, prefixEnd } from "../../app/index.ts";
import type { Misbehavior } from "../../consensus/index.ts";
import { sha256 } from "../../crypto/index.ts";
import type { SlashingKeeper } from "./keeper.ts";
import { EVIDENCE_PREFIX, evidenceKey } from "./keys.ts";
import { VALIDATOR_UPDATE_DELAY } from "./liveness.ts";
import { nsToTimestamp } from "./signingInfo.ts";

const NS_PER_S = 1_000_000_000n;

/** The consensus evidence params that bound how old punishable evidence may be. */
export interface EvidenceParams {
  readonly maxAgeNumBlocks: bigint;
  /** Nanoseconds. */
  readonly maxAgeDuration: bigint;
}

/** CometBFT's DefaultEvidenceParams: 100000 blocks and 48 h. */
export const defaultEvidenceParams: EvidenceParams = {
  maxAgeNumBlocks: 100_000n,
  maxAgeDuration: 172_800n * NS_PER_S,
};

/** The SDK's DoubleSignJailEndTime: 9999-12-31T23:59:59Z, i.e. jailed forever. */
export const DOUBLE_SIGN_JAIL_END_TIME = 253_402_300_799n * NS_PER_S;

export const EQUIVOCATION_TYPE_URL = "/cosmos.evidence.v1beta1.Equivocation";

/** A stored piece of evidence: its hash (sha256 of the Equivocation bytes, as Evidence.Hash()) and proto. */
export interface StoredEvidence {
  readonly hash: Uint8Array;
  readonly evidence: Equivocation;
}

/** FromABCIEvidence: the misbehaviour as the SDK's Equivocation. */
export function equivocationOf(m: Misbehavior, consAddrString: string): Equivocation {
  return {
    height: BigInt(m.height),
    time: nsToTimestamp(m.time),
    power: m.validatorPower,
    consensusAddress: consAddrString,
  };
}

/** Stores evidence under its hash (k.Evidence.Set(ctx, evidence.Hash(), evidence)). */
export function setEvidence(store: AppStore, e: Equivocation): Uint8Array {
  const bytes = Equivocation.encode(e).finish();
  const hash = sha256(bytes);
  store.set(evidenceKey(hash), bytes);
  return hash;
}

export async function getEvidence(store: AppStore, hash: Uint8Array): Promise<Equivocation | undefined> {
  const raw = await store.get(evidenceKey(hash));
  return raw ? Equivocation.decode(raw) : undefined;
}

/** Every stored evidence, by hash. */
export async function allEvidence(store: AppStore): Promise<StoredEvidence[]> {
  const out: StoredEvidence[] = [];
  for await (const [k, v] of store.iterate({ gte: EVIDENCE_PREFIX, lt: prefixEnd(EVIDENCE_PREFIX) })) {
    out.push({ hash: k.slice(EVIDENCE_PREFIX.length), evidence: Equivocation.decode(v) });
  }
  return out;
}

/**
 * x/evidence's handleEquivocationEvidence (x/evidence/keeper/infraction.go, v0.50) for one duplicate
 * vote reported by consensus. Ignored when the validator is unknown or unbonded, has no recorded
 * consensus pubkey, is already tombstoned, or the evidence is too old (older than BOTH max age
 * duration and max age blocks). Otherwise: slash slash_fraction_double_sign of the stake at
 * infraction height − ValidatorUpdateDelay using the evidence's power ("slash" event, reason
 * double_sign), jail unless jailed ("slash" {jailed}), jailed_until = DoubleSignJailEndTime, tombstone,
 * and store the evidence. Where the SDK panics (no signing info) this ignores the evidence.
 */
export async function handleEquivocation(
  ctx: ModuleContext,
  k: SlashingKeeper,
  m: Misbehavior,
  params: EvidenceParams = defaultEvidenceParams,
): Promise<void> {
  const { store } = ctx;
  const consAddr = m.validatorAddress;
  const validator = await k.staking.getValidatorByConsAddr(store, consAddr);
  // Defensive, as the SDK: an unknown or unbonded validator has nothing at stake.
  if (!validator || validator.status === "unbonded") return;
  // Evidence for a key without a recorded pubkey cannot be handled; the SDK ignores it.
  if (!(await k.getPubkey(store, consAddr))) return;

  const ageDuration = ctx.block.time - m.time;
  const ageBlocks = BigInt(ctx.block.height - m.height);
  // Evidence is stale only when it is too old in both time and blocks.
  if (ageDuration > params.maxAgeDuration && ageBlocks > params.maxAgeNumBlocks) return;

  const info = await k.getSigningInfo(store, consAddr);
  if (!info || info.tombstoned) return;

  // The stake distribution that signed at the infraction height was decided ValidatorUpdateDelay
  // blocks earlier; negative near genesis, which only filters unbondings.
  const distributionHeight = m.height - VALIDATOR_UPDATE_DELAY;
  const slashing = await k.params(store);
  await k.slash(
    ctx,
    consAddr,
    slashing.slashFractionDoubleSign,
    m.validatorPower,
    distributionHeight,
    "double_sign",
  );
  // Jail unless already jailed (which begins unbonding the validator if it is not already).
  if (!validator.jailed) await k.jail(ctx, consAddr);
  await k.jailUntil(store, consAddr, DOUBLE_SIGN_JAIL_END_TIME);
  await k.tombstone(store, consAddr);
  setEvidence(store, equivocationOf(m, k.consAddrString(consAddr)));
}
