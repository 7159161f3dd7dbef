import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { decFromString } from "../../../../app/index.ts";
import {
  consAddress,
  sharesFromTokens,
  tokensFromShares,
  tokensFromSharesRoundUp,
  tokensFromSharesTruncated,
  type Validator,
} from "../../../../provider/staking/index.ts";
import { addTokensFromDel, invalidExRate, removeDelShares } from "../../../../provider/staking/shares.ts";
import { createValidatorMsg, delegateMsg, expectFailure, STAKE, StakingHarness } from "./harness.ts";

const ONE = 10n ** 18n;

function validator(tokens: bigint, shares: bigint): Validator {
  return {
    operator: new Uint8Array(20),
    consPubKey: new Uint8Array(32),
    jailed: false,
    status: "bonded",
    tokens,
    delegatorShares: shares,
    description: { moniker: "", identity: "", website: "", securityContact: "", details: "" },
    unbondingHeight: 0,
    unbondingTime: 0n,
    commission: { rate: 0n, maxRate: 0n, maxChangeRate: 0n, updateTime: 0n },
    minSelfDelegation: 1n,
  };
}

describe("staking: share arithmetic as the SDK's Validator methods", () => {
  it("first delegation is 1:1; later ones at the exchange rate (truncating QuoInt)", () => {
    const v0 = validator(0n, 0n);
    const a = addTokensFromDel(v0, 100n);
    assert.equal(a.shares, 100n * ONE);
    // After a 10% slash: 90 tokens for 100 shares; 9 tokens buy 10 shares.
    const slashed = { ...a.validator, tokens: 90n };
    assert.equal(sharesFromTokens(slashed, 9n), 10n * ONE);
    // 1 token buys 100/90 shares, truncated at 18 places.
    assert.equal(sharesFromTokens(slashed, 1n), 1_111_111_111_111_111_111n);
  });

  it("tokens from shares: rounded, truncated, rounded up", () => {
    const v = validator(90n, 100n * ONE);
    const shares = decFromString("1.5");
    assert.equal(tokensFromShares(v, shares), 1_350_000_000_000_000_000n);
    const odd = validator(2n, 3n * ONE);
    assert.equal(tokensFromShares(odd, ONE), 666_666_666_666_666_667n);
    assert.equal(tokensFromSharesTruncated(odd, ONE), 666_666_666_666_666_666n);
    assert.equal(tokensFromSharesRoundUp(odd, ONE), 666_666_666_666_666_667n);
  });

  it("removing the last shares takes every token (trimmings)", () => {
    const v = validator(10n, 3n * ONE);
    const part = removeDelShares(v, ONE);
    assert.equal(part.tokens, 3n); // 3.33 truncated
    assert.equal(part.validator.tokens, 7n);
    const rest = removeDelShares(part.validator, 2n * ONE);
    assert.equal(rest.tokens, 7n);
    assert.equal(rest.validator.delegatorShares, 0n);
  });

  it("a validator slashed to zero tokens refuses delegations", async () => {
    assert.equal(invalidExRate(validator(0n, ONE)), true);
    assert.equal(invalidExRate(validator(0n, 0n)), false);
    const h = await StakingHarness.create();
    const [a, b] = [h.acc(0), h.acc(1)];
    await h.ok(a, [createValidatorMsg(a, 0, 10n * STAKE)]);
    const v = await h.keeper.getValidator(h.store, h.operator(a));
    const ctx = h.nextBlockContext();
    await h.keeper.slash(ctx, consAddress(v!.consPubKey), ctx.block.height, 10n, ONE);
    await h.block(ctx.block.time);
    assert.equal((await h.keeper.getValidator(h.store, h.operator(a)))?.tokens, 0n);
    await expectFailure(
      h,
      b,
      [delegateMsg(b, a, STAKE)],
      "staking",
      34,
      "cannot delegate to validators with invalid (zero) ex-rate",
    );
  });
});
