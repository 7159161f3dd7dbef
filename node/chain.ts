import type { Application, CommitInfo, Misbehavior } from "../consensus/application.ts";
import { createWriteBatch } from "../consensus/application.ts";
import { incrementProposerPriority } from "../consensus/core/index.ts";
import type { ConsensusChain } from "../consensus/driver.ts";
import type { Block, Commit, DuplicateVoteEvidence, Header } from "../consensus/index.ts";
import {
  BlockIdFlag,
  genesisValidatorSet,
  nextValidatorSet,
  type ShellValidator,
  toDomainValidator,
  toShellValidator,
  totalPower,
  verifyCommit,
} from "../consensus/index.ts";
import {
  blockHash,
  commitHash,
  dataHash,
  decodeBlock,
  decodeCommit,
  decodeValidatorSet,
  encodeBlock,
  encodeCommit,
  encodeValidatorSet,
  evidenceHash,
  resultsHash,
  validatorSetHash,
} from "../proto/index.ts";
import type { BlockResults, BlockStore, KvStore, TxIndex } from "../store/index.ts";
import {
  equalBytes,
  errorMessage,
  fromHex,
  fromUtf8,
  IcsdError,
  type Logger,
  toHex,
  utf8,
} from "../utils/index.ts";
import { type GenesisDoc, genesisValidatorUpdates } from "./genesis.ts";
import type { Mempool } from "./mempool.ts";

/** What the node remembers of the chain's tip; persisted with every block. */
export interface ChainMeta {
  readonly chainId: string;
  readonly initialHeight: number;
  readonly lastHeight: number;
  readonly lastBlockHash: Uint8Array;
  readonly lastBlockTime: bigint;
  readonly lastAppHash: Uint8Array;
  readonly lastResultsHash: Uint8Array;
}

export interface ChainComponents {
  readonly db: KvStore;
  readonly blocks: BlockStore;
  readonly app: Application;
  readonly mempool: Mempool;
  readonly logger: Logger;
  /** Largest total of transaction bytes in a proposed block (it must fit one gossip message). */
  readonly maxBlockTxBytes: number;
  /** Block time source for proposals (the shell's clock). */
  readonly now: () => bigint;
  /** Called once a block's batch is on disk (the state tree unpins what it staged). */
  readonly onBatchWritten: () => void;
  /** Indexes each committed block's transactions in the block's own batch (tx_search, tx). */
  readonly txIndex?: TxIndex;
  readonly onCommitted?: (block: Block, hash: Uint8Array, results: CommittedResults) => void;
  readonly onEvidence?: (ev: DuplicateVoteEvidence) => void;
}

/** What finalizeBlock returned for a committed block (stored with it for `block_results`). */
export type CommittedResults = BlockResults;

const MAX_CLOCK_DRIFT_NS = 10_000_000_000n;
const MS = 1_000_000n;
export const EVIDENCE_MAX_AGE_BLOCKS = 100_000;

/**
 * The pending evidence a block at `height` may carry: votes of an earlier height (checkEvidence refuses
 * the block's own height, so double votes seen while deciding it wait for the next block: a proposer
 * that included them would have every round refused while the double signer keeps signing) and not past
 * the maximum age (older ones are dropped from `pool`). At most 16, in the pool's order.
 */
export function selectProposableEvidence(
  pool: Map<string, DuplicateVoteEvidence>,
  height: number,
): DuplicateVoteEvidence[] {
  const out: DuplicateVoteEvidence[] = [];
  for (const [key, ev] of pool) {
    const h = ev.voteA.height;
    if (height - h > EVIDENCE_MAX_AGE_BLOCKS) pool.delete(key);
    else if (h < height && out.length < 16) out.push(ev);
  }
  return out;
}

/**
 * The node's view of the chain: validates proposed and synced blocks against the tip, executes decided
 * blocks through the application and commits each in one atomic LevelDB batch (application state,
 * block, commit, validator set for H+2 and the tip record together).
 */
export class Chain implements ConsensusChain {
  private readonly c: ChainComponents;
  private readonly log: Logger;
  meta: ChainMeta;
  private lastCommit: Commit;
  private valsets = new Map<number, ShellValidator[]>();
  private pendingEvidence = new Map<string, DuplicateVoteEvidence>();

