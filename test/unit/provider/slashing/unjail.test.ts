import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MsgUnjail } from "cosmjs-types/cosmos/slashing/v1beta1/tx";
import { bech32Address } from "../../../../app/index.ts";
import { toHex } from "../../../../utils/index.ts";
import { registry, signTx } from "../../../support/txSigner.ts";
import { commit, type FakeChain, fakeChain, SECOND, type TestValidator } from "./setup.ts";

if (!registry.lookupType("/cosmos.slashing.v1beta1.MsgUnjail")) {
  registry.register("/cosmos.slashing.v1beta1.MsgUnjail", MsgUnjail);
}

const PARAMS = {
  signed_blocks_window: "10",
  min_signed_per_window: "0.5",
  downtime_jail_duration: "60s",
};

function unjailMsg(v: TestValidator) {
  return {
    typeUrl: "/cosmos.slashing.v1beta1.MsgUnjail",
    value: { validatorAddr: bech32Address(v.operator, "cosmosvaloper") },
  };
}

/** Runs blocks where `a` misses and `b` signs until `a` is jailed (height 16 with these params). */
async function jailFirst(f: FakeChain): Promise<void> {
  const [a, b] = [f.vals[0]!, f.vals[1]!];
  for (let h = 1; h <= 16; h++) {
    await f.chain.block({
      lastCommit: commit([
        [a, 10n, h <= 10],
        [b, 10n, true],
      ]),
    });
  }
  assert.equal(f.staking.byConsAddr(a.consAddr)?.jailed, true);
}

describe("slashing MsgUnjail (fake staking)", () => {
  it("fails within the jail duration, succeeds after it", async () => {
    const f = await fakeChain(2, PARAMS);
    await jailFirst(f);
    const a = f.vals[0]!;
    const jailedUntil = (await f.keeper.getSigningInfo(f.store, a.consAddr))?.jailedUntil ?? 0n;
    const calls = f.staking.calls.length;

    const early = await f.chain.tx(a.account, [unjailMsg(a)], 0n);
    assert.equal(early.codespace, "slashing");
    assert.equal(early.code, 4);
    assert.match(early.log, /validator still jailed; cannot be unjailed/);
    assert.equal(f.staking.calls.length, calls);
    assert.equal(f.staking.byConsAddr(a.consAddr)?.jailed, true);

    // A block exactly at jailed_until is no longer "before" it.
    await f.chain.block({ time: jailedUntil - SECOND });
    const ok = await f.chain.block({
      time: jailedUntil,
      txs: [await signUnjail(a, 1n)],
    });
    assert.equal(ok.txResults[0]?.code, 0, ok.txResults[0]?.log);
    assert.deepEqual(f.staking.calls.at(-1), { op: "unjail", consAddr: toHex(a.consAddr) });
    assert.equal(f.staking.byConsAddr(a.consAddr)?.jailed, false);
  });

  it("fails for a validator that is not jailed, and changes nothing", async () => {
    const f = await fakeChain(2, PARAMS);
    const b = f.vals[1]!;
    const res = await f.chain.tx(b.account, [unjailMsg(b)], 0n);
    assert.equal(res.codespace, "slashing");
    assert.equal(res.code, 5);
    assert.match(res.log, /validator not jailed; cannot be unjailed/);
    assert.deepEqual(f.staking.calls, []);
  });

  it("fails for an unknown validator, a missing or too small self-delegation", async () => {
    const f = await fakeChain(3, PARAMS);
    await jailFirst(f);
    const [a, , c] = [f.vals[0]!, f.vals[1]!, f.vals[2]!];
    f.staking.vals.delete(toHex(c.operator));
    let res = await f.chain.tx(c.account, [unjailMsg(c)], 0n);
    assert.deepEqual([res.codespace, res.code], ["slashing", 2]);
    assert.match(res.log, /address is not associated with any known validator/);

    const selfKey = toHex(a.operator) + toHex(a.operator);
    const self = f.staking.dels.get(selfKey);
    assert.ok(self);
    f.staking.dels.delete(selfKey);
    res = await f.chain.tx(a.account, [unjailMsg(a)], 0n);
    assert.deepEqual([res.codespace, res.code], ["slashing", 6]);
    f.staking.dels.set(selfKey, self);

    // Tokens are 9_900_000 after the 1% slash; self-delegation holds all shares.
    f.staking.update(a.consAddr, (v) => ({ ...v, minSelfDelegation: 9_900_001n }));
    res = await f.chain.tx(a.account, [unjailMsg(a)], 1n);
    assert.deepEqual([res.codespace, res.code], ["slashing", 7]);
    assert.match(res.log, /: 9900000 less than 9900001: validator's self delegation less than minimum/);
    assert.equal(f.staking.calls.filter((c) => c.op === "unjail").length, 0);
  });

  it("fails for a tombstoned validator even after its jail time", async () => {
    const f = await fakeChain(2, PARAMS);
    const a = f.vals[0]!;
    await f.chain.block({
      misbehavior: [
        {
          type: "duplicate_vote",
          validatorAddress: a.consAddr,
          validatorPower: 10n,
          height: 0,
          time: f.chain.time,
          totalVotingPower: 20n,
        },
      ],
    });
    assert.equal((await f.keeper.getSigningInfo(f.store, a.consAddr))?.tombstoned, true);
    const before = await f.keeper.getSigningInfo(f.store, a.consAddr);
    // Even if the jail time were over, a tombstone keeps it jailed.
    await f.keeper.jailUntil(f.store, a.consAddr, 0n);
    const res = await f.chain.tx(a.account, [unjailMsg(a)], 0n);
    assert.deepEqual([res.codespace, res.code], ["slashing", 4]);
    assert.equal(f.staking.byConsAddr(a.consAddr)?.jailed, true);
    assert.equal(f.staking.calls.filter((c) => c.op === "unjail").length, 0);
    assert.equal((await f.keeper.getSigningInfo(f.store, a.consAddr))?.tombstoned, before?.tombstoned);
  });

  it("rejects a validator address with the wrong prefix as an invalid address", async () => {
    const f = await fakeChain(1, PARAMS);
    const a = f.vals[0]!;
    const res = await f.chain.tx(
      a.account,
      [{ typeUrl: "/cosmos.slashing.v1beta1.MsgUnjail", value: { validatorAddr: a.account.address } }],
      0n,
    );
    assert.equal(res.codespace, "sdk");
    assert.equal(res.code, 7);
    assert.match(res.log, /validator input address/);
  });
});

async function signUnjail(v: TestValidator, sequence: bigint): Promise<Uint8Array> {
  return signTx(v.account, [unjailMsg(v)], { sequence, fee: [], gas: 2_000_000n });
}
