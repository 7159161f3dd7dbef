/**
 * Replays blocks 1..n of a node's block store into a fresh chain (verifying every commit, executing every
 * block, committing each) and prints the rate in blocks/s. Run by bench/consensus/run.ts as a new process.
 * Usage: node bench/consensus/replay.ts <home> <n>
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KvApp } from "../../app/index.ts";
import { Chain } from "../../node/chain.ts";
import { loadGenesis } from "../../node/genesis.ts";
import { homePaths } from "../../node/home.ts";
import { defaultMempoolOptions, Mempool } from "../../node/mempool.ts";
import { decodeBlock, decodeCommit } from "../../proto/index.ts";
import { BlockStore, LevelKvStore, MerkleTree } from "../../store/index.ts";
import { silentLogger } from "../../utils/index.ts";

export async function replayBlocksPerSec(home: string, n: number): Promise<number> {
  const src = await LevelKvStore.open(homePaths(home).db);
  const srcBlocks = new BlockStore(src);
  const items = [];
  for (let h = 1; h <= n; h++) {
    const b = await srcBlocks.loadBlock(h);
    const c = await srcBlocks.loadCommit(h);
    if (!b || !c) break;
    items.push({ block: decodeBlock(b), commit: decodeCommit(c) });
  }
  await src.close();
  const dir = mkdtempSync(join(tmpdir(), "icsd-bench-replay-"));
  mkdirSync(dir, { recursive: true });
  const db = await LevelKvStore.open(join(dir, "db"));
  const genesis = loadGenesis(homePaths(home).genesis);
  const tree = await MerkleTree.open(db, { initialVersion: genesis.initialHeight });
  const app = new KvApp(tree);
  const chain = await Chain.open(genesis, {
    db,
    blocks: new BlockStore(db),
    app,
    mempool: new Mempool(defaultMempoolOptions, { app, logger: silentLogger() }),
    maxBlockTxBytes: 1024 * 1024,
    logger: silentLogger(),
    now: () => BigInt(Date.now()) * 1_000_000n,
    onBatchWritten: () => tree.onBatchWritten(),
  });
  const t = performance.now();
  for (const it of items) await chain.applySyncedBlock(it.block, it.commit);
  const secs = (performance.now() - t) / 1000;
  await db.close();
  rmSync(dir, { recursive: true, force: true });
  return items.length / secs;
}

const [home, n] = process.argv.slice(2);
if (home === undefined || !Number.isInteger(Number(n)) || Number(n) < 1) {
  console.error("usage: node bench/consensus/replay.ts <home> <n>");
  process.exit(2);
}
console.log(await replayBlocksPerSec(home, Number(n)));
