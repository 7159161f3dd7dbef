import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Header } from "../../../consensus/types.ts";
import { merkleRoot, sha256 } from "../../../crypto/index.ts";
import {
  blockHash,
  commitHash,
  dataHash,
  encodeEvidence,
  evidenceHash,
  headerHash,
  proposalSignBytes,
  resultsHash,
  txHash,
  validatorSetHash,
  voteSignBytes,
} from "../../../proto/index.ts";
import { concatBytes, equalBytes, fromHex, toHex, utf8 } from "../../../utils/index.ts";
import {
  fill,
  sampleBlock,
  sampleCommit,
  sampleEvidence,
  sampleHeader,
  sampleProposal,
  sampleValidator,
  sampleValidatorSet,
  sampleVote,
} from "./fixtures.ts";

const T = { timeout: 10_000 };
const EMPTY_ROOT = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"; // sha256("")

describe("hashes of chain objects", T, () => {
  it("empty lists hash to sha256 of nothing", T, () => {
    assert.equal(toHex(dataHash([])), EMPTY_ROOT);
    assert.equal(toHex(commitHash(sampleCommit({ signatures: [] }))), EMPTY_ROOT);
    assert.equal(toHex(evidenceHash([])), EMPTY_ROOT);
    assert.equal(toHex(validatorSetHash({ validators: [] })), EMPTY_ROOT);
    assert.equal(toHex(resultsHash([])), EMPTY_ROOT);
  });

  it("txHash is sha256 and dataHash is the Merkle root of tx hashes (CometBFT 0.38)", T, () => {
    const txs = [utf8("a"), utf8("bc"), utf8("def")];
    assert.deepStrictEqual(txHash(txs[0]!), sha256(utf8("a")));
    assert.deepStrictEqual(dataHash(txs), merkleRoot(txs.map((t) => sha256(t))));
    assert.notDeepStrictEqual(dataHash(txs), dataHash([txs[1]!, txs[0]!, txs[2]!]), "order matters");
  });

  it("a one-validator set hashes its hand-encoded SimpleValidator leaf", T, () => {
    const v = sampleValidator(7, 300n, 99n);
    // SimpleValidator {pub_key: 0x0a 0x20 <key>, voting_power: 0x10 varint(300) = ac 02}
    const leaf = concatBytes(fromHex("0a20"), v.pubKey, fromHex("10ac02"));
    assert.deepStrictEqual(validatorSetHash({ validators: [v] }), sha256(Uint8Array.of(0), leaf));
    // Priorities are not committed to; order and power are.
    assert.deepStrictEqual(
      validatorSetHash({ validators: [{ ...v, proposerPriority: -1n }] }),
      validatorSetHash({ validators: [v] }),
    );
    const set = sampleValidatorSet();
    assert.notDeepStrictEqual(
      validatorSetHash(set),
      validatorSetHash({ validators: [...set.validators].reverse() }),
    );
  });

  it("results hash commits to code, data and gas only", T, () => {
    const r = { code: 0, data: fill(2, 1), gasWanted: 10n, gasUsed: 5n };
    // ExecTxResult {data: 12 02 01 01, gas_wanted: 28 0a, gas_used: 30 05}
    assert.deepStrictEqual(resultsHash([r]), sha256(Uint8Array.of(0), fromHex("12020101280a3005")));
    for (const changed of [
      { ...r, code: 1 },
      { ...r, data: fill(2, 2) },
      { ...r, gasWanted: 11n },
      { ...r, gasUsed: 6n },
    ]) {
      assert.notDeepStrictEqual(resultsHash([changed]), resultsHash([r]));
    }
  });

  it("commit and evidence hashes change with their contents", T, () => {
    const c = sampleCommit();
    const sigs = [...c.signatures];
    sigs[0] = { ...sigs[0]!, timestamp: sigs[0]!.timestamp + 1n };
    assert.notDeepStrictEqual(commitHash(c), commitHash({ ...c, signatures: sigs }));
    const ev = sampleEvidence();
    assert.deepStrictEqual(evidenceHash([ev]), merkleRoot([encodeEvidence(ev)]));
    assert.notDeepStrictEqual(evidenceHash([ev]), evidenceHash([{ ...ev, validatorPower: 11n }]));
  });

  it("header hash is deterministic and changes when any field changes", T, () => {
    const h = sampleHeader();
    assert.deepStrictEqual(headerHash(h), headerHash(sampleHeader()));
    assert.equal(headerHash(h).length, 32);
    const changes: { [K in keyof Header]: Header[K] } = {
      chainId: "other-chain",
      height: 8,
      time: h.time + 1n,
      lastBlockHash: fill(32, 0xf1),
      lastCommitHash: fill(32, 0xf2),
      dataHash: fill(32, 0xf3),
      validatorsHash: fill(32, 0xf4),
      nextValidatorsHash: fill(32, 0xf5),
      consensusHash: fill(32, 0xf6),
      appHash: fill(32, 0xf7),
      lastResultsHash: fill(32, 0xf8),
      evidenceHash: fill(32, 0xf9),
      proposerAddress: fill(20, 0xfa),
    };
    const seen = new Set([toHex(headerHash(h))]);
    for (const key of Object.keys(changes) as (keyof Header)[]) {
      const hash = toHex(headerHash({ ...h, [key]: changes[key] }));
      assert.ok(!seen.has(hash), `changing ${key} must change the header hash`);
      seen.add(hash);
    }
    // An empty hash field differs from a present one.
    assert.notDeepStrictEqual(headerHash({ ...h, lastBlockHash: new Uint8Array(0) }), headerHash(h));
  });

  it("header hash leaves follow CometBFT's cdcEncode layout", T, () => {
    const h = sampleHeader();
    const wrapBytes = (b: Uint8Array) => concatBytes(Uint8Array.of(0x0a, b.length), b);
    const leaves = [
      fromHex("080b"), // version {block: 11}
      wrapBytes(utf8(h.chainId)),
      fromHex("0807"), // Int64Value{7}
      // Timestamp {seconds: 1700000000, nanos: 1}
      fromHex("0880e2cfaa061001"),
      ...[
        h.lastBlockHash,
        h.lastCommitHash,
        h.dataHash,
        h.validatorsHash,
        h.nextValidatorsHash,
        h.consensusHash,
        h.appHash,
        h.lastResultsHash,
        h.evidenceHash,
        h.proposerAddress,
      ].map(wrapBytes),
    ];
    assert.deepStrictEqual(headerHash(h), merkleRoot(leaves));
  });

  it("block hash is the header hash", T, () => {
    const b = sampleBlock();
    assert.deepStrictEqual(blockHash(b), headerHash(b.header));
    assert.deepStrictEqual(
      blockHash({ ...b, txs: [] }),
      blockHash(b),
      "txs are committed through header.dataHash",
    );
  });
});

