/**
 * The authenticated, versioned state tree: the app hash and its proofs.
 *
 * Why an AVL tree whose every node holds a (key, value) pair, IAVL-style with path copying:
 *   - it is ordered by the raw key, so prefix scans by modules are plain in-order walks, with no second
 *     index to keep consistent (a trie on sha256(key) would need one);
 *   - its height is at most 1.44 log2(n) whatever keys an adversary chooses, so a commit costs
 *     O(changed keys x log n) node writes and hashes, never O(state), with no grinding attack on depth;
 *   - a proof is simply the search path, for membership and non-membership alike (see proof.ts).
 * The hash of a tree depends on its shape, which depends on the order of inserts. Within a block the
 * pending changes are applied in key order at commit time, so the same final state of a block gives the
 * same hash whatever order the writes came in; across blocks the shape follows history, as in IAVL, and
 * every honest node replays the same history. Hashing rules: see node.ts.
 *
 * Versions: commit v writes the new nodes under node keys (v, seq), a root record for v, and an orphan
 * record (v, nk) for every persisted node the commit replaced. A node created at c and orphaned at v is
 * reachable exactly from versions c..v-1, so `prune(retainFrom)` deletes the nodes orphaned at
 * v <= retainFrom and the roots below retainFrom, and nothing a retained version uses.
 *
 * Writes and the batch: `commit(batch)` only stages writes into the caller's batch (the node adds the
 * block to it and writes it atomically). The new nodes stay pinned in memory until `onBatchWritten()` is
 * called or the next `commit` (which the caller must only call after writing the previous batch); after
 * that they are read from the database through a bounded LRU cache.
 */
import type { WriteBatch } from "../../consensus/application.ts";
import { sha256 } from "../../crypto/index.ts";
import { compareBytes, IcsdError, toHex, uint64Be } from "../../utils/index.ts";
import type { KeyRange, KvStore } from "../kvStore.ts";
import { Prefix, prefixedKey } from "../prefixes.ts";
import { AvlEditor } from "./avl.ts";
import { mergeChanges, walkRange } from "./iterate.ts";
import {
  decodeNodeRecord,
  decodeRoot,
  EMPTY_HASH,
  encodeNodeRecord,
  encodeRoot,
  type Link,
  linkHash,
  type NodePtr,
  nodeKeyBytes,
  ptrOf,
  type TreeNode,
} from "./node.ts";
import { LruCache } from "./nodeCache.ts";
import { type MerkleProof, ProofKind, type ProofStep } from "./proof.ts";

/** Options of a MerkleTree. */
export interface MerkleTreeOptions {
  /** Nodes kept in memory (default 100,000). */
  readonly cacheSize?: number;
  /** Version of the first commit of an empty tree (default 1; a chain's initial height). */
  readonly initialVersion?: number;
}

/** What a commit produced. */
export interface CommitResult {
  readonly version: number;
  readonly hash: Uint8Array;
}

/** A proof and, for a present key, its value. */
export interface ProveResult {
  readonly value: Uint8Array | undefined;
  readonly proof: MerkleProof;
}

const EMPTY = new Uint8Array(0);
const PRUNE_CHUNK = 10_000;
/**
 * Versions for which the nodes a commit replaced stay cached. Reads of older versions (queries and proofs
 * at a past height) load them from the database; without this the cache would fill with nodes only
 * those versions reach, evicting the live tree.
 */
const CACHED_ORPHAN_VERSIONS = 2;

function rootKey(version: number): Uint8Array {
  return prefixedKey(Prefix.stateRoot, uint64Be(version));
}

function nodeKey(nk: string): Uint8Array {
  return prefixedKey(Prefix.stateNode, Buffer.from(nk, "hex"));
}

