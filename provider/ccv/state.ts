/**
 * The provider module's params, consumer records and state keys. Every key is under "provider/";
 * consumer ids are stored as u64 big-endian so iteration is in consumer-id order.
 *
 *   provider/params                               JSON params (snake_case)
 *   provider/nextConsumerId                       u64
 *   provider/vscId                                u64, the next valset update id (starts at 1)
 *   provider/slashMeter, provider/slashMeterTime  signed decimal text; u64 ns of the next replenish
 *   provider/consumer/<id>                        JSON ConsumerRecord
 *   provider/genesis/<id>                         JSON consumer genesis (launched chains)
 *   provider/channel/<channel id>                 u64 consumer id of a provider CCV channel
 *   provider/optedIn/<id>/<provider cons>         (empty)
 *   provider/consumerKey/<id>/<provider cons>     32-byte ed25519 consumer key
 *   provider/byConsumerAddr/<id>/<consumer cons>  20-byte provider cons address
 *   provider/prune/<id>/<u64 ns>/<consumer cons>  (empty): old consumer addresses to forget at ns
 *   provider/valset/<id>/<provider cons>          JSON {power, pub_key, join_height}: the last set sent
 *   provider/slashAcks/<id>                       JSON list of consumer valcons bech32
 *   provider/pendingVsc/<id>                      JSON list of VSC packet data (base64)
 *   provider/vscHeight/<id>/<u64 vscId>           u64 provider height of that vscId (0: launch height)
 *   provider/commission/<id>/<provider cons>      Dec text
 *   provider/minPowerTopN/<id>                    u64
 */
import { decFromString, decToString } from "../../app/index.ts";
import {
  concatBytes,
  fromBase64,
  fromUtf8,
  readUint64Be,
  toBase64,
  uint64Be,
  utf8,
} from "../../utils/index.ts";
import {
  type ConsumerInitializationParameters,
  ConsumerInitializationParametersCodec,
  type ConsumerMetadata,
  decShort,
  type PowerShapingParameters,
  PowerShapingParametersCodec,
  type SlashJailParameters,
} from "./codec.ts";

const SECOND = 1_000_000_000n;

/** The consumer phases of ADR-019, with the reference's enum names. */
export const ConsumerPhase = {
  unspecified: "CONSUMER_PHASE_UNSPECIFIED",
  registered: "CONSUMER_PHASE_REGISTERED",
  initialized: "CONSUMER_PHASE_INITIALIZED",
  launched: "CONSUMER_PHASE_LAUNCHED",
  stopped: "CONSUMER_PHASE_STOPPED",
  deleted: "CONSUMER_PHASE_DELETED",
} as const;
export type ConsumerPhase = (typeof ConsumerPhase)[keyof typeof ConsumerPhase];

/** The provider module's params (defaults as the reference's). */
export interface ProviderParams {
  readonly blocksPerEpoch: bigint;
  /** ns. */
  readonly slashMeterReplenishPeriod: bigint;
  /** Dec text. */
  readonly slashMeterReplenishFraction: string;
  readonly trustingPeriodFraction: string;
  /** ns. */
  readonly ccvTimeoutPeriod: bigint;
  readonly maxProviderConsensusValidators: bigint;
  readonly numberOfEpochsToStartReceivingRewards: bigint;
}

export const DEFAULT_PROVIDER_PARAMS: ProviderParams = {
  blocksPerEpoch: 600n,
  slashMeterReplenishPeriod: 3600n * SECOND,
  slashMeterReplenishFraction: "0.05",
  trustingPeriodFraction: "0.66",
  ccvTimeoutPeriod: 2419200n * SECOND,
  maxProviderConsensusValidators: 180n,
  numberOfEpochsToStartReceivingRewards: 24n,
};

/** "<seconds>s" (up to 9 fraction digits) → ns; throws naming `field`. */
export function parseDuration(v: unknown, field: string): bigint {
  const m = typeof v === "string" ? /^(\d{1,12})(?:\.(\d{1,9}))?s$/.exec(v) : null;
  if (!m) throw new Error(`${field}: ${JSON.stringify(v)} is not a duration like "60s"`);
  return BigInt(m[1]!) * SECOND + BigInt((m[2] ?? "").padEnd(9, "0") || "0");
}

