import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { sha256 } from "../../../../crypto/index.ts";
import {
  ChannelOrder,
  commitAcknowledgement,
  commitPacket,
  decodeChannelEnd,
  decodePacket,
  encodeChannelEnd,
  encodePacket,
  hasTimedOut,
  listChannels,
  openChannelFromGenesis,
  type Packet,
  packetCommitmentKey,
  packetReceiptKey,
} from "../../../../ibc/index.ts";
import { compareBytes, concatBytes, fromUtf8, IcsdError, uint64Be, utf8 } from "../../../../utils/index.ts";
import { TestChain } from "./helpers.ts";

const packet: Packet = {
  sequence: 7n,
  sourcePort: "transfer",
  sourceChannel: "channel-0",
  destPort: "transfer",
  destChannel: "channel-3",
  data: utf8('{"amount":"1"}'),
  timeoutHeight: 100n,
  timeoutTimestamp: 1_700_000_000_000_000_000n,
};

function code(c: string) {
  return (e: unknown) => e instanceof IcsdError && e.code === c;
}

describe("packets, commitments and keys", () => {
  it("commits to timeout timestamp, revision 0, timeout height and sha256(data) (ICS-04 CommitPacket)", () => {
    const expected = sha256(
      concatBytes(
        uint64Be(packet.timeoutTimestamp),
        uint64Be(0),
        uint64Be(packet.timeoutHeight),
        sha256(packet.data),
      ),
    );
    assert.deepEqual(commitPacket(packet), expected);
    assert.notDeepEqual(commitPacket({ ...packet, data: utf8("x") }), expected);
    assert.deepEqual(commitAcknowledgement(utf8("ack")), sha256(utf8("ack")));
  });

  it("round-trips the packet encoding and refuses anything else", () => {
    const bytes = encodePacket(packet);
    assert.deepEqual(decodePacket(bytes), packet);
    assert.throws(() => decodePacket(concatBytes(bytes, Uint8Array.of(0))), code("IBC_PACKET_INVALID"));
    assert.throws(() => decodePacket(bytes.subarray(0, bytes.length - 1)), code("IBC_PACKET_INVALID"));
    assert.throws(
      () => decodePacket(encodePacket({ ...packet, timeoutHeight: 0n, timeoutTimestamp: 0n })),
      code("IBC_PACKET_INVALID"),
    );
    assert.throws(() => decodePacket(encodePacket({ ...packet, sequence: 0n })), code("IBC_PACKET_INVALID"));
    assert.throws(
      () => decodePacket(encodePacket({ ...packet, sourcePort: "a/b" })),
      code("IBC_INVALID_IDENTIFIER"),
    );
  });

  it("applies the ICS-04 timeout rule at the boundary (height >= timeoutHeight, time >= timeoutTimestamp)", () => {
    assert.equal(hasTimedOut(packet, 99n, 0n), false);
    assert.equal(hasTimedOut(packet, 100n, 0n), true);
    assert.equal(hasTimedOut(packet, 0n, packet.timeoutTimestamp - 1n), false);
    assert.equal(hasTimedOut(packet, 0n, packet.timeoutTimestamp), true);
    assert.equal(hasTimedOut({ ...packet, timeoutHeight: 0n }, 10n ** 9n, 0n), false);
  });

  it("lays out ICS-24 paths under ibc/ with sequences that sort numerically", () => {
    assert.equal(
      fromUtf8(packetCommitmentKey("transfer", "channel-0", 7n)),
      "ibc/commitments/ports/transfer/channels/channel-0/sequences/00000000000000000007",
    );
    assert.equal(
      fromUtf8(packetReceiptKey("transfer", "channel-0", 2n ** 64n - 1n)),
      "ibc/receipts/ports/transfer/channels/channel-0/sequences/18446744073709551615",
    );
    const keys = [10n, 9n, 100n, 1n].map((s) => packetCommitmentKey("transfer", "channel-0", s));
    keys.sort(compareBytes);
    assert.deepEqual(
      keys.map((k) => fromUtf8(k).slice(-3)),
      ["001", "009", "010", "100"],
    );
    assert.throws(() => packetCommitmentKey("transfer", "channel-0", 0n), code("IBC_PACKET_INVALID"));
    assert.throws(() => packetCommitmentKey("transfer", "chan/../x", 1n), code("IBC_INVALID_IDENTIFIER"));
  });

  it("opens a channel from genesis once, with an encoding that round-trips", async () => {
    const chain = await TestChain.create("client-x");
    const record = {
      ordering: ChannelOrder.ordered,
      portId: "provider",
      channelId: "channel-0",
      counterpartyPortId: "consumer",
      counterpartyChannelId: "channel-0",
      clientId: "07-tendermint-0",
      version: "1",
    };
    const end = await openChannelFromGenesis(chain.store, record);
    assert.equal(end.state, "OPEN");
    assert.deepEqual(decodeChannelEnd(encodeChannelEnd(end)), end);
    const before = await chain.tree.workingHash();
    await assert.rejects(openChannelFromGenesis(chain.store, record), code("IBC_CHANNEL_EXISTS"));
    await assert.rejects(
      openChannelFromGenesis(chain.store, {
        ...record,
        channelId: "channel-1",
        ordering: "chaotic" as never,
      }),
      code("IBC_CHANNEL_INVALID"),
    );
    assert.deepEqual(await chain.tree.workingHash(), before);
    assert.deepEqual(await listChannels(chain.store), [end]);
  });
});
