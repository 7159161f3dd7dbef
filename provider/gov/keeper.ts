import {
  Deposit,
  Proposal,
  type TallyResult,
  Vote,
  type WeightedVoteOption,
} from "cosmjs-types/cosmos/gov/v1/gov";
import type { Any } from "cosmjs-types/google/protobuf/any";
import {
  type AppStore,
  addCoins,
  addressBytes,
  type BaseKeepers,
  bech32Address,
  type Coin,
  coinsFromWire,
  coinsToWire,
  decFromInt,
  decMul,
  decTruncate,
  event,
  formatCoins,
  type ModuleContext,
  moduleAddress,
  prefixEnd,
} from "../../app/index.ts";
import type { Event } from "../../consensus/index.ts";
import type { StakingKeeper } from "../staking/types.ts";
import { assertMetadataLength, isAllGte, optionsJson, validateDepositDenom } from "./checks.ts";
import {
  errInactiveProposal,
  errMinDepositTooSmall,
  errSummaryTooLong,
  errUnknownProposal,
} from "./errors.ts";
import {
  ACTIVE_QUEUE_PREFIX,
  DEPOSIT_PREFIX,
  depositKey,
  depositsPrefix,
  INACTIVE_QUEUE_PREFIX,
  NEXT_ID_KEY,
  PARAMS_KEY,
  PROPOSAL_PREFIX,
  proposalKey,
  queueKey,
  readU64,
  u64,
  voteKey,
  votesPrefix,
  votingKey,
} from "./keys.ts";
import { decodeParams, defaultGovParams, encodeParams, type GovParams } from "./params.ts";
import { checkProposalMsgs } from "./proposalMsgs.ts";
import { GOV_MODULE, MAX_SUMMARY_LEN, STATUS, timestampFromNs } from "./types.ts";

/** The tally of a proposal with nothing counted yet (v1.EmptyTallyResult). */
export const EMPTY_TALLY: TallyResult = {
  yesCount: "0",
  abstainCount: "0",
  noCount: "0",
  noWithVetoCount: "0",
};

export interface NewProposal {
  readonly messages: readonly Any[];
  readonly metadata: string;
  readonly title: string;
  readonly summary: string;
  readonly proposer: Uint8Array;
}

/**
 * x/gov's keeper (SDK 0.50 x/gov/keeper): params, proposals with their queues, deposits held by the gov
 * module account, votes. Reads take a store; writes take a module context for events and bank sends.
 */
export class GovKeeper {
  readonly base: BaseKeepers;
  readonly staking: StakingKeeper;
  /** The gov module account's address: the `authority` of every module's MsgUpdateParams. */
  readonly address: Uint8Array = moduleAddress(GOV_MODULE);

  constructor(base: BaseKeepers, staking: StakingKeeper) {
    this.base = base;
    this.staking = staking;
  }

  get prefix(): string {
    return this.base.auth.prefix;
  }

  /** The gov module address in bech32 (what MsgUpdateParams.authority must be). */
  get authority(): string {
    return bech32Address(this.address, this.prefix);
  }

  async getParams(store: AppStore): Promise<GovParams> {
    const raw = await store.get(PARAMS_KEY);
    return raw ? decodeParams(raw) : defaultGovParams;
  }

  setParams(store: AppStore, p: GovParams): void {
    store.set(PARAMS_KEY, encodeParams(p));
  }

  /** The id the next proposal gets (starting_proposal_id, 1 by default). */
  async nextProposalId(store: AppStore): Promise<bigint> {
    const raw = await store.get(NEXT_ID_KEY);
    return raw ? readU64(raw) : 1n;
  }

  setNextProposalId(store: AppStore, id: bigint): void {
    store.set(NEXT_ID_KEY, u64(id));
  }

  async getProposal(store: AppStore, id: bigint): Promise<Proposal | undefined> {
    const raw = await store.get(proposalKey(id));
    return raw ? Proposal.decode(raw) : undefined;
  }

  /** Stores a proposal and keeps the voting-period marker in step with its status (the SDK's SetProposal). */
  setProposal(store: AppStore, p: Proposal): void {
    if (p.status === STATUS.voting) store.set(votingKey(p.id), Uint8Array.of(1));
    else store.delete(votingKey(p.id));
    store.set(proposalKey(p.id), Proposal.encode(p).finish());
  }

  /** Removes a proposal, its queue entries and its voting marker (the SDK's DeleteProposal). */
  deleteProposal(store: AppStore, p: Proposal): void {
    if (p.depositEndTime) store.delete(queueKey(INACTIVE_QUEUE_PREFIX, nsOf(p.depositEndTime), p.id));
    if (p.votingEndTime) {
      store.delete(queueKey(ACTIVE_QUEUE_PREFIX, nsOf(p.votingEndTime), p.id));
      store.delete(votingKey(p.id));
    }
    store.delete(proposalKey(p.id));
  }

