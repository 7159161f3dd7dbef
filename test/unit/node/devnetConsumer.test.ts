import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { toBech32 } from "@cosmjs/encoding";
import {
  ccvChannelIds,
  ccvChannelRecords,
  consumerIdFromEvents,
  consumerKeyJson,
  devnetCreateConsumerMsg,
  revisionNumberOf,
  spawnTimeAfter,
  valoperAddress,
  writtenConsumerGenesis,
} from "../../../node/devnetConsumer.ts";
import {
  assignedKeyIndex,
  consumerChainIds,
  devnetRelayerPaths,
  prepareDevnet,
  readDevnetFile,
  refreshDevnetPorts,
  relayerConfigText,
  writeDevnetRelayerConfig,
} from "../../../node/devnetLayout.ts";
import { DEVNET_MODULE_PARAMS } from "../../../node/devnetStaking.ts";
import { Keyring, loadConfig, loadGenesis } from "../../../node/index.ts";
import { MsgCreateConsumerCodec } from "../../../provider/ccv/codec.ts";
import { parseRelayerConfig } from "../../../relayer/index.ts";

const IDS = {
  consumerClientId: "07-icsd-0",
  consumerChannelId: "channel-0",
  providerClientId: "07-icsd-1",
  providerChannelId: "channel-3",
  consumerTransferChannelId: "channel-1",
  providerTransferChannelId: "channel-4",
};

/** A consumer genesis as the provider's ConsumerGenesis query returns it (the parts the devnet reads). */
function consumerGenesis(): Record<string, unknown> {
  return {
    params: { enabled: true },
    provider: {
      client_state: { chain_id: "provider-1" },
      consensus_state: { height: "5" },
      initial_val_set: [{ pub_key: { ed25519: Buffer.alloc(32, 7).toString("base64") }, power: "10" }],
    },
    new_chain: true,
    provider_chain_id: "provider-1",
    ccv_channel: {
      consumer_client_id: "07-icsd-0",
      consumer_channel_id: "channel-0",
      provider_client_id: "07-icsd-1",
      provider_channel_id: "channel-3",
      consumer_transfer_channel_id: "channel-1",
      provider_transfer_channel_id: "channel-4",
    },
    launch_time: "1700000000000000000",
  };
}

