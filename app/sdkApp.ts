import { SimulateRequest, SimulateResponse } from "cosmjs-types/cosmos/tx/v1beta1/service";
import { Tx } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import type {
  AppInfo,
  Application,
  CheckTxKind,
  CommitResponse,
  Event,
  FinalizeBlockRequest,
  FinalizeBlockResponse,
  InitChainRequest,
  InitChainResponse,
  PrepareProposalRequest,
  ProcessProposalRequest,
  QueryRequest,
  QueryResponse,
  TxResult,
  ValidatorUpdate,
  WriteBatch,
} from "../consensus/index.ts";
import { encodeProof } from "../store/index.ts";
import type { Logger } from "../utils/index.ts";
import { type ExecMode, SigCache } from "./ante.ts";
import { type DecCoin, parseDecCoins } from "./coins.ts";
import { errInvalidRequest, errUnknownRequest, SdkError, toSdkError } from "./errors.ts";
import { infiniteGasMeter } from "./gas.ts";
import { parseSdkGenesis } from "./genesis.ts";
import type { AppModule, BlockInfo, ModuleContext, QueryHandler } from "./module.ts";
import { AuthKeeper, FEE_COLLECTOR, moduleAddress } from "./modules/auth.ts";
import { BankKeeper } from "./modules/bank.ts";
import { bankMsgRoutes, MsgRouter } from "./msgs.ts";
import { queryHandler } from "./queries.ts";
import { type RunTxEnv, runTx } from "./runTx.ts";
import type { StateTree } from "./stateTree.ts";
import { type AppStore, CacheStore, GasStore } from "./store.ts";

/** What a module set is built from: the base keepers every module may use. */
export interface BaseKeepers {
  readonly auth: AuthKeeper;
  readonly bank: BankKeeper;
}

/** abci_query path of raw, provable reads of the packet layer's state. */
export const STORE_QUERY_PATH = "/store/ibc/key";

export interface SdkAppOptions {
  readonly chainId: string;
  readonly bech32Prefix: string;
  /** app.toml minimum-gas-prices, e.g. "0.0025stake" ("" accepts any fee). */
  readonly minimumGasPrices: string;
  /** Check every module invariant after each block; a broken one halts the chain (the SDK's crisis). */
  readonly checkInvariants?: boolean;
}

/** The working set of the tree: what DeliverTx writes to. */
function workingStore(tree: StateTree): AppStore {
  return {
    get: (k) => tree.get(k),
    set: (k, v) => tree.set(k, v),
    delete: (k) => tree.delete(k),
    iterate: (r) => tree.iterate(r),
  };
}

/**
 * A read-only view of a committed version (`latest` follows the tree's last commit). Before the first
 * commit `latest` is the genesis state in the working set, as the SDK's check state after InitChain.
 */
function committedStore(tree: StateTree, version: number | "latest"): AppStore {
  const at = () => (version === "latest" ? tree.version : version);
  const genesis = () => version === "latest" && tree.version === 0;
  return {
    get: (k) => (genesis() ? tree.get(k) : tree.getAt(k, at())),
    set: () => {
      throw new Error("committed state is read-only");
    },
    delete: () => {
      throw new Error("committed state is read-only");
    },
    iterate: (r) => (genesis() ? tree.iterate(r) : tree.iterateAt(r, at())),
  };
}

/**
 * The Cosmos-SDK-style application: auth and bank over the authenticated state tree. CheckTx runs on a
 * check state branched from the last commit (so a sender's consecutive sequences are accepted),
 * FinalizeBlock on the tree's working set, queries on committed versions.
 */
export class SdkApp implements Application {
  private readonly tree: StateTree;
  private readonly opts: SdkAppOptions;
  private readonly log: Logger;
  private readonly auth: AuthKeeper;
  private readonly bank: BankKeeper;
  private readonly feeCollector = moduleAddress(FEE_COLLECTOR);
  private readonly minGasPrices: readonly DecCoin[];
  private readonly sigCache = new SigCache();
  private checkState: CacheStore;
  private readonly modules: readonly AppModule[];
  private readonly router: MsgRouter;
  private readonly moduleQueries = new Map<string, QueryHandler>();
  /** The last finalized block's time (ns): CheckTx and Simulate run "in" the next block at that time. */
  private lastBlockTime = 0n;

