/**
 * A provider chain of real `icsd start` processes, a consumer chain launched by it through
 * MsgCreateConsumer (each provider validator also runs a consumer node, with its provider key or an
 * assigned one), and a relayer process on the CCV and transfer channels: what the interchain-security
 * e2e tests stand on. Everything runs on 127.0.0.1 in temporary directories removed by `cleanup`.
 */
import { copyFileSync } from "node:fs";
import { join } from "node:path";
import { type EncodeObject, type GeneratedType, Registry } from "@cosmjs/proto-signing";
import { defaultRegistryTypes, GasPrice, SigningStargateClient } from "@cosmjs/stargate";
import { MsgUnjail } from "cosmjs-types/cosmos/slashing/v1beta1/tx";
import { loadConfig, saveConfig } from "../../node/config.ts";
import { homePaths } from "../../node/home.ts";
import { consumerGenesisDoc, loadValidatorKey, saveGenesis } from "../../node/index.ts";
import { loadNodeKey, nodeIdFromNodeKey } from "../../node/keys.ts";
import * as codec from "../../provider/ccv/codec.ts";
import { fundedAppState } from "../support/txSigner.ts";
import { freePort, icsd, type TestNode, Testnet } from "./harness.ts";
import {
  DENOM,
  GAS_PRICE,
  type PairChannel,
  RelayerProcess,
  type User,
  user,
  waitUntil,
} from "./ibcHarness.ts";
import { operatorAccount, valoperOf } from "./stakingGenesis.ts";

type Json = Record<string, unknown>;

/** A codec of provider/ccv/codec.ts as CosmJS's registry wants it. */
function generated(c: { encode(m: never): Uint8Array; decode(b: Uint8Array): unknown }): GeneratedType {
  return {
    encode: (m: unknown) => ({ finish: () => c.encode(m as never) }),
    decode: (b: Uint8Array) => c.decode(b),
    fromPartial: (m: unknown) => m,
  } as unknown as GeneratedType;
}

export const registry = new Registry([
  ...defaultRegistryTypes,
  ["/cosmos.slashing.v1beta1.MsgUnjail", MsgUnjail],
  [codec.MsgCreateConsumerCodec.typeUrl, generated(codec.MsgCreateConsumerCodec)],
  [codec.MsgUpdateConsumerCodec.typeUrl, generated(codec.MsgUpdateConsumerCodec)],
  [codec.MsgRemoveConsumerCodec.typeUrl, generated(codec.MsgRemoveConsumerCodec)],
  [codec.MsgAssignConsumerKeyCodec.typeUrl, generated(codec.MsgAssignConsumerKeyCodec)],
  [codec.MsgOptInCodec.typeUrl, generated(codec.MsgOptInCodec)],
  [codec.MsgOptOutCodec.typeUrl, generated(codec.MsgOptOutCodec)],
  [codec.MsgSetConsumerCommissionRateCodec.typeUrl, generated(codec.MsgSetConsumerCommissionRateCodec)],
  [codec.MsgSubmitConsumerDoubleVotingCodec.typeUrl, generated(codec.MsgSubmitConsumerDoubleVotingCodec)],
  [codec.MsgSubmitConsumerMisbehaviourCodec.typeUrl, generated(codec.MsgSubmitConsumerMisbehaviourCodec)],
]);

/** `{"@type":"/cosmos.crypto.ed25519.PubKey","key":"<b64>"}`: a consumer key as the reference's CLI takes it. */
export function consumerKeyJson(pubKey: Uint8Array): string {
  return JSON.stringify({
    "@type": "/cosmos.crypto.ed25519.PubKey",
    key: Buffer.from(pubKey).toString("base64"),
  });
}