/** ns → "<seconds>s" (with a fraction only when needed). */
export function formatDuration(ns: bigint): string {
  const s = ns / SECOND;
  const f = ns % SECOND;
  return f === 0n ? `${s}s` : `${s}.${f.toString().padStart(9, "0").replace(/0+$/, "")}s`;
}

function posInt(v: unknown, field: string): bigint {
  if ((typeof v !== "string" && typeof v !== "number") || !/^[1-9][0-9]{0,18}$/.test(String(v)))
    throw new Error(`${field}: must be a positive integer string`);
  return BigInt(v);
}

function fraction(v: unknown, field: string): string {
  if (typeof v !== "string") throw new Error(`${field}: must be a decimal string`);
  const d = decFromString(v, field);
  if (d < 0n || d > 10n ** 18n) throw new Error(`${field}: must be in [0, 1]`);
  return v;
}

/** Params from `app_state.provider.params` (absent fields: defaults); throws naming the field. */
export function paramsFromJson(v: unknown): ProviderParams {
  if (v === undefined || v === null) return DEFAULT_PROVIDER_PARAMS;
  if (typeof v !== "object" || Array.isArray(v)) throw new Error("params: must be an object");
  const o = v as Record<string, unknown>;
  const d = DEFAULT_PROVIDER_PARAMS;
  const f = (k: string) => `app_state.provider.params.${k}`;
  const p: ProviderParams = {
    blocksPerEpoch:
      o.blocks_per_epoch === undefined ? d.blocksPerEpoch : posInt(o.blocks_per_epoch, f("blocks_per_epoch")),
    slashMeterReplenishPeriod:
      o.slash_meter_replenish_period === undefined
        ? d.slashMeterReplenishPeriod
        : parseDuration(o.slash_meter_replenish_period, f("slash_meter_replenish_period")),
    slashMeterReplenishFraction:
      o.slash_meter_replenish_fraction === undefined
        ? d.slashMeterReplenishFraction
        : fraction(o.slash_meter_replenish_fraction, f("slash_meter_replenish_fraction")),
    trustingPeriodFraction:
      o.trusting_period_fraction === undefined
        ? d.trustingPeriodFraction
        : fraction(o.trusting_period_fraction, f("trusting_period_fraction")),
    ccvTimeoutPeriod:
      o.ccv_timeout_period === undefined
        ? d.ccvTimeoutPeriod
        : parseDuration(o.ccv_timeout_period, f("ccv_timeout_period")),
    maxProviderConsensusValidators:
      o.max_provider_consensus_validators === undefined
        ? d.maxProviderConsensusValidators
        : posInt(o.max_provider_consensus_validators, f("max_provider_consensus_validators")),
    numberOfEpochsToStartReceivingRewards:
      o.number_of_epochs_to_start_receiving_rewards === undefined
        ? d.numberOfEpochsToStartReceivingRewards
        : posInt(
            o.number_of_epochs_to_start_receiving_rewards,
            f("number_of_epochs_to_start_receiving_rewards"),
          ),
  };
  if (decFromString(p.trustingPeriodFraction) === 0n)
    throw new Error(`${f("trusting_period_fraction")}: must be > 0`);
  if (p.ccvTimeoutPeriod === 0n) throw new Error(`${f("ccv_timeout_period")}: must be > 0`);
  if (p.slashMeterReplenishPeriod === 0n)
    throw new Error(`${f("slash_meter_replenish_period")}: must be > 0`);
  return p;
}

/** Params as snake_case JSON (genesis export, the Params query). */
export function paramsToJson(p: ProviderParams): Record<string, string> {
  return {
    blocks_per_epoch: p.blocksPerEpoch.toString(),
    slash_meter_replenish_period: formatDuration(p.slashMeterReplenishPeriod),
    slash_meter_replenish_fraction: p.slashMeterReplenishFraction,
    trusting_period_fraction: p.trustingPeriodFraction,
    ccv_timeout_period: formatDuration(p.ccvTimeoutPeriod),
    max_provider_consensus_validators: p.maxProviderConsensusValidators.toString(),
    number_of_epochs_to_start_receiving_rewards: p.numberOfEpochsToStartReceivingRewards.toString(),
  };
}

