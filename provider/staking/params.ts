import { DEC_ONE, decFromString, decToString, isValidDenom, SdkError } from "../../app/index.ts";
import type { StakingParams } from "./types.ts";

/** x/staking's DefaultParams (SDK 0.50): 21 days, 100 validators, 7 entries, 10000 historical, "stake". */
export const DEFAULT_STAKING_PARAMS: StakingParams = {
  unbondingTime: 1_814_400n * 1_000_000_000n,
  maxValidators: 100,
  maxEntries: 7,
  historicalEntries: 10_000,
  bondDenom: "stake",
  minCommissionRate: 0n,
};

/**
 * Params.Validate (x/staking/types/params.go): the SDK returns plain errors here, which surface as
 * code 1 in the "undefined" codespace; icsd keeps the SDK's wording.
 */
export function validateParams(p: StakingParams): void {
  const fail = (m: string): never => {
    throw new SdkError("undefined", 1, m);
  };
  if (p.unbondingTime <= 0n) fail(`unbonding time must be positive: ${p.unbondingTime}`);
  if (p.maxValidators <= 0) fail("max validators must be positive");
  if (p.maxEntries <= 0) fail("max entries must be positive");
  if (p.bondDenom.trim() === "") fail("bond denom cannot be blank");
  if (!isValidDenom(p.bondDenom)) fail(`invalid denom: ${p.bondDenom}`);
  if (p.minCommissionRate < 0n) {
    fail(`minimum commission rate cannot be negative: ${decToString(p.minCommissionRate)}`);
  }
  if (p.minCommissionRate > DEC_ONE) {
    fail(`minimum commission rate cannot be greater than 100%: ${decToString(p.minCommissionRate)}`);
  }
}

/** Parses a protobuf-JSON Duration ("1814400s", "0.5s") into nanoseconds. */
export function parseDurationJson(s: string, what: string): bigint {
  const m = /^(\d{1,15})(?:\.(\d{1,9}))?s$/.exec(s);
  if (!m)
    throw new SdkError(
      "staking",
      1,
      `invalid ${what} ${JSON.stringify(s)}: expected a duration like "1814400s"`,
    );
  return BigInt(m[1]!) * 1_000_000_000n + BigInt((m[2] ?? "").padEnd(9, "0"));
}

export function formatDurationJson(ns: bigint): string {
  const s = ns / 1_000_000_000n;
  const frac = ns % 1_000_000_000n;
  return frac === 0n ? `${s}s` : `${s}.${frac.toString().padStart(9, "0").replace(/0+$/, "")}s`;
}

function int(v: unknown, what: string, fallback: number): number {
  if (v === undefined || v === null) return fallback;
  const n = typeof v === "string" ? Number(v) : v;
  if (typeof n !== "number" || !Number.isSafeInteger(n) || n < 0) {
    throw new SdkError("staking", 1, `invalid staking params ${what} ${JSON.stringify(v)}`);
  }
  return n;
}

/** `app_state.staking.params` in the SDK's JSON (snake_case); absent fields take the defaults. */
export function paramsFromJson(raw: unknown): StakingParams {
  if (raw === undefined || raw === null) return DEFAULT_STAKING_PARAMS;
  if (typeof raw !== "object") throw new SdkError("staking", 1, "app_state.staking.params must be an object");
  const j = raw as Record<string, unknown>;
  const d = DEFAULT_STAKING_PARAMS;
  const p: StakingParams = {
    unbondingTime:
      j.unbonding_time === undefined
        ? d.unbondingTime
        : parseDurationJson(String(j.unbonding_time), "unbonding_time"),
    maxValidators: int(j.max_validators, "max_validators", d.maxValidators),
    maxEntries: int(j.max_entries, "max_entries", d.maxEntries),
    historicalEntries: int(j.historical_entries, "historical_entries", d.historicalEntries),
    bondDenom: j.bond_denom === undefined ? d.bondDenom : String(j.bond_denom),
    minCommissionRate:
      j.min_commission_rate === undefined
        ? d.minCommissionRate
        : decFromString(String(j.min_commission_rate), "min_commission_rate"),
  };
  validateParams(p);
  return p;
}

/** The params as the SDK's genesis/CLI JSON. */
export function paramsToJson(p: StakingParams): Record<string, unknown> {
  return {
    unbonding_time: formatDurationJson(p.unbondingTime),
    max_validators: p.maxValidators,
    max_entries: p.maxEntries,
    historical_entries: p.historicalEntries,
    bond_denom: p.bondDenom,
    min_commission_rate: decToString(p.minCommissionRate),
  };
}
