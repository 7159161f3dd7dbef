import type { WriteBatch } from "../consensus/application.ts";
import { IcsdError, readUint64Be, uint64Be } from "../utils/index.ts";
import { type BlockResults, decodeBlockResults, encodeBlockResults } from "./abciResults.ts";
import type { KvStore } from "./kvStore.ts";
import { Prefix, prefixedKey } from "./prefixes.ts";

const META_KEY = prefixedKey(Prefix.chainMeta);

function hk(prefix: number, height: number): Uint8Array {
  return prefixedKey(prefix, uint64Be(height));
}

/** Prefixes of every per-height record, pruned together. */
const PER_HEIGHT = [
  Prefix.blockByHeight,
  Prefix.blockHashByHeight,
  Prefix.commitByHeight,
  Prefix.validatorSetByHeight,
  Prefix.blockResultsByHeight,
] as const;

/**
 * The repository of the chain: blocks by height and by hash, the seen commit of each block, validator
 * sets and the chain meta. Values are opaque bytes (the proto layer encodes them). Writes are staged into
 * a WriteBatch so that a block, its commit, the state and the meta land in one atomic write.
 */
export class BlockStore {
  private readonly db: KvStore;

  constructor(db: KvStore) {
    this.db = db;
  }

  /** Stages the block at `height`, its hash index and its seen commit (the +2/3 precommits for it). */
  saveBlock(
    batch: WriteBatch,
    height: number,
    hash: Uint8Array,
    blockBytes: Uint8Array,
    commitBytes: Uint8Array,
  ): void {
    checkHeight(height);
    batch.put(hk(Prefix.blockByHeight, height), blockBytes);
    batch.put(hk(Prefix.blockHashByHeight, height), hash);
    batch.put(prefixedKey(Prefix.blockHeightByHash, hash), uint64Be(height));
    batch.put(hk(Prefix.commitByHeight, height), commitBytes);
  }

  /** Stages a replacement of the seen commit at `height` (e.g. the canonical commit from the next block). */
  saveCommit(batch: WriteBatch, height: number, commitBytes: Uint8Array): void {
    checkHeight(height);
    batch.put(hk(Prefix.commitByHeight, height), commitBytes);
  }

  /** Stages the validator set that signs the block at `height`. */
  saveValidatorSet(batch: WriteBatch, height: number, bytes: Uint8Array): void {
    checkHeight(height);
    batch.put(hk(Prefix.validatorSetByHeight, height), bytes);
  }

  /** Stages the results (tx results, events) of the block at `height`. */
  saveResults(batch: WriteBatch, height: number, bytes: Uint8Array): void {
    checkHeight(height);
    batch.put(hk(Prefix.blockResultsByHeight, height), bytes);
  }

  /** Stages the finalizeBlock results of the block at `height` (abci.ResponseFinalizeBlock protobuf). */
  saveBlockResults(batch: WriteBatch, height: number, results: BlockResults): void {
    this.saveResults(batch, height, encodeBlockResults(results));
  }

  /**
   * Stages the chain meta: the head after this batch (last height, last block hash, last app hash...),
   * encoded by the caller. It goes in the same batch as the block and the state, so it never runs ahead.
   */
  saveMeta(batch: WriteBatch, meta: Uint8Array): void {
    batch.put(META_KEY, meta);
  }

  /** The block bytes at `height`, or undefined. */
  loadBlock(height: number): Promise<Uint8Array | undefined> {
    return this.db.get(hk(Prefix.blockByHeight, height));
  }

  /**
   * Consecutive blocks with their commits from `from` on, as stored: at most `count`, ending before the
   * first height missing either, and before the block that would take the total past `maxBytes` (the
   * first block always comes). Two range scans instead of a read per record.
   */
  async loadBlockRange(
    from: number,
    count: number,
    maxBytes: number,
  ): Promise<{ block: Uint8Array; commit: Uint8Array }[]> {
    const blocks: Uint8Array[] = [];
    let bytes = 0;
    const end = hk(Prefix.blockByHeight, from + count);
    for await (const [k, v] of this.db.entries({ gte: hk(Prefix.blockByHeight, from), lt: end })) {
      if (Number(readUint64Be(k, 1)) !== from + blocks.length) break;
      if (blocks.length > 0 && bytes + v.length > maxBytes) break;
      blocks.push(v);
      bytes += v.length;
    }
    // With the commits counted, fewer blocks may fit.
    const out: { block: Uint8Array; commit: Uint8Array }[] = [];
    if (blocks.length === 0) return out;
    let total = 0;
    const commitsEnd = hk(Prefix.commitByHeight, from + blocks.length);
    for await (const [k, v] of this.db.entries({ gte: hk(Prefix.commitByHeight, from), lt: commitsEnd })) {
      if (Number(readUint64Be(k, 1)) !== from + out.length) break;
      const block = blocks[out.length]!;
      if (out.length > 0 && total + block.length + v.length > maxBytes) break;
      out.push({ block, commit: v });
      total += block.length + v.length;
    }
    return out;
  }

