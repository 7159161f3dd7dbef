/**
 * A consumer chain (SdkApp with consumerModules over an in-memory tree) driven block by block, its
 * genesis built like the provider's ConsumerGenesis query returns it, and a test hook module that runs
 * actions inside a block after the consumer's BeginBlock (where transactions run), so packets can be
 * handed to the consumer's IbcApp directly (the proofs are covered by the relay test).
 */
import assert from "node:assert/strict";
import type { Any } from "cosmjs-types/google/protobuf/any";
import {
  type AppModule,
  type AppStore,
  addressBytes,
  bech32Address,
  type ModuleContext,
  moduleAddress,
} from "../../../app/index.ts";
import type { CommitInfo, FinalizeBlockResponse, TxResult } from "../../../consensus/index.ts";
import { buildConsumer, type ConsumerKeeper } from "../../../consumer/index.ts";
import { encodeVscPacket } from "../../../ibc/ccv/wire.ts";
import { encodeClientHeader, type Packet } from "../../../ibc/index.ts";
import { validatorSetHash } from "../../../proto/index.ts";
import { fromUtf8, toBase64, toHexUpper, utf8 } from "../../../utils/index.ts";
import { clientHeader, makeSet, setOf, signedHeader, type TestValidator } from "../ibc/client/helpers.ts";
import { ModuleTestChain, signTx, type TestAccount, testAccount } from "../provider/helpers.ts";

export const SECOND = 1_000_000_000n;
export const GENESIS_TIME = 1_700_000_000n * SECOND;
export const T = { timeout: 60_000 };
export const PROVIDER_CHAIN_ID = "provider-1";
export const PROVIDER_CHANNEL = "channel-1";
export const PROVIDER_TRANSFER_CHANNEL = "channel-2";
export const CONSUMER_CHANNEL = "channel-0";
export const CONSUMER_TRANSFER_CHANNEL = "channel-1";
/** The provider's consumer_rewards_pool module account (its prefix is the provider's). */
export const PROVIDER_FEE_POOL = bech32Address(moduleAddress("consumer_rewards_pool"), "provider");

/** The provider's validators (they sign its light-client headers). */
export const providerVals = (): TestValidator[] => makeSet([1, 2, 3]);
/** The consumer's validators (its initial_val_set; they also sign its headers). */
export const consumerVals = (): TestValidator[] => makeSet([11, 12, 13, 14]);

/** app_state.ccvconsumer as the provider's ConsumerGenesis query returns it. */
export function consumerGenesis(
  params: Record<string, unknown> = {},
  vals: readonly TestValidator[] = consumerVals(),
): Record<string, unknown> {
  const pv = providerVals();
  return {
    params: {
      enabled: true,
      consumer_id: "0",
      blocks_per_distribution_transmission: "1000",
      distribution_transmission_channel: CONSUMER_TRANSFER_CHANNEL,
      provider_fee_pool_addr_str: PROVIDER_FEE_POOL,
      ccv_timeout_period: "2419200s",
      transfer_timeout_period: "3600s",
      consumer_redistribution_fraction: "0.75",
      historical_entries: "10000",
      unbonding_period: "1728000s",
      reward_denoms: [],
      provider_reward_denoms: [],
      retry_delay_period: "3600s",
      signed_blocks_window: "100",
      min_signed_per_window: "0.5",
      downtime_jail_duration: "600s",
      ...params,
    },
    provider: {
      client_state: {
        chain_id: PROVIDER_CHAIN_ID,
        trust_level: { numerator: "1", denominator: "3" },
        trusting_period: String(10_000n * SECOND),
        unbonding_period: String(20_000n * SECOND),
        max_clock_drift: String(1_000n * SECOND),
        latest_height: "0",
        frozen_height: "0",
      },
      consensus_state: {
        height: "0",
        timestamp: String(GENESIS_TIME - 1n),
        root: "",
        next_validators_hash: toHexUpper(validatorSetHash(setOf(pv))),
      },
      initial_val_set: vals.map((v) => ({
        pub_key: { ed25519: toBase64(v.validator.pubKey) },
        power: v.validator.votingPower.toString(),
      })),
    },
    new_chain: true,
    provider_chain_id: PROVIDER_CHAIN_ID,
    ccv_channel: {
      consumer_client_id: "07-icsd-0",
      consumer_channel_id: CONSUMER_CHANNEL,
      provider_client_id: "07-icsd-1",
      provider_channel_id: PROVIDER_CHANNEL,
      consumer_transfer_channel_id: CONSUMER_TRANSFER_CHANNEL,
      provider_transfer_channel_id: PROVIDER_TRANSFER_CHANNEL,
    },
    launch_time: String(GENESIS_TIME - 10n * SECOND),
  };
}

