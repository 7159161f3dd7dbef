import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fromBech32 } from "@cosmjs/encoding";
import { ProposalStatus, VoteOption } from "cosmjs-types/cosmos/gov/v1/gov";
import { MsgUpdateParams } from "cosmjs-types/cosmos/gov/v1/tx";
import type { Any } from "cosmjs-types/google/protobuf/any";
import {
  AuthKeeper,
  BankKeeper,
  type CacheStore,
  decFromString,
  type ModuleContext,
  MsgRouter,
} from "../../../../app/index.ts";
import {
  defaultGovParams,
  govEndBlock,
  govModule,
  paramsFromJson,
  paramsToProto,
  tallyProposal,
  validateParams,
} from "../../../../provider/gov/index.ts";
import { memoryStore, testAccount } from "../helpers.ts";
import { FakeStaking } from "./fakeStaking.ts";
import { GovChain } from "./govChain.ts";

const SECOND = 1_000_000_000n;
const T0 = 1_000n * SECOND;

async function setup() {
  const accounts = await Promise.all([0, 1, 2].map((i) => testAccount(i)));
  const addr = accounts.map((a) => fromBech32(a.address, 1023).data);
  const auth = new AuthKeeper("cosmos");
  const bank = new BankKeeper(auth, []);
  const staking = new FakeStaking();
  const { module, keeper } = govModule({ auth, bank }, staking);
  const router = new MsgRouter("cosmos", module.msgs ?? []);
  const store = memoryStore();
  for (const a of addr) await bank.mint(store, a, [{ denom: "stake", amount: 1_000_000n }]);
  keeper.setParams(store, {
    ...defaultGovParams,
    minDeposit: [{ denom: "stake", amount: 1000n }],
    maxDepositPeriod: 10n * SECOND,
    votingPeriod: 10n * SECOND,
    expeditedVotingPeriod: 5n * SECOND,
  });
  /** A context whose runMsg runs on the context it is called on (so gov's branch takes the writes). */
  const ctx = (s: CacheStore, time: bigint): ModuleContext => ({
    store: s,
    events: [],
    block: { chainId: "unit-1", height: 1, time },
    runMsg(this: ModuleContext, msg: Any, signer: string) {
      return router.run(this, msg, signer);
    },
  });
  return { accounts, addr, bank, staking, keeper, store, ctx };
}

function updateParams(authority: string, change: Partial<ReturnType<typeof paramsToProto>>): Any {
  const params = {
    ...paramsToProto({
      ...defaultGovParams,
      minDeposit: [{ denom: "stake", amount: 1000n }],
      maxDepositPeriod: 10n * SECOND,
      votingPeriod: 10n * SECOND,
      expeditedVotingPeriod: 5n * SECOND,
    }),
    ...change,
  };
  return {
    typeUrl: "/cosmos.gov.v1.MsgUpdateParams",
    value: MsgUpdateParams.encode({ authority, params }).finish(),
  };
}

const yes = [{ option: VoteOption.VOTE_OPTION_YES, weight: "1.000000000000000000" }];

