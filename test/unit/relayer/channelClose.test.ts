import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { EncodeObject } from "@cosmjs/proto-signing";
import type { MsgChannelCloseConfirm } from "cosmjs-types/ibc/core/channel/v1/tx";
import { pino } from "pino";
import {
  type ChannelEnd,
  ChannelState,
  type ClientState,
  DEFAULT_TRUST_LEVEL,
  decodeChannelCloseProof,
  encodeChannelEnd,
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
import { fromUtf8 } from "../../../utils/index.ts";
import { type FakeChain, fakeChain } from "./fakeChain.ts";

const T = { timeout: 30_000 };

// Ports other than "provider"/"consumer", so the relayer does not also carry CCV evidence here.
const PATH: PathConfig = {
  name: "ccv",
  a: { chain: "provider", clientId: "07-icsd-3", port: "provider-x", channel: "channel-2" },
  b: { chain: "consumer", clientId: "07-icsd-0", port: "consumer-x", channel: "channel-0" },
};

/** A chain's channel end of PATH in `state`, as its store holds it. */
function endOf(side: "a" | "b", state: ChannelEnd["state"]): ChannelEnd {
  const [me, other] = side === "a" ? [PATH.a, PATH.b] : [PATH.b, PATH.a];
  return {
    state,
    ordering: "ordered",
    portId: me.port,
    channelId: me.channel,
    counterpartyPortId: other.port,
    counterpartyChannelId: other.channel,
    clientId: me.clientId,
    version: "1",
  };
}

/** One chain as its queries report it: the channel end of the path (latest and proven) and a packet. */
class FakeState {
  readonly chain: FakeChain;
  readonly latest: number;
  clientLatest: bigint;
  channel: ChannelInfo = { open: true, ordered: true, closed: false };
  /** The channel end in the proven state (differs from `channel` right after a close). */
  provenEnd: ChannelEnd;
  sent: Packet[] = [];
  readonly proofs: string[] = [];
  constructor(side: "a" | "b", heights: number, clientLatest: bigint) {
    this.chain = fakeChain({ heights });
    this.latest = heights;
    this.clientLatest = clientLatest;
    this.provenEnd = endOf(side, ChannelState.open);
  }
  close(proven = true): void {
    this.channel = { open: false, ordered: true, closed: true };
    if (proven) this.provenEnd = { ...this.provenEnd, state: ChannelState.closed };
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
      trustingPeriod: 3_600_000_000_000n,
      unbondingPeriod: 7_200_000_000_000n,
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
  override async sentPackets(): Promise<Packet[]> {
    return this.s.sent;
  }
  override async unreceivedPackets(_p: string, _c: string, seqs: readonly bigint[]): Promise<bigint[]> {
    return [...seqs];
  }
  override async unreceivedAcks(): Promise<bigint[]> {
    return [];
  }
  override async acknowledgements(): Promise<Map<bigint, Uint8Array>> {
    return new Map();
  }
  override async proveKey(key: Uint8Array, proofHeight: bigint): Promise<KeyProof> {
    const k = fromUtf8(key);
    this.s.proofs.push(`${k}@${proofHeight}`);
    const value = k.startsWith("ibc/channelEnds/") ? encodeChannelEnd(this.s.provenEnd) : undefined;
    return { value, proof: new TextEncoder().encode(`proof:${k}@${proofHeight}`) };
  }
}

class FakeSender implements TxSender {
  readonly chain: string;
  readonly txs: EncodeObject[][] = [];
  outcomes: TxOutcome[] = [];
  constructor(chain: string) {
    this.chain = chain;
  }
  async address(): Promise<string> {
    return `cosmos1${this.chain}`;
  }
  async submit(msgs: readonly EncodeObject[]): Promise<TxOutcome> {
    this.txs.push([...msgs]);
    return this.outcomes.shift() ?? { ok: true, code: 0, log: "", redundant: false, height: 50, hash: "AB" };
  }
  close(): void {}
}

function setup(a: FakeState, b: FakeState) {
  const lines: Record<string, unknown>[] = [];
  const logger = pino(
    { level: "debug" },
    { write: (s: string) => void lines.push(JSON.parse(s) as Record<string, unknown>) },
  );
  const config: RelayerConfig = {
    global: { pollIntervalMs: 50, maxMsgsPerTx: 100 },
    chains: ["provider", "consumer"].map((id) => ({
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
    queries: (c) => new FakeQueries(c.id, c.id === "provider" ? a : b),
    sender: (c) => {
      const s = new FakeSender(c.id);
      senders.set(c.id, s);
      return s;
    },
  });
  return { relayer, lines, a: senders.get("provider")!, b: senders.get("consumer")! };
}

const typeUrls = (tx: readonly EncodeObject[]) => tx.map((m) => m.typeUrl.split(".").pop());

function packet(sequence: bigint): Packet {
  return {
    sequence,
    sourcePort: "provider-x",
    sourceChannel: PATH.a.channel,
    destPort: "consumer-x",
    destChannel: PATH.b.channel,
    data: new Uint8Array([1]),
    timeoutHeight: 1000n,
    timeoutTimestamp: 0n,
  };
}

describe("relayer: channel close confirmation", T, () => {
  it("confirms a closed source end on the destination after a client update, and receives nothing more", async () => {
    // The provider (a) is at 10 and closed its end; the consumer's client of it is at 4.
    const a = new FakeState("a", 10, 6n);
    const b = new FakeState("b", 20, 4n);
    a.close();
    a.sent = [packet(1n)];
    const { relayer, a: aTx, b: bTx } = setup(a, b);
    const report = await relayer.relayOnce();

    assert.deepEqual(bTx.txs.map(typeUrls), [["MsgUpdateClient", "MsgChannelCloseConfirm"]]);
    const msg = bTx.txs[0]![1]!.value as MsgChannelCloseConfirm;
    assert.equal(msg.portId, "consumer-x");
    assert.equal(msg.channelId, PATH.b.channel);
    assert.equal(msg.proofHeight.revisionHeight, 10n);
    assert.equal(msg.signer, "cosmos1consumer");
    const proof = decodeChannelCloseProof(msg.proofInit);
    assert.equal(proof.counterpartyClientId, PATH.a.clientId, "the provider's own client, from its record");
    assert.equal(fromUtf8(proof.proof), "proof:ibc/channelEnds/ports/provider-x/channels/channel-2@10");
    assert.deepEqual(
      report.directions.map((d) => [d.direction, d.closeConfirm, d.recv, d.deferred, d.error]),
      [
        ["provider->consumer", 1, 0, 1, undefined],
        ["consumer->provider", 0, 0, 0, undefined],
      ],
    );
    assert.equal(aTx.txs.length, 0, "nothing to confirm on the closed side");
  });

  it("waits a round while the close is not yet in the proven state", async () => {
    const a = new FakeState("a", 10, 6n);
    const b = new FakeState("b", 20, 10n);
    a.close(false); // closed in a's newest block: version 9 still shows it OPEN
    const { relayer, b: bTx } = setup(a, b);
    const report = await relayer.relayOnce();
    assert.equal(bTx.txs.length, 0);
    assert.equal(report.directions[0]!.closeConfirm, 0);
    assert.deepEqual(a.proofs, ["ibc/channelEnds/ports/provider-x/channels/channel-2@10"]);

    a.provenEnd = { ...a.provenEnd, state: ChannelState.closed };
    await relayer.relayOnce();
    assert.deepEqual(bTx.txs.map(typeUrls), [["MsgChannelCloseConfirm"]], "the client is already at 10");
  });

  it("confirms in the other direction too, and sends nothing once both ends are closed", async () => {
    const a = new FakeState("a", 10, 6n);
    const b = new FakeState("b", 20, 4n);
    b.close();
    const { relayer, a: aTx, b: bTx } = setup(a, b);
    await relayer.relayOnce();
    // b -> a: a's end is OPEN and b's is CLOSED, so a gets the confirmation...
    assert.deepEqual(aTx.txs.map(typeUrls), [["MsgUpdateClient", "MsgChannelCloseConfirm"]]);
    // ...and once both are closed, no round sends another.
    a.close();
    aTx.txs.length = 0;
    await relayer.relayOnce();
    assert.deepEqual(aTx.txs, []);
    assert.deepEqual(
      bTx.txs.filter((tx) => typeUrls(tx).includes("MsgChannelCloseConfirm")),
      [],
    );
  });

  it("logs a confirmation another relayer made first at info and a refused one at error", async () => {
    const a = new FakeState("a", 10, 6n);
    const b = new FakeState("b", 20, 4n);
    a.close();
    const { relayer, b: bTx, lines } = setup(a, b);
    bTx.outcomes = [
      { ok: false, code: 42, log: "redundant relay", redundant: true },
      { ok: false, code: 17, log: "IBC_PROOF_INVALID: no", redundant: false },
    ];
    const r1 = await relayer.relayOnce();
    assert.equal(lines.find((l) => l.msg === "channel close already confirmed")?.level, 30);
    assert.equal(r1.directions[0]!.failedTxs, 1);
    await relayer.relayOnce();
    const err = lines.find((l) => l.msg === "channel close confirmation failed");
    assert.equal(err?.level, 50);
    assert.equal(err?.log, "IBC_PROOF_INVALID: no");
    assert.match(await relayer.metrics(), /icsd_relayer_tx_failed_total 2/);
  });
});