/** Genesis accounts and "stake" balances. */
export function fundedState(accounts: readonly TestAccount[], amount = 1_000_000n): Record<string, unknown> {
  return {
    auth: {
      accounts: accounts.map((a, i) => ({
        "@type": "/cosmos.auth.v1beta1.BaseAccount",
        address: a.address,
        account_number: String(i),
        sequence: "0",
      })),
    },
    bank: {
      balances: accounts.map((a) => ({
        address: a.address,
        coins: [{ denom: "stake", amount: String(amount) }],
      })),
    },
  };
}

type Action = (ctx: ModuleContext) => Promise<void>;

/** A consumer chain under test: the app, its keepers, a hook for in-block actions, history for headers. */
export class ConsumerTestChain {
  readonly name: string;
  readonly chain: ModuleTestChain;
  readonly keeper: ConsumerKeeper;
  readonly vals: readonly TestValidator[];
  readonly appHashes: Uint8Array[] = [];
  trustedHeight = 0n;
  private readonly actions: Action[];
  /** Acknowledgements the consumer wrote for packets handed to it by `deliver`. */
  readonly acks: Uint8Array[] = [];

  private constructor(
    name: string,
    chain: ModuleTestChain,
    keeper: ConsumerKeeper,
    vals: readonly TestValidator[],
    actions: Action[],
  ) {
    this.actions = actions;
    this.name = name;
    this.chain = chain;
    this.keeper = keeper;
    this.vals = vals;
  }

  static async create(
    o: { genesis?: Record<string, unknown> | null; accounts?: readonly TestAccount[]; name?: string } = {},
  ): Promise<ConsumerTestChain> {
    let keeper: ConsumerKeeper | undefined;
    const actions: Action[] = [];
    const hook: AppModule = {
      name: "test_hook",
      async beginBlock(ctx) {
        for (const a of actions.splice(0)) await a(ctx);
      },
    };
    const chain = await ModuleTestChain.create(
      (base) => {
        const b = buildConsumer(base);
        keeper = b.consumer;
        return [...b.modules, hook];
      },
      {
        ...fundedState(o.accounts ?? []),
        ccvconsumer: o.genesis === undefined ? consumerGenesis() : o.genesis,
      },
      { genesisTime: GENESIS_TIME },
    );
    const c = new ConsumerTestChain(o.name ?? "consumer-1", chain, keeper!, consumerVals(), actions);
    c.appHashes.push(await chain.tree.workingHash());
    return c;
  }

  get height(): bigint {
    return BigInt(this.chain.height);
  }

  /** Runs `f` inside the next block (after BeginBlock, before EndBlock). */
  during(f: Action): void {
    this.actions.push(f);
  }

  /** Commits a block. */
  async block(
    o: { txs?: Uint8Array[]; lastCommit?: CommitInfo; time?: bigint } = {},
  ): Promise<FinalizeBlockResponse> {
    const res = await this.chain.block({ txs: o.txs ?? [], lastCommit: o.lastCommit, time: o.time });
    this.appHashes.push(res.appHash);
    return res;
  }

  /** Hands a VSC packet to the consumer's IbcApp in the next block; returns that block's result. */
  async deliver(packet: Packet, o: { lastCommit?: CommitInfo } = {}): Promise<FinalizeBlockResponse> {
    this.during(async (ctx) => {
      this.acks.push(await this.keeper.ibcApp(ctx).onRecvPacket(packet));
    });
    return this.block(o);
  }

  /** Hands an acknowledgement of a packet the consumer sent to its IbcApp in the next block. */
  async ack(packet: Packet, ack: Uint8Array): Promise<FinalizeBlockResponse> {
    this.during(async (ctx) => this.keeper.ibcApp(ctx).onAcknowledgementPacket(packet, ack));
    return this.block();
  }

  async tx(from: TestAccount, msgs: { typeUrl: string; value: unknown }[]): Promise<TxResult> {
    const account = await this.keeper.ibc.auth.getAccount(this.store(), addressBytes(from.address, "cosmos"));
    const tx = await signTx(from, msgs, { sequence: account?.sequence ?? 0n, fee: [], gas: 50_000_000n });
    const [r] = (await this.block({ txs: [tx] })).txResults;
    return r!;
  }

