/**
 * Protobuf codecs of the provider module's messages, with the type URLs and field numbers of
 * interchain-security v6/v7 (`proto/interchain_security/ccv/provider/v1/tx.proto` and `provider.proto`),
 * so transactions built by the reference's tooling decode here and the other way round.
 *
 * Domain shapes: camelCase of the proto names; durations and timestamps as bigint nanoseconds; Decs as
 * decimal strings ("0.05"); consumer keys as the JSON string the reference uses
 * (`{"@type":"/cosmos.crypto.ed25519.PubKey","key":"<b64>"}`).
 *
 * icsd extensions to ConsumerInitializationParameters (the consumer's downtime detection, which the
 * reference leaves to the consumer's own x/slashing genesis) use field numbers 101-103, far above the
 * reference's last field (connection_id = 12) so a future reference field cannot collide:
 *   int64 signed_blocks_window = 101; string min_signed_per_window = 102;
 *   google.protobuf.Duration downtime_jail_duration = 103.
 * Zero / empty values of these mean "the default" (100, "0.5", 600s) and are not written.
 */
import { BinaryReader, BinaryWriter } from "cosmjs-types/binary";
import { Duration } from "cosmjs-types/google/protobuf/duration";
import { Timestamp } from "cosmjs-types/google/protobuf/timestamp";
import { Header, Misbehaviour } from "cosmjs-types/ibc/lightclients/tendermint/v1/tendermint";
import { DuplicateVoteEvidence } from "cosmjs-types/tendermint/types/evidence";
import { decFromAtomics, decFromString, decToAtomics, decToString } from "../../app/index.ts";

const PKG = "/interchain_security.ccv.provider.v1";
const SECOND = 1_000_000_000n;
/** Go's zero time.Time as a protobuf Timestamp (0001-01-01T00:00:00Z): what "no spawn time" encodes to. */
const GO_ZERO_TIME_SECONDS = -62135596800n;

/** A codec object shaped like cosmjs-types' generated ones (minus `encode`'s writer). */
export interface MsgCodec<T> {
  readonly typeUrl: string;
  encode(msg: T): Uint8Array;
  decode(bytes: Uint8Array): T;
  fromPartial(p: Partial<T>): T;
}

// ---- durations, timestamps, decs ------------------------------------------------------------------

function durationToProto(ns: bigint): Duration {
  const neg = ns < 0n;
  const a = neg ? -ns : ns;
  const seconds = a / SECOND;
  const nanos = Number(a % SECOND);
  return neg ? { seconds: -seconds, nanos: -nanos } : { seconds, nanos };
}

function durationFromProto(d: Duration): bigint {
  return d.seconds * SECOND + BigInt(d.nanos);
}

function timestampToProto(ns: bigint): Timestamp {
  let seconds = ns / SECOND;
  let nanos = ns % SECOND;
  if (nanos < 0n) {
    nanos += SECOND;
    seconds -= 1n;
  }
  return { seconds, nanos: Number(nanos) };
}

function timestampFromProto(t: Timestamp): bigint | undefined {
  if (t.seconds === GO_ZERO_TIME_SECONDS && t.nanos === 0) return undefined;
  return t.seconds * SECOND + BigInt(t.nanos);
}

/** A LegacyDec customtype on the wire is its 18-place atomics as decimal text ("50000000000000000"). */
function decWire(s: string, field: string): string {
  if (s === "") return "";
  return decToAtomics(decFromString(s, field));
}

function decUnwire(s: string, field: string): string {
  if (s === "") return "";
  return decShort(decFromAtomics(s, field));
}

/** A Dec as its shortest decimal text ("0.05", "1"). */
export function decShort(d: bigint): string {
  const s = decToString(d);
  return s.replace(/\.?0+$/, "");
}

function writeDuration(w: BinaryWriter, field: number, ns: bigint): void {
  Duration.encode(durationToProto(ns), w.uint32((field << 3) | 2).fork()).ldelim();
}

