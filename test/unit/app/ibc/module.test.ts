import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  QueryEscrowAddressRequest,
  QueryEscrowAddressResponse,
} from "cosmjs-types/ibc/applications/transfer/v1/query";
import { Order, State } from "cosmjs-types/ibc/core/channel/v1/channel";
import {
  QueryChannelRequest,
  QueryChannelResponse,
  QueryChannelsRequest,
  QueryChannelsResponse,
  QueryNextSequenceReceiveRequest,
  QueryNextSequenceReceiveResponse,
  QueryPacketCommitmentsRequest,
  QueryPacketCommitmentsResponse,
  QueryUnreceivedAcksRequest,
  QueryUnreceivedAcksResponse,
} from "cosmjs-types/ibc/core/channel/v1/query";
import { MsgRecvPacket } from "cosmjs-types/ibc/core/channel/v1/tx";
import {
  AuthKeeper,
  BankKeeper,
  bech32Address,
  ibcModule,
  MAX_PROOF_BYTES,
  type MsgRoute,
  parseIbcGenesis,
  QueryDenomTraceRequest,
  QueryDenomTraceResponse,
  QueryDenomTracesRequest,
  QueryDenomTracesResponse,
  SdkError,
} from "../../../../app/index.ts";
import { commitPacket, denomHash, escrowAddress } from "../../../../ibc/index.ts";
import { utf8 } from "../../../../utils/index.ts";
import { makeSet } from "../../ibc/client/helpers.ts";
import { ModuleTestChain } from "../../provider/helpers.ts";
import {
  A_CHANNEL,
  acksOf,
  B_CHANNEL,
  ibcGenesis,
  relayRecv,
  sentPacketsOf,
  setupChains,
  T,
  TRANSFER,
  transferMsg,
} from "./twoChains.ts";

const CH = "/ibc.core.channel.v1.Query/";

