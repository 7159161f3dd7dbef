/**
 * Nodes of the authenticated state tree (see tree.ts for the design) and their hashing and storage
 * encoding.
 *
 * Hashing rules (fixed; a light client on another chain depends on them):
 *   EMPTY_HASH      = sha256("")                       the empty subtree (and the empty tree's root)
 *   valueHash(v)    = sha256(v)
 *   nodeHash(n)     = sha256(0x01 ++ u32be(len(key)) ++ key ++ valueHash ++ leftHash ++ rightHash)
 * where leftHash / rightHash are EMPTY_HASH for a missing child. The 0x01 tag separates node preimages
 * from the empty hash and from raw values; the key length prefix makes the preimage parse uniquely.
 *
 * Storage: a node is stored under its node key, (version it was created at: u64 BE) ++ (sequence number
 * within that commit: u32 BE). The version is part of the identity, so two versions never share a
 * record they do not both own, and pruning a node orphaned at v cannot touch a node created later.
 */
import { sha256 } from "../../crypto/index.ts";
import { IcsdError, readUint64Be, toHex } from "../../utils/index.ts";

/** Hash of the empty subtree and root hash of the empty tree: sha256 of the empty string. */
export const EMPTY_HASH: Uint8Array = sha256();

const NODE_TAG = new Uint8Array([0x01]);

/** Length of a node key: u64 version ++ u32 sequence. */
export const NODE_KEY_LENGTH = 12;

/** A reference to a persisted node: its node key (hex), hash and subtree height. */
export interface NodePtr {
  readonly ptr: true;
  readonly nk: string;
  readonly hash: Uint8Array;
  readonly height: number;
}

/**
 * A node in memory. `nk` is set once it is persisted (and then the node is never mutated); new nodes
 * built by a pending change set have no `nk` and get their `hash` computed lazily.
 */
export interface TreeNode {
  readonly ptr: false;
  readonly key: Uint8Array;
  readonly value: Uint8Array;
  readonly height: number;
  left: Link;
  right: Link;
  valueHash: Uint8Array | undefined;
  hash: Uint8Array | undefined;
  nk: string | undefined;
}

/** A child or root: a persisted pointer, an in-memory node, or nothing. */
export type Link = NodePtr | TreeNode | null;

/** Height of a subtree (0 for empty). */
export function heightOf(link: Link): number {
  return link === null ? 0 : link.height;
}

/** A new, not yet persisted node. */
export function makeNode(key: Uint8Array, value: Uint8Array, left: Link, right: Link): TreeNode {
  return {
    ptr: false,
    key,
    value,
    height: 1 + Math.max(heightOf(left), heightOf(right)),
    left,
    right,
    valueHash: undefined,
    hash: undefined,
    nk: undefined,
  };
}

/** The node hash from its parts (the rule in the file header). */
export function hashNodeParts(
  key: Uint8Array,
  valueHash: Uint8Array,
  leftHash: Uint8Array,
  rightHash: Uint8Array,
): Uint8Array {
  const len = new Uint8Array(4);
  new DataView(len.buffer).setUint32(0, key.length);
  return sha256(NODE_TAG, len, key, valueHash, leftHash, rightHash);
}

/** Hash of a link, computing (and caching) hashes of new nodes below it; O(new nodes). */
export function linkHash(link: Link): Uint8Array {
  if (link === null) return EMPTY_HASH;
  if (link.ptr || link.hash !== undefined) return link.hash!;
  link.valueHash ??= sha256(link.value);
  link.hash = hashNodeParts(link.key, link.valueHash, linkHash(link.left), linkHash(link.right));
  return link.hash;
}

/** The node key bytes for (version, seq). */
export function nodeKeyBytes(version: number, seq: number): Uint8Array {
  const out = new Uint8Array(NODE_KEY_LENGTH);
  const dv = new DataView(out.buffer);
  dv.setBigUint64(0, BigInt(version));
  dv.setUint32(8, seq);
  return out;
}

/** The version a node key was created at. */
export function nodeKeyVersion(nk: Uint8Array): number {
  return Number(readUint64Be(nk, 0));
}

/** The pointer to a persisted node. */
export function ptrOf(node: TreeNode): NodePtr {
  return { ptr: true, nk: node.nk!, hash: node.hash!, height: node.height };
}

