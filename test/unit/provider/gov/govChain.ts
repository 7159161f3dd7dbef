import assert from "node:assert/strict";
import { fromBech32 } from "@cosmjs/encoding";
import type { EncodeObject } from "@cosmjs/proto-signing";
import {
  QueryBalanceRequest,
  QueryBalanceResponse,
  QuerySupplyOfRequest,
  QuerySupplyOfResponse,
} from "cosmjs-types/cosmos/bank/v1beta1/query";
import type { Proposal } from "cosmjs-types/cosmos/gov/v1/gov";
import { QueryProposalRequest, QueryProposalResponse } from "cosmjs-types/cosmos/gov/v1/query";
import { MsgDeposit, MsgSubmitProposal, MsgVote } from "cosmjs-types/cosmos/gov/v1/tx";
import type { Any } from "cosmjs-types/google/protobuf/any";
import type { AppModule, BaseKeepers } from "../../../../app/index.ts";
import type { TxResult } from "../../../../consensus/index.ts";
import { type GovKeeper, govModule } from "../../../../provider/gov/index.ts";
import type { StakingKeeper } from "../../../../provider/staking/types.ts";
import { fundedAppState } from "../../../support/txSigner.ts";
import { ModuleTestChain, type TestAccount, testAccount } from "../helpers.ts";
import { FakeStaking } from "./fakeStaking.ts";

export const FUNDS = 1_000_000_000n;
export const SECOND = 1_000_000_000n;

/** Short devnet-style gov params: min deposit 1000stake, 10 s deposit and voting periods. */
export const TEST_PARAMS = {
  min_deposit: [{ denom: "stake", amount: "1000" }],
  max_deposit_period: "10s",
  voting_period: "10s",
};

/**
 * A chain of gov (plus, when given, other modules) over 4 funded accounts. With the fake staking
 * keeper: validator A = account 0 with 600 bonded tokens (account 0 self-delegates 500, account 2
 * delegates 100), validator B = account 1 with 400 (account 1: 300, account 3: 100); 1000 bonded.
 */
export class GovChain {
  readonly chain: ModuleTestChain;
  readonly accounts: readonly TestAccount[];
  readonly keeper: GovKeeper;
  private readonly seqs: bigint[];

  private constructor(chain: ModuleTestChain, accounts: readonly TestAccount[], keeper: GovKeeper) {
    this.chain = chain;
    this.accounts = accounts;
    this.keeper = keeper;
    this.seqs = accounts.map(() => 0n);
  }

  static async create(
    opts: {
      params?: Record<string, unknown>;
      staking?: (base: BaseKeepers) => { module?: AppModule; keeper: StakingKeeper };
      appState?: Record<string, unknown>;
    } = {},
  ): Promise<GovChain> {
    const accounts = await Promise.all([0, 1, 2, 3].map((i) => testAccount(i)));
    const bytes = accounts.map((a) => fromBech32(a.address, 1023).data);
    let keeper: GovKeeper | undefined;
    const modules = (base: BaseKeepers): AppModule[] => {
      let staking: { module?: AppModule; keeper: StakingKeeper };
      if (opts.staking) {
        staking = opts.staking(base);
      } else {
        const fake = new FakeStaking();
        fake.addValidator(bytes[0]!, 600n);
        fake.addValidator(bytes[1]!, 400n);
        fake.delegate(bytes[0]!, bytes[0]!, 500n * 10n ** 18n);
        fake.delegate(bytes[2]!, bytes[0]!, 100n * 10n ** 18n);
        fake.delegate(bytes[1]!, bytes[1]!, 300n * 10n ** 18n);
        fake.delegate(bytes[3]!, bytes[1]!, 100n * 10n ** 18n);
        staking = { keeper: fake };
      }
      const gov = govModule(base, staking.keeper);
      keeper = gov.keeper;
      return staking.module ? [gov.module, staking.module] : [gov.module];
    };
    const appState = {
      ...fundedAppState(
        accounts.map((a) => a.address),
        FUNDS,
      ),
      ...opts.appState,
      gov: { params: { ...TEST_PARAMS, ...opts.params } },
    };
    const chain = await ModuleTestChain.create(modules, appState);
    assert.ok(keeper);
    return new GovChain(chain, accounts, keeper);
  }

