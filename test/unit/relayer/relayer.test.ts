import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { EncodeObject } from "@cosmjs/proto-signing";
import type { MsgAcknowledgement, MsgRecvPacket, MsgTimeout } from "cosmjs-types/ibc/core/channel/v1/tx";
import type { MsgUpdateClient } from "cosmjs-types/ibc/core/client/v1/tx";
import { pino } from "pino";
import {
  type ClientState,
  DEFAULT_TRUST_LEVEL,
  decodeClientHeader,
  type Packet,
} from "../../../ibc/index.ts";
import {
  ChainQueries,
  type ChannelInfo,
  decodeLightBlock,
  type KeyProof,
  type LightBlock,
  type PathConfig,
  Relayer,
  type RelayerConfig,
  type TxOutcome,
  type TxSender,
} from "../../../relayer/index.ts";
import { fromUtf8, uint64Be } from "../../../utils/index.ts";
import { type FakeChain, fakeChain } from "./fakeChain.ts";

const T = { timeout: 30_000 };

/** In-memory state of one chain, as its queries would report it. */
class FakeState {
  readonly chain: FakeChain;
  latest: number;
  clientLatest: bigint;
  channel: ChannelInfo = { open: true, ordered: false };
  sent: Packet[] = [];
  received = new Set<bigint>();
  acks = new Map<bigint, Uint8Array>();
  nextRecv = 1n;
  /** Of the client this chain holds; long by default so idle rounds do not refresh it. */
  trustingPeriod = 3_600_000_000_000n;
  readonly proofs: string[] = [];
  readonly sentQueries: bigint[] = [];
  constructor(heights: number, clientLatest: bigint) {
    this.chain = fakeChain({ heights });
    this.latest = heights;
    this.clientLatest = clientLatest;
  }
}

class FakeQueries extends ChainQueries {
  readonly s: FakeState;
  constructor(id: string, s: FakeState) {
    super(id, async () => {
      throw new Error("no RPC in this test");
    });
    this.s = s;
  }
  override async lightBlock(height?: bigint): Promise<LightBlock> {
    return decodeLightBlock(
      this.s.chain.lightBlockJson(height === undefined ? this.s.latest : Number(height)),
    );
  }
  override async clientState(): Promise<ClientState> {
    return {
      chainId: "x",
      trustLevel: DEFAULT_TRUST_LEVEL,
      trustingPeriod: this.s.trustingPeriod,
      unbondingPeriod: this.s.trustingPeriod * 2n,
      maxClockDrift: 10n,
      latestHeight: this.s.clientLatest,
      frozenHeight: 0n,
    };
  }
  override async hasConsensusState(): Promise<boolean> {
    return false;
  }
  override async channel(): Promise<ChannelInfo> {
    return this.s.channel;
  }
  override async sentPackets(_p: string, _c: string, version: bigint): Promise<Packet[]> {
    this.s.sentQueries.push(version);
    return this.s.sent;
  }
  override async unreceivedPackets(_p: string, _c: string, seqs: readonly bigint[]): Promise<bigint[]> {
    return seqs.filter((s) => !this.s.received.has(s));
  }
  override async unreceivedAcks(_p: string, _c: string, seqs: readonly bigint[]): Promise<bigint[]> {
    const committed = new Set(this.s.sent.map((p) => p.sequence));
    return seqs.filter((s) => committed.has(s));
  }
  override async acknowledgements(
    _p: string,
    _c: string,
    seqs: readonly bigint[],
  ): Promise<Map<bigint, Uint8Array>> {
    return new Map(seqs.filter((s) => this.s.acks.has(s)).map((s) => [s, this.s.acks.get(s)!]));
  }
  override async proveKey(key: Uint8Array, proofHeight: bigint): Promise<KeyProof> {
    const k = fromUtf8(key);
    this.s.proofs.push(`${k}@${proofHeight}`);
    const value = k.startsWith("ibc/nextSequenceRecv/") ? uint64Be(this.s.nextRecv) : undefined;
    return { value, proof: new TextEncoder().encode(`proof:${k}@${proofHeight}`) };
  }
}

