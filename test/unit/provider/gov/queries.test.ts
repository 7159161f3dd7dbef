import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ProposalStatus, VoteOption } from "cosmjs-types/cosmos/gov/v1/gov";
import * as q1 from "cosmjs-types/cosmos/gov/v1/query";
import { MsgVoteWeighted } from "cosmjs-types/cosmos/gov/v1/tx";
import { TextProposal } from "cosmjs-types/cosmos/gov/v1beta1/gov";
import * as qb from "cosmjs-types/cosmos/gov/v1beta1/query";
import { MsgSubmitProposal as MsgSubmitProposalV1beta1 } from "cosmjs-types/cosmos/gov/v1beta1/tx";
import { GovChain } from "./govChain.ts";

async function ok<T>(g: GovChain, path: string, data: Uint8Array, decode: (b: Uint8Array) => T): Promise<T> {
  const res = await g.query(path, data);
  assert.equal(res.code, 0, res.log);
  return decode(res.value);
}

/** A v1beta1 TextProposal submission, as CosmJS's legacy gov helpers send it. */
async function submitText(g: GovChain, i: number, deposit: string): Promise<bigint> {
  const res = await g.txOk(i, [
    {
      typeUrl: "/cosmos.gov.v1beta1.MsgSubmitProposal",
      value: MsgSubmitProposalV1beta1.fromPartial({
        content: {
          typeUrl: "/cosmos.gov.v1beta1.TextProposal",
          value: TextProposal.encode({ title: "Text", description: "A text proposal" }).finish(),
        },
        initialDeposit: [{ denom: "stake", amount: deposit }],
        proposer: g.addr(i),
      }),
    },
  ]);
  const ev = res.events.find((e) => e.type === "submit_proposal" && e.attributes[0]!.key === "proposal_id")!;
  assert.equal(ev.attributes[1]!.value, "/cosmos.gov.v1.MsgExecLegacyContent");
  return BigInt(ev.attributes[0]!.value);
}