  /**
   * Takes a richer commit of the last block (more precommits of the same round for the same block) for
   * the next proposal; anything else is ignored. Every signature is checked, so the proposal stays valid.
   */
  extendLastCommit(commit: Commit): void {
    const last = this.lastCommit;
    if (commit.height !== this.meta.lastHeight || commit.round !== last.round) return;
    if (!equalBytes(commit.blockHash, this.meta.lastBlockHash)) return;
    const signed = (c: Commit) => c.signatures.filter((x) => x.flag === BlockIdFlag.Commit).length;
    if (signed(commit) <= signed(last)) return;
    const vals = this.valsets.get(commit.height);
    if (!vals) return;
    try {
      verifyCommit(this.meta.chainId, vals, commit, commit.height, this.meta.lastBlockHash);
    } catch {
      return;
    }
    this.lastCommit = commit;
  }

  private constructor(c: ChainComponents, meta: ChainMeta, lastCommit: Commit) {
    this.c = c;
    this.log = c.logger;
    this.meta = meta;
    this.lastCommit = lastCommit;
  }

  /** Opens the chain from disk, or runs initChain on the application at genesis. */
  static async open(genesis: GenesisDoc, c: ChainComponents): Promise<Chain> {
    const stored = await c.blocks.loadMeta();
    if (stored) {
      const meta = decodeMeta(stored);
      if (meta.chainId !== genesis.chainId) {
        throw new IcsdError(
          "CHAIN_ID_MISMATCH",
          `data is for chain ${meta.chainId}, genesis is ${genesis.chainId}`,
        );
      }
      const info = await c.app.info();
      if (info.lastBlockHeight !== meta.lastHeight || !equalBytes(info.lastBlockAppHash, meta.lastAppHash)) {
        throw new IcsdError(
          "APP_STATE_MISMATCH",
          `application is at height ${info.lastBlockHeight}, block store at ${meta.lastHeight}`,
        );
      }
      const commitBytes = await c.blocks.loadCommit(meta.lastHeight);
      if (!commitBytes)
        throw new IcsdError("STORE_CORRUPT", `no commit stored for height ${meta.lastHeight}`);
      const chain = new Chain(c, meta, decodeCommit(commitBytes));
      await chain.loadValset(meta.lastHeight);
      await chain.loadValset(meta.lastHeight + 1);
      await chain.loadValset(meta.lastHeight + 2);
      return chain;
    }
    // Genesis: initChain's state is committed together with the first block, so a crash before it
    // simply runs initChain again.
    const updates = genesisValidatorUpdates(genesis);
    const res = await c.app.initChain({
      chainId: genesis.chainId,
      time: genesis.genesisTime,
      initialHeight: genesis.initialHeight,
      validators: updates,
      appState: genesis.appState,
    });
    const vals = genesisValidatorSet(res.validators.length > 0 ? res.validators : updates);
    if (vals.length === 0) throw new IcsdError("GENESIS_INVALID", "genesis has no validators");
    const meta: ChainMeta = {
      chainId: genesis.chainId,
      initialHeight: genesis.initialHeight,
      lastHeight: genesis.initialHeight - 1,
      lastBlockHash: new Uint8Array(),
      lastBlockTime: genesis.genesisTime,
      lastAppHash: res.appHash,
      lastResultsHash: resultsHash([]),
    };
    const chain = new Chain(c, meta, emptyCommit());
    chain.valsets.set(genesis.initialHeight, vals);
    chain.valsets.set(genesis.initialHeight + 1, incrementProposerPriority(vals, 1).validators);
    return chain;
  }

  /** The height consensus works on next. */
  nextHeight(): number {
    return this.meta.lastHeight + 1;
  }

  /** The validator set at `height` (kept for the last blocks, loaded from disk otherwise). */
  async validatorsAt(height: number): Promise<ShellValidator[] | undefined> {
    return this.valsets.get(height) ?? (await this.loadValset(height));
  }

