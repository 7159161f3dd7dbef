import { Params } from "cosmjs-types/cosmos/slashing/v1beta1/slashing";
import {
  type AppStore,
  DEC_ONE,
  type Dec,
  decFromAtomics,
  decFromString,
  decRound,
  decToAtomics,
  decToString,
} from "../../app/index.ts";
import { fromUtf8, utf8 } from "../../utils/index.ts";
import { PARAMS_KEY } from "./keys.ts";

const NS_PER_S = 1_000_000_000n;

/** x/slashing's params. Durations are nanoseconds, fractions 18-place Decs. */
export interface SlashingParams {
  readonly signedBlocksWindow: bigint;
  readonly minSignedPerWindow: Dec;
  readonly downtimeJailDuration: bigint;
  readonly slashFractionDoubleSign: Dec;
  readonly slashFractionDowntime: Dec;
}

/** The SDK's DefaultParams (x/slashing/types/params.go). */
export const defaultSlashingParams: SlashingParams = {
  signedBlocksWindow: 100n,
  minSignedPerWindow: DEC_ONE / 2n,
  downtimeJailDuration: 600n * NS_PER_S,
  slashFractionDoubleSign: DEC_ONE / 20n,
  slashFractionDowntime: DEC_ONE / 100n,
};

/**
 * The SDK's Params.Validate: a description of the first bad field, or undefined. Same checks and
 * wording as x/slashing/types/params.go.
 */
export function validateSlashingParams(p: SlashingParams): string | undefined {
  if (p.signedBlocksWindow <= 0n) return `signed blocks window must be positive: ${p.signedBlocksWindow}`;
  if (p.minSignedPerWindow < 0n)
    return `min signed per window cannot be negative: ${decToString(p.minSignedPerWindow)}`;
  if (p.minSignedPerWindow > DEC_ONE)
    return `min signed per window too large: ${decToString(p.minSignedPerWindow)}`;
  if (p.downtimeJailDuration <= 0n)
    return `downtime jail duration must be positive: ${formatDuration(p.downtimeJailDuration)}`;
  if (p.slashFractionDoubleSign < 0n)
    return `double sign slash fraction cannot be negative: ${decToString(p.slashFractionDoubleSign)}`;
  if (p.slashFractionDoubleSign > DEC_ONE)
    return `double sign slash fraction too large: ${decToString(p.slashFractionDoubleSign)}`;
  if (p.slashFractionDowntime < 0n)
    return `downtime slash fraction cannot be negative: ${decToString(p.slashFractionDowntime)}`;
  if (p.slashFractionDowntime > DEC_ONE)
    return `downtime slash fraction too large: ${decToString(p.slashFractionDowntime)}`;
  return undefined;
}

/**
 * The SDK's MinSignedPerWindow keeper getter: MinSignedPerWindow × window, rounded half to even
 * (LegacyDec.MulInt64(window).RoundInt64()).
 */
export function minSignedPerWindow(p: SlashingParams): bigint {
  return decRound(p.minSignedPerWindow * p.signedBlocksWindow);
}

/** The most blocks a validator may miss in a window before it is jailed: window − minSignedPerWindow. */
export function maxMissedPerWindow(p: SlashingParams): bigint {
  return p.signedBlocksWindow - minSignedPerWindow(p);
}

/** A protobuf Duration as nanoseconds. */
export function durationToNs(d: { seconds: bigint; nanos: number } | undefined): bigint {
  return d ? d.seconds * NS_PER_S + BigInt(d.nanos) : 0n;
}

/** Nanoseconds as a protobuf Duration (seconds and nanos share the sign, as protobuf requires). */
export function nsToDuration(ns: bigint): { seconds: bigint; nanos: number } {
  return { seconds: ns / NS_PER_S, nanos: Number(ns % NS_PER_S) };
}

/** The protojson form of a duration: "600s", "1.5s". */
export function formatDuration(ns: bigint): string {
  const neg = ns < 0n;
  const abs = neg ? -ns : ns;
  const frac = abs % NS_PER_S;
  const fracStr = frac === 0n ? "" : `.${frac.toString().padStart(9, "0").replace(/0+$/, "")}`;
  return `${neg ? "-" : ""}${abs / NS_PER_S}${fracStr}s`;
}

