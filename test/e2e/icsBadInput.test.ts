/**
 * Bad interchain-security input against real processes: a 4-validator provider, a consumer launched by
 * MsgCreateConsumer and a relayer. Each bad input goes in as a real transaction (or a real packet) and is
 * refused with a clear error, or handled without punishing anyone, and leaves the provider's state as it
 * was: the validators' tokens and jailed flags, their slashing signing info, the slash meter.
 *
 * - Slash packets the consumer never sent: MsgRecvPacket on the provider with a proof of a commitment
 *   that does not exist, and with the proof of a real commitment whose data was changed (another
 *   validator, an unknown vscId).
 * - A real slash packet for a validator no longer in the consumer's set (it opted out while its
 *   downtime report was in flight): handled, nobody jailed.
 * - MsgSubmitConsumerDoubleVoting with votes signed for the wrong chain, identical votes, votes by a key
 *   that is in no validator set, a header of another chain, evidence older than the consumer's unbonding
 *   period, and the same valid evidence twice (the second is refused, one slash only).
 *
 * An unknown vscId in a slash packet the consumer really committed cannot happen with an honest consumer:
 * the provider records the vscId of every VSC packet it queues (and 0 at launch) and never prunes them,
 * and the consumer only names vscIds it received. Making the consumer commit one would mean forging the
 * consumer itself, so here it is only shown refused at the packet layer (the forged packet below names
 * one); the provider's error acknowledgement for it is covered by test/unit/provider/ccv/relay.test.ts.
 *
 * The consumer's unbonding period is 90 s so that evidence from its first block becomes too old during
 * the run; the provider's client of the consumer then trusts for 59.4 s, which the relayer's refresh (at
 * a third of that) and this file's own update keep alive while the relayer is stopped.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { toBech32, toHex } from "@cosmjs/encoding";
import type { EncodeObject } from "@cosmjs/proto-signing";
import {
  BroadcastTxError,
  GasPrice,
  QueryClient,
  SigningStargateClient,
  setupIbcExtension,
  setupSlashingExtension,
  setupStakingExtension,
} from "@cosmjs/stargate";
import { Comet38Client } from "@cosmjs/tendermint-rpc";
import { type DuplicateVoteEvidence, type Header, type Vote, VoteType } from "../../consensus/index.ts";
import { addressFromPubKey, type Ed25519KeyPair, ed25519Generate, ed25519Sign } from "../../crypto/index.ts";
import { decodeConsumerPacket, encodeConsumerPacket } from "../../ibc/ccv/wire.ts";
import { type ClientHeader, decodePacket, packetCommitmentKey, sentPacketKey } from "../../ibc/index.ts";
import { homePaths } from "../../node/home.ts";
import { loadValidatorKey } from "../../node/index.ts";
import { voteSignBytes } from "../../proto/index.ts";
import { MsgOptOutCodec, MsgSubmitConsumerDoubleVotingCodec } from "../../provider/ccv/codec.ts";
import { clientHeaderToProto, duplicateVoteEvidenceToProto } from "../../provider/ccv/evidence.ts";
import { GAS_PRICE, type User, user, waitUntil } from "./ibcHarness.ts";
import {
  clientHeaderAt,
  clientLatestHeight,
  lightBlock,
  prove,
  recvMsg,
  updateClientMsg,
} from "./ibcLiar.ts";
import { IcsNet, registry } from "./icsHarness.ts";

const hexAddr = (pubKey: Uint8Array) => toHex(addressFromPubKey(pubKey)).toUpperCase();
const valcons = (pubKey: Uint8Array) => toBech32("cosmosvalcons", addressFromPubKey(pubKey));
const CONSUMER_UNBONDING_S = 90n;
const NS = 1_000_000_000n;

const queryClient = (c: Comet38Client) =>
  QueryClient.withExtensions(c, setupStakingExtension, setupSlashingExtension, setupIbcExtension);
type Query = ReturnType<typeof queryClient>;

/** What a refused input must leave alone: one provider validator's stake, jail and tombstone. */
interface ValidatorState {
  readonly tokens: string;
  readonly jailed: boolean;
  readonly tombstoned: boolean;
}

/** A DeliverTx (or CheckTx) outcome: refusals are data here, not exceptions. */
interface Outcome {
  readonly code: number;
  readonly log: string;
}