/** A JSON query of a module (`/icsd.provider.v1.Query/<Name>`, `/icsd.consumer.v1.Query/<Name>`). */
export async function jsonQuery<T = Json>(
  net: Testnet,
  node: TestNode,
  path: string,
  req: Json = {},
): Promise<T> {
  const r = await net.rpc<{ response: { code: number; log: string; value?: string } }>(node, "abci_query", {
    path,
    data: Buffer.from(JSON.stringify(req)).toString("hex"),
  });
  if (r.response.code !== 0) throw new Error(`${path}: ${r.response.log}`);
  return JSON.parse(Buffer.from(r.response.value ?? "", "base64").toString("utf8")) as T;
}

export interface IcsNetOptions {
  /** Provider validators; each also runs a consumer node. */
  readonly validators: number;
  readonly providerChainId?: string;
  readonly consumerChainId?: string;
  /** app_state.provider.params overrides. */
  readonly providerParams?: Json;
  /** Funded with stake on both chains. */
  readonly funded: readonly string[];
  readonly timeoutCommitMs?: number;
  /** More provider genesis app_state modules (e.g. `slashing`), replacing the defaults' of that name. */
  readonly providerAppState?: Json;
}

/** Launch parameters of the consumer (MsgCreateConsumer's initialization and power shaping). */
export interface LaunchOptions {
  /** Which provider validators opt in (default all). */
  readonly optIn?: readonly number[];
  /** Validators whose consumer node uses its own (assigned) key instead of the provider key. */
  readonly assignedKeys?: readonly number[];
  readonly spawnDelayMs?: number;
  readonly initialization?: Json;
  readonly powerShaping?: Json;
  readonly infraction?: Json;
  /**
   * Overrides of the consumer genesis params the consumer nodes start with (e.g. `retry_delay_period`,
   * which MsgCreateConsumer does not carry); the provider's ConsumerGenesis is left as it is.
   */
  readonly consumerParams?: Json;
  /** The relayer's poll_interval_ms (default: RelayerProcess's). */
  readonly relayerPollMs?: number;
}

export class IcsNet {
  readonly provider: Testnet;
  readonly consumer: Testnet;
  readonly owner: User;
  readonly relayerUser: User;
  relayer: RelayerProcess | undefined;
  consumerId = "";
  consumerGenesis: Json = {};
  private readonly funded: readonly string[];

  private constructor(
    provider: Testnet,
    consumer: Testnet,
    owner: User,
    relayerUser: User,
    funded: readonly string[],
  ) {
    this.provider = provider;
    this.consumer = consumer;
    this.owner = owner;
    this.relayerUser = relayerUser;
    this.funded = funded;
  }

  /** Creates both chains' homes and starts the provider (the consumer starts after its launch). */
  static async create(o: IcsNetOptions): Promise<IcsNet> {
    const owner = await user("ics-owner");
    const relayerUser = await user("ics-relayer");
    const funded = [...new Set([owner.address, relayerUser.address, ...o.funded])];
    const appState = fundedAppState(funded, 10_000_000_000n);
    const provider = await Testnet.create({
      validators: o.validators,
      chainId: o.providerChainId ?? "provider-e2e",
      proxyApp: "icsd",
      minimumGasPrices: GAS_PRICE,
      staking: { selfBond: 100_000_000n },
      timeoutCommitMs: o.timeoutCommitMs ?? 200,
      appState: {
        ...appState,
        provider: { params: { blocks_per_epoch: "3", ...(o.providerParams ?? {}) } },
        ...(o.providerAppState ?? {}),
      },
    });
    const consumer = await Testnet.create({
      validators: o.validators,
      chainId: o.consumerChainId ?? "consumer-e2e",
      proxyApp: "icsd",
      minimumGasPrices: GAS_PRICE,
      timeoutCommitMs: o.timeoutCommitMs ?? 200,
    });
    const net = new IcsNet(provider, consumer, owner, relayerUser, funded);
    provider.startAll();
    await provider.waitForHeight(provider.nodes, 2, 60_000);
    return net;
  }

