import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { TxMsgData } from "cosmjs-types/cosmos/base/abci/v1beta1/abci";
import {
  QueryUnreceivedPacketsRequest,
  QueryUnreceivedPacketsResponse,
} from "cosmjs-types/ibc/core/channel/v1/query";
import { MsgRecvPacketResponse, ResponseResultType } from "cosmjs-types/ibc/core/channel/v1/tx";
import { bech32Address, moduleAddress, REDUNDANT_RELAY_LOG } from "../../../../app/index.ts";
import {
  escrowAddress,
  type Packet,
  packetCommitmentKey,
  packetReceiptKey,
  voucherDenom,
} from "../../../../ibc/index.ts";
import { utf8 } from "../../../../utils/index.ts";
import {
  A_CHANNEL,
  acksOf,
  B_CHANNEL,
  eventsOf,
  FUNDS,
  type IbcTestChain,
  recvMsg,
  relayAck,
  relayRecv,
  relayTimeout,
  sentPacketsOf,
  setupChains,
  T,
  TRANSFER,
  transferMsg,
  updateClient,
} from "./twoChains.ts";

const VOUCHER = voucherDenom(`${TRANSFER}/${B_CHANNEL}/stake`);
const ESCROW_A = bech32Address(escrowAddress(TRANSFER, A_CHANNEL), "cosmos");

async function unreceived(b: IbcTestChain, seqs: bigint[]): Promise<bigint[]> {
  const data = QueryUnreceivedPacketsRequest.encode({
    portId: TRANSFER,
    channelId: B_CHANNEL,
    packetCommitmentSequences: seqs,
  }).finish();
  return QueryUnreceivedPacketsResponse.decode(
    await b.query("/ibc.core.channel.v1.Query/UnreceivedPackets", data),
  ).sequences;
}

function results(data: Uint8Array): ResponseResultType[] {
  return TxMsgData.decode(data).msgResponses.map((r) => MsgRecvPacketResponse.decode(r.value).result);
}

