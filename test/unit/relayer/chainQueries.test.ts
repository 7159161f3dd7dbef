import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { BroadcastTxError } from "@cosmjs/stargate";
import {
  QueryUnreceivedPacketsRequest,
  QueryUnreceivedPacketsResponse,
} from "cosmjs-types/ibc/core/channel/v1/query";
import { QueryClientStateRequest, QueryClientStateResponse } from "cosmjs-types/ibc/core/client/v1/query";
import { DEFAULT_TRUST_LEVEL, encodeClientState } from "../../../ibc/index.ts";
import {
  ChainQueries,
  CLIENT_STATE_TYPE_URL,
  classifySubmitError,
  isRedundantRelay,
  type RpcCaller,
  sequenceAfter,
} from "../../../relayer/index.ts";
import { fromHex, fromUtf8, IcsdError, toBase64, toHex, utf8 } from "../../../utils/index.ts";

const T = { timeout: 10_000 };

interface AbciCall {
  path: string;
  data: Uint8Array;
  height: string;
  prove: boolean;
}

/** An RpcCaller answering abci_query with `answer`, recording each call. */
function abci(answer: (c: AbciCall) => Record<string, unknown>): { call: RpcCaller; calls: AbciCall[] } {
  const calls: AbciCall[] = [];
  const call: RpcCaller = async (method, params) => {
    assert.equal(method, "abci_query");
    const p = params as { path: string; data: string; height: string; prove: boolean };
    const c = { path: p.path, data: fromHex(p.data), height: p.height, prove: p.prove };
    calls.push(c);
    return { response: { code: 0, log: "", height: p.height, ...answer(c) } };
  };
  return { call, calls };
}

const json = (v: unknown) => toBase64(utf8(JSON.stringify(v)));

function sentJson(seq: number) {
  return {
    sequence: String(seq),
    source_port: "transfer",
    source_channel: "channel-0",
    destination_port: "transfer",
    destination_channel: "channel-1",
    data: toBase64(new Uint8Array([seq & 0xff])),
    timeout_height: "0-77",
    timeout_timestamp: "123",
  };
}

describe("chain queries", T, () => {
  it("pages SentPackets at the asked version until a short page", async () => {
    const { call, calls } = abci((c) => {
      const req = JSON.parse(fromUtf8(c.data)) as { after_sequence: string; limit: string };
      const after = Number(req.after_sequence);
      const n = after === 0 ? 500 : 3;
      return { value: json({ packets: Array.from({ length: n }, (_, i) => sentJson(after + i + 1)) }) };
    });
    const q = new ChainQueries("chain-a", call);
    const packets = await q.sentPackets("transfer", "channel-0", 41n);
    assert.equal(packets.length, 503);
    assert.deepEqual(packets[502], {
      sequence: 503n,
      sourcePort: "transfer",
      sourceChannel: "channel-0",
      destPort: "transfer",
      destChannel: "channel-1",
      data: new Uint8Array([503 & 0xff]),
      timeoutHeight: 77n,
      timeoutTimestamp: 123n,
    });
    assert.deepEqual(
      calls.map((c) => [c.path, c.height, JSON.parse(fromUtf8(c.data))]),
      [
        [
          "/icsd.ibc.v1.Query/SentPackets",
          "41",
          { port_id: "transfer", channel_id: "channel-0", after_sequence: "0", limit: "500" },
        ],
        [
          "/icsd.ibc.v1.Query/SentPackets",
          "41",
          { port_id: "transfer", channel_id: "channel-0", after_sequence: "500", limit: "500" },
        ],
      ],
    );
  });

  it("refuses a malformed SentPackets answer, naming the field", async () => {
    const { call } = abci(() => ({ value: json({ packets: [{ ...sentJson(1), sequence: 1 }] }) }));
    await assert.rejects(
      new ChainQueries("chain-a", call).sentPackets("transfer", "channel-0", 5n),
      /packets\[0\]\.sequence/,
    );
  });

  it("reads acknowledgements from the JSON query", async () => {
    const { call, calls } = abci(() => ({
      value: json({
        acknowledgements: [{ sequence: "2", acknowledgement: toBase64(new Uint8Array([1, 2])) }],
      }),
    }));
    const acks = await new ChainQueries("chain-b", call).acknowledgements(
      "transfer",
      "channel-1",
      [1n, 2n],
      9n,
    );
    assert.deepEqual([...acks], [[2n, new Uint8Array([1, 2])]]);
    assert.deepEqual(JSON.parse(fromUtf8(calls[0]!.data)), {
      port_id: "transfer",
      channel_id: "channel-1",
      sequences: ["1", "2"],
    });
  });

  it("asks UnreceivedPackets in chunks with the ibc-go proto", async () => {
    const { call, calls } = abci((c) => {
      const req = QueryUnreceivedPacketsRequest.decode(c.data);
      return {
        value: toBase64(
          QueryUnreceivedPacketsResponse.encode({
            sequences: req.packetCommitmentSequences.filter((s) => s % 2n === 0n),
            height: { revisionNumber: 0n, revisionHeight: 5n },
          }).finish(),
        ),
      };
    });
    const seqs = Array.from({ length: 1001 }, (_, i) => BigInt(i + 1));
    const out = await new ChainQueries("chain-b", call).unreceivedPackets("transfer", "channel-1", seqs, 8n);
    assert.equal(out.length, 500);
    assert.equal(calls.length, 3);
    assert.ok(
      calls.every((c) => c.path === "/ibc.core.channel.v1.Query/UnreceivedPackets" && c.height === "8"),
    );
  });

  it("decodes the client state from its Any", async () => {
    const cs = {
      chainId: "chain-b",
      trustLevel: DEFAULT_TRUST_LEVEL,
      trustingPeriod: 100n,
      unbondingPeriod: 200n,
      maxClockDrift: 10n,
      latestHeight: 42n,
      frozenHeight: 0n,
    };
    let typeUrl = CLIENT_STATE_TYPE_URL;
    const { call, calls } = abci(() => ({
      value: toBase64(
        QueryClientStateResponse.encode({
          clientState: { typeUrl, value: encodeClientState(cs) },
          proof: new Uint8Array(),
          proofHeight: { revisionNumber: 0n, revisionHeight: 0n },
        }).finish(),
      ),
    }));
    const q = new ChainQueries("chain-a", call);
    assert.deepEqual(await q.clientState("07-icsd-0"), cs);
    assert.equal(QueryClientStateRequest.decode(calls[0]!.data).clientId, "07-icsd-0");
    typeUrl = "/ibc.lightclients.tendermint.v1.ClientState";
    await assert.rejects(q.clientState("07-icsd-0"), /want \/icsd\.lightclient\.v1\.ClientState/);
  });

  it("proves a key at version proofHeight - 1 and returns ops[0].data", async () => {
    const proof = new Uint8Array([5, 6, 7]);
    const { call, calls } = abci((c) => ({
      key: toBase64(c.data),
      value: toBase64(new Uint8Array([1])),
      proofOps: { ops: [{ type: "icsd:avl", key: toBase64(c.data), data: toBase64(proof) }] },
    }));
    const kp = await new ChainQueries("chain-a", call).proveKey(utf8("ibc/receipts/x"), 12n);
    assert.deepEqual(kp, { value: new Uint8Array([1]), proof });
    assert.deepEqual(calls[0], {
      path: "/store/ibc/key",
      data: utf8("ibc/receipts/x"),
      height: "11",
      prove: true,
    });
    assert.equal(toHex(calls[0]!.data), toHex(utf8("ibc/receipts/x")));
  });

  it("reports an absent key as undefined and a missing proof as an error", async () => {
    let ops: unknown = { ops: [{ type: "icsd:avl", key: "", data: toBase64(new Uint8Array([1])) }] };
    const { call } = abci(() => ({ value: null, proofOps: ops }));
    const q = new ChainQueries("chain-a", call);
    assert.equal((await q.proveKey(utf8("ibc/receipts/x"), 3n)).value, undefined);
    ops = null;
    await assert.rejects(q.proveKey(utf8("ibc/receipts/x"), 3n), /no icsd:avl proof/);
  });

  it("turns a non-zero code into RELAYER_QUERY with the chain's log; a missing consensus state is no", async () => {
    const { call } = abci(() => ({ code: 22, codespace: "ibc", log: "consensus state not found" }));
    const q = new ChainQueries("chain-a", call);
    await assert.rejects(q.channel("transfer", "channel-0"), (e: unknown) => {
      assert.ok(e instanceof IcsdError);
      assert.equal(e.code, "RELAYER_QUERY");
      assert.match(e.message, /code 22 \(ibc\): consensus state not found/);
      return true;
    });
    assert.equal(await q.hasConsensusState("07-icsd-0", 5n), false);
  });
});

