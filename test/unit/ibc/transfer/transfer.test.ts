import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  ChannelOrder,
  decodeAck,
  encodePacketData,
  escrowAddress,
  type Packet,
  packetCommitmentKey,
  recvPacket,
  SUCCESS_ACK,
  sendTransfer,
  TransferApp,
  voucherDenom,
} from "../../../../ibc/index.ts";
import { fromUtf8, utf8 } from "../../../../utils/index.ts";
import {
  assertRefused,
  blockTime,
  deliver,
  deliverAck,
  deliverTimeout,
  setupPair,
  type TestChain,
} from "../channel/helpers.ts";
import { TreeBank } from "./treeBank.ts";

const A_END = { port: "transfer", channel: "channel-0" } as const;
const B_END = { port: "transfer", channel: "channel-7" } as const;
/** How chain A's "stake" is known on B. */
const VOUCHER = voucherDenom("transfer/channel-7/stake");
const ESCROW_A = escrowAddress(A_END.port, A_END.channel);

async function setup() {
  const { a, b } = await setupPair(ChannelOrder.unordered, { a: A_END, b: B_END }, "ics20-1");
  const bankA = new TreeBank(a.store);
  const bankB = new TreeBank(b.store);
  await bankA.fund("a1alice", "stake", 1000n);
  await a.commit();
  return { a, b, bankA, bankB, appA: new TransferApp(bankA), appB: new TransferApp(bankB) };
}

/** ICS-20 supply invariant of the A->B route: what A escrows equals the vouchers outstanding on B. */
async function assertConserved(bankA: TreeBank, bankB: TreeBank): Promise<void> {
  assert.equal(await bankA.escrowBalance(ESCROW_A, "stake"), await bankB.supply(VOUCHER));
  assert.equal(await bankA.supply("stake"), 1000n);
}

function transfer(
  chain: TestChain,
  bank: TreeBank,
  from: "a" | "b",
  over: Partial<Parameters<typeof sendTransfer>[2]> = {},
) {
  const end = from === "a" ? A_END : B_END;
  return sendTransfer(
    chain.store,
    bank,
    {
      sourcePort: end.port,
      sourceChannel: end.channel,
      denom: from === "a" ? "stake" : VOUCHER,
      amount: 100n,
      sender: from === "a" ? "a1alice" : "b1bob",
      receiver: from === "a" ? "b1bob" : "a1alice",
      timeoutHeight: 0n,
      timeoutTimestamp: blockTime(10_000n),
      ...over,
    },
    chain.hostTime,
  );
}