describe("devnet consumers: pure parts", () => {
  it("names consumer chains consumer-1..N and assigns a key to the last validator", () => {
    assert.deepEqual(consumerChainIds(0), []);
    assert.deepEqual(consumerChainIds(3), ["consumer-1", "consumer-2", "consumer-3"]);
    assert.equal(assignedKeyIndex(4), 3);
    assert.equal(assignedKeyIndex(1), 0);
  });

  it("builds an opt-in MsgCreateConsumer with the spawn time that round-trips through the codec", () => {
    const spawn = spawnTimeAfter("2024-05-01T10:00:00.250Z", 6000);
    assert.equal(spawn, BigInt(Date.parse("2024-05-01T10:00:06.250Z")) * 1_000_000n);
    assert.throws(() => spawnTimeAfter("yesterday", 1), /not a time/);
    const msg = devnetCreateConsumerMsg("cosmos1owner", "consumer-2", spawn);
    assert.equal(msg.powerShapingParameters?.topN, 0);
    assert.equal(msg.initializationParameters?.initialHeight.revisionNumber, 2n);
    const back = MsgCreateConsumerCodec.decode(MsgCreateConsumerCodec.encode(msg));
    assert.equal(back.chainId, "consumer-2");
    assert.equal(back.submitter, "cosmos1owner");
    assert.equal(back.initializationParameters?.spawnTime, spawn);
    assert.equal(back.initializationParameters?.unbondingPeriod, 1_728_000n * 1_000_000_000n);
    assert.equal(back.initializationParameters?.signedBlocksWindow, 100n);
    assert.equal(back.powerShapingParameters?.topN ?? 0, 0);
  });

  it("reads revision numbers, consumer keys, valoper addresses and consumer ids", () => {
    assert.equal(revisionNumberOf("consumer-1"), 1n);
    assert.equal(revisionNumberOf("a-b-12"), 12n);
    assert.equal(revisionNumberOf("chain"), 0n);
    assert.equal(
      consumerKeyJson(new Uint8Array(32)),
      '{"@type":"/cosmos.crypto.ed25519.PubKey","key":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="}',
    );
    const zero = toBech32("cosmos", new Uint8Array(20));
    assert.equal(valoperAddress(zero), toBech32("cosmosvaloper", new Uint8Array(20)));
    const events = [
      { type: "message", attributes: [{ key: "action", value: "x" }] },
      { type: "create_consumer", attributes: [{ key: "consumer_id", value: "7" }] },
    ];
    assert.equal(consumerIdFromEvents(events), "7");
    assert.equal(consumerIdFromEvents([]), undefined);
  });

  it("reads the CCV channel ids of a consumer genesis, wrapped or not, naming a missing field", () => {
    assert.deepEqual(ccvChannelIds(consumerGenesis()), IDS);
    assert.deepEqual(ccvChannelIds({ genesis_state: consumerGenesis() }), IDS);
    const bad = consumerGenesis();
    (bad.ccv_channel as Record<string, unknown>).provider_channel_id = "";
    assert.throws(() => ccvChannelIds(bad), /ccv_channel\.provider_channel_id/);
  });

  it("records both ends of the CCV and transfer channels and derives the relayer's paths", () => {
    const recs = ccvChannelRecords("provider-1", "consumer-1", IDS);
    assert.deepEqual(
      recs.provider.map(
        (c) => `${c.port}/${c.channel}>${c.counterpartyPort}/${c.counterpartyChannel}@${c.clientId}`,
      ),
      ["provider/channel-3>consumer/channel-0@07-icsd-1", "transfer/channel-4>transfer/channel-1@07-icsd-1"],
    );
    assert.deepEqual(
      recs.consumer.map(
        (c) => `${c.port}/${c.channel}>${c.counterpartyPort}/${c.counterpartyChannel}@${c.clientId}`,
      ),
      ["consumer/channel-0>provider/channel-3@07-icsd-0", "transfer/channel-1>transfer/channel-4@07-icsd-0"],
    );
    const node = { name: "node0", home: "/h", rpc: "http://127.0.0.1:1", p2p: "", pid: 0, validator: true };
    const f = {
      chains: [
        { chainId: "provider-1", mode: "provider" as const, nodes: [node], channels: recs.provider },
        { chainId: "consumer-1", mode: "consumer" as const, nodes: [node], channels: recs.consumer },
        { chainId: "consumer-2", mode: "consumer" as const, nodes: [node] },
      ],
      accounts: [],
      relayers: [],
    };
    const paths = devnetRelayerPaths(f);
    assert.deepEqual(paths, [
      {
        a: { chain: "provider-1", clientId: "07-icsd-1", port: "provider", channel: "channel-3" },
        b: { chain: "consumer-1", clientId: "07-icsd-0", port: "consumer", channel: "channel-0" },
      },
      {
        a: { chain: "provider-1", clientId: "07-icsd-1", port: "transfer", channel: "channel-4" },
        b: { chain: "consumer-1", clientId: "07-icsd-0", port: "transfer", channel: "channel-1" },
      },
    ]);
    const text = relayerConfigText({
      chains: f.chains.map((c) => ({
        chainId: c.chainId,
        rpc: `http://127.0.0.1:${26657 + c.chainId.length}`,
      })),
      paths,
      mnemonicFile: "/dev/null",
      metricsPort: 9999,
    });
    const cfg = parseRelayerConfig(text, {
      readFile: () =>
        "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about",
    });
    // Only the chains a path names: the unlaunched consumer-2 is left out.
    assert.deepEqual(
      cfg.chains.map((c) => c.id),
      ["provider-1", "consumer-1"],
    );
    assert.deepEqual(
      cfg.paths.map((p) => [p.a.port, p.a.channel, p.b.port, p.b.channel]),
      [
        ["provider", "channel-3", "consumer", "channel-0"],
        ["transfer", "channel-4", "transfer", "channel-1"],
      ],
    );
  });

  it("sets small epochs and a permissive slash meter in the provider's devnet params", () => {
    const p = (DEVNET_MODULE_PARAMS.provider as { params: Record<string, string> }).params;
    assert.equal(p.blocks_per_epoch, "5");
    assert.equal(p.slash_meter_replenish_fraction, "1.0");
  });
});