describe("bad interchain-security input with real processes", { timeout: 900_000 }, () => {
  let net: IcsNet;
  let comet: Comet38Client;
  let q: Query;
  let liar: User;
  let providerChannel = "";
  let consumerChannel = "";
  let providerClient = "";
  let meterAtStart = "";

  before(async () => {
    liar = await user("ics-bad-input");
    net = await IcsNet.create({ validators: 4, funded: [liar.address] });
    comet = await Comet38Client.connect(net.url());
    q = queryClient(comet);
    await net.launch({ initialization: { unbonding_period: `${CONSUMER_UNBONDING_S}s` } });
    const ch = net.consumerGenesis.ccv_channel as Record<string, unknown>;
    providerChannel = String(ch.provider_channel_id);
    consumerChannel = String(ch.consumer_channel_id);
    providerClient = String(ch.provider_client_id);
    // CCV is established on the consumer by the first VSC packet (icsd has no handshake): until then it
    // holds its downtime reports.
    await waitUntil(
      "the first VSC packet to establish CCV on the consumer",
      async () => (await net.consumerQuery<{ established: boolean }>("ProviderInfo")).established,
      90_000,
      () => net.describe(),
    );
    meterAtStart = await slashMeter();
  });

  after(async () => {
    comet?.disconnect();
    await net?.cleanup();
  });

  async function slashMeter(): Promise<string> {
    return (await net.providerQuery<{ slash_meter: string }>("ThrottleState")).slash_meter;
  }

  async function state(i: number): Promise<ValidatorState> {
    const v = (await q.staking.validator((await net.operator(i)).valoper)).validator!;
    const info = await q.slashing.signingInfo(valcons(net.providerKey(i)));
    return { tokens: v.tokens, jailed: v.jailed, tombstoned: info.valSigningInfo?.tombstoned === true };
  }

  async function states(): Promise<ValidatorState[]> {
    return Promise.all([0, 1, 2, 3].map((i) => state(i)));
  }

  async function nextRecv(): Promise<bigint> {
    return (await q.ibc.channel.nextSequenceReceive("provider", providerChannel)).nextSequenceReceive;
  }

  /** Signs and broadcasts `msgs` from the liar with a fixed fee; a refusal in CheckTx or DeliverTx is returned. */
  async function send(msgs: EncodeObject[]): Promise<Outcome> {
    const client = await SigningStargateClient.connectWithSigner(net.url(), liar.wallet, {
      registry,
      gasPrice: GasPrice.fromString(GAS_PRICE),
      broadcastPollIntervalMs: 300,
      broadcastTimeoutMs: 30_000,
    });
    try {
      const r = await client.signAndBroadcast(liar.address, msgs, {
        amount: [{ denom: "stake", amount: "10000" }],
        gas: "4000000",
      });
      return { code: r.code, log: r.rawLog ?? "" };
    } catch (e) {
      if (e instanceof BroadcastTxError) return { code: e.code, log: e.log ?? e.message };
      throw e;
    } finally {
      client.disconnect();
    }
  }

  function assertRefused(r: Outcome, reason: RegExp): void {
    assert.notEqual(r.code, 0, `the bad input was accepted: ${r.log}`);
    assert.match(r.log, reason);
  }

  /** Updates the provider's client of the consumer to the consumer's latest height; returns it. */
  async function updateProviderClient(): Promise<bigint> {
    const latest = (await lightBlock(net.consumer)).height;
    const trusted = await clientLatestHeight(net.provider, providerClient);
    if (trusted >= latest) return trusted;
    const r = await send([
      updateClientMsg(providerClient, await clientHeaderAt(net.consumer, latest, trusted), liar.address),
    ]);
    assert.equal(r.code, 0, r.log);
    return latest;
  }

  // ---- evidence ---------------------------------------------------------------------------------

  function consumerKey(i: number): Ed25519KeyPair {
    return loadValidatorKey(homePaths(net.consumer.nodes[i]!.home).privValidatorKey).keyPair;
  }

  /** A prevote by `key` at `header`'s height for `blockHash`, signed over `chainId`. */
  function vote(key: Ed25519KeyPair, header: Header, blockHash: Uint8Array, chainId: string): Vote {
    const unsigned: Vote = {
      type: VoteType.Prevote,
      height: header.height,
      round: 0,
      blockHash,
      timestamp: header.time,
      validatorAddress: addressFromPubKey(key.publicKey),
      validatorIndex: 0,
      signature: new Uint8Array(),
    };
    return { ...unsigned, signature: ed25519Sign(key, voteSignBytes(chainId, unsigned)) };
  }

  /** Two prevotes of `key` at the header's height for different blocks (the same block with `same`). */
  function doubleVote(
    key: Ed25519KeyPair,
    h: ClientHeader,
    o: { chainId?: string; same?: boolean } = {},
  ): DuplicateVoteEvidence {
    const header = h.signedHeader.header;
    const chainId = o.chainId ?? net.consumer.chainId;
    return {
      voteA: vote(key, header, new Uint8Array(32).fill(0xa1), chainId),
      voteB: vote(key, header, new Uint8Array(32).fill(o.same ? 0xa1 : 0xb2), chainId),
      totalVotingPower: h.validatorSet.validators.reduce((t, v) => t + v.votingPower, 0n),
      validatorPower: 100n,
      timestamp: header.time,
    };
  }

  function doubleVotingMsg(ev: DuplicateVoteEvidence, header: ClientHeader): EncodeObject {
    return {
      typeUrl: MsgSubmitConsumerDoubleVotingCodec.typeUrl,
      value: MsgSubmitConsumerDoubleVotingCodec.fromPartial({
        submitter: liar.address,
        duplicateVoteEvidence: duplicateVoteEvidenceToProto(ev),
        infractionBlockHeader: clientHeaderToProto(header),
        consumerId: net.consumerId,
      }),
    };
  }

  /** A consumer header the provider's client can verify: at the consumer's tip, trusted from the client's latest height. */
  async function freshConsumerHeader(): Promise<ClientHeader> {
    const trusted = await clientLatestHeight(net.provider, providerClient);
    await net.consumer.waitForHeight([net.consumer.nodes[0]!], Number(trusted) + 1, 30_000);
    const tip = (await lightBlock(net.consumer)).height;
    return clientHeaderAt(net.consumer, tip, trusted);
  }

  // ---- packets ----------------------------------------------------------------------------------

  it("refuses a slash packet the consumer never committed, changing nothing", async () => {
    const before = await states();
    const seq = await nextRecv();
    // A downtime report against validator 0, at the sequence the provider expects next, naming an
    // unknown vscId: no such commitment exists on the consumer, so the proof is one of absence.
    const data = encodeConsumerPacket({
      type: "slash",
      slash: {
        validator: { address: addressFromPubKey(net.providerKey(0)), power: 100n },
        valsetUpdateId: 987_654n,
        infraction: "downtime",
      },
    });
    await waitUntil(
      "the provider's client of the consumer to hold a consensus state",
      async () => (await clientLatestHeight(net.provider, providerClient)) >= 2n,
      30_000,
    );
    const h = await clientLatestHeight(net.provider, providerClient);
    const { value, proof } = await prove(
      net.consumer,
      packetCommitmentKey("consumer", consumerChannel, seq),
      h - 1n,
    );
    assert.equal(value.length, 0, "the consumer has no commitment at that sequence");
    const packet = {
      sequence: seq,
      sourcePort: "consumer",
      sourceChannel: consumerChannel,
      destPort: "provider",
      destChannel: providerChannel,
      data,
      timeoutHeight: 0n,
      timeoutTimestamp: BigInt(Date.now() + 3_600_000) * 1_000_000n,
    };
    assertRefused(await send([recvMsg(packet, proof, h, liar.address)]), /IBC_PROOF_INVALID/);
    assert.equal(await nextRecv(), seq, "nothing was received");
    assert.deepEqual(await states(), before);
    assert.equal(await slashMeter(), meterAtStart);
  });

  it("refuses a real slash packet with altered data, then handles the real one for a validator that left the set without jailing it", async () => {
    const victim = 3;
    const before = await states();
    assert.equal(before[victim]!.jailed, false);
    // With the relayer down, validator 3's consumer node goes down and the validator opts out: the
    // provider drops it from the consumer's set at the next epoch, while the consumer, which never got
    // that VSC packet, still tracks it and reports its downtime.
    await net.relayer!.kill();
    await net.consumer.kill(net.consumer.nodes[victim]!);
    const op = await net.operator(victim);
    await net.tx(op.wallet, [
      {
        typeUrl: MsgOptOutCodec.typeUrl,
        value: { chainId: "", providerAddr: op.valoper, signer: op.address, consumerId: net.consumerId },
      },
    ]);
    await waitUntil(
      "the provider to drop validator 3 from the consumer's set",
      async () => {
        const r = await net.providerQuery<{ validators: { provider_address: string }[] }>(
          "ConsumerValidators",
          { consumer_id: net.consumerId },
        );
        return !r.validators.some((v) => v.provider_address === valcons(net.providerKey(victim)));
      },
      30_000,
      () => net.describe(),
    );
    const seq = await nextRecv();
    let sent: Uint8Array = new Uint8Array();
    await waitUntil(
      "the consumer to commit validator 3's downtime packet",
      async () => {
        const tip = (await lightBlock(net.consumer)).height;
        sent = (await prove(net.consumer, sentPacketKey("consumer", consumerChannel, seq), tip - 1n)).value;
        return sent.length > 0;
      },
      40_000,
      () => net.describe(),
    );
    const real = decodePacket(sent);
    const slash = decodeConsumerPacket(real.data);
    assert.equal(slash.type, "slash");
    if (slash.type !== "slash") return;
    assert.equal(toHex(slash.slash.validator.address).toUpperCase(), hexAddr(net.providerKey(victim)));
    assert.equal(slash.slash.infraction, "downtime");

    // The proof of that commitment with other data: validator 0 instead, and an unknown vscId.
    const h = await updateProviderClient();
    const { value, proof } = await prove(
      net.consumer,
      packetCommitmentKey("consumer", consumerChannel, seq),
      h - 1n,
    );
    assert.equal(value.length, 32, "the real commitment is there");
    const forged = encodeConsumerPacket({
      type: "slash",
      slash: {
        ...slash.slash,
        validator: { ...slash.slash.validator, address: addressFromPubKey(net.providerKey(0)) },
      },
    });
    assertRefused(
      await send([recvMsg({ ...real, data: forged }, proof, h, liar.address)]),
      /IBC_PROOF_INVALID/,
    );
    const unknownVsc = encodeConsumerPacket({
      type: "slash",
      slash: { ...slash.slash, valsetUpdateId: 987_654n },
    });
    assertRefused(
      await send([recvMsg({ ...real, data: unknownVsc }, proof, h, liar.address)]),
      /IBC_PROOF_INVALID/,
    );
    assert.equal(await nextRecv(), seq, "nothing was received");
    assert.deepEqual(await states(), before);

    // The relayer delivers the real packet: validator 3 is not in the set any more, so the provider
    // acknowledges it as handled and punishes nobody (the reference's OnRecvSlashPacket).
    net.relayer!.start();
    await waitUntil(
      "the consumer to get a handled ack for validator 3's packet and empty its queue",
      async () => {
        const r = await net.consumer.rpc<{
          txs: { tx_result: { events: { type: string; attributes: { key: string; value: string }[] }[] } }[];
        }>(net.consumer.nodes[0]!, "tx_search", {
          query: "slash_packet_ack.result='handled'",
          per_page: "10",
        });
        const acked = r.txs.some((t) =>
          t.tx_result.events.some(
            (e) =>
              e.type === "slash_packet_ack" &&
              e.attributes.some(
                (a) => a.key === "validator_address" && a.value === hexAddr(net.providerKey(victim)),
              ),
          ),
        );
        return (
          acked && (await net.consumerQuery<{ packets: unknown[] }>("PendingPackets")).packets.length === 0
        );
      },
      60_000,
      () => net.describe(),
    );
    assert.equal(await nextRecv(), seq + 1n, "the real packet was received once");
    assert.deepEqual(await states(), before, "nobody was jailed or slashed");
    assert.equal(await slashMeter(), meterAtStart, "the slash meter was not charged");
    const received = await net.provider.rpc<{ total_count: string }>(net.p0, "tx_search", {
      query: "slash_packet_received.module='provider'",
      per_page: "1",
    });
    assert.equal(received.total_count, "0", "no slash packet went through the meter");
  });

  // ---- evidence ---------------------------------------------------------------------------------

  it("refuses double-voting evidence that does not prove a double vote, changing nothing", async () => {
    const victim = 1;
    const key = consumerKey(victim);
    const before = await states();
    const header = await freshConsumerHeader();
    assert.ok(
      header.validatorSet.validators.some((v) => hexAddr(v.pubKey) === hexAddr(key.publicKey)),
      "validator 1 signs on the consumer",
    );

    // Votes signed for the provider's chain id, presented as the consumer's.
    assertRefused(
      await send([doubleVotingMsg(doubleVote(key, header, { chainId: net.provider.chainId }), header)]),
      /verifying VoteA: invalid signature over chain id consumer-e2e/,
    );
    // Two votes for the same block are not a double vote.
    assertRefused(
      await send([doubleVotingMsg(doubleVote(key, header, { same: true }), header)]),
      /block IDs are the same/,
    );
    // A key that signed nothing on the consumer: it is in no validator set.
    const stranger = ed25519Generate();
    assertRefused(
      await send([doubleVotingMsg(doubleVote(stranger, header), header)]),
      new RegExp(`misbehaving validator ${hexAddr(stranger.publicKey)} cannot be found`),
    );
    // A real double vote with a header of the provider chain at the votes' height.
    const pHeight = BigInt(await net.provider.height(net.p0));
    const pTrusted = pHeight - 3n;
    const providerHeader = await clientHeaderAt(net.provider, pHeight, pTrusted);
    assertRefused(
      await send([doubleVotingMsg(doubleVote(key, providerHeader), providerHeader)]),
      /infraction block header is for chain provider-e2e, not the consumer chain consumer-e2e/,
    );
    // Garbage that does not decode as evidence: refused with the message's own code.
    const ev = duplicateVoteEvidenceToProto(doubleVote(key, header));
    assertRefused(
      await send([
        {
          typeUrl: MsgSubmitConsumerDoubleVotingCodec.typeUrl,
          value: MsgSubmitConsumerDoubleVotingCodec.fromPartial({
            submitter: liar.address,
            duplicateVoteEvidence: { ...ev, voteB: { ...ev.voteB!, signature: new Uint8Array() } },
            infractionBlockHeader: clientHeaderToProto(header),
            consumerId: net.consumerId,
          }),
        },
      ]),
      /vote_b.signature is empty/,
    );
    const h = await net.provider.height(net.p0);
    await net.provider.waitForHeight([net.p0], h + 1, 30_000);
    assert.deepEqual(await states(), before);
  });

  it("refuses evidence older than the consumer's unbonding period", async () => {
    const victim = 1;
    const before = await states();
    // The consumer's first block, trusted from the client's launch state (height 0): a real double vote
    // there, once the block is more than the unbonding period (90 s) old by the provider's clock.
    const header = await clientHeaderAt(net.consumer, 1n, 0n);
    const expiry = header.signedHeader.header.time + CONSUMER_UNBONDING_S * NS;
    await waitUntil(
      "the consumer's first block to be older than its unbonding period",
      async () => {
        const s = await net.provider.rpc<{ sync_info: { latest_block_time: string } }>(net.p0, "status");
        return BigInt(Date.parse(s.sync_info.latest_block_time)) * 1_000_000n > expiry + 2n * NS;
      },
      120_000,
    );
    assertRefused(
      await send([doubleVotingMsg(doubleVote(consumerKey(victim), header), header)]),
      /evidence is too old/,
    );
    assert.deepEqual(await states(), before);
  });

  it("punishes a valid double vote once and refuses the same evidence again", async () => {
    const victim = 1;
    const before = await states();
    const header = await freshConsumerHeader();
    const ev = doubleVote(consumerKey(victim), header);
    const first = await send([doubleVotingMsg(ev, header)]);
    assert.equal(first.code, 0, first.log);
    const punished = await state(victim);
    const tokens = BigInt(before[victim]!.tokens);
    assert.deepEqual(punished, {
      // The default double-sign fraction 0.05 of the validator's power.
      tokens: (tokens - (tokens * 5n) / 100n).toString(),
      jailed: true,
      tombstoned: true,
    });
    const second = await send([doubleVotingMsg(ev, header)]);
    assertRefused(second, /already handled/);
    const h = await net.provider.height(net.p0);
    await net.provider.waitForHeight([net.p0], h + 1, 30_000);
    assert.deepEqual(await state(victim), punished, "slashed exactly once");
    const others = await states();
    for (const i of [0, 2, 3]) assert.deepEqual(others[i], before[i], `validator ${i} untouched`);
  });
});
