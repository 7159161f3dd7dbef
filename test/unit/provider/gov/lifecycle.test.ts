import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ProposalStatus, VoteOption } from "cosmjs-types/cosmos/gov/v1/gov";
import { QueryParamsRequest, QueryParamsResponse } from "cosmjs-types/cosmos/gov/v1/query";
import { MsgUpdateParams } from "cosmjs-types/cosmos/gov/v1/tx";
import type { Any } from "cosmjs-types/google/protobuf/any";
import { defaultGovParams, paramsToProto } from "../../../../provider/gov/index.ts";
import { FUNDS, GovChain } from "./govChain.ts";

const { YES, NO, NO_WITH_VETO } = {
  YES: VoteOption.VOTE_OPTION_YES,
  NO: VoteOption.VOTE_OPTION_NO,
  NO_WITH_VETO: VoteOption.VOTE_OPTION_NO_WITH_VETO,
};

function updateParamsMsg(authority: string, change: Partial<ReturnType<typeof paramsToProto>>): Any {
  const params = {
    ...paramsToProto({ ...defaultGovParams, minDeposit: [{ denom: "stake", amount: 1000n }] }),
    maxDepositPeriod: { seconds: 10n, nanos: 0 },
    votingPeriod: { seconds: 10n, nanos: 0 },
    expeditedVotingPeriod: { seconds: 5n, nanos: 0 },
    ...change,
  };
  return {
    typeUrl: "/cosmos.gov.v1.MsgUpdateParams",
    value: MsgUpdateParams.encode({ authority, params }).finish(),
  };
}

async function govParams(g: GovChain) {
  const res = await g.query(
    "/cosmos.gov.v1.Query/Params",
    QueryParamsRequest.encode({ paramsType: "" }).finish(),
  );
  assert.equal(res.code, 0, res.log);
  return QueryParamsResponse.decode(res.value).params!;
}

