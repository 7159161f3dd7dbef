import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fromBech32, toBech32 } from "@cosmjs/encoding";
import type { EncodeObject } from "@cosmjs/proto-signing";
import { QueryBalanceRequest, QueryBalanceResponse } from "cosmjs-types/cosmos/bank/v1beta1/query";
import { TxMsgData } from "cosmjs-types/cosmos/base/abci/v1beta1/abci";
import {
  QueryDelegationRewardsRequest,
  QueryDelegationRewardsResponse,
} from "cosmjs-types/cosmos/distribution/v1beta1/query";
import { MsgWithdrawDelegatorRewardResponse } from "cosmjs-types/cosmos/distribution/v1beta1/tx";
import { moduleAddress } from "../../../../app/index.ts";
import { ed25519FromSeed, sha256 } from "../../../../crypto/index.ts";
import { distributionModule } from "../../../../provider/distribution/index.ts";
import { mintModule } from "../../../../provider/mint/index.ts";
import { consAddress, pubKeyAny, stakingModule } from "../../../../provider/staking/index.ts";
import { utf8 } from "../../../../utils/index.ts";
import { fundedAppState } from "../../../support/txSigner.ts";
import { ModuleTestChain, signTx, type TestAccount, testAccount } from "../helpers.ts";

const valoper = (a: TestAccount) => toBech32("cosmosvaloper", fromBech32(a.address, 1023).data);
const consKey = ed25519FromSeed(sha256(utf8("distribution-chain-validator"))).publicKey;

function createValidator(a: TestAccount, amount: bigint): EncodeObject {
  return {
    typeUrl: "/cosmos.staking.v1beta1.MsgCreateValidator",
    value: {
      description: { moniker: "v0", identity: "", website: "", securityContact: "", details: "" },
      commission: {
        rate: "100000000000000000",
        maxRate: "200000000000000000",
        maxChangeRate: "10000000000000000",
      },
      minSelfDelegation: "1",
      delegatorAddress: "",
      validatorAddress: valoper(a),
      pubkey: pubKeyAny(consKey),
      value: { denom: "stake", amount: amount.toString() },
    },
  };
}

describe("mint + distribution + the real staking (module order mint, distribution, staking)", () => {
  it("fees and inflation become rewards a delegator withdraws; invariants hold after every block", async () => {
    const [val, del] = [await testAccount(0), await testAccount(1)];
    const chain = await ModuleTestChain.create(
      (base) => {
        const staking = stakingModule(base);
        const mint = mintModule(base, staking.keeper);
        const distr = distributionModule(base, staking.keeper);
        return [mint.module, distr.module, staking.module];
      },
      fundedAppState([val.address, del.address], 1_000_000_000n),
    );
    const votes = (power: bigint) => ({
      round: 0,
      votes: [{ address: consAddress(consKey), power, signed: true }],
    });
    const step = async (txs: Uint8Array[], power: bigint) => {
      const res = await chain.block({ txs, lastCommit: power > 0n ? votes(power) : undefined });
      for (const r of res.txResults) assert.equal(r.code, 0, r.log);
      assert.deepEqual(await chain.app.checkInvariants(), []);
      return res;
    };
    await step(
      [await signTx(val, [createValidator(val, 100_000_000n)], { sequence: 0n, fee: [], gas: 2_000_000n })],
      0n,
    );
    const delegate = {
      typeUrl: "/cosmos.staking.v1beta1.MsgDelegate",
      value: {
        delegatorAddress: del.address,
        validatorAddress: valoper(val),
        amount: { denom: "stake", amount: "100000000" },
      },
    };
    await step([await signTx(del, [delegate], { sequence: 0n, fee: [], gas: 2_000_000n })], 0n);
    // The validator is bonded with 200 power from here on; a tx pays a 10000stake fee.
    const send = {
      typeUrl: "/cosmos.bank.v1beta1.MsgSend",
      value: { fromAddress: del.address, toAddress: val.address, amount: [{ denom: "stake", amount: "1" }] },
    };
    await step(
      [
        await signTx(del, [send], {
          sequence: 1n,
          fee: [{ denom: "stake", amount: "10000" }],
          gas: 200_000n,
        }),
      ],
      200n,
    );
    const mintEvents: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await step([], 200n);
      const mint = res.events.find((e) => e.type === "mint")!;
      mintEvents.push(mint.attributes.find((a) => a.key === "amount")!.value);
    }
    assert.ok(
      mintEvents.every((m) => BigInt(m) > 0n),
      `minted ${mintEvents}`,
    );

    const q = await chain.query(
      "/cosmos.distribution.v1beta1.Query/DelegationRewards",
      QueryDelegationRewardsRequest.encode({
        delegatorAddress: del.address,
        validatorAddress: valoper(val),
      }).finish(),
    );
    assert.equal(q.code, 0, q.log);
    const pending = BigInt(QueryDelegationRewardsResponse.decode(q.value).rewards[0]!.amount) / 10n ** 18n;
    // Half of 90% of the 98% share of the 10000 fee is already more than 4000.
    assert.ok(pending > 4000n, `pending ${pending}`);

    const balance = async (address: string) =>
      BigInt(
        QueryBalanceResponse.decode(
          (
            await chain.query(
              "/cosmos.bank.v1beta1.Query/Balance",
              QueryBalanceRequest.encode({ address, denom: "stake" }).finish(),
            )
          ).value,
        ).balance!.amount,
      );
    const before = await balance(del.address);
    const withdraw = {
      typeUrl: "/cosmos.distribution.v1beta1.MsgWithdrawDelegatorReward",
      value: { delegatorAddress: del.address, validatorAddress: valoper(val) },
    };
    const res = await step([await signTx(del, [withdraw], { sequence: 2n, fee: [], gas: 2_000_000n })], 200n);
    const data = TxMsgData.decode(res.txResults[0]!.data);
    const paid = BigInt(
      MsgWithdrawDelegatorRewardResponse.decode(data.msgResponses[0]!.value).amount[0]!.amount,
    );
    // One more block of inflation was allocated before the withdrawal.
    assert.ok(paid >= pending && paid < pending + 100n, `paid ${paid}, pending ${pending}`);
    assert.equal(await balance(del.address), before + paid);
    const ev = res.txResults[0]!.events.find((e) => e.type === "withdraw_rewards")!;
    assert.equal(ev.attributes.find((a) => a.key === "amount")!.value, `${paid}stake`);
    // The distribution account holds what is still owed.
    assert.ok((await balance(toBech32("cosmos", moduleAddress("distribution")))) > 0n);
    await step([], 200n);
  });
});