  get p0(): TestNode {
    return this.provider.nodes[0]!;
  }

  url(net: Testnet = this.provider, i = 0): string {
    return `http://127.0.0.1:${net.nodes[i]!.rpcPort}`;
  }

  /** Signs and broadcasts `msgs` with a wallet; throws on a non-zero code. */
  async tx(
    wallet: ConstructorParameters<typeof Object>[0],
    msgs: EncodeObject[],
    net: Testnet = this.provider,
  ): Promise<{
    code: number;
    rawLog?: string;
    events: readonly { type: string; attributes: readonly { key: string; value: string }[] }[];
  }> {
    const w = wallet as Parameters<typeof SigningStargateClient.connectWithSigner>[1];
    const client = await SigningStargateClient.connectWithSigner(this.url(net), w, {
      registry,
      gasPrice: GasPrice.fromString(GAS_PRICE),
      broadcastPollIntervalMs: 300,
      broadcastTimeoutMs: 30_000,
    });
    try {
      const [acc] = await w.getAccounts();
      const r = await client.signAndBroadcast(acc!.address, msgs, 2);
      if (r.code !== 0) throw new Error(`tx failed (${r.code}): ${r.rawLog}`);
      return r;
    } finally {
      client.disconnect();
    }
  }

  /** Validator i's operator wallet and valoper address. */
  async operator(i: number): Promise<{
    wallet: Parameters<typeof SigningStargateClient.connectWithSigner>[1];
    valoper: string;
    address: string;
  }> {
    const op = await operatorAccount(i);
    return { wallet: op.wallet, valoper: valoperOf(op.address), address: op.address };
  }

  /** The provider consensus key of validator i, and its consumer node's own key. */
  providerKey(i: number): Uint8Array {
    return loadValidatorKey(homePaths(this.provider.nodes[i]!.home).privValidatorKey).keyPair.publicKey;
  }

  consumerOwnKey(i: number): Uint8Array {
    return loadValidatorKey(homePaths(this.consumer.nodes[i]!.home).privValidatorKey).keyPair.publicKey;
  }

  async providerQuery<T = Json>(name: string, req: Json = {}): Promise<T> {
    return jsonQuery<T>(this.provider, this.p0, `/icsd.provider.v1.Query/${name}`, req);
  }

  async consumerQuery<T = Json>(name: string, req: Json = {}, i = 0): Promise<T> {
    return jsonQuery<T>(this.consumer, this.consumer.nodes[i]!, `/icsd.consumer.v1.Query/${name}`, req);
  }

