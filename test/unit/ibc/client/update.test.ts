import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  ClientStatus,
  clientStatus,
  createClient,
  getClientState,
  getConsensusState,
  latestConsensusState,
  updateClient,
} from "../../../../ibc/index.ts";
import {
  CLIENT,
  clientHeader,
  consensusOf,
  MemStore,
  makeSet,
  rejectsWith,
  SECOND,
  signedHeader,
  T,
  T0,
  type TestValidator,
  testClientState,
} from "./helpers.ts";

const A = makeSet([1, 2, 3, 4]);

/** A client of CHAIN_ID created at height 1 (time T0) whose next validator set is A. */
async function setup(): Promise<MemStore> {
  const store = new MemStore();
  const h1 = signedHeader({ height: 1, time: T0, vals: A });
  await createClient(store, CLIENT, testClientState(1n), consensusOf(h1));
  return store;
}

function indexesOf(set: readonly TestValidator[], members: readonly TestValidator[]): number[] {
  return members.map((m) => set.findIndex((v) => v.key.publicKey.every((b, i) => b === m.key.publicKey[i])));
}

describe("light client: adjacent updates", () => {
  it("verifies a header signed by the trusted next set and stores its consensus state", T, async () => {
    const store = await setup();
    const h2 = signedHeader({ height: 2, time: T0 + 5n * SECOND, vals: A });
    const res = await updateClient(store, CLIENT, clientHeader(h2, A, 1n, A), T0 + 6n * SECOND);
    assert.equal(res.kind, "updated");
    assert.equal((await getClientState(store, CLIENT))?.latestHeight, 2n);
    const cs = await getConsensusState(store, CLIENT, 2n);
    assert.deepEqual(cs, consensusOf(h2));
    const latest = await latestConsensusState(store, CLIENT);
    assert.equal(latest.height, 2n);
    assert.equal(await clientStatus(store, CLIENT, T0 + 6n * SECOND), ClientStatus.Active);
  });

  it("accepts 3 of 4 equal signers and refuses 2 of 4, storing nothing", T, async () => {
    const store = await setup();
    const before = store.snapshot();
    const weak = signedHeader({ height: 2, time: T0 + SECOND, vals: A, signers: [0, 1] });
    await rejectsWith(
      updateClient(store, CLIENT, clientHeader(weak, A, 1n, A), T0 + 2n * SECOND),
      "IBC_HEADER_INVALID",
      /only 20 of 40 voting power signed/,
    );
    assert.deepEqual(store.snapshot(), before);
    const ok = signedHeader({ height: 2, time: T0 + SECOND, vals: A, signers: [0, 1, 3] });
    assert.equal(
      (await updateClient(store, CLIENT, clientHeader(ok, A, 1n, A), T0 + 2n * SECOND)).kind,
      "updated",
    );
  });

  it("refuses an adjacent header whose set is not the trusted next set", T, async () => {
    const store = await setup();
    const B = makeSet([5, 6, 7, 8]);
    const h2 = signedHeader({ height: 2, time: T0 + SECOND, vals: B });
    await rejectsWith(
      updateClient(store, CLIENT, clientHeader(h2, B, 1n, A), T0 + 2n * SECOND),
      "IBC_HEADER_INVALID",
      /not the next validators hash/,
    );
  });

  it("refuses a validator set or trusted set that does not match the hashes", T, async () => {
    const store = await setup();
    const B = makeSet([5, 6, 7, 8]);
    const h2 = signedHeader({ height: 2, time: T0 + SECOND, vals: A });
    await rejectsWith(
      updateClient(store, CLIENT, clientHeader(h2, B, 1n, A), T0 + 2n * SECOND),
      "IBC_HEADER_INVALID",
      /validator set does not hash/,
    );
    await rejectsWith(
      updateClient(store, CLIENT, clientHeader(h2, A, 1n, B), T0 + 2n * SECOND),
      "IBC_HEADER_INVALID",
      /trusted validators do not hash/,
    );
  });

  it("refuses a tampered signature", T, async () => {
    const store = await setup();
    const h2 = signedHeader({ height: 2, time: T0 + SECOND, vals: A });
    const sig = h2.commit.signatures[0]!;
    const bad = sig.signature.slice();
    bad[5]! ^= 1;
    const signatures = [{ ...sig, signature: bad }, ...h2.commit.signatures.slice(1)];
    const forged = { ...h2, commit: { ...h2.commit, signatures } };
    await rejectsWith(
      updateClient(store, CLIENT, clientHeader(forged, A, 1n, A), T0 + 2n * SECOND),
      "IBC_HEADER_INVALID",
      /signature 0 is invalid/,
    );
  });
});

