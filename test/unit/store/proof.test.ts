import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createWriteBatch } from "../../../consensus/application.ts";
import {
  decodeProof,
  EMPTY_HASH,
  encodeProof,
  MemoryKvStore,
  type MerkleProof,
  MerkleTree,
  ProofKind,
  verifyMembership,
  verifyNonMembership,
} from "../../../store/index.ts";
import { utf8 } from "../../../utils/index.ts";
import { prng } from "./helpers.ts";

const T = { timeout: 30_000 };

async function buildTree(): Promise<{ tree: MerkleTree; versions: Map<number, Map<string, Uint8Array>> }> {
  const db = new MemoryKvStore();
  const tree = await MerkleTree.open(db);
  const r = prng(11);
  const model = new Map<string, Uint8Array>();
  const versions = new Map<number, Map<string, Uint8Array>>();
  for (let b = 1; b <= 5; b++) {
    for (let i = 0; i < 200; i++) {
      const k = `key/${r.int(400)}`;
      if (r.int(5) === 0) {
        tree.delete(utf8(k));
        model.delete(k);
      } else {
        const v = r.bytes(1 + r.int(40));
        tree.set(utf8(k), v);
        model.set(k, v);
      }
    }
    const batch = createWriteBatch();
    await tree.commit(batch);
    await db.batch(batch.ops);
    tree.onBatchWritten();
    versions.set(b, new Map(model));
  }
  return { tree, versions };
}

function flip(b: Uint8Array, i = 0): Uint8Array {
  const out = b.slice();
  out[i % out.length]! ^= 1;
  return out;
}

describe("state tree proofs", () => {
  it(
    "membership and non-membership proofs verify at several versions, and fail when tampered",
    T,
    async () => {
      const { tree, versions } = await buildTree();
      for (const [version, model] of versions) {
        const root = await tree.rootHash(version);
        for (let i = 0; i < 400; i += 7) {
          const key = utf8(`key/${i}`);
          const expected = model.get(`key/${i}`);
          const { value, proof } = await tree.prove(key, version);
          assert.deepEqual(value, expected);
          const bytes = encodeProof(proof);
          assert.deepEqual(decodeProof(bytes), proof, "encoding round trips");
          if (expected !== undefined) {
            assert.equal(proof.kind, ProofKind.Membership);
            assert.ok(verifyMembership(root, key, expected, bytes));
            assert.ok(verifyMembership(root, key, expected, proof));
            assert.ok(!verifyMembership(root, key, flip(expected), bytes), "tampered value");
            assert.ok(!verifyMembership(flip(root), key, expected, bytes), "tampered root");
            assert.ok(!verifyMembership(root, utf8(`key/${i}x`), expected, bytes), "other key");
            assert.ok(!verifyNonMembership(root, key, bytes), "a membership proof is no absence proof");
          } else {
            assert.equal(proof.kind, ProofKind.NonMembership);
            assert.ok(verifyNonMembership(root, key, bytes));
            assert.ok(!verifyNonMembership(flip(root), key, bytes), "tampered root");
            assert.ok(!verifyMembership(root, key, new Uint8Array(0), bytes));
          }
        }
      }
    },
  );

  it("an absence proof does not prove the absence of a present key", T, async () => {
    const { tree, versions } = await buildTree();
    const model = versions.get(5)!;
    const root = tree.hash;
    const present = [...model.keys()].sort();
    // The absence proof of a key between two present keys must not pass for either neighbour.
    const absent = utf8(`${present[10]!}~`);
    const { proof } = await tree.prove(absent, 5);
    assert.ok(verifyNonMembership(root, absent, proof));
    assert.ok(!verifyNonMembership(root, utf8(present[10]!), proof));
    assert.ok(!verifyNonMembership(root, utf8(present[11]!), proof));
    // Forging: pretend the path ends early, or swap a child hash for the empty hash.
    const steps = proof.steps;
    const cut: MerkleProof = { kind: ProofKind.NonMembership, steps: steps.slice(0, -1) };
    assert.ok(!verifyNonMembership(root, absent, cut));
    const last = steps.at(-1)!;
    const forged: MerkleProof = {
      kind: ProofKind.NonMembership,
      steps: [
        ...steps.slice(0, -1),
        { ...last, leftHash: flip(last.leftHash), rightHash: flip(last.rightHash) },
      ],
    };
    assert.ok(!verifyNonMembership(root, absent, forged));
  });

  it("the empty tree proves absence with no steps", T, async () => {
    const tree = await MerkleTree.open(new MemoryKvStore());
    const { value, proof } = await tree.prove(utf8("x"), 0);
    assert.equal(value, undefined);
    assert.equal(proof.steps.length, 0);
    assert.ok(verifyNonMembership(EMPTY_HASH, utf8("x"), encodeProof(proof)));
    assert.ok(!verifyNonMembership(flip(EMPTY_HASH), utf8("x"), encodeProof(proof)));
  });

  it("decoding garbage throws PROOF_DECODE and the verifiers return false, never throw", T, async () => {
    const { tree } = await buildTree();
    const good = encodeProof((await tree.prove(utf8("key/1"), 5)).proof);
    const r = prng(5);
    const garbage = [
      new Uint8Array(0),
      new Uint8Array([1]),
      good.subarray(0, good.length - 1),
      flip(good, 1),
    ];
    garbage.push(new Uint8Array([...good, 0]));
    for (let i = 0; i < 50; i++) garbage.push(r.bytes(r.int(300)));
    for (const g of garbage) {
      let decoded = true;
      try {
        decodeProof(g);
      } catch (e) {
        decoded = false;
        assert.equal((e as { code?: string }).code, "PROOF_DECODE");
      }
      if (g.length < 4 || g === garbage[3] || g.length === good.length + 1 || g.length === good.length - 1) {
        assert.equal(decoded, false, "a truncated, extended or unknown-kind proof must not decode");
      }
      assert.equal(verifyMembership(tree.hash, utf8("key/1"), utf8("v"), g), false);
      assert.equal(verifyNonMembership(tree.hash, utf8("key/1"), g), false);
    }
    const junk = { kind: 1, steps: [{ key: "no", valueHash: 3 }] } as unknown as MerkleProof;
    assert.equal(verifyMembership(tree.hash, utf8("k"), utf8("v"), junk), false);
    assert.equal(verifyNonMembership(tree.hash, utf8("k"), junk), false);
    assert.equal(verifyNonMembership(new Uint8Array(3), utf8("k"), good), false);
  });
});
