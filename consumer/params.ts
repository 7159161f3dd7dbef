/**
 * The consumer module's parameters (interchain-security's consumer Params plus icsd's downtime
 * parameters), their JSON form (`app_state.ccvconsumer.params`, snake_case, 64-bit numbers as decimal
 * strings, durations as "<seconds>s", decimals as "0.75") and their defaults.
 */
import { DEC_ONE, type Dec, decFromString, decRound, decToString } from "../app/index.ts";
import { IcsdError } from "../utils/index.ts";

export const NS_PER_SECOND = 1_000_000_000n;

/** The consumer's parameters, decoded (durations in ns, decimals as 18-place fixed point). */
export interface ConsumerParams {
  readonly enabled: boolean;
  readonly consumerId: string;
  readonly blocksPerDistributionTransmission: bigint;
  readonly distributionTransmissionChannel: string;
  readonly providerFeePoolAddrStr: string;
  readonly ccvTimeoutPeriod: bigint;
  readonly transferTimeoutPeriod: bigint;
  readonly consumerRedistributionFraction: Dec;
  readonly historicalEntries: bigint;
  readonly unbondingPeriod: bigint;
  readonly rewardDenoms: readonly string[];
  readonly providerRewardDenoms: readonly string[];
  readonly retryDelayPeriod: bigint;
  /** icsd: the consumer's downtime window (blocks), as x/slashing's SignedBlocksWindow. */
  readonly signedBlocksWindow: bigint;
  readonly minSignedPerWindow: Dec;
  /** Informational on the consumer (the provider jails); kept for the genesis round trip. */
  readonly downtimeJailDuration: bigint;
}

/** interchain-security's defaults (x/ccv/types/params.go) and the SDK's slashing defaults. */
export const DEFAULT_CONSUMER_PARAMS: ConsumerParams = {
  enabled: true,
  consumerId: "0",
  blocksPerDistributionTransmission: 1000n,
  distributionTransmissionChannel: "",
  providerFeePoolAddrStr: "",
  ccvTimeoutPeriod: 2_419_200n * NS_PER_SECOND,
  transferTimeoutPeriod: 3600n * NS_PER_SECOND,
  consumerRedistributionFraction: decFromString("0.75"),
  historicalEntries: 10_000n,
  unbondingPeriod: 1_728_000n * NS_PER_SECOND,
  rewardDenoms: [],
  providerRewardDenoms: [],
  retryDelayPeriod: 3600n * NS_PER_SECOND,
  signedBlocksWindow: 100n,
  minSignedPerWindow: decFromString("0.5"),
  downtimeJailDuration: 600n * NS_PER_SECOND,
};

/** A GENESIS_INVALID error naming the field under app_state.ccvconsumer. */
export function genesisError(field: string, msg: string): never {
  throw new IcsdError("GENESIS_INVALID", `genesis app_state.ccvconsumer.${field}: ${msg}`, { field });
}

/** "<seconds>[.<fraction>]s" as nanoseconds (the reference's JSON Duration form). */
export function parseDuration(v: unknown, field: string): bigint {
  const m = typeof v === "string" ? /^(\d{1,12})(?:\.(\d{1,9}))?s$/.exec(v) : null;
  if (!m) genesisError(field, `${JSON.stringify(v)} is not a duration like "3600s"`);
  return BigInt(m[1]!) * NS_PER_SECOND + BigInt((m[2] ?? "").padEnd(9, "0") || "0");
}

/** Nanoseconds as "<seconds>s" (with a fraction only when there is one). */
export function formatDuration(ns: bigint): string {
  const s = ns / NS_PER_SECOND;
  const frac = ns % NS_PER_SECOND;
  return frac === 0n ? `${s}s` : `${s}.${frac.toString().padStart(9, "0").replace(/0+$/, "")}s`;
}

/** A non-negative decimal integer (string or safe number) below 2^64. */
export function parseUint(v: unknown, field: string): bigint {
  if ((typeof v !== "string" && typeof v !== "number") || !/^(0|[1-9][0-9]{0,19})$/.test(String(v))) {
    genesisError(field, `${JSON.stringify(v)} must be a non-negative decimal integer string`);
  }
  const n = BigInt(v);
  if (n >= 1n << 64n) genesisError(field, "must fit in 64 bits");
  return n;
}

function parseDec(v: unknown, field: string): Dec {
  if (typeof v !== "string") genesisError(field, `${JSON.stringify(v)} must be a decimal string like "0.75"`);
  try {
    return decFromString(v, field);
  } catch (e) {
    return genesisError(field, (e as Error).message);
  }
}

function parseString(v: unknown, field: string): string {
  if (typeof v !== "string") genesisError(field, "must be a string");
  return v;
}

function parseStrings(v: unknown, field: string): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.some((s) => typeof s !== "string"))
    genesisError(field, "must be a list of strings");
  return [...(v as string[])];
}