function readDuration(r: BinaryReader): bigint {
  return durationFromProto(Duration.decode(r, r.uint32()));
}

function writeString(w: BinaryWriter, field: number, s: string): void {
  if (s !== "") w.uint32((field << 3) | 2).string(s);
}

function writeBytes(w: BinaryWriter, field: number, b: Uint8Array): void {
  if (b.length > 0) w.uint32((field << 3) | 2).bytes(b);
}

function writeVarint(w: BinaryWriter, field: number, n: bigint | number): void {
  if (BigInt(n) !== 0n) w.uint32(field << 3).uint64(BigInt(n));
}

function writeInt64(w: BinaryWriter, field: number, n: bigint): void {
  if (n !== 0n) w.uint32(field << 3).int64(n);
}

function writeBool(w: BinaryWriter, field: number, b: boolean): void {
  if (b) w.uint32(field << 3).bool(true);
}

function writeMessage(w: BinaryWriter, field: number, enc: (w: BinaryWriter) => void): void {
  const sub = w.uint32((field << 3) | 2).fork();
  enc(sub);
  sub.ldelim();
}

/** Reads fields until `end`, calling `on(field, wireType)`; unknown fields are skipped. */
function readFields(r: BinaryReader, length: number | undefined, on: (field: number) => boolean): void {
  const end = length === undefined ? r.len : r.pos + length;
  while (r.pos < end) {
    const tag = r.uint32();
    if (!on(tag >>> 3)) r.skipType(tag & 7);
  }
}

function reader(input: BinaryReader | Uint8Array): BinaryReader {
  return input instanceof BinaryReader ? input : new BinaryReader(input);
}

// ---- shared parts (provider.proto) ----------------------------------------------------------------

export interface ConsumerMetadata {
  readonly name: string;
  readonly description: string;
  readonly metadata: string;
}

export interface Height {
  readonly revisionNumber: bigint;
  readonly revisionHeight: bigint;
}

export interface ConsumerInitializationParameters {
  readonly initialHeight: Height;
  readonly genesisHash: Uint8Array;
  readonly binaryHash: Uint8Array;
  /** Provider block time (ns) at or after which the chain launches; undefined = not set. */
  readonly spawnTime: bigint | undefined;
  readonly unbondingPeriod: bigint;
  readonly ccvTimeoutPeriod: bigint;
  readonly transferTimeoutPeriod: bigint;
  readonly consumerRedistributionFraction: string;
  readonly blocksPerDistributionTransmission: bigint;
  readonly historicalEntries: bigint;
  readonly distributionTransmissionChannel: string;
  readonly connectionId: string;
  /** icsd extension (field 101); 0 = default 100. */
  readonly signedBlocksWindow: bigint;
  /** icsd extension (field 102); "" = default "0.5". */
  readonly minSignedPerWindow: string;
  /** icsd extension (field 103), ns; 0 = default 600s. */
  readonly downtimeJailDuration: bigint;
}

export interface PowerShapingParameters {
  readonly topN: number;
  readonly validatorsPowerCap: number;
  readonly validatorSetCap: number;
  readonly allowlist: readonly string[];
  readonly denylist: readonly string[];
  readonly minStake: bigint;
  readonly allowInactiveVals: boolean;
  readonly prioritylist: readonly string[];
}

export interface AllowlistedRewardDenoms {
  readonly denoms: readonly string[];
}

export interface SlashJailParameters {
  /** Dec string in [0, 1]. */
  readonly slashFraction: string;
  /** ns. */
  readonly jailDuration: bigint;
  readonly tombstone: boolean;
}

export interface InfractionParameters {
  readonly doubleSign: SlashJailParameters | undefined;
  readonly downtime: SlashJailParameters | undefined;
}