  constructor(
    tree: StateTree,
    opts: SdkAppOptions,
    modules: { logger: Logger; appModules?: (base: BaseKeepers) => readonly AppModule[] },
  ) {
    this.tree = tree;
    this.opts = opts;
    this.log = modules.logger;
    this.auth = new AuthKeeper(opts.bech32Prefix);
    this.bank = new BankKeeper(this.auth, [this.feeCollector]);
    this.bank.registerModule(FEE_COLLECTOR);
    this.modules = modules.appModules?.({ auth: this.auth, bank: this.bank }) ?? [];
    this.router = new MsgRouter(opts.bech32Prefix, [
      ...bankMsgRoutes(this.bank),
      ...this.modules.flatMap((m) => m.msgs ?? []),
    ]);
    for (const m of this.modules) {
      for (const [path, h] of Object.entries(m.queries ?? {})) {
        if (this.moduleQueries.has(path) || queryHandler(path)) throw new Error(`duplicate query ${path}`);
        this.moduleQueries.set(path, h);
      }
    }
    this.minGasPrices = parseDecCoins(opts.minimumGasPrices);
    this.checkState = new CacheStore(committedStore(tree, "latest"));
  }

  /** Every module's AppModule.txFilter in module order; undefined when no module filters. */
  private readonly txFilter = (store: AppStore, typeUrls: readonly string[]) =>
    this.filterTx(store, typeUrls);

  private async filterTx(store: AppStore, typeUrls: readonly string[]): Promise<SdkError | undefined> {
    for (const m of this.modules) {
      const refused = await m.txFilter?.(store, typeUrls);
      if (refused) return refused;
    }
    return undefined;
  }

  private env(mode: ExecMode, height: number, time: bigint): RunTxEnv {
    return {
      mode,
      height,
      time,
      router: this.router,
      chainId: this.opts.chainId,
      auth: this.auth,
      bank: this.bank,
      feeCollector: this.feeCollector,
      minGasPrices: this.minGasPrices,
      sigCache: this.sigCache,
      txFilter: this.txFilter,
    };
  }

  async info(): Promise<AppInfo> {
    return { lastBlockHeight: this.tree.version, lastBlockAppHash: this.tree.hash, version: "icsd/0.1.0" };
  }

  async initChain(req: InitChainRequest): Promise<InitChainResponse> {
    const g = parseSdkGenesis(req.appState);
    const store = new GasStore(workingStore(this.tree), infiniteGasMeter());
    this.auth.setParams(store, g.authParams);
    let next = 0n;
    for (const a of g.accounts) {
      this.auth.setAccount(store, { address: a.address, accountNumber: a.accountNumber, sequence: 0n });
      if (a.accountNumber >= next) next = a.accountNumber + 1n;
    }
    // Account numbers continue after the highest declared one.
    const counter = Buffer.alloc(8);
    counter.writeBigUInt64BE(next);
    store.set(new TextEncoder().encode("auth/next_account_number"), counter);
    for (const b of g.balances) {
      if (!(await this.auth.hasAccount(store, b.address))) await this.auth.newAccount(store, b.address);
      await this.bank.mint(store, b.address, b.coins);
    }
    if (!(await this.auth.hasAccount(store, this.feeCollector))) {
      const n = await this.auth.nextAccountNumber(store);
      this.auth.setAccount(store, {
        address: this.feeCollector,
        accountNumber: n,
        sequence: 0n,
        module: { name: FEE_COLLECTOR, permissions: [] },
      });
    }
    const ctx = this.blockContext(store, { chainId: req.chainId, height: 0, time: req.time }, []);
    const root = (req.appState ?? {}) as Record<string, unknown>;
    for (const m of this.modules) await m.initGenesis?.(ctx, root[m.name]);
    await this.deliverGenTxs(root, req.time);
    const validators: ValidatorUpdate[] = [];
    for (const m of this.modules) validators.push(...((await m.initChainValidators?.(ctx)) ?? []));
    this.lastBlockTime = req.time;
    return { validators, appHash: await this.tree.workingHash() };
  }

