/**
 * The CCV channel's packet data and acknowledgements, as interchain-security's wire.proto sends them:
 * proto-JSON (snake_case field names, 64-bit integers as strings, bytes as base64), parsed strictly
 * (unknown fields, wrong types and out-of-range values are refused with CCV_INVALID_PACKET_DATA).
 *
 * - provider → consumer: ValidatorSetChangePacketData
 *   `{"validator_updates":[{"pub_key":{"ed25519":"<b64>"},"power":"10"}],"valset_update_id":"1","slash_acks":["<bech32 consumer cons addr>"]}`
 * - consumer → provider: ConsumerPacketData in its V1 form (what the reference consumer sends)
 *   `{"type":"CONSUMER_PACKET_TYPE_SLASH","slashPacketData":{"validator":{"address":"<b64 20 bytes>","power":"10"},"valset_update_id":"3","infraction":"INFRACTION_TYPE_DOWNTIME"}}`
 * - acknowledgements: ibc-go's `{"result":"<b64>"}` / `{"error":"..."}`; CCV result bytes 0x01 (V1
 *   result), 0x02 (slash packet handled), 0x03 (slash packet bounced: retry later).
 */
import { fromBase64, fromUtf8, IcsdError, toBase64, utf8 } from "../../utils/index.ts";

export const CCV_INVALID_PACKET_DATA = "CCV_INVALID_PACKET_DATA";
export const CCV_INVALID_ACK = "CCV_INVALID_ACK";

/** The CCV ports and channel version (ordered channel). */
export const PROVIDER_PORT = "provider";
export const CONSUMER_PORT = "consumer";
export const CCV_VERSION = "1";

/** A validator's power change: an ed25519 consensus key (32 bytes) and its new power (0 removes it). */
export interface CcvValidatorUpdate {
  readonly pubKey: Uint8Array;
  readonly power: bigint;
}

export interface ValidatorSetChangePacketData {
  readonly validatorUpdates: readonly CcvValidatorUpdate[];
  /** > 0, increasing per consumer. */
  readonly valsetUpdateId: bigint;
  /** Bech32 consumer consensus addresses whose downtime slash was handled. */
  readonly slashAcks: readonly string[];
}

export type Infraction = "downtime" | "double_sign";

export interface SlashPacketData {
  /** The consumer consensus address (20 bytes) and the power it had. */
  readonly validator: { readonly address: Uint8Array; readonly power: bigint };
  /** The vscId in force at the infraction height on the consumer (0: before the first change). */
  readonly valsetUpdateId: bigint;
  readonly infraction: Infraction;
}

/** Consumer → provider packets. (VSCMatured is obsolete: the provider acks it and ignores it.) */
export type ConsumerPacketData =
  | { readonly type: "slash"; readonly slash: SlashPacketData }
  | { readonly type: "vsc_matured"; readonly valsetUpdateId: bigint };

const MAX_U64 = 2n ** 64n - 1n;
const MAX_POWER = 2n ** 63n - 1n;

function bad(message: string): never {
  throw new IcsdError(CCV_INVALID_PACKET_DATA, message);
}

function parseJsonObject(bytes: Uint8Array, what: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(fromUtf8(bytes));
  } catch {
    bad(`${what} is not UTF-8 JSON`);
  }
  return obj(v, what);
}

function obj(v: unknown, field: string): Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v)) bad(`${field} must be an object`);
  return v as Record<string, unknown>;
}

function onlyKeys(o: Record<string, unknown>, allowed: readonly string[], field: string): void {
  for (const k of Object.keys(o)) if (!allowed.includes(k)) bad(`${field}: unknown field ${k}`);
}

function u64(v: unknown, field: string, max = MAX_U64): bigint {
  if (v === undefined) return 0n;
  if (typeof v !== "string" || !/^(0|[1-9][0-9]{0,19})$/.test(v)) bad(`${field} must be a decimal string`);
  const n = BigInt(v);
  if (n > max) bad(`${field} is out of range`);
  return n;
}

function bytes(v: unknown, field: string, len: number): Uint8Array {
  if (typeof v !== "string") bad(`${field} must be base64`);
  let b: Uint8Array;
  try {
    b = fromBase64(v);
  } catch {
    bad(`${field} must be base64`);
  }
  if (b.length !== len) bad(`${field} must be ${len} bytes, got ${b.length}`);
  return b;
}

function strList(v: unknown, field: string): string[] {
  if (v === undefined) return [];
  if (!Array.isArray(v) || v.some((s) => typeof s !== "string")) bad(`${field} must be a list of strings`);
  return v as string[];
}

/** Encodes a VSC packet's data (deterministic field order). */
export function encodeVscPacket(p: ValidatorSetChangePacketData): Uint8Array {
  return utf8(
    JSON.stringify({
      validator_updates: p.validatorUpdates.map((u) => ({
        pub_key: { ed25519: toBase64(u.pubKey) },
        power: u.power.toString(),
      })),
      valset_update_id: p.valsetUpdateId.toString(),
      slash_acks: [...p.slashAcks],
    }),
  );
}

/** Decodes and validates a VSC packet's data; throws CCV_INVALID_PACKET_DATA. */
export function decodeVscPacket(data: Uint8Array): ValidatorSetChangePacketData {
  const o = parseJsonObject(data, "VSC packet data");
  onlyKeys(o, ["validator_updates", "valset_update_id", "slash_acks"], "VSC packet data");
  const raw = o.validator_updates ?? [];
  if (!Array.isArray(raw)) bad("validator_updates must be a list");
  const validatorUpdates = raw.map((u, i) => {
    const f = `validator_updates[${i}]`;
    const r = obj(u, f);
    onlyKeys(r, ["pub_key", "power"], f);
    const pk = obj(r.pub_key, `${f}.pub_key`);
    onlyKeys(pk, ["ed25519"], `${f}.pub_key`);
    return {
      pubKey: bytes(pk.ed25519, `${f}.pub_key.ed25519`, 32),
      power: u64(r.power, `${f}.power`, MAX_POWER),
    };
  });
  const valsetUpdateId = u64(o.valset_update_id, "valset_update_id");
  if (valsetUpdateId === 0n) bad("valset_update_id must be > 0");
  return { validatorUpdates, valsetUpdateId, slashAcks: strList(o.slash_acks, "slash_acks") };
}