/** A versioned Merkle AVL tree over byte keys and values, stored in a KvStore. */
export class MerkleTree {
  private readonly db: KvStore;
  private readonly cache: LruCache<string, TreeNode>;
  private readonly initialVersion: number;
  /** New nodes of the last commit, pinned until its batch is known to be written. */
  private unflushed = new Map<string, TreeNode>();
  /** Node keys each of the last commits replaced, oldest first (evicted from the cache in turn). */
  private readonly recentOrphans: string[][] = [];
  private root: NodePtr | null;
  private latest: number;
  private first: number;
  /** Pending changes by hex key (hex order is byte order); null is a delete. */
  private working = new Map<string, { key: Uint8Array; value: Uint8Array | null }>();
  private generation = 0;
  private applied: { generation: number; result: Promise<{ root: Link; orphans: Set<string> }> } | undefined;

  private constructor(
    db: KvStore,
    root: NodePtr | null,
    latest: number,
    first: number,
    opts: MerkleTreeOptions,
  ) {
    this.db = db;
    this.root = root;
    this.latest = latest;
    this.first = first;
    this.cache = new LruCache(opts.cacheSize ?? 100_000);
    this.initialVersion = opts.initialVersion ?? 1;
  }

  /** Loads the latest committed version from `db` (an empty tree at version 0 if none). */
  static async open(db: KvStore, opts: MerkleTreeOptions = {}): Promise<MerkleTree> {
    const range = { gte: rootKey(0), lt: prefixedKey(Prefix.stateRoot + 1) };
    let latest = 0;
    let first = 0;
    let root: NodePtr | null = null;
    for await (const [k, v] of db.entries({ ...range, reverse: true, limit: 1 })) {
      latest = Number(new DataView(k.buffer, k.byteOffset + 1, 8).getBigUint64(0));
      root = decodeRoot(v);
    }
    for await (const [k] of db.entries({ ...range, limit: 1 })) {
      first = Number(new DataView(k.buffer, k.byteOffset + 1, 8).getBigUint64(0));
    }
    return new MerkleTree(db, root, latest, first, opts);
  }

  /** The last committed version (0 before the first commit). */
  get version(): number {
    return this.latest;
  }

  /** The oldest version still readable (0 before the first commit). */
  get firstVersion(): number {
    return this.first;
  }

  /** Root hash of the last committed version (EMPTY_HASH for the empty tree). */
  get hash(): Uint8Array {
    return this.root === null ? EMPTY_HASH : this.root.hash;
  }

  /** Nodes held in the memory cache (for tests and diagnostics; counts in O(cache size)). */
  get cachedNodes(): number {
    return this.cache.size;
  }

  /** True when there are uncommitted changes. */
  get dirty(): boolean {
    return this.working.size > 0;
  }

  // ---- working set ----

  /** Sets `key` to `value` in the working set. */
  set(key: Uint8Array, value: Uint8Array): void {
    this.working.set(toHex(key), { key: key.slice(), value: value.slice() });
    this.generation++;
  }

  /** Deletes `key` in the working set (a no-op at commit if it is absent). */
  delete(key: Uint8Array): void {
    this.working.set(toHex(key), { key: key.slice(), value: null });
    this.generation++;
  }

  /** Drops every uncommitted change. */
  discard(): void {
    this.working.clear();
    this.generation++;
  }

  /** The value of `key` including uncommitted changes. */
  async get(key: Uint8Array): Promise<Uint8Array | undefined> {
    const w = this.working.get(toHex(key));
    if (w !== undefined) return w.value === null ? undefined : w.value.slice();
    return this.lookup(this.root, key);
  }

  /** The value of `key` at a committed, retained version. */
  async getAt(key: Uint8Array, version: number): Promise<Uint8Array | undefined> {
    return this.lookup(await this.rootAt(version), key);
  }

  /** Root hash of a committed, retained version. */
  async rootHash(version: number): Promise<Uint8Array> {
    const r = await this.rootAt(version);
    return r === null ? EMPTY_HASH : r.hash;
  }

  /** The root hash the next commit will have, without writing anything. */
  async workingHash(): Promise<Uint8Array> {
    const { root } = await this.applyWorking();
    return linkHash(root);
  }

