/**
 * The consumer against a stand-in provider over real light clients and proofs: a VSC packet relayed
 * from the provider's CCV channel end establishes CCV and changes the consumer's set; a downtime slash
 * packet goes back, the provider acknowledges it, and the consumer's queue empties. Then a restart: a
 * fresh app over the same database resumes with everything in state.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type AppModule, type IbcKeeper, SdkApp } from "../../../app/index.ts";
import { createWriteBatch } from "../../../consensus/index.ts";
import { buildConsumer } from "../../../consumer/index.ts";
import {
  decodeCcvAck,
  encodeVscPacket,
  resultAck,
  SLASH_PACKET_HANDLED,
  V1_RESULT,
} from "../../../ibc/ccv/wire.ts";
import type { IbcApp, Packet } from "../../../ibc/index.ts";
import { validatorSetHash } from "../../../proto/index.ts";
import { createLogger, toHexUpper, utf8 } from "../../../utils/index.ts";
import { acksOf, IbcTestChain, relayAck, relayRecv } from "../app/ibc/twoChains.ts";
import { setOf, testValidator } from "../ibc/client/helpers.ts";
import { CHAIN_ID } from "../provider/helpers.ts";
import {
  ConsumerTestChain,
  commit,
  consumerGenesis,
  consumerVals,
  GENESIS_TIME,
  PROVIDER_CHAIN_ID,
  providerVals,
  SECOND,
  sentPackets,
  T,
  testAccount,
} from "./helpers.ts";

const CONSUMER_CHAIN = "consumer-1";
const TIMEOUT = GENESIS_TIME + 1_000_000n * SECOND;

// The relay helpers update client "07-icsd-0" on both sides, so the stand-in names its client so.
function providerIbcGenesis(): Record<string, unknown> {
  return {
    clients: [
      {
        client_id: "07-icsd-0",
        client_state: {
          chain_id: CONSUMER_CHAIN,
          trust_level: { numerator: "1", denominator: "3" },
          trusting_period: String(10_000n * SECOND),
          unbonding_period: String(20_000n * SECOND),
          max_clock_drift: String(1_000n * SECOND),
          latest_height: "0",
        },
        consensus_state: {
          height: "0",
          timestamp: String(GENESIS_TIME - 1n),
          root: "",
          next_validators_hash: toHexUpper(validatorSetHash(setOf(consumerVals()))),
        },
      },
    ],
    channels: [
      {
        port_id: "provider",
        channel_id: "channel-1",
        counterparty_port_id: "consumer",
        counterparty_channel_id: "channel-0",
        client_id: "07-icsd-0",
        ordering: "ordered",
        version: "1",
      },
      {
        port_id: "transfer",
        channel_id: "channel-2",
        counterparty_port_id: "transfer",
        counterparty_channel_id: "channel-1",
        client_id: "07-icsd-0",
        ordering: "unordered",
        version: "ics20-1",
      },
    ],
  };
}

/** The stand-in provider: acks every slash packet as handled, sends queued VSC packets in EndBlock. */
function standInProvider() {
  const received: Packet[] = [];
  const outbox: Uint8Array[] = [];
  const app: IbcApp = {
    onRecvPacket: async (p) => {
      received.push(p);
      return resultAck(SLASH_PACKET_HANDLED);
    },
    onAcknowledgementPacket: async () => {},
    onTimeoutPacket: async () => {},
    onChanClose: async () => {},
  };
  const sender = (k: IbcKeeper): AppModule => ({
    name: "vsc_sender",
    async endBlock(ctx) {
      for (const data of outbox.splice(0)) {
        await k.sendPacket(ctx, {
          port: "provider",
          channel: "channel-1",
          data,
          timeoutHeight: 0n,
          timeoutTimestamp: TIMEOUT,
        });
      }
      return undefined;
    },
  });
  return { app, sender, received, outbox };
}

