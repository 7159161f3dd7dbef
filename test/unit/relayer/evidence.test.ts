/**
 * Double-vote evidence out of a consumer's RPC: the `block` JSON decodes to the committed evidence,
 * `icsd evidence export` writes what `submit-consumer-double-voting` parses back to the same evidence and
 * header, and the relayer's EvidenceSubmitter submits each evidence once (settled refusals included).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { EncodeObject } from "@cosmjs/proto-signing";
import { exportEvidence } from "../../../cmd/evidence.ts";
import { parseDoubleVotingFiles } from "../../../cmd/txProvider.ts";
import {
  type Block,
  type DuplicateVoteEvidence,
  toShellValidator,
  VoteType,
} from "../../../consensus/index.ts";
import { ed25519Sign } from "../../../crypto/index.ts";
import { blockResultJson } from "../../../node/rpcJson.ts";
import { encodeCommit, encodeHeader, encodeValidatorSet, voteSignBytes } from "../../../proto/index.ts";
import { clientHeaderFromProto, duplicateVoteEvidenceFromProto } from "../../../provider/ccv/evidence.ts";
import { decodeBlockEvidence, EvidenceSubmitter, evidenceHash } from "../../../relayer/evidence.ts";
import { ChainQueries, type RpcCaller, type TxOutcome, type TxSender } from "../../../relayer/index.ts";
import { silentLogger, toBase64 } from "../../../utils/index.ts";
import { CHAIN_ID, makeSet, SECOND, setOf, signedHeader, T0 } from "../ibc/client/helpers.ts";

const vals = makeSet([1, 2, 3]);

function doubleVote(height: number, round = 0): DuplicateVoteEvidence {
  const v = vals[0]!;
  const mk = (fill: number) => {
    const unsigned = {
      type: VoteType.Prevote,
      height,
      round,
      blockHash: new Uint8Array(32).fill(fill),
      timestamp: T0 + 123_456_789n,
      validatorAddress: v.validator.address,
      validatorIndex: 0,
      signature: new Uint8Array(),
    };
    return { ...unsigned, signature: ed25519Sign(v.key, voteSignBytes(CHAIN_ID, unsigned)) };
  };
  return { voteA: mk(1), voteB: mk(2), totalVotingPower: 30n, validatorPower: 10n, timestamp: T0 + 5n };
}

function lightBlock(height: number) {
  const sh = signedHeader({ height, time: T0 + BigInt(height) * SECOND, vals });
  return {
    sh,
    json: {
      height: String(height),
      header: toBase64(encodeHeader(sh.header)),
      commit: toBase64(encodeCommit(sh.commit)),
      validator_set: toBase64(encodeValidatorSet(setOf(vals))),
    },
  };
}

/** A consumer RPC: blocks 1..tip, with `evidence` committed in the block at `evidenceAt`. */
function consumerRpc(tip: number, evidenceAt: number, evidence: DuplicateVoteEvidence[]): RpcCaller {
  return async (method, params) => {
    const h = params.height === undefined ? tip : Number(params.height);
    if (method === "light_block") return lightBlock(h).json;
    if (method === "block") {
      const { sh } = lightBlock(h);
      const block: Block = {
        header: sh.header,
        txs: [],
        evidence: h === evidenceAt ? evidence : [],
        lastCommit: sh.commit,
      };
      return blockResultJson(block, new Uint8Array());
    }
    throw new Error(`unexpected ${method}`);
  };
}

describe("consumer double-vote evidence from the RPC", () => {
  it("decodes the block route's evidence into the committed evidence", async () => {
    const ev = doubleVote(7);
    const got = decodeBlockEvidence(await consumerRpc(10, 8, [ev])("block", { height: "8" }));
    assert.deepEqual(got, [ev]);
    assert.deepEqual(decodeBlockEvidence(await consumerRpc(10, 8, [ev])("block", { height: "9" })), []);
  });

  it("exports evidence.json and header.json that submit-consumer-double-voting parses back to the same evidence and header", async () => {
    const ev = doubleVote(7);
    const out = await exportEvidence({ consumer: consumerRpc(10, 8, [ev]), height: 8n, trustedHeight: 5n });
    assert.equal(out.infractionHeight, 7n);
    // Through JSON text, as the files are.
    const parsed = parseDoubleVotingFiles(
      JSON.parse(JSON.stringify(out.evidence)),
      JSON.parse(JSON.stringify(out.header)),
    );
    assert.deepEqual(duplicateVoteEvidenceFromProto(parsed.duplicateVoteEvidence), ev);
    const header = clientHeaderFromProto(parsed.infractionBlockHeader);
    assert.deepEqual(header.signedHeader, lightBlock(7).sh);
    assert.equal(header.trustedHeight, 5n);
    assert.deepEqual(
      header.trustedValidators.validators.map(toShellValidator),
      setOf(vals).validators.map(toShellValidator),
    );
    await assert.rejects(
      exportEvidence({ consumer: consumerRpc(10, 8, [ev]), height: 9n, trustedHeight: 5n }),
      /no duplicate vote evidence/,
    );
    await assert.rejects(
      exportEvidence({ consumer: consumerRpc(10, 8, [ev]), height: 8n, trustedHeight: 7n }),
      /must be below/,
    );
  });

  it("submits each evidence once, treats 'already tombstoned' as settled and retries other failures", async () => {
    const a = doubleVote(7);
    const b = doubleVote(7, 1);
    const rpc = consumerRpc(10, 8, [a, b]);
    const outcomes: TxOutcome[] = [
      { ok: true, code: 0, log: "", redundant: false },
      { ok: false, code: 5, log: "out of gas", redundant: false },
      {
        ok: false,
        code: 9,
        log: "provider consensus address: x: validator already tombstoned",
        redundant: false,
      },
    ];
    const sent: EncodeObject[][] = [];
    const tx: TxSender = {
      chain: "provider-1",
      address: async () => "cosmos1submitter",
      submit: async (msgs) => {
        sent.push([...msgs]);
        return outcomes.shift()!;
      },
      close() {},
    };
    // The provider's client of the consumer is at height 5.
    const provider = new ChainQueries("provider-1", async () => {
      throw new Error("unused");
    });
    provider.clientState = async () => ({ latestHeight: 5n }) as never;
    const s = new EvidenceSubmitter({
      consumerRpc: rpc,
      consumer: new ChainQueries(CHAIN_ID, rpc),
      provider,
      providerTx: tx,
      consumerId: "0",
      clientId: "07-icsd-0",
      logger: silentLogger(),
    });
    const r1 = await s.round();
    assert.deepEqual([r1.scannedTo, r1.submitted, r1.failed], [10n, 1, 1]);
    const r2 = await s.round();
    assert.deepEqual([r2.submitted, r2.failed], [0, 0]);
    assert.equal(sent.length, 3);
    assert.deepEqual(s.settled(), [evidenceHash(a), evidenceHash(b)].sort());
    const value = sent[0]![0]!.value as {
      consumerId: string;
      infractionBlockHeader: { trustedHeight: { revisionHeight: bigint } };
    };
    assert.equal(value.consumerId, "0");
    assert.equal(value.infractionBlockHeader.trustedHeight.revisionHeight, 5n);
    // Nothing new: no more submissions.
    await s.round();
    assert.equal(sent.length, 3);
  });
});
