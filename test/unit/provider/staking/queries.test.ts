import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { PubKey } from "cosmjs-types/cosmos/crypto/ed25519/keys";
import {
  QueryDelegationRequest,
  QueryDelegationResponse,
  QueryDelegatorDelegationsRequest,
  QueryDelegatorDelegationsResponse,
  QueryDelegatorUnbondingDelegationsRequest,
  QueryDelegatorUnbondingDelegationsResponse,
  QueryDelegatorValidatorsRequest,
  QueryDelegatorValidatorsResponse,
  QueryParamsResponse,
  QueryPoolResponse,
  QueryRedelegationsRequest,
  QueryRedelegationsResponse,
  QueryUnbondingDelegationRequest,
  QueryUnbondingDelegationResponse,
  QueryValidatorDelegationsRequest,
  QueryValidatorDelegationsResponse,
  QueryValidatorRequest,
  QueryValidatorResponse,
  QueryValidatorsRequest,
  QueryValidatorsResponse,
} from "cosmjs-types/cosmos/staking/v1beta1/query";
import { BondStatus } from "cosmjs-types/cosmos/staking/v1beta1/staking";
import {
  consKey,
  createValidatorMsg,
  delegateMsg,
  redelegateMsg,
  STAKE,
  StakingHarness,
  undelegateMsg,
  valoper,
} from "./harness.ts";

const Q = "/cosmos.staking.v1beta1.Query/";

async function q(h: StakingHarness, path: string, data: Uint8Array): Promise<Uint8Array> {
  const r = await h.chain.query(`${Q}${path}`, data);
  assert.equal(r.code, 0, r.log);
  return r.value;
}

