import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { EncodeObject } from "@cosmjs/proto-signing";
import {
  type BankExtension,
  GasPrice,
  type IbcExtension,
  QueryClient,
  SigningStargateClient,
  setupBankExtension,
  setupIbcExtension,
} from "@cosmjs/stargate";
import { connectComet } from "@cosmjs/tendermint-rpc";
import { State } from "cosmjs-types/ibc/core/channel/v1/channel";
import { bech32Address } from "../../app/index.ts";
import { escrowAddress, voucherDenom } from "../../ibc/index.ts";
import type { Testnet } from "./harness.ts";
import {
  createIbcPair,
  DENOM,
  GAS_PRICE,
  type PairChannel,
  RelayerProcess,
  type User,
  user,
  waitUntil,
} from "./ibcHarness.ts";

const UNORDERED: PairChannel = {
  port: "transfer",
  channelA: "channel-0",
  channelB: "channel-0",
  ordering: "unordered",
};
const ORDERED: PairChannel = {
  port: "transfer",
  channelA: "channel-1",
  channelB: "channel-1",
  ordering: "ordered",
};
const PER_CHANNEL = 500; // 1,000 packets each way over the two channels
const MSGS_PER_TX = 100;

type Query = QueryClient & IbcExtension & BankExtension;

async function queryClient(net: Testnet): Promise<Query> {
  const comet = await connectComet(`http://127.0.0.1:${net.nodes[0]!.rpcPort}`);
  return QueryClient.withExtensions(comet, setupIbcExtension, setupBankExtension);
}

function transferMsg(
  from: User,
  to: string,
  channel: string,
  amount: string,
  denom: string,
  timeoutNs: bigint,
  timeoutHeight = 0n,
): EncodeObject {
  return {
    typeUrl: "/ibc.applications.transfer.v1.MsgTransfer",
    value: {
      sourcePort: "transfer",
      sourceChannel: channel,
      token: { denom, amount },
      sender: from.address,
      receiver: to,
      timeoutHeight: { revisionNumber: 0n, revisionHeight: timeoutHeight },
      timeoutTimestamp: timeoutNs,
      memo: "",
    },
  };
}

async function sentPackets(net: Testnet, channel: string): Promise<number> {
  const data = Buffer.from(
    JSON.stringify({ port_id: "transfer", channel_id: channel, limit: "1000" }),
  ).toString("hex");
  const r = await net.rpc<{ response: { code: number; value: string | null; log: string } }>(
    net.nodes[0]!,
    "abci_query",
    {
      path: "/icsd.ibc.v1.Query/SentPackets",
      data,
    },
  );
  if (r.response.code !== 0) throw new Error(`SentPackets: ${r.response.log}`);
  const body = JSON.parse(Buffer.from(r.response.value ?? "", "base64").toString("utf8")) as {
    packets: unknown[];
  };
  return body.packets.length;
}

async function balance(q: Query, address: string, denom: string): Promise<bigint> {
  return BigInt((await q.bank.balance(address, denom)).amount);
}

/** Sends `count` transfers of 1 `denom` in txs of MSGS_PER_TX messages. */
async function sendTransfers(
  client: SigningStargateClient,
  from: User,
  to: string,
  channel: string,
  count: number,
  denom = DENOM,
): Promise<void> {
  const far = BigInt(Date.now() + 3_600_000) * 1_000_000n;
  for (let sent = 0; sent < count; sent += MSGS_PER_TX) {
    const n = Math.min(MSGS_PER_TX, count - sent);
    const msgs = Array.from({ length: n }, () => transferMsg(from, to, channel, "1", denom, far));
    const gas = 60_000 + n * 40_000;
    const res = await client.signAndBroadcast(from.address, msgs, {
      amount: [{ denom: DENOM, amount: String(Math.ceil(gas * 0.0025)) }],
      gas: String(gas),
    });
    assert.equal(res.code, 0, `transfer tx failed: ${res.rawLog}`);
  }
}