function encMetadata(w: BinaryWriter, m0: ConsumerMetadata): void {
  const m = withDefaults(emptyMetadata, m0);
  writeString(w, 1, m.name);
  writeString(w, 2, m.description);
  writeString(w, 3, m.metadata);
}

function decMetadata(r: BinaryReader, len?: number): ConsumerMetadata {
  const m = { name: "", description: "", metadata: "" };
  readFields(r, len, (f) => {
    if (f === 1) m.name = r.string();
    else if (f === 2) m.description = r.string();
    else if (f === 3) m.metadata = r.string();
    else return false;
    return true;
  });
  return m;
}

export const emptyMetadata: ConsumerMetadata = { name: "", description: "", metadata: "" };

export const emptyInitializationParameters: ConsumerInitializationParameters = {
  initialHeight: { revisionNumber: 0n, revisionHeight: 0n },
  genesisHash: new Uint8Array(),
  binaryHash: new Uint8Array(),
  spawnTime: undefined,
  unbondingPeriod: 0n,
  ccvTimeoutPeriod: 0n,
  transferTimeoutPeriod: 0n,
  consumerRedistributionFraction: "",
  blocksPerDistributionTransmission: 0n,
  historicalEntries: 0n,
  distributionTransmissionChannel: "",
  connectionId: "",
  signedBlocksWindow: 0n,
  minSignedPerWindow: "",
  downtimeJailDuration: 0n,
};

function encInit(w: BinaryWriter, p0: ConsumerInitializationParameters): void {
  const p = withDefaults(emptyInitializationParameters, p0);
  writeMessage(w, 1, (s) => {
    writeVarint(s, 1, p.initialHeight.revisionNumber);
    writeVarint(s, 2, p.initialHeight.revisionHeight);
  });
  writeBytes(w, 2, p.genesisHash);
  writeBytes(w, 3, p.binaryHash);
  const ts =
    p.spawnTime === undefined ? { seconds: GO_ZERO_TIME_SECONDS, nanos: 0 } : timestampToProto(p.spawnTime);
  Timestamp.encode(ts, w.uint32((4 << 3) | 2).fork()).ldelim();
  writeDuration(w, 5, p.unbondingPeriod);
  writeDuration(w, 6, p.ccvTimeoutPeriod);
  writeDuration(w, 7, p.transferTimeoutPeriod);
  writeString(w, 8, p.consumerRedistributionFraction);
  writeInt64(w, 9, p.blocksPerDistributionTransmission);
  writeInt64(w, 10, p.historicalEntries);
  writeString(w, 11, p.distributionTransmissionChannel);
  writeString(w, 12, p.connectionId);
  writeInt64(w, 101, p.signedBlocksWindow);
  writeString(w, 102, p.minSignedPerWindow);
  if (p.downtimeJailDuration !== 0n) writeDuration(w, 103, p.downtimeJailDuration);
}

function decInit(r: BinaryReader, len?: number): ConsumerInitializationParameters {
  const p = { ...emptyInitializationParameters } as {
    -readonly [K in keyof ConsumerInitializationParameters]: ConsumerInitializationParameters[K];
  };
  readFields(r, len, (f) => {
    switch (f) {
      case 1: {
        const h = { revisionNumber: 0n, revisionHeight: 0n };
        readFields(r, r.uint32(), (g) => {
          if (g === 1) h.revisionNumber = r.uint64();
          else if (g === 2) h.revisionHeight = r.uint64();
          else return false;
          return true;
        });
        p.initialHeight = h;
        return true;
      }
      case 2:
        p.genesisHash = r.bytes();
        return true;
      case 3:
        p.binaryHash = r.bytes();
        return true;
      case 4:
        p.spawnTime = timestampFromProto(Timestamp.decode(r, r.uint32()));
        return true;
      case 5:
        p.unbondingPeriod = readDuration(r);
        return true;
      case 6:
        p.ccvTimeoutPeriod = readDuration(r);
        return true;
      case 7:
        p.transferTimeoutPeriod = readDuration(r);
        return true;
      case 8:
        p.consumerRedistributionFraction = r.string();
        return true;
      case 9:
        p.blocksPerDistributionTransmission = r.int64();
        return true;
      case 10:
        p.historicalEntries = r.int64();
        return true;
      case 11:
        p.distributionTransmissionChannel = r.string();
        return true;
      case 12:
        p.connectionId = r.string();
        return true;
      case 101:
        p.signedBlocksWindow = r.int64();
        return true;
      case 102:
        p.minSignedPerWindow = r.string();
        return true;
      case 103:
        p.downtimeJailDuration = readDuration(r);
        return true;
      default:
        return false;
    }
  });
  return p;
}

