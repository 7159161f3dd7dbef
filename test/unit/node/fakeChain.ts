/** A fake chain for the RPC method tests: blocks committed as Chain.commitBlock does. */
import { type Block, type Commit, createWriteBatch, type TxResult } from "../../../consensus/index.ts";
import type { ChainMeta } from "../../../node/chain.ts";
import { EventBus } from "../../../node/eventBus.ts";
import type { ChainReader } from "../../../node/rpcTxMethods.ts";
import { blockHash, encodeBlock, encodeCommit } from "../../../proto/index.ts";
import { type BlockResults, BlockStore, MemoryKvStore, TxIndex } from "../../../store/index.ts";
import { fill, sampleHeader } from "../proto/fixtures.ts";

export const enc = (s: string) => new TextEncoder().encode(s);
const T0 = 1_700_000_000_000_000_000n;

/** The kv app's result for `key=value` (a tx starting with `fail` fails). */
export function kvResult(tx: Uint8Array): TxResult {
  const s = new TextDecoder().decode(tx);
  if (s.startsWith("fail")) {
    return {
      code: 7,
      codespace: "kv",
      log: "boom",
      data: new Uint8Array(),
      gasWanted: 5n,
      gasUsed: 3n,
      events: [],
    };
  }
  const [key, value] = s.split("=");
  return {
    code: 0,
    codespace: "",
    log: "",
    data: enc(value ?? ""),
    gasWanted: 10n,
    gasUsed: 9n,
    events: [
      {
        type: "app",
        attributes: [
          { key: "key", value: key ?? "", index: true },
          { key: "creator", value: key?.startsWith("n") ? "many" : "kvstore", index: true },
        ],
      },
    ],
  };
}

/** A chain of fake blocks committed as Chain.commitBlock does: block, results and index in one batch. */
export class FakeChain implements ChainReader {
  readonly db = new MemoryKvStore();
  readonly blocks = new BlockStore(this.db);
  readonly txIndex = new TxIndex(this.db);
  readonly bus = new EventBus();
  private readonly list: Block[] = [];
  meta: ChainMeta = {
    chainId: "test-1",
    initialHeight: 1,
    lastHeight: 0,
    lastBlockHash: new Uint8Array(),
    lastBlockTime: T0,
    lastAppHash: new Uint8Array(32),
    lastResultsHash: new Uint8Array(32),
  };

  async loadBlock(height: number): Promise<{ block: Block; commit: Commit } | undefined> {
    const block = this.list[height - 1];
    return block ? { block, commit: this.commitFor(block) } : undefined;
  }

  private commitFor(block: Block): Commit {
    return {
      height: block.header.height,
      round: 0,
      blockHash: blockHash(block),
      signatures: [{ flag: 2, validatorAddress: fill(20, 10), timestamp: T0, signature: fill(64, 1) }],
    };
  }

  async commit(txs: Uint8Array[], extra: Partial<BlockResults> = {}): Promise<Block> {
    const height = this.meta.lastHeight + 1;
    const prev = this.list[height - 2];
    const block: Block = {
      header: sampleHeader({
        chainId: "test-1",
        height,
        time: T0 + BigInt(height) * 1_000_000_000n,
        lastBlockHash: prev ? blockHash(prev) : new Uint8Array(),
      }),
      txs,
      evidence: [],
      lastCommit: prev
        ? this.commitFor(prev)
        : { height: 0, round: 0, blockHash: new Uint8Array(), signatures: [] },
    };
    const results: BlockResults = {
      txResults: txs.map(kvResult),
      events: [],
      validatorUpdates: [],
      appHash: fill(32, height),
      ...extra,
    };
    const hash = blockHash(block);
    const batch = createWriteBatch();
    this.blocks.saveBlock(batch, height, hash, encodeBlock(block), encodeCommit(this.commitFor(block)));
    this.blocks.saveBlockResults(batch, height, results);
    this.txIndex.indexBlock(batch, height, txs, results.txResults);
    await this.db.batch(batch.ops);
    this.list.push(block);
    this.meta = { ...this.meta, lastHeight: height, lastBlockHash: hash };
    this.bus.publishBlock(block, hash, results);
    return block;
  }
}

/** Waits until `cond` holds, polling. */
export async function until(cond: () => boolean, timeoutMs = 3000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}