describe("packet layer end to end: two chains, real relayer processes", { timeout: 900_000 }, () => {
  let a: Testnet;
  let b: Testnet;
  let qa: Query;
  let qb: Query;
  const relayers: RelayerProcess[] = [];
  let alice: User; // on A
  let bob: User; // on B
  let carolA: User; // receives on A
  let daveB: User; // receives on B
  let relayer1: User;
  let relayer2: User;

  before(async () => {
    alice = await user("ibc-alice");
    bob = await user("ibc-bob");
    carolA = await user("ibc-carol");
    daveB = await user("ibc-dave");
    relayer1 = await user("ibc-relayer-1");
    relayer2 = await user("ibc-relayer-2");
    ({ a, b } = await createIbcPair({
      validatorsA: 4,
      validatorsB: 1,
      funded: [alice, bob, carolA, daveB, relayer1, relayer2].map((u) => u.address),
      channels: [UNORDERED, ORDERED],
    }));
    a.startAll();
    b.startAll();
    await a.waitForHeight(a.nodes, 2, 60_000);
    await b.waitForHeight(b.nodes, 2, 60_000);
    qa = await queryClient(a);
    qb = await queryClient(b);
  });

  after(async () => {
    for (const r of relayers) await r.cleanup();
    await a?.cleanup();
    await b?.cleanup();
  });

  it("the genesis channels and clients answer CosmJS's IBC queries", async () => {
    const ch = await qa.ibc.channel.channel("transfer", "channel-1");
    assert.equal(ch.channel?.state, State.STATE_OPEN);
    assert.equal(ch.channel?.counterparty?.channelId, "channel-1");
    const all = await qb.ibc.channel.allChannels();
    assert.deepEqual(all.channels.map((c) => c.channelId).sort(), ["channel-0", "channel-1"]);
  });

  it("relays 1,000 packets each way exactly once through kill -9 of a relayer and a validator, with two relayers", async () => {
    const r1 = await RelayerProcess.create(a, b, [UNORDERED, ORDERED], relayer1);
    const r2 = await RelayerProcess.create(a, b, [UNORDERED, ORDERED], relayer2);
    relayers.push(r1, r2);
    r1.start();
    r2.start();
    const ca = await SigningStargateClient.connectWithSigner(
      `http://127.0.0.1:${a.nodes[0]!.rpcPort}`,
      alice.wallet,
      {
        gasPrice: GasPrice.fromString(GAS_PRICE),
      },
    );
    const cb = await SigningStargateClient.connectWithSigner(
      `http://127.0.0.1:${b.nodes[0]!.rpcPort}`,
      bob.wallet,
      {
        gasPrice: GasPrice.fromString(GAS_PRICE),
      },
    );
    const voucherOnB = (ch: string) => voucherDenom(`transfer/${ch}/${DENOM}`);
    const voucherOnA = (ch: string) => voucherDenom(`transfer/${ch}/${DENOM}`);
    const received = async () =>
      (await balance(qb, daveB.address, voucherOnB(UNORDERED.channelB))) +
      (await balance(qb, daveB.address, voucherOnB(ORDERED.channelB))) +
      (await balance(qa, carolA.address, voucherOnA(UNORDERED.channelA))) +
      (await balance(qa, carolA.address, voucherOnA(ORDERED.channelA)));
    const describeState = async () =>
      `received ${await received()}\n--- relayer 1\n${r1.logTail()}\n--- relayer 2\n${r2.logTail()}\n${a.logTails(a.nodes.slice(0, 1), 5)}`;

    // First half of the packets, then faults in the middle of relaying, then the second half.
    await Promise.all([
      sendTransfers(ca, alice, daveB.address, UNORDERED.channelA, PER_CHANNEL / 2),
      sendTransfers(cb, bob, carolA.address, UNORDERED.channelB, PER_CHANNEL / 2),
    ]);
    await Promise.all([
      sendTransfers(ca, alice, daveB.address, ORDERED.channelA, PER_CHANNEL / 2),
      sendTransfers(cb, bob, carolA.address, ORDERED.channelB, PER_CHANNEL / 2),
    ]);
    await waitUntil(
      "the first packets to arrive",
      async () => (await received()) >= 200n,
      180_000,
      describeState,
    );
    await r1.kill("SIGKILL");
    await a.kill(a.nodes[2]!);
    await Promise.all([
      sendTransfers(ca, alice, daveB.address, UNORDERED.channelA, PER_CHANNEL / 2),
      sendTransfers(cb, bob, carolA.address, UNORDERED.channelB, PER_CHANNEL / 2),
    ]);
    await Promise.all([
      sendTransfers(ca, alice, daveB.address, ORDERED.channelA, PER_CHANNEL / 2),
      sendTransfers(cb, bob, carolA.address, ORDERED.channelB, PER_CHANNEL / 2),
    ]);
    a.start(a.nodes[2]!);
    r1.start();

    const total = BigInt(4 * PER_CHANNEL);
    await waitUntil(
      "every packet to be received",
      async () => (await received()) >= total,
      400_000,
      describeState,
    );
    await waitUntil(
      "every packet to be acknowledged",
      async () =>
        (await sentPackets(a, "channel-0")) +
          (await sentPackets(a, "channel-1")) +
          (await sentPackets(b, "channel-0")) +
          (await sentPackets(b, "channel-1")) ===
        0,
      180_000,
      describeState,
    );
    // Exactly once: every voucher balance is exactly what was sent, no more.
    const n = BigInt(PER_CHANNEL);
    assert.equal(await balance(qb, daveB.address, voucherOnB("channel-0")), n);
    assert.equal(await balance(qb, daveB.address, voucherOnB("channel-1")), n);
    assert.equal(await balance(qa, carolA.address, voucherOnA("channel-0")), n);
    assert.equal(await balance(qa, carolA.address, voucherOnA("channel-1")), n);
    // Escrow holds what left each chain; ordered channels delivered every sequence in order.
    const escrowA = bech32Address(escrowAddress("transfer", "channel-1"), "cosmos");
    assert.equal(await balance(qa, escrowA, DENOM), n);
    assert.equal(
      (await qb.ibc.channel.nextSequenceReceive("transfer", "channel-1")).nextSequenceReceive,
      n + 1n,
    );
    assert.equal(
      (await qa.ibc.channel.nextSequenceReceive("transfer", "channel-1")).nextSequenceReceive,
      n + 1n,
    );
    const metrics = await r2.metrics();
    assert.match(metrics, /icsd_relayer_packets_relayed_total/);
  });

  it("sends vouchers back: tokens return to their source and supply is conserved on both chains", async () => {
    const voucher = voucherDenom(`transfer/channel-0/${DENOM}`);
    const escrowA = bech32Address(escrowAddress("transfer", "channel-0"), "cosmos");
    // Conservation: what A holds in escrow for channel-0 is exactly the voucher supply on B.
    assert.equal(await balance(qa, escrowA, DENOM), BigInt((await qb.bank.supplyOf(voucher)).amount));
    const cb = await SigningStargateClient.connectWithSigner(
      `http://127.0.0.1:${b.nodes[0]!.rpcPort}`,
      daveB.wallet,
      {
        gasPrice: GasPrice.fromString(GAS_PRICE),
      },
    );
    const carolBefore = await balance(qa, carolA.address, DENOM);
    const far = BigInt(Date.now() + 3_600_000) * 1_000_000n;
    const res = await cb.signAndBroadcast(
      daveB.address,
      [transferMsg(daveB, carolA.address, "channel-0", String(PER_CHANNEL), voucher, far)],
      "auto",
    );
    assert.equal(res.code, 0, res.rawLog);
    // Burned on B at once.
    assert.equal((await qb.bank.supplyOf(voucher)).amount, "0");
    await waitUntil(
      "the returning tokens to arrive on A",
      async () => (await balance(qa, carolA.address, DENOM)) === carolBefore + BigInt(PER_CHANNEL),
      120_000,
    );
    assert.equal(await balance(qa, escrowA, DENOM), 0n);
  });

  it("times out a packet when relaying is paused past its timeout: the ordered channel closes and the sender is refunded", async () => {
    for (const r of relayers) await r.kill("SIGTERM");
    const ca = await SigningStargateClient.connectWithSigner(
      `http://127.0.0.1:${a.nodes[0]!.rpcPort}`,
      alice.wallet,
      {
        gasPrice: GasPrice.fromString(GAS_PRICE),
      },
    );
    const timeoutHeight = BigInt(await b.height(b.nodes[0]!)) + 3n;
    const res = await ca.signAndBroadcast(
      alice.address,
      [transferMsg(alice, daveB.address, ORDERED.channelA, "5", DENOM, 0n, timeoutHeight)],
      "auto",
    );
    assert.equal(res.code, 0, res.rawLog);
    const afterSend = await balance(qa, alice.address, DENOM);
    await b.waitForHeight(b.nodes, Number(timeoutHeight) + 1, 60_000);
    relayers[1]!.start();
    await waitUntil(
      "the ordered channel to close on A",
      async () =>
        (await qa.ibc.channel.channel("transfer", ORDERED.channelA)).channel?.state === State.STATE_CLOSED,
      120_000,
      () => relayers[1]!.logTail(),
    );
    // The transfer app was told: alice has her 5 back; B never received the packet.
    assert.equal(await balance(qa, alice.address, DENOM), afterSend + 5n);
    assert.equal(
      (await qb.ibc.channel.nextSequenceReceive("transfer", ORDERED.channelB)).nextSequenceReceive,
      BigInt(PER_CHANNEL) + 1n,
    );
    assert.equal(await sentPackets(a, ORDERED.channelA), 0);
  });
});