export const emptyPowerShapingParameters: PowerShapingParameters = {
  topN: 0,
  validatorsPowerCap: 0,
  validatorSetCap: 0,
  allowlist: [],
  denylist: [],
  minStake: 0n,
  allowInactiveVals: false,
  prioritylist: [],
};

function encPsp(w: BinaryWriter, p0: PowerShapingParameters): void {
  const p = withDefaults(emptyPowerShapingParameters, p0);
  writeVarint(w, 1, p.topN);
  writeVarint(w, 2, p.validatorsPowerCap);
  writeVarint(w, 3, p.validatorSetCap);
  for (const a of p.allowlist) w.uint32((4 << 3) | 2).string(a);
  for (const a of p.denylist) w.uint32((5 << 3) | 2).string(a);
  writeVarint(w, 6, p.minStake);
  writeBool(w, 7, p.allowInactiveVals);
  for (const a of p.prioritylist) w.uint32((8 << 3) | 2).string(a);
}

function decPsp(r: BinaryReader, len?: number): PowerShapingParameters {
  const p = {
    topN: 0,
    validatorsPowerCap: 0,
    validatorSetCap: 0,
    allowlist: [] as string[],
    denylist: [] as string[],
    minStake: 0n,
    allowInactiveVals: false,
    prioritylist: [] as string[],
  };
  readFields(r, len, (f) => {
    if (f === 1) p.topN = r.uint32();
    else if (f === 2) p.validatorsPowerCap = r.uint32();
    else if (f === 3) p.validatorSetCap = r.uint32();
    else if (f === 4) p.allowlist.push(r.string());
    else if (f === 5) p.denylist.push(r.string());
    else if (f === 6) p.minStake = r.uint64();
    else if (f === 7) p.allowInactiveVals = r.bool();
    else if (f === 8) p.prioritylist.push(r.string());
    else return false;
    return true;
  });
  return p;
}

function encDenoms(w: BinaryWriter, d: AllowlistedRewardDenoms): void {
  for (const x of d.denoms ?? []) w.uint32((1 << 3) | 2).string(x);
}

function decDenoms(r: BinaryReader, len?: number): AllowlistedRewardDenoms {
  const denoms: string[] = [];
  readFields(r, len, (f) => {
    if (f !== 1) return false;
    denoms.push(r.string());
    return true;
  });
  return { denoms };
}

function encSlashJail(w: BinaryWriter, p0: SlashJailParameters): void {
  const p = withDefaults({ slashFraction: "0", jailDuration: 0n, tombstone: false }, p0);
  // bytes slash_fraction (LegacyDec customtype, dont_omitempty): the atomics' text; always written.
  w.uint32((1 << 3) | 2).bytes(new TextEncoder().encode(decWire(p.slashFraction || "0", "slash_fraction")));
  writeDuration(w, 2, p.jailDuration);
  writeBool(w, 3, p.tombstone);
}

function decSlashJail(r: BinaryReader, len?: number): SlashJailParameters {
  const p = { slashFraction: "0", jailDuration: 0n, tombstone: false };
  readFields(r, len, (f) => {
    if (f === 1) {
      const text = new TextDecoder().decode(r.bytes());
      p.slashFraction = text === "" ? "0" : decUnwire(text, "slash_fraction");
    } else if (f === 2) p.jailDuration = readDuration(r);
    else if (f === 3) p.tombstone = r.bool();
    else return false;
    return true;
  });
  return p;
}

