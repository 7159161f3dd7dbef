import { ed25519Verify } from "../crypto/index.ts";
import type { P2pProposal, WalMessage } from "../proto/index.ts";
import {
  blockHash,
  commitHash,
  dataHash,
  evidenceHash,
  proposalSignBytes,
  voteSignBytes,
} from "../proto/index.ts";
import { equalBytes, fromHex, type Logger, toHex } from "../utils/index.ts";
import { type CoreState, initialState, step } from "./core/index.ts";
import type { CoreVote, Effect, Input, TimeoutConfig, TimeoutKind } from "./core/types.ts";
import type { Block, Commit, CommitSig, DuplicateVoteEvidence, Proposal, Vote } from "./types.ts";
import { BlockIdFlag, VoteType } from "./types.ts";
import { findValidator, proposerFor, type ShellValidator, totalPower } from "./validatorSet.ts";

/** A proposal together with the block it proposes, as gossiped and as written to the WAL. */
export type ProposalWithBlock = P2pProposal;

/** What the driver writes to the WAL before acting on it (end-of-height markers are the WAL's own). */
export type WalEntry = Exclude<WalMessage, { readonly kind: "endHeight" }>;

/** Gossip verdicts, as libp2p's topic validators take them. */
export type Verdict = "accept" | "ignore" | "reject";

export interface DriverOptions {
  readonly chainId: string;
  readonly timeouts: TimeoutConfig;
  readonly timeoutCommitMs: number;
  /** Hex address of this node's validator key; null for a full node. */
  readonly self: string | null;
}

export interface ConsensusSigner {
  sign(req: { height: number; round: number; step: 1 | 2 | 3; signBytes: Uint8Array }): Promise<Uint8Array>;
}

export interface ConsensusNetwork {
  broadcastProposal(msg: ProposalWithBlock): void;
  broadcastVote(vote: Vote): void;
  /** Ask peers for what they hold of `height`; answers come back through handleProposal/handleVote. */
  requestCatchup(height: number): void;
}

export interface ConsensusWal {
  write(entry: WalEntry, sync: boolean): Promise<void>;
  /** Marks that every input of `height` precedes this point; replay after a restart starts here. */
  endHeight(height: number): Promise<void>;
}

/** The node's chain: builds, validates and commits blocks. The driver never touches storage itself. */
export interface ConsensusChain {
  buildBlock(height: number, round: number, proposerAddress: Uint8Array): Promise<Block>;
  validateBlock(block: Block, hash: Uint8Array, proposer: ShellValidator): Promise<boolean>;
  /** Executes and persists a decided block; returns the next height and its validator set. */
  commitBlock(block: Block, commit: Commit): Promise<{ height: number; validators: ShellValidator[] }>;
  /**
   * The commit of the last block with the precommits that arrived after the decision (during
   * timeout_commit), for the next proposal's LastCommit, as CometBFT's LastCommit vote set keeps
   * collecting them: a validator that was merely late is not counted absent.
   */
  extendLastCommit?(commit: Commit): void;
  onEvidence(ev: DuplicateVoteEvidence): void;
}

/** Observations for metrics and debugging; every hook is optional. */
export interface DriverEvents {
  onVoteSeen?(vote: Vote): void;
  onInvalid?(reason: string): void;
  onRound?(height: number, round: number): void;
  onDecide?(height: number, round: number): void;
  onFutureHeight?(height: number): void;
}

export interface DriverComponents {
  readonly signer: ConsensusSigner | null;
  readonly network: ConsensusNetwork;
  readonly wal: ConsensusWal;
  readonly chain: ConsensusChain;
  readonly logger: Logger;
  readonly events?: DriverEvents;
}

const MAX_FUTURE_MESSAGES = 2000;
const MAX_ROUND = 10_000;

type Buffered = { kind: "proposal"; msg: ProposalWithBlock } | { kind: "vote"; vote: Vote };

/**
 * The imperative shell around the pure Tendermint core: it verifies signatures and blocks before
 * the core sees them, writes every input to the WAL before acting on it, signs through the
 * double-sign-safe signer, gossips, keeps timers and commits decided blocks. Inputs are processed
 * one at a time, in arrival order.
 */
