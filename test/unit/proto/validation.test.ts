import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { icsd } from "../../../proto/gen/icsd.js";
import {
  decodeBlock,
  decodeBlockRequest,
  decodeBlockResponse,
  decodeCatchupResponse,
  decodeCommit,
  decodeEvidence,
  decodeHeader,
  decodeProposal,
  decodeProposalMessage,
  decodeStatusResponse,
  decodeTxMessage,
  decodeValidatorSet,
  decodeVote,
  decodeVoteMessage,
  decodeWalMessage,
  encodeBlock,
  encodeCommit,
  encodeEvidence,
  encodeHeader,
  encodeProposal,
  encodeProposalMessage,
  encodeValidatorSet,
  encodeVote,
  encodeWalMessage,
  MAX_BLOCKS_PER_REQUEST,
  PROTO_DECODE,
} from "../../../proto/index.ts";
import { IcsdError } from "../../../utils/index.ts";
import {
  fill,
  sampleBlock,
  sampleCommit,
  sampleEvidence,
  sampleHeader,
  sampleProposal,
  sampleValidator,
  sampleVote,
} from "./fixtures.ts";

const T = { timeout: 10_000 };
const pb = icsd.types;

/** Asserts `fn` throws PROTO_DECODE with a message matching `message`. */
function rejects(fn: () => unknown, message: RegExp | string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof IcsdError, `expected IcsdError, got ${String(e)}`);
    assert.equal(e.code, PROTO_DECODE);
    if (typeof message === "string") assert.equal(e.message, message);
    else assert.match(e.message, message);
    return true;
  });
}

const ts = { seconds: 1, nanos: 0 };
const goodVotePb = {
  type: 2,
  height: 5,
  round: 1,
  blockHash: fill(32, 1),
  timestamp: ts,
  validatorAddress: fill(20, 2),
  signature: fill(64, 3),
};