describe("ibc module: relaying packets", () => {
  it("refuses a receive whose proof does not verify, changing nothing", T, async () => {
    const { a, b, alice, bob, relayer } = await setupChains();
    const [p] = sentPacketsOf(await a.ok(alice, [transferMsg(alice.address, bob.address, "stake", 50n)]));
    const proofHeight = await updateClient(b, a, relayer);
    const key = packetCommitmentKey(TRANSFER, A_CHANNEL, 1n);
    const { proof } = await a.prove(key, proofHeight - 1n);

    // The same proof for a packet whose amount was altered (its commitment differs).
    const forged: Packet = { ...p!, data: utf8(new TextDecoder().decode(p!.data).replace('"50"', '"5000"')) };
    const bad = await b.tx(relayer, [recvMsg(relayer.address, forged, proof, proofHeight)]);
    assert.equal(bad.codespace, "ibc");
    assert.equal(bad.code, 17);
    assert.match(bad.log, /IBC_PROOF_INVALID: membership proof of key "ibc\/commitments\/ports\/transfer/);

    // A proof from before the packet was sent, and garbage, are refused the same way.
    const { proof: early } = await a.prove(key, proofHeight - 2n);
    const tooEarly = await b.tx(relayer, [recvMsg(relayer.address, p!, early, proofHeight)]);
    assert.match(tooEarly.log, /IBC_PROOF_INVALID/);
    const garbage = await b.tx(relayer, [recvMsg(relayer.address, p!, Uint8Array.of(1, 2, 3), proofHeight)]);
    assert.match(garbage.log, /IBC_PROOF_INVALID/);
    // A proof height the client has no consensus state for.
    const unknown = await b.tx(relayer, [recvMsg(relayer.address, p!, proof, proofHeight + 5n)]);
    assert.match(unknown.log, /IBC_CONSENSUS_STATE_NOT_FOUND/);

    assert.equal(await b.balance(bob.address, VOUCHER), 0n);
    assert.equal(await b.supply(VOUCHER), 0n);
    assert.equal(await b.store().get(packetReceiptKey(TRANSFER, B_CHANNEL, 1n)), undefined);
    assert.deepEqual(await unreceived(b, [1n]), [1n]);

    // The genuine relay still works afterwards.
    const good = await b.ok(relayer, [recvMsg(relayer.address, p!, proof, proofHeight)]);
    assert.equal(eventsOf(good.events, "recv_packet").length, 1);
    assert.equal(await b.balance(bob.address, VOUCHER), 50n);
    assert.deepEqual(await unreceived(b, [1n]), []);
  });

  it(
    "treats a redundant receive as a no-op in a mixed tx, and fails a tx of only redundant ones",
    T,
    async () => {
      const { a, b, alice, bob, relayer } = await setupChains();
      const [p1] = sentPacketsOf(await a.ok(alice, [transferMsg(alice.address, bob.address, "stake", 10n)]));
      assert.equal((await relayRecv(a, b, p1!, relayer)).code, 0);
      const [p2] = sentPacketsOf(await a.ok(alice, [transferMsg(alice.address, bob.address, "stake", 20n)]));
      const proofHeight = await updateClient(b, a, relayer);
      const proof1 = (await a.prove(packetCommitmentKey(TRANSFER, A_CHANNEL, 1n), proofHeight - 1n)).proof;
      const proof2 = (await a.prove(packetCommitmentKey(TRANSFER, A_CHANNEL, 2n), proofHeight - 1n)).proof;

      const mixed = await b.ok(relayer, [
        recvMsg(relayer.address, p1!, proof1, proofHeight),
        recvMsg(relayer.address, p2!, proof2, proofHeight),
      ]);
      assert.deepEqual(results(mixed.data), [
        ResponseResultType.RESPONSE_RESULT_TYPE_NOOP,
        ResponseResultType.RESPONSE_RESULT_TYPE_SUCCESS,
      ]);
      // Only the new packet was received (one recv_packet, for sequence 2).
      assert.deepEqual(
        eventsOf(mixed.events, "recv_packet").map((e) => e.packet_sequence),
        ["2"],
      );
      assert.equal(await b.balance(bob.address, VOUCHER), 30n);

      const hashBefore = b.appHashes.at(-1)!;
      const again = await b.tx(relayer, [
        recvMsg(relayer.address, p1!, proof1, proofHeight),
        recvMsg(relayer.address, p2!, proof2, proofHeight),
      ]);
      assert.equal(again.codespace, "ibc");
      assert.equal(again.code, 42);
      assert.equal(again.log, REDUNDANT_RELAY_LOG);
      assert.equal(eventsOf(again.events, "recv_packet").length, 0);
      assert.equal(await b.balance(bob.address, VOUCHER), 30n);
      assert.equal(await b.supply(VOUCHER), 30n);
      // The failed tx still took its sequence (as any failed tx), and nothing else.
      assert.notDeepEqual(b.appHashes.at(-1), hashBefore);

      // A redundant acknowledgement alone fails the same way.
      const ack = acksOf(mixed)[0]!;
      assert.equal((await relayAck(a, b, p2!, ack, relayer)).code, 0);
      const ackAgain = await relayAck(a, b, p2!, ack, relayer);
      assert.equal(ackAgain.log, REDUNDANT_RELAY_LOG);
    },
  );

  it("refunds the sender when the packet times out on the counterparty", T, async () => {
    const { a, b, alice, bob, relayer } = await setupChains();
    const timeoutHeight = b.height + 3n;
    const sent = await a.ok(alice, [
      transferMsg(alice.address, bob.address, "stake", 70n, { timeoutHeight }),
    ]);
    const [p] = sentPacketsOf(sent);
    assert.equal(p!.timeoutHeight, timeoutHeight);
    assert.equal(await a.balance(ESCROW_A, "stake"), 70n);

    // Not yet: B has not reached the timeout height at the proof height.
    const early = await relayTimeout(a, b, p!, relayer);
    assert.equal(early.codespace, "ibc");
    assert.match(early.log, /IBC_TIMEOUT_NOT_REACHED/);

    while (b.height + 1n < timeoutHeight) await b.block();
    // B now refuses to receive it.
    const late = await relayRecv(a, b, p!, relayer);
    assert.match(late.log, /IBC_PACKET_TIMED_OUT/);

    const t = await relayTimeout(a, b, p!, relayer);
    assert.equal(t.code, 0, t.log);
    assert.equal(eventsOf(t.events, "timeout_packet").length, 1);
    assert.equal(eventsOf(t.events, "timeout")[0]!.refund_amount, "70");
    assert.equal(await a.balance(alice.address, "stake"), FUNDS);
    assert.equal(await a.balance(ESCROW_A, "stake"), 0n);

    const twice = await relayTimeout(a, b, p!, relayer);
    assert.equal(twice.log, REDUNDANT_RELAY_LOG);
    assert.equal(await a.balance(alice.address, "stake"), FUNDS);
  });

  it("refunds the sender on an error acknowledgement (receiver cannot receive)", T, async () => {
    const { a, b, alice, relayer } = await setupChains();
    const blocked = bech32Address(moduleAddress("transfer"), "cosmos");
    const [p] = sentPacketsOf(await a.ok(alice, [transferMsg(alice.address, blocked, "stake", 40n)]));
    assert.equal(await a.balance(alice.address, "stake"), FUNDS - 40n);

    const recv = await relayRecv(a, b, p!, relayer);
    assert.equal(recv.code, 0, recv.log);
    const ftp = eventsOf(recv.events, "fungible_token_packet")[0]!;
    assert.equal(ftp.success, "false");
    assert.match(ftp.error!, /IBC_TRANSFER_INVALID_RECEIVER/);
    const ack = acksOf(recv)[0]!;
    assert.match(new TextDecoder().decode(ack), /^\{"error":/);
    assert.equal(await b.supply(VOUCHER), 0n);

    const acked = await relayAck(a, b, p!, ack, relayer);
    assert.equal(acked.code, 0, acked.log);
    assert.equal(eventsOf(acked.events, "fungible_token_packet")[1]!.error !== undefined, true);
    assert.equal(await a.balance(alice.address, "stake"), FUNDS);
    assert.equal(await a.balance(ESCROW_A, "stake"), 0n);
  });
});
