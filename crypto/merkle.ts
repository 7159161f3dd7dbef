import { sha256 } from "./hash.ts";

const LEAF = new Uint8Array([0]);
const INNER = new Uint8Array([1]);

/** The number of leaves in the left subtree: the largest power of two strictly below n (RFC 6962). */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/**
 * Merkle root of a list of byte strings, as CometBFT's `merkle.HashFromByteSlices` computes it
 * (RFC 6962: leaves hashed with a 0x00 prefix, inner nodes with 0x01; the empty list hashes to sha256("")).
 */
export function merkleRoot(items: readonly Uint8Array[]): Uint8Array {
  if (items.length === 0) return sha256();
  if (items.length === 1) return sha256(LEAF, items[0]!);
  const k = splitPoint(items.length);
  return sha256(INNER, merkleRoot(items.slice(0, k)), merkleRoot(items.slice(k)));
}
