import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { icsd } from "../../../proto/gen/icsd.js";
import {
  decodeBlock,
  decodeBlockRequest,
  decodeBlockResponse,
  decodeCatchupRequest,
  decodeCatchupResponse,
  decodeCommit,
  decodeEvidence,
  decodeEvidenceMessage,
  decodeHeader,
  decodeProposal,
  decodeProposalMessage,
  decodeStatusRequest,
  decodeStatusResponse,
  decodeTxMessage,
  decodeValidatorSet,
  decodeVote,
  decodeVoteMessage,
  decodeWalMessage,
  encodeBlock,
  encodeBlockRequest,
  encodeBlockResponse,
  encodeCatchupRequest,
  encodeCatchupResponse,
  encodeCommit,
  encodeEvidence,
  encodeEvidenceMessage,
  encodeHeader,
  encodeProposal,
  encodeProposalMessage,
  encodeStatusRequest,
  encodeStatusResponse,
  encodeTxMessage,
  encodeValidatorSet,
  encodeVote,
  encodeVoteMessage,
  encodeWalMessage,
  MAX_BLOCKS_PER_REQUEST,
  PROTO_ENCODE,
  type WalMessage,
} from "../../../proto/index.ts";
import { fromHex, IcsdError, toHex } from "../../../utils/index.ts";
import {
  fill,
  sampleBlock,
  sampleCommit,
  sampleEvidence,
  sampleHeader,
  sampleProposal,
  sampleValidatorSet,
  sampleVote,
} from "./fixtures.ts";

const T = { timeout: 10_000 };

/** Encodes, decodes, checks the value survives and that re-encoding gives the same bytes. */
function roundTrip<V>(value: V, encode: (v: V) => Uint8Array, decode: (b: Uint8Array) => V): void {
  const bytes = encode(value);
  assert.equal(Object.getPrototypeOf(bytes), Uint8Array.prototype, "encoders return plain Uint8Arrays");
  const back = decode(bytes);
  assert.deepStrictEqual(back, value);
  assert.deepStrictEqual(encode(back), bytes);
  // A Node Buffer input decodes to the same plain-Uint8Array value.
  assert.deepStrictEqual(decode(Buffer.from(bytes)), value);
}

describe("proto codecs: round trips", T, () => {
  it("vote, including a nil vote and a prevote", T, () => {
    roundTrip(sampleVote(), encodeVote, decodeVote);
    roundTrip(
      sampleVote({ type: 1, blockHash: new Uint8Array(0), round: 0, validatorIndex: 0 }),
      encodeVote,
      decodeVote,
    );
    roundTrip(sampleVote({ height: Number.MAX_SAFE_INTEGER }), encodeVote, decodeVote);
  });

  it("proposal, with and without a POL round, negative and huge times", T, () => {
    roundTrip(sampleProposal(), encodeProposal, decodeProposal);
    roundTrip(sampleProposal({ polRound: -1, round: 0 }), encodeProposal, decodeProposal);
    roundTrip(sampleProposal({ timestamp: -1n }), encodeProposal, decodeProposal);
    roundTrip(sampleProposal({ timestamp: 9_000_000_000_000_000_000_000n }), encodeProposal, decodeProposal);
  });

  it("commit, with absent, commit and nil signatures, and an empty commit", T, () => {
    roundTrip(sampleCommit(), encodeCommit, decodeCommit);
    roundTrip(
      { height: 0, round: 0, blockHash: new Uint8Array(0), signatures: [] },
      encodeCommit,
      decodeCommit,
    );
  });

  it("header, evidence and block", T, () => {
    roundTrip(sampleHeader(), encodeHeader, decodeHeader);
    roundTrip(
      sampleHeader({ height: 1, lastBlockHash: new Uint8Array(0), time: 0n }),
      encodeHeader,
      decodeHeader,
    );
    roundTrip(sampleEvidence(), encodeEvidence, decodeEvidence);
    roundTrip(sampleBlock(), encodeBlock, decodeBlock);
    roundTrip(sampleBlock({ txs: [], evidence: [] }), encodeBlock, decodeBlock);
  });

  it("validator set keeps order and 64-bit priorities", T, () => {
    roundTrip(sampleValidatorSet(), encodeValidatorSet, decodeValidatorSet);
    roundTrip({ validators: [] }, encodeValidatorSet, decodeValidatorSet);
  });

  it("p2p gossip messages", T, () => {
    roundTrip(
      { proposal: sampleProposal(), block: sampleBlock() },
      encodeProposalMessage,
      decodeProposalMessage,
    );
    roundTrip(sampleVote(), encodeVoteMessage, decodeVoteMessage);
    roundTrip([fill(10, 7), fill(3, 1), fill(250, 9)], encodeTxMessage, decodeTxMessage);
    roundTrip(sampleEvidence(), encodeEvidenceMessage, decodeEvidenceMessage);
  });

  it("p2p request/response messages", T, () => {
    assert.equal(decodeStatusRequest(encodeStatusRequest()), undefined);
    roundTrip(
      { chainId: "icsd-1", height: 100, earliestHeight: 1, lastBlockHash: fill(32, 9) },
      encodeStatusResponse,
      decodeStatusResponse,
    );
    roundTrip(
      { chainId: "", height: 0, earliestHeight: 0, lastBlockHash: new Uint8Array(0) },
      encodeStatusResponse,
      decodeStatusResponse,
    );
    roundTrip({ height: 12, count: 1 }, encodeBlockRequest, decodeBlockRequest);
    roundTrip({ height: 12, count: MAX_BLOCKS_PER_REQUEST }, encodeBlockRequest, decodeBlockRequest);
    roundTrip(13, encodeCatchupRequest, decodeCatchupRequest);
    roundTrip(
      {
        proposals: [{ proposal: sampleProposal(), block: sampleBlock() }],
        votes: [sampleVote(), sampleVote({ type: 1 })],
      },
      encodeCatchupResponse,
      decodeCatchupResponse,
    );
  });

  it("block-sync range: a request without a count asks for one block", T, () => {
    assert.deepStrictEqual(decodeBlockRequest(icsd.p2p.BlockRequest.encode({ height: 9 }).finish()), {
      height: 9,
      count: 1,
    });
  });

  it("block-sync response: stored bytes go out as they are and decode to the blocks", T, () => {
    const stored = [1, 2, 3].map((h) => ({
      block: encodeBlock(sampleBlock({ header: sampleHeader({ height: h }) })),
      commit: encodeCommit(sampleCommit({ height: h })),
    }));
    const bytes = encodeBlockResponse(stored);
    assert.equal(Object.getPrototypeOf(bytes), Uint8Array.prototype);
    const back = decodeBlockResponse(bytes);
    assert.deepStrictEqual(
      back,
      stored.map((x) => ({ block: decodeBlock(x.block), commit: decodeCommit(x.commit) })),
    );
    assert.deepStrictEqual(decodeBlockResponse(Buffer.from(bytes)), back);
    assert.deepStrictEqual(decodeBlockResponse(encodeBlockResponse([])), []);
    roundTrip({ proposals: [], votes: [] }, encodeCatchupResponse, decodeCatchupResponse);
  });

  it("every WAL record kind", T, () => {
    const records: WalMessage[] = [
      { kind: "proposal", proposal: { proposal: sampleProposal(), block: sampleBlock() } },
      { kind: "vote", vote: sampleVote() },
      { kind: "timeout", timeout: "propose", height: 3, round: 0 },
      { kind: "timeout", timeout: "prevote", height: 3, round: 4 },
      { kind: "timeout", timeout: "precommit", height: 3, round: 5 },
      { kind: "endHeight", height: 0 },
      { kind: "endHeight", height: 9 },
    ];
    for (const r of records) roundTrip(r, encodeWalMessage, decodeWalMessage);
  });
});

