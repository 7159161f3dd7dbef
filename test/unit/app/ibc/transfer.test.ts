import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { TxMsgData } from "cosmjs-types/cosmos/base/abci/v1beta1/abci";
import { MsgRecvPacketResponse, ResponseResultType } from "cosmjs-types/ibc/core/channel/v1/tx";
import { bech32Address } from "../../../../app/index.ts";
import { escrowAddress, SUCCESS_ACK, voucherDenom } from "../../../../ibc/index.ts";
import { fromUtf8 } from "../../../../utils/index.ts";
import {
  A_CHANNEL,
  acksOf,
  B_CHANNEL,
  eventsOf,
  FUNDS,
  relayAck,
  relayRecv,
  sentPacketsOf,
  setupChains,
  T,
  TRANSFER,
  transferMsg,
} from "./twoChains.ts";

describe("ibc module: ICS-20 transfer between two chains with real proofs", () => {
  it("moves tokens A -> B as vouchers and back, conserving supply", T, async () => {
    const { a, b, alice, bob, relayer } = await setupChains();
    const escrowA = bech32Address(escrowAddress(TRANSFER, A_CHANNEL), "cosmos");
    const voucher = voucherDenom(`${TRANSFER}/${B_CHANNEL}/stake`);
    const supplyA = await a.supply("stake");

    // A: alice sends 300stake to bob on B.
    const sent = await a.ok(alice, [transferMsg(alice.address, bob.address, "stake", 300n)]);
    const [p] = sentPacketsOf(sent);
    assert.ok(p);
    assert.equal(p.sequence, 1n);
    assert.equal(p.destChannel, B_CHANNEL);
    assert.deepEqual(JSON.parse(fromUtf8(p.data)), {
      amount: "300",
      denom: "stake",
      receiver: bob.address,
      sender: alice.address,
    });
    const transfer = eventsOf(sent.events, "ibc_transfer")[0]!;
    assert.equal(transfer.amount, "300");
    assert.equal(transfer.denom, "stake");
    assert.equal(eventsOf(sent.events, "send_packet")[0]!.packet_channel_ordering, "ORDER_UNORDERED");
    assert.equal(await a.balance(alice.address, "stake"), FUNDS - 300n);
    assert.equal(await a.balance(escrowA, "stake"), 300n);
    const response = TxMsgData.decode(sent.data).msgResponses[0]!;
    assert.equal(response.typeUrl, "/ibc.applications.transfer.v1.MsgTransferResponse");

    // B: the relayer proves the commitment; bob gets the voucher.
    const recv = await relayRecv(a, b, p, relayer);
    assert.equal(recv.code, 0, recv.log);
    const recvResponse = TxMsgData.decode(recv.data).msgResponses[0]!;
    assert.equal(
      MsgRecvPacketResponse.decode(recvResponse.value).result,
      ResponseResultType.RESPONSE_RESULT_TYPE_SUCCESS,
    );
    assert.equal(eventsOf(recv.events, "recv_packet").length, 1);
    const ftp = eventsOf(recv.events, "fungible_token_packet")[0]!;
    assert.equal(ftp.success, "true");
    assert.equal(eventsOf(recv.events, "denomination_trace")[0]!.denom, voucher);
    const [ack] = acksOf(recv);
    assert.deepEqual(ack, SUCCESS_ACK);
    assert.equal(await b.balance(bob.address, voucher), 300n);
    assert.equal(await b.supply(voucher), 300n);

    // A: the ack comes back; the commitment goes, the escrow stays.
    const acked = await relayAck(a, b, p, ack!, relayer);
    assert.equal(acked.code, 0, acked.log);
    assert.equal(eventsOf(acked.events, "acknowledge_packet").length, 1);
    assert.equal(await a.balance(escrowA, "stake"), 300n);
    assert.equal(await a.balance(alice.address, "stake"), FUNDS - 300n);

    // B -> A: bob sends 120 of the voucher back to alice; it is burned on B and unescrowed on A.
    const back = await b.ok(bob, [
      transferMsg(bob.address, alice.address, voucher, 120n, { channel: B_CHANNEL }),
    ]);
    const [q] = sentPacketsOf(back);
    assert.ok(q);
    assert.equal(JSON.parse(fromUtf8(q.data)).denom, `${TRANSFER}/${B_CHANNEL}/stake`);
    assert.equal(await b.supply(voucher), 180n);
    assert.equal(await b.balance(bob.address, voucher), 180n);
    const recvBack = await relayRecv(b, a, q, relayer);
    assert.equal(recvBack.code, 0, recvBack.log);
    assert.equal(await a.balance(alice.address, "stake"), FUNDS - 180n);
    assert.equal(await a.balance(escrowA, "stake"), 180n);
    const ackBack = await relayAck(b, a, q, acksOf(recvBack)[0]!, relayer);
    assert.equal(ackBack.code, 0, ackBack.log);

    // Conservation: A's stake supply never changed; what A escrows is what B has in vouchers.
    assert.equal(await a.supply("stake"), supplyA);
    assert.equal(await a.balance(escrowA, "stake"), await b.supply(voucher));
    assert.deepEqual(await a.chain.app.checkInvariants(), []);
    assert.deepEqual(await b.chain.app.checkInvariants(), []);
  });
});