describe("x/gov queries", () => {
  it("serves a v1beta1 TextProposal through the v1beta1 and v1 queries, and executes it when passed", async () => {
    const g = await GovChain.create();
    const id = await submitText(g, 0, "1000");
    const legacy = await ok(
      g,
      "/cosmos.gov.v1beta1.Query/Proposal",
      qb.QueryProposalRequest.encode({ proposalId: id }).finish(),
      (b) => qb.QueryProposalResponse.decode(b).proposal,
    );
    assert.equal(legacy.content!.typeUrl, "/cosmos.gov.v1beta1.TextProposal");
    assert.deepEqual(TextProposal.decode(legacy.content!.value), {
      title: "Text",
      description: "A text proposal",
    });
    assert.equal(legacy.status as number, ProposalStatus.PROPOSAL_STATUS_VOTING_PERIOD);
    assert.deepEqual(legacy.finalTallyResult, { yes: "0", abstain: "0", no: "0", noWithVeto: "0" });
    const v1p = (await g.proposal(id))!;
    assert.equal(v1p.title, "Text");
    assert.equal(v1p.summary, "A text proposal");
    assert.equal(v1p.messages[0]!.typeUrl, "/cosmos.gov.v1.MsgExecLegacyContent");

    assert.equal((await g.vote(0, id, VoteOption.VOTE_OPTION_YES)).code, 0);
    const weighted = await g.tx(2, [
      {
        typeUrl: "/cosmos.gov.v1.MsgVoteWeighted",
        value: MsgVoteWeighted.fromPartial({
          proposalId: id,
          voter: g.addr(2),
          options: [
            { option: VoteOption.VOTE_OPTION_YES, weight: "0.5" },
            { option: VoteOption.VOTE_OPTION_NO, weight: "0.5" },
          ],
        }),
      },
    ]);
    assert.equal(weighted.code, 0, weighted.log);

    const votes = await ok(
      g,
      "/cosmos.gov.v1beta1.Query/Votes",
      qb.QueryVotesRequest.encode({ proposalId: id }).finish(),
      (b) => qb.QueryVotesResponse.decode(b).votes,
    );
    assert.equal(votes.length, 2);
    const v2 = votes.find((v) => v.voter === g.addr(2))!;
    assert.deepEqual(
      v2.options.map((o) => [o.option as number, o.weight]),
      [
        [1, "500000000000000000"],
        [3, "500000000000000000"],
      ],
    );
    // Live tally: validator A 600 - 100 = 500 yes; account 2's 100 split 50/50.
    const tally = await ok(
      g,
      "/cosmos.gov.v1beta1.Query/TallyResult",
      qb.QueryTallyResultRequest.encode({ proposalId: id }).finish(),
      (b) => qb.QueryTallyResultResponse.decode(b).tally,
    );
    assert.deepEqual(tally, { yes: "550", abstain: "0", no: "50", noWithVeto: "0" });

    await g.advance(11n);
    const done = (await g.proposal(id))!;
    assert.equal(done.status, ProposalStatus.PROPOSAL_STATUS_PASSED, done.failedReason);
    const finalTally = await ok(
      g,
      "/cosmos.gov.v1.Query/TallyResult",
      q1.QueryTallyResultRequest.encode({ proposalId: id }).finish(),
      (b) => q1.QueryTallyResultResponse.decode(b).tally,
    );
    assert.deepEqual(finalTally, { yesCount: "550", abstainCount: "0", noCount: "50", noWithVetoCount: "0" });
  });

  it("answers v1beta1 params by section and v1 params whole", async () => {
    const g = await GovChain.create();
    await g.advance(1n);
    const tallying = await ok(
      g,
      "/cosmos.gov.v1beta1.Query/Params",
      qb.QueryParamsRequest.encode({ paramsType: "tallying" }).finish(),
      qb.QueryParamsResponse.decode,
    );
    assert.equal(Buffer.from(tallying.tallyParams.quorum).toString(), "334000000000000000");
    assert.equal(Buffer.from(tallying.tallyParams.threshold).toString(), "500000000000000000");
    const deposit = await ok(
      g,
      "/cosmos.gov.v1beta1.Query/Params",
      qb.QueryParamsRequest.encode({ paramsType: "deposit" }).finish(),
      qb.QueryParamsResponse.decode,
    );
    assert.deepEqual(deposit.depositParams.minDeposit, [{ denom: "stake", amount: "1000" }]);
    assert.equal(deposit.depositParams.maxDepositPeriod.seconds, 10n);
    const voting = await ok(
      g,
      "/cosmos.gov.v1beta1.Query/Params",
      qb.QueryParamsRequest.encode({ paramsType: "voting" }).finish(),
      qb.QueryParamsResponse.decode,
    );
    assert.equal(voting.votingParams.votingPeriod.seconds, 10n);
    const bad = await g.query(
      "/cosmos.gov.v1beta1.Query/Params",
      qb.QueryParamsRequest.encode({ paramsType: "x" }).finish(),
    );
    assert.equal(bad.code, 18);
    const all = await ok(
      g,
      "/cosmos.gov.v1.Query/Params",
      q1.QueryParamsRequest.encode({ paramsType: "" }).finish(),
      q1.QueryParamsResponse.decode,
    );
    assert.equal(all.params!.quorum, "0.334000000000000000");
    assert.equal(all.params!.minDepositRatio, "0.010000000000000000");
    assert.equal(all.params!.burnVoteVeto, true);
  });

  it("filters and pages proposals, and serves deposits and votes", async () => {
    const g = await GovChain.create();
    const p1 = await g.submit(0, 1000n);
    const p2 = await g.submit(1, 100n);
    const p3 = await g.submit(2, 100n);
    assert.equal((await g.deposit(3, p3, 50n)).code, 0);
    assert.equal((await g.vote(1, p1, VoteOption.VOTE_OPTION_NO)).code, 0);
    const list = (req: Partial<q1.QueryProposalsRequest>) =>
      ok(
        g,
        "/cosmos.gov.v1.Query/Proposals",
        q1.QueryProposalsRequest.encode(q1.QueryProposalsRequest.fromPartial(req)).finish(),
        q1.QueryProposalsResponse.decode,
      );
    assert.deepEqual(
      (await list({})).proposals.map((p) => p.id),
      [p1, p2, p3],
    );
    assert.deepEqual(
      (await list({ proposalStatus: ProposalStatus.PROPOSAL_STATUS_DEPOSIT_PERIOD })).proposals.map(
        (p) => p.id,
      ),
      [p2, p3],
    );
    assert.deepEqual(
      (await list({ voter: g.addr(1) })).proposals.map((p) => p.id),
      [p1],
    );
    assert.deepEqual(
      (await list({ depositor: g.addr(3) })).proposals.map((p) => p.id),
      [p3],
    );
    const page1 = await list({
      pagination: { key: new Uint8Array(), offset: 0n, limit: 2n, countTotal: true, reverse: false },
    });
    assert.deepEqual(
      page1.proposals.map((p) => p.id),
      [p1, p2],
    );
    assert.equal(page1.pagination!.total, 3n);
    const page2 = await list({
      pagination: {
        key: page1.pagination!.nextKey,
        offset: 0n,
        limit: 2n,
        countTotal: false,
        reverse: false,
      },
    });
    assert.deepEqual(
      page2.proposals.map((p) => p.id),
      [p3],
    );
    assert.equal(page2.pagination!.nextKey.length, 0);

    const deposits = await ok(
      g,
      "/cosmos.gov.v1beta1.Query/Deposits",
      qb.QueryDepositsRequest.encode({ proposalId: p3 }).finish(),
      qb.QueryDepositsResponse.decode,
    );
    assert.deepEqual(
      deposits.deposits.map((d) => [d.depositor, d.amount[0]!.amount]).sort(),
      [
        [g.addr(2), "100"],
        [g.addr(3), "50"],
      ].sort(),
    );
    const one = await ok(
      g,
      "/cosmos.gov.v1.Query/Deposit",
      q1.QueryDepositRequest.encode({ proposalId: p3, depositor: g.addr(3) }).finish(),
      q1.QueryDepositResponse.decode,
    );
    assert.deepEqual(one.deposit!.amount, [{ denom: "stake", amount: "50" }]);
    const vote = await ok(
      g,
      "/cosmos.gov.v1.Query/Vote",
      q1.QueryVoteRequest.encode({ proposalId: p1, voter: g.addr(1) }).finish(),
      q1.QueryVoteResponse.decode,
    );
    assert.deepEqual(vote.vote!.options, [
      { option: VoteOption.VOTE_OPTION_NO, weight: "1.000000000000000000" },
    ]);
    const noVote = await g.query(
      "/cosmos.gov.v1.Query/Vote",
      q1.QueryVoteRequest.encode({ proposalId: p1, voter: g.addr(3) }).finish(),
    );
    assert.equal(noVote.code, 18);

    const zero = await g.query(
      "/cosmos.gov.v1.Query/Proposal",
      q1.QueryProposalRequest.encode({ proposalId: 0n }).finish(),
    );
    assert.equal(zero.code, 18);
    assert.match(zero.log, /proposal id can not be 0/);
    const missing = await g.query(
      "/cosmos.gov.v1beta1.Query/Proposal",
      qb.QueryProposalRequest.encode({ proposalId: 99n }).finish(),
    );
    assert.equal(missing.code, 22);
    assert.match(missing.log, /rpc error: code = NotFound desc = proposal 99 doesn't exist/);
  });
});
