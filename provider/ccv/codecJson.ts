/**
 * The JSON forms of MsgCreateConsumer / MsgUpdateConsumer that the reference's CLI reads
 * (`interchain-security-pd tx provider create-consumer [json]`): snake_case fields, durations as
 * "<seconds>s", spawn_time as RFC 3339, hashes as base64, Decs as "0.05". Checked field by field; a
 * wrong field throws an Error naming it.
 *
 * Unlike the reference CLI, missing initialization fields take the reference's defaults
 * (DefaultConsumerInitializationParameters: initial height {0,1}, unbonding 20 days, ccv timeout 4 weeks,
 * transfer timeout 1 h, fraction "0.75", 1000 blocks, 10000 entries), so a short JSON works.
 */
import { fromBase64, parseRfc3339Nano } from "../../utils/index.ts";
import type {
  AllowlistedRewardDenoms,
  ConsumerInitializationParameters,
  ConsumerMetadata,
  InfractionParameters,
  MsgCreateConsumer,
  MsgUpdateConsumer,
  PowerShapingParameters,
  SlashJailParameters,
} from "./codec.ts";

type Json = Record<string, unknown>;
const SECOND = 1_000_000_000n;
const DAY = 24n * 3600n * SECOND;

/** The reference's DefaultConsumerInitializationParameters (spawn time unset). */
export function defaultInitializationParameters(): ConsumerInitializationParameters {
  return {
    initialHeight: { revisionNumber: 0n, revisionHeight: 1n },
    genesisHash: new Uint8Array(),
    binaryHash: new Uint8Array(),
    spawnTime: undefined,
    unbondingPeriod: 20n * DAY,
    ccvTimeoutPeriod: 28n * DAY,
    transferTimeoutPeriod: 3600n * SECOND,
    consumerRedistributionFraction: "0.75",
    blocksPerDistributionTransmission: 1000n,
    historicalEntries: 10000n,
    distributionTransmissionChannel: "",
    connectionId: "",
    signedBlocksWindow: 0n,
    minSignedPerWindow: "",
    downtimeJailDuration: 0n,
  };
}

function fail(field: string, msg: string): never {
  throw new Error(`${field}: ${msg}`);
}

function obj(v: unknown, field: string): Json {
  if (typeof v !== "object" || v === null || Array.isArray(v)) fail(field, "must be an object");
  return v as Json;
}

function str(v: unknown, field: string, dflt = ""): string {
  if (v === undefined || v === null) return dflt;
  if (typeof v !== "string") fail(field, "must be a string");
  return v;
}

function int(v: unknown, field: string, dflt: bigint): bigint {
  if (v === undefined || v === null) return dflt;
  if ((typeof v !== "string" && typeof v !== "number") || !/^-?\d{1,20}$/.test(String(v)))
    fail(field, "must be an integer");
  return BigInt(v);
}

function bool(v: unknown, field: string): boolean {
  if (v === undefined || v === null) return false;
  if (typeof v !== "boolean") fail(field, "must be true or false");
  return v;
}

function strs(v: unknown, field: string): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== "string")) fail(field, "must be a list of strings");
  return v as string[];
}

/** "60s", "1.5s" (or a bigint-ish count of ns) → ns. */
export function durationFromJson(v: unknown, field: string, dflt: bigint): bigint {
  if (v === undefined || v === null) return dflt;
  if (typeof v === "string") {
    const m = /^(\d{1,12})(?:\.(\d{1,9}))?s$/.exec(v);
    if (m) return BigInt(m[1]!) * SECOND + BigInt((m[2] ?? "").padEnd(9, "0") || "0");
  }
  return fail(field, `must be a duration like "60s", got ${JSON.stringify(v)}`);
}

function bytes(v: unknown, field: string): Uint8Array {
  const s = str(v, field);
  try {
    return fromBase64(s);
  } catch {
    return fail(field, "must be base64");
  }
}

function metadataFromJson(v: unknown, field: string): ConsumerMetadata {
  const o = v === undefined || v === null ? {} : obj(v, field);
  return {
    name: str(o.name, `${field}.name`),
    description: str(o.description, `${field}.description`),
    metadata: str(o.metadata, `${field}.metadata`),
  };
}

