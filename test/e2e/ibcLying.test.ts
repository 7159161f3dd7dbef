import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  type BankExtension,
  type IbcExtension,
  QueryClient,
  setupBankExtension,
  setupIbcExtension,
} from "@cosmjs/stargate";
import { connectComet } from "@cosmjs/tendermint-rpc";
import { BlockIdFlag, type CommitSig, VoteType } from "../../consensus/index.ts";
import { ed25519Sign } from "../../crypto/index.ts";
import {
  decodePacket,
  type Packet,
  packetAckKey,
  packetCommitmentKey,
  packetReceiptKey,
  sentPacketKey,
  voucherDenom,
} from "../../ibc/index.ts";
import { homePaths } from "../../node/home.ts";
import { loadValidatorKey } from "../../node/keys.ts";
import { headerHash, voteSignBytes } from "../../proto/index.ts";
import type { Testnet } from "./harness.ts";
import {
  CLIENT_A,
  CLIENT_B,
  createIbcPair,
  DENOM,
  type PairChannel,
  type User,
  user,
  waitUntil,
} from "./ibcHarness.ts";
import {
  ackMsg,
  clientHeaderAt,
  clientLatestHeight,
  lightBlock,
  prove,
  recvMsg,
  submit,
  timeoutMsg,
  updateClientMsg,
} from "./ibcLiar.ts";

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

type Query = QueryClient & IbcExtension & BankExtension;

/** Refused: the tx failed in DeliverTx and its log names `code`. */
function assertRefused(res: { code: number; rawLog?: string }, code: RegExp): void {
  assert.notEqual(res.code, 0, "the lie was accepted");
  assert.match(res.rawLog ?? "", code);
}