describe("x/gov keeper", () => {
  it("runs a passed proposal's messages atomically: a later failure discards earlier writes", async () => {
    const { addr, staking, keeper, store, ctx } = await setup();
    staking.addValidator(addr[0]!, 100n);
    staking.delegate(addr[0]!, addr[0]!, decFromString("100"));
    const c = ctx(store, T0);
    const p = await keeper.submitProposal(c, {
      messages: [
        updateParams(keeper.authority, { votingPeriod: { seconds: 30n, nanos: 0 } }),
        updateParams(keeper.authority, { quorum: "1.500000000000000000" }),
      ],
      metadata: "",
      title: "t",
      summary: "s",
      proposer: addr[0]!,
    });
    assert.equal(await keeper.addDeposit(c, p.id, addr[0]!, [{ denom: "stake", amount: 1000n }]), true);
    await keeper.addVote(c, p.id, addr[0]!, yes, "");
    const end = ctx(store, T0 + 10n * SECOND);
    await govEndBlock(keeper, end);
    const after = (await keeper.getProposal(store, p.id))!;
    assert.equal(after.status, ProposalStatus.PROPOSAL_STATUS_FAILED);
    assert.equal(after.failedReason, "quorom too large: 1.500000000000000000");
    // The first message's write (voting period 30 s) was on the discarded branch.
    assert.equal((await keeper.getParams(store)).votingPeriod, 10n * SECOND);
    // The votes were consumed by the tally, as the SDK's Tally removes them.
    assert.deepEqual(await keeper.votes(store, p.id), []);
  });

  it("writes all messages of a passing proposal and keeps their events", async () => {
    const { addr, staking, keeper, store, ctx } = await setup();
    staking.addValidator(addr[0]!, 100n);
    staking.delegate(addr[0]!, addr[0]!, decFromString("100"));
    const c = ctx(store, T0);
    const p = await keeper.submitProposal(c, {
      messages: [
        updateParams(keeper.authority, { votingPeriod: { seconds: 30n, nanos: 0 } }),
        updateParams(keeper.authority, { votingPeriod: { seconds: 40n, nanos: 0 } }),
      ],
      metadata: "",
      title: "t",
      summary: "s",
      proposer: addr[0]!,
    });
    await keeper.addDeposit(c, p.id, addr[0]!, [{ denom: "stake", amount: 1000n }]);
    await keeper.addVote(c, p.id, addr[0]!, yes, "");
    await govEndBlock(keeper, ctx(store, T0 + 10n * SECOND));
    assert.equal((await keeper.getProposal(store, p.id))!.status, ProposalStatus.PROPOSAL_STATUS_PASSED);
    assert.equal((await keeper.getParams(store)).votingPeriod, 40n * SECOND);
  });

  it("tallies by shares × tokens / delegator shares with weighted options (LegacyDec, truncated counts)", async () => {
    const { addr, staking, keeper, store, ctx } = await setup();
    // A slashed validator: 1000 tokens for 1500 shares; delegator 1 holds 300 shares (200 tokens).
    staking.addValidator(addr[0]!, 1000n, decFromString("1500"));
    staking.delegate(addr[0]!, addr[0]!, decFromString("1200"));
    staking.delegate(addr[1]!, addr[0]!, decFromString("300"));
    const c = ctx(store, T0);
    const p = await keeper.submitProposal(c, {
      messages: [],
      metadata: "m",
      title: "t",
      summary: "s",
      proposer: addr[0]!,
    });
    await keeper.addDeposit(c, p.id, addr[0]!, [{ denom: "stake", amount: 1000n }]);
    await keeper.addVote(c, p.id, addr[0]!, yes, "");
    await keeper.addVote(
      c,
      p.id,
      addr[1]!,
      [
        { option: VoteOption.VOTE_OPTION_NO, weight: "0.333333333333333333" },
        { option: VoteOption.VOTE_OPTION_ABSTAIN, weight: "0.666666666666666667" },
      ],
      "",
    );
    const proposal = (await keeper.getProposal(store, p.id))!;
    const live = await tallyProposal(keeper, store, proposal, false);
    // Validator: (1500 - 300) × 1000 / 1500 = 800 yes; delegator 200: 66.67 no, 133.33 abstain.
    assert.deepEqual(live.tally, {
      yesCount: "800",
      abstainCount: "133",
      noCount: "66",
      noWithVetoCount: "0",
    });
    assert.equal(live.passes, true);
    assert.equal((await keeper.votes(store, p.id)).length, 2, "a live tally keeps the votes");
  });

  it("counts nothing for validators that are not bonded and fails with no bonded stake", async () => {
    const { addr, keeper, store, ctx } = await setup();
    const c = ctx(store, T0);
    const p = await keeper.submitProposal(c, {
      messages: [],
      metadata: "m",
      title: "t",
      summary: "s",
      proposer: addr[0]!,
    });
    await keeper.addDeposit(c, p.id, addr[0]!, [{ denom: "stake", amount: 1000n }]);
    await keeper.addVote(c, p.id, addr[0]!, yes, "");
    const out = await tallyProposal(keeper, store, (await keeper.getProposal(store, p.id))!, false);
    assert.deepEqual([out.passes, out.burnDeposits], [false, false]);
    assert.equal(out.tally.yesCount, "0");
  });
});

describe("x/gov genesis params", () => {
  it("refuses invalid params and keeps defaults for left-out fields", async () => {
    const p = paramsFromJson({ voting_period: "20s", quorum: "0.4" });
    assert.equal(p.votingPeriod, 20n * SECOND);
    assert.equal(p.expeditedVotingPeriod, 10n * SECOND, "follows a short voting period");
    assert.equal(p.quorum, decFromString("0.4"));
    assert.equal(p.minDepositRatio, decFromString("0.01"));
    validateParams(p, "cosmos");
    assert.throws(() => validateParams(paramsFromJson({ quorum: "1.5" }), "cosmos"), /quorom too large/);
    assert.throws(() => paramsFromJson({ voting_period: "20" }), /invalid duration/);
    await assert.rejects(
      GovChain.create({ params: { quorum: "1.5" } }),
      (e: Error & { code?: number; codespace?: string }) => e.codespace === "gov" && e.code === 8,
    );
  });
});