export class ConsensusDriver {
  private readonly opts: DriverOptions;
  private readonly c: DriverComponents;
  private readonly log: Logger;
  private core: CoreState;
  private height = 0;
  private validators: ShellValidator[] = [];
  private proposals = new Map<number, ProposalWithBlock>();
  private blocks = new Map<string, Block>();
  private votes = new Map<string, Vote>();
  private future: Buffered[] = [];
  private replayBlocks = new Map<string, Block>();
  private queue: Promise<void> = Promise.resolve();
  private timers = new Set<ReturnType<typeof setTimeout>>();
  private replaying = false;
  private decided = false;
  /** The decision of the current height, once made (its round and block hash). */
  private decision: { height: number; round: number; hash: Uint8Array } | undefined;
  private stopped = false;

  constructor(opts: DriverOptions, components: DriverComponents) {
    this.opts = opts;
    this.c = components;
    this.log = components.logger;
    this.core = initialState({ self: opts.self, timeouts: opts.timeouts });
  }

  /** Height currently being decided. */
  currentHeight(): number {
    return this.height;
  }

  currentRound(): number {
    return this.core.round;
  }

  currentValidators(): readonly ShellValidator[] {
    return this.validators;
  }

  /**
   * Starts consensus at `height`, first replaying what the WAL recorded for that height (own
   * proposals are reused rather than rebuilt, so a restart re-signs identical bytes).
   */
  start(height: number, validators: ShellValidator[], walEntries: readonly WalEntry[] = []): Promise<void> {
    return this.enqueue(async () => {
      for (const e of walEntries) {
        if (e.kind === "proposal" && e.proposal.proposal.height === height) {
          const key = `${e.proposal.proposal.height}/${e.proposal.proposal.round}`;
          this.replayBlocks.set(key, e.proposal.block);
        }
      }
      // A WAL with records for this height already has the marker in front of them.
      await this.enterHeight(height, validators, walEntries.length === 0);
      this.replaying = true;
      try {
        for (const e of walEntries) await this.replayEntry(e);
      } finally {
        this.replaying = false;
        this.replayBlocks.clear();
      }
      if (walEntries.length > 0) this.log.info({ height, entries: walEntries.length }, "replayed WAL");
      this.c.network.requestCatchup(height);
    });
  }

  /** Drops the height in progress and starts at `height` (after block sync moved the chain ahead). */
  reset(height: number, validators: ShellValidator[]): Promise<void> {
    return this.enqueue(() => this.enterHeight(height, validators, true));
  }

  /** Runs `fn` with no consensus input being processed at the same time. */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    let out: T;
    return this.enqueue(async () => {
      out = await fn();
    }).then(() => out);
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  /** What this node holds of the height in progress, for a peer that missed gossip. */
  catchupFor(height: number): { proposals: ProposalWithBlock[]; votes: Vote[] } {
    if (height !== this.height) return { proposals: [], votes: [] };
    return { proposals: [...this.proposals.values()], votes: [...this.votes.values()] };
  }

  /** Checks a gossiped proposal and queues it; the verdict tells gossip whether to forward it. */
  handleProposal(msg: ProposalWithBlock): Verdict {
    const p = msg.proposal;
    if (p.height > this.height) return this.buffer({ kind: "proposal", msg }, p.height);
    if (p.height < this.height || this.decided) return "ignore";
    const bad = this.checkProposal(msg);
    if (bad) {
      this.invalid(bad, { height: p.height, round: p.round });
      return "reject";
    }
    if (this.proposals.has(p.round)) return "ignore";
    void this.enqueue(() => this.onProposal(msg));
    return "accept";
  }

  /** Checks a gossiped vote and queues it. */
  handleVote(vote: Vote): Verdict {
    if (vote.height > this.height) return this.buffer({ kind: "vote", vote }, vote.height);
    if (vote.height < this.height) return "ignore";
    const bad = this.checkVote(vote);
    if (bad) {
      this.invalid(bad, { height: vote.height, round: vote.round });
      return "reject";
    }
    const existing = this.votes.get(voteKey(vote));
    if (existing && equalBytes(existing.blockHash, vote.blockHash)) return "ignore";
    void this.enqueue(() => this.onVote(vote));
    return "accept";
  }

  private buffer(item: Buffered, height: number): Verdict {
    if (height <= this.height + 2 && this.future.length < MAX_FUTURE_MESSAGES) this.future.push(item);
    this.c.events?.onFutureHeight?.(height);
    return "ignore";
  }

  private invalid(reason: string, meta: Record<string, unknown>): void {
    this.log.warn({ ...meta, reason }, "invalid consensus message");
    this.c.events?.onInvalid?.(reason);
  }