function encInfraction(w: BinaryWriter, p: InfractionParameters): void {
  const ds = p.doubleSign;
  const dt = p.downtime;
  if (ds) writeMessage(w, 1, (s) => encSlashJail(s, ds));
  if (dt) writeMessage(w, 2, (s) => encSlashJail(s, dt));
}

function decInfraction(r: BinaryReader, len?: number): InfractionParameters {
  const p: { doubleSign: SlashJailParameters | undefined; downtime: SlashJailParameters | undefined } = {
    doubleSign: undefined,
    downtime: undefined,
  };
  readFields(r, len, (f) => {
    if (f === 1) p.doubleSign = decSlashJail(r, r.uint32());
    else if (f === 2) p.downtime = decSlashJail(r, r.uint32());
    else return false;
    return true;
  });
  return p;
}

/** Codec of a sub-message type (for callers that store or nest them). */
function subCodec<T>(
  enc: (w: BinaryWriter, m: T) => void,
  dec: (r: BinaryReader, len?: number) => T,
): { encode(m: T): Uint8Array; decode(b: Uint8Array): T } {
  return {
    encode(m) {
      const w = BinaryWriter.create();
      enc(w, m);
      return w.finish();
    },
    decode: (b) => dec(new BinaryReader(b)),
  };
}

export const ConsumerMetadataCodec = subCodec(encMetadata, decMetadata);
export const ConsumerInitializationParametersCodec = subCodec(encInit, decInit);
export const PowerShapingParametersCodec = subCodec(encPsp, decPsp);
export const AllowlistedRewardDenomsCodec = subCodec(encDenoms, decDenoms);
export const InfractionParametersCodec = subCodec(encInfraction, decInfraction);

// ---- messages -------------------------------------------------------------------------------------

/** Builds a message codec from a field writer and a field reader over a mutable default. */
function msgCodec<T extends object>(
  name: string,
  empty: () => T,
  enc: (w: BinaryWriter, m: T) => void,
  dec: (r: BinaryReader, m: { -readonly [K in keyof T]: T[K] }, field: number) => boolean,
): MsgCodec<T> {
  return {
    typeUrl: `${PKG}.${name}`,
    encode(m) {
      const w = BinaryWriter.create();
      enc(w, withDefaults(empty(), m));
      return w.finish();
    },
    decode(b) {
      const r = reader(b);
      const m = empty() as { -readonly [K in keyof T]: T[K] };
      readFields(r, undefined, (f) => dec(r, m, f));
      return m as T;
    },
    fromPartial: (p) => withDefaults(empty(), p),
  };
}

/**
 * A message whose fields are all strings, numbered 1.. in the order `fields` lists them (the reference's
 * MsgRemoveConsumer, MsgAssignConsumerKey, MsgOptIn, MsgOptOut).
 */
function stringMsgCodec<T extends object>(name: string, fields: readonly (keyof T & string)[]): MsgCodec<T> {
  const empty = () => Object.fromEntries(fields.map((f) => [f, ""])) as T;
  return msgCodec<T>(
    name,
    empty,
    (w, m) => {
      fields.forEach((f, i) => {
        writeString(w, i + 1, m[f] as string);
      });
    },
    (r, m, f) => {
      const key = fields[f - 1];
      if (key === undefined) return false;
      (m as Record<string, unknown>)[key] = r.string();
      return true;
    },
  );
}

/** `m` over `dflt`, where an undefined or null field of `m` keeps the default (CosmJS passes partials). */
function withDefaults<T extends object>(dflt: T, m: Partial<T>): T {
  const out = { ...dflt } as Record<string, unknown>;
  for (const [k, v] of Object.entries(m)) if (v !== undefined && v !== null) out[k] = v;
  return out as T;
}