describe("ibc module: queries", () => {
  it("answers the channel, transfer and icsd JSON queries from state", T, async () => {
    const { a, b, alice, bob, relayer } = await setupChains();
    const [p] = sentPacketsOf(await a.ok(alice, [transferMsg(alice.address, bob.address, "stake", 5n)]));
    await a.ok(alice, [transferMsg(alice.address, bob.address, "stake", 6n)]);
    const recv = await relayRecv(a, b, p!, relayer);
    assert.equal(recv.code, 0, recv.log);

    const ch = QueryChannelResponse.decode(
      await a.query(
        `${CH}Channel`,
        QueryChannelRequest.encode({ portId: TRANSFER, channelId: A_CHANNEL }).finish(),
      ),
    ).channel!;
    assert.equal(ch.state, State.STATE_OPEN);
    assert.equal(ch.ordering, Order.ORDER_UNORDERED);
    assert.deepEqual(ch.counterparty, { portId: TRANSFER, channelId: B_CHANNEL });
    assert.deepEqual(ch.connectionHops, ["07-icsd-0"]);
    assert.equal(ch.version, "ics20-1");
    const chans = QueryChannelsResponse.decode(
      await a.query(`${CH}Channels`, QueryChannelsRequest.encode({}).finish()),
    );
    assert.deepEqual(
      chans.channels.map((c) => `${c.portId}/${c.channelId}`),
      [`${TRANSFER}/${A_CHANNEL}`],
    );
    const missing = await a.chain.query(
      `${CH}Channel`,
      QueryChannelRequest.encode({ portId: TRANSFER, channelId: "channel-99" }).finish(),
    );
    assert.equal(missing.code, 22);

    const commitments = QueryPacketCommitmentsResponse.decode(
      await a.query(
        `${CH}PacketCommitments`,
        QueryPacketCommitmentsRequest.encode({ portId: TRANSFER, channelId: A_CHANNEL }).finish(),
      ),
    ).commitments;
    assert.deepEqual(
      commitments.map((c) => c.sequence),
      [1n, 2n],
    );
    assert.deepEqual(commitments[0]!.data, commitPacket(p!));
    const unacked = QueryUnreceivedAcksResponse.decode(
      await a.query(
        `${CH}UnreceivedAcks`,
        QueryUnreceivedAcksRequest.encode({
          portId: TRANSFER,
          channelId: A_CHANNEL,
          packetAckSequences: [2n, 1n, 7n],
        }).finish(),
      ),
    ).sequences;
    assert.deepEqual(unacked, [1n, 2n]);
    const nextRecv = QueryNextSequenceReceiveResponse.decode(
      await b.query(
        `${CH}NextSequenceReceive`,
        QueryNextSequenceReceiveRequest.encode({ portId: TRANSFER, channelId: B_CHANNEL }).finish(),
      ),
    );
    assert.equal(nextRecv.nextSequenceReceive, 1n);

    const traces = QueryDenomTracesResponse.decode(
      await b.query("/ibc.applications.transfer.v1.Query/DenomTraces", QueryDenomTracesRequest.encode({})),
    );
    assert.deepEqual(traces.denomTraces, [{ path: `${TRANSFER}/${B_CHANNEL}`, baseDenom: "stake" }]);
    const hash = denomHash(`${TRANSFER}/${B_CHANNEL}/stake`);
    for (const h of [hash, `ibc/${hash}`]) {
      const one = QueryDenomTraceResponse.decode(
        await b.query(
          "/ibc.applications.transfer.v1.Query/DenomTrace",
          QueryDenomTraceRequest.encode({ hash: h }),
        ),
      );
      assert.deepEqual(one.denomTrace, { path: `${TRANSFER}/${B_CHANNEL}`, baseDenom: "stake" });
    }
    const escrow = QueryEscrowAddressResponse.decode(
      await a.query(
        "/ibc.applications.transfer.v1.Query/EscrowAddress",
        QueryEscrowAddressRequest.encode({ portId: TRANSFER, channelId: A_CHANNEL }).finish(),
      ),
    );
    assert.equal(escrow.escrowAddress, bech32Address(escrowAddress(TRANSFER, A_CHANNEL), "cosmos"));

    // icsd JSON: the packets still awaiting an ack (after a sequence, limited), and ack bytes.
    const sent = JSON.parse(
      new TextDecoder().decode(
        await a.query(
          "/icsd.ibc.v1.Query/SentPackets",
          utf8(
            JSON.stringify({ port_id: TRANSFER, channel_id: A_CHANNEL, after_sequence: "1", limit: "10" }),
          ),
        ),
      ),
    );
    assert.equal(sent.packets.length, 1);
    assert.equal(sent.packets[0].sequence, "2");
    assert.equal(sent.packets[0].destination_channel, B_CHANNEL);
    assert.equal(JSON.parse(Buffer.from(sent.packets[0].data, "base64").toString()).amount, "6");
    const acks = JSON.parse(
      new TextDecoder().decode(
        await b.query(
          "/icsd.ibc.v1.Query/Acknowledgements",
          utf8(JSON.stringify({ port_id: TRANSFER, channel_id: B_CHANNEL, sequences: ["1", "2"] })),
        ),
      ),
    );
    assert.deepEqual(acks.acknowledgements, [
      { sequence: "1", acknowledgement: Buffer.from(acksOf(recv)[0]!).toString("base64") },
    ]);
    for (const bad of [
      "not json",
      JSON.stringify({ port_id: TRANSFER }),
      JSON.stringify({ port_id: TRANSFER, channel_id: A_CHANNEL, limit: "-1" }),
    ]) {
      const r = await a.chain.query("/icsd.ibc.v1.Query/SentPackets", utf8(bad));
      assert.equal(r.code, 18, `${bad}: ${r.log}`);
    }
  });
});

