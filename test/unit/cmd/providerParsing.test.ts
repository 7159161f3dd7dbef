import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseHeight } from "../../../cmd/queryConsumer.ts";
import {
  JsonQueryType,
  parseChainAddress,
  parseConsumerId,
  parseConsumerPhase,
} from "../../../cmd/queryProvider.ts";
import {
  consumerIdFromResult,
  ibcHeaderFromLightBlock,
  parseCommissionRate,
  parseConsumerKey,
  parseDoubleVotingFiles,
  parseMisbehaviourFile,
} from "../../../cmd/txProvider.ts";
import {
  BlockIdFlag,
  type Commit,
  type Header,
  type ValidatorSet,
  type Vote,
} from "../../../consensus/index.ts";
import { addressFromPubKey } from "../../../crypto/index.ts";
import { encodeCommit, encodeHeader, encodeValidatorSet } from "../../../proto/index.ts";
import { clientHeaderToProto, duplicateVoteEvidenceToProto } from "../../../provider/ccv/evidence.ts";
import { MsgCreateConsumerResponseCodec } from "../../../provider/index.ts";
import { formatRfc3339Nano, IcsdError, toBase64, toHexUpper } from "../../../utils/index.ts";
import { fakeKey } from "./providerFixtures.ts";

function userError(fn: () => unknown, code: string, msg: RegExp): void {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof IcsdError, String(e));
    assert.equal(e.code, code);
    assert.match(e.message, msg);
    return;
  }
  assert.fail("expected an IcsdError");
}

const T = 1_714_564_842_123_456_789n;
const h32 = (b: number) => new Uint8Array(32).fill(b);

function validatorSet(): ValidatorSet {
  return {
    validators: [1, 2].map((i) => ({
      address: addressFromPubKey(fakeKey(i)),
      pubKey: fakeKey(i),
      votingPower: 10n,
      proposerPriority: 0n,
    })),
  };
}

function lightBlock(height: number, appHashByte: number) {
  const vals = validatorSet();
  const header: Header = {
    chainId: "consumer-1",
    height,
    time: T,
    lastBlockHash: h32(1),
    lastCommitHash: h32(2),
    dataHash: h32(3),
    validatorsHash: h32(4),
    nextValidatorsHash: h32(5),
    consensusHash: h32(6),
    appHash: h32(appHashByte),
    lastResultsHash: h32(8),
    evidenceHash: h32(9),
    proposerAddress: vals.validators[0]!.address,
  };
  const commit: Commit = {
    height,
    round: 0,
    blockHash: h32(10 + appHashByte),
    signatures: vals.validators.map((v) => ({
      flag: BlockIdFlag.Commit,
      validatorAddress: v.address,
      timestamp: T + 5n,
      signature: new Uint8Array(64).fill(3),
    })),
  };
  return {
    domain: {
      signedHeader: { header, commit },
      validatorSet: vals,
      trustedHeight: 0n,
      trustedValidators: vals,
    },
    json: {
      height: String(height),
      header: toBase64(encodeHeader(header)),
      commit: toBase64(encodeCommit(commit)),
      validator_set: toBase64(encodeValidatorSet(vals)),
    },
  };
}

function vote(blockByte: number): Vote {
  return {
    type: 2,
    height: 7,
    round: 1,
    blockHash: h32(blockByte),
    timestamp: T,
    validatorAddress: addressFromPubKey(fakeKey(1)),
    validatorIndex: 0,
    signature: new Uint8Array(64).fill(blockByte),
  };
}

// As icsd's RPC prints a vote (node/rpcJson.ts voteJson).
function voteJson(v: Vote) {
  return {
    type: v.type,
    height: String(v.height),
    round: v.round,
    block_id: { hash: toHexUpper(v.blockHash), parts: { total: 0, hash: "" } },
    timestamp: formatRfc3339Nano(v.timestamp),
    validator_address: toHexUpper(v.validatorAddress),
    validator_index: v.validatorIndex,
    signature: toBase64(v.signature),
  };
}