  private checkProposal(msg: ProposalWithBlock): string | null {
    const p = msg.proposal;
    if (p.round < 0 || p.round > MAX_ROUND) return "proposal round out of range";
    if (p.polRound < -1 || p.polRound >= p.round) return "proposal pol_round out of range";
    const proposer = proposerFor(this.validators, p.round);
    const bytes = proposalSignBytes(this.opts.chainId, p);
    if (!ed25519Verify(proposer.pubKey, bytes, p.signature))
      return "proposal not signed by the round's proposer";
    if (!equalBytes(blockHash(msg.block), p.blockHash)) return "proposal block hash does not match its block";
    const b = msg.block;
    if (b.header.height !== p.height) return "proposal block height mismatch";
    // The header commits to the body: a body that does not match it is a forgery, not a bad proposal.
    if (!equalBytes(dataHash(b.txs), b.header.dataHash))
      return "proposal block data does not match its header";
    if (!equalBytes(evidenceHash(b.evidence), b.header.evidenceHash))
      return "proposal evidence does not match its header";
    if (!equalBytes(commitHash(b.lastCommit), b.header.lastCommitHash))
      return "proposal last commit does not match its header";
    return null;
  }

  private checkVote(v: Vote): string | null {
    if (v.type !== VoteType.Prevote && v.type !== VoteType.Precommit) return "unknown vote type";
    if (v.round < 0 || v.round > MAX_ROUND) return "vote round out of range";
    const found = findValidator(this.validators, toHex(v.validatorAddress));
    if (!found) return "vote from a non-validator";
    if (found.index !== v.validatorIndex) return "vote validator index mismatch";
    if (v.blockHash.length !== 0 && v.blockHash.length !== 32) return "vote block hash length";
    if (!ed25519Verify(found.validator.pubKey, voteSignBytes(this.opts.chainId, v), v.signature)) {
      return "vote signature invalid";
    }
    return null;
  }

  private enqueue(fn: () => Promise<void>): Promise<void> {
    const next = this.queue.then(async () => {
      if (this.stopped) return;
      try {
        await fn();
      } catch (e) {
        this.log.error({ err: e }, "consensus step failed");
      }
    });
    this.queue = next;
    return next;
  }

  private async enterHeight(
    height: number,
    validators: ShellValidator[],
    writeMarker: boolean,
  ): Promise<void> {
    if (writeMarker) await this.c.wal.endHeight(height - 1);
    // Precommits of the decided round that came in during timeout_commit join the last commit.
    const d = this.decision;
    if (d && d.height === this.height && height === d.height + 1) {
      this.c.chain.extendLastCommit?.(this.buildCommit(d.height, d.round, d.hash));
    }
    this.height = height;
    this.validators = validators;
    this.proposals.clear();
    this.blocks.clear();
    this.votes.clear();
    this.decided = false;
    this.core = initialState({ self: this.opts.self, timeouts: this.opts.timeouts });
    const coreVals = validators.map((v) => ({
      address: v.address,
      power: v.power,
      proposerPriority: v.proposerPriority,
    }));
    await this.apply({ kind: "newHeight", height, validators: coreVals });
    const pending = this.future;
    this.future = [];
    for (const item of pending) {
      if (item.kind === "proposal") this.handleProposal(item.msg);
      else this.handleVote(item.vote);
    }
  }

  private async replayEntry(e: WalEntry): Promise<void> {
    if (e.kind === "timeout") {
      if (e.height === this.height)
        await this.apply({ kind: "timeout", timeout: e.timeout, height: e.height, round: e.round });
    } else if (e.kind === "proposal") {
      const p = e.proposal.proposal;
      if (p.height === this.height && !this.proposals.has(p.round) && !this.checkProposal(e.proposal)) {
        await this.onProposal(e.proposal);
      }
    } else if (e.vote.height === this.height && !this.checkVote(e.vote)) {
      await this.onVote(e.vote);
    }
  }

  private async onProposal(msg: ProposalWithBlock): Promise<void> {
    const p = msg.proposal;
    if (p.height !== this.height || this.proposals.has(p.round)) return;
    if (!this.replaying) await this.c.wal.write({ kind: "proposal", proposal: msg }, false);
    this.proposals.set(p.round, msg);
    const value = toHex(p.blockHash);
    this.blocks.set(value, msg.block);
    const proposer = proposerFor(this.validators, p.round);
    const valid = await this.c.chain.validateBlock(msg.block, p.blockHash, proposer);
    await this.apply({
      kind: "proposal",
      proposal: {
        height: p.height,
        round: p.round,
        polRound: p.polRound,
        value,
        proposer: proposer.address,
        valid,
      },
    });
  }

