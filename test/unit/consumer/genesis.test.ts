import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CONSUMER_KEY_PREFIXES, parseConsumerGenesis } from "../../../consumer/index.ts";
import { ChannelOrder, ChannelState, getChannel, getClientState } from "../../../ibc/index.ts";
import { fromUtf8 } from "../../../utils/index.ts";
import { ConsumerTestChain, consumerGenesis, consumerVals, PROVIDER_CHAIN_ID, T } from "./helpers.ts";

function withField(path: string[], value: unknown): Record<string, unknown> {
  const g = consumerGenesis();
  let o = g as Record<string, unknown>;
  for (const k of path.slice(0, -1)) o = o[k] as Record<string, unknown>;
  if (value === undefined) delete o[path.at(-1)!];
  else o[path.at(-1)!] = value;
  return g;
}

describe("consumer genesis", () => {
  it("parses the contract's genesis JSON", () => {
    const g = parseConsumerGenesis(consumerGenesis());
    assert.equal(g.providerChainId, PROVIDER_CHAIN_ID);
    assert.equal(g.initialValSet.length, 4);
    assert.equal(g.params.blocksPerDistributionTransmission, 1000n);
    assert.equal(g.params.ccvTimeoutPeriod, 2_419_200n * 1_000_000_000n);
    assert.equal(g.params.signedBlocksWindow, 100n);
    assert.equal(g.providerChannelId, "channel-1");
    assert.equal(g.providerTransferChannelId, "channel-2");
  });

  const cases: [string[], unknown, RegExp][] = [
    [
      ["params", "ccv_timeout_period"],
      "4 weeks",
      /app_state\.ccvconsumer\.params\.ccv_timeout_period: "4 weeks" is not a duration/,
    ],
    [
      ["params", "consumer_redistribution_fraction"],
      "1.5",
      /params\.consumer_redistribution_fraction: must be between 0 and 1/,
    ],
    [["params", "signed_blocks_window"], "0", /params\.signed_blocks_window: must be positive/],
    [["params", "blocks_per_distribution_transmission"], -1, /params\.blocks_per_distribution_transmission/],
    [["params", "enabled"], false, /params\.enabled: must be true/],
    [["provider"], undefined, /app_state\.ccvconsumer\.provider: must be an object/],
    [["provider", "initial_val_set"], [], /provider\.initial_val_set: must be a non-empty list/],
    [
      ["provider", "client_state", "chain_id"],
      7,
      /provider\.client_state\.chain_id: must be a non-empty string/,
    ],
    [
      ["provider", "consensus_state", "next_validators_hash"],
      "zz",
      /provider\.consensus_state\.next_validators_hash/,
    ],
    [["provider", "consensus_state", "height"], "5", /provider\.consensus_state\.height: is 5 but/],
    [
      ["ccv_channel", "provider_channel_id"],
      undefined,
      /ccv_channel\.provider_channel_id: must be a non-empty string/,
    ],
    [
      ["ccv_channel", "consumer_client_id"],
      "07-icsd-3",
      /ccv_channel\.consumer_client_id: must be 07-icsd-0/,
    ],
    [["new_chain"], false, /new_chain: must be true/],
    [
      ["provider_chain_id"],
      "other-1",
      /provider_chain_id: is other-1 but the provider client's chain id is provider-1/,
    ],
  ];
  for (const [path, value, re] of cases) {
    it(`refuses a bad ${path.join(".")} with GENESIS_INVALID naming it`, () => {
      assert.throws(
        () => parseConsumerGenesis(withField(path, value)),
        (e: Error & { code?: string }) => e.code === "GENESIS_INVALID" && re.test(e.message),
      );
    });
  }

  it("refuses a validator key that is not 32 bytes, or listed twice", () => {
    const g = consumerGenesis();
    const set = (g.provider as { initial_val_set: Record<string, unknown>[] }).initial_val_set;
    set[1] = { pub_key: { ed25519: "AAAA" }, power: "1" };
    assert.throws(
      () => parseConsumerGenesis(g),
      /provider\.initial_val_set\[1\]\.pub_key\.ed25519: must be 32 bytes/,
    );
    set[1] = set[0]!;
    assert.throws(() => parseConsumerGenesis(g), /provider\.initial_val_set\[1\]\.pub_key: is listed twice/);
  });

  it(
    "creates the provider client, both channel ends, next client 1, and starts with initial_val_set",
    T,
    async () => {
      const c = await ConsumerTestChain.create();
      const store = c.store();
      const cs = await getClientState(store, "07-icsd-0");
      assert.equal(cs?.chainId, PROVIDER_CHAIN_ID);
      const ccv = await getChannel(store, "consumer", "channel-0");
      assert.deepEqual(
        { ...ccv },
        {
          state: ChannelState.open,
          ordering: ChannelOrder.ordered,
          portId: "consumer",
          channelId: "channel-0",
          counterpartyPortId: "provider",
          counterpartyChannelId: "channel-1",
          clientId: "07-icsd-0",
          version: "1",
        },
      );
      const tr = await getChannel(store, "transfer", "channel-1");
      assert.equal(tr?.ordering, ChannelOrder.unordered);
      assert.equal(tr?.version, "ics20-1");
      assert.equal(tr?.counterpartyChannelId, "channel-2");
      assert.equal(await c.keeper.ibc.nextClientSequence(store), 1n);

      const expected = consumerVals().map((v) => v.validator.pubKey);
      assert.deepEqual(
        c.chain.genesisValidators.map((v) => v.pubKey).sort(Buffer.compare),
        expected.sort(Buffer.compare),
      );
      assert.ok(c.chain.genesisValidators.every((v) => v.power === 10n));
      await c.block();
      const info = await c.query("ProviderInfo");
      assert.deepEqual(info, {
        provider_chain_id: PROVIDER_CHAIN_ID,
        consumer_chain_id: "unit-1",
        client_id: "07-icsd-0",
        channel_id: "channel-0",
        provider_client_id: "07-icsd-1",
        provider_channel_id: "channel-1",
        transfer_channel_id: "channel-1",
        provider_transfer_channel_id: "channel-2",
        established: false,
        channel_closed: false,
      });
      const params = (await c.query("Params")).params as Record<string, unknown>;
      assert.equal(params.consumer_redistribution_fraction, "0.750000000000000000");
      assert.equal(params.retry_delay_period, "3600s");
      const vals = (await c.query("Validators")).validators as unknown[];
      assert.equal(vals.length, 4);
    },
  );

  it("refuses a chain with no app_state.ccvconsumer", T, async () => {
    await assert.rejects(ConsumerTestChain.create({ genesis: null }), /ccvconsumer/);
  });

  it("uses unique key prefixes, none a prefix of another", () => {
    const keys = CONSUMER_KEY_PREFIXES.map((k) => fromUtf8(k));
    for (const a of keys)
      for (const b of keys) if (a !== b) assert.ok(!b.startsWith(a), `${a} is a prefix of ${b}`);
  });
});