describe("x/gov proposal lifecycle", () => {
  it("submit -> deposit -> voting -> passes; deposits refunded; final tally recorded", async () => {
    const g = await GovChain.create();
    const id = await g.submit(0, 500n);
    assert.equal(id, 1n);
    let p = (await g.proposal(id))!;
    assert.equal(p.status, ProposalStatus.PROPOSAL_STATUS_DEPOSIT_PERIOD);
    assert.deepEqual(p.totalDeposit, [{ denom: "stake", amount: "500" }]);
    assert.equal(await g.balance(g.keeper.authority), 500n);

    const dep = await g.deposit(1, id, 500n);
    assert.equal(dep.code, 0, dep.log);
    assert.ok(
      dep.events.some((e) => e.type === "proposal_deposit" && e.attributes[0]!.key === "voting_period_start"),
    );
    p = (await g.proposal(id))!;
    assert.equal(p.status, ProposalStatus.PROPOSAL_STATUS_VOTING_PERIOD);
    assert.equal(p.votingEndTime!.seconds - p.votingStartTime!.seconds, 10n);

    const v0 = await g.vote(0, id, YES);
    assert.equal(v0.code, 0, v0.log);
    const ev = v0.events.find((e) => e.type === "proposal_vote")!;
    assert.deepEqual(ev.attributes.map((a) => [a.key, a.value]).slice(0, 3), [
      ["voter", g.addr(0)],
      ["option", '[{"option":1,"weight":"1.000000000000000000"}]'],
      ["proposal_id", "1"],
    ]);
    assert.equal((await g.vote(1, id, YES)).code, 0);
    assert.deepEqual(await g.invariants(), []);

    const end = await g.advance(20n);
    const active = end.events.find((e) => e.type === "active_proposal")!;
    assert.deepEqual(
      active.attributes.map((a) => [a.key, a.value]),
      [
        ["proposal_id", "1"],
        ["proposal_result", "proposal_passed"],
        ["proposal_log", "passed"],
      ],
    );
    p = (await g.proposal(id))!;
    assert.equal(p.status, ProposalStatus.PROPOSAL_STATUS_PASSED);
    assert.deepEqual(p.finalTallyResult, {
      yesCount: "1000",
      abstainCount: "0",
      noCount: "0",
      noWithVetoCount: "0",
    });
    assert.equal(await g.balance(g.keeper.authority), 0n);
    // Account 1 paid its deposit back; only fees (none here) would differ.
    assert.equal(await g.balance(g.addr(1)), FUNDS);
    assert.deepEqual(await g.invariants(), []);
  });

  it("rejects a proposal nobody votes on (no quorum) and refunds the deposits", async () => {
    const g = await GovChain.create();
    const id = await g.submit(0, 1000n);
    assert.equal((await g.proposal(id))!.status, ProposalStatus.PROPOSAL_STATUS_VOTING_PERIOD);
    const end = await g.advance(11n);
    assert.ok(
      end.events.some((e) => e.type === "active_proposal" && e.attributes[1]!.value === "proposal_rejected"),
    );
    const p = (await g.proposal(id))!;
    assert.equal(p.status, ProposalStatus.PROPOSAL_STATUS_REJECTED);
    assert.equal(await g.balance(g.addr(0)), FUNDS);
  });

  it("rejects below quorum: account 3's 100 of 1000 bonded is 10% < 33.4%", async () => {
    const g = await GovChain.create();
    const id = await g.submit(0, 1000n);
    assert.equal((await g.vote(3, id, YES)).code, 0);
    await g.advance(11n);
    const p = (await g.proposal(id))!;
    assert.equal(p.status, ProposalStatus.PROPOSAL_STATUS_REJECTED);
    assert.equal(p.finalTallyResult!.yesCount, "100");
    assert.equal(await g.balance(g.addr(0)), FUNDS);
  });

  it("vetoes: no_with_veto above 1/3 rejects and burns the deposits", async () => {
    const g = await GovChain.create();
    const id = await g.submit(0, 1000n);
    // (Queries read committed state: the supply is known from the first block on.)
    const supply = await g.supply();
    assert.equal((await g.vote(0, id, NO_WITH_VETO)).code, 0);
    assert.equal((await g.vote(1, id, YES)).code, 0);
    await g.advance(11n);
    const p = (await g.proposal(id))!;
    assert.equal(p.status, ProposalStatus.PROPOSAL_STATUS_REJECTED);
    assert.equal(p.finalTallyResult!.noWithVetoCount, "600");
    assert.equal(await g.balance(g.addr(0)), FUNDS - 1000n);
    assert.equal(await g.supply(), supply - 1000n);
    assert.deepEqual(await g.invariants(), []);
  });

  it("a delegator's vote overrides its validator's for its own stake", async () => {
    const g = await GovChain.create();
    const id = await g.submit(0, 1000n);
    // Validator A (600) votes yes, its delegator account 2 (100) votes no, validator B (400) votes no.
    assert.equal((await g.vote(0, id, YES)).code, 0);
    assert.equal((await g.vote(2, id, NO)).code, 0);
    assert.equal((await g.vote(1, id, NO)).code, 0);
    await g.advance(11n);
    const p = (await g.proposal(id))!;
    assert.deepEqual(p.finalTallyResult, {
      yesCount: "500",
      abstainCount: "0",
      noCount: "500",
      noWithVetoCount: "0",
    });
    // 500 / 1000 is not above the 0.5 threshold.
    assert.equal(p.status, ProposalStatus.PROPOSAL_STATUS_REJECTED);
  });

  it("executes a passed MsgUpdateParams: the new params are visible", async () => {
    const g = await GovChain.create();
    const msg = updateParamsMsg(g.keeper.authority, { votingPeriod: { seconds: 30n, nanos: 0 } });
    const id = await g.submit(0, 1000n, [msg], "");
    assert.equal((await g.vote(0, id, YES)).code, 0);
    await g.advance(11n);
    const p = (await g.proposal(id))!;
    assert.equal(p.status, ProposalStatus.PROPOSAL_STATUS_PASSED, p.failedReason);
    assert.equal((await govParams(g)).votingPeriod!.seconds, 30n);
    // The next proposal uses the new voting period.
    const id2 = await g.submit(1, 1000n);
    const p2 = (await g.proposal(id2))!;
    assert.equal(p2.votingEndTime!.seconds - p2.votingStartTime!.seconds, 30n);
  });

  it("a passed proposal whose message fails ends failed, changes nothing and still refunds", async () => {
    const g = await GovChain.create();
    // A quorum above 1 fails Params.ValidateBasic at execution.
    const msg = updateParamsMsg(g.keeper.authority, { quorum: "1.500000000000000000" });
    const id = await g.submit(0, 1000n, [msg], "");
    assert.equal((await g.vote(0, id, YES)).code, 0);
    const end = await g.advance(11n);
    const p = (await g.proposal(id))!;
    assert.equal(p.status, ProposalStatus.PROPOSAL_STATUS_FAILED);
    assert.equal(p.failedReason, "quorom too large: 1.500000000000000000");
    const active = end.events.find((e) => e.type === "active_proposal")!;
    assert.equal(active.attributes[1]!.value, "proposal_failed");
    assert.match(
      active.attributes[2]!.value,
      /^passed, but msg 0 \(\/cosmos.gov.v1.MsgUpdateParams\) failed/,
    );
    assert.equal((await govParams(g)).quorum, "0.334000000000000000");
    assert.equal(await g.balance(g.addr(0)), FUNDS);
    assert.deepEqual(await g.invariants(), []);
  });

  it("a deposit period that ends short of min_deposit deletes the proposal and refunds", async () => {
    const g = await GovChain.create();
    const id = await g.submit(0, 100n);
    await g.advance(5n);
    assert.ok(await g.proposal(id));
    const end = await g.advance(6n);
    assert.ok(
      end.events.some((e) => e.type === "inactive_proposal" && e.attributes[1]!.value === "proposal_dropped"),
    );
    assert.equal(await g.proposal(id), undefined);
    assert.equal(await g.balance(g.addr(0)), FUNDS);
    assert.deepEqual(await g.invariants(), []);
  });

  it("burns expired deposits when burn_proposal_deposit_prevote", async () => {
    const g = await GovChain.create({ params: { burn_proposal_deposit_prevote: true } });
    await g.submit(0, 100n);
    const supply = await g.supply();
    await g.advance(11n);
    assert.equal(await g.supply(), supply - 100n);
    assert.equal(await g.balance(g.addr(0)), FUNDS - 100n);
  });

  it("refuses votes on closed and unknown proposals with ErrInactiveProposal, changing nothing", async () => {
    const g = await GovChain.create();
    const id = await g.submit(0, 1000n);
    assert.equal((await g.vote(0, id, YES)).code, 0);
    await g.advance(11n);
    const before = await g.proposal(id);
    assert.equal(before!.status, ProposalStatus.PROPOSAL_STATUS_PASSED);

    const closed = await g.vote(1, id, NO);
    assert.equal(closed.codespace, "gov");
    assert.equal(closed.code, 3);
    assert.equal(closed.log, "failed to execute message; message index: 0: 1: inactive proposal");
    const unknown = await g.vote(1, 99n, NO);
    assert.equal(unknown.codespace, "gov");
    assert.equal(unknown.code, 3);
    assert.deepEqual(await g.proposal(id), before);

    const depClosed = await g.deposit(1, id, 10n);
    assert.equal(depClosed.code, 3);
    const depUnknown = await g.deposit(1, 99n, 10n);
    assert.equal(depUnknown.codespace, "gov");
    assert.equal(depUnknown.code, 2);
    assert.equal(depUnknown.log, "failed to execute message; message index: 0: 99: unknown proposal");
    assert.equal(await g.balance(g.addr(1)), FUNDS);
    assert.equal(await g.balance(g.keeper.authority), 0n);
  });

  it("refuses an invalid vote option (code 7) and a too small deposit (code 16)", async () => {
    const g = await GovChain.create();
    const id = await g.submit(0, 100n);
    const bad = await g.vote(1, id, 0);
    assert.equal(bad.code, 7);
    assert.match(bad.log, /VOTE_OPTION_UNSPECIFIED: invalid vote option$/);
    // min_deposit_ratio 0.01 of 1000stake: at least 10stake per deposit.
    const small = await g.deposit(1, id, 9n);
    assert.equal(small.code, 16);
    assert.match(small.log, /received 9stake but need at least one of the following: 10stake/);
  });

  it("refuses proposal messages not signed by gov, and MsgUpdateParams from anyone else", async () => {
    const g = await GovChain.create();
    const res = await g.tx(0, [
      {
        typeUrl: "/cosmos.gov.v1.MsgSubmitProposal",
        value: {
          messages: [updateParamsMsg(g.addr(0), {})],
          initialDeposit: [{ denom: "stake", amount: "1000" }],
          proposer: g.addr(0),
          metadata: "",
          title: "t",
          summary: "s",
          expedited: false,
        },
      },
    ]);
    assert.equal(res.code, 13);
    assert.equal(res.codespace, "gov");
    const direct = await g.tx(0, [
      {
        typeUrl: "/cosmos.gov.v1.MsgUpdateParams",
        value: MsgUpdateParams.decode(updateParamsMsg(g.addr(0), {}).value),
      },
    ]);
    assert.equal(direct.code, 13);
    assert.match(direct.log, /invalid authority; expected cosmos1/);
  });
});
