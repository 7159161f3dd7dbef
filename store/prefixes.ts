/**
 * Every key prefix used in the single LevelDB of a node, one byte each. Every key the node writes starts
 * with exactly one of these bytes, so two kinds of record can never collide.
 *
 * Rules (as Lodestar's `Bucket` enum): a prefix is never renumbered; a retired prefix is commented out
 * and its byte is never reused, so an old database can never be misread by a new binary.
 * `test/unit/store/prefixes.test.ts` checks that the values are unique single bytes.
 */
export const Prefix = {
  // --- authenticated application state (store/merkle) ---
  /** Tree node by node key (version u64 BE ++ sequence u32 BE). */
  stateNode: 0x01,
  /** Tree root by version (u64 BE): the root node pointer, empty for the empty tree. */
  stateRoot: 0x02,
  /** Orphan record: (version it was replaced at u64 BE ++ node key) -> empty. */
  stateOrphan: 0x03,

  // --- the chain (store/blockStore.ts) ---
  /** Block bytes by height (u64 BE). */
  blockByHeight: 0x10,
  /** Block height (u64 BE) by block hash. */
  blockHeightByHash: 0x11,
  /** Block hash by height (u64 BE), so pruning can remove the hash index. */
  blockHashByHeight: 0x12,
  /** The +2/3 precommits seen for the block at a height (the seen commit), by height (u64 BE). */
  commitByHeight: 0x13,
  /** Validator set bytes by height (u64 BE). */
  validatorSetByHeight: 0x14,
  /** Chain meta: last height, last block hash, last app hash (single key). */
  chainMeta: 0x15,
  /** ABCI results (tx results, events) of a block, by height (u64 BE). */
  blockResultsByHeight: 0x16,
  /** Consensus params by height (u64 BE). */
  consensusParamsByHeight: 0x17,

  // --- indexes ---
  /** Tx index: tx hash -> abci.TxResult (height, index, tx bytes, result). */
  txByHash: 0x20,
  /** Event index for tx search: (type.key, value, height u64 BE, index u32 BE), length-prefixed -> hash. */
  txByEvent: 0x21,

  // --- evidence, signer, node ---
  /** Pending / committed evidence. */
  evidence: 0x30,
  /** Light client / IBC client data kept outside the app state (relayer caches). */
  lightBlock: 0x31,
  /** Node-local metadata (schema version, chain id guard). */
  nodeMeta: 0x3f,
  // Retired prefixes (never reuse these bytes):
  // (none yet)
} as const;

/** The name of a key prefix. */
export type PrefixName = keyof typeof Prefix;

/** A key made of one prefix byte followed by `parts`. */
export function prefixedKey(prefix: number, ...parts: Uint8Array[]): Uint8Array {
  let len = 1;
  for (const p of parts) len += p.length;
  const out = new Uint8Array(len);
  out[0] = prefix;
  let off = 1;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** The smallest key that is greater than every key starting with `prefix` (undefined if none: all 0xff). */
export function prefixEnd(prefix: Uint8Array): Uint8Array | undefined {
  const out = prefix.slice();
  for (let i = out.length - 1; i >= 0; i--) {
    if (out[i]! < 0xff) {
      out[i] = out[i]! + 1;
      return out.subarray(0, i + 1);
    }
  }
  return undefined;
}
