/**
 * Membership and non-membership proofs of the state tree, their byte encoding, and pure verifiers.
 *
 * A proof is the search path for a key, from the root down: each step is one node given as
 * (key, valueHash, leftHash, rightHash). The verifier checks that the first step hashes to the root,
 * that each step's child hash in the direction the search takes (left when key < node key, right when
 * greater) equals the next step's hash, and that the path ends
 *   - membership: at a node whose key equals the key and whose valueHash is sha256(value);
 *   - non-membership: at a node whose child in the search direction is EMPTY_HASH (or, for the empty
 *     tree, with no steps and root = EMPTY_HASH).
 * Because honest trees are binary search trees, a search that ends at an empty slot proves the key is
 * absent (the same argument as ICS-23 non-existence proofs over neighbouring leaves).
 *
 * Encoding (all integers big-endian):
 *   u8 format (=1) | u8 kind (1 membership, 2 non-membership) | u16 steps |
 *   steps x (u32 keyLen | key | valueHash 32 | leftHash 32 | rightHash 32)
 */
import { sha256 } from "../../crypto/index.ts";
import { compareBytes, equalBytes, IcsdError } from "../../utils/index.ts";
import { EMPTY_HASH, hashNodeParts } from "./node.ts";

/** Which statement a proof makes. */
export const ProofKind = { Membership: 1, NonMembership: 2 } as const;
export type ProofKind = (typeof ProofKind)[keyof typeof ProofKind];

/** One node on the search path. */
export interface ProofStep {
  readonly key: Uint8Array;
  readonly valueHash: Uint8Array;
  readonly leftHash: Uint8Array;
  readonly rightHash: Uint8Array;
}

/** A proof that a key is (membership) or is not (non-membership) in the tree with a given root. */
export interface MerkleProof {
  readonly kind: ProofKind;
  readonly steps: readonly ProofStep[];
}

const FORMAT = 1;
/** An AVL tree of 2^53 keys is under 80 high; anything deeper is garbage. */
const MAX_STEPS = 128;
/** Keys inside a proof are bounded so that decoding garbage cannot allocate without limit. */
const MAX_KEY = 1 << 20;

/** Deterministic byte encoding of a proof. */
export function encodeProof(proof: MerkleProof): Uint8Array {
  let len = 4;
  for (const s of proof.steps) len += 4 + s.key.length + 96;
  const out = new Uint8Array(len);
  const dv = new DataView(out.buffer);
  out[0] = FORMAT;
  out[1] = proof.kind;
  dv.setUint16(2, proof.steps.length);
  let off = 4;
  for (const s of proof.steps) {
    dv.setUint32(off, s.key.length);
    off += 4;
    out.set(s.key, off);
    off += s.key.length;
    out.set(s.valueHash, off);
    out.set(s.leftHash, off + 32);
    out.set(s.rightHash, off + 64);
    off += 96;
  }
  return out;
}

function fail(reason: string): never {
  throw new IcsdError("PROOF_DECODE", `cannot decode proof: ${reason}`, { reason });
}

/** Decodes a proof; throws IcsdError "PROOF_DECODE" on anything that is not exactly a valid encoding. */
export function decodeProof(bytes: Uint8Array): MerkleProof {
  if (!(bytes instanceof Uint8Array)) fail("not bytes");
  if (bytes.length < 4) fail("too short");
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes[0] !== FORMAT) fail(`unknown format ${bytes[0]}`);
  const kind = bytes[1];
  if (kind !== ProofKind.Membership && kind !== ProofKind.NonMembership) fail(`unknown kind ${kind}`);
  const n = dv.getUint16(2);
  if (n > MAX_STEPS) fail(`too many steps (${n})`);
  const steps: ProofStep[] = [];
  let off = 4;
  for (let i = 0; i < n; i++) {
    if (off + 4 > bytes.length) fail("truncated step");
    const keyLen = dv.getUint32(off);
    off += 4;
    if (keyLen > MAX_KEY || off + keyLen + 96 > bytes.length) fail("truncated step");
    const key = bytes.slice(off, off + keyLen);
    off += keyLen;
    steps.push({
      key,
      valueHash: bytes.slice(off, off + 32),
      leftHash: bytes.slice(off + 32, off + 64),
      rightHash: bytes.slice(off + 64, off + 96),
    });
    off += 96;
  }
  if (off !== bytes.length) fail("trailing bytes");
  return { kind, steps };
}

function stepHash(s: ProofStep): Uint8Array {
  return hashNodeParts(s.key, s.valueHash, s.leftHash, s.rightHash);
}

function isHash(b: unknown): b is Uint8Array {
  return b instanceof Uint8Array && b.length === 32;
}

/**
 * Walks the path and returns the final step and the comparison of `key` with its key, or undefined when
 * the path is not a valid search path for `key` under `root`.
 */
function walk(
  root: Uint8Array,
  key: Uint8Array,
  steps: readonly ProofStep[],
): { last: ProofStep; cmp: number } | undefined {
  let expected = root;
  for (let i = 0; i < steps.length; i++) {
    const s = steps[i]!;
    if (
      !(s.key instanceof Uint8Array) ||
      !isHash(s.valueHash) ||
      !isHash(s.leftHash) ||
      !isHash(s.rightHash)
    ) {
      return undefined;
    }
    if (!equalBytes(stepHash(s), expected)) return undefined;
    const cmp = compareBytes(key, s.key);
    if (i === steps.length - 1) return { last: s, cmp };
    if (cmp === 0) return undefined; // the search stops at the key; a longer path is not a search path
    expected = cmp < 0 ? s.leftHash : s.rightHash;
  }
  return undefined;
}

function asProof(proof: MerkleProof | Uint8Array): MerkleProof | undefined {
  try {
    return proof instanceof Uint8Array ? decodeProof(proof) : proof;
  } catch {
    return undefined;
  }
}

/** True iff `proof` shows that `key` maps to `value` in the tree whose root hash is `root`. Never throws. */
export function verifyMembership(
  root: Uint8Array,
  key: Uint8Array,
  value: Uint8Array,
  proof: MerkleProof | Uint8Array,
): boolean {
  try {
    const p = asProof(proof);
    if (!p || p.kind !== ProofKind.Membership || !Array.isArray(p.steps) || p.steps.length === 0)
      return false;
    if (!isHash(root) || !(key instanceof Uint8Array) || !(value instanceof Uint8Array)) return false;
    const end = walk(root, key, p.steps);
    return end !== undefined && end.cmp === 0 && equalBytes(end.last.valueHash, sha256(value));
  } catch {
    return false;
  }
}

/** True iff `proof` shows that `key` is absent from the tree whose root hash is `root`. Never throws. */
export function verifyNonMembership(
  root: Uint8Array,
  key: Uint8Array,
  proof: MerkleProof | Uint8Array,
): boolean {
  try {
    const p = asProof(proof);
    if (!p || p.kind !== ProofKind.NonMembership || !Array.isArray(p.steps)) return false;
    if (!isHash(root) || !(key instanceof Uint8Array)) return false;
    if (p.steps.length === 0) return equalBytes(root, EMPTY_HASH);
    const end = walk(root, key, p.steps);
    if (end === undefined || end.cmp === 0) return false;
    return equalBytes(end.cmp < 0 ? end.last.leftHash : end.last.rightHash, EMPTY_HASH);
  } catch {
    return false;
  }
}