describe("light client: skipping verification", () => {
  it("accepts a changed set when more than 1/3 of the trusted set signed", T, async () => {
    const store = await setup();
    const B = makeSet([3, 4, 5, 6]); // 2 of A's 4 validators remain: 20/40 > 1/3
    const h5 = signedHeader({ height: 5, time: T0 + 20n * SECOND, vals: B });
    const res = await updateClient(store, CLIENT, clientHeader(h5, B, 1n, A), T0 + 21n * SECOND);
    assert.equal(res.kind, "updated");
    assert.equal((await getClientState(store, CLIENT))?.latestHeight, 5n);
    // The next update trusts height 5 and its next set B.
    const h6 = signedHeader({ height: 6, time: T0 + 25n * SECOND, vals: B });
    assert.equal(
      (await updateClient(store, CLIENT, clientHeader(h6, B, 5n, B), T0 + 26n * SECOND)).kind,
      "updated",
    );
  });

  it("refuses when at most 1/3 of the trusted set signed, storing nothing", T, async () => {
    const store = await setup();
    const before = store.snapshot();
    const C = makeSet([4, 5, 6, 7]); // only validator 4 remains: 10/40
    const h5 = signedHeader({ height: 5, time: T0 + 20n * SECOND, vals: C });
    await rejectsWith(
      updateClient(store, CLIENT, clientHeader(h5, C, 1n, A), T0 + 21n * SECOND),
      "IBC_HEADER_INVALID",
      /only 10 of 40 trusted voting power signed; more than 1\/3 is needed/,
    );
    assert.deepEqual(store.snapshot(), before);
  });

  it("refuses exactly 1/3 of the trusted power (strictly more is required)", T, async () => {
    const store = new MemStore();
    const A3 = makeSet([1, 2, 3]);
    const h1 = signedHeader({ height: 1, time: T0, vals: A3 });
    await createClient(store, CLIENT, testClientState(1n), consensusOf(h1));
    const C = makeSet([3, 8, 9]);
    const h4 = signedHeader({ height: 4, time: T0 + SECOND, vals: C });
    await rejectsWith(
      updateClient(store, CLIENT, clientHeader(h4, C, 1n, A3), T0 + 2n * SECOND),
      "IBC_HEADER_INVALID",
      /only 10 of 30 trusted/,
    );
  });

  it("refuses when the trusted set signed but not more than 2/3 of the new set", T, async () => {
    const store = await setup();
    const B = makeSet([3, 4, 5, 6]);
    const signers = indexesOf(B, makeSet([3, 4]));
    const h5 = signedHeader({ height: 5, time: T0 + 20n * SECOND, vals: B, signers });
    await rejectsWith(
      updateClient(store, CLIENT, clientHeader(h5, B, 1n, A), T0 + 21n * SECOND),
      "IBC_HEADER_INVALID",
      /only 20 of 40 voting power signed/,
    );
  });

  it("fills in a lower height without lowering the latest height, and ignores a repeat", T, async () => {
    const store = await setup();
    const h5 = signedHeader({ height: 5, time: T0 + 20n * SECOND, vals: A });
    await updateClient(store, CLIENT, clientHeader(h5, A, 1n, A), T0 + 21n * SECOND);
    const h3 = signedHeader({ height: 3, time: T0 + 10n * SECOND, vals: A });
    const res = await updateClient(store, CLIENT, clientHeader(h3, A, 1n, A), T0 + 21n * SECOND);
    assert.equal(res.kind, "updated");
    assert.equal((await getClientState(store, CLIENT))?.latestHeight, 5n);
    assert.deepEqual(await getConsensusState(store, CLIENT, 3n), consensusOf(h3));
    const before = store.snapshot();
    const again = await updateClient(store, CLIENT, clientHeader(h3, A, 1n, A), T0 + 22n * SECOND);
    assert.deepEqual(again, { kind: "noop", height: 3n });
    assert.deepEqual(store.snapshot(), before);
  });
});