  /** The block hash at `height`, or undefined. */
  loadBlockHash(height: number): Promise<Uint8Array | undefined> {
    return this.db.get(hk(Prefix.blockHashByHeight, height));
  }

  /** The height of the block with this hash, or undefined. */
  async heightOfHash(hash: Uint8Array): Promise<number | undefined> {
    const v = await this.db.get(prefixedKey(Prefix.blockHeightByHash, hash));
    return v === undefined ? undefined : Number(readUint64Be(v));
  }

  /** The block with this hash and its height, or undefined. */
  async loadBlockByHash(hash: Uint8Array): Promise<{ height: number; block: Uint8Array } | undefined> {
    const height = await this.heightOfHash(hash);
    if (height === undefined) return undefined;
    const block = await this.loadBlock(height);
    return block === undefined ? undefined : { height, block };
  }

  /** The seen commit for the block at `height`, or undefined. */
  loadCommit(height: number): Promise<Uint8Array | undefined> {
    return this.db.get(hk(Prefix.commitByHeight, height));
  }

  /** The validator set bytes for `height`, or undefined. */
  loadValidatorSet(height: number): Promise<Uint8Array | undefined> {
    return this.db.get(hk(Prefix.validatorSetByHeight, height));
  }

  /** The results of the block at `height`, or undefined. */
  loadResults(height: number): Promise<Uint8Array | undefined> {
    return this.db.get(hk(Prefix.blockResultsByHeight, height));
  }

  /** The finalizeBlock results of the block at `height`, or undefined (not stored or pruned). */
  async loadBlockResults(height: number): Promise<BlockResults | undefined> {
    const bytes = await this.loadResults(height);
    return bytes === undefined ? undefined : decodeBlockResults(bytes);
  }

  /** The chain meta bytes last saved, or undefined before the first block. */
  loadMeta(): Promise<Uint8Array | undefined> {
    return this.db.get(META_KEY);
  }

  /** The lowest height with a stored block (0 when none). */
  async baseHeight(): Promise<number> {
    for await (const [k] of this.db.entries({
      gte: hk(Prefix.blockByHeight, 0),
      lt: prefixedKey(Prefix.blockByHeight + 1),
      limit: 1,
    })) {
      return Number(readUint64Be(k, 1));
    }
    return 0;
  }

  /** The highest height with a stored block (0 when none). */
  async height(): Promise<number> {
    for await (const [k] of this.db.entries({
      gte: hk(Prefix.blockByHeight, 0),
      lt: prefixedKey(Prefix.blockByHeight + 1),
      reverse: true,
      limit: 1,
    })) {
      return Number(readUint64Be(k, 1));
    }
    return 0;
  }

  /**
   * Stages the deletion of every block below `retainHeight` with its hash index, commit, validator set
   * and results. Returns the number of blocks staged for deletion.
   */
  async prune(retainHeight: number, batch: WriteBatch): Promise<number> {
    checkHeight(retainHeight);
    let pruned = 0;
    for await (const [k, hash] of this.db.entries({
      gte: hk(Prefix.blockHashByHeight, 0),
      lt: hk(Prefix.blockHashByHeight, retainHeight),
    })) {
      batch.del(prefixedKey(Prefix.blockHeightByHash, hash));
      const h = Number(readUint64Be(k, 1));
      for (const p of PER_HEIGHT) batch.del(hk(p, h));
      pruned++;
    }
    // Validator sets may be saved ahead of their block (H+1, H+2): delete the old ones by range too.
    for await (const [k] of this.db.entries({
      gte: hk(Prefix.validatorSetByHeight, 0),
      lt: hk(Prefix.validatorSetByHeight, retainHeight),
    })) {
      batch.del(k);
    }
    return pruned;
  }
}

function checkHeight(height: number): void {
  if (!Number.isSafeInteger(height) || height < 0) {
    throw new IcsdError("INVALID_HEIGHT", `invalid height ${height}`, { height });
  }
}