/** A consumer's slashing and jailing (defaults filled in). */
export interface ResolvedInfractionParameters {
  readonly doubleSign: SlashJailParameters;
  readonly downtime: SlashJailParameters;
}

/** What the provider knows of one consumer. */
export interface ConsumerRecord {
  readonly consumerId: bigint;
  readonly chainId: string;
  /** bech32 account address. */
  readonly owner: string;
  readonly phase: ConsumerPhase;
  readonly metadata: ConsumerMetadata;
  readonly init: ConsumerInitializationParameters | undefined;
  readonly powerShaping: PowerShapingParameters;
  readonly rewardDenoms: readonly string[];
  readonly infraction: ResolvedInfractionParameters;
  /** Set at launch. */
  readonly clientId: string;
  readonly channelId: string;
  readonly transferChannelId: string;
  readonly launchHeight: bigint;
  readonly launchTime: bigint;
  /** Set at stop: when the state is deleted (ns). */
  readonly removalTime: bigint;
}

function sjToJson(p: SlashJailParameters) {
  return {
    slash_fraction: p.slashFraction,
    jail_duration: p.jailDuration.toString(),
    tombstone: p.tombstone,
  };
}

function sjFromJson(o: Record<string, unknown>): SlashJailParameters {
  return {
    slashFraction: String(o.slash_fraction),
    jailDuration: BigInt(String(o.jail_duration)),
    tombstone: o.tombstone === true,
  };
}

/** Deterministic JSON of a record (fixed field order). */
export function encodeRecord(r: ConsumerRecord): Uint8Array {
  return utf8(
    JSON.stringify({
      consumer_id: r.consumerId.toString(),
      chain_id: r.chainId,
      owner: r.owner,
      phase: r.phase,
      metadata: { name: r.metadata.name, description: r.metadata.description, metadata: r.metadata.metadata },
      init: r.init === undefined ? null : toBase64(ConsumerInitializationParametersCodec.encode(r.init)),
      power_shaping: toBase64(PowerShapingParametersCodec.encode(r.powerShaping)),
      reward_denoms: [...r.rewardDenoms],
      infraction: {
        double_sign: sjToJson(r.infraction.doubleSign),
        downtime: sjToJson(r.infraction.downtime),
      },
      client_id: r.clientId,
      channel_id: r.channelId,
      transfer_channel_id: r.transferChannelId,
      launch_height: r.launchHeight.toString(),
      launch_time: r.launchTime.toString(),
      removal_time: r.removalTime.toString(),
    }),
  );
}

export function decodeRecord(b: Uint8Array): ConsumerRecord {
  // biome-ignore lint/suspicious/noExplicitAny: our own record format, written by encodeRecord.
  const o = JSON.parse(fromUtf8(b)) as Record<string, any>;
  const md = o.metadata as Record<string, string>;
  const inf = o.infraction as Record<string, Record<string, unknown>>;
  return {
    consumerId: BigInt(o.consumer_id),
    chainId: o.chain_id,
    owner: o.owner,
    phase: o.phase,
    metadata: { name: md.name!, description: md.description!, metadata: md.metadata! },
    init: o.init === null ? undefined : ConsumerInitializationParametersCodec.decode(fromBase64(o.init)),
    powerShaping: PowerShapingParametersCodec.decode(fromBase64(o.power_shaping)),
    rewardDenoms: o.reward_denoms,
    infraction: { doubleSign: sjFromJson(inf.double_sign!), downtime: sjFromJson(inf.downtime!) },
    clientId: o.client_id,
    channelId: o.channel_id,
    transferChannelId: o.transfer_channel_id,
    launchHeight: BigInt(o.launch_height),
    launchTime: BigInt(o.launch_time),
    removalTime: BigInt(o.removal_time),
  };
}

