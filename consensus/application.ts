import type { Block, Evidence, ValidatorUpdate } from "./types.ts";

/**
 * The in-process application interface, shaped like ABCI 2.0. Consensus calls it; provider, consumer
 * and the test key-value app implement it. All methods are deterministic given the same call sequence.
 *
 * One deliberate difference from ABCI: `commit` writes the application's state into the write batch
 * the node hands it, and the node adds the block and its height to that same batch, so a block commits
 * in one atomic LevelDB write.
 */
export interface Application {
  info(): Promise<AppInfo>;
  initChain(req: InitChainRequest): Promise<InitChainResponse>;
  checkTx(tx: Uint8Array, kind: CheckTxKind): Promise<TxResult>;
  /** Resets the check state to the last committed state, before the mempool rechecks. */
  beginRecheck?(): void;
  prepareProposal(req: PrepareProposalRequest): Promise<readonly Uint8Array[]>;
  processProposal(req: ProcessProposalRequest): Promise<boolean>;
  finalizeBlock(req: FinalizeBlockRequest): Promise<FinalizeBlockResponse>;
  commit(batch: WriteBatch): Promise<CommitResponse>;
  query(req: QueryRequest): Promise<QueryResponse>;
}

export type CheckTxKind = "new" | "recheck";

/** One put or delete inside an atomic LevelDB batch. */
export type BatchOp =
  | { readonly type: "put"; readonly key: Uint8Array; readonly value: Uint8Array }
  | { readonly type: "del"; readonly key: Uint8Array };

/** Collects operations for one atomic write. */
export interface WriteBatch {
  put(key: Uint8Array, value: Uint8Array): void;
  del(key: Uint8Array): void;
  readonly ops: readonly BatchOp[];
}

export function createWriteBatch(): WriteBatch {
  const ops: BatchOp[] = [];
  return {
    ops,
    put(key, value) {
      ops.push({ type: "put", key, value });
    },
    del(key) {
      ops.push({ type: "del", key });
    },
  };
}

export interface AppInfo {
  /** Last height the application committed (0 before the first block). */
  readonly lastBlockHeight: number;
  readonly lastBlockAppHash: Uint8Array;
  readonly version: string;
}

export interface InitChainRequest {
  readonly chainId: string;
  readonly time: bigint;
  readonly initialHeight: number;
  readonly validators: readonly ValidatorUpdate[];
  /** The genesis `app_state`, as parsed JSON. */
  readonly appState: unknown;
}

export interface InitChainResponse {
  /** When non-empty, replaces the genesis validator set. */
  readonly validators: readonly ValidatorUpdate[];
  readonly appHash: Uint8Array;
}

export interface Event {
  readonly type: string;
  readonly attributes: readonly { readonly key: string; readonly value: string; readonly index?: boolean }[];
}

export interface TxResult {
  readonly code: number;
  readonly codespace: string;
  readonly log: string;
  readonly data: Uint8Array;
  readonly gasWanted: bigint;
  readonly gasUsed: bigint;
  readonly events: readonly Event[];
  /** Set by checkTx: the sender and sequence, for mempool ordering. */
  readonly sender?: string;
  readonly sequence?: bigint;
}

export interface PrepareProposalRequest {
  readonly height: number;
  readonly time: bigint;
  readonly txs: readonly Uint8Array[];
  readonly maxTxBytes: number;
  readonly proposerAddress: Uint8Array;
}

export interface ProcessProposalRequest {
  readonly block: Block;
  readonly hash: Uint8Array;
}

/** Information about the previous block's votes, for liveness tracking (ABCI's CommitInfo). */
export interface CommitInfo {
  readonly round: number;
  readonly votes: readonly {
    readonly address: Uint8Array;
    readonly power: bigint;
    readonly signed: boolean;
  }[];
}

export interface Misbehavior {
  readonly type: "duplicate_vote";
  readonly validatorAddress: Uint8Array;
  readonly validatorPower: bigint;
  readonly height: number;
  readonly time: bigint;
  readonly totalVotingPower: bigint;
}

export interface FinalizeBlockRequest {
  readonly block: Block;
  readonly hash: Uint8Array;
  readonly decidedLastCommit: CommitInfo;
  readonly misbehavior: readonly Misbehavior[];
  readonly evidence: readonly Evidence[];
}

export interface FinalizeBlockResponse {
  readonly events: readonly Event[];
  readonly txResults: readonly TxResult[];
  /** Take effect at height H+2 for a block at height H. */
  readonly validatorUpdates: readonly ValidatorUpdate[];
  /** The app hash after this block; it goes into the next block's header. */
  readonly appHash: Uint8Array;
}

export interface CommitResponse {
  /** Blocks below this height may be pruned (0: keep everything). */
  readonly retainHeight: number;
}

export interface QueryRequest {
  readonly path: string;
  readonly data: Uint8Array;
  /** 0 for the latest committed height. */
  readonly height: number;
  readonly prove: boolean;
}

export interface QueryResponse {
  readonly code: number;
  readonly codespace: string;
  readonly log: string;
  readonly key: Uint8Array;
  readonly value: Uint8Array;
  readonly height: number;
  readonly proof?: Uint8Array;
}
