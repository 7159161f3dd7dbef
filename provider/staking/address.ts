import { toBech32 } from "@cosmjs/encoding";
import { addressBytes } from "../../app/index.ts";

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
  return addressBytes(address, `${prefix}valoper`, field);
}

/** Decodes a `<prefix>valcons` consensus address. */
export function valconsBytes(address: string, prefix: string, field = "consensus address"): Uint8Array {
  return addressBytes(address, `${prefix}valcons`, field);
}
