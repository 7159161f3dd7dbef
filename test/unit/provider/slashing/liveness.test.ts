import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DEC_ONE, event } from "../../../../app/index.ts";
import { maxMissedPerWindow, minSignedPerWindow } from "../../../../provider/slashing/index.ts";
import { defaultSlashingParams } from "../../../../provider/slashing/params.ts";
import { toHex } from "../../../../utils/index.ts";
import { commit, fakeChain, SECOND } from "./setup.ts";

const PARAMS = {
  signed_blocks_window: "10",
  min_signed_per_window: "0.5",
  downtime_jail_duration: "60s",
  slash_fraction_downtime: "0.01",
};

describe("slashing liveness (fake staking)", () => {
  it("computes min signed and max missed as the SDK (round half to even)", () => {
    assert.equal(minSignedPerWindow(defaultSlashingParams), 50n);
    assert.equal(maxMissedPerWindow(defaultSlashingParams), 50n);
    const p = { ...defaultSlashingParams, signedBlocksWindow: 5n };
    assert.equal(minSignedPerWindow(p), 2n); // 2.5 rounds to 2
    assert.equal(maxMissedPerWindow(p), 3n);
    const q = { ...defaultSlashingParams, signedBlocksWindow: 7n };
    assert.equal(minSignedPerWindow(q), 4n); // 3.5 rounds to 4
    assert.equal(minSignedPerWindow({ ...p, minSignedPerWindow: DEC_ONE }), 5n);
  });

  it("creates signing infos at bonding with start height = the bonding height", async () => {
    const { keeper, vals, store } = await fakeChain(2, PARAMS);
    const info = await keeper.getSigningInfo(store, vals[0]!.consAddr);
    assert.deepEqual(info && { ...info, address: toHex(info.address) }, {
      address: toHex(vals[0]!.consAddr),
      startHeight: 0n,
      indexOffset: 0n,
      jailedUntil: 0n,
      tombstoned: false,
      missedBlocksCounter: 0n,
    });
    assert.ok(await keeper.getPubkey(store, vals[1]!.consAddr));
  });

  it("jails and slashes a validator once missed > max missed after the window's start", async () => {
    const { chain, staking, keeper, vals, store } = await fakeChain(2, PARAMS);
    const [a, b] = [vals[0]!, vals[1]!];
    // Blocks 1..10 both sign; from 11 `a` is absent. max missed = 10 − 5 = 5.
    for (let h = 1; h <= 10; h++) {
      await chain.block({
        lastCommit: commit([
          [a, 10n, true],
          [b, 10n, true],
        ]),
      });
    }
    let info = await keeper.getSigningInfo(store, a.consAddr);
    assert.equal(info?.indexOffset, 10n);
    assert.equal(info?.missedBlocksCounter, 0n);
    for (let h = 11; h <= 15; h++) {
      const res = await chain.block({
        lastCommit: commit([
          [a, 10n, false],
          [b, 10n, true],
        ]),
      });
      const liveness = res.events.filter((e) => e.type === "liveness");
      assert.equal(liveness.length, 1);
      assert.deepEqual(
        liveness[0],
        event("liveness", [
          ["address", keeper.consAddrString(a.consAddr)],
          ["missed_blocks", String(h - 10)],
          ["height", String(h)],
        ]),
      );
    }
    assert.equal(staking.calls.length, 0, "5 missed is not more than max missed");
    assert.equal((await keeper.getSigningInfo(store, a.consAddr))?.missedBlocksCounter, 5n);

    const res = await chain.block({
      lastCommit: commit([
        [a, 10n, false],
        [b, 10n, true],
      ]),
    });
    assert.equal(chain.height, 16);
    assert.deepEqual(staking.calls, [
      {
        op: "slash",
        consAddr: toHex(a.consAddr),
        height: 16 - 2,
        power: 10n,
        fraction: DEC_ONE / 100n,
        burned: 100_000n,
      },
      { op: "jail", consAddr: toHex(a.consAddr) },
    ]);
    const addr = keeper.consAddrString(a.consAddr);
    assert.deepEqual(
      res.events.find((e) => e.type === "slash"),
      event("slash", [
        ["address", addr],
        ["power", "10"],
        ["reason", "missing_signature"],
        ["jailed", addr],
        ["burned_coins", "100000"],
      ]),
    );
    info = await keeper.getSigningInfo(store, a.consAddr);
    assert.equal(info?.jailedUntil, chain.time + 60n * SECOND);
    assert.equal(info?.missedBlocksCounter, 0n);
    assert.equal(info?.indexOffset, 0n);
    assert.deepEqual(await keeper.signingInfos.missedIndexes(store, a.consAddr), []);
    assert.equal(staking.byConsAddr(a.consAddr)?.jailed, true);

    // A jailed validator's votes are not counted.
    await chain.block({
      lastCommit: commit([
        [a, 10n, false],
        [b, 10n, true],
      ]),
    });
    assert.deepEqual(await keeper.getSigningInfo(store, a.consAddr), info);
    assert.equal(staking.calls.length, 2);
    // `b` kept signing.
    assert.equal((await keeper.getSigningInfo(store, b.consAddr))?.missedBlocksCounter, 0n);
    assert.deepEqual(await chain.app.checkInvariants(), []);
  });

  it("does not punish before start height + window, then does even on a signed block", async () => {
    const { chain, staking, keeper, vals, store } = await fakeChain(1, PARAMS);
    const a = vals[0]!;
    // Misses every block of the first window: counter reaches 10 at height 10, but height 10 is not
    // past start height 0 + window 10.
    for (let h = 1; h <= 10; h++) await chain.block({ lastCommit: commit([[a, 10n, false]]) });
    assert.equal(staking.calls.length, 0);
    assert.equal((await keeper.getSigningInfo(store, a.consAddr))?.missedBlocksCounter, 10n);
    // Height 11 signs (index 0 clears, 9 missed remain) but 9 > 5 past the window: jailed.
    await chain.block({ lastCommit: commit([[a, 10n, true]]) });
    assert.deepEqual(
      staking.calls.map((c) => c.op),
      ["slash", "jail"],
    );
    assert.equal(staking.calls[0]?.op === "slash" && staking.calls[0].height, 9);
  });

  it("signing again clears old misses as the window wraps", async () => {
    const { chain, staking, keeper, vals, store } = await fakeChain(1, PARAMS);
    const a = vals[0]!;
    const signs = [false, false, false, true, true, true, true, true, true, true];
    for (const s of signs) await chain.block({ lastCommit: commit([[a, 10n, s]]) });
    assert.deepEqual(await keeper.signingInfos.missedIndexes(store, a.consAddr), [0n, 1n, 2n]);
    await chain.block({ lastCommit: commit([[a, 10n, true]]) });
    await chain.block({ lastCommit: commit([[a, 10n, false]]) }); // index 1 stays missed
    const info = await keeper.getSigningInfo(store, a.consAddr);
    assert.equal(info?.missedBlocksCounter, 2n);
    assert.equal(info?.indexOffset, 12n);
    assert.deepEqual(await keeper.signingInfos.missedIndexes(store, a.consAddr), [1n, 2n]);
    assert.equal(staking.calls.length, 0);
    assert.deepEqual(await chain.app.checkInvariants(), []);
  });

  it("skips votes of unknown validators and validators without signing info", async () => {
    const { chain, keeper, vals, store } = await fakeChain(1, PARAMS);
    const stranger = { ...vals[0]!, consAddr: new Uint8Array(20).fill(7) };
    await chain.block({ lastCommit: commit([[stranger, 10n, false]]) });
    assert.equal(await keeper.getSigningInfo(store, stranger.consAddr), undefined);
  });

  it("AfterValidatorBonded on an existing signing info restarts its window at the current height", async () => {
    const { chain, staking, keeper, vals, store } = await fakeChain(1, PARAMS);
    for (let h = 1; h <= 3; h++) await chain.block({ lastCommit: commit([[vals[0]!, 10n, false]]) });
    const ctx = {
      store,
      events: [],
      block: { chainId: "unit-1", height: 42, time: chain.time },
      runMsg: async () => {
        throw new Error("no");
      },
    };
    for (const h of staking.hooks) await h.afterValidatorBonded?.(ctx, vals[0]!.consAddr, vals[0]!.operator);
    const info = await keeper.getSigningInfo(store, vals[0]!.consAddr);
    assert.equal(info?.startHeight, 42n);
    assert.equal(info?.missedBlocksCounter, 3n);
    assert.equal(info?.indexOffset, 3n);
  });
});
