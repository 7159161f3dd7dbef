import type { EncodeObject } from "@cosmjs/proto-signing";
import {
  type AppModule,
  type AppStore,
  type BaseKeepers,
  CacheStore,
  type ModuleContext,
  SdkApp,
} from "../../../app/index.ts";
import {
  type Block,
  type CommitInfo,
  createWriteBatch,
  type FinalizeBlockResponse,
  type Misbehavior,
  type TxResult,
} from "../../../consensus/index.ts";
import { MemoryKvStore, MerkleTree } from "../../../store/index.ts";
import { createLogger } from "../../../utils/index.ts";
import { CHAIN_ID, signTx, type TestAccount, testAccount } from "../../support/txSigner.ts";

export { CHAIN_ID, signTx, type TestAccount, testAccount };

/** An empty in-memory AppStore (a CacheStore over nothing), for keeper-level unit tests. */
export function memoryStore(): CacheStore {
  const empty: AppStore = {
    get: async () => undefined,
    set: () => {
      throw new Error("read-only");
    },
    delete: () => {
      throw new Error("read-only");
    },
    async *iterate() {},
  };
  return new CacheStore(empty);
}

/** A module context over `store` at a given height and time (ns), collecting events. */
export function moduleContext(store: AppStore, height = 1, time = 1_000_000_000n): ModuleContext {
  const ctx: ModuleContext = {
    store,
    events: [],
    block: { chainId: CHAIN_ID, height, time },
    runMsg: async () => {
      throw new Error("runMsg is not available in this test context");
    },
  };
  return ctx;
}

export interface BlockInput {
  readonly txs?: readonly Uint8Array[];
  /** Block time (ns); defaults to the previous block's time + 1 s. */
  readonly time?: bigint;
  readonly lastCommit?: CommitInfo;
  readonly misbehavior?: readonly Misbehavior[];
  readonly proposer?: Uint8Array;
}

/**
 * A chain of one SdkApp with a module set on an in-memory tree: genesis, then blocks with chosen times,
 * last-commit votes and misbehaviour. Each block is finalized and committed like the node does.
 */
export class ModuleTestChain {
  readonly app: SdkApp;
  readonly tree: MerkleTree;
  readonly db: MemoryKvStore;
  height = 0;
  time = 1_000_000_000_000n;
  /** Validator updates returned by InitChain. */
  genesisValidators: readonly { pubKey: Uint8Array; power: bigint }[] = [];

  private constructor(app: SdkApp, tree: MerkleTree, db: MemoryKvStore) {
    this.app = app;
    this.tree = tree;
    this.db = db;
  }

  static async create(
    appModules: (base: BaseKeepers) => readonly AppModule[],
    appState: Record<string, unknown>,
    opts: { genesisTime?: bigint; minimumGasPrices?: string } = {},
  ): Promise<ModuleTestChain> {
    const db = new MemoryKvStore();
    const tree = await MerkleTree.open(db);
    const app = new SdkApp(
      tree,
      { chainId: CHAIN_ID, bech32Prefix: "cosmos", minimumGasPrices: opts.minimumGasPrices ?? "" },
      { logger: createLogger({ level: "silent", name: "test" }), appModules },
    );
    const chain = new ModuleTestChain(app, tree, db);
    if (opts.genesisTime !== undefined) chain.time = opts.genesisTime;
    const res = await app.initChain({
      chainId: CHAIN_ID,
      time: chain.time,
      initialHeight: 1,
      validators: [],
      appState,
    });
    chain.genesisValidators = res.validators;
    return chain;
  }

  /** Finalizes and commits the next block. */
  async block(input: BlockInput = {}): Promise<FinalizeBlockResponse> {
    this.height++;
    this.time = input.time ?? this.time + 1_000_000_000n;
    const block = {
      header: {
        chainId: CHAIN_ID,
        height: this.height,
        time: this.time,
        proposerAddress: input.proposer ?? new Uint8Array(20),
      },
      txs: input.txs ?? [],
      evidence: [],
    } as unknown as Block;
    const res = await this.app.finalizeBlock({
      block,
      hash: new Uint8Array(32),
      decidedLastCommit: input.lastCommit ?? { round: 0, votes: [] },
      misbehavior: input.misbehavior ?? [],
      evidence: [],
    });
    const batch = createWriteBatch();
    await this.app.commit(batch);
    await this.db.batch(batch.ops);
    this.tree.onBatchWritten();
    return res;
  }

  /** Runs `msgs` signed by `from` in the next block and returns the tx result. */
  async tx(from: TestAccount, msgs: EncodeObject[], sequence: bigint, gas = 2_000_000n): Promise<TxResult> {
    const tx = await signTx(from, msgs, { sequence, fee: [], gas });
    const res = await this.block({ txs: [tx] });
    return res.txResults[0]!;
  }

  /** abci_query at the latest height. */
  async query(path: string, data: Uint8Array) {
    return this.app.query({ path, data, height: 0, prove: false });
  }
}