describe("provider CLI argument parsing", () => {
  it("consumer ids are uint64 decimals", () => {
    assert.equal(parseConsumerId("0"), "0");
    assert.equal(parseConsumerId("0012"), "12");
    assert.equal(parseConsumerId("18446744073709551615"), "18446744073709551615");
    for (const bad of ["", "-1", "1.5", "abc", "18446744073709551616", " 1"]) {
      userError(() => parseConsumerId(bad), "INVALID_ARGUMENT", /consumer-id must be a non-negative integer/);
    }
  });

  it("phases by short or full name", () => {
    assert.equal(parseConsumerPhase("launched"), "CONSUMER_PHASE_LAUNCHED");
    assert.equal(parseConsumerPhase("CONSUMER_PHASE_STOPPED"), "CONSUMER_PHASE_STOPPED");
    userError(() => parseConsumerPhase("running"), "INVALID_ARGUMENT", /--phase must be one of registered/);
  });

  it("commission rates are decimals in [0, 1]", () => {
    for (const ok of ["0", "0.05", "1", "1.000", "0.123456789012345678"])
      assert.equal(parseCommissionRate(ok), ok);
    for (const bad of ["1.01", "2", "-0.1", ".5", "0.1234567890123456789", "5%", ""]) {
      userError(
        () => parseCommissionRate(bad),
        "INVALID_ARGUMENT",
        /commission-rate must be a decimal between 0 and 1/,
      );
    }
  });

  it("consumer keys are normalised to the reference's JSON string", () => {
    const b64 = toBase64(fakeKey(4));
    const want = JSON.stringify({ "@type": "/cosmos.crypto.ed25519.PubKey", key: b64 });
    assert.equal(parseConsumerKey(want), want);
    assert.equal(parseConsumerKey(b64), want);
    assert.equal(parseConsumerKey(JSON.stringify({ type: "tendermint/PubKeyEd25519", value: b64 })), want);
    userError(() => parseConsumerKey("{"), "INVALID_PUBKEY", /invalid consumer-pubkey: not valid JSON/);
    userError(() => parseConsumerKey(toBase64(new Uint8Array(31))), "INVALID_PUBKEY", /32 bytes, got 31/);
    userError(
      () => parseConsumerKey(JSON.stringify({ "@type": "/cosmos.crypto.secp256k1.PubKey", key: b64 })),
      "INVALID_PUBKEY",
      /expected \{"@type":"\/cosmos.crypto.ed25519.PubKey"/,
    );
  });

  it("addresses and heights", () => {
    const acc = "cosmos1qypqxpq9qcrsszg2pvxq6rs0zqg3yyc5lzv7xu";
    assert.equal(parseChainAddress(acc, "cosmos"), acc);
    userError(() => parseChainAddress(acc, "osmo"), "INVALID_ADDRESS", /expected prefix osmo/);
    userError(() => parseChainAddress("nope", "cosmos"), "INVALID_ADDRESS", /invalid address/);
    assert.equal(parseHeight("42"), "42");
    userError(() => parseHeight("0"), "INVALID_ARGUMENT", /height must be a positive integer/);
  });

  it("the consumer id of a create-consumer result: its response first, then its events", () => {
    const value = MsgCreateConsumerResponseCodec.encode({ consumerId: "5" });
    const typeUrl = "/interchain_security.ccv.provider.v1.MsgCreateConsumerResponse";
    const events = [{ type: "create_consumer", attributes: [{ key: "consumer_id", value: "6" }] }];
    assert.equal(consumerIdFromResult({ msgResponses: [{ typeUrl, value }], events }), "5");
    assert.equal(consumerIdFromResult({ msgResponses: [], events }), "6");
    assert.equal(consumerIdFromResult({ msgResponses: [], events: [] }), undefined);
  });

  it("JSON queries: UTF-8 JSON both ways, a clear error for anything else", () => {
    const bytes = JsonQueryType.encode({ consumer_id: "1" }).finish();
    assert.equal(new TextDecoder().decode(bytes), '{"consumer_id":"1"}');
    assert.deepEqual(JsonQueryType.decode(bytes), { consumer_id: "1" });
    assert.deepEqual(JsonQueryType.decode(new Uint8Array()), {});
    userError(
      () => JsonQueryType.decode(new Uint8Array([0x0a, 0x01])),
      "QUERY_BAD_RESPONSE",
      /other than JSON/,
    );
  });
});

describe("double voting and misbehaviour files", () => {
  it("a light block becomes the ibc Header the provider decodes (same mapping as provider/ccv/evidence.ts)", () => {
    const lb = lightBlock(7, 7);
    assert.deepEqual(ibcHeaderFromLightBlock(lb.json), clientHeaderToProto(lb.domain));
    const trusted = ibcHeaderFromLightBlock({ ...lb.json, trusted_height: "5" });
    assert.equal(trusted.trustedHeight.revisionHeight, 5n);
  });

  it("the evidence file (as the RPC prints votes, with or without its envelope) and header file", () => {
    const a = vote(0x11);
    const b = vote(0x22);
    const lb = lightBlock(7, 7);
    const want = duplicateVoteEvidenceToProto({
      voteA: a,
      voteB: b,
      totalVotingPower: 20n,
      validatorPower: 10n,
      timestamp: T,
    });
    const value = {
      vote_a: voteJson(a),
      vote_b: voteJson(b),
      TotalVotingPower: "20",
      ValidatorPower: "10",
      Timestamp: formatRfc3339Nano(T),
    };
    for (const file of [value, { type: "tendermint/DuplicateVoteEvidence", value }]) {
      const r = parseDoubleVotingFiles(file, lb.json);
      assert.deepEqual(r.duplicateVoteEvidence, want);
      assert.deepEqual(r.infractionBlockHeader, clientHeaderToProto(lb.domain));
    }
    // Only the votes are required.
    const bare = parseDoubleVotingFiles({ vote_a: voteJson(a), vote_b: voteJson(b) }, lb.json);
    assert.equal(bare.duplicateVoteEvidence.totalVotingPower, 0n);
    assert.deepEqual(bare.duplicateVoteEvidence.timestamp, want.voteA!.timestamp);
  });

  it("names what is wrong in a bad file", () => {
    const lb = lightBlock(7, 7);
    const a = voteJson(vote(1));
    const cases: [unknown, unknown, RegExp][] = [
      [[], lb.json, /evidence file must be a JSON object/],
      [{ vote_a: a }, lb.json, /evidence file: missing vote_b/],
      [{ vote_a: a, vote_b: { ...a, type: 32 } }, lb.json, /vote_b: type must be 1 or 2/],
      [{ vote_a: a, vote_b: { ...a, height: 7 } }, lb.json, /vote_b: height must be a string/],
      [{ vote_a: a, vote_b: { ...a, signature: "**" } }, lb.json, /vote_b: signature/],
      [{ vote_a: a, vote_b: { ...a, timestamp: "yesterday" } }, lb.json, /vote_b: timestamp/],
      [{ vote_a: a, vote_b: a, TotalVotingPower: 5 }, lb.json, /TotalVotingPower must be an integer string/],
      [{ vote_a: a, vote_b: a }, { ...lb.json, commit: undefined }, /header file: missing commit/],
      [{ vote_a: a, vote_b: a }, { ...lb.json, header: "AAAA" }, /header file: header/],
    ];
    for (const [ev, hdr, msg] of cases)
      userError(() => parseDoubleVotingFiles(ev, hdr), "INVALID_ARGUMENT", msg);
  });

  it("a misbehaviour file is two light blocks", () => {
    const h1 = lightBlock(9, 7);
    const h2 = lightBlock(9, 8);
    const m = parseMisbehaviourFile({ client_id: "07-icsd-1", header_1: h1.json, header_2: h2.json });
    assert.equal(m.clientId, "07-icsd-1");
    assert.deepEqual(m.header1, clientHeaderToProto(h1.domain));
    assert.deepEqual(m.header2, clientHeaderToProto(h2.domain));
    userError(() => parseMisbehaviourFile({ header_1: h1.json }), "INVALID_ARGUMENT", /missing header_2/);
  });
});
