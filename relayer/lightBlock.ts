/**
 * The `light_block` RPC result and what a relayer builds from it: the ClientHeader (ICS-07 Header) that
 * moves a counterparty's light client from a trusted height T to a new height H.
 */
import type { ValidatorSet } from "../consensus/index.ts";
import type { ClientHeader, SignedHeader } from "../ibc/index.ts";
import { decodeCommit, decodeHeader, decodeValidatorSet } from "../proto/index.ts";
import { errorMessage, fromBase64, IcsdError } from "../utils/index.ts";

/** A committed height of a chain: its header, the commit that finalised it, and the set that signed it. */
export interface LightBlock {
  readonly height: bigint;
  readonly signedHeader: SignedHeader;
  readonly validatorSet: ValidatorSet;
}

interface RpcLightBlock {
  readonly height?: unknown;
  readonly header?: unknown;
  readonly commit?: unknown;
  readonly validator_set?: unknown;
}

function bad(message: string): never {
  throw new IcsdError("RELAYER_LIGHT_BLOCK", `light_block: ${message}`);
}

function b64Field<T>(
  j: RpcLightBlock,
  name: "header" | "commit" | "validator_set",
  decode: (b: Uint8Array) => T,
): T {
  const v = j[name];
  if (typeof v !== "string" || v === "") bad(`${name} must be a non-empty base64 string`);
  try {
    return decode(fromBase64(v));
  } catch (e) {
    return bad(`${name}: ${errorMessage(e)}`);
  }
}

/**
 * Decodes a `light_block` result, checking each field and that header, commit and height agree.
 * Verifies no signature (the chain's light client does that).
 */
export function decodeLightBlock(result: unknown): LightBlock {
  if (typeof result !== "object" || result === null) bad("result must be an object");
  const j = result as RpcLightBlock;
  if (typeof j.height !== "string" || !/^\d+$/.test(j.height)) bad("height must be a decimal string");
  const height = BigInt(j.height);
  const header = b64Field(j, "header", decodeHeader);
  const commit = b64Field(j, "commit", decodeCommit);
  const validatorSet = b64Field(j, "validator_set", decodeValidatorSet);
  if (BigInt(header.height) !== height) bad(`header height ${header.height} is not ${height}`);
  if (BigInt(commit.height) !== height) bad(`commit height ${commit.height} is not ${height}`);
  return { height, signedHeader: { header, commit }, validatorSet };
}

/**
 * The ClientHeader that updates a client trusting height `trustedHeight` to `target.height`:
 * `trustedNext` must be the light block of trustedHeight + 1, whose signing set is the set the trusted
 * consensus state's nextValidatorsHash names (ICS-07 trustedValidators).
 */
export function buildClientHeader(
  target: LightBlock,
  trustedHeight: bigint,
  trustedNext: LightBlock,
): ClientHeader {
  if (target.height <= trustedHeight) {
    throw new IcsdError(
      "RELAYER_HEADER",
      `cannot update a client trusting height ${trustedHeight} to height ${target.height}`,
    );
  }
  if (trustedNext.height !== trustedHeight + 1n) {
    throw new IcsdError(
      "RELAYER_HEADER",
      `trusted validators must come from height ${trustedHeight + 1n}, got height ${trustedNext.height}`,
    );
  }
  return {
    signedHeader: target.signedHeader,
    validatorSet: target.validatorSet,
    trustedHeight,
    trustedValidators: trustedNext.validatorSet,
  };
}