  // ---- commit and prune ----

  /**
   * Applies the working set as version `version + 1` (or the initial version), staging node, root and
   * orphan writes into `batch`. The caller must write the batch before the next commit.
   */
  async commit(batch: WriteBatch): Promise<CommitResult> {
    // Writes that arrive while the change set is being applied are included: re-apply until stable,
    // then everything below runs synchronously.
    let gen: number;
    let applied: { root: Link; orphans: Set<string> };
    do {
      gen = this.generation;
      applied = await this.applyWorking();
    } while (gen !== this.generation);
    const { root, orphans } = applied;
    this.onBatchWritten();
    const version = this.latest === 0 ? this.initialVersion : this.latest + 1;
    let seq = 0;
    const persist = (link: Link): NodePtr | null => {
      if (link === null || link.ptr) return link;
      if (link.nk !== undefined) return ptrOf(link);
      linkHash(link);
      link.left = persist(link.left);
      link.right = persist(link.right);
      link.nk = toHex(nodeKeyBytes(version, seq++));
      batch.put(nodeKey(link.nk), encodeNodeRecord(link));
      this.unflushed.set(link.nk, link);
      return ptrOf(link);
    };
    const newRoot = persist(root);
    const verBytes = uint64Be(version);
    const sortedOrphans = [...orphans].sort();
    for (const nk of sortedOrphans) {
      batch.put(prefixedKey(Prefix.stateOrphan, verBytes, Buffer.from(nk, "hex")), EMPTY);
    }
    this.recentOrphans.push(sortedOrphans);
    while (this.recentOrphans.length > CACHED_ORPHAN_VERSIONS) {
      for (const nk of this.recentOrphans.shift()!) this.cache.delete(nk);
    }
    batch.put(rootKey(version), encodeRoot(newRoot));
    this.root = newRoot;
    this.latest = version;
    if (this.first === 0) this.first = version;
    this.working.clear();
    this.generation++;
    this.applied = undefined;
    return { version, hash: this.hash };
  }

  /** Declares the last commit's batch written: its nodes may now be evicted from memory. */
  onBatchWritten(): void {
    for (const [nk, n] of this.unflushed) this.cache.set(nk, n);
    this.unflushed = new Map();
  }

  /**
   * Deletes every version below `retainFrom` and the nodes only they used, writing to the database
   * directly (roots first, so an interrupted prune leaves no readable version with missing nodes; the
   * remaining orphan records let the next prune finish the job).
   */
  async prune(retainFrom: number): Promise<{ versionsDeleted: number; nodesDeleted: number }> {
    if (retainFrom > this.latest) {
      throw new IcsdError(
        "PRUNE_LATEST",
        `cannot prune up to ${retainFrom}: latest version is ${this.latest}`,
        {
          retainFrom,
          latest: this.latest,
        },
      );
    }
    const rootOps: { type: "del"; key: Uint8Array }[] = [];
    for await (const [k] of this.db.entries({ gte: rootKey(0), lt: rootKey(retainFrom) })) {
      rootOps.push({ type: "del", key: k });
    }
    await this.db.batch(rootOps);
    if (retainFrom > this.first) this.first = retainFrom;
    const orphanRange = {
      gte: prefixedKey(Prefix.stateOrphan),
      lt: prefixedKey(Prefix.stateOrphan, uint64Be(retainFrom + 1)),
    };
    let nodesDeleted = 0;
    for (;;) {
      const ops: { type: "del"; key: Uint8Array }[] = [];
      for await (const [k] of this.db.entries({ ...orphanRange, limit: PRUNE_CHUNK })) {
        const nk = toHex(k.subarray(9));
        this.cache.delete(nk);
        ops.push({ type: "del", key: nodeKey(nk) }, { type: "del", key: k });
      }
      if (ops.length === 0) break;
      await this.db.batch(ops);
      nodesDeleted += ops.length / 2;
    }
    return { versionsDeleted: rootOps.length, nodesDeleted };
  }

