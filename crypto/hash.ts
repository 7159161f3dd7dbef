import { createHash } from "node:crypto";

/** SHA-256 of the concatenation of `parts`. */
export function sha256(...parts: Uint8Array[]): Uint8Array {
  const h = createHash("sha256");
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
}

/** Validator address: the first 20 bytes of sha256(pubkey), as CometBFT derives it for ed25519. */
export function addressFromPubKey(pubKey: Uint8Array): Uint8Array {
  return sha256(pubKey).subarray(0, 20);
}