export interface MsgCreateConsumer {
  readonly submitter: string;
  readonly chainId: string;
  readonly metadata: ConsumerMetadata;
  readonly initializationParameters: ConsumerInitializationParameters | undefined;
  readonly powerShapingParameters: PowerShapingParameters | undefined;
  readonly allowlistedRewardDenoms: AllowlistedRewardDenoms | undefined;
  readonly infractionParameters: InfractionParameters | undefined;
}

export const MsgCreateConsumerCodec = msgCodec<MsgCreateConsumer>(
  "MsgCreateConsumer",
  () => ({
    submitter: "",
    chainId: "",
    metadata: emptyMetadata,
    initializationParameters: undefined,
    powerShapingParameters: undefined,
    allowlistedRewardDenoms: undefined,
    infractionParameters: undefined,
  }),
  (w, m) => {
    writeString(w, 1, m.submitter);
    writeString(w, 2, m.chainId);
    writeMessage(w, 3, (s) => encMetadata(s, m.metadata));
    const { initializationParameters: ip, powerShapingParameters: psp } = m;
    const { allowlistedRewardDenoms: ard, infractionParameters: inf } = m;
    if (ip) writeMessage(w, 4, (s) => encInit(s, ip));
    if (psp) writeMessage(w, 5, (s) => encPsp(s, psp));
    if (ard) writeMessage(w, 6, (s) => encDenoms(s, ard));
    if (inf) writeMessage(w, 7, (s) => encInfraction(s, inf));
  },
  (r, m, f) => {
    if (f === 1) m.submitter = r.string();
    else if (f === 2) m.chainId = r.string();
    else if (f === 3) m.metadata = decMetadata(r, r.uint32());
    else if (f === 4) m.initializationParameters = decInit(r, r.uint32());
    else if (f === 5) m.powerShapingParameters = decPsp(r, r.uint32());
    else if (f === 6) m.allowlistedRewardDenoms = decDenoms(r, r.uint32());
    else if (f === 7) m.infractionParameters = decInfraction(r, r.uint32());
    else return false;
    return true;
  },
);

export interface MsgCreateConsumerResponse {
  readonly consumerId: string;
}

export const MsgCreateConsumerResponseCodec = msgCodec<MsgCreateConsumerResponse>(
  "MsgCreateConsumerResponse",
  () => ({ consumerId: "" }),
  (w, m) => writeString(w, 1, m.consumerId),
  (r, m, f) => {
    if (f !== 1) return false;
    m.consumerId = r.string();
    return true;
  },
);

export interface MsgUpdateConsumer {
  readonly owner: string;
  readonly consumerId: string;
  readonly newOwnerAddress: string;
  readonly metadata: ConsumerMetadata | undefined;
  readonly initializationParameters: ConsumerInitializationParameters | undefined;
  readonly powerShapingParameters: PowerShapingParameters | undefined;
  readonly allowlistedRewardDenoms: AllowlistedRewardDenoms | undefined;
  readonly newChainId: string;
  readonly infractionParameters: InfractionParameters | undefined;
}