  /** Whether the proposal is in its voting period (the SDK's VotingPeriodProposals.Has). */
  async inVotingPeriod(store: AppStore, id: bigint): Promise<boolean> {
    return (await store.get(votingKey(id))) !== undefined;
  }

  /** Every proposal, by id. */
  async proposals(store: AppStore): Promise<Proposal[]> {
    const out: Proposal[] = [];
    for await (const [, v] of store.iterate({ gte: PROPOSAL_PREFIX, lt: prefixEnd(PROPOSAL_PREFIX) })) {
      out.push(Proposal.decode(v));
    }
    return out;
  }

  async getDeposit(store: AppStore, id: bigint, depositor: Uint8Array): Promise<Deposit | undefined> {
    const raw = await store.get(depositKey(id, depositor));
    return raw ? Deposit.decode(raw) : undefined;
  }

  /** A proposal's deposits, by depositor address bytes. */
  async deposits(store: AppStore, id: bigint): Promise<Deposit[]> {
    const prefix = depositsPrefix(id);
    const out: Deposit[] = [];
    for await (const [, v] of store.iterate({ gte: prefix, lt: prefixEnd(prefix) }))
      out.push(Deposit.decode(v));
    return out;
  }

  /** Every deposit of every proposal (for the invariant). */
  async allDeposits(store: AppStore): Promise<Deposit[]> {
    const out: Deposit[] = [];
    for await (const [, v] of store.iterate({ gte: DEPOSIT_PREFIX, lt: prefixEnd(DEPOSIT_PREFIX) })) {
      out.push(Deposit.decode(v));
    }
    return out;
  }

  async getVote(store: AppStore, id: bigint, voter: Uint8Array): Promise<Vote | undefined> {
    const raw = await store.get(voteKey(id, voter));
    return raw ? Vote.decode(raw) : undefined;
  }

  /** A proposal's votes, by voter address bytes. */
  async votes(store: AppStore, id: bigint): Promise<Vote[]> {
    const prefix = votesPrefix(id);
    const out: Vote[] = [];
    for await (const [, v] of store.iterate({ gte: prefix, lt: prefixEnd(prefix) })) out.push(Vote.decode(v));
    return out;
  }

  /**
   * The SDK's Keeper.SubmitProposal: length checks, the proposal's messages checked (see
   * proposalMsgs.ts), a new proposal in its deposit period queued by deposit end time, `submit_proposal`.
   */
  async submitProposal(ctx: ModuleContext, np: NewProposal): Promise<Proposal> {
    assertMetadataLength(np.metadata);
    if (np.summary.length > MAX_SUMMARY_LEN) {
      throw errSummaryTooLong(`got summary with length ${np.summary.length}`);
    }
    assertMetadataLength(np.title);
    checkProposalMsgs(ctx, np.messages, this.authority);
    const store = ctx.store;
    const params = await this.getParams(store);
    const id = await this.nextProposalId(store);
    this.setNextProposalId(store, id + 1n);
    const submit = ctx.block.time;
    const depositEnd = submit + params.maxDepositPeriod;
    const proposal: Proposal = {
      id,
      messages: [...np.messages],
      status: STATUS.deposit,
      finalTallyResult: EMPTY_TALLY,
      submitTime: timestampFromNs(submit),
      depositEndTime: timestampFromNs(depositEnd),
      totalDeposit: [],
      metadata: np.metadata,
      title: np.title,
      summary: np.summary,
      proposer: bech32Address(np.proposer, this.prefix),
      expedited: false,
      failedReason: "",
    };
    this.setProposal(store, proposal);
    store.set(queueKey(INACTIVE_QUEUE_PREFIX, depositEnd, id), u64(id));
    ctx.events.push(
      event("submit_proposal", [
        ["proposal_id", id.toString()],
        ["proposal_messages", np.messages.map((m) => m.typeUrl).join(",")],
      ]),
    );
    return proposal;
  }