describe("sign bytes", T, () => {
  it("vote sign bytes are the length-delimited CanonicalVote", T, () => {
    const expected =
      "3c" + // length 60
      "0802" + // type = precommit
      "110500000000000000" + // sfixed64 height = 5
      "190100000000000000" + // sfixed64 round = 1
      `2220${"aa".repeat(32)}` + // block_hash
      "320474657374"; // chain_id "test"
    assert.equal(toHex(voteSignBytes("test", sampleVote())), expected);
  });

  it("vote sign bytes ignore timestamp, address, index and signature", T, () => {
    const v = sampleVote();
    const same = sampleVote({
      timestamp: 99n,
      validatorAddress: fill(20, 9),
      validatorIndex: 0,
      signature: fill(64, 9),
    });
    assert.deepStrictEqual(voteSignBytes("c", same), voteSignBytes("c", v));
  });

  it("vote sign bytes differ per chain id and per signed field", T, () => {
    const v = sampleVote();
    const base = voteSignBytes("chain-a", v);
    const variants = [
      voteSignBytes("chain-b", v),
      voteSignBytes("chain-a", { ...v, type: 1 }),
      voteSignBytes("chain-a", { ...v, height: 6 }),
      voteSignBytes("chain-a", { ...v, round: 2 }),
      voteSignBytes("chain-a", { ...v, blockHash: fill(32, 0xab) }),
      voteSignBytes("chain-a", { ...v, blockHash: new Uint8Array(0) }),
    ];
    const all = new Set([toHex(base), ...variants.map(toHex)]);
    assert.equal(all.size, variants.length + 1);
  });

  it("proposal sign bytes are the length-delimited CanonicalProposal", T, () => {
    const p = sampleProposal({ height: 1, round: 0, polRound: -1, timestamp: 2_000_000_003n });
    const body =
      "0820" + // type = 32
      "110100000000000000" + // sfixed64 height = 1
      // round 0 omitted
      `20${"ff".repeat(9)}01` + // pol_round = -1 as int64 varint
      `2a20${"bb".repeat(32)}` + // block_hash
      "320408021003" + // timestamp {2, 3}
      "3a0178"; // chain_id "x"
    const bytes = proposalSignBytes("x", p);
    assert.equal(toHex(bytes), (body.length / 2).toString(16).padStart(2, "0") + body);
  });

  it("proposal sign bytes differ per chain id and per field, but not per signature", T, () => {
    const p = sampleProposal();
    const base = proposalSignBytes("a", p);
    const variants = [
      proposalSignBytes("b", p),
      proposalSignBytes("a", { ...p, height: p.height + 1 }),
      proposalSignBytes("a", { ...p, round: p.round + 1 }),
      proposalSignBytes("a", { ...p, polRound: -1 }),
      proposalSignBytes("a", { ...p, blockHash: fill(32, 1) }),
      proposalSignBytes("a", { ...p, timestamp: p.timestamp + 1n }),
    ];
    const all = new Set([toHex(base), ...variants.map(toHex)]);
    assert.equal(all.size, variants.length + 1);
    assert.ok(equalBytes(proposalSignBytes("a", { ...p, signature: fill(64, 0) }), base));
    // A vote and a proposal never share sign bytes: the type differs.
    assert.notDeepStrictEqual(toHex(base).slice(2, 6), toHex(voteSignBytes("a", sampleVote())).slice(2, 6));
  });
});