  private async onVote(vote: Vote): Promise<void> {
    if (vote.height !== this.height) return;
    const key = voteKey(vote);
    const existing = this.votes.get(key);
    if (existing && equalBytes(existing.blockHash, vote.blockHash)) return;
    if (!this.replaying) await this.c.wal.write({ kind: "vote", vote }, false);
    this.c.events?.onVoteSeen?.(vote);
    if (existing) {
      // A second, different vote: keep the first for the commit, remember the pair as evidence.
      this.conflicts.set(key, vote);
    } else {
      this.votes.set(key, vote);
    }
    await this.apply({ kind: "vote", vote: toCoreVote(vote) });
  }

  private conflicts = new Map<string, Vote>();

  private async onTimeout(timeout: TimeoutKind, height: number, round: number): Promise<void> {
    if (height !== this.height || this.decided) return;
    if (!this.replaying) await this.c.wal.write({ kind: "timeout", timeout, height, round }, false);
    await this.apply({ kind: "timeout", timeout, height, round });
    // A timeout means progress stalled: ask peers for anything of this height we may have missed.
    this.c.network.requestCatchup(height);
  }

  private async apply(input: Input): Promise<void> {
    const prevRound = this.core.round;
    const { state, effects } = step(this.core, input);
    this.core = state;
    if (state.round !== prevRound || input.kind === "newHeight")
      this.c.events?.onRound?.(this.height, state.round);
    for (const effect of effects) await this.perform(effect);
  }

  private async perform(effect: Effect): Promise<void> {
    switch (effect.kind) {
      case "getValue":
        return this.proposeValue(effect.height, effect.round);
      case "propose":
        return this.signAndSendProposal(effect.height, effect.round, effect.value, effect.polRound);
      case "vote":
        return this.signAndSendVote(effect.vote);
      case "scheduleTimeout":
        return this.schedule(effect.durationMs, () =>
          this.onTimeout(effect.timeout, effect.height, effect.round),
        );
      case "decide":
        return this.decide(effect.height, effect.round, effect.value);
      case "equivocation":
        return this.reportEquivocation(effect.first, effect.second);
      case "missingValue":
        this.c.network.requestCatchup(effect.height);
        return;
    }
  }

  private schedule(ms: number, fn: () => Promise<void>): void {
    if (this.stopped) return;
    const t = setTimeout(() => {
      this.timers.delete(t);
      void this.enqueue(fn);
    }, ms);
    this.timers.add(t);
  }

  private async proposeValue(height: number, round: number): Promise<void> {
    if (height !== this.height || this.opts.self === null) return;
    const block =
      this.replayBlocks.get(`${height}/${round}`) ??
      (await this.c.chain.buildBlock(height, round, fromHex(this.opts.self)));
    const value = toHex(blockHash(block));
    this.blocks.set(value, block);
    await this.apply({ kind: "proposeValue", height, round, value });
  }

  private async signAndSendProposal(
    height: number,
    round: number,
    value: string,
    polRound: number,
  ): Promise<void> {
    const signer = this.c.signer;
    const block = this.blocks.get(value);
    if (!signer || !block || height !== this.height) return;
    const unsigned: Proposal = {
      height,
      round,
      polRound,
      blockHash: fromHex(value),
      timestamp: block.header.time,
      signature: new Uint8Array(),
    };
    const signature = await this.trySign(height, round, 1, proposalSignBytes(this.opts.chainId, unsigned));
    if (!signature) return;
    const msg: ProposalWithBlock = { proposal: { ...unsigned, signature }, block };
    // The WAL holds our own message before it leaves the process.
    if (!this.replaying) {
      await this.c.wal.write({ kind: "proposal", proposal: msg }, true);
      this.c.network.broadcastProposal(msg);
    }
    await this.onProposal(msg);
  }