describe("light client: refusals", () => {
  it("refuses a header of another chain", T, async () => {
    const store = await setup();
    const h2 = signedHeader({ chainId: "other-1", height: 2, time: T0 + SECOND, vals: A });
    await rejectsWith(
      updateClient(store, CLIENT, clientHeader(h2, A, 1n, A), T0 + 2n * SECOND),
      "IBC_HEADER_INVALID",
      /chain id "other-1" is not the client's chain id "consumer-1"/,
    );
    // Votes signed for another chain id do not count for this one.
    const cross = signedHeader({ height: 2, time: T0 + SECOND, vals: A, signChainId: "other-1" });
    await rejectsWith(
      updateClient(store, CLIENT, clientHeader(cross, A, 1n, A), T0 + 2n * SECOND),
      "IBC_HEADER_INVALID",
      /signature 0 is invalid/,
    );
  });

  it("refuses updates from a trusted state past its trusting period", T, async () => {
    const store = await setup();
    const h2 = signedHeader({ height: 2, time: T0 + SECOND, vals: A });
    const upd = clientHeader(h2, A, 1n, A);
    const before = store.snapshot();
    await rejectsWith(
      updateClient(store, CLIENT, upd, T0 + 100n * SECOND),
      "IBC_CLIENT_EXPIRED",
      /trusting period/,
    );
    assert.deepEqual(store.snapshot(), before);
    assert.equal(await clientStatus(store, CLIENT, T0 + 100n * SECOND), ClientStatus.Expired);
    assert.equal((await updateClient(store, CLIENT, upd, T0 + 100n * SECOND - 1n)).kind, "updated");
  });

  it("refuses a header too far ahead of the host clock", T, async () => {
    const store = await setup();
    const now = T0 + 5n * SECOND;
    const early = signedHeader({ height: 2, time: now + 10n * SECOND, vals: A });
    await rejectsWith(
      updateClient(store, CLIENT, clientHeader(early, A, 1n, A), now),
      "IBC_HEADER_INVALID",
      /too far in the future/,
    );
    const justOk = signedHeader({ height: 2, time: now + 10n * SECOND - 1n, vals: A });
    assert.equal((await updateClient(store, CLIENT, clientHeader(justOk, A, 1n, A), now)).kind, "updated");
  });

  it("refuses a header whose time is not after the trusted time", T, async () => {
    const store = await setup();
    for (const time of [T0, T0 - SECOND]) {
      const h2 = signedHeader({ height: 2, time, vals: A });
      await rejectsWith(
        updateClient(store, CLIENT, clientHeader(h2, A, 1n, A), T0 + SECOND),
        "IBC_HEADER_INVALID",
        /is not after the trusted time/,
      );
    }
  });

  it("refuses a header not above its trusted height, or from an unknown trusted height", T, async () => {
    const store = await setup();
    const h1 = signedHeader({ height: 1, time: T0 + SECOND, vals: A });
    await rejectsWith(
      updateClient(store, CLIENT, clientHeader(h1, A, 1n, A), T0 + 2n * SECOND),
      "IBC_HEADER_INVALID",
      /above the trusted height 1/,
    );
    const h9 = signedHeader({ height: 9, time: T0 + SECOND, vals: A });
    await rejectsWith(
      updateClient(store, CLIENT, clientHeader(h9, A, 7n, A), T0 + 2n * SECOND),
      "IBC_CONSENSUS_STATE_NOT_FOUND",
      /no consensus state at height 7/,
    );
    await rejectsWith(
      updateClient(store, "07-tendermint-9", clientHeader(h9, A, 1n, A), T0),
      "IBC_CLIENT_NOT_FOUND",
    );
  });

  it("createClient validates its inputs and refuses an existing id", T, async () => {
    const store = await setup();
    const cs = consensusOf(signedHeader({ height: 1, time: T0, vals: A }));
    await rejectsWith(createClient(store, CLIENT, testClientState(1n), cs), "IBC_CLIENT_EXISTS");
    await rejectsWith(createClient(store, "bad/id", testClientState(1n), cs), "IBC_CLIENT_ID_INVALID");
    await rejectsWith(
      createClient(store, "c2", testClientState(1n, { trustLevel: { numerator: 1n, denominator: 4n } }), cs),
      "IBC_CLIENT_STATE_INVALID",
      /trust level 1\/4/,
    );
    await rejectsWith(
      createClient(store, "c2", testClientState(1n, { trustingPeriod: 300n * SECOND }), cs),
      "IBC_CLIENT_STATE_INVALID",
      /shorter than the unbonding period/,
    );
    await rejectsWith(
      createClient(store, "c2", testClientState(1n, { frozenHeight: 1n }), cs),
      "IBC_CLIENT_STATE_INVALID",
      /must not be frozen/,
    );
    await rejectsWith(
      createClient(store, "c2", testClientState(1n), { ...cs, nextValidatorsHash: new Uint8Array(3) }),
      "IBC_CONSENSUS_STATE_INVALID",
    );
    assert.equal(await getClientState(store, "c2"), undefined);
  });
});

describe("light client: a client made from the counterparty's genesis", () => {
  it("starts at height 0 with the initial set's hash and accepts header 1 as adjacent", T, async () => {
    const store = new MemStore();
    const h1 = signedHeader({ height: 1, time: T0, vals: A });
    await createClient(store, CLIENT, testClientState(0n), {
      timestamp: T0 - 1n,
      root: new Uint8Array(0),
      nextValidatorsHash: h1.header.validatorsHash,
    });
    const res = await updateClient(store, CLIENT, clientHeader(h1, A, 0n, A), T0 + SECOND);
    assert.equal(res.kind, "updated");
    assert.equal((await getClientState(store, CLIENT))?.latestHeight, 1n);
  });

  it("refuses a first header signed by a set other than the genesis set", T, async () => {
    const store = new MemStore();
    const h1 = signedHeader({ height: 1, time: T0, vals: A });
    await createClient(store, CLIENT, testClientState(0n), {
      timestamp: T0 - 1n,
      root: new Uint8Array(0),
      nextValidatorsHash: h1.header.validatorsHash,
    });
    const B = makeSet([5, 6, 7]);
    const forged = signedHeader({ height: 1, time: T0, vals: B });
    await rejectsWith(
      updateClient(store, CLIENT, clientHeader(forged, B, 0n, B), T0 + SECOND),
      "IBC_HEADER_INVALID",
    );
    assert.equal((await getClientState(store, CLIENT))?.latestHeight, 0n);
  });
});