describe("proto codecs: deterministic encoding", T, () => {
  it("a vote encodes to the hand-computed protobuf bytes", T, () => {
    const expected =
      "0802" + // type = 2
      "1005" + // height = 5
      "1801" + // round = 1
      `2220${"aa".repeat(32)}` + // block_hash
      "2a04" +
      "0801" +
      "1002" + // timestamp {seconds 1, nanos 2}
      `3214${"11".repeat(20)}` + // validator_address
      "3803" + // validator_index = 3
      `4240${"22".repeat(64)}`; // signature
    assert.equal(toHex(encodeVote(sampleVote())), expected);
    assert.deepStrictEqual(decodeVote(fromHex(expected)), sampleVote());
  });

  it("zero values are omitted but timestamps are always present", T, () => {
    const bytes = encodeVote(
      sampleVote({ type: 1, height: 0, round: 0, blockHash: new Uint8Array(0), timestamp: 0n }),
    );
    assert.equal(toHex(bytes).slice(0, 8), "08012a00");
  });

  it("equal values give equal bytes however they were built", T, () => {
    const a = encodeBlock(sampleBlock());
    const b = encodeBlock(decodeBlock(Uint8Array.from(a)));
    assert.deepStrictEqual(a, b);
  });

  it("a negative time encodes as a floor second with positive nanos", T, () => {
    const bytes = encodeProposal(sampleProposal({ timestamp: -1n }));
    // timestamp field 6: {seconds: -1 (10-byte varint), nanos: 999999999}
    assert.ok(toHex(bytes).includes(`321108${"ff".repeat(9)}0110ff93ebdc03`));
  });

  it("values that do not fit their wire type throw PROTO_ENCODE", T, () => {
    const bad = { ...sampleValidatorSet().validators[0]!, votingPower: 1n << 63n };
    assert.throws(
      () => encodeValidatorSet({ validators: [bad] }),
      (e) => e instanceof IcsdError && e.code === PROTO_ENCODE,
    );
    assert.throws(
      () => encodeVote(sampleVote({ round: 2 ** 31 })),
      (e) => e instanceof IcsdError && e.code === PROTO_ENCODE,
    );
    for (const r of [
      { height: 0, count: 1 },
      { height: 1, count: 0 },
      { height: 1, count: MAX_BLOCKS_PER_REQUEST + 1 },
    ]) {
      assert.throws(
        () => encodeBlockRequest(r),
        (e) => e instanceof IcsdError && e.code === PROTO_ENCODE,
      );
    }
    const one = { block: encodeBlock(sampleBlock()), commit: encodeCommit(sampleCommit()) };
    assert.throws(
      () => encodeBlockResponse(new Array(MAX_BLOCKS_PER_REQUEST + 1).fill(one)),
      (e) => e instanceof IcsdError && e.code === PROTO_ENCODE,
    );
  });
});