describe("ibc module: stateless checks and genesis", () => {
  const auth = new AuthKeeper("cosmos");
  const { module } = ibcModule({ auth, bank: new BankKeeper(auth, []) });
  const route = (typeUrl: string): MsgRoute => module.msgs!.find((r) => r.typeUrl === typeUrl)!;
  const relayer = bech32Address(new Uint8Array(20).fill(7), "cosmos");
  const packet = {
    sequence: 1n,
    sourcePort: TRANSFER,
    sourceChannel: A_CHANNEL,
    destinationPort: TRANSFER,
    destinationChannel: B_CHANNEL,
    data: utf8("{}"),
    timeoutHeight: { revisionNumber: 0n, revisionHeight: 10n },
    timeoutTimestamp: 0n,
  };
  const recv = (o: Record<string, unknown>) =>
    MsgRecvPacket.encode(
      MsgRecvPacket.fromPartial({
        packet,
        proofCommitment: Uint8Array.of(1),
        proofHeight: { revisionNumber: 0n, revisionHeight: 3n },
        signer: relayer,
        ...o,
      }),
    ).finish();
  const refused = (value: Uint8Array, re: RegExp) =>
    assert.throws(
      () => route("/ibc.core.channel.v1.MsgRecvPacket").decode(value, "cosmos"),
      (e: unknown) => e instanceof SdkError && re.test(e.message),
    );

  it("refuses bad signers, missing packets, oversized proofs and non-zero revisions before running", () => {
    assert.equal(route("/ibc.core.channel.v1.MsgRecvPacket").decode(recv({}), "cosmos").signer, relayer);
    refused(recv({ signer: "cosmos1bad" }), /invalid signer/);
    refused(recv({ packet: undefined }), /IBC_INVALID_MESSAGE: packet is missing/);
    refused(
      recv({ proofCommitment: new Uint8Array(MAX_PROOF_BYTES + 1) }),
      /proof commitment is 65537 bytes/,
    );
    refused(recv({ proofCommitment: new Uint8Array() }), /proof commitment is empty/);
    refused(recv({ proofHeight: { revisionNumber: 1n, revisionHeight: 3n } }), /revision 0/);
    refused(recv({ packet: { ...packet, sourceChannel: "x" } }), /IBC_INVALID_IDENTIFIER/);
    refused(
      recv({ packet: { ...packet, timeoutHeight: { revisionNumber: 0n, revisionHeight: 0n } } }),
      /IBC_PACKET_INVALID: packet has neither a timeout height nor a timeout timestamp/,
    );
  });

  it("reads app_state.ibc field by field and refuses what cannot work", T, async () => {
    const good = ibcGenesis("chain-b", makeSet([1]), A_CHANNEL, B_CHANNEL);
    const g = parseIbcGenesis(good);
    assert.equal(g.clients[0]!.clientState.latestHeight, 0n);
    assert.equal(g.channels[0]!.ordering, "unordered");
    assert.deepEqual(parseIbcGenesis(undefined), { clients: [], channels: [], nextClientSequence: 0n });

    type Genesis = {
      clients: {
        client_id: string;
        client_state: Record<string, string>;
        consensus_state: Record<string, string>;
      }[];
      channels: Record<string, string>[];
      next_client_sequence: string;
    };
    const bad = (mutate: (s: Genesis) => void): Record<string, unknown> => {
      const s = structuredClone(good) as Genesis;
      mutate(s);
      return s;
    };
    assert.throws(
      () => parseIbcGenesis(bad((s) => (s.clients[0]!.consensus_state.next_validators_hash = "zz"))),
      /app_state\.ibc\.clients\[0\]\.consensus_state\.next_validators_hash: must be 32 bytes of hex/,
    );
    assert.throws(
      () => parseIbcGenesis(bad((s) => (s.channels[0]!.ordering = "ORDERED"))),
      /channels\[0\]\.ordering: must be "ordered" or "unordered"/,
    );
    assert.throws(
      () => parseIbcGenesis(bad((s) => (s.clients[0]!.consensus_state.height = "3"))),
      /consensus_state\.height: is 3 but the client state's latest height is 0/,
    );
    const chainWith = (state: unknown) =>
      ModuleTestChain.create((base) => [ibcModule(base).module], { ibc: state });
    await assert.rejects(
      chainWith(bad((s) => (s.channels[0]!.client_id = "07-icsd-7"))),
      /channels\[0\]\.client_id: client 07-icsd-7 is not a genesis client/,
    );
    await assert.rejects(
      chainWith(bad((s) => (s.channels[0]!.port_id = "oracle"))),
      /channels\[0\]\.port_id: no application is bound to port oracle/,
    );
    await assert.rejects(
      chainWith(bad((s) => (s.clients[0]!.client_state.trusting_period = "0"))),
      /clients\[0\]: client state: trusting period must be positive/,
    );
    // A genesis client named 07-icsd-4 moves the counter past it.
    const chain = await chainWith(
      bad((s) => {
        s.clients[0]!.client_id = "07-icsd-4";
        s.channels[0]!.client_id = "07-icsd-4";
        s.next_client_sequence = "2";
      }),
    );
    const raw = await chain.tree.get(utf8("ibc/nextClientSequence"));
    assert.equal(Buffer.from(raw!).readBigUInt64BE(0), 5n);
  });
});