class FakeSender implements TxSender {
  readonly chain: string;
  readonly txs: EncodeObject[][] = [];
  outcomes: TxOutcome[] = [];
  height = 100;
  constructor(chain: string) {
    this.chain = chain;
  }
  async address(): Promise<string> {
    return `cosmos1${this.chain}`;
  }
  async submit(msgs: readonly EncodeObject[]): Promise<TxOutcome> {
    this.txs.push([...msgs]);
    return (
      this.outcomes.shift() ?? {
        ok: true,
        code: 0,
        log: "",
        redundant: false,
        height: this.height,
        hash: "AB",
      }
    );
  }
  close(): void {}
}

function packet(sequence: bigint, timeoutHeight = 1000n): Packet {
  return {
    sequence,
    sourcePort: "transfer",
    sourceChannel: "channel-0",
    destPort: "transfer",
    destChannel: "channel-1",
    data: new Uint8Array([1]),
    timeoutHeight,
    timeoutTimestamp: 0n,
  };
}

const PATH: PathConfig = {
  name: "a-b",
  a: { chain: "chain-a", clientId: "07-icsd-0", port: "transfer", channel: "channel-0" },
  b: { chain: "chain-b", clientId: "07-icsd-1", port: "transfer", channel: "channel-1" },
};

function setup(o: { maxMsgs?: number; metrics?: boolean; a: FakeState; b: FakeState }) {
  const lines: Record<string, unknown>[] = [];
  const logger = pino(
    { level: "debug" },
    { write: (s: string) => void lines.push(JSON.parse(s) as Record<string, unknown>) },
  );
  const config: RelayerConfig = {
    global: {
      pollIntervalMs: 50,
      maxMsgsPerTx: o.maxMsgs ?? 100,
      ...(o.metrics ? { metricsListen: { host: "127.0.0.1", port: 0 } } : {}),
    },
    chains: ["chain-a", "chain-b"].map((id) => ({
      id,
      rpc: "http://127.0.0.1:1",
      prefix: "cosmos",
      gasPrice: "0.025stake",
      gasAdjustment: 1.5,
      mnemonic: "unused",
    })),
    paths: [PATH],
  };
  const senders = new Map<string, FakeSender>();
  const relayer = new Relayer(config, {
    logger,
    queries: (c) => new FakeQueries(c.id, c.id === "chain-a" ? o.a : o.b),
    sender: (c) => {
      const s = new FakeSender(c.id);
      senders.set(c.id, s);
      return s;
    },
  });
  return { relayer, lines, a: senders.get("chain-a")!, b: senders.get("chain-b")! };
}

const typeUrls = (tx: readonly EncodeObject[]) => tx.map((m) => m.typeUrl.split(".").pop());

