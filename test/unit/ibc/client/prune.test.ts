import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  createClient,
  getClientState,
  getConsensusState,
  latestConsensusState,
  pruneExpired,
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
  testClientState,
} from "./helpers.ts";

const A = makeSet([1, 2, 3]);

/** A client with consensus states at heights 1..n, height h at time T0 + (h-1)*10s. */
async function chainOf(n: number): Promise<MemStore> {
  const store = new MemStore();
  await createClient(
    store,
    CLIENT,
    testClientState(1n),
    consensusOf(signedHeader({ height: 1, time: T0, vals: A })),
  );
  for (let h = 2; h <= n; h++) {
    const sh = signedHeader({ height: h, time: T0 + BigInt(h - 1) * 10n * SECOND, vals: A });
    const res = await updateClient(
      store,
      CLIENT,
      clientHeader(sh, A, BigInt(h - 1), A),
      sh.header.time + SECOND,
    );
    assert.equal(res.kind, "updated");
  }
  return store;
}

describe("light client: pruning", () => {
  it("deletes expired consensus states oldest first and keeps the rest", T, async () => {
    const store = await chainOf(4);
    // Trusting period 100s: at T0+115s the states at T0 and T0+10s are expired, T0+20s is not.
    assert.deepEqual(await pruneExpired(store, CLIENT, T0 + 115n * SECOND), [1n, 2n]);
    assert.equal(await getConsensusState(store, CLIENT, 1n), undefined);
    assert.equal(await getConsensusState(store, CLIENT, 2n), undefined);
    assert.notEqual(await getConsensusState(store, CLIENT, 3n), undefined);
    // Header hashes go with their states: only heights 3 and 4 keep records besides the client state.
    const headerHashes = [...store.map.keys()].filter((k) => k.includes("/headerHashes/"));
    assert.equal(headerHashes.length, 2);
    assert.deepEqual(await pruneExpired(store, CLIENT, T0 + 115n * SECOND), []);
  });

  it("always keeps the latest consensus state", T, async () => {
    const store = await chainOf(3);
    assert.deepEqual(await pruneExpired(store, CLIENT, T0 + 10_000n * SECOND), [1n, 2n]);
    const latest = await latestConsensusState(store, CLIENT);
    assert.equal(latest.height, 3n);
    assert.equal((await getClientState(store, CLIENT))?.latestHeight, 3n);
  });

  it("reads only what it deletes, plus one", T, async () => {
    const store = await chainOf(20);
    store.iterated = 0;
    assert.deepEqual(await pruneExpired(store, CLIENT, T0 + 120n * SECOND), [1n, 2n, 3n]);
    assert.equal(store.iterated, 4);
  });

  it("refuses an unknown client", T, async () => {
    await rejectsWith(pruneExpired(new MemStore(), CLIENT, T0), "IBC_CLIENT_NOT_FOUND");
  });
});