  validatorsForNext(): ShellValidator[] {
    const v = this.valsets.get(this.nextHeight());
    if (!v) throw new IcsdError("STORE_CORRUPT", `no validator set for height ${this.nextHeight()}`);
    return v;
  }

  private async loadValset(height: number): Promise<ShellValidator[] | undefined> {
    const bytes = await this.c.blocks.loadValidatorSet(height);
    if (!bytes) return undefined;
    const set = decodeValidatorSet(bytes).validators.map(toShellValidator);
    this.valsets.set(height, set);
    return set;
  }

  async buildBlock(height: number, _round: number, proposerAddress: Uint8Array): Promise<Block> {
    const vals = this.validatorsForNext();
    const next = this.valsets.get(height + 1)!;
    const minTime = this.meta.lastBlockTime + MS;
    const now = this.c.now();
    const time = now > minTime ? now : minTime;
    const evidence = this.proposableEvidence(height);
    const candidates = this.c.mempool.reap(this.c.maxBlockTxBytes);
    const txs = await this.c.app.prepareProposal({
      height,
      time,
      txs: candidates,
      maxTxBytes: this.c.maxBlockTxBytes,
      proposerAddress,
    });
    const header: Header = {
      chainId: this.meta.chainId,
      height,
      time,
      lastBlockHash: this.meta.lastBlockHash,
      lastCommitHash: commitHash(this.lastCommit),
      dataHash: dataHash(txs),
      validatorsHash: validatorSetHash({ validators: vals.map(toDomainValidator) }),
      nextValidatorsHash: validatorSetHash({ validators: next.map(toDomainValidator) }),
      consensusHash: new Uint8Array(32),
      appHash: this.meta.lastAppHash,
      lastResultsHash: this.meta.lastResultsHash,
      evidenceHash: evidenceHash(evidence),
      proposerAddress,
    };
    return { header, txs, evidence, lastCommit: this.lastCommit };
  }

  async validateBlock(block: Block, hash: Uint8Array, proposer: ShellValidator): Promise<boolean> {
    try {
      this.checkHeader(block, true);
      if (toHex(block.header.proposerAddress) !== proposer.address) throw invalid("proposer address");
      if (!equalBytes(blockHash(block), hash)) throw invalid("hash");
      return await this.c.app.processProposal({ block, hash });
    } catch (e) {
      this.log.warn({ height: block.header.height, err: errorMessage(e) }, "proposed block is invalid");
      return false;
    }
  }

  /** Checks a block decided elsewhere (block sync) against the tip and its commit, then commits it. */
  async applySyncedBlock(block: Block, commit: Commit): Promise<void> {
    const height = this.nextHeight();
    if (block.header.height !== height)
      throw invalid(`synced block height ${block.header.height}, want ${height}`);
    this.checkHeader(block, false);
    const hash = blockHash(block);
    verifyCommit(this.meta.chainId, this.validatorsForNext(), commit, height, hash);
    await this.commitBlock(block, commit);
  }

  /** Header rules every block must satisfy at the tip (CometBFT's state.ValidateBlock). */
  private checkHeader(block: Block, checkDrift: boolean): void {
    const h = block.header;
    const height = this.nextHeight();
    if (h.chainId !== this.meta.chainId) throw invalid(`chain id ${h.chainId}`);
    if (h.height !== height) throw invalid(`height ${h.height}, want ${height}`);
    if (h.time <= this.meta.lastBlockTime) throw invalid("time does not increase");
    if (checkDrift && h.time > this.c.now() + MAX_CLOCK_DRIFT_NS) throw invalid("time too far in the future");
    if (!equalBytes(h.lastBlockHash, this.meta.lastBlockHash)) throw invalid("last block hash");
    if (!equalBytes(h.appHash, this.meta.lastAppHash)) throw invalid("app hash");
    if (!equalBytes(h.lastResultsHash, this.meta.lastResultsHash)) throw invalid("last results hash");
    const vals = this.validatorsForNext();
    const next = this.valsets.get(height + 1)!;
    if (!equalBytes(h.validatorsHash, validatorSetHash({ validators: vals.map(toDomainValidator) }))) {
      throw invalid("validators hash");
    }
    if (!equalBytes(h.nextValidatorsHash, validatorSetHash({ validators: next.map(toDomainValidator) }))) {
      throw invalid("next validators hash");
    }
    if (!vals.some((v) => v.address === toHex(h.proposerAddress)))
      throw invalid("proposer is not a validator");
    if (!equalBytes(h.dataHash, dataHash(block.txs))) throw invalid("data hash");
    if (!equalBytes(h.evidenceHash, evidenceHash(block.evidence))) throw invalid("evidence hash");
    if (!equalBytes(h.lastCommitHash, commitHash(block.lastCommit))) throw invalid("last commit hash");
    if (height > this.meta.initialHeight) {
      const lastVals = this.valsets.get(height - 1);
      if (!lastVals) throw invalid("no validator set for the last commit");
      verifyCommit(this.meta.chainId, lastVals, block.lastCommit, height - 1, this.meta.lastBlockHash);
    } else if (block.lastCommit.signatures.length !== 0) {
      throw invalid("initial block must have an empty last commit");
    }
    for (const ev of block.evidence) this.checkEvidence(ev, height);
  }