// Record layout: height u8 | keyLen u32 | key | valueLen u32 | value | left ptr | right ptr
// ptr: flag u8 (0 none, 1 present) then nk (12) | hash (32) | height u8.
const PTR_LEN = 1 + NODE_KEY_LENGTH + 32 + 1;

function writePtr(out: Uint8Array, dv: DataView, off: number, link: Link): number {
  if (link === null) {
    out[off] = 0;
    return off + PTR_LEN;
  }
  if (!link.ptr) throw new IcsdError("TREE_INTERNAL", "child must be persisted before its parent");
  out[off] = 1;
  out.set(Buffer.from(link.nk, "hex"), off + 1);
  out.set(link.hash, off + 1 + NODE_KEY_LENGTH);
  dv.setUint8(off + 1 + NODE_KEY_LENGTH + 32, link.height);
  return off + PTR_LEN;
}

function readPtr(rec: Uint8Array, dv: DataView, off: number): NodePtr | null {
  if (rec[off] === 0) return null;
  const nkBytes = rec.subarray(off + 1, off + 1 + NODE_KEY_LENGTH);
  return {
    ptr: true,
    nk: toHex(nkBytes),
    hash: rec.slice(off + 1 + NODE_KEY_LENGTH, off + 1 + NODE_KEY_LENGTH + 32),
    height: dv.getUint8(off + 1 + NODE_KEY_LENGTH + 32),
  };
}

/** Storage encoding of a node whose children are persisted pointers. */
export function encodeNodeRecord(node: TreeNode): Uint8Array {
  const out = new Uint8Array(1 + 4 + node.key.length + 4 + node.value.length + 2 * PTR_LEN);
  const dv = new DataView(out.buffer);
  let off = 0;
  dv.setUint8(off, node.height);
  off += 1;
  dv.setUint32(off, node.key.length);
  off += 4;
  out.set(node.key, off);
  off += node.key.length;
  dv.setUint32(off, node.value.length);
  off += 4;
  out.set(node.value, off);
  off += node.value.length;
  off = writePtr(out, dv, off, node.left);
  writePtr(out, dv, off, node.right);
  return out;
}

/** Decodes a stored node; `nk` and `hash` come from the pointer it was reached by. */
export function decodeNodeRecord(rec: Uint8Array, nk: string, hash: Uint8Array): TreeNode {
  const dv = new DataView(rec.buffer, rec.byteOffset, rec.byteLength);
  let off = 0;
  const height = dv.getUint8(off);
  off += 1;
  const keyLen = dv.getUint32(off);
  off += 4;
  const key = rec.slice(off, off + keyLen);
  off += keyLen;
  const valueLen = dv.getUint32(off);
  off += 4;
  const value = rec.slice(off, off + valueLen);
  off += valueLen;
  const left = readPtr(rec, dv, off);
  const right = readPtr(rec, dv, off + PTR_LEN);
  if (off + 2 * PTR_LEN !== rec.length) throw new IcsdError("TREE_CORRUPT", `bad node record ${nk}`, { nk });
  return { ptr: false, key, value, height, left, right, valueHash: undefined, hash, nk };
}

/** Root record: empty for the empty tree, else nk (12) | hash (32) | height u8. */
export function encodeRoot(root: NodePtr | null): Uint8Array {
  if (root === null) return new Uint8Array(0);
  const out = new Uint8Array(NODE_KEY_LENGTH + 33);
  out.set(Buffer.from(root.nk, "hex"), 0);
  out.set(root.hash, NODE_KEY_LENGTH);
  out[NODE_KEY_LENGTH + 32] = root.height;
  return out;
}

/** Decodes a root record. */
export function decodeRoot(rec: Uint8Array): NodePtr | null {
  if (rec.length === 0) return null;
  if (rec.length !== NODE_KEY_LENGTH + 33) throw new IcsdError("TREE_CORRUPT", "bad root record");
  return {
    ptr: true,
    nk: toHex(rec.subarray(0, NODE_KEY_LENGTH)),
    hash: rec.slice(NODE_KEY_LENGTH, NODE_KEY_LENGTH + 32),
    height: rec[NODE_KEY_LENGTH + 32]!,
  };
}
