import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  ClientStatus,
  clientStatus,
  createClient,
  getClientState,
  getConsensusState,
  getMisbehaviour,
  MisbehaviourKind,
  submitMisbehaviour,
  updateClient,
  verifyMembershipAt,
  verifyNonMembershipAt,
} from "../../../../ibc/index.ts";
import { headerHash } from "../../../../proto/index.ts";
import { utf8 } from "../../../../utils/index.ts";
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

const A = makeSet([1, 2, 3, 4]);
const NOW = T0 + 50n * SECOND;

async function setup(): Promise<MemStore> {
  const store = new MemStore();
  const h1 = signedHeader({ height: 1, time: T0, vals: A });
  await createClient(store, CLIENT, testClientState(1n), consensusOf(h1));
  return store;
}

const header = (height: number, time: bigint, appByte?: number) =>
  signedHeader({
    height,
    time,
    vals: A,
    ...(appByte === undefined ? {} : { appHash: new Uint8Array(32).fill(appByte) }),
  });

describe("light client: misbehaviour found by updateClient", () => {
  it("freezes on a different valid header at a stored height, keeping the stored state", T, async () => {
    const store = await setup();
    const h2 = header(2, T0 + SECOND, 0x11);
    await updateClient(store, CLIENT, clientHeader(h2, A, 1n, A), NOW);
    const fork = header(2, T0 + SECOND, 0x22);
    const res = await updateClient(store, CLIENT, clientHeader(fork, A, 1n, A), NOW);
    assert.equal(res.kind, "frozen");
    assert.equal((await getClientState(store, CLIENT))?.frozenHeight, 1n);
    assert.deepEqual(await getMisbehaviour(store, CLIENT), {
      kind: MisbehaviourKind.DuplicateHeight,
      height1: 2n,
      hash1: headerHash(h2.header),
      height2: 2n,
      hash2: headerHash(fork.header),
    });
    assert.deepEqual(await getConsensusState(store, CLIENT, 2n), consensusOf(h2));
    assert.equal(await clientStatus(store, CLIENT, NOW), ClientStatus.Frozen);
  });

  it("freezes when a filled-in header is not earlier than the next stored state", T, async () => {
    const store = await setup();
    const h5 = header(5, T0 + 20n * SECOND);
    await updateClient(store, CLIENT, clientHeader(h5, A, 1n, A), NOW);
    const h3 = header(3, T0 + 20n * SECOND); // equal time at a lower height
    const res = await updateClient(store, CLIENT, clientHeader(h3, A, 1n, A), NOW);
    assert.equal(res.kind, "frozen");
    const m = await getMisbehaviour(store, CLIENT);
    assert.equal(m?.kind, MisbehaviourKind.TimeMonotonicity);
    assert.equal(m?.height1, 5n);
    assert.deepEqual(m?.hash1, headerHash(h5.header));
    assert.equal(m?.height2, 3n);
    assert.equal(await getConsensusState(store, CLIENT, 3n), undefined);
  });

  it("freezes when a higher header is not later than the previous stored state", T, async () => {
    const store = await setup();
    await updateClient(store, CLIENT, clientHeader(header(3, T0 + 10n * SECOND), A, 1n, A), NOW);
    const h5 = header(5, T0 + 9n * SECOND); // after the trusted height 1, but before height 3
    const res = await updateClient(store, CLIENT, clientHeader(h5, A, 1n, A), NOW);
    assert.equal(res.kind, "frozen");
    const m = await getMisbehaviour(store, CLIENT);
    assert.equal(m?.height1, 3n);
    assert.equal(m?.height2, 5n);
    assert.equal((await getClientState(store, CLIENT))?.latestHeight, 3n);
  });

  it("a frozen client refuses updates and proofs", T, async () => {
    const store = await setup();
    await updateClient(store, CLIENT, clientHeader(header(2, T0 + SECOND, 1), A, 1n, A), NOW);
    await updateClient(store, CLIENT, clientHeader(header(2, T0 + SECOND, 2), A, 1n, A), NOW);
    const before = store.snapshot();
    await rejectsWith(
      updateClient(store, CLIENT, clientHeader(header(3, T0 + 2n * SECOND), A, 2n, A), NOW),
      "IBC_CLIENT_FROZEN",
      /frozen and refuses updates/,
    );
    await rejectsWith(
      verifyMembershipAt(store, CLIENT, 2n, utf8("k"), utf8("v"), new Uint8Array(4), NOW),
      "IBC_CLIENT_FROZEN",
      /refuses proofs/,
    );
    await rejectsWith(
      verifyNonMembershipAt(store, CLIENT, 2n, utf8("k"), new Uint8Array(4), NOW),
      "IBC_CLIENT_FROZEN",
    );
    const f1 = clientHeader(header(4, T0 + 3n * SECOND, 1), A, 1n, A);
    const f2 = clientHeader(header(4, T0 + 3n * SECOND, 2), A, 1n, A);
    await rejectsWith(submitMisbehaviour(store, CLIENT, f1, f2, NOW), "IBC_CLIENT_FROZEN");
    assert.deepEqual(store.snapshot(), before);
  });
});