  async ok(from: TestAccount, msgs: { typeUrl: string; value: unknown }[]): Promise<TxResult> {
    const r = await this.tx(from, msgs);
    assert.equal(r.code, 0, `tx failed: ${r.codespace} ${r.code} ${r.log}`);
    return r;
  }

  header(height: bigint, trustedHeight: bigint): Any {
    const sh = signedHeader({
      chainId: this.name,
      height: Number(height),
      time: GENESIS_TIME + height * SECOND,
      vals: this.vals,
      appHash: this.appHashes[Number(height) - 1]!,
    });
    return {
      typeUrl: "/icsd.lightclient.v1.Header",
      value: encodeClientHeader(clientHeader(sh, this.vals, trustedHeight, this.vals)),
    };
  }

  async prove(
    key: Uint8Array,
    height: bigint = this.height,
  ): Promise<{ proof: Uint8Array; value: Uint8Array }> {
    const res = await this.chain.app.query({
      path: "/store/ibc/key",
      data: key,
      height: Number(height),
      prove: true,
    });
    assert.equal(res.code, 0, res.log);
    return { proof: res.proof!, value: res.value };
  }

  /** A consumer query (JSON in, JSON out) at the latest height. */
  async query(name: string, req: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    const res = await this.chain.query(`/icsd.consumer.v1.Query/${name}`, utf8(JSON.stringify(req)));
    assert.equal(res.code, 0, `${name}: ${res.log}`);
    return JSON.parse(fromUtf8(res.value)) as Record<string, unknown>;
  }

  /** The committed state (reads only). */
  store(): AppStore {
    const tree = this.chain.tree;
    return {
      get: (k) => tree.get(k),
      set: () => {
        throw new Error("read-only");
      },
      delete: () => {
        throw new Error("read-only");
      },
      iterate: (r) => tree.iterate(r),
    };
  }
}

let nextSeq = 1n;
/** A VSC packet from the provider on the CCV channel (sequence auto-incremented unless given). */
export function vscPacket(
  vscId: bigint,
  updates: readonly { pubKey: Uint8Array; power: bigint }[],
  slashAcks: readonly string[] = [],
  o: { sequence?: bigint; destChannel?: string } = {},
): Packet {
  return {
    sequence: o.sequence ?? nextSeq++,
    sourcePort: "provider",
    sourceChannel: PROVIDER_CHANNEL,
    destPort: "consumer",
    destChannel: o.destChannel ?? CONSUMER_CHANNEL,
    data: encodeVscPacket({ validatorUpdates: updates, valsetUpdateId: vscId, slashAcks }),
    timeoutHeight: 0n,
    timeoutTimestamp: GENESIS_TIME + 1_000_000n * SECOND,
  };
}

/** Last-commit votes: every validator of `vals` signed except those in `absent`. */
export function commit(vals: readonly TestValidator[], absent: readonly TestValidator[] = []): CommitInfo {
  return {
    round: 0,
    votes: vals.map((v) => ({
      address: v.validator.address,
      power: v.validator.votingPower,
      signed: !absent.includes(v),
    })),
  };
}

export { type TestAccount, testAccount };

/** The attributes of every event of `type`, as plain records. */
export function eventsOf(
  events: readonly { type: string; attributes: readonly { key: string; value: string }[] }[],
  type: string,
) {
  return events
    .filter((e) => e.type === type)
    .map((e) => Object.fromEntries(e.attributes.map((a) => [a.key, a.value])) as Record<string, string>);
}

/** The packets of a block's send_packet events, as a relayer reads them. */
export function sentPackets(events: Parameters<typeof eventsOf>[0]): Packet[] {
  return eventsOf(events, "send_packet").map((e) => ({
    sequence: BigInt(e.packet_sequence!),
    sourcePort: e.packet_src_port!,
    sourceChannel: e.packet_src_channel!,
    destPort: e.packet_dst_port!,
    destChannel: e.packet_dst_channel!,
    data: Buffer.from(e.packet_data_hex!, "hex"),
    timeoutHeight: BigInt(e.packet_timeout_height!.split("-")[1]!),
    timeoutTimestamp: BigInt(e.packet_timeout_timestamp!),
  }));
}