  addr(i: number): string {
    return this.accounts[i]!.address;
  }

  /** Signs and delivers `msgs` from account `i` in the next block. */
  async tx(i: number, msgs: EncodeObject[]): Promise<TxResult> {
    const res = await this.chain.tx(this.accounts[i]!, msgs, this.seqs[i]!);
    this.seqs[i]!++;
    return res;
  }

  async txOk(i: number, msgs: EncodeObject[]): Promise<TxResult> {
    const res = await this.tx(i, msgs);
    assert.equal(res.code, 0, res.log);
    return res;
  }

  /** Submits a v1 proposal from account `i` and returns its id (from the submit_proposal event). */
  async submit(
    i: number,
    deposit: bigint,
    messages: Any[] = [],
    metadata = "ipfs://proposal",
  ): Promise<bigint> {
    const res = await this.txOk(i, [
      {
        typeUrl: "/cosmos.gov.v1.MsgSubmitProposal",
        value: MsgSubmitProposal.fromPartial({
          messages,
          initialDeposit: deposit > 0n ? [{ denom: "stake", amount: deposit.toString() }] : [],
          proposer: this.addr(i),
          metadata,
          title: "a title",
          summary: "a summary",
        }),
      },
    ]);
    const ev = res.events.find(
      (e) => e.type === "submit_proposal" && e.attributes.some((a) => a.key === "proposal_id"),
    );
    return BigInt(ev!.attributes.find((a) => a.key === "proposal_id")!.value);
  }

  deposit(i: number, id: bigint, amount: bigint): Promise<TxResult> {
    return this.tx(i, [
      {
        typeUrl: "/cosmos.gov.v1.MsgDeposit",
        value: MsgDeposit.fromPartial({
          proposalId: id,
          depositor: this.addr(i),
          amount: [{ denom: "stake", amount: amount.toString() }],
        }),
      },
    ]);
  }

  vote(i: number, id: bigint, option: number): Promise<TxResult> {
    return this.tx(i, [
      {
        typeUrl: "/cosmos.gov.v1.MsgVote",
        value: MsgVote.fromPartial({ proposalId: id, voter: this.addr(i), option, metadata: "" }),
      },
    ]);
  }

  /** One block `seconds` after the last one. */
  advance(seconds: bigint) {
    return this.chain.block({ time: this.chain.time + seconds * SECOND });
  }

  async query(path: string, data: Uint8Array) {
    return this.chain.query(path, data);
  }

  async proposal(id: bigint): Promise<Proposal | undefined> {
    const res = await this.query(
      "/cosmos.gov.v1.Query/Proposal",
      QueryProposalRequest.encode({ proposalId: id }).finish(),
    );
    if (res.code === 22) return undefined;
    assert.equal(res.code, 0, res.log);
    return QueryProposalResponse.decode(res.value).proposal;
  }

  async balance(address: string): Promise<bigint> {
    const res = await this.query(
      "/cosmos.bank.v1beta1.Query/Balance",
      QueryBalanceRequest.encode({ address, denom: "stake" }).finish(),
    );
    return BigInt(QueryBalanceResponse.decode(res.value).balance!.amount);
  }

  async supply(): Promise<bigint> {
    const res = await this.query(
      "/cosmos.bank.v1beta1.Query/SupplyOf",
      QuerySupplyOfRequest.encode({ denom: "stake" }).finish(),
    );
    return BigInt(QuerySupplyOfResponse.decode(res.value).amount!.amount);
  }

  async invariants(): Promise<string[]> {
    return this.chain.app.checkInvariants();
  }
}
