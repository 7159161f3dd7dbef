import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Equivocation } from "cosmjs-types/cosmos/evidence/v1beta1/evidence";
import {
  QueryAllEvidenceRequest,
  QueryAllEvidenceResponse,
  QueryEvidenceRequest,
  QueryEvidenceResponse,
} from "cosmjs-types/cosmos/evidence/v1beta1/query";
import { DEC_ONE, event } from "../../../../app/index.ts";
import type { Misbehavior } from "../../../../consensus/index.ts";
import { sha256 } from "../../../../crypto/index.ts";
import { DOUBLE_SIGN_JAIL_END_TIME } from "../../../../provider/slashing/index.ts";
import { toHex } from "../../../../utils/index.ts";
import { commit, fakeChain, SECOND, type TestValidator } from "./setup.ts";

function dupVote(v: TestValidator, height: number, time: bigint, power = 10n): Misbehavior {
  return {
    type: "duplicate_vote",
    validatorAddress: v.consAddr,
    validatorPower: power,
    height,
    time,
    totalVotingPower: 20n,
  };
}

describe("duplicate-vote evidence (fake staking)", () => {
  it("slashes 5%, jails, jails forever and tombstones; a second evidence does nothing", async () => {
    const f = await fakeChain(2);
    const [a, b] = [f.vals[0]!, f.vals[1]!];
    for (let h = 1; h <= 4; h++)
      await f.chain.block({
        lastCommit: commit([
          [a, 10n, true],
          [b, 10n, true],
        ]),
      });
    const infractionTime = f.chain.time - 2n * SECOND;
    const res = await f.chain.block({ misbehavior: [dupVote(a, 3, infractionTime)] });
    assert.deepEqual(f.staking.calls, [
      {
        op: "slash",
        consAddr: toHex(a.consAddr),
        height: 2,
        power: 10n,
        fraction: DEC_ONE / 20n,
        burned: 500_000n,
      },
      { op: "jail", consAddr: toHex(a.consAddr) },
    ]);
    const addr = f.keeper.consAddrString(a.consAddr);
    assert.deepEqual(
      res.events.filter((e) => e.type === "slash"),
      [
        event("slash", [
          ["address", addr],
          ["power", "10"],
          ["reason", "double_sign"],
          ["burned_coins", "500000"],
        ]),
        event("slash", [["jailed", addr]]),
      ],
    );
    const info = await f.keeper.getSigningInfo(f.store, a.consAddr);
    assert.equal(info?.tombstoned, true);
    assert.equal(info?.jailedUntil, DOUBLE_SIGN_JAIL_END_TIME);
    assert.equal(DOUBLE_SIGN_JAIL_END_TIME, 253_402_300_799n * SECOND);

    // The evidence is stored under the sha256 of its Equivocation bytes and queryable.
    const ev: Equivocation = {
      height: 3n,
      time: { seconds: infractionTime / SECOND, nanos: Number(infractionTime % SECOND) },
      power: 10n,
      consensusAddress: addr,
    };
    const hash = toHex(sha256(Equivocation.encode(ev).finish()));
    const one = await f.chain.query(
      "/cosmos.evidence.v1beta1.Query/Evidence",
      QueryEvidenceRequest.encode({ evidenceHash: new Uint8Array(), hash }).finish(),
    );
    assert.equal(one.code, 0, one.log);
    const got = QueryEvidenceResponse.decode(one.value).evidence;
    assert.equal(got?.typeUrl, "/cosmos.evidence.v1beta1.Equivocation");
    assert.deepEqual(got && Equivocation.decode(got.value), ev);

    // Again, and again while already jailed: nothing more happens.
    const again = await f.chain.block({
      misbehavior: [dupVote(a, 3, infractionTime), dupVote(a, 4, f.chain.time)],
    });
    assert.equal(f.staking.calls.length, 2);
    assert.equal(again.events.filter((e) => e.type === "slash").length, 0);
    const all = await f.chain.query(
      "/cosmos.evidence.v1beta1.Query/AllEvidence",
      QueryAllEvidenceRequest.encode({}).finish(),
    );
    assert.equal(QueryAllEvidenceResponse.decode(all.value).evidence.length, 1);
    const missing = await f.chain.query(
      "/cosmos.evidence.v1beta1.Query/Evidence",
      QueryEvidenceRequest.encode({ evidenceHash: new Uint8Array(), hash: "00".repeat(32) }).finish(),
    );
    assert.equal(missing.code, 22);
    assert.deepEqual(await f.chain.app.checkInvariants(), []);
  });

  it("does not jail again a validator already jailed for downtime, but still slashes and tombstones", async () => {
    const f = await fakeChain(1);
    const a = f.vals[0]!;
    f.staking.update(a.consAddr, (v) => ({ ...v, jailed: true }));
    await f.chain.block({ misbehavior: [dupVote(a, 0, f.chain.time)] });
    assert.deepEqual(
      f.staking.calls.map((c) => c.op),
      ["slash"],
    );
    assert.equal((await f.keeper.getSigningInfo(f.store, a.consAddr))?.tombstoned, true);
  });

  it("ignores evidence only when older than both max age blocks and max age duration", async () => {
    const f = await fakeChain(2);
    const [a, b] = [f.vals[0]!, f.vals[1]!];
    const old = f.chain.time;
    // 49 hours later (past 48 h) but only one block later: still punishable.
    await f.chain.block({ time: old + 49n * 3600n * SECOND, misbehavior: [dupVote(b, 0, old)] });
    assert.equal(f.staking.calls.length, 2);
    // Past both limits: ignored.
    f.chain.height = 100_001;
    await f.chain.block({ misbehavior: [dupVote(a, 0, old)] });
    assert.equal(f.staking.calls.length, 2);
    assert.equal((await f.keeper.getSigningInfo(f.store, a.consAddr))?.tombstoned, false);
  });

  it("ignores evidence for unknown and unbonded validators", async () => {
    const f = await fakeChain(2);
    const [a, b] = [f.vals[0]!, f.vals[1]!];
    f.staking.update(b.consAddr, (v) => ({ ...v, status: "unbonded" }));
    const stranger = { ...a, consAddr: new Uint8Array(20).fill(9) };
    await f.chain.block({ misbehavior: [dupVote(stranger, 0, f.chain.time), dupVote(b, 0, f.chain.time)] });
    assert.deepEqual(f.staking.calls, []);
    assert.equal((await f.keeper.getSigningInfo(f.store, b.consAddr))?.tombstoned, false);
  });
});
