/**
 * Validation and deterministic binary codecs of the client's stored records: ClientState,
 * ConsensusState and the misbehaviour evidence. Decoders accept only the canonical encoding of a valid
 * value and throw a client error (never anything else) on untrusted or corrupt bytes.
 */
import { MAX_CHAIN_ID_LENGTH } from "../../proto/index.ts";
import { equalBytes } from "../../utils/index.ts";
import { ClientErrorCode, clientError } from "./errors.ts";
import { type ClientState, type ConsensusState, MisbehaviourKind, type MisbehaviourRecord } from "./types.ts";
import { type FieldKind, readMessage, writeMessage } from "./wire.ts";

const MAX_CLIENT_STATE_BYTES = 512;
const MAX_CONSENSUS_STATE_BYTES = 256;
const MAX_MISBEHAVIOUR_BYTES = 512;
const HASH_LENGTH = 32;

const CLIENT_STATE_FIELDS: readonly FieldKind[] = [
  "string", // 1 chainId
  "uint64", // 2 trustLevel.numerator
  "uint64", // 3 trustLevel.denominator
  "uint64", // 4 trustingPeriod
  "uint64", // 5 unbondingPeriod
  "uint64", // 6 maxClockDrift
  "uint64", // 7 latestHeight
  "uint64", // 8 frozenHeight
];
const CONSENSUS_STATE_FIELDS: readonly FieldKind[] = ["uint64", "bytes", "bytes"];
const MISBEHAVIOUR_FIELDS: readonly FieldKind[] = ["string", "uint64", "bytes", "uint64", "bytes"];

/**
 * Throws IBC_CLIENT_STATE_INVALID unless `cs` is a usable ICS-07 client state: a chain id of 1..50
 * characters, 1/3 <= trust level <= 1 (CometBFT ValidateTrustLevel), 0 < trustingPeriod <
 * unbondingPeriod, maxClockDrift > 0, latestHeight >= 0 and frozenHeight >= 0. Latest height 0 is a client
 * made from the counterparty's genesis before its first block: its consensus state holds the initial
 * validator set's hash (so header 1 is adjacent) and an empty root, which proves nothing.
 */
export function validateClientState(cs: ClientState): void {
  const fail = (msg: string): never => {
    throw clientError(ClientErrorCode.ClientStateInvalid, `client state: ${msg}`, { chainId: cs.chainId });
  };
  if (typeof cs.chainId !== "string" || cs.chainId.length === 0 || cs.chainId.length > MAX_CHAIN_ID_LENGTH) {
    fail(`chain id must be 1..${MAX_CHAIN_ID_LENGTH} characters`);
  }
  const { numerator, denominator } = cs.trustLevel;
  if (denominator <= 0n || numerator > denominator || numerator * 3n < denominator) {
    fail(`trust level ${numerator}/${denominator} must be within [1/3, 1]`);
  }
  if (cs.trustingPeriod <= 0n) fail("trusting period must be positive");
  // ICS-07: the trusting period must be shorter than the unbonding period, or a header signed by a set
  // that has already unbonded (and cannot be slashed) could still be trusted.
  if (cs.unbondingPeriod <= cs.trustingPeriod)
    fail("trusting period must be shorter than the unbonding period");
  if (cs.maxClockDrift <= 0n) fail("max clock drift must be positive");
  if (cs.latestHeight < 0n) fail("latest height must not be negative");
  if (cs.frozenHeight < 0n) fail("frozen height must not be negative");
}

/**
 * Throws IBC_CONSENSUS_STATE_INVALID unless `cs` has a positive timestamp, a root of 0 or 32 bytes (an
 * empty app hash proves nothing) and a 32-byte next-validators hash.
 */
export function validateConsensusState(cs: ConsensusState): void {
  const fail = (msg: string): never => {
    throw clientError(ClientErrorCode.ConsensusStateInvalid, `consensus state: ${msg}`);
  };
  if (cs.timestamp <= 0n) fail("timestamp must be positive");
  if (!(cs.root instanceof Uint8Array) || (cs.root.length !== 0 && cs.root.length !== HASH_LENGTH)) {
    fail("root must be 0 or 32 bytes");
  }
  if (!(cs.nextValidatorsHash instanceof Uint8Array) || cs.nextValidatorsHash.length !== HASH_LENGTH) {
    fail("next validators hash must be 32 bytes");
  }
}