describe("relayer round", T, () => {
  it("refreshes an idle client once its consensus state is older than a third of the trusting period", async () => {
    // Blocks are 5 s apart: b's client of a at 4 is 30 s behind a's tip at 10.
    const a = new FakeState(10, 8n);
    const b = new FakeState(20, 4n);
    b.trustingPeriod = 60_000_000_000n; // a third is 20 s: stale
    a.trustingPeriod = 600_000_000_000n; // a's client of b at 8 is 60 s behind, a third is 200 s: fresh
    const { relayer, b: bTx, a: aTx } = setup({ a, b });
    await relayer.relayOnce();
    assert.deepEqual(bTx.txs.map(typeUrls), [["MsgUpdateClient"]]);
    assert.deepEqual(aTx.txs.map(typeUrls), []);
  });

  it("receives in batches after one client update, with proofs of version L-1 at proof height L", async () => {
    // a at height 10; b's client of a at 4, so b's client moves to 10 and proofs are of version 9.
    const a = new FakeState(10, 6n);
    const b = new FakeState(20, 4n);
    a.sent = [packet(1n), packet(2n), packet(3n)];
    const { relayer, b: bTx, a: aTx, lines } = setup({ maxMsgs: 2, a, b });
    const report = await relayer.relayOnce();

    assert.deepEqual(
      report.directions.map((d) => [d.direction, d.recv, d.ack, d.timeout, d.error]),
      [
        ["chain-a->chain-b", 3, 0, 0, undefined],
        ["chain-b->chain-a", 0, 0, 0, undefined],
      ],
    );
    assert.deepEqual(a.sentQueries[0], 9n);
    assert.deepEqual(bTx.txs.map(typeUrls), [
      ["MsgUpdateClient", "MsgRecvPacket", "MsgRecvPacket"],
      ["MsgRecvPacket"],
    ]);
    assert.equal(aTx.txs.length, 0);
    const update = bTx.txs[0]![0]!.value as MsgUpdateClient;
    assert.equal(update.clientId, "07-icsd-1");
    const header = decodeClientHeader(update.clientMessage!.value);
    assert.equal(header.signedHeader.header.height, 10);
    assert.equal(header.trustedHeight, 4n);
    const recv = bTx.txs[1]![0]!.value as MsgRecvPacket;
    assert.equal(recv.packet?.sequence, 3n);
    assert.equal(recv.proofHeight.revisionHeight, 10n);
    assert.equal(recv.signer, "cosmos1chain-b");
    assert.equal(
      new TextDecoder().decode(recv.proofCommitment),
      "proof:ibc/commitments/ports/transfer/channels/channel-0/sequences/00000000000000000003@10",
    );

    const text = await relayer.metrics();
    assert.match(
      text,
      /icsd_relayer_packets_relayed_total\{path="a-b",direction="chain-a->chain-b",kind="recv"\} 3/,
    );
    assert.match(text, /icsd_relayer_packets_pending\{path="a-b",direction="chain-a->chain-b"\} 3/);
    assert.match(text, /icsd_relayer_lag_blocks\{path="a-b",direction="chain-a->chain-b"\} 90/);
    assert.match(text, /icsd_relayer_tx_failed_total 0/);
    assert.equal(lines.filter((l) => l.msg === "relayed batch").length, 2);
  });

  it("uses the client's own height and sends no update when it is already at the tip", async () => {
    const a = new FakeState(10, 6n);
    const b = new FakeState(20, 12n);
    a.sent = [packet(1n)];
    const { relayer, b: bTx } = setup({ a, b });
    await relayer.relayOnce();
    assert.deepEqual(bTx.txs.map(typeUrls), [["MsgRecvPacket"]]);
    assert.equal((bTx.txs[0]![0]!.value as MsgRecvPacket).proofHeight.revisionHeight, 12n);
    assert.deepEqual(a.sentQueries[0], 11n);
  });

  it("acks and times out on the source after updating its client of the destination", async () => {
    // b at 20 (time advances), a's client of b at 15; packet 1 acked on b, packet 2 timed out at height 18.
    const a = new FakeState(10, 15n);
    const b = new FakeState(20, 10n);
    a.sent = [packet(1n), packet(2n, 18n)];
    b.received.add(1n);
    b.acks.set(1n, new Uint8Array([9]));
    const { relayer, a: aTx, b: bTx } = setup({ a, b });
    const report = await relayer.relayOnce();
    assert.equal(report.directions[0]!.ack, 1);
    assert.equal(report.directions[0]!.timeout, 1);
    assert.equal(bTx.txs.length, 0);
    assert.deepEqual(aTx.txs.map(typeUrls), [["MsgUpdateClient", "MsgAcknowledgement", "MsgTimeout"]]);
    const ack = aTx.txs[0]![1]!.value as MsgAcknowledgement;
    assert.deepEqual(ack.acknowledgement, new Uint8Array([9]));
    assert.equal(ack.proofHeight.revisionHeight, 20n);
    const timeout = aTx.txs[0]![2]!.value as MsgTimeout;
    assert.equal(timeout.packet?.sequence, 2n);
    assert.equal(timeout.nextSequenceRecv, 2n);
    assert.ok(
      b.proofs.includes("ibc/receipts/ports/transfer/channels/channel-1/sequences/00000000000000000002@20"),
    );
  });

  it("proves nextSequenceRecv for ordered timeouts", async () => {
    const a = new FakeState(10, 20n);
    const b = new FakeState(20, 10n);
    a.channel = { open: true, ordered: true };
    b.channel = { open: true, ordered: true };
    a.sent = [packet(4n, 12n), packet(5n)];
    b.nextRecv = 4n;
    const { relayer, a: aTx, b: bTx } = setup({ a, b });
    await relayer.relayOnce();
    assert.deepEqual(aTx.txs.map(typeUrls), [["MsgTimeout"]]);
    const timeout = aTx.txs[0]![0]!.value as MsgTimeout;
    assert.equal(timeout.nextSequenceRecv, 4n);
    assert.equal(timeout.proofHeight.revisionHeight, 20n);
    assert.match(new TextDecoder().decode(timeout.proofUnreceived), /nextSequenceRecv/);
    // Packet 5 cannot be received before 4 on an ordered channel.
    assert.equal(bTx.txs.length, 0);
  });

  it("logs a redundant relay at info, counts the failed tx, and stops that side for the round", async () => {
    const a = new FakeState(10, 6n);
    const b = new FakeState(20, 4n);
    a.sent = [packet(1n), packet(2n)];
    const { relayer, b: bTx, lines } = setup({ maxMsgs: 1, a, b });
    bTx.outcomes = [
      { ok: false, code: 1, log: "redundant relay: every packet message ...", redundant: true },
    ];
    const report = await relayer.relayOnce();
    assert.equal(bTx.txs.length, 1, "the second batch waits for the next round");
    assert.equal(report.directions[0]!.recv, 0);
    const line = lines.find((l) => l.msg === "batch already relayed by another relayer");
    assert.equal(line?.level, 30);
    assert.equal(lines.filter((l) => (l.level as number) >= 50).length, 0);
    assert.match(await relayer.metrics(), /icsd_relayer_tx_failed_total 1/);

    // Next round: everything is recomputed from chain state (b received 1 meanwhile).
    b.received.add(1n);
    await relayer.relayOnce();
    assert.deepEqual(bTx.txs.slice(1).map(typeUrls), [["MsgUpdateClient", "MsgRecvPacket"]]);
    assert.equal((bTx.txs[1]![1]!.value as MsgRecvPacket).packet?.sequence, 2n);
  });

  it("logs other refusals at error", async () => {
    const a = new FakeState(10, 6n);
    const b = new FakeState(20, 4n);
    a.sent = [packet(1n)];
    const { relayer, b: bTx, lines } = setup({ a, b });
    bTx.outcomes = [
      { ok: false, code: 7, log: "IBC_PROOF_INVALID: bad proof", redundant: false, height: 21 },
    ];
    await relayer.relayOnce();
    const line = lines.find((l) => l.msg === "relay transaction failed; recomputing next round");
    assert.equal(line?.level, 50);
    assert.equal(line?.log, "IBC_PROOF_INVALID: bad proof");
  });

  it("reports a direction that cannot be read and goes on with the others", async () => {
    const a = new FakeState(10, 6n);
    const b = new FakeState(20, 4n);
    const { relayer } = setup({ a, b });
    a.sent = [{ ...packet(1n), destChannel: "channel-9" }];
    const report = await relayer.relayOnce();
    assert.match(report.directions[0]!.error ?? "", /channel-9/);
    assert.equal(report.directions[1]!.error, undefined);
  });

  it("relays from its loop and serves metrics until stopped", async () => {
    const a = new FakeState(10, 6n);
    const b = new FakeState(20, 4n);
    a.sent = [packet(1n)];
    const { relayer, b: bTx } = setup({ a, b, metrics: true });
    await relayer.start();
    try {
      const deadline = Date.now() + 5_000;
      while (bTx.txs.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      assert.ok(bTx.txs.length > 0, "the loop relayed");
      const url = relayer.metricsUrl();
      assert.match(url ?? "", /^http:\/\/127\.0\.0\.1:\d+$/);
      const res = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(5_000) });
      assert.equal(res.status, 200);
      assert.match(
        await res.text(),
        /icsd_relayer_packets_relayed_total\{path="a-b",direction="chain-a->chain-b",kind="recv"\} \d+/,
      );
      assert.equal((await fetch(`${url}/nope`, { signal: AbortSignal.timeout(5_000) })).status, 404);
    } finally {
      await relayer.stop();
    }
    assert.equal(relayer.metricsUrl(), undefined);
    await assert.rejects(relayer.start(), /cannot start again/);
  });
});