function initFromJson(v: unknown, field: string): ConsumerInitializationParameters {
  const o = obj(v, field);
  const d = defaultInitializationParameters();
  const h = o.initial_height === undefined ? undefined : obj(o.initial_height, `${field}.initial_height`);
  let spawnTime: bigint | undefined;
  if (o.spawn_time !== undefined && o.spawn_time !== null && o.spawn_time !== "") {
    try {
      spawnTime = parseRfc3339Nano(str(o.spawn_time, `${field}.spawn_time`));
    } catch (e) {
      fail(`${field}.spawn_time`, (e as Error).message);
    }
  }
  return {
    initialHeight: h
      ? {
          revisionNumber: int(h.revision_number, `${field}.initial_height.revision_number`, 0n),
          revisionHeight: int(h.revision_height, `${field}.initial_height.revision_height`, 0n),
        }
      : d.initialHeight,
    genesisHash: bytes(o.genesis_hash, `${field}.genesis_hash`),
    binaryHash: bytes(o.binary_hash, `${field}.binary_hash`),
    spawnTime,
    unbondingPeriod: durationFromJson(o.unbonding_period, `${field}.unbonding_period`, d.unbondingPeriod),
    ccvTimeoutPeriod: durationFromJson(
      o.ccv_timeout_period,
      `${field}.ccv_timeout_period`,
      d.ccvTimeoutPeriod,
    ),
    transferTimeoutPeriod: durationFromJson(
      o.transfer_timeout_period,
      `${field}.transfer_timeout_period`,
      d.transferTimeoutPeriod,
    ),
    consumerRedistributionFraction: str(
      o.consumer_redistribution_fraction,
      `${field}.consumer_redistribution_fraction`,
      d.consumerRedistributionFraction,
    ),
    blocksPerDistributionTransmission: int(
      o.blocks_per_distribution_transmission,
      `${field}.blocks_per_distribution_transmission`,
      d.blocksPerDistributionTransmission,
    ),
    historicalEntries: int(o.historical_entries, `${field}.historical_entries`, d.historicalEntries),
    distributionTransmissionChannel: str(
      o.distribution_transmission_channel,
      `${field}.distribution_transmission_channel`,
    ),
    connectionId: str(o.connection_id, `${field}.connection_id`),
    signedBlocksWindow: int(o.signed_blocks_window, `${field}.signed_blocks_window`, 0n),
    minSignedPerWindow: str(o.min_signed_per_window, `${field}.min_signed_per_window`),
    downtimeJailDuration: durationFromJson(o.downtime_jail_duration, `${field}.downtime_jail_duration`, 0n),
  };
}

function pspFromJson(v: unknown, field: string): PowerShapingParameters {
  const o = obj(v, field);
  const n = (x: unknown, f: string) => Number(int(x, `${field}.${f}`, 0n));
  return {
    topN: n(o.top_N ?? o.top_n, "top_N"),
    validatorsPowerCap: n(o.validators_power_cap, "validators_power_cap"),
    validatorSetCap: n(o.validator_set_cap, "validator_set_cap"),
    allowlist: strs(o.allowlist, `${field}.allowlist`),
    denylist: strs(o.denylist, `${field}.denylist`),
    minStake: int(o.min_stake, `${field}.min_stake`, 0n),
    allowInactiveVals: bool(o.allow_inactive_vals, `${field}.allow_inactive_vals`),
    prioritylist: strs(o.prioritylist, `${field}.prioritylist`),
  };
}

function denomsFromJson(v: unknown, field: string): AllowlistedRewardDenoms {
  return { denoms: strs(obj(v, field).denoms, `${field}.denoms`) };
}

function slashJailFromJson(v: unknown, field: string): SlashJailParameters | undefined {
  if (v === undefined || v === null) return undefined;
  const o = obj(v, field);
  return {
    slashFraction: str(o.slash_fraction, `${field}.slash_fraction`, "0"),
    jailDuration: durationFromJson(o.jail_duration, `${field}.jail_duration`, 0n),
    tombstone: bool(o.tombstone, `${field}.tombstone`),
  };
}

function infractionFromJson(v: unknown, field: string): InfractionParameters {
  const o = obj(v, field);
  return {
    doubleSign: slashJailFromJson(o.double_sign, `${field}.double_sign`),
    downtime: slashJailFromJson(o.downtime, `${field}.downtime`),
  };
}

const opt = <T>(v: unknown, f: (v: unknown) => T): T | undefined =>
  v === undefined || v === null ? undefined : f(v);

/** MsgCreateConsumer from the reference CLI's JSON (`chain_id`, `metadata`, `initialization_parameters`, ...). */
export function createConsumerFromJson(submitter: string, json: unknown): MsgCreateConsumer {
  const o = obj(json, "create consumer");
  return {
    submitter,
    chainId: str(o.chain_id, "chain_id"),
    metadata: metadataFromJson(o.metadata, "metadata"),
    initializationParameters: opt(o.initialization_parameters, (v) =>
      initFromJson(v, "initialization_parameters"),
    ),
    powerShapingParameters: opt(o.power_shaping_parameters, (v) =>
      pspFromJson(v, "power_shaping_parameters"),
    ),
    allowlistedRewardDenoms: opt(o.allowlisted_reward_denoms, (v) =>
      denomsFromJson(v, "allowlisted_reward_denoms"),
    ),
    infractionParameters: opt(o.infraction_parameters, (v) => infractionFromJson(v, "infraction_parameters")),
  };
}

/** MsgUpdateConsumer from the reference CLI's JSON (`consumer_id`, `owner`, `new_owner_address`, ...). */
export function updateConsumerFromJson(owner: string, json: unknown): MsgUpdateConsumer {
  const o = obj(json, "update consumer");
  return {
    owner: str(o.owner, "owner", owner),
    consumerId: str(o.consumer_id, "consumer_id"),
    newOwnerAddress: str(o.new_owner_address, "new_owner_address"),
    metadata: opt(o.metadata, (v) => metadataFromJson(v, "metadata")),
    initializationParameters: opt(o.initialization_parameters, (v) =>
      initFromJson(v, "initialization_parameters"),
    ),
    powerShapingParameters: opt(o.power_shaping_parameters, (v) =>
      pspFromJson(v, "power_shaping_parameters"),
    ),
    allowlistedRewardDenoms: opt(o.allowlisted_reward_denoms, (v) =>
      denomsFromJson(v, "allowlisted_reward_denoms"),
    ),
    newChainId: str(o.new_chain_id, "new_chain_id"),
    infractionParameters: opt(o.infraction_parameters, (v) => infractionFromJson(v, "infraction_parameters")),
  };
}