describe("devnet layout with consumers", { timeout: 30_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), "icsd-devnet-consumers-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("creates consumer homes holding a placeholder genesis, a funded relayer key and a relayer record", async () => {
    const layout = await prepareDevnet({
      dir,
      validators: 2,
      chainId: "prov-1",
      timeoutCommitMs: 200,
      consumers: 2,
    });
    const f = layout.file;
    assert.deepEqual(
      f.chains.map((c) => [c.chainId, c.mode, c.nodes.length]),
      [
        ["prov-1", "provider", 2],
        ["consumer-1", "consumer", 2],
        ["consumer-2", "consumer", 2],
      ],
    );
    assert.deepEqual(
      f.accounts.map((a) => a.name),
      ["faucet", "alice", "bob", "carol", "relayer"],
    );
    const relayer = f.accounts.at(-1)!;
    assert.equal(
      new Keyring({ home: join(dir, "relayer"), backend: "test" }).list()[0]?.address,
      relayer.address,
    );
    const provGenesis = loadGenesis(join(f.chains[0]!.nodes[0]!.home, "config/genesis.json")).appState as {
      bank: { balances: { address: string }[] };
      provider: unknown;
    };
    assert.ok(
      provGenesis.bank.balances.some((b) => b.address === relayer.address),
      "relayer funded on the provider",
    );
    assert.deepEqual(provGenesis.provider, DEVNET_MODULE_PARAMS.provider);
    for (const c of f.chains.slice(1)) {
      assert.equal(c.consumerId, undefined);
      assert.deepEqual(
        c.nodes.map((n) => n.assignedKey === true),
        [false, true],
        "the last validator's consumer node uses an assigned key",
      );
      for (const n of c.nodes) {
        assert.equal(n.home, join(dir, c.chainId, n.name));
        assert.equal(writtenConsumerGenesis(n.home), undefined, "placeholder until launch");
        const g = loadGenesis(join(n.home, "config/genesis.json"));
        assert.equal(g.chainId, c.chainId);
        assert.deepEqual(
          [...loadConfig(join(n.home, "config/config.toml")).p2p.persistentPeers],
          c.nodes.filter((o) => o !== n).map((o) => o.p2p),
        );
      }
    }
    const ports = f.chains.flatMap((c) => c.nodes.flatMap((n) => [n.rpc, n.p2p.split("/")[4]]));
    assert.equal(new Set(ports).size, ports.length, "every node has its own ports");
    assert.equal(f.relayers.length, 1);
    assert.match(f.relayers[0]!.metrics, /^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    // Nothing to relay before a launch: no config.
    assert.equal(writeDevnetRelayerConfig(dir, f, f.relayers[0]!), false);
  });

  it("writes the relayer config once channels are recorded, and keeps consumers and channels on resume", async () => {
    const f = readDevnetFile(dir)!;
    const recs = ccvChannelRecords("prov-1", "consumer-1", IDS);
    f.chains[0]!.channels = recs.provider;
    f.chains[1]!.channels = recs.consumer;
    f.chains[1]!.consumerId = "0";
    assert.equal(writeDevnetRelayerConfig(dir, f, f.relayers[0]!), true);
    const cfg = parseRelayerConfig(readFileSync(f.relayers[0]!.config, "utf8"));
    assert.deepEqual(
      cfg.chains.map((c) => c.id),
      ["prov-1", "consumer-1"],
    );
    assert.equal(cfg.paths.length, 2);
    assert.equal(cfg.global.metricsListen?.port, Number(new URL(f.relayers[0]!.metrics).port));
    const { writeDevnetFile } = await import("../../../node/devnetLayout.ts");
    writeDevnetFile(dir, f);
    const resumed = await prepareDevnet({ dir, validators: 9, chainId: "x", timeoutCommitMs: 1 });
    assert.equal(resumed.resumed, true);
    assert.equal(resumed.file.chains[1]!.consumerId, "0");
    assert.deepEqual(resumed.file.chains[1]!.channels, recs.consumer);
    assert.deepEqual(resumed.file.chains[0]!.channels, recs.provider);
    assert.equal(resumed.file.chains[1]!.nodes[1]!.assignedKey, true);
    assert.ok(resumed.file.chains[0]!.nodes.every((n) => n.operator !== undefined));
    assert.ok(resumed.file.chains.every((c) => c.nodes.every((n) => n.pid === 0)));
  });

  it("re-picks a consumer node's port taken since the layout, and the chain's peers follow", async () => {
    const f = readDevnetFile(dir)!;
    const chain = f.chains[1]!;
    const taken = Number(new URL(chain.nodes[0]!.rpc).port);
    const oldP2p = chain.nodes[0]!.p2p;
    const server = createServer();
    await new Promise<void>((r) => server.listen(taken, "127.0.0.1", r));
    try {
      await refreshDevnetPorts(f, chain.chainId);
    } finally {
      await new Promise((r) => server.close(r));
    }
    const node0 = f.chains[1]!.nodes[0]!;
    assert.equal(f.chains[1], chain, "the record is updated in place");
    assert.notEqual(Number(new URL(node0.rpc).port), taken);
    assert.equal(node0.p2p, oldP2p, "a free port is kept");
    const cfg = loadConfig(join(node0.home, "config/config.toml"));
    assert.match(cfg.rpc.laddr, new RegExp(`:${new URL(node0.rpc).port}$`));
    assert.deepEqual(
      [...loadConfig(join(chain.nodes[1]!.home, "config/config.toml")).p2p.persistentPeers],
      [node0.p2p],
    );
    await assert.rejects(refreshDevnetPorts(f, "nope-1"), /no chain nope-1/);
  });

  it("runs fewer consumer nodes than validators and another epoch length when asked", async () => {
    const layout = await prepareDevnet({
      dir: join(dir, "small"),
      validators: 3,
      chainId: "prov-1",
      timeoutCommitMs: 200,
      consumers: 1,
      consumerNodes: 2,
      blocksPerEpoch: 12,
    });
    const [provider, consumer] = layout.file.chains;
    assert.equal(provider!.nodes.length, 3);
    assert.deepEqual(
      consumer!.nodes.map((n) => [n.name, n.assignedKey === true]),
      [
        ["node0", false],
        ["node1", true],
      ],
    );
    const app = loadGenesis(join(provider!.nodes[0]!.home, "config/genesis.json")).appState as {
      provider: { params: Record<string, string> };
    };
    assert.equal(app.provider.params.blocks_per_epoch, "12");
    assert.equal(app.provider.params.slash_meter_replenish_fraction, "1.0");
    for (const [o, msg] of [
      [{ consumerNodes: 4 }, /--consumer-nodes must be an integer from 1 to the number of validators \(3\)/],
      [{ consumerNodes: 0 }, /--consumer-nodes/],
      [{ blocksPerEpoch: 0 }, /--blocks-per-epoch must be an integer/],
    ] as const) {
      await assert.rejects(
        prepareDevnet({
          dir: join(dir, "bad"),
          validators: 3,
          chainId: "prov-1",
          timeoutCommitMs: 1,
          consumers: 1,
          ...o,
        }),
        msg,
      );
    }
  });

  it("refuses a provider chain id that is a consumer's", async () => {
    await assert.rejects(
      prepareDevnet({
        dir: join(dir, "x"),
        validators: 1,
        chainId: "consumer-1",
        timeoutCommitMs: 1,
        consumers: 1,
      }),
      /also a consumer's chain id/,
    );
  });
});