  /**
   * The SDK's AddDeposit: the proposal must be in its deposit or voting period, the coins in min_deposit
   * denoms and (min_deposit_ratio) at least that share of min_deposit in one denom; the coins move to
   * the gov account and the proposal enters voting when its total reaches min_deposit. Returns whether
   * it did.
   */
  async addDeposit(
    ctx: ModuleContext,
    id: bigint,
    depositor: Uint8Array,
    amount: readonly Coin[],
  ): Promise<boolean> {
    const store = ctx.store;
    const proposal = await this.getProposal(store, id);
    // SDK 0.50 returns collections.ErrNotFound here (code 1); icsd reports the registered ErrUnknownProposal.
    if (!proposal) throw errUnknownProposal(`${id}`);
    if (proposal.status !== STATUS.deposit && proposal.status !== STATUS.voting) {
      throw errInactiveProposal(`${id}`);
    }
    const params = await this.getParams(store);
    const minDeposit = params.minDeposit;
    validateDepositDenom(params, amount);
    if (params.minDepositRatio !== 0n) {
      let met = false;
      const thresholds: string[] = [];
      for (const min of minDeposit) {
        const threshold = decTruncate(decMul(decFromInt(min.amount), params.minDepositRatio));
        thresholds.push(`${threshold}${min.denom}`);
        const d = amount.find((c) => c.denom === min.denom);
        if (!d) continue;
        if (d.amount >= threshold) {
          met = true;
          break;
        }
      }
      if (!met) {
        throw errMinDepositTooSmall(
          `received ${formatCoins(amount)} but need at least one of the following: ${thresholds.join(",")}`,
        );
      }
    }
    await this.base.bank.sendFromAccountToModule(store, depositor, GOV_MODULE, amount, ctx.events);
    const total = addCoins(coinsFromWire(proposal.totalDeposit), amount);
    let updated: Proposal = { ...proposal, totalDeposit: coinsToWire(total) };
    this.setProposal(store, updated);
    let activated = false;
    if (updated.status === STATUS.deposit && isAllGte(total, minDeposit)) {
      updated = await this.activateVotingPeriod(ctx, updated, params);
      activated = true;
    }
    const existing = await this.getDeposit(store, id, depositor);
    const depositorStr = bech32Address(depositor, this.prefix);
    const deposit: Deposit = existing
      ? { ...existing, amount: coinsToWire(addCoins(coinsFromWire(existing.amount), amount)) }
      : { proposalId: id, depositor: depositorStr, amount: coinsToWire(amount) };
    ctx.events.push(
      event("proposal_deposit", [
        ["depositor", depositorStr],
        ["amount", formatCoins(amount)],
        ["proposal_id", id.toString()],
      ]),
    );
    store.set(depositKey(id, depositor), Deposit.encode(deposit).finish());
    return activated;
  }

  /** Moves a proposal into its voting period at the block time (the SDK's ActivateVotingPeriod). */
  async activateVotingPeriod(ctx: ModuleContext, p: Proposal, params: GovParams): Promise<Proposal> {
    const start = ctx.block.time;
    const end = start + params.votingPeriod;
    const updated: Proposal = {
      ...p,
      votingStartTime: timestampFromNs(start),
      votingEndTime: timestampFromNs(end),
      status: STATUS.voting,
    };
    this.setProposal(ctx.store, updated);
    if (p.depositEndTime) ctx.store.delete(queueKey(INACTIVE_QUEUE_PREFIX, nsOf(p.depositEndTime), p.id));
    ctx.store.set(queueKey(ACTIVE_QUEUE_PREFIX, end, p.id), u64(p.id));
    return updated;
  }

  /**
   * The SDK's AddVote: only a proposal in its voting period takes votes (anything else, unknown ids
   * included, is ErrInactiveProposal); a new vote replaces the voter's previous one.
   */
  async addVote(
    ctx: ModuleContext,
    id: bigint,
    voter: Uint8Array,
    options: readonly WeightedVoteOption[],
    metadata: string,
  ): Promise<void> {
    if (!(await this.inVotingPeriod(ctx.store, id))) throw errInactiveProposal(`${id}`);
    assertMetadataLength(metadata);
    const voterStr = bech32Address(voter, this.prefix);
    const vote: Vote = { proposalId: id, voter: voterStr, options: [...options], metadata };
    ctx.store.set(voteKey(id, voter), Vote.encode(vote).finish());
    ctx.events.push(
      event("proposal_vote", [
        ["voter", voterStr],
        ["option", optionsJson(options)],
        ["proposal_id", id.toString()],
      ]),
    );
  }

  /** Pays every deposit of a proposal back to its depositor and deletes it (RefundAndDeleteDeposits). */
  async refundAndDeleteDeposits(store: AppStore, id: bigint, events: Event[]): Promise<void> {
    for (const d of await this.deposits(store, id)) {
      const depositor = addressBytes(d.depositor, this.prefix);
      await this.base.bank.sendFromModuleToAccount(
        store,
        GOV_MODULE,
        depositor,
        coinsFromWire(d.amount),
        events,
      );
      store.delete(depositKey(id, depositor));
    }
  }

  /** Burns every deposit of a proposal from the gov account and deletes them (DeleteAndBurnDeposits). */
  async deleteAndBurnDeposits(store: AppStore, id: bigint, events: Event[]): Promise<void> {
    let burn: Coin[] = [];
    for (const d of await this.deposits(store, id)) {
      burn = addCoins(burn, coinsFromWire(d.amount));
      store.delete(depositKey(id, addressBytes(d.depositor, this.prefix)));
    }
    if (burn.length > 0) await this.base.bank.burnCoins(store, GOV_MODULE, burn, events);
  }
}

function nsOf(t: { seconds: bigint; nanos: number }): bigint {
  return t.seconds * 1_000_000_000n + BigInt(t.nanos);
}