describe("proto decoders reject bad fields with PROTO_DECODE naming the field", T, () => {
  it("vote lengths, type, ranges and missing timestamp", T, () => {
    rejects(
      () => decodeVote(encodeVote(sampleVote({ signature: fill(3, 1) }))),
      "vote.signature: expected 64 bytes, got 3",
    );
    rejects(
      () => decodeVote(encodeVote(sampleVote({ signature: new Uint8Array(0) }))),
      /^vote\.signature: expected 64/,
    );
    rejects(
      () => decodeVote(encodeVote(sampleVote({ blockHash: fill(31, 1) }))),
      "vote.blockHash: expected 0 or 32 bytes, got 31",
    );
    rejects(
      () => decodeVote(encodeVote(sampleVote({ validatorAddress: fill(21, 1) }))),
      /^vote\.validatorAddress: expected 20/,
    );
    rejects(
      () => decodeVote(encodeVote(sampleVote({ type: 3 as 1 }))),
      "vote.type: expected one of 1|2, got 3",
    );
    rejects(() => decodeVote(encodeVote(sampleVote({ type: 0 as 1 }))), /^vote\.type/);
    rejects(() => decodeVote(encodeVote(sampleVote({ height: -1 }))), "vote.height: must be >= 0, got -1");
    rejects(() => decodeVote(encodeVote(sampleVote({ round: -2 }))), "vote.round: must be >= 0, got -2");
    rejects(
      () => decodeVote(encodeVote(sampleVote({ validatorIndex: -1 }))),
      /^vote\.validatorIndex: must be >= 0/,
    );
    const big = pb.Vote.encode({
      ...goodVotePb,
      height: { low: 0, high: 0x200000, unsigned: false } as never,
    }).finish();
    rejects(() => decodeVote(big), "vote.height: out of safe integer range");
    rejects(
      () => decodeVote(pb.Vote.encode({ ...goodVotePb, timestamp: null }).finish()),
      "vote.timestamp: missing",
    );
    rejects(
      () =>
        decodeVote(
          pb.Vote.encode({ ...goodVotePb, timestamp: { seconds: 1, nanos: 1_000_000_000 } }).finish(),
        ),
      /^vote\.timestamp\.nanos: must be in \[0, 1e9\)/,
    );
    rejects(
      () => decodeVote(pb.Vote.encode({ ...goodVotePb, timestamp: { seconds: 1, nanos: -1 } }).finish()),
      /^vote\.timestamp\.nanos/,
    );
  });

  it("proposal: block hash required, POL round in [-1, round)", T, () => {
    rejects(
      () => decodeProposal(encodeProposal(sampleProposal({ blockHash: new Uint8Array(0) }))),
      /^proposal\.blockHash: expected 32/,
    );
    rejects(
      () => decodeProposal(encodeProposal(sampleProposal({ polRound: -2 }))),
      "proposal.polRound: must be >= -1, got -2",
    );
    rejects(
      () => decodeProposal(encodeProposal(sampleProposal({ polRound: 2, round: 2 }))),
      /^proposal\.polRound: must be -1 or < round/,
    );
    rejects(
      () => decodeProposal(encodeProposal(sampleProposal({ signature: fill(65, 0) }))),
      /^proposal\.signature/,
    );
  });

  it("commit signatures: flags, and absent entries carry nothing", T, () => {
    const withSig = (i: number, s: object) => {
      const c = sampleCommit();
      const sigs = [...c.signatures];
      sigs[i] = { ...sigs[i]!, ...s };
      return encodeCommit({ ...c, signatures: sigs });
    };
    rejects(
      () => decodeCommit(withSig(0, { flag: 4 })),
      "commit.signatures[0].flag: expected one of 1|2|3, got 4",
    );
    rejects(
      () => decodeCommit(withSig(0, { signature: fill(2, 1) })),
      "commit.signatures[0].signature: expected 64 bytes, got 2",
    );
    rejects(
      () => decodeCommit(withSig(1, { signature: fill(64, 1) })),
      "commit.signatures[1].signature: expected 0 bytes, got 64",
    );
    rejects(
      () => decodeCommit(withSig(1, { validatorAddress: fill(20, 1) })),
      /^commit\.signatures\[1\]\.validatorAddress: expected 0/,
    );
    rejects(
      () => decodeCommit(withSig(2, { validatorAddress: new Uint8Array(0) })),
      /^commit\.signatures\[2\]\.validatorAddress: expected 20/,
    );
    rejects(() => decodeCommit(encodeCommit(sampleCommit({ blockHash: fill(5, 1) }))), /^commit\.blockHash/);
  });

  it("header: hashes, proposer address, chain id, version", T, () => {
    rejects(
      () => decodeHeader(encodeHeader(sampleHeader({ appHash: fill(20, 1) }))),
      "header.appHash: expected 0 or 32 bytes, got 20",
    );
    rejects(
      () => decodeHeader(encodeHeader(sampleHeader({ proposerAddress: new Uint8Array(0) }))),
      /^header\.proposerAddress/,
    );
    rejects(
      () => decodeHeader(encodeHeader(sampleHeader({ chainId: "x".repeat(51) }))),
      /^header\.chainId: longer than 50/,
    );
    const h = pb.Header.decode(encodeHeader(sampleHeader()));
    rejects(
      () => decodeHeader(pb.Header.encode({ ...h, version: { block: 10, app: 0 } }).finish()),
      "header.version.block: expected 11, got 10",
    );
    rejects(
      () => decodeHeader(pb.Header.encode({ ...h, version: { block: 11, app: 3 } }).finish()),
      /^header\.version\.app/,
    );
    rejects(
      () => decodeHeader(pb.Header.encode({ ...h, version: null }).finish()),
      "header.version: missing",
    );
    rejects(() => decodeHeader(pb.Header.encode({ ...h, time: null }).finish()), "header.time: missing");
  });

  it("block and evidence: required sub-messages, nested paths", T, () => {
    const b = pb.Block.decode(encodeBlock(sampleBlock()));
    rejects(() => decodeBlock(pb.Block.encode({ ...b, header: null }).finish()), "block.header: missing");
    rejects(
      () => decodeBlock(pb.Block.encode({ ...b, lastCommit: null }).finish()),
      "block.lastCommit: missing",
    );
    rejects(
      () =>
        decodeBlock(
          encodeBlock(
            sampleBlock({ evidence: [sampleEvidence({ voteB: sampleVote({ signature: fill(1, 1) }) })] }),
          ),
        ),
      "block.evidence[0].duplicateVoteEvidence.voteB.signature: expected 64 bytes, got 1",
    );
    rejects(() => decodeEvidence(pb.Evidence.encode({}).finish()), "evidence: no evidence kind set");
    rejects(
      () => decodeEvidence(encodeEvidence(sampleEvidence({ validatorPower: -1n }))),
      /validatorPower: must be >= 0/,
    );
    const e = pb.Evidence.decode(encodeEvidence(sampleEvidence()));
    rejects(
      () =>
        decodeEvidence(
          pb.Evidence.encode({ duplicateVoteEvidence: { ...e.duplicateVoteEvidence, voteA: null } }).finish(),
        ),
      "evidence.duplicateVoteEvidence.voteA: missing",
    );
  });

  it("validator set: key length, address derived from key, power, duplicates", T, () => {
    const v = sampleValidator(1, 10n);
    rejects(
      () => decodeValidatorSet(encodeValidatorSet({ validators: [{ ...v, pubKey: fill(33, 1) }] })),
      "validatorSet.validators[0].pubKey: expected 32 bytes, got 33",
    );
    rejects(
      () => decodeValidatorSet(encodeValidatorSet({ validators: [v, { ...v, address: fill(20, 0) }] })),
      "validatorSet.validators[1].address: does not match pubKey",
    );
    rejects(
      () => decodeValidatorSet(encodeValidatorSet({ validators: [{ ...v, votingPower: -1n }] })),
      /votingPower: must be >= 0/,
    );
    rejects(
      () => decodeValidatorSet(encodeValidatorSet({ validators: [v, v] })),
      "validatorSet.validators[1].address: duplicate validator",
    );
  });

  it("p2p and wal messages: required parts and kinds", T, () => {
    rejects(() => decodeVoteMessage(new Uint8Array(0)), "voteMessage.vote: missing");
    rejects(() => decodeTxMessage(new Uint8Array(0)), "txMessage.txs: empty");
    rejects(
      () =>
        decodeTxMessage(icsd.p2p.TxMessage.encode({ txs: [Uint8Array.of(1), new Uint8Array()] }).finish()),
      "txMessage.txs[1]: empty",
    );
    rejects(
      () => decodeProposalMessage(icsd.p2p.ProposalMessage.encode({ proposal: {} }).finish()),
      /^proposalMessage\.block: missing|^proposalMessage\.proposal\./,
    );
    rejects(
      () =>
        decodeBlockResponse(
          icsd.p2p.BlockResponse.encode({ blocks: [{ commit: Uint8Array.of(1) }] }).finish(),
        ),
      "blockResponse.blocks[0].block: missing",
    );
    rejects(
      () => decodeStatusResponse(icsd.p2p.StatusResponse.encode({ height: -3 }).finish()),
      "statusResponse.height: must be >= 0, got -3",
    );
    rejects(
      () =>
        decodeCatchupResponse(
          icsd.p2p.CatchupResponse.encode({ votes: [{ ...goodVotePb, type: 9 as never }] }).finish(),
        ),
      "catchupResponse.votes[0].type: expected one of 1|2, got 9",
    );
    rejects(() => decodeWalMessage(new Uint8Array(0)), "walMessage: no record kind set");
    rejects(
      () => decodeWalMessage(icsd.wal.WalMessage.encode({ timeout: { kind: 0, height: 1 } }).finish()),
      /^walMessage\.timeout\.kind/,
    );
    rejects(
      () => decodeWalMessage(encodeWalMessage({ kind: "vote", vote: sampleVote({ blockHash: fill(1, 1) }) })),
      /^walMessage\.vote\.blockHash/,
    );
  });
  it("block-sync range: request bounds, response count and nested paths", T, () => {
    const req = (m: icsd.p2p.BlockRequest.$Properties) => icsd.p2p.BlockRequest.encode(m).finish();
    rejects(() => decodeBlockRequest(req({ height: 0, count: 2 })), "blockRequest.height: 0 is not a height");
    rejects(() => decodeBlockRequest(req({ height: -1 })), "blockRequest.height: must be >= 0, got -1");
    rejects(
      () => decodeBlockRequest(req({ height: 1, count: MAX_BLOCKS_PER_REQUEST + 1 })),
      `blockRequest.count: more than ${MAX_BLOCKS_PER_REQUEST}`,
    );
    rejects(
      () => decodeBlockRequest(req({ height: Number.MAX_SAFE_INTEGER, count: 2 })),
      "blockRequest.height: range overflows",
    );
    const one = { block: encodeBlock(sampleBlock()), commit: encodeCommit(sampleCommit()) };
    const res = (blocks: icsd.p2p.StoredBlock.$Properties[]) =>
      icsd.p2p.BlockResponse.encode({ blocks }).finish();
    rejects(
      () => decodeBlockResponse(res(new Array(MAX_BLOCKS_PER_REQUEST + 1).fill(one))),
      `blockResponse.blocks: more than ${MAX_BLOCKS_PER_REQUEST}`,
    );
    rejects(
      () => decodeBlockResponse(res([one, { block: one.block }])),
      "blockResponse.blocks[1].commit: missing",
    );
    rejects(
      () => decodeBlockResponse(res([one, { block: Uint8Array.of(0xff), commit: one.commit }])),
      /^blockResponse\.blocks\[1\]\.block: malformed protobuf/,
    );
    rejects(
      () => decodeBlockResponse(res([one, { block: one.block, commit: encodeVote(sampleVote()) }])),
      /^blockResponse\.blocks\[1\]\.commit/,
    );
  });
});

