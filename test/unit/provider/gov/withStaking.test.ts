import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fromBech32, toBech32 } from "@cosmjs/encoding";
import { PubKey } from "cosmjs-types/cosmos/crypto/ed25519/keys";
import { ProposalStatus, VoteOption } from "cosmjs-types/cosmos/gov/v1/gov";
import { MsgCreateValidator, MsgDelegate } from "cosmjs-types/cosmos/staking/v1beta1/tx";
import { sha256 } from "../../../../crypto/index.ts";
import { stakingModule } from "../../../../provider/staking/module.ts";
import { utf8 } from "../../../../utils/index.ts";
import { GovChain } from "./govChain.ts";

const valoper = (address: string) => toBech32("cosmosvaloper", fromBech32(address, 1023).data);

function createValidator(g: GovChain, i: number, amount: string) {
  return {
    typeUrl: "/cosmos.staking.v1beta1.MsgCreateValidator",
    value: MsgCreateValidator.fromPartial({
      description: { moniker: `val-${i}` },
      commission: {
        rate: "100000000000000000",
        maxRate: "200000000000000000",
        maxChangeRate: "10000000000000000",
      },
      minSelfDelegation: "1",
      delegatorAddress: g.addr(i),
      validatorAddress: valoper(g.addr(i)),
      pubkey: {
        typeUrl: "/cosmos.crypto.ed25519.PubKey",
        value: PubKey.encode({ key: sha256(utf8(`gov-test-val-${i}`)) }).finish(),
      },
      value: { denom: "stake", amount },
    }),
  };
}

describe("x/gov with the real x/staking (module order gov, staking)", () => {
  it("tallies bonded stake, a delegator overriding its validator", async () => {
    const g = await GovChain.create({
      staking: (base) => stakingModule(base),
    });
    await g.txOk(0, [createValidator(g, 0, "600000000")]);
    await g.txOk(1, [createValidator(g, 1, "400000000")]);
    await g.txOk(2, [
      {
        typeUrl: "/cosmos.staking.v1beta1.MsgDelegate",
        value: MsgDelegate.fromPartial({
          delegatorAddress: g.addr(2),
          validatorAddress: valoper(g.addr(0)),
          amount: { denom: "stake", amount: "100000000" },
        }),
      },
    ]);
    const id = await g.submit(3, 1000n);
    // Validator 0 (700M: 600M own + 100M from account 2) votes yes, account 2 no, validator 1 abstains.
    await g.txOk(0, [
      {
        typeUrl: "/cosmos.gov.v1.MsgVote",
        value: { proposalId: id, voter: g.addr(0), option: VoteOption.VOTE_OPTION_YES, metadata: "" },
      },
    ]);
    assert.equal((await g.vote(2, id, VoteOption.VOTE_OPTION_NO)).code, 0);
    assert.equal((await g.vote(1, id, VoteOption.VOTE_OPTION_ABSTAIN)).code, 0);
    await g.advance(11n);
    const p = (await g.proposal(id))!;
    assert.deepEqual(p.finalTallyResult, {
      yesCount: "600000000",
      abstainCount: "400000000",
      noCount: "100000000",
      noWithVetoCount: "0",
    });
    assert.equal(p.status, ProposalStatus.PROPOSAL_STATUS_PASSED);
    assert.deepEqual(await g.invariants(), []);
  });
});