  // ---- iteration and proofs ----

  /** Entries in `range` including uncommitted changes, in key order (reverse when asked). */
  async *iterate(range: KeyRange = {}): AsyncIterable<[Uint8Array, Uint8Array]> {
    const changes = [...this.working.values()];
    yield* mergeChanges(changes, walkRange(this.resolve, this.root, range), range);
  }

  /** Entries in `range` at a committed, retained version. */
  async *iterateAt(range: KeyRange, version: number): AsyncIterable<[Uint8Array, Uint8Array]> {
    const limit = range.limit !== undefined && range.limit >= 0 ? range.limit : Number.POSITIVE_INFINITY;
    let count = 0;
    if (limit === 0) return;
    for await (const n of walkRange(this.resolve, await this.rootAt(version), range)) {
      yield [n.key.slice(), n.value.slice()];
      if (++count >= limit) return;
    }
  }

  /** A membership proof (key present, with its value) or a non-membership proof at `version`. */
  async prove(key: Uint8Array, version: number): Promise<ProveResult> {
    let link: Link = await this.rootAt(version);
    const steps: ProofStep[] = [];
    while (link !== null) {
      const n = await this.resolve(link);
      n.valueHash ??= sha256(n.value);
      steps.push({
        key: n.key,
        valueHash: n.valueHash,
        leftHash: linkHash(n.left),
        rightHash: linkHash(n.right),
      });
      const c = compareBytes(key, n.key);
      if (c === 0) return { value: n.value.slice(), proof: { kind: ProofKind.Membership, steps } };
      link = c < 0 ? n.left : n.right;
    }
    return { value: undefined, proof: { kind: ProofKind.NonMembership, steps } };
  }

  // ---- internals ----

  private applyWorking(): Promise<{ root: Link; orphans: Set<string> }> {
    if (this.applied?.generation === this.generation) return this.applied.result;
    const changes = [...this.working.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const start: Link = this.root;
    const result = (async () => {
      // Key order, so the resulting shape does not depend on the order the writes came in.
      const editor = new AvlEditor(this.resolve);
      let root: Link = start;
      for (const [, c] of changes) {
        root = c.value === null ? await editor.delete(root, c.key) : await editor.set(root, c.key, c.value);
      }
      return { root, orphans: editor.orphans };
    })();
    this.applied = { generation: this.generation, result };
    return result;
  }

  private readonly resolve = async (link: NonNullable<Link>): Promise<TreeNode> => {
    if (!link.ptr) return link;
    const pinned = this.unflushed.get(link.nk) ?? this.cache.get(link.nk);
    if (pinned !== undefined) return pinned;
    const rec = await this.db.get(nodeKey(link.nk));
    if (rec === undefined) {
      throw new IcsdError("TREE_MISSING_NODE", `state tree node ${link.nk} is missing (pruned?)`, {
        nk: link.nk,
      });
    }
    const node = decodeNodeRecord(rec, link.nk, link.hash);
    this.cache.set(link.nk, node);
    return node;
  };

  private async rootAt(version: number): Promise<NodePtr | null> {
    if (version === this.latest) return this.root;
    if (!Number.isSafeInteger(version) || version < this.first || version > this.latest) {
      throw new IcsdError("VERSION_NOT_FOUND", `state version ${version} is not retained`, {
        version,
        first: this.first,
        latest: this.latest,
      });
    }
    const rec = await this.db.get(rootKey(version));
    if (rec === undefined) {
      throw new IcsdError("VERSION_NOT_FOUND", `state version ${version} is not retained`, { version });
    }
    return decodeRoot(rec);
  }

  private async lookup(link: Link, key: Uint8Array): Promise<Uint8Array | undefined> {
    while (link !== null) {
      const n = await this.resolve(link);
      const c = compareBytes(key, n.key);
      if (c === 0) return n.value.slice();
      link = c < 0 ? n.left : n.right;
    }
    return undefined;
  }
}