const INFRACTIONS: Record<string, Infraction> = {
  INFRACTION_TYPE_DOWNTIME: "downtime",
  INFRACTION_TYPE_DOUBLE_SIGN: "double_sign",
};

/** Encodes a consumer packet in the V1 form the reference consumer sends. */
export function encodeConsumerPacket(p: ConsumerPacketData): Uint8Array {
  if (p.type === "vsc_matured") {
    return utf8(
      JSON.stringify({
        type: "CONSUMER_PACKET_TYPE_VSCM",
        vscMaturedPacketData: { valset_update_id: p.valsetUpdateId.toString() },
      }),
    );
  }
  const s = p.slash;
  return utf8(
    JSON.stringify({
      type: "CONSUMER_PACKET_TYPE_SLASH",
      slashPacketData: {
        validator: { address: toBase64(s.validator.address), power: s.validator.power.toString() },
        valset_update_id: s.valsetUpdateId.toString(),
        infraction: s.infraction === "downtime" ? "INFRACTION_TYPE_DOWNTIME" : "INFRACTION_TYPE_DOUBLE_SIGN",
      },
    }),
  );
}

/**
 * Decodes and validates a consumer packet (V1 infraction names, and the current form's
 * `INFRACTION_DOWNTIME`/`INFRACTION_DOUBLE_SIGN`); throws CCV_INVALID_PACKET_DATA. A slash packet needs
 * a 20-byte address and a non-zero power.
 */
export function decodeConsumerPacket(data: Uint8Array): ConsumerPacketData {
  const o = parseJsonObject(data, "consumer packet data");
  if (o.type === "CONSUMER_PACKET_TYPE_VSCM") {
    onlyKeys(o, ["type", "vscMaturedPacketData"], "consumer packet data");
    const m = obj(o.vscMaturedPacketData, "vscMaturedPacketData");
    onlyKeys(m, ["valset_update_id"], "vscMaturedPacketData");
    return { type: "vsc_matured", valsetUpdateId: u64(m.valset_update_id, "valset_update_id") };
  }
  if (o.type !== "CONSUMER_PACKET_TYPE_SLASH") bad(`unknown consumer packet type ${String(o.type)}`);
  onlyKeys(o, ["type", "slashPacketData"], "consumer packet data");
  const s = obj(o.slashPacketData, "slashPacketData");
  onlyKeys(s, ["validator", "valset_update_id", "infraction"], "slashPacketData");
  const v = obj(s.validator, "slashPacketData.validator");
  onlyKeys(v, ["address", "power"], "slashPacketData.validator");
  const address = bytes(v.address, "slashPacketData.validator.address", 20);
  const power = u64(v.power, "slashPacketData.validator.power", MAX_POWER);
  if (power === 0n) bad("slashPacketData.validator.power must be non-zero");
  const name = String(s.infraction);
  const infraction =
    INFRACTIONS[name] ??
    (name === "INFRACTION_DOWNTIME"
      ? "downtime"
      : name === "INFRACTION_DOUBLE_SIGN"
        ? "double_sign"
        : undefined);
  if (infraction === undefined) bad(`unknown infraction ${name}`);
  return {
    type: "slash",
    slash: {
      validator: { address, power },
      valsetUpdateId: u64(s.valset_update_id, "slashPacketData.valset_update_id"),
      infraction,
    },
  };
}

/** CCV acknowledgement results. */
export const V1_RESULT = 1;
export const SLASH_PACKET_HANDLED = 2;
export const SLASH_PACKET_BOUNCED = 3;

export type CcvAck =
  | { readonly kind: "result"; readonly result: number }
  | { readonly kind: "error"; readonly error: string };

/** `{"result":"<one byte>"}`. */
export function resultAck(result: number): Uint8Array {
  return utf8(JSON.stringify({ result: toBase64(Uint8Array.of(result)) }));
}

/** `{"error":"..."}`; the text must be deterministic (it is committed). */
export function ccvErrorAck(error: string): Uint8Array {
  return utf8(JSON.stringify({ error }));
}

/** Decodes an acknowledgement; a result must be exactly one byte. Throws CCV_INVALID_ACK. */
export function decodeCcvAck(b: Uint8Array): CcvAck {
  let o: unknown;
  try {
    o = JSON.parse(fromUtf8(b));
  } catch {
    throw new IcsdError(CCV_INVALID_ACK, "acknowledgement is not UTF-8 JSON");
  }
  if (typeof o === "object" && o !== null && !Array.isArray(o)) {
    const r = o as Record<string, unknown>;
    const keys = Object.keys(r);
    if (keys.length === 1 && typeof r.error === "string") return { kind: "error", error: r.error };
    if (keys.length === 1 && typeof r.result === "string") {
      let res: Uint8Array | undefined;
      try {
        res = fromBase64(r.result);
      } catch {
        res = undefined;
      }
      if (res?.length === 1) return { kind: "result", result: res[0]! };
    }
  }
  throw new IcsdError(CCV_INVALID_ACK, 'acknowledgement must be {"result":<1 byte>} or {"error":...}');
}