describe("consumer: relayed CCV packets with proofs", () => {
  it(
    "establishes CCV from a relayed VSC packet and gets its slash packet handled; resumes after a restart",
    T,
    async () => {
      const relayer = await testAccount(3, 0n);
      const stand = standInProvider();
      const provider = await IbcTestChain.create(
        PROVIDER_CHAIN_ID,
        providerVals(),
        providerIbcGenesis(),
        [relayer],
        { provider: () => stand.app },
        (k) => [stand.sender(k)],
      );
      const consumer = await ConsumerTestChain.create({
        genesis: consumerGenesis({ signed_blocks_window: "10" }),
        accounts: [relayer],
        name: CONSUMER_CHAIN,
      });
      const asIbc = consumer as unknown as IbcTestChain;
      await provider.block();
      await consumer.block();

      // VSC 1 adds validator 21 with power 7.
      const v21 = testValidator(21);
      const data = encodeVscPacket({
        validatorUpdates: [{ pubKey: v21.validator.pubKey, power: 7n }],
        valsetUpdateId: 1n,
        slashAcks: [],
      });
      stand.outbox.push(data);
      await provider.block();
      const vsc: Packet = {
        sequence: 1n,
        sourcePort: "provider",
        sourceChannel: "channel-1",
        destPort: "consumer",
        destChannel: "channel-0",
        data,
        timeoutHeight: 0n,
        timeoutTimestamp: TIMEOUT,
      };
      const recv = await relayRecv(provider, asIbc, vsc, relayer);
      assert.equal(recv.code, 0, recv.log);
      const [ack] = acksOf(recv);
      assert.deepEqual(decodeCcvAck(ack!), { kind: "result", result: V1_RESULT });
      assert.equal((await consumer.query("ProviderInfo")).established, true);
      const vals = (await consumer.query("Validators")).validators as { address: string; power: string }[];
      assert.ok(vals.some((v) => v.address === toHexUpper(v21.validator.address) && v.power === "7"));

      // A validator misses blocks until a slash packet goes out.
      const cv = consumerVals();
      let slash: Packet | undefined;
      for (let i = 0; i < 20 && slash === undefined; i++) {
        slash = sentPackets((await consumer.block({ lastCommit: commit(cv, [cv[0]!]) })).events)[0];
      }
      assert.ok(slash, "a slash packet was sent");
      const onProvider = await relayRecv(asIbc, provider, slash, relayer);
      assert.equal(onProvider.code, 0, onProvider.log);
      assert.equal(stand.received.length, 1);
      const [slashAck] = acksOf(onProvider);
      const acked = await relayAck(asIbc, provider, slash, slashAck!, relayer);
      assert.equal(acked.code, 0, acked.log);
      assert.deepEqual((await consumer.query("PendingPackets")).packets, []);
      assert.deepEqual((await consumer.query("SlashRecord")).slash_record, null);
      const outstanding = await consumer.keeper.outstandingDowntime(
        consumer.store(),
        cv[0]!.validator.address,
      );
      assert.equal(outstanding, true, "cleared only by the provider's slash ack in a later VSC");

      // Restart: a new app over the same database answers the same and runs on.
      const before = await consumer.query("ProviderInfo");
      const tree = consumer.chain.tree;
      const restarted = new SdkApp(
        tree,
        { chainId: CHAIN_ID, bech32Prefix: "cosmos", minimumGasPrices: "" },
        {
          logger: createLogger({ level: "silent", name: "test" }),
          appModules: (base) => buildConsumer(base).modules,
        },
      );
      const q = await restarted.query({
        path: "/icsd.consumer.v1.Query/ProviderInfo",
        data: utf8("{}"),
        height: 0,
        prove: false,
      });
      assert.deepEqual(JSON.parse(new TextDecoder().decode(q.value)), before);
      const h = consumer.chain.height + 1;
      const res = await restarted.finalizeBlock({
        block: {
          header: {
            chainId: CHAIN_ID,
            height: h,
            time: consumer.chain.time + SECOND,
            proposerAddress: new Uint8Array(20),
          },
          txs: [],
          evidence: [],
        } as never,
        hash: new Uint8Array(32),
        decidedLastCommit: commit(cv),
        misbehavior: [],
        evidence: [],
      });
      assert.equal(res.txResults.length, 0);
      await restarted.commit(createWriteBatch());
      assert.equal(await restarted.checkInvariants().then((b) => b.length), 0);
    },
  );
});