describe("ICS-20 token transfer between two chains with real Merkle proofs", () => {
  it("escrows on A, mints vouchers on B, and burns/unescrows on the way back, conserving supply", async () => {
    const { a, b, bankA, bankB, appA, appB } = await setup();
    const p = await transfer(a, bankA, "a", { amount: 300n });
    assert.equal(fromUtf8(p.data), '{"amount":"300","denom":"stake","receiver":"b1bob","sender":"a1alice"}');
    await a.commit();
    assert.equal(await bankA.balance("a1alice", "stake"), 700n);
    assert.equal(await bankA.escrowBalance(ESCROW_A, "stake"), 300n);

    const ack = await deliver(a, b, p, appB);
    assert.deepEqual(ack, SUCCESS_ACK);
    assert.equal(await bankB.balance("b1bob", VOUCHER), 300n);
    assert.deepEqual(await bankB.getDenomTrace(VOUCHER.slice(4)), {
      path: "transfer/channel-7",
      baseDenom: "stake",
    });
    await assertConserved(bankA, bankB);
    await deliverAck(a, b, p, ack, appA);
    assert.equal(await bankA.balance("a1alice", "stake"), 700n);

    // Back to A: B burns the vouchers, A releases the escrow.
    const back = await transfer(b, bankB, "b", { amount: 120n });
    assert.equal(JSON.parse(fromUtf8(back.data)).denom, "transfer/channel-7/stake");
    await b.commit();
    assert.equal(await bankB.supply(VOUCHER), 180n);
    const ackBack = await deliver(b, a, back, appA);
    assert.deepEqual(decodeAck(ackBack), { success: true });
    assert.equal(await bankA.balance("a1alice", "stake"), 820n);
    await assertConserved(bankA, bankB);
    await deliverAck(b, a, back, ackBack, appB);
    assert.equal(await bankB.balance("b1bob", VOUCHER), 180n);
  });

  it("refunds the sender on timeout: escrowed tokens on A, burned vouchers on B", async () => {
    const { a, b, bankA, bankB, appA, appB } = await setup();
    const first = await transfer(a, bankA, "a", { amount: 500n });
    await a.commit();
    await deliver(a, b, first, appB);

    const lost = await transfer(a, bankA, "a", {
      amount: 200n,
      timeoutHeight: b.committedHeight + 2n,
      timeoutTimestamp: 0n,
    });
    await a.commit();
    assert.equal(await bankA.balance("a1alice", "stake"), 300n);
    await b.advanceTo(b.committedHeight + 2n);
    await assertRefused([b], () => deliver(a, b, lost, appB), "IBC_PACKET_TIMED_OUT");
    await deliverTimeout(a, b, lost, appA);
    assert.equal(await bankA.balance("a1alice", "stake"), 500n);
    await assertConserved(bankA, bankB);

    const lostBack = await transfer(b, bankB, "b", {
      amount: 50n,
      timeoutHeight: a.committedHeight + 2n,
      timeoutTimestamp: 0n,
    });
    await b.commit();
    assert.equal(await bankB.supply(VOUCHER), 450n);
    await a.advanceTo(a.committedHeight + 2n);
    await deliverTimeout(b, a, lostBack, appB);
    assert.equal(await bankB.balance("b1bob", VOUCHER), 500n);
    await assertConserved(bankA, bankB);
  });

  it("refunds the sender on an error acknowledgement, and the receiving chain's bank is untouched", async () => {
    const { a, b, bankA, bankB, appA, appB } = await setup();
    const p = await transfer(a, bankA, "a", { receiver: "b1blocked" });
    await a.commit();
    const ack = await deliver(a, b, p, appB);
    assert.deepEqual(decodeAck(ack), {
      success: false,
      error: "error handling packet: IBC_TRANSFER_INVALID_RECEIVER",
    });
    assert.equal(await bankB.supply(VOUCHER), 0n);
    assert.equal(await bankB.getDenomTrace(VOUCHER.slice(4)), undefined);
    assert.equal(await bankA.balance("a1alice", "stake"), 900n);
    await deliverAck(a, b, p, ack, appA);
    assert.equal(await bankA.balance("a1alice", "stake"), 1000n);
    await assertConserved(bankA, bankB);
  });

  it("answers a packet claiming to return more than the escrow holds with an error ack, changing nothing", async () => {
    const { a, bankA, appA } = await setup();
    const claim: Packet = {
      sequence: 1n,
      sourcePort: B_END.port,
      sourceChannel: B_END.channel,
      destPort: A_END.port,
      destChannel: A_END.channel,
      data: encodePacketData({
        denom: "transfer/channel-7/stake",
        amount: "5",
        sender: "b1bob",
        receiver: "a1mallory",
        memo: "",
      }),
      timeoutHeight: 100n,
      timeoutTimestamp: 0n,
    };
    const before = await a.tree.workingHash();
    const ack = await appA.onRecvPacket(claim);
    assert.deepEqual(decodeAck(ack), {
      success: false,
      error: "error handling packet: IBC_TRANSFER_INSUFFICIENT_FUNDS",
    });
    assert.deepEqual(await a.tree.workingHash(), before);
    assert.equal(await bankA.balance("a1mallory", "stake"), 0n);
  });

  it("a relayer cannot inflate an amount: the altered packet fails the Merkle check and nothing is minted", async () => {
    const { a, b, bankA, appB } = await setup();
    const p = await transfer(a, bankA, "a");
    await a.commit();
    const h = b.verifier.update(a);
    const proof = await a.prove(packetCommitmentKey(p.sourcePort, p.sourceChannel, p.sequence), h);
    const inflated = { ...p, data: utf8(fromUtf8(p.data).replace('"100"', '"100000"')) };
    await assertRefused(
      [b],
      () => recvPacket(b.store, b.verifier, inflated, proof, h, b.hostHeight, b.hostTime, appB),
      "IBC_PROOF_INVALID",
    );
  });

  it("refuses transfers it cannot honour without changing state", async () => {
    const { a, b, bankA, bankB } = await setup();
    await assertRefused(
      [a],
      () => transfer(a, bankA, "a", { amount: 1001n }),
      "IBC_TRANSFER_INSUFFICIENT_FUNDS",
    );
    await assertRefused(
      [a],
      () => transfer(a, bankA, "a", { amount: 0n }),
      "IBC_TRANSFER_INVALID_PACKET_DATA",
    );
    await assertRefused([b], () => transfer(b, bankB, "b"), "IBC_TRANSFER_DENOM_TRACE_NOT_FOUND");
    await assertRefused(
      [a],
      () => transfer(a, bankA, "a", { timeoutHeight: 0n, timeoutTimestamp: 0n }),
      "IBC_PACKET_INVALID",
    );
    await assertRefused(
      [a],
      () => transfer(a, bankA, "a", { sourceChannel: "channel-3" }),
      "IBC_CHANNEL_NOT_FOUND",
    );
  });
});