/** Canonical encoding of a client state; throws IBC_CLIENT_STATE_INVALID for an invalid one. */
export function encodeClientState(cs: ClientState): Uint8Array {
  validateClientState(cs);
  return writeMessage(ClientErrorCode.ClientStateInvalid, "client state", CLIENT_STATE_FIELDS, [
    cs.chainId,
    cs.trustLevel.numerator,
    cs.trustLevel.denominator,
    cs.trustingPeriod,
    cs.unbondingPeriod,
    cs.maxClockDrift,
    cs.latestHeight,
    cs.frozenHeight,
  ]);
}

/** Decodes and validates a client state; throws IBC_CLIENT_STATE_INVALID on anything else. */
export function decodeClientState(bytes: Uint8Array): ClientState {
  const v = readMessage(
    ClientErrorCode.ClientStateInvalid,
    "client state",
    bytes,
    MAX_CLIENT_STATE_BYTES,
    CLIENT_STATE_FIELDS,
  );
  const cs: ClientState = {
    chainId: v[0] as string,
    trustLevel: { numerator: v[1] as bigint, denominator: v[2] as bigint },
    trustingPeriod: v[3] as bigint,
    unbondingPeriod: v[4] as bigint,
    maxClockDrift: v[5] as bigint,
    latestHeight: v[6] as bigint,
    frozenHeight: v[7] as bigint,
  };
  validateClientState(cs);
  return cs;
}

/** Canonical encoding of a consensus state; throws IBC_CONSENSUS_STATE_INVALID for an invalid one. */
export function encodeConsensusState(cs: ConsensusState): Uint8Array {
  validateConsensusState(cs);
  return writeMessage(ClientErrorCode.ConsensusStateInvalid, "consensus state", CONSENSUS_STATE_FIELDS, [
    cs.timestamp,
    cs.root,
    cs.nextValidatorsHash,
  ]);
}

/** Decodes and validates a consensus state; throws IBC_CONSENSUS_STATE_INVALID on anything else. */
export function decodeConsensusState(bytes: Uint8Array): ConsensusState {
  const v = readMessage(
    ClientErrorCode.ConsensusStateInvalid,
    "consensus state",
    bytes,
    MAX_CONSENSUS_STATE_BYTES,
    CONSENSUS_STATE_FIELDS,
  );
  const cs: ConsensusState = {
    timestamp: v[0] as bigint,
    root: v[1] as Uint8Array,
    nextValidatorsHash: v[2] as Uint8Array,
  };
  validateConsensusState(cs);
  return cs;
}

/** Canonical encoding of a misbehaviour record. */
export function encodeMisbehaviourRecord(m: MisbehaviourRecord): Uint8Array {
  return writeMessage(ClientErrorCode.MisbehaviourInvalid, "misbehaviour record", MISBEHAVIOUR_FIELDS, [
    m.kind,
    m.height1,
    m.hash1,
    m.height2,
    m.hash2,
  ]);
}

/** Decodes a misbehaviour record; throws IBC_MISBEHAVIOUR_INVALID on anything else. */
export function decodeMisbehaviourRecord(bytes: Uint8Array): MisbehaviourRecord {
  const v = readMessage(
    ClientErrorCode.MisbehaviourInvalid,
    "misbehaviour record",
    bytes,
    MAX_MISBEHAVIOUR_BYTES,
    MISBEHAVIOUR_FIELDS,
  );
  const kind = v[0] as string;
  if (kind !== MisbehaviourKind.DuplicateHeight && kind !== MisbehaviourKind.TimeMonotonicity) {
    throw clientError(ClientErrorCode.MisbehaviourInvalid, `misbehaviour record: unknown kind "${kind}"`);
  }
  return {
    kind,
    height1: v[1] as bigint,
    hash1: v[2] as Uint8Array,
    height2: v[3] as bigint,
    hash2: v[4] as Uint8Array,
  };
}

/** True iff two consensus states are the same value. */
export function sameConsensusState(a: ConsensusState, b: ConsensusState): boolean {
  return equalBytes(encodeConsensusState(a), encodeConsensusState(b));
}