export const MsgUpdateConsumerCodec = msgCodec<MsgUpdateConsumer>(
  "MsgUpdateConsumer",
  () => ({
    owner: "",
    consumerId: "",
    newOwnerAddress: "",
    metadata: undefined,
    initializationParameters: undefined,
    powerShapingParameters: undefined,
    allowlistedRewardDenoms: undefined,
    newChainId: "",
    infractionParameters: undefined,
  }),
  (w, m) => {
    writeString(w, 1, m.owner);
    writeString(w, 2, m.consumerId);
    writeString(w, 3, m.newOwnerAddress);
    const { metadata: md, initializationParameters: ip, powerShapingParameters: psp } = m;
    const { allowlistedRewardDenoms: ard, infractionParameters: inf } = m;
    if (md) writeMessage(w, 4, (s) => encMetadata(s, md));
    if (ip) writeMessage(w, 5, (s) => encInit(s, ip));
    if (psp) writeMessage(w, 6, (s) => encPsp(s, psp));
    if (ard) writeMessage(w, 7, (s) => encDenoms(s, ard));
    writeString(w, 8, m.newChainId);
    if (inf) writeMessage(w, 9, (s) => encInfraction(s, inf));
  },
  (r, m, f) => {
    if (f === 1) m.owner = r.string();
    else if (f === 2) m.consumerId = r.string();
    else if (f === 3) m.newOwnerAddress = r.string();
    else if (f === 4) m.metadata = decMetadata(r, r.uint32());
    else if (f === 5) m.initializationParameters = decInit(r, r.uint32());
    else if (f === 6) m.powerShapingParameters = decPsp(r, r.uint32());
    else if (f === 7) m.allowlistedRewardDenoms = decDenoms(r, r.uint32());
    else if (f === 8) m.newChainId = r.string();
    else if (f === 9) m.infractionParameters = decInfraction(r, r.uint32());
    else return false;
    return true;
  },
);

export interface MsgRemoveConsumer {
  readonly consumerId: string;
  readonly owner: string;
}

export const MsgRemoveConsumerCodec = stringMsgCodec<MsgRemoveConsumer>("MsgRemoveConsumer", [
  "consumerId",
  "owner",
]);

export interface MsgAssignConsumerKey {
  /** Deprecated (field 1); ignored. */
  readonly chainId: string;
  /** valoper bech32. */
  readonly providerAddr: string;
  readonly consumerKey: string;
  readonly signer: string;
  readonly consumerId: string;
}

export const MsgAssignConsumerKeyCodec = stringMsgCodec<MsgAssignConsumerKey>("MsgAssignConsumerKey", [
  "chainId",
  "providerAddr",
  "consumerKey",
  "signer",
  "consumerId",
]);

export interface MsgOptIn {
  readonly chainId: string;
  readonly providerAddr: string;
  /** Optional ("" = keep the current key). */
  readonly consumerKey: string;
  readonly signer: string;
  readonly consumerId: string;
}

export const MsgOptInCodec = stringMsgCodec<MsgOptIn>("MsgOptIn", [
  "chainId",
  "providerAddr",
  "consumerKey",
  "signer",
  "consumerId",
]);

export interface MsgOptOut {
  readonly chainId: string;
  readonly providerAddr: string;
  readonly signer: string;
  readonly consumerId: string;
}

export const MsgOptOutCodec = stringMsgCodec<MsgOptOut>("MsgOptOut", [
  "chainId",
  "providerAddr",
  "signer",
  "consumerId",
]);

export interface MsgSetConsumerCommissionRate {
  readonly providerAddr: string;
  readonly chainId: string;
  /** Dec string ("0.05"); on the wire the LegacyDec atomics. */
  readonly rate: string;
  readonly signer: string;
  readonly consumerId: string;
}

export const MsgSetConsumerCommissionRateCodec = msgCodec<MsgSetConsumerCommissionRate>(
  "MsgSetConsumerCommissionRate",
  () => ({ providerAddr: "", chainId: "", rate: "", signer: "", consumerId: "" }),
  (w, m) => {
    writeString(w, 1, m.providerAddr);
    writeString(w, 2, m.chainId);
    writeString(w, 3, decWire(m.rate, "rate"));
    writeString(w, 4, m.signer);
    writeString(w, 5, m.consumerId);
  },
  (r, m, f) => {
    if (f === 1) m.providerAddr = r.string();
    else if (f === 2) m.chainId = r.string();
    else if (f === 3) m.rate = decUnwire(r.string(), "rate");
    else if (f === 4) m.signer = r.string();
    else if (f === 5) m.consumerId = r.string();
    else return false;
    return true;
  },
);