describe("proto decoders never leak raw errors on malformed bytes", T, () => {
  it("garbage bytes throw PROTO_DECODE", T, () => {
    const garbage = [
      Uint8Array.of(0xff),
      Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff),
      Uint8Array.of(0x0f), // wire type 7
      Uint8Array.of(0x0a, 0x05, 0x01), // length beyond the end
      Uint8Array.of(0x0b), // start group never closed
    ];
    for (const g of garbage) {
      for (const decode of [
        decodeVote,
        decodeBlock,
        decodeHeader,
        decodeValidatorSet,
        decodeWalMessage,
        decodeCatchupResponse,
      ]) {
        rejects(() => decode(g), /malformed protobuf|missing|expected|no record kind|no evidence/);
      }
    }
    rejects(() => decodeVote("abc" as unknown as Uint8Array), "vote: expected a Uint8Array");
  });

  it("every strict prefix of an encoded block or proposal message is rejected", T, () => {
    const cases: [Uint8Array, (b: Uint8Array) => unknown][] = [
      [encodeBlock(sampleBlock()), decodeBlock],
      [encodeProposalMessage({ proposal: sampleProposal(), block: sampleBlock() }), decodeProposalMessage],
    ];
    for (const [full, decode] of cases) {
      assert.ok(decode(full));
      for (let n = 0; n < full.length; n++) {
        assert.throws(
          () => decode(full.subarray(0, n)),
          (e: unknown) => e instanceof IcsdError && e.code === PROTO_DECODE,
          `prefix of ${n} bytes`,
        );
      }
    }
  });

  it("every single-byte corruption of a vote decodes or throws PROTO_DECODE", T, () => {
    const bytes = encodeVote(sampleVote());
    let rejected = 0;
    for (let i = 0; i < bytes.length; i++) {
      for (const x of [0x01, 0x80, 0xff]) {
        const c = Uint8Array.from(bytes);
        c[i]! ^= x;
        try {
          decodeVote(c);
        } catch (e) {
          assert.ok(e instanceof IcsdError && e.code === PROTO_DECODE, `byte ${i} ^ ${x}: ${String(e)}`);
          rejected++;
        }
      }
    }
    assert.ok(rejected > 0);
  });
});
