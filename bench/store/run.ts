/**
 * Store benchmark: commits per second of the state tree on LevelDB, each commit changing 1,000 keys of a
 * 100,000-key tree (1/3 updates, 1/3 inserts, 1/3 deletes), batch written as the node writes it.
 * Prints a summary and writes bench/results/store.json.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { createWriteBatch } from "../../consensus/application.ts";
import { LevelKvStore, MerkleTree, Prefix } from "../../store/index.ts";

const TREE_KEYS = Number(process.env.BENCH_TREE_KEYS ?? 100_000);
const CHANGED = Number(process.env.BENCH_CHANGED ?? 1_000);
const COMMITS = Number(process.env.BENCH_COMMITS ?? 20);

function prng(seed: number): (n: number) => Uint8Array {
  let a = seed >>> 0;
  return (n) => {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = Math.imul(a ^ (a >>> 15), a | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      out[i] = (t ^ (t >>> 14)) & 0xff;
    }
    return out;
  };
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "icsd-bench-store-"));
  try {
    const db = await LevelKvStore.open(join(dir, "db"));
    const tree = await MerkleTree.open(db, { cacheSize: 200_000 });
    const bytes = prng(1);
    const keys: Uint8Array[] = [];
    const loadStart = performance.now();
    for (let i = 0; i < TREE_KEYS; i++) {
      const k = bytes(32);
      keys.push(k);
      tree.set(k, bytes(64));
    }
    const load = createWriteBatch();
    await tree.commit(load);
    await db.batch(load.ops);
    tree.onBatchWritten();
    const loadMs = performance.now() - loadStart;

    let nodeWrites = 0;
    const start = performance.now();
    for (let c = 0; c < COMMITS; c++) {
      for (let i = 0; i < CHANGED; i++) {
        const kind = i % 3;
        if (kind === 0) tree.set(keys[(c * CHANGED + i) % keys.length]!, bytes(64));
        else if (kind === 1) tree.set(bytes(32), bytes(64));
        else tree.delete(keys[(c * CHANGED * 7 + i * 13) % keys.length]!);
      }
      const batch = createWriteBatch();
      await tree.commit(batch);
      nodeWrites += batch.ops.filter((op) => op.type === "put" && op.key[0] === Prefix.stateNode).length;
      await db.batch(batch.ops, { sync: true });
      tree.onBatchWritten();
    }
    const ms = performance.now() - start;
    await db.close();
    const result = {
      benchmark: "store: state tree commit",
      treeKeys: TREE_KEYS,
      changedKeysPerCommit: CHANGED,
      commits: COMMITS,
      initialLoadMs: Math.round(loadMs),
      commitsPerSecond: Number(((COMMITS * 1000) / ms).toFixed(2)),
      msPerCommit: Number((ms / COMMITS).toFixed(1)),
      nodeWritesPerCommit: Math.round(nodeWrites / COMMITS),
      node: process.version,
    };
    console.log(JSON.stringify(result, null, 2));
    const out = new URL("../results/", import.meta.url);
    await mkdir(out, { recursive: true });
    await writeFile(new URL("store.json", out), `${JSON.stringify(result, null, 2)}\n`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