  private async signAndSendVote(v: Omit<CoreVote, "validator">): Promise<void> {
    const signer = this.c.signer;
    const self = this.opts.self;
    if (!signer || self === null || v.height !== this.height) return;
    const found = findValidator(this.validators, self);
    if (!found) return;
    const type = v.kind === "prevote" ? VoteType.Prevote : VoteType.Precommit;
    const unsigned: Vote = {
      type,
      height: v.height,
      round: v.round,
      blockHash: v.value === null ? new Uint8Array() : fromHex(v.value),
      timestamp: 0n,
      validatorAddress: fromHex(self),
      validatorIndex: found.index,
      signature: new Uint8Array(),
    };
    const signature = await this.trySign(
      v.height,
      v.round,
      type + 1,
      voteSignBytes(this.opts.chainId, unsigned),
    );
    if (!signature) return;
    const vote: Vote = { ...unsigned, signature };
    if (!this.replaying) {
      await this.c.wal.write({ kind: "vote", vote }, true);
      this.c.network.broadcastVote(vote);
    }
    await this.onVote(vote);
  }

  private async trySign(
    height: number,
    round: number,
    step: number,
    signBytes: Uint8Array,
  ): Promise<Uint8Array | null> {
    try {
      return await this.c.signer!.sign({ height, round, step: step as 1 | 2 | 3, signBytes });
    } catch (e) {
      // The signer refuses anything that could be a double sign (e.g. after a crash lost the WAL tail).
      const level = this.replaying ? "debug" : "warn";
      this.log[level]({ height, round, step, err: (e as Error).message }, "signer refused");
      return null;
    }
  }

  private async decide(height: number, round: number, value: string): Promise<void> {
    if (height !== this.height || this.decided) return;
    const block = this.blocks.get(value);
    if (!block) {
      this.c.network.requestCatchup(height);
      return;
    }
    this.decided = true;
    this.decision = { height, round, hash: fromHex(value) };
    const commit = this.buildCommit(height, round, fromHex(value));
    this.c.events?.onDecide?.(height, round);
    this.log.info({ height, round, hash: value.toUpperCase(), txs: block.txs.length }, "committed block");
    const next = await this.c.chain.commitBlock(block, commit);
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    // CometBFT waits timeout_commit after a decision before the next height starts; with none, the
    // next height starts right after this input (a zero timer would still cost a timer tick).
    const enterNext = () => this.enterHeight(next.height, next.validators, true);
    if (this.opts.timeoutCommitMs > 0) this.schedule(this.opts.timeoutCommitMs, enterNext);
    else if (!this.stopped) void this.enqueue(enterNext);
  }

  private buildCommit(height: number, round: number, hash: Uint8Array): Commit {
    const signatures: CommitSig[] = this.validators.map((v) => {
      const vote = this.votes.get(`${VoteType.Precommit}/${round}/${v.address}`);
      if (!vote) {
        return {
          flag: BlockIdFlag.Absent,
          validatorAddress: new Uint8Array(),
          timestamp: 0n,
          signature: new Uint8Array(),
        };
      }
      const forBlock = equalBytes(vote.blockHash, hash);
      return {
        flag: forBlock ? BlockIdFlag.Commit : BlockIdFlag.Nil,
        validatorAddress: vote.validatorAddress,
        timestamp: vote.timestamp,
        signature: vote.signature,
      };
    });
    return { height, round, blockHash: hash, signatures };
  }

  private reportEquivocation(first: CoreVote, second: CoreVote): void {
    const type = first.kind === "prevote" ? VoteType.Prevote : VoteType.Precommit;
    const key = `${type}/${first.round}/${first.validator}`;
    const a = this.votes.get(key);
    const b = this.conflicts.get(key);
    const found = findValidator(this.validators, first.validator);
    if (!a || !b || !found) return;
    void second;
    const [voteA, voteB] = toHex(a.blockHash) < toHex(b.blockHash) ? [a, b] : [b, a];
    this.log.warn(
      { height: a.height, round: a.round, validator: first.validator },
      "duplicate vote detected",
    );
    this.c.chain.onEvidence({
      voteA,
      voteB,
      totalVotingPower: totalPower(this.validators),
      validatorPower: found.validator.power,
      timestamp: 0n,
    });
  }
}

function voteKey(v: Vote): string {
  return `${v.type}/${v.round}/${toHex(v.validatorAddress)}`;
}

function toCoreVote(v: Vote): CoreVote {
  return {
    kind: v.type === VoteType.Prevote ? "prevote" : "precommit",
    height: v.height,
    round: v.round,
    value: v.blockHash.length === 0 ? null : toHex(v.blockHash),
    validator: toHex(v.validatorAddress),
  };
}