/** Parses a protojson duration ("600s", "0.5s"); throws a RangeError otherwise. */
export function parseDuration(s: string): bigint {
  const m = /^(-?)(\d{1,12})(?:\.(\d{1,9}))?s$/.exec(s);
  if (!m) throw new RangeError(`invalid duration ${JSON.stringify(s)}`);
  const ns = BigInt(m[2]!) * NS_PER_S + BigInt((m[3] ?? "").padEnd(9, "0"));
  return m[1] === "-" ? -ns : ns;
}

/** The params as the SDK's protobuf (LegacyDec bytes fields carry the atomics as ASCII, as gogoproto). */
export function paramsToProto(p: SlashingParams): Params {
  return {
    signedBlocksWindow: p.signedBlocksWindow,
    minSignedPerWindow: utf8(decToAtomics(p.minSignedPerWindow)),
    downtimeJailDuration: nsToDuration(p.downtimeJailDuration),
    slashFractionDoubleSign: utf8(decToAtomics(p.slashFractionDoubleSign)),
    slashFractionDowntime: utf8(decToAtomics(p.slashFractionDowntime)),
  };
}

/** The protobuf params back; a malformed decimal is an invalid request. */
export function paramsFromProto(p: Params): SlashingParams {
  return {
    signedBlocksWindow: p.signedBlocksWindow,
    minSignedPerWindow: decFromAtomics(fromUtf8(p.minSignedPerWindow), "min_signed_per_window"),
    downtimeJailDuration: durationToNs(p.downtimeJailDuration),
    slashFractionDoubleSign: decFromAtomics(
      fromUtf8(p.slashFractionDoubleSign),
      "slash_fraction_double_sign",
    ),
    slashFractionDowntime: decFromAtomics(fromUtf8(p.slashFractionDowntime), "slash_fraction_downtime"),
  };
}

/** The params in the SDK's JSON (genesis, CLI output). */
export function paramsToJson(p: SlashingParams): Record<string, string> {
  return {
    signed_blocks_window: p.signedBlocksWindow.toString(),
    min_signed_per_window: decToString(p.minSignedPerWindow),
    downtime_jail_duration: formatDuration(p.downtimeJailDuration),
    slash_fraction_double_sign: decToString(p.slashFractionDoubleSign),
    slash_fraction_downtime: decToString(p.slashFractionDowntime),
  };
}

/**
 * Parses `app_state.slashing.params` (absent fields take the defaults). Throws a RangeError naming the
 * bad field; the result still has to pass validateSlashingParams.
 */
export function paramsFromJson(v: unknown): SlashingParams {
  if (v === undefined || v === null) return defaultSlashingParams;
  if (typeof v !== "object" || Array.isArray(v)) throw new RangeError("params must be an object");
  const j = v as Record<string, unknown>;
  const d = defaultSlashingParams;
  const str = (k: string): string | undefined => {
    const x = j[k];
    if (x === undefined || x === null) return undefined;
    if (typeof x !== "string" && typeof x !== "number") throw new RangeError(`params.${k} must be a string`);
    return String(x);
  };
  const dec = (k: string, def: Dec): Dec => {
    const s = str(k);
    return s === undefined ? def : decFromString(s, k);
  };
  const window = str("signed_blocks_window");
  if (window !== undefined && !/^-?\d{1,19}$/.test(window))
    throw new RangeError(`params.signed_blocks_window must be an integer`);
  const jail = str("downtime_jail_duration");
  return {
    signedBlocksWindow: window === undefined ? d.signedBlocksWindow : BigInt(window),
    minSignedPerWindow: dec("min_signed_per_window", d.minSignedPerWindow),
    downtimeJailDuration: jail === undefined ? d.downtimeJailDuration : parseDuration(jail),
    slashFractionDoubleSign: dec("slash_fraction_double_sign", d.slashFractionDoubleSign),
    slashFractionDowntime: dec("slash_fraction_downtime", d.slashFractionDowntime),
  };
}

/** The stored params (the defaults before genesis wrote any). */
export async function getParams(store: AppStore): Promise<SlashingParams> {
  const raw = await store.get(PARAMS_KEY);
  return raw ? paramsFromProto(Params.decode(raw)) : defaultSlashingParams;
}

export function setParams(store: AppStore, p: SlashingParams): void {
  store.set(PARAMS_KEY, Params.encode(paramsToProto(p)).finish());
}