  /**
   * The genesis transactions (`app_state.genutil.gen_txs`, base64 TxRaw each): delivered at height 0
   * through the whole ante handler, as the SDK's DeliverGenTxs; any failure aborts genesis.
   */
  private async deliverGenTxs(root: Record<string, unknown>, time: bigint): Promise<void> {
    const genutil = (root.genutil ?? {}) as { gen_txs?: unknown };
    const txs = genutil.gen_txs ?? [];
    if (!Array.isArray(txs)) throw new SdkError("genutil", 1, "app_state.genutil.gen_txs must be an array");
    const env = this.env("genesis", 0, time);
    const store = workingStore(this.tree);
    for (let i = 0; i < txs.length; i++) {
      const raw = txs[i];
      if (typeof raw !== "string") {
        throw new SdkError("genutil", 1, `app_state.genutil.gen_txs[${i}] must be a base64 TxRaw string`);
      }
      const r = (await runTx(env, store, Buffer.from(raw, "base64"))).result;
      if (r.code !== 0) {
        throw new SdkError("genutil", 1, `app_state.genutil.gen_txs[${i}] failed: ${r.log}`);
      }
    }
  }

  /** A module context over `store` for block-level work (no gas limit). */
  private blockContext(store: AppStore, block: BlockInfo, events: Event[]): ModuleContext {
    const router = this.router;
    return {
      store,
      events,
      block,
      // A method, so a context copied onto a branch (`{ ...ctx, store }`) runs messages on that branch.
      runMsg(any, signer) {
        return router.run(this, any, signer);
      },
    };
  }

  /**
   * Runs every module's invariants over the working state (after a finalized block): a description of
   * each broken one, empty when all hold.
   */
  async checkInvariants(): Promise<string[]> {
    const store = workingStore(this.tree);
    const broken: string[] = [];
    for (const m of this.modules) broken.push(...((await m.invariants?.(store)) ?? []));
    return broken;
  }

  /** Resets the check state to the last commit (before the mempool rechecks its transactions). */
  beginRecheck(): void {
    this.checkState = new CacheStore(committedStore(this.tree, "latest"));
  }

  async checkTx(tx: Uint8Array, kind: CheckTxKind): Promise<TxResult> {
    const mode: ExecMode = kind === "recheck" ? "recheck" : "check";
    const out = await runTx(this.env(mode, this.tree.version + 1, this.lastBlockTime), this.checkState, tx);
    if (out.result.code !== 0) {
      this.log.debug({ code: out.result.code, log: out.result.log, kind }, "checkTx rejected");
    }
    return out.result;
  }

  async prepareProposal(req: PrepareProposalRequest): Promise<readonly Uint8Array[]> {
    const out: Uint8Array[] = [];
    let size = 0;
    for (const tx of req.txs) {
      if (size + tx.length > req.maxTxBytes) break;
      out.push(tx);
      size += tx.length;
    }
    return out;
  }

  async processProposal(_req: ProcessProposalRequest): Promise<boolean> {
    // As the SDK's default: a transaction that fails is still a valid part of a block (it gets a code).
    return true;
  }

  async finalizeBlock(req: FinalizeBlockRequest): Promise<FinalizeBlockResponse> {
    const header = req.block.header;
    const env = this.env("deliver", header.height, header.time);
    const store = workingStore(this.tree);
    const events: Event[] = [];
    const ctx = this.blockContext(
      store,
      {
        chainId: this.opts.chainId,
        height: header.height,
        time: header.time,
        header: { appHash: header.appHash, nextValidatorsHash: header.nextValidatorsHash },
      },
      events,
    );
    const info = {
      proposer: header.proposerAddress,
      lastCommit: req.decidedLastCommit,
      misbehavior: req.misbehavior,
    };
    for (const m of this.modules) await m.beginBlock?.(ctx, info);
    const txResults: TxResult[] = [];
    for (const tx of req.block.txs) txResults.push((await runTx(env, store, tx)).result);
    // Later updates for the same key win, as CometBFT applies a list with one entry per key.
    const updates = new Map<string, ValidatorUpdate>();
    for (const m of this.modules) {
      for (const u of (await m.endBlock?.(ctx)) ?? []) updates.set(Buffer.from(u.pubKey).toString("hex"), u);
    }
    this.lastBlockTime = header.time;
    if (this.opts.checkInvariants) {
      const broken = await this.checkInvariants();
      if (broken.length > 0) {
        this.log.error({ height: header.height, broken }, "invariant broken; halting");
        throw new Error(`invariant broken at height ${header.height}: ${broken.join("; ")}`);
      }
    }
    return {
      events,
      txResults,
      validatorUpdates: [...updates.values()],
      appHash: await this.tree.workingHash(),
    };
  }