  /**
   * MsgCreateConsumer (opt-in chain) with a spawn time a few seconds ahead, opt-ins (with the
   * consumer node's own key for `assignedKeys`), then waits for the launch, writes the consumer's
   * genesis into its homes and starts the consumer nodes and the relayer.
   */
  async launch(o: LaunchOptions = {}): Promise<void> {
    const status = await this.provider.rpc<{ sync_info: { latest_block_time: string } }>(this.p0, "status");
    const spawn = new Date(Date.parse(status.sync_info.latest_block_time) + (o.spawnDelayMs ?? 6000));
    const created = await this.tx(this.owner.wallet, [
      {
        typeUrl: codec.MsgCreateConsumerCodec.typeUrl,
        value: codec.createConsumerFromJson(this.owner.address, {
          chain_id: this.consumer.chainId,
          metadata: { name: "e2e consumer", description: "", metadata: "" },
          initialization_parameters: {
            spawn_time: spawn.toISOString(),
            unbonding_period: "1728000s",
            ccv_timeout_period: "2419200s",
            transfer_timeout_period: "3600s",
            consumer_redistribution_fraction: "0.75",
            blocks_per_distribution_transmission: "10",
            historical_entries: "100",
            signed_blocks_window: "10",
            min_signed_per_window: "0.5",
            downtime_jail_duration: "10s",
            ...(o.initialization ?? {}),
          },
          power_shaping_parameters: { top_N: 0, ...(o.powerShaping ?? {}) },
          // Downtime jails for 10 s (no slash) so tests can unjail; double signing keeps the defaults.
          infraction_parameters: o.infraction ?? {
            downtime: { slash_fraction: "0", jail_duration: "10s", tombstone: false },
          },
        }),
      },
    ]);
    this.consumerId = consumerIdOf(created.events);
    const optIn = o.optIn ?? this.provider.nodes.map((_, i) => i);
    for (const i of optIn) {
      const op = await this.operator(i);
      const key = o.assignedKeys?.includes(i) ? consumerKeyJson(this.consumerOwnKey(i)) : "";
      await this.tx(op.wallet, [
        {
          typeUrl: codec.MsgOptInCodec.typeUrl,
          value: {
            consumerId: this.consumerId,
            providerAddr: op.valoper,
            consumerKey: key,
            signer: op.address,
          },
        },
      ]);
    }
    await waitUntil(
      `consumer ${this.consumerId} to launch`,
      async () => {
        const c = await this.providerQuery<{ phase: string }>("ConsumerChain", {
          consumer_id: this.consumerId,
        });
        return c.phase === "CONSUMER_PHASE_LAUNCHED";
      },
      60_000,
      () => this.provider.logTails([this.p0]),
    );
    this.consumerGenesis = await this.providerQuery("ConsumerGenesis", { consumer_id: this.consumerId });
    const launchNs = BigInt(String(this.consumerGenesis.launch_time));
    const doc = consumerGenesisDoc({
      chainId: this.consumer.chainId,
      consumerGenesis: o.consumerParams
        ? {
            ...this.consumerGenesis,
            params: { ...(this.consumerGenesis.params as Json), ...o.consumerParams },
          }
        : this.consumerGenesis,
      genesisTime: launchNs + 1_000_000n,
      accounts: this.funded.map((address) => ({ address, coins: [{ denom: DENOM, amount: "10000000000" }] })),
    });
    for (let i = 0; i < this.consumer.nodes.length; i++) {
      const home = homePaths(this.consumer.nodes[i]!.home);
      saveGenesis(home.genesis, doc);
      if (!o.assignedKeys?.includes(i)) {
        copyFileSync(homePaths(this.provider.nodes[i]!.home).privValidatorKey, home.privValidatorKey);
      }
    }
    // The consumer's ports were picked when its homes were made, before the launch; by now an outgoing
    // connection may hold one of them, so pick them again just before the nodes start.
    await this.rebindConsumerPorts();
    this.consumer.startAll();
    await this.consumer.waitForHeight(this.consumer.nodes, 2, 60_000);
    const ch = this.consumerGenesis.ccv_channel as Json;
    const channels: PairChannel[] = [
      {
        port: "provider",
        portA: "provider",
        portB: "consumer",
        channelA: String(ch.provider_channel_id),
        channelB: String(ch.consumer_channel_id),
        clientA: String(ch.provider_client_id),
        clientB: String(ch.consumer_client_id),
        ordering: "ordered",
        version: "1",
      },
      {
        port: "transfer",
        channelA: String(ch.provider_transfer_channel_id),
        channelB: String(ch.consumer_transfer_channel_id),
        clientA: String(ch.provider_client_id),
        clientB: String(ch.consumer_client_id),
        ordering: "unordered",
      },
    ];
    this.relayer = await RelayerProcess.create(this.provider, this.consumer, channels, this.relayerUser, {
      pollMs: o.relayerPollMs,
    });
    this.relayer.start();
  }