describe("submission errors", T, () => {
  it("retries transport errors, sequence mismatches and a full mempool", () => {
    assert.equal(classifySubmitError(new Error("fetch failed")).kind, "retry");
    assert.equal(
      classifySubmitError(new BroadcastTxError(32, "sdk", "account sequence mismatch")).kind,
      "retry",
    );
    assert.equal(classifySubmitError(new BroadcastTxError(20, "sdk", "mempool is full")).kind, "retry");
    assert.equal(
      classifySubmitError(new Error("Query failed with (32): account sequence mismatch, expected 4, got 3"))
        .kind,
      "retry",
    );
  });

  it("returns the chain's refusals as data", () => {
    assert.deepEqual(classifySubmitError(new BroadcastTxError(5, "sdk", "insufficient funds")), {
      kind: "refused",
      code: 5,
      log: "insufficient funds",
    });
    const redundant = "redundant relay: every packet message in this transaction was already relayed";
    const c = classifySubmitError(new Error(`Query failed with (1): ${redundant}`));
    assert.deepEqual(c, { kind: "refused", code: 1, log: redundant });
    assert.ok(isRedundantRelay(redundant));
    assert.ok(!isRedundantRelay("IBC_PROOF_INVALID: proof does not verify"));
  });
});

describe("the sequence after a failed broadcast", T, () => {
  const used = { accountNumber: 7n, sequence: 3, chainId: "icsd-1" };
  it("takes the chain's expected sequence after a mismatch", () => {
    const e = new BroadcastTxError(32, "sdk", "account sequence mismatch, expected 5, got 3");
    assert.deepEqual(sequenceAfter(e, used), { ...used, sequence: 5 });
    assert.equal(
      sequenceAfter(new BroadcastTxError(32, "sdk", "account sequence mismatch"), used),
      undefined,
    );
  });

  it("keeps the sequence after another refusal and re-reads it after a transport error", () => {
    assert.deepEqual(sequenceAfter(new BroadcastTxError(5, "sdk", "insufficient funds"), used), used);
    assert.equal(sequenceAfter(new Error("fetch failed"), used), undefined);
  });
});