/** One validator of a consumer's last sent set. */
export interface ConsumerValidator {
  /** Provider consensus address (20 bytes). */
  readonly providerConsAddr: Uint8Array;
  readonly power: bigint;
  /** The ed25519 key it uses on the consumer. */
  readonly pubKey: Uint8Array;
  readonly joinHeight: bigint;
}

export function encodeConsumerValidator(v: ConsumerValidator): Uint8Array {
  return utf8(
    JSON.stringify({
      power: v.power.toString(),
      pub_key: toBase64(v.pubKey),
      join_height: v.joinHeight.toString(),
    }),
  );
}

export function decodeConsumerValidator(providerConsAddr: Uint8Array, b: Uint8Array): ConsumerValidator {
  const o = JSON.parse(fromUtf8(b)) as Record<string, string>;
  return {
    providerConsAddr,
    power: BigInt(o.power!),
    pubKey: fromBase64(o.pub_key!),
    joinHeight: BigInt(o.join_height!),
  };
}

// ---- keys -------------------------------------------------------------------------------------------

const P = (s: string) => utf8(`provider/${s}`);
const id8 = (id: bigint) => uint64Be(id);

export const PARAMS_KEY = P("params");
export const NEXT_CONSUMER_ID_KEY = P("nextConsumerId");
export const VSC_ID_KEY = P("vscId");
export const SLASH_METER_KEY = P("slashMeter");
export const SLASH_METER_TIME_KEY = P("slashMeterTime");
export const CONSUMER_PREFIX = P("consumer/");
export const consumerKey = (id: bigint) => concatBytes(CONSUMER_PREFIX, id8(id));
export const genesisKey = (id: bigint) => concatBytes(P("genesis/"), id8(id));
export const channelToConsumerKey = (channelId: string) => concatBytes(P("channel/"), utf8(channelId));
export const optedInPrefix = (id: bigint) => concatBytes(P("optedIn/"), id8(id));
export const optedInKey = (id: bigint, cons: Uint8Array) => concatBytes(optedInPrefix(id), cons);
export const consumerKeyPrefix = (id: bigint) => concatBytes(P("consumerKey/"), id8(id));
export const consumerPubKeyKey = (id: bigint, cons: Uint8Array) => concatBytes(consumerKeyPrefix(id), cons);
export const byConsumerAddrPrefix = (id: bigint) => concatBytes(P("byConsumerAddr/"), id8(id));
export const byConsumerAddrKey = (id: bigint, cons: Uint8Array) =>
  concatBytes(byConsumerAddrPrefix(id), cons);
export const prunePrefix = (id: bigint) => concatBytes(P("prune/"), id8(id));
export const pruneKey = (id: bigint, time: bigint, cons: Uint8Array) =>
  concatBytes(prunePrefix(id), uint64Be(time), cons);
export const valsetPrefix = (id: bigint) => concatBytes(P("valset/"), id8(id));
export const valsetKey = (id: bigint, cons: Uint8Array) => concatBytes(valsetPrefix(id), cons);
export const slashAcksKey = (id: bigint) => concatBytes(P("slashAcks/"), id8(id));
export const pendingVscKey = (id: bigint) => concatBytes(P("pendingVsc/"), id8(id));
export const vscHeightPrefix = (id: bigint) => concatBytes(P("vscHeight/"), id8(id));
export const vscHeightKey = (id: bigint, vscId: bigint) => concatBytes(vscHeightPrefix(id), uint64Be(vscId));
export const commissionPrefix = (id: bigint) => concatBytes(P("commission/"), id8(id));
export const commissionKey = (id: bigint, cons: Uint8Array) => concatBytes(commissionPrefix(id), cons);
export const minPowerTopNKey = (id: bigint) => concatBytes(P("minPowerTopN/"), id8(id));

export { readUint64Be, uint64Be };

/** Normalizes a Dec text ("0.050" → "0.05"). */
export function normDec(s: string): string {
  return decShort(decFromString(s));
}

export { decToString };