  /**
   * One more consumer node (not started), signing with a copy of consumer node `keyOf`'s validator key
   * and a fresh sign state: the same operator running two nodes with one key, a double signer. Its home
   * takes consumer node 0's genesis and config, peered with every consumer node; it joins
   * `consumer.nodes`, so `cleanup` stops it.
   */
  async addConsumerNode(keyOf: number): Promise<TestNode> {
    const name = `node${this.consumer.nodes.length}`;
    const home = join(this.consumer.dir, name);
    icsd(["init", name, "--chain-id", this.consumer.chainId, "--home", home]);
    const paths = homePaths(home);
    const from = homePaths(this.consumer.nodes[0]!.home);
    copyFileSync(from.genesis, paths.genesis);
    copyFileSync(homePaths(this.consumer.nodes[keyOf]!.home).privValidatorKey, paths.privValidatorKey);
    const node: TestNode = {
      name,
      home,
      rpcPort: await freePort(),
      p2pPort: await freePort(),
      peerId: nodeIdFromNodeKey(loadNodeKey(paths.nodeKey)),
      validator: true,
      proc: undefined,
    };
    const base = loadConfig(from.configToml);
    const own = loadConfig(paths.configToml);
    saveConfig(paths.configToml, {
      ...base,
      moniker: own.moniker,
      p2p: {
        ...base.p2p,
        laddr: `/ip4/127.0.0.1/tcp/${node.p2pPort}`,
        persistentPeers: this.consumer.nodes.map((o) => `/ip4/127.0.0.1/tcp/${o.p2pPort}/p2p/${o.peerId}`),
      },
      rpc: { ...base.rpc, laddr: `tcp://127.0.0.1:${node.rpcPort}` },
    });
    copyFileSync(from.appToml, paths.appToml);
    this.consumer.nodes.push(node);
    return node;
  }

  /** Fresh RPC and p2p ports for every consumer node, written to their configs (peers included). */
  private async rebindConsumerPorts(): Promise<void> {
    for (const n of this.consumer.nodes) {
      const m = n as { rpcPort: number; p2pPort: number };
      m.rpcPort = await freePort();
      m.p2pPort = await freePort();
    }
    for (const n of this.consumer.nodes) {
      const file = homePaths(n.home).configToml;
      const cfg = loadConfig(file);
      saveConfig(file, {
        ...cfg,
        p2p: {
          ...cfg.p2p,
          laddr: `/ip4/127.0.0.1/tcp/${n.p2pPort}`,
          persistentPeers: this.consumer.nodes
            .filter((o) => o !== n)
            .map((o) => `/ip4/127.0.0.1/tcp/${o.p2pPort}/p2p/${o.peerId}`),
        },
        rpc: { ...cfg.rpc, laddr: `tcp://127.0.0.1:${n.rpcPort}` },
      });
    }
  }

  /** The consumer's validator set as its consensus sees it: hex address → power. */
  async consumerValidators(i = 0): Promise<Map<string, bigint>> {
    const r = await this.consumer.rpc<{ validators: { address: string; voting_power: string }[] }>(
      this.consumer.nodes[i]!,
      "validators",
      { per_page: "100" },
    );
    return new Map(r.validators.map((v) => [v.address.toUpperCase(), BigInt(v.voting_power)]));
  }

  async cleanup(): Promise<void> {
    await this.relayer?.cleanup();
    await this.consumer.cleanup();
    await this.provider.cleanup();
  }

  /** Log tails of every process, for failure messages. */
  async describe(): Promise<string> {
    return [
      this.provider.logTails(this.provider.nodes, 10),
      this.consumer.logTails(this.consumer.nodes, 10),
      `--- relayer ---\n${this.relayer?.logTail(15) ?? ""}`,
    ].join("\n");
  }
}

/** The consumer id from MsgCreateConsumer's events (`create_consumer.consumer_id`). */
export function consumerIdOf(
  events: readonly { type: string; attributes: readonly { key: string; value: string }[] }[],
): string {
  for (const e of events) {
    for (const a of e.attributes) if (a.key === "consumer_id") return a.value;
  }
  throw new Error("no consumer_id in the transaction's events");
}
