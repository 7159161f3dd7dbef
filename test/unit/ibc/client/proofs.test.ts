import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { AppStore } from "../../../../app/store.ts";
import { createWriteBatch } from "../../../../consensus/index.ts";
import {
  type ClientStore,
  clientProofVerifier,
  consensusTimestamp,
  createClient,
  type ProofVerifier,
  updateClient,
  verifyMembershipAt,
  verifyNonMembershipAt,
} from "../../../../ibc/index.ts";
import { encodeProof, MemoryKvStore, MerkleTree } from "../../../../store/index.ts";
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
const NOW = T0 + 10n * SECOND;
const KEY = utf8("ibc/commitments/ports/transfer/channels/channel-0/sequences/00000001");
const VALUE = new Uint8Array(32).fill(7);
const ABSENT = utf8("ibc/receipts/ports/transfer/channels/channel-0/sequences/00000009");

/**
 * The counterparty's state tree with a few packet-layer keys committed, and a client that has verified
 * a header at height 2 whose app hash is that tree's root (height 1's root is something else).
 */
async function setup(): Promise<{ store: MemStore; tree: MerkleTree; version: number }> {
  const db = new MemoryKvStore();
  const tree = await MerkleTree.open(db);
  tree.set(KEY, VALUE);
  tree.set(utf8("ibc/acks/ports/transfer/channels/channel-0/sequences/00000001"), new Uint8Array(32).fill(1));
  tree.set(utf8("ibc/nextSequenceRecv/ports/transfer/channels/channel-0"), new Uint8Array(8));
  const batch = createWriteBatch();
  const { version, hash } = await tree.commit(batch);
  await db.batch(batch.ops);
  tree.onBatchWritten();

  const store = new MemStore();
  const h1 = signedHeader({ height: 1, time: T0, vals: A });
  await createClient(store, CLIENT, testClientState(1n), consensusOf(h1));
  const h2 = signedHeader({ height: 2, time: T0 + SECOND, vals: A, appHash: hash });
  await updateClient(store, CLIENT, clientHeader(h2, A, 1n, A), NOW);
  return { store, tree, version };
}

describe("light client: proofs against verified roots", () => {
  it("verifies real membership and non-membership proofs at the proof height", T, async () => {
    const { store, tree, version } = await setup();
    const present = await tree.prove(KEY, version);
    assert.deepEqual(present.value, VALUE);
    await verifyMembershipAt(store, CLIENT, 2n, KEY, VALUE, encodeProof(present.proof), NOW);
    const absent = await tree.prove(ABSENT, version);
    assert.equal(absent.value, undefined);
    await verifyNonMembershipAt(store, CLIENT, 2n, ABSENT, encodeProof(absent.proof), NOW);
  });

  it("refuses a wrong value, a wrong key, a wrong root and garbage, reading only", T, async () => {
    const { store, tree, version } = await setup();
    const before = store.snapshot();
    const proof = encodeProof((await tree.prove(KEY, version)).proof);
    const forged = VALUE.slice();
    forged[0]! ^= 1;
    await rejectsWith(
      verifyMembershipAt(store, CLIENT, 2n, KEY, forged, proof, NOW),
      "IBC_PROOF_INVALID",
      /membership proof of key "ibc\/commitments\/ports\/transfer\/channels\/channel-0\/sequences\/00000001".*height 2/,
    );
    await rejectsWith(verifyMembershipAt(store, CLIENT, 2n, ABSENT, VALUE, proof, NOW), "IBC_PROOF_INVALID");
    // Height 1's root is another app hash: the same proof does not verify there.
    await rejectsWith(verifyMembershipAt(store, CLIENT, 1n, KEY, VALUE, proof, NOW), "IBC_PROOF_INVALID");
    await rejectsWith(
      verifyMembershipAt(store, CLIENT, 2n, KEY, VALUE, new Uint8Array([1, 2, 3]), NOW),
      "IBC_PROOF_INVALID",
    );
    // A present key has no valid non-membership proof; a membership proof is not one either.
    const absentProof = encodeProof((await tree.prove(ABSENT, version)).proof);
    await rejectsWith(verifyNonMembershipAt(store, CLIENT, 2n, KEY, absentProof, NOW), "IBC_PROOF_INVALID");
    await rejectsWith(verifyNonMembershipAt(store, CLIENT, 2n, KEY, proof, NOW), "IBC_PROOF_INVALID");
    assert.deepEqual(store.snapshot(), before);
  });

  it("refuses a height without a consensus state, an unknown client and an expired client", T, async () => {
    const { store, tree, version } = await setup();
    const proof = encodeProof((await tree.prove(KEY, version)).proof);
    await rejectsWith(
      verifyMembershipAt(store, CLIENT, 3n, KEY, VALUE, proof, NOW),
      "IBC_CONSENSUS_STATE_NOT_FOUND",
      /no consensus state at height 3/,
    );
    await rejectsWith(verifyMembershipAt(store, "nope", 2n, KEY, VALUE, proof, NOW), "IBC_CLIENT_NOT_FOUND");
    // The latest consensus state (height 2, time T0+1s) expires at T0+101s.
    await verifyMembershipAt(store, CLIENT, 2n, KEY, VALUE, proof, T0 + 101n * SECOND - 1n);
    await rejectsWith(
      verifyMembershipAt(store, CLIENT, 2n, KEY, VALUE, proof, T0 + 101n * SECOND),
      "IBC_CLIENT_EXPIRED",
    );
  });

  it("serves the packet layer through clientProofVerifier, with consensus timestamps", T, async () => {
    const { store, tree, version } = await setup();
    // The client's adapter is the channel layer's ProofVerifier, and the app's store is a ClientStore
    // (both checked by the type checker).
    const v: ProofVerifier = clientProofVerifier(store, NOW);
    const appStoreFits = (s: AppStore): ClientStore => s;
    assert.equal(typeof appStoreFits, "function");
    await v.verifyMembership(CLIENT, 2n, KEY, VALUE, encodeProof((await tree.prove(KEY, version)).proof));
    await v.verifyNonMembership(CLIENT, 2n, ABSENT, encodeProof((await tree.prove(ABSENT, version)).proof));
    assert.equal(await v.consensusTimestamp(CLIENT, 2n), T0 + SECOND);
    assert.equal(await consensusTimestamp(store, CLIENT, 1n), T0);
    await rejectsWith(v.consensusTimestamp(CLIENT, 5n), "IBC_CONSENSUS_STATE_NOT_FOUND");
  });
});