export interface MsgSubmitConsumerDoubleVoting {
  readonly submitter: string;
  readonly duplicateVoteEvidence: DuplicateVoteEvidence | undefined;
  readonly infractionBlockHeader: Header | undefined;
  readonly consumerId: string;
}

export const MsgSubmitConsumerDoubleVotingCodec = msgCodec<MsgSubmitConsumerDoubleVoting>(
  "MsgSubmitConsumerDoubleVoting",
  () => ({
    submitter: "",
    duplicateVoteEvidence: undefined,
    infractionBlockHeader: undefined,
    consumerId: "",
  }),
  (w, m) => {
    writeString(w, 1, m.submitter);
    if (m.duplicateVoteEvidence) {
      DuplicateVoteEvidence.encode(m.duplicateVoteEvidence, w.uint32((2 << 3) | 2).fork()).ldelim();
    }
    if (m.infractionBlockHeader)
      Header.encode(m.infractionBlockHeader, w.uint32((3 << 3) | 2).fork()).ldelim();
    writeString(w, 4, m.consumerId);
  },
  (r, m, f) => {
    if (f === 1) m.submitter = r.string();
    else if (f === 2) m.duplicateVoteEvidence = DuplicateVoteEvidence.decode(r, r.uint32());
    else if (f === 3) m.infractionBlockHeader = Header.decode(r, r.uint32());
    else if (f === 4) m.consumerId = r.string();
    else return false;
    return true;
  },
);

export interface MsgSubmitConsumerMisbehaviour {
  readonly submitter: string;
  readonly misbehaviour: Misbehaviour | undefined;
  readonly consumerId: string;
}

export const MsgSubmitConsumerMisbehaviourCodec = msgCodec<MsgSubmitConsumerMisbehaviour>(
  "MsgSubmitConsumerMisbehaviour",
  () => ({ submitter: "", misbehaviour: undefined, consumerId: "" }),
  (w, m) => {
    writeString(w, 1, m.submitter);
    if (m.misbehaviour) Misbehaviour.encode(m.misbehaviour, w.uint32((2 << 3) | 2).fork()).ldelim();
    writeString(w, 3, m.consumerId);
  },
  (r, m, f) => {
    if (f === 1) m.submitter = r.string();
    else if (f === 2) m.misbehaviour = Misbehaviour.decode(r, r.uint32());
    else if (f === 3) m.consumerId = r.string();
    else return false;
    return true;
  },
);

export { createConsumerFromJson, updateConsumerFromJson } from "./codecJson.ts";

/** The empty `Msg...Response` of every message but MsgCreateConsumer. */
export function emptyResponse(msgTypeUrl: string): { typeUrl: string; value: Uint8Array } {
  return { typeUrl: `${msgTypeUrl}Response`, value: new Uint8Array() };
}

/** Every message codec of the module, by type URL. */
export const providerMsgCodecs: readonly MsgCodec<unknown>[] = [
  MsgCreateConsumerCodec,
  MsgUpdateConsumerCodec,
  MsgRemoveConsumerCodec,
  MsgAssignConsumerKeyCodec,
  MsgOptInCodec,
  MsgOptOutCodec,
  MsgSetConsumerCommissionRateCodec,
  MsgSubmitConsumerDoubleVotingCodec,
  MsgSubmitConsumerMisbehaviourCodec,
] as unknown as readonly MsgCodec<unknown>[];

/**
 * A codec as a CosmJS Registry type (`@cosmjs/proto-signing`'s GeneratedType: `encode(m).finish()`),
 * so `registry.register(codec.typeUrl, generatedType(codec))` lets CosmJS sign these messages.
 */
export function generatedType<T>(codec: MsgCodec<T>) {
  return {
    encode: (m: T) => ({ finish: () => codec.encode(m) }),
    decode: (b: Uint8Array) => codec.decode(b),
    fromPartial: (p: Partial<T>) => codec.fromPartial(p),
  };
}