describe("staking: queries decode with cosmjs-types", () => {
  it("validators, delegations, unbondings, redelegations, pool, params", async () => {
    const h = await StakingHarness.create({ params: { max_validators: 2 } });
    const [a, b, c, d] = [h.acc(0), h.acc(1), h.acc(2), h.acc(3)];
    await h.ok(a, [createValidatorMsg(a, 0, 10n * STAKE)]);
    await h.ok(b, [createValidatorMsg(b, 1, 20n * STAKE)]);
    await h.ok(c, [createValidatorMsg(c, 2, 5n * STAKE)]);
    await h.ok(d, [delegateMsg(d, a, 3n * STAKE)]);
    await h.ok(d, [undelegateMsg(d, a, STAKE)]);
    await h.ok(d, [redelegateMsg(d, a, b, STAKE)]);

    const all = QueryValidatorsResponse.decode(
      await q(h, "Validators", QueryValidatorsRequest.encode({ status: "" }).finish()),
    );
    assert.equal(all.validators.length, 3);
    assert.equal(all.pagination?.total, 3n);
    const bonded = QueryValidatorsResponse.decode(
      await q(h, "Validators", QueryValidatorsRequest.encode({ status: "BOND_STATUS_BONDED" }).finish()),
    );
    assert.deepEqual(bonded.validators.map((v) => v.operatorAddress).sort(), [valoper(a), valoper(b)].sort());
    const paged = QueryValidatorsResponse.decode(
      await q(
        h,
        "Validators",
        QueryValidatorsRequest.encode({
          status: "",
          pagination: { key: new Uint8Array(), offset: 0n, limit: 2n, countTotal: false, reverse: false },
        }).finish(),
      ),
    );
    assert.equal(paged.validators.length, 2);
    assert.ok((paged.pagination?.nextKey.length ?? 0) > 0);

    const one = QueryValidatorResponse.decode(
      await q(h, "Validator", QueryValidatorRequest.encode({ validatorAddr: valoper(a) }).finish()),
    ).validator;
    assert.equal(one.status, BondStatus.BOND_STATUS_BONDED);
    assert.equal(one.tokens, (11n * STAKE).toString());
    assert.equal(one.delegatorShares, (11n * STAKE * 10n ** 18n).toString());
    assert.equal(one.commission.commissionRates.rate, "100000000000000000");
    assert.equal(one.consensusPubkey?.typeUrl, "/cosmos.crypto.ed25519.PubKey");
    assert.deepEqual(PubKey.decode(one.consensusPubkey!.value).key, consKey(0));
    assert.equal(one.description.moniker, "val-0");

    const del = QueryDelegationResponse.decode(
      await q(
        h,
        "Delegation",
        QueryDelegationRequest.encode({ delegatorAddr: d.address, validatorAddr: valoper(a) }).finish(),
      ),
    );
    assert.equal(del.delegationResponse?.balance.amount, STAKE.toString());
    assert.equal(del.delegationResponse?.delegation.shares, (STAKE * 10n ** 18n).toString());

    const missing = await h.chain.query(
      `${Q}Delegation`,
      QueryDelegationRequest.encode({ delegatorAddr: d.address, validatorAddr: valoper(c) }).finish(),
    );
    assert.equal(missing.code, 22);
    assert.match(missing.log, /NotFound.*key not found/);

    const valDels = QueryValidatorDelegationsResponse.decode(
      await q(
        h,
        "ValidatorDelegations",
        QueryValidatorDelegationsRequest.encode({ validatorAddr: valoper(a) }).finish(),
      ),
    );
    assert.deepEqual(
      valDels.delegationResponses.map((r) => r.delegation.delegatorAddress).sort(),
      [a.address, d.address].sort(),
    );

    const delDels = QueryDelegatorDelegationsResponse.decode(
      await q(
        h,
        "DelegatorDelegations",
        QueryDelegatorDelegationsRequest.encode({ delegatorAddr: d.address }).finish(),
      ),
    );
    assert.equal(delDels.delegationResponses.length, 2);
    assert.equal(delDels.pagination?.nextKey.length, 0);

    const ubd = QueryUnbondingDelegationResponse.decode(
      await q(
        h,
        "UnbondingDelegation",
        QueryUnbondingDelegationRequest.encode({
          delegatorAddr: d.address,
          validatorAddr: valoper(a),
        }).finish(),
      ),
    ).unbond;
    assert.equal(ubd.entries.length, 1);
    assert.equal(ubd.entries[0]!.balance, STAKE.toString());
    const ubds = QueryDelegatorUnbondingDelegationsResponse.decode(
      await q(
        h,
        "DelegatorUnbondingDelegations",
        QueryDelegatorUnbondingDelegationsRequest.encode({ delegatorAddr: d.address }).finish(),
      ),
    );
    assert.equal(ubds.unbondingResponses.length, 1);

    const reds = QueryRedelegationsResponse.decode(
      await q(
        h,
        "Redelegations",
        QueryRedelegationsRequest.encode({
          delegatorAddr: d.address,
          srcValidatorAddr: "",
          dstValidatorAddr: "",
        }).finish(),
      ),
    );
    assert.equal(reds.redelegationResponses.length, 1);
    assert.equal(reds.redelegationResponses[0]!.redelegation.validatorDstAddress, valoper(b));
    assert.equal(reds.redelegationResponses[0]!.entries[0]!.balance, STAKE.toString());

    const dv = QueryDelegatorValidatorsResponse.decode(
      await q(
        h,
        "DelegatorValidators",
        QueryDelegatorValidatorsRequest.encode({ delegatorAddr: d.address }).finish(),
      ),
    );
    assert.equal(dv.validators.length, 2);

    const pool = QueryPoolResponse.decode(await q(h, "Pool", new Uint8Array())).pool;
    assert.equal(pool.bondedTokens, (32n * STAKE).toString());
    assert.equal(pool.notBondedTokens, (6n * STAKE).toString());

    const params = QueryParamsResponse.decode(await q(h, "Params", new Uint8Array())).params;
    assert.equal(params.unbondingTime.seconds, 10n);
    assert.equal(params.maxValidators, 2);
    assert.equal(params.bondDenom, "stake");
    assert.equal(params.minCommissionRate, "0");

    const hist = await h.chain.query(`${Q}HistoricalInfo`, new Uint8Array());
    assert.equal(hist.code, 22);
  });
});