describe("light client: submitted misbehaviour", () => {
  it("freezes on two valid headers for one height, in either order", T, async () => {
    for (const swap of [false, true]) {
      const store = await setup();
      const a = clientHeader(header(4, T0 + 3n * SECOND, 1), A, 1n, A);
      const b = clientHeader(header(4, T0 + 3n * SECOND, 2), A, 1n, A);
      const rec = await submitMisbehaviour(store, CLIENT, swap ? b : a, swap ? a : b, NOW);
      assert.equal(rec.kind, MisbehaviourKind.DuplicateHeight);
      assert.equal(rec.height1, 4n);
      assert.equal((await getClientState(store, CLIENT))?.frozenHeight, 1n);
      assert.deepEqual(await getMisbehaviour(store, CLIENT), rec);
    }
  });

  it("freezes on a BFT time violation, even with headers beyond the clock drift", T, async () => {
    const store = await setup();
    const hi = clientHeader(header(6, NOW + 100n * SECOND), A, 1n, A);
    const lo = clientHeader(header(5, NOW + 200n * SECOND), A, 1n, A);
    const rec = await submitMisbehaviour(store, CLIENT, lo, hi, NOW);
    assert.equal(rec.kind, MisbehaviourKind.TimeMonotonicity);
    assert.equal(rec.height1, 6n);
    assert.equal(rec.height2, 5n);
    assert.equal(await clientStatus(store, CLIENT, NOW), ClientStatus.Frozen);
  });

  it("refuses what is not misbehaviour, or headers that do not verify, writing nothing", T, async () => {
    const store = await setup();
    const before = store.snapshot();
    const same = clientHeader(header(4, T0 + 3n * SECOND), A, 1n, A);
    await rejectsWith(
      submitMisbehaviour(store, CLIENT, same, same, NOW),
      "IBC_MISBEHAVIOUR_INVALID",
      /same block at height 4/,
    );
    const later = clientHeader(header(5, T0 + 4n * SECOND), A, 1n, A);
    await rejectsWith(
      submitMisbehaviour(store, CLIENT, later, same, NOW),
      "IBC_MISBEHAVIOUR_INVALID",
      /in order/,
    );
    const weak = clientHeader(
      signedHeader({
        height: 4,
        time: T0 + 3n * SECOND,
        vals: A,
        signers: [0],
        appHash: new Uint8Array(32).fill(9),
      }),
      A,
      1n,
      A,
    );
    await rejectsWith(
      submitMisbehaviour(store, CLIENT, same, weak, NOW),
      "IBC_HEADER_INVALID",
      /only 10 of 40/,
    );
    const otherChain = clientHeader(
      signedHeader({ chainId: "evil-1", height: 4, time: T0 + 3n * SECOND, vals: A }),
      A,
      1n,
      A,
    );
    await rejectsWith(
      submitMisbehaviour(store, CLIENT, same, otherChain, NOW),
      "IBC_HEADER_INVALID",
      /chain id/,
    );
    assert.deepEqual(store.snapshot(), before);
    assert.equal(await clientStatus(store, CLIENT, NOW), ClientStatus.Active);
  });
});
