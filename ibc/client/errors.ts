/**
 * Error codes of the light client. Every expected failure is an IcsdError whose `code` is one of these
 * stable strings (the app layer maps them to SDK-style codes) and whose message names what is wrong.
 */
import { IcsdError } from "../../utils/index.ts";

/** Stable codes of light-client failures. */
export const ClientErrorCode = {
  /** A client id that is not a valid ICS-24 identifier, or a client that already exists. */
  ClientIdInvalid: "IBC_CLIENT_ID_INVALID",
  ClientExists: "IBC_CLIENT_EXISTS",
  ClientNotFound: "IBC_CLIENT_NOT_FOUND",
  /** A client or consensus state that fails validation (createClient, or decoding). */
  ClientStateInvalid: "IBC_CLIENT_STATE_INVALID",
  ConsensusStateInvalid: "IBC_CONSENSUS_STATE_INVALID",
  ConsensusStateNotFound: "IBC_CONSENSUS_STATE_NOT_FOUND",
  /** A header that does not verify (bad signatures, hashes, heights, times, chain id, or bytes). */
  HeaderInvalid: "IBC_HEADER_INVALID",
  /** The trusted consensus state (or the client's latest) is past its trusting period. */
  ClientExpired: "IBC_CLIENT_EXPIRED",
  /** The client was frozen by misbehaviour and refuses updates and proofs. */
  ClientFrozen: "IBC_CLIENT_FROZEN",
  /** Submitted misbehaviour that is not misbehaviour (same header twice, times in order, ...). */
  MisbehaviourInvalid: "IBC_MISBEHAVIOUR_INVALID",
  /** A Merkle proof that does not show the claimed key/value against the stored root. */
  ProofInvalid: "IBC_PROOF_INVALID",
} as const;
export type ClientErrorCode = (typeof ClientErrorCode)[keyof typeof ClientErrorCode];

/** An IcsdError with a light-client code; `meta` carries the client id and heights where known. */
export function clientError(
  code: ClientErrorCode,
  message: string,
  meta: Record<string, unknown> = {},
): IcsdError {
  return new IcsdError(code, message, meta);
}
