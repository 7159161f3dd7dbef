import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { EncodeObject } from "@cosmjs/proto-signing";
import type { AppModule, IbcAppFactory, IbcKeeper } from "../../../../app/index.ts";
import {
  type ChannelEnd,
  channelKey,
  decodeChannelEnd,
  encodeChannelCloseProof,
  getChannel,
  type Packet,
} from "../../../../ibc/index.ts";
import { utf8 } from "../../../../utils/index.ts";
import type { TestAccount } from "../../provider/helpers.ts";
import { CLIENT, eventsOf, type IbcTestChain, setupChains, T, updateClient } from "./twoChains.ts";

const PORT = "mock";
const A_END = "channel-5";
const B_END = "channel-6";
const CLOSE_CONFIRM = "/ibc.core.channel.v1.MsgChannelCloseConfirm";

function mockApp(closed: string[]): IbcAppFactory {
  return () => ({
    onRecvPacket: async (_p: Packet) => utf8("ok"),
    onAcknowledgementPacket: async () => {},
    onTimeoutPacket: async () => {},
    async onChanClose(c: ChannelEnd) {
      closed.push(`${c.portId}/${c.channelId}:${c.state}`);
    },
  });
}

/** A module that closes A's mock end from its end block when asked (as the provider stops a consumer). */
function closerModule(flag: { close: boolean }) {
  return (k: IbcKeeper): AppModule[] => [
    {
      name: "closer",
      async endBlock(ctx) {
        if (flag.close) await k.closeChannel(ctx, PORT, A_END);
        flag.close = false;
        return [];
      },
    },
  ];
}

const mockChannel = (channel: string, counterparty: string) => ({
  port_id: PORT,
  channel_id: channel,
  counterparty_port_id: PORT,
  counterparty_channel_id: counterparty,
  client_id: CLIENT,
  ordering: "ordered",
  version: "mock-1",
});

function closeConfirmMsg(signer: string, proofInit: Uint8Array, proofHeight: bigint): EncodeObject {
  return {
    typeUrl: CLOSE_CONFIRM,
    value: {
      portId: PORT,
      channelId: B_END,
      proofInit,
      proofHeight: { revisionNumber: 0n, revisionHeight: proofHeight },
      signer,
    },
  };
}

/** Updates B's client of A and proves A's channel end there, as the relayer does. */
async function proveAEnd(a: IbcTestChain, b: IbcTestChain, relayer: TestAccount) {
  const h = await updateClient(b, a, relayer);
  const { proof, value } = await a.prove(channelKey(PORT, A_END), h - 1n);
  return { h, proofInit: encodeChannelCloseProof({ counterpartyClientId: CLIENT, proof }), end: value };
}

describe("ibc module: MsgChannelCloseConfirm", () => {
  it("closes B's end once A's end is proven CLOSED; a repeat is a redundant relay", T, async () => {
    const closedA: string[] = [];
    const closedB: string[] = [];
    const flag = { close: false };
    const { a, b, relayer } = await setupChains(
      { a: { [PORT]: mockApp(closedA) }, b: { [PORT]: mockApp(closedB) } },
      { a: [mockChannel(A_END, B_END)], b: [mockChannel(B_END, A_END)] },
      { a: closerModule(flag) },
    );

    // While A's end is OPEN, its record is not the CLOSED one B expects.
    const open = await proveAEnd(a, b, relayer);
    const early = await b.tx(relayer, [closeConfirmMsg(relayer.address, open.proofInit, open.h)]);
    assert.equal(early.codespace, "ibc");
    assert.equal(early.code, 17);
    assert.match(early.log, /IBC_PROOF_INVALID/);
    assert.deepEqual(closedB, []);

    flag.close = true;
    await a.block();
    const { h, proofInit, end } = await proveAEnd(a, b, relayer);
    assert.equal(decodeChannelEnd(end).state, "CLOSED");
    const r = await b.ok(relayer, [closeConfirmMsg(relayer.address, proofInit, h)]);
    const [ev] = eventsOf(r.events, "channel_close_confirm");
    assert.equal(ev?.port_id, PORT);
    assert.equal(ev?.channel_id, B_END);
    assert.equal(ev?.counterparty_channel_id, A_END);
    assert.deepEqual(closedB, [`${PORT}/${B_END}:CLOSED`]);
    assert.deepEqual(closedA, [], "closing from A's own side does not call A's app");
    assert.equal((await getChannel(b.store(), PORT, B_END))?.state, "CLOSED");

    // A second relayer's identical message: nothing new, so the tx fails as a redundant relay.
    const again = await b.tx(relayer, [closeConfirmMsg(relayer.address, proofInit, h)]);
    assert.equal(again.codespace, "ibc");
    assert.equal(again.code, 42);
    assert.match(again.log, /redundant relay/);
    assert.deepEqual(closedB, [`${PORT}/${B_END}:CLOSED`]);
  });

  it("refuses a malformed message before any work", T, async () => {
    const { b, relayer } = await setupChains();
    const empty = await b.tx(relayer, [closeConfirmMsg(relayer.address, new Uint8Array(), 5n)]);
    assert.equal(empty.code, 40);
    assert.match(empty.log, /proof init is empty/);
    const zero = await b.tx(relayer, [closeConfirmMsg(relayer.address, Uint8Array.of(1), 0n)]);
    assert.match(zero.log, /proof height must not be zero/);
  });
});