  private checkEvidence(ev: DuplicateVoteEvidence, height: number): void {
    const a = ev.voteA;
    const b = ev.voteB;
    if (a.height !== b.height || a.round !== b.round || a.type !== b.type)
      throw invalid("evidence votes differ in h/r/t");
    if (!equalBytes(a.validatorAddress, b.validatorAddress))
      throw invalid("evidence votes from two validators");
    if (equalBytes(a.blockHash, b.blockHash)) throw invalid("evidence votes are for the same block");
    if (a.height >= height || height - a.height > EVIDENCE_MAX_AGE_BLOCKS) throw invalid("evidence height");
  }

  /** Evidence a block at `height` may carry (see selectProposableEvidence). */
  proposableEvidence(height: number): DuplicateVoteEvidence[] {
    return selectProposableEvidence(this.pendingEvidence, height);
  }

  onEvidence(ev: DuplicateVoteEvidence): void {
    const key = `${toHex(ev.voteA.validatorAddress)}/${ev.voteA.height}/${ev.voteA.round}/${ev.voteA.type}`;
    if (!this.pendingEvidence.has(key)) {
      this.pendingEvidence.set(key, { ...ev, timestamp: this.meta.lastBlockTime });
      this.c.onEvidence?.(ev);
    }
  }

  async commitBlock(block: Block, commit: Commit): Promise<{ height: number; validators: ShellValidator[] }> {
    const height = block.header.height;
    if (height !== this.nextHeight())
      throw new IcsdError("BLOCK_HEIGHT", `commit of ${height} at tip ${this.meta.lastHeight}`);
    const hash = blockHash(block);
    const vals = this.validatorsForNext();
    const res = await this.c.app.finalizeBlock({
      block,
      hash,
      decidedLastCommit: await this.commitInfo(block),
      misbehavior: await this.misbehavior(block),
      evidence: block.evidence,
    });
    const next = this.valsets.get(height + 1)!;
    const afterNext = nextValidatorSet(next, res.validatorUpdates);
    if (afterNext.length === 0)
      throw new IcsdError("VALSET_EMPTY", `validator updates at ${height} empty the set`);
    const batch = createWriteBatch();
    // CometBFT's mempool lock, held until mempool.update below: no checkTx between the app's commit
    // (which resets its check state) and the recheck of the pending txs.
    const results: CommittedResults = {
      txResults: res.txResults,
      events: res.events,
      validatorUpdates: res.validatorUpdates,
      appHash: res.appHash,
    };
    await this.c.mempool.lock();
    let meta: ChainMeta;
    try {
      await this.c.app.commit(batch);
      meta = {
        chainId: this.meta.chainId,
        initialHeight: this.meta.initialHeight,
        lastHeight: height,
        lastBlockHash: hash,
        lastBlockTime: block.header.time,
        lastAppHash: res.appHash,
        lastResultsHash: resultsHash(res.txResults),
      };
      this.c.blocks.saveBlock(batch, height, hash, encodeBlock(block), encodeCommit(commit));
      this.c.blocks.saveBlockResults(batch, height, results);
      this.c.txIndex?.indexBlock(batch, height, block.txs, res.txResults);
      if (height === this.meta.initialHeight) {
        this.c.blocks.saveValidatorSet(
          batch,
          height,
          encodeValidatorSet({ validators: vals.map(toDomainValidator) }),
        );
        this.c.blocks.saveValidatorSet(
          batch,
          height + 1,
          encodeValidatorSet({ validators: next.map(toDomainValidator) }),
        );
      }
      this.c.blocks.saveValidatorSet(
        batch,
        height + 2,
        encodeValidatorSet({ validators: afterNext.map(toDomainValidator) }),
      );
      this.c.blocks.saveMeta(batch, encodeMeta(meta));
      await this.c.db.batch(batch.ops, { sync: true });
    } catch (e) {
      // A failed commit must not leave transactions waiting on the lock forever.
      this.c.mempool.unlock();
      throw e;
    }
    this.c.onBatchWritten();
    this.meta = meta;
    this.lastCommit = commit;
    this.valsets.set(height + 2, afterNext);
    this.valsets.delete(height - 1);
    for (const ev of block.evidence) {
      this.pendingEvidence.delete(
        `${toHex(ev.voteA.validatorAddress)}/${ev.voteA.height}/${ev.voteA.round}/${ev.voteA.type}`,
      );
    }
    await this.c.mempool.update(block.txs);
    this.c.onCommitted?.(block, hash, results);
    return { height: height + 1, validators: next };
  }

