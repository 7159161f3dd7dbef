import { fromBech32, toBech32 } from "@cosmjs/encoding";
import { errInvalidAddress } from "./errors.ts";

/** Decodes a bech32 account address of this chain's prefix (1 to 255 bytes, as the SDK's VerifyAddressFormat). */
export function addressBytes(address: string, prefix: string, field = "address"): Uint8Array {
  if (address.length === 0) throw errInvalidAddress(`empty ${field}`);
  let decoded: { prefix: string; data: Uint8Array };
  try {
    decoded = fromBech32(address, 1023);
  } catch (e) {
    throw errInvalidAddress(`invalid ${field} ${JSON.stringify(address)}: ${(e as Error).message}`);
  }
  if (decoded.prefix !== prefix) {
    throw errInvalidAddress(`invalid Bech32 prefix; expected ${prefix}, got ${decoded.prefix}`);
  }
  if (decoded.data.length === 0 || decoded.data.length > 255) {
    throw errInvalidAddress(`${field} length ${decoded.data.length} is invalid`);
  }
  return decoded.data;
}

export function bech32Address(bytes: Uint8Array, prefix: string): string {
  return toBech32(prefix, bytes);
}
