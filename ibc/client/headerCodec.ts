/**
 * Deterministic binary codecs of what a relayer submits: a ClientHeader (an update) and a pair of
 * headers (misbehaviour). The header, commit and validator sets inside use proto/'s codecs, the same
 * bytes the chain gossips. Decoding untrusted bytes bounds their size and the validator count and
 * throws only IBC_HEADER_INVALID (or IBC_MISBEHAVIOUR_INVALID for the pair's framing) naming the problem.
 */
import type { ValidatorSet } from "../../consensus/index.ts";
import {
  decodeCommit,
  decodeHeader,
  decodeValidatorSet,
  encodeCommit,
  encodeHeader,
  encodeValidatorSet,
} from "../../proto/index.ts";
import { IcsdError } from "../../utils/index.ts";
import { ClientErrorCode, clientError } from "./errors.ts";
import type { ClientHeader } from "./types.ts";
import { type FieldKind, readMessage, writeMessage } from "./wire.ts";

/** Largest encoded ClientHeader accepted (bounds memory and signature checks per update). */
export const MAX_CLIENT_HEADER_BYTES = 4 * 1024 * 1024;
/** Largest validator set (and commit) accepted in a header; CometBFT's MaxVotesCount is 10,000. */
export const MAX_HEADER_VALIDATORS = 10_000;

const HEADER_FIELDS: readonly FieldKind[] = [
  "bytes", // 1 header (icsd.types.Header)
  "bytes", // 2 commit (icsd.types.Commit)
  "bytes", // 3 validatorSet (icsd.types.ValidatorSet)
  "uint64", // 4 trustedHeight
  "bytes", // 5 trustedValidators (icsd.types.ValidatorSet)
];
const MISBEHAVIOUR_FIELDS: readonly FieldKind[] = ["bytes", "bytes"];

/** Canonical encoding of a ClientHeader. */
export function encodeClientHeader(h: ClientHeader): Uint8Array {
  return writeMessage(ClientErrorCode.HeaderInvalid, "client header", HEADER_FIELDS, [
    encodeHeader(h.signedHeader.header),
    encodeCommit(h.signedHeader.commit),
    encodeValidatorSet(h.validatorSet),
    h.trustedHeight,
    encodeValidatorSet(h.trustedValidators),
  ]);
}

function inner<T>(what: string, decode: () => T): T {
  try {
    return decode();
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    throw clientError(ClientErrorCode.HeaderInvalid, `cannot decode client header: ${what}: ${msg}`, {
      cause: e instanceof IcsdError ? e.code : undefined,
    });
  }
}

function boundedSet(what: string, set: ValidatorSet): ValidatorSet {
  if (set.validators.length > MAX_HEADER_VALIDATORS) {
    throw clientError(
      ClientErrorCode.HeaderInvalid,
      `cannot decode client header: ${what} has ${set.validators.length} validators (max ${MAX_HEADER_VALIDATORS})`,
    );
  }
  return set;
}

/**
 * Decodes a ClientHeader from untrusted bytes: size-bounded, every inner message validated by proto/'s
 * decoders, validator sets and commits of at most MAX_HEADER_VALIDATORS entries. Verifies nothing
 * cryptographic (that is updateClient's job). Throws IBC_HEADER_INVALID and nothing else.
 */
export function decodeClientHeader(bytes: Uint8Array): ClientHeader {
  const v = readMessage(
    ClientErrorCode.HeaderInvalid,
    "client header",
    bytes,
    MAX_CLIENT_HEADER_BYTES,
    HEADER_FIELDS,
  );
  const header = inner("header", () => decodeHeader(v[0] as Uint8Array));
  const commit = inner("commit", () => decodeCommit(v[1] as Uint8Array));
  if (commit.signatures.length > MAX_HEADER_VALIDATORS) {
    throw clientError(
      ClientErrorCode.HeaderInvalid,
      `cannot decode client header: commit has ${commit.signatures.length} signatures (max ${MAX_HEADER_VALIDATORS})`,
    );
  }
  const validatorSet = boundedSet(
    "validator set",
    inner("validatorSet", () => decodeValidatorSet(v[2] as Uint8Array)),
  );
  const trustedValidators = boundedSet(
    "trusted validators",
    inner("trustedValidators", () => decodeValidatorSet(v[4] as Uint8Array)),
  );
  return { signedHeader: { header, commit }, validatorSet, trustedHeight: v[3] as bigint, trustedValidators };
}

/** Canonical encoding of a misbehaviour submission: two client headers. */
export function encodeMisbehaviour(header1: ClientHeader, header2: ClientHeader): Uint8Array {
  return writeMessage(ClientErrorCode.MisbehaviourInvalid, "misbehaviour", MISBEHAVIOUR_FIELDS, [
    encodeClientHeader(header1),
    encodeClientHeader(header2),
  ]);
}

/**
 * Decodes a misbehaviour submission; throws IBC_MISBEHAVIOUR_INVALID for bad framing and
 * IBC_HEADER_INVALID for a bad header inside.
 */
export function decodeMisbehaviour(bytes: Uint8Array): { header1: ClientHeader; header2: ClientHeader } {
  const v = readMessage(
    ClientErrorCode.MisbehaviourInvalid,
    "misbehaviour",
    bytes,
    2 * MAX_CLIENT_HEADER_BYTES + 16,
    MISBEHAVIOUR_FIELDS,
  );
  return { header1: decodeClientHeader(v[0] as Uint8Array), header2: decodeClientHeader(v[1] as Uint8Array) };
}