/** A relayer that lies, one lie at a time, against two real chains; each lie is refused and changes nothing. */
describe("a lying relayer is refused by both chains", { timeout: 600_000 }, () => {
  let a: Testnet;
  let b: Testnet;
  let qa: Query;
  let qb: Query;
  let alice: User;
  let dave: User;
  let liar: User;
  const packets: Packet[] = [];

  /** The packet alice sent on A with `sequence` on `channel`, read back from A's state. */
  async function sentOnA(channel: string, sequence: bigint): Promise<Packet> {
    const h = (await lightBlock(a)).height;
    const { value } = await prove(a, sentPacketKey("transfer", channel, sequence), h - 1n);
    return decodePacket(value);
  }

  /** Honestly updates `host`'s client of `src` to src's latest height; returns that (proof) height. */
  async function update(host: Testnet, src: Testnet, clientId: string): Promise<bigint> {
    const latest = (await lightBlock(src)).height;
    const trusted = await clientLatestHeight(host, clientId);
    if (trusted >= latest) return trusted;
    const res = await submit(host, liar, [
      updateClientMsg(clientId, await clientHeaderAt(src, latest, trusted), liar.address),
    ]);
    assert.equal(res.code, 0, res.rawLog);
    return latest;
  }

  before(async () => {
    alice = await user("lying-alice");
    dave = await user("lying-dave");
    liar = await user("lying-relayer");
    ({ a, b } = await createIbcPair({
      validatorsA: 4,
      validatorsB: 1,
      chainIdA: "liar-a",
      chainIdB: "liar-b",
      funded: [alice.address, dave.address, liar.address],
      channels: [UNORDERED, ORDERED],
    }));
    a.startAll();
    b.startAll();
    await a.waitForHeight(a.nodes, 2, 60_000);
    await b.waitForHeight(b.nodes, 2, 60_000);
    qa = QueryClient.withExtensions(
      await connectComet(`http://127.0.0.1:${a.nodes[0]!.rpcPort}`),
      setupIbcExtension,
      setupBankExtension,
    );
    qb = QueryClient.withExtensions(
      await connectComet(`http://127.0.0.1:${b.nodes[0]!.rpcPort}`),
      setupIbcExtension,
      setupBankExtension,
    );
    // Alice sends one packet on the unordered channel and two on the ordered one, with far timeouts.
    const far = BigInt(Date.now() + 3_600_000) * 1_000_000n;
    const transfer = (channel: string) => ({
      typeUrl: "/ibc.applications.transfer.v1.MsgTransfer",
      value: {
        sourcePort: "transfer",
        sourceChannel: channel,
        token: { denom: DENOM, amount: "7" },
        sender: alice.address,
        receiver: dave.address,
        timeoutHeight: { revisionNumber: 0n, revisionHeight: 0n },
        timeoutTimestamp: far,
        memo: "",
      },
    });
    const res = await submit(a, alice, [
      transfer("channel-0"),
      transfer("channel-1"),
      transfer("channel-1"),
      transfer("channel-0"),
    ]);
    assert.equal(res.code, 0, res.rawLog);
    await a.waitForHeight(a.nodes.slice(0, 1), res.height + 1, 30_000);
    packets.push(
      await sentOnA("channel-0", 1n),
      await sentOnA("channel-1", 1n),
      await sentOnA("channel-1", 2n),
      await sentOnA("channel-0", 2n),
    );
  });

  after(async () => {
    await a?.cleanup();
    await b?.cleanup();
  });

  it("refuses a header signed by too little power, leaving the client where it was", async () => {
    const before = await clientLatestHeight(b, CLIENT_B);
    const lb = await lightBlock(a);
    const header = await clientHeaderAt(a, lb.height, before);
    // Keep one of four equal signatures: 1/4 of the trusted power, less than the trust level and 2/3.
    let kept = 0;
    const signatures: CommitSig[] = header.signedHeader.commit.signatures.map((s) => {
      if (s.flag === BlockIdFlag.Commit && kept++ === 0) return s;
      return {
        flag: BlockIdFlag.Absent,
        validatorAddress: new Uint8Array(0),
        timestamp: 0n,
        signature: new Uint8Array(0),
      };
    });
    const weak = {
      ...header,
      signedHeader: { ...header.signedHeader, commit: { ...header.signedHeader.commit, signatures } },
    };
    assertRefused(
      await submit(b, liar, [updateClientMsg(CLIENT_B, weak, liar.address)]),
      /IBC_HEADER_INVALID/,
    );
    assert.equal(await clientLatestHeight(b, CLIENT_B), before);
  });

  it("refuses a forged packet for a real commitment and a proof against an unverified height", async () => {
    const h = await update(b, a, CLIENT_B);
    const p = packets[0]!;
    const { proof } = await prove(a, packetCommitmentKey("transfer", "channel-0", p.sequence), h - 1n);
    const forgedData = new TextEncoder().encode(
      new TextDecoder().decode(p.data).replace('"amount":"7"', '"amount":"7000000"'),
    );
    assert.notDeepEqual(forgedData, p.data);
    assertRefused(
      await submit(b, liar, [recvMsg({ ...p, data: forgedData }, proof, h, liar.address)]),
      /IBC_PROOF_INVALID/,
    );
    assertRefused(
      await submit(b, liar, [recvMsg(p, proof, h + 50n, liar.address)]),
      /IBC_CONSENSUS_STATE_NOT_FOUND/,
    );
    const voucher = voucherDenom(`transfer/channel-0/${DENOM}`);
    assert.equal((await qb.bank.balance(dave.address, voucher)).amount, "0");
    // Nothing was received: the honest delivery still goes through, once.
    const honest = await submit(b, liar, [recvMsg(p, proof, h, liar.address)]);
    assert.equal(honest.code, 0, honest.rawLog);
    assert.equal((await qb.bank.balance(dave.address, voucher)).amount, "7");
  });

  it("refuses a replayed packet", async () => {
    const h = await update(b, a, CLIENT_B);
    const p = packets[0]!;
    const { proof } = await prove(a, packetCommitmentKey("transfer", "channel-0", p.sequence), h - 1n);
    assertRefused(
      await submit(b, liar, [recvMsg(p, proof, h, liar.address)]),
      /redundant|IBC_PACKET_ALREADY_RECEIVED/,
    );
    assert.equal(
      (await qb.bank.balance(dave.address, voucherDenom(`transfer/channel-0/${DENOM}`))).amount,
      "7",
    );
  });

  it("refuses an out-of-order packet on an ordered channel", async () => {
    const h = await update(b, a, CLIENT_B);
    const second = packets[2]!;
    assert.equal(second.sequence, 2n);
    const { proof } = await prove(a, packetCommitmentKey("transfer", "channel-1", 2n), h - 1n);
    assertRefused(
      await submit(b, liar, [recvMsg(second, proof, h, liar.address)]),
      /IBC_PACKET_OUT_OF_ORDER/,
    );
    assert.equal((await qb.ibc.channel.nextSequenceReceive("transfer", "channel-1")).nextSequenceReceive, 1n);
  });

  it("refuses a forged acknowledgement", async () => {
    const h = await update(a, b, CLIENT_A);
    const p = packets[0]!;
    const { proof } = await prove(b, packetAckKey("transfer", "channel-0", p.sequence), h - 1n);
    // B acknowledged success; the liar claims an error ack, which would refund alice.
    const forged = new TextEncoder().encode('{"error":"forged"}');
    const balanceBefore = (await qa.bank.balance(alice.address, DENOM)).amount;
    assertRefused(await submit(a, liar, [ackMsg(p, forged, proof, h, liar.address)]), /IBC_PROOF_INVALID/);
    assert.equal((await qa.bank.balance(alice.address, DENOM)).amount, balanceBefore);
    // The commitment is still there: the packet still awaits its real ack.
    await prove(
      a,
      packetCommitmentKey("transfer", "channel-0", p.sequence),
      (await lightBlock(a)).height - 1n,
    ).then(({ value }) => assert.equal(value.length, 32));
  });

  it("refuses a timeout claimed before it expired", async () => {
    const h = await update(a, b, CLIENT_A);
    const p = packets[3]!;
    const { proof } = await prove(b, packetReceiptKey("transfer", "channel-0", p.sequence), h - 1n);
    assertRefused(
      await submit(a, liar, [timeoutMsg(p, proof, h, 0n, liar.address)]),
      /IBC_TIMEOUT_NOT_REACHED/,
    );
    const { value } = await prove(
      a,
      packetCommitmentKey("transfer", "channel-0", p.sequence),
      (await lightBlock(a)).height - 1n,
    );
    assert.equal(value.length, 32);
  });

  it("freezes the client on two valid conflicting headers for one height", async () => {
    const trusted = await clientLatestHeight(a, CLIENT_A);
    await b.waitForHeight(b.nodes, Number(trusted) + 2, 30_000);
    const h = await update(a, b, CLIENT_A);
    assert.ok(h > trusted);
    // B's only validator signs a second header for height h: a fork only its keys could make.
    const key = loadValidatorKey(homePaths(b.nodes[0]!.home).privValidatorKey);
    const real = await clientHeaderAt(b, h, trusted);
    const header = { ...real.signedHeader.header, appHash: new Uint8Array(32).fill(0xee) };
    const hash = headerHash(header);
    const signatures = real.signedHeader.commit.signatures.map((s, i) => {
      if (s.flag !== BlockIdFlag.Commit) return s;
      const bytes = voteSignBytes(b.chainId, {
        type: VoteType.Precommit,
        height: header.height,
        round: real.signedHeader.commit.round,
        blockHash: hash,
        timestamp: s.timestamp,
        validatorAddress: s.validatorAddress,
        validatorIndex: i,
        signature: new Uint8Array(0),
      });
      return { ...s, signature: ed25519Sign(key.keyPair, bytes) };
    });
    const conflicting = {
      ...real,
      signedHeader: { header, commit: { ...real.signedHeader.commit, blockHash: hash, signatures } },
    };
    const res = await submit(a, liar, [updateClientMsg(CLIENT_A, conflicting, liar.address)]);
    assert.equal(res.code, 0, res.rawLog);
    await waitUntil(
      "the client to be frozen",
      async () => {
        const data = Buffer.from(Uint8Array.of(0x0a, CLIENT_A.length, ...Buffer.from(CLIENT_A))).toString(
          "hex",
        );
        const r = await a.rpc<{ response: { value: string | null } }>(a.nodes[0]!, "abci_query", {
          path: "/ibc.core.client.v1.Query/ClientStatus",
          data,
        });
        return Buffer.from(r.response.value ?? "", "base64")
          .toString("latin1")
          .includes("Frozen");
      },
      20_000,
    );
    // A frozen client proves nothing more: an honest update is refused.
    const next = (await lightBlock(b)).height;
    const refused = await submit(a, liar, [
      updateClientMsg(CLIENT_A, await clientHeaderAt(b, next, h), liar.address),
    ]);
    assertRefused(refused, /IBC_CLIENT_FROZEN/);
  });
});