  async commit(batch: WriteBatch): Promise<CommitResponse> {
    await this.tree.commit(batch);
    this.beginRecheck();
    return { retainHeight: 0 };
  }

  async query(req: QueryRequest): Promise<QueryResponse> {
    const latest = this.tree.version;
    const height = req.height === 0 ? latest : req.height;
    try {
      if (height > latest)
        throw errInvalidRequest(`cannot query with height in the future; please provide a valid height`);
      if (height < this.tree.firstVersion)
        throw errInvalidRequest(`height ${height} is not available (pruned)`);
      if (req.path === STORE_QUERY_PATH) return await this.storeQuery(req.data, height, req.prove);
      const value =
        req.path === "/cosmos.tx.v1beta1.Service/Simulate"
          ? await this.simulate(req.data)
          : await this.grpcQuery(req.path, req.data, height);
      return { code: 0, codespace: "", log: "", key: new Uint8Array(), value, height };
    } catch (e) {
      const err = toSdkError(e);
      return {
        code: err.code,
        codespace: err.codespace,
        log: err.message,
        key: new Uint8Array(),
        value: new Uint8Array(),
        height,
      };
    }
  }

  /**
   * A raw read of the packet layer's state (the SDK's `/store/ibc/key`), for relayers: the value of `key`
   * (which must start with "ibc/") at version `height` and, with `prove`, its membership or
   * non-membership proof against that version's root — the app hash in the header of `height + 1`.
   */
  private async storeQuery(key: Uint8Array, height: number, prove: boolean): Promise<QueryResponse> {
    if (
      key.length === 0 ||
      key.length > 1024 ||
      Buffer.from(key.subarray(0, 4)).toString("latin1") !== "ibc/"
    ) {
      throw errInvalidRequest(`${STORE_QUERY_PATH} reads keys under "ibc/" only`);
    }
    if (height === 0 || height > this.tree.version) {
      throw errInvalidRequest(`height ${height} has no committed state to prove against`);
    }
    const { value, proof } = await this.tree.prove(key, height);
    return {
      code: 0,
      codespace: "",
      log: "",
      key,
      value: value ?? new Uint8Array(),
      height,
      ...(prove ? { proof: encodeProof(proof) } : {}),
    };
  }

  private async grpcQuery(path: string, data: Uint8Array, height: number): Promise<Uint8Array> {
    const store = committedStore(this.tree, height);
    const moduleHandler = this.moduleQueries.get(path);
    if (moduleHandler) return moduleHandler({ store, height }, data);
    const handler = queryHandler(path);
    if (!handler) throw errUnknownRequest(`unknown query path ${path}`);
    return handler({ store, auth: this.auth, bank: this.bank }, data);
  }

  /** The SDK's Simulate: runs the tx on a scratch branch of the last commit, without signature or fee checks. */
  private async simulate(data: Uint8Array): Promise<Uint8Array> {
    let req: SimulateRequest;
    try {
      req = SimulateRequest.decode(data);
    } catch (e) {
      throw errInvalidRequest(`invalid SimulateRequest: ${(e as Error).message}`);
    }
    const bytes =
      req.txBytes.length > 0 ? req.txBytes : req.tx ? Tx.encode(req.tx).finish() : new Uint8Array();
    if (bytes.length === 0) throw errInvalidRequest("empty txBytes is not allowed");
    const scratch = new CacheStore(committedStore(this.tree, "latest"));
    const out = await runTx(this.env("simulate", this.tree.version + 1, this.lastBlockTime), scratch, bytes);
    const r = out.result;
    if (r.code !== 0) throw new SdkError(r.codespace, r.code, r.log);
    return SimulateResponse.encode({
      gasInfo: { gasWanted: r.gasWanted, gasUsed: r.gasUsed },
      result: {
        data: new Uint8Array(),
        log: r.log,
        events: r.events.map((e) => ({
          type: e.type,
          attributes: e.attributes.map((a) => ({ key: a.key, value: a.value, index: a.index ?? true })),
        })),
        msgResponses: [...out.msgResponses],
      },
    }).finish();
  }
}