  private async commitInfo(block: Block): Promise<CommitInfo> {
    const lc = block.lastCommit;
    if (lc.signatures.length === 0) return { round: 0, votes: [] };
    const vals = (await this.validatorsAt(lc.height)) ?? [];
    return {
      round: lc.round,
      votes: vals.map((v, i) => ({
        address: fromHex(v.address),
        power: v.power,
        signed: lc.signatures[i]?.flag === BlockIdFlag.Commit,
      })),
    };
  }

  private async misbehavior(block: Block): Promise<Misbehavior[]> {
    const out: Misbehavior[] = [];
    for (const ev of block.evidence) {
      const vals = (await this.validatorsAt(ev.voteA.height)) ?? [];
      out.push({
        type: "duplicate_vote",
        validatorAddress: ev.voteA.validatorAddress,
        validatorPower: ev.validatorPower,
        height: ev.voteA.height,
        time: ev.timestamp,
        totalVotingPower: totalPower(vals),
      });
    }
    return out;
  }

  async loadBlock(height: number): Promise<{ block: Block; commit: Commit } | undefined> {
    const b = await this.c.blocks.loadBlock(height);
    const c = await this.c.blocks.loadCommit(height);
    if (!b || !c) return undefined;
    return { block: decodeBlock(b), commit: decodeCommit(c) };
  }
}

function invalid(what: string): IcsdError {
  return new IcsdError("BLOCK_INVALID", `invalid block: ${what}`);
}

function emptyCommit(): Commit {
  return { height: 0, round: 0, blockHash: new Uint8Array(), signatures: [] };
}

function encodeMeta(m: ChainMeta): Uint8Array {
  return utf8(
    JSON.stringify({
      chainId: m.chainId,
      initialHeight: m.initialHeight,
      lastHeight: m.lastHeight,
      lastBlockHash: toHex(m.lastBlockHash),
      lastBlockTime: m.lastBlockTime.toString(),
      lastAppHash: toHex(m.lastAppHash),
      lastResultsHash: toHex(m.lastResultsHash),
    }),
  );
}

function decodeMeta(b: Uint8Array): ChainMeta {
  const j = JSON.parse(fromUtf8(b)) as Record<string, string | number>;
  return {
    chainId: String(j.chainId),
    initialHeight: Number(j.initialHeight),
    lastHeight: Number(j.lastHeight),
    lastBlockHash: fromHex(String(j.lastBlockHash)),
    lastBlockTime: BigInt(j.lastBlockTime!),
    lastAppHash: fromHex(String(j.lastAppHash)),
    lastResultsHash: fromHex(String(j.lastResultsHash)),
  };
}
