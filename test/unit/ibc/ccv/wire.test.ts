import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  CCV_INVALID_ACK,
  CCV_INVALID_PACKET_DATA,
  ccvErrorAck,
  decodeCcvAck,
  decodeConsumerPacket,
  decodeVscPacket,
  encodeConsumerPacket,
  encodeVscPacket,
  resultAck,
  SLASH_PACKET_BOUNCED,
} from "../../../../ibc/ccv/wire.ts";
import { fromUtf8, utf8 } from "../../../../utils/index.ts";

const key = new Uint8Array(32).fill(7);
const addr = new Uint8Array(20).fill(9);

function code(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return (e as { code: string }).code;
  }
  return "no error";
}

describe("CCV wire", () => {
  it("round-trips a VSC packet in the reference's proto-JSON", () => {
    const p = { validatorUpdates: [{ pubKey: key, power: 10n }], valsetUpdateId: 3n, slashAcks: ["a"] };
    const bytes = encodeVscPacket(p);
    assert.equal(
      fromUtf8(bytes),
      `{"validator_updates":[{"pub_key":{"ed25519":"${Buffer.from(key).toString("base64")}"},"power":"10"}],"valset_update_id":"3","slash_acks":["a"]}`,
    );
    assert.deepEqual(decodeVscPacket(bytes), p);
  });

  it("refuses a VSC packet with id 0, unknown fields, short keys or non-JSON", () => {
    const ok = JSON.parse(
      fromUtf8(encodeVscPacket({ validatorUpdates: [], valsetUpdateId: 1n, slashAcks: [] })),
    );
    assert.equal(
      code(() => decodeVscPacket(utf8(JSON.stringify({ ...ok, valset_update_id: "0" })))),
      CCV_INVALID_PACKET_DATA,
    );
    assert.equal(
      code(() => decodeVscPacket(utf8(JSON.stringify({ ...ok, extra: 1 })))),
      CCV_INVALID_PACKET_DATA,
    );
    const short = { ...ok, validator_updates: [{ pub_key: { ed25519: "AAAA" }, power: "1" }] };
    assert.equal(
      code(() => decodeVscPacket(utf8(JSON.stringify(short)))),
      CCV_INVALID_PACKET_DATA,
    );
    assert.equal(
      code(() => decodeVscPacket(utf8("{"))),
      CCV_INVALID_PACKET_DATA,
    );
  });

  it("round-trips slash packets in the V1 form and reads the current form's infraction names", () => {
    const slash = {
      validator: { address: addr, power: 5n },
      valsetUpdateId: 2n,
      infraction: "downtime" as const,
    };
    const bytes = encodeConsumerPacket({ type: "slash", slash });
    assert.match(fromUtf8(bytes), /^\{"type":"CONSUMER_PACKET_TYPE_SLASH","slashPacketData":\{"validator"/);
    assert.match(fromUtf8(bytes), /"infraction":"INFRACTION_TYPE_DOWNTIME"/);
    assert.deepEqual(decodeConsumerPacket(bytes), { type: "slash", slash });
    const current = fromUtf8(bytes).replace("INFRACTION_TYPE_DOWNTIME", "INFRACTION_DOUBLE_SIGN");
    const d = decodeConsumerPacket(utf8(current));
    assert.equal(d.type === "slash" && d.slash.infraction, "double_sign");
  });

  it("refuses slash packets with zero power, a bad address or an unknown type", () => {
    const good = JSON.parse(
      fromUtf8(
        encodeConsumerPacket({
          type: "slash",
          slash: { validator: { address: addr, power: 5n }, valsetUpdateId: 2n, infraction: "downtime" },
        }),
      ),
    );
    const zero = structuredClone(good);
    zero.slashPacketData.validator.power = "0";
    assert.equal(
      code(() => decodeConsumerPacket(utf8(JSON.stringify(zero)))),
      CCV_INVALID_PACKET_DATA,
    );
    const badAddr = structuredClone(good);
    badAddr.slashPacketData.validator.address = "AAAA";
    assert.equal(
      code(() => decodeConsumerPacket(utf8(JSON.stringify(badAddr)))),
      CCV_INVALID_PACKET_DATA,
    );
    assert.equal(
      code(() => decodeConsumerPacket(utf8('{"type":"X"}'))),
      CCV_INVALID_PACKET_DATA,
    );
  });

  it("decodes one-byte results and errors, and refuses anything else", () => {
    assert.deepEqual(decodeCcvAck(resultAck(SLASH_PACKET_BOUNCED)), { kind: "result", result: 3 });
    assert.deepEqual(decodeCcvAck(ccvErrorAck("boom")), { kind: "error", error: "boom" });
    assert.equal(
      code(() => decodeCcvAck(utf8('{"result":"AQI="}'))),
      CCV_INVALID_ACK,
    );
    assert.equal(
      code(() => decodeCcvAck(utf8("[]"))),
      CCV_INVALID_ACK,
    );
  });
});