/** Decodes and validates `params` (absent fields take the defaults); throws GENESIS_INVALID. */
export function parseConsumerParams(v: unknown, field = "params"): ConsumerParams {
  if (v === undefined || v === null) return DEFAULT_CONSUMER_PARAMS;
  if (typeof v !== "object" || Array.isArray(v)) genesisError(field, "must be an object");
  const o = v as Record<string, unknown>;
  const d = DEFAULT_CONSUMER_PARAMS;
  const f = (k: string) => `${field}.${k}`;
  const opt = <T>(k: string, dflt: T, parse: (x: unknown, fld: string) => T): T =>
    o[k] === undefined || o[k] === null ? dflt : parse(o[k], f(k));
  const enabled = opt("enabled", d.enabled, (x, fld) => {
    if (typeof x !== "boolean") genesisError(fld, "must be true or false");
    return x;
  });
  const p: ConsumerParams = {
    enabled,
    consumerId: opt("consumer_id", d.consumerId, parseString),
    blocksPerDistributionTransmission: opt(
      "blocks_per_distribution_transmission",
      d.blocksPerDistributionTransmission,
      parseUint,
    ),
    distributionTransmissionChannel: opt(
      "distribution_transmission_channel",
      d.distributionTransmissionChannel,
      parseString,
    ),
    providerFeePoolAddrStr: opt("provider_fee_pool_addr_str", d.providerFeePoolAddrStr, parseString),
    ccvTimeoutPeriod: opt("ccv_timeout_period", d.ccvTimeoutPeriod, parseDuration),
    transferTimeoutPeriod: opt("transfer_timeout_period", d.transferTimeoutPeriod, parseDuration),
    consumerRedistributionFraction: opt(
      "consumer_redistribution_fraction",
      d.consumerRedistributionFraction,
      parseDec,
    ),
    historicalEntries: opt("historical_entries", d.historicalEntries, parseUint),
    unbondingPeriod: opt("unbonding_period", d.unbondingPeriod, parseDuration),
    rewardDenoms: opt("reward_denoms", d.rewardDenoms, parseStrings),
    providerRewardDenoms: opt("provider_reward_denoms", d.providerRewardDenoms, parseStrings),
    retryDelayPeriod: opt("retry_delay_period", d.retryDelayPeriod, parseDuration),
    signedBlocksWindow: opt("signed_blocks_window", d.signedBlocksWindow, parseUint),
    minSignedPerWindow: opt("min_signed_per_window", d.minSignedPerWindow, parseDec),
    downtimeJailDuration: opt("downtime_jail_duration", d.downtimeJailDuration, parseDuration),
  };
  // The reference's Params.Validate, as far as icsd uses each parameter.
  if (p.consumerId === "") genesisError(f("consumer_id"), "must not be empty");
  if (p.blocksPerDistributionTransmission <= 0n)
    genesisError(f("blocks_per_distribution_transmission"), "must be positive");
  if (p.ccvTimeoutPeriod <= 0n) genesisError(f("ccv_timeout_period"), "must be positive");
  if (p.transferTimeoutPeriod <= 0n) genesisError(f("transfer_timeout_period"), "must be positive");
  if (p.unbondingPeriod <= 0n) genesisError(f("unbonding_period"), "must be positive");
  if (p.retryDelayPeriod <= 0n) genesisError(f("retry_delay_period"), "must be positive");
  if (p.consumerRedistributionFraction < 0n || p.consumerRedistributionFraction > DEC_ONE)
    genesisError(f("consumer_redistribution_fraction"), "must be between 0 and 1");
  if (p.signedBlocksWindow <= 0n) genesisError(f("signed_blocks_window"), "must be positive");
  if (p.minSignedPerWindow < 0n || p.minSignedPerWindow > DEC_ONE)
    genesisError(f("min_signed_per_window"), "must be between 0 and 1");
  if (p.downtimeJailDuration <= 0n) genesisError(f("downtime_jail_duration"), "must be positive");
  return p;
}

/** The JSON form (field order fixed, so the bytes stored are deterministic). */
export function consumerParamsToJson(p: ConsumerParams): Record<string, unknown> {
  return {
    enabled: p.enabled,
    consumer_id: p.consumerId,
    blocks_per_distribution_transmission: p.blocksPerDistributionTransmission.toString(),
    distribution_transmission_channel: p.distributionTransmissionChannel,
    provider_fee_pool_addr_str: p.providerFeePoolAddrStr,
    ccv_timeout_period: formatDuration(p.ccvTimeoutPeriod),
    transfer_timeout_period: formatDuration(p.transferTimeoutPeriod),
    consumer_redistribution_fraction: decToString(p.consumerRedistributionFraction),
    historical_entries: p.historicalEntries.toString(),
    unbonding_period: formatDuration(p.unbondingPeriod),
    reward_denoms: [...p.rewardDenoms],
    provider_reward_denoms: [...p.providerRewardDenoms],
    retry_delay_period: formatDuration(p.retryDelayPeriod),
    signed_blocks_window: p.signedBlocksWindow.toString(),
    min_signed_per_window: decToString(p.minSignedPerWindow),
    downtime_jail_duration: formatDuration(p.downtimeJailDuration),
  };
}

/**
 * The most blocks a validator may miss in a window before a downtime slash packet is queued: window −
 * round(min_signed × window), as x/slashing's MinSignedPerWindow getter (round half to even).
 */
export function maxMissedPerWindow(p: ConsumerParams): bigint {
  return p.signedBlocksWindow - decRound(p.minSignedPerWindow * p.signedBlocksWindow);
}
