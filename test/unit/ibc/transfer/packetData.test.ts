import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  decodeAck,
  decodePacketData,
  encodePacketData,
  errorAck,
  escrowAddress,
  parseDenomTrace,
  SUCCESS_ACK,
  voucherDenom,
} from "../../../../ibc/index.ts";
import { fromUtf8, IcsdError, toHex, utf8 } from "../../../../utils/index.ts";

const data = { denom: "stake", amount: "100", sender: "a1alice", receiver: "b1bob", memo: "" };

function code(c: string) {
  return (e: unknown) => e instanceof IcsdError && e.code === c;
}

describe("ICS-20 wire formats and denoms", () => {
  it("encodes packet data as ibc-go's sorted-key JSON, memo omitted when empty", () => {
    assert.equal(
      fromUtf8(encodePacketData(data)),
      '{"amount":"100","denom":"stake","receiver":"b1bob","sender":"a1alice"}',
    );
    const withMemo = { ...data, memo: "hi" };
    assert.equal(
      fromUtf8(encodePacketData(withMemo)),
      '{"amount":"100","denom":"stake","memo":"hi","receiver":"b1bob","sender":"a1alice"}',
    );
    assert.deepEqual(decodePacketData(encodePacketData(withMemo)), withMemo);
    assert.deepEqual(decodePacketData(encodePacketData(data)), data);
  });

  it("refuses malformed packet data field by field", () => {
    const bad = [
      "not json",
      "[]",
      '{"amount":"100","denom":"stake","receiver":"b1bob"}',
      '{"amount":100,"denom":"stake","receiver":"b1bob","sender":"a1alice"}',
      '{"amount":"0","denom":"stake","receiver":"b1bob","sender":"a1alice"}',
      '{"amount":"012","denom":"stake","receiver":"b1bob","sender":"a1alice"}',
      '{"amount":"-5","denom":"stake","receiver":"b1bob","sender":"a1alice"}',
      '{"amount":"1","denom":"a//b","receiver":"b1bob","sender":"a1alice"}',
      '{"amount":"1","denom":"stake","receiver":" ","sender":"a1alice"}',
      '{"amount":"1","denom":"stake","receiver":"b1bob","sender":"a1alice","extra":"x"}',
      `{"amount":"${2n ** 256n}","denom":"stake","receiver":"b1bob","sender":"a1alice"}`,
    ];
    for (const s of bad)
      assert.throws(() => decodePacketData(utf8(s)), code("IBC_TRANSFER_INVALID_PACKET_DATA"), s);
  });

  it("uses ICS-20 acknowledgements", () => {
    assert.equal(fromUtf8(SUCCESS_ACK), '{"result":"AQ=="}');
    assert.deepEqual(decodeAck(SUCCESS_ACK), { success: true });
    assert.equal(fromUtf8(errorAck("boom")), '{"error":"boom"}');
    assert.deepEqual(decodeAck(errorAck("boom")), { success: false, error: "boom" });
    for (const s of ["", "{}", '{"result":""}', '{"error":""}', '{"result":"AQ==","error":"x"}', "ok"]) {
      assert.throws(() => decodeAck(utf8(s)), code("IBC_TRANSFER_INVALID_ACK"), s);
    }
  });

  it("derives voucher denoms and escrow addresses exactly as ibc-go does", () => {
    // ATOM on Osmosis (transfer/channel-0/uatom) and the Cosmos Hub's transfer/channel-0 escrow account
    // (cosmos1a53udazy8ayufvy0s434pfwjcedzqv34kvz9tw).
    assert.equal(
      voucherDenom("transfer/channel-0/uatom"),
      "ibc/27394FB092D2ECCD56123C74F36E4C1F926001CEADA9CA97EA622B25F41E5EB2",
    );
    assert.equal(toHex(escrowAddress("transfer", "channel-0")), "ed23c6f4443f49c4b08f856350a5d2c65a203235");
  });

  it("parses denom traces into channel hops and a base denom that may contain slashes", () => {
    assert.deepEqual(parseDenomTrace("stake"), { path: "", baseDenom: "stake" });
    assert.deepEqual(parseDenomTrace("transfer/channel-0/uatom"), {
      path: "transfer/channel-0",
      baseDenom: "uatom",
    });
    assert.deepEqual(parseDenomTrace("transfer/channel-1/transfer/channel-0/gamm/pool/1"), {
      path: "transfer/channel-1/transfer/channel-0",
      baseDenom: "gamm/pool/1",
    });
    assert.deepEqual(parseDenomTrace("gamm/pool/1"), { path: "", baseDenom: "gamm/pool/1" });
  });
});
