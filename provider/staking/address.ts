import { fromBech32, toBech32 } from "@cosmjs/encoding";
import { errInvalidAddress } from "../../app/index.ts";

/** `cosmosvaloper1...`: an operator address (the operator's account bytes) with `<prefix>valoper`. */
export function valoperAddress(bytes: Uint8Array, prefix: string): string {
  return toBech32(`${prefix}valoper`, bytes);
}

/** `cosmosvalcons1...`: a consensus address (sha256(pubkey)[:20]) with `<prefix>valcons`. */
export function valconsAddress(bytes: Uint8Array, prefix: string): string {
  return toBech32(`${prefix}valcons`, bytes);
}

/**
 * Decodes an operator address of this chain (`<prefix>valoper`, 1 to 255 bytes); anything else is the
 * SDK's ErrInvalidAddress (sdk 7) naming `field`. `prefix` is the account prefix ("cosmos").
 */
export function valoperBytes(address: string, prefix: string, field = "validator address"): Uint8Array {
  return bech32Bytes(address, `${prefix}valoper`, field);
}

/** Decodes a `<prefix>valcons` consensus address. */
export function valconsBytes(address: string, prefix: string, field = "consensus address"): Uint8Array {
  return bech32Bytes(address, `${prefix}valcons`, field);
}

function bech32Bytes(address: string, hrp: string, field: string): Uint8Array {
  if (address.length === 0) throw errInvalidAddress(`empty ${field}`);
  let decoded: { prefix: string; data: Uint8Array };
  try {
    decoded = fromBech32(address, 1023);
  } catch (e) {
    throw errInvalidAddress(`invalid ${field} ${JSON.stringify(address)}: ${(e as Error).message}`);
  }
  if (decoded.prefix !== hrp) {
    throw errInvalidAddress(`invalid Bech32 prefix; expected ${hrp}, got ${decoded.prefix}`);
  }
  if (decoded.data.length === 0 || decoded.data.length > 255) {
    throw errInvalidAddress(`${field} length ${decoded.data.length} is invalid`);
  }
  return decoded.data;
}
