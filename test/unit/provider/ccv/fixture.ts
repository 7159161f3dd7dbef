/**
 * A provider chain for the provider module's tests: the real provider modules (buildProvider) over an
 * in-memory tree, validators from genesis transactions with chosen stakes, the provider's messages
 * registered with the test signer, and helpers to run them.
 */
import assert from "node:assert/strict";
import { fromBech32 } from "@cosmjs/encoding";
import type { EncodeObject } from "@cosmjs/proto-signing";
import { PubKey } from "cosmjs-types/cosmos/crypto/ed25519/keys";
import { bech32Address, type IbcKeeper, type ModuleContext } from "../../../../app/index.ts";
import type { TxResult } from "../../../../consensus/index.ts";
import { ed25519FromSeed } from "../../../../crypto/index.ts";
import { buildProvider } from "../../../../provider/app.ts";
import {
  generatedType,
  type MsgCreateConsumer,
  MsgCreateConsumerCodec,
  type ProviderKeeper,
  providerMsgCodecs,
} from "../../../../provider/ccv/index.ts";
import type { StakingKeeperImpl } from "../../../../provider/staking/index.ts";
import { consAddress } from "../../../../provider/staking/types.ts";
import { fromUtf8, utf8 } from "../../../../utils/index.ts";
import { fundedAppState, registry, signTx } from "../../../support/txSigner.ts";
import { CHAIN_ID, ModuleTestChain, type TestAccount, testAccount } from "../helpers.ts";
import { chainStore } from "../slashing/setup.ts";

for (const c of providerMsgCodecs) {
  if (!registry.lookupType(c.typeUrl)) registry.register(c.typeUrl, generatedType(c) as never);
}

export const SECOND = 1_000_000_000n;
export const STAKE = 1_000_000n;

/** A deterministic ed25519 public key (consensus or consumer key). */
export function edKey(seed: string): Uint8Array {
  return ed25519FromSeed(utf8(seed.padEnd(32, "."))).publicKey;
}

export interface Val {
  readonly account: TestAccount;
  readonly operator: Uint8Array;
  readonly valoper: string;
  readonly pubKey: Uint8Array;
  readonly consAddr: Uint8Array;
  readonly valcons: string;
}

function createValidator(v: Val, i: number, amount: bigint): EncodeObject {
  return {
    typeUrl: "/cosmos.staking.v1beta1.MsgCreateValidator",
    value: {
      description: { moniker: `val-${i}`, identity: "", website: "", securityContact: "", details: "" },
      commission: {
        rate: "100000000000000000",
        maxRate: "200000000000000000",
        maxChangeRate: "10000000000000000",
      },
      minSelfDelegation: "1",
      delegatorAddress: "",
      validatorAddress: v.valoper,
      pubkey: { typeUrl: "/cosmos.crypto.ed25519.PubKey", value: PubKey.encode({ key: v.pubKey }).finish() },
      value: { denom: "stake", amount: amount.toString() },
    },
  };
}

export class ProviderNet {
  readonly chain: ModuleTestChain;
  readonly provider: ProviderKeeper;
  readonly staking: StakingKeeperImpl;
  readonly ibc: IbcKeeper;
  readonly vals: Val[];
  readonly owner: TestAccount;
  private readonly seqs = new Map<string, bigint>();

  private constructor(
    chain: ModuleTestChain,
    provider: ProviderKeeper,
    staking: StakingKeeperImpl,
    ibc: IbcKeeper,
    vals: Val[],
    owner: TestAccount,
  ) {
    this.chain = chain;
    this.provider = provider;
    this.staking = staking;
    this.ibc = ibc;
    this.vals = vals;
    this.owner = owner;
  }

  /** Validators with `powers` (in units of 10^6 stake), account 9 as the consumer owner. */
  static async create(
    powers: readonly bigint[] = [30n, 20n, 10n],
    providerParams: Record<string, string> = { blocks_per_epoch: "2" },
  ): Promise<ProviderNet> {
    const vals: Val[] = [];
    for (let i = 0; i < powers.length; i++) {
      const account = await testAccount(i);
      const operator = fromBech32(account.address, 1023).data;
      const pubKey = edKey(`provider-cons-${i}`);
      vals.push({
        account,
        operator,
        valoper: bech32Address(operator, "cosmosvaloper"),
        pubKey,
        consAddr: consAddress(pubKey),
        valcons: bech32Address(consAddress(pubKey), "cosmosvalcons"),
      });
    }
    const owner = await testAccount(9, BigInt(powers.length));
    const appState = fundedAppState([...vals.map((v) => v.account.address), owner.address], 1_000n * STAKE);
    appState.staking = { params: { unbonding_time: "100s" } };
    appState.slashing = { params: { downtime_jail_duration: "60s" } };
    appState.provider = { params: providerParams };
    appState.genutil = {
      gen_txs: await Promise.all(
        vals.map(async (v, i) =>
          Buffer.from(
            await signTx(v.account, [createValidator(v, i, powers[i]! * STAKE)], {
              sequence: 0n,
              fee: [],
              gas: 5_000_000n,
              accountNumber: 0n,
            }),
          ).toString("base64"),
        ),
      ),
    };
    let built: ReturnType<typeof buildProvider> | undefined;
    const chain = await ModuleTestChain.create((base) => {
      built = buildProvider(base);
      return built.modules;
    }, appState);
    if (!built) throw new Error("provider not built");
    const net = new ProviderNet(chain, built.provider, built.staking, built.ibc, vals, owner);
    for (const v of vals) net.seqs.set(v.account.address, 1n);
    return net;
  }

  get store() {
    return chainStore(this.chain);
  }

  /** A context over the working state at the next block's height and the chain's time. */
  ctx(): ModuleContext {
    return {
      store: this.store,
      events: [],
      block: { chainId: CHAIN_ID, height: this.chain.height + 1, time: this.chain.time },
      runMsg: async () => {
        throw new Error("no runMsg in tests");
      },
    };
  }

  async tx(from: TestAccount, msgs: EncodeObject[]): Promise<TxResult> {
    const seq = this.seqs.get(from.address) ?? 0n;
    const res = await this.chain.tx(from, msgs, seq);
    this.seqs.set(from.address, seq + 1n);
    return res;
  }

  async ok(from: TestAccount, msgs: EncodeObject[]): Promise<TxResult> {
    const r = await this.tx(from, msgs);
    assert.equal(r.code, 0, r.log);
    return r;
  }

  async block(time?: bigint) {
    const res = await this.chain.block({ time });
    assert.deepEqual(await this.chain.app.checkInvariants(), []);
    return res;
  }

  /** Blocks until the chain's height is a multiple of `n` (an epoch boundary ran). */
  async untilHeightMultipleOf(n: number) {
    do await this.block();
    while (this.chain.height % n !== 0);
  }

  async query<T = Record<string, unknown>>(name: string, req: Record<string, unknown> = {}): Promise<T> {
    const r = await this.chain.query(`/icsd.provider.v1.Query/${name}`, utf8(JSON.stringify(req)));
    assert.equal(r.code, 0, r.log);
    return JSON.parse(fromUtf8(r.value)) as T;
  }

  createMsg(over: Partial<MsgCreateConsumer> = {}, spawnIn?: bigint): EncodeObject {
    const m = MsgCreateConsumerCodec.fromPartial({
      submitter: this.owner.address,
      chainId: "consumer-1",
      initializationParameters:
        spawnIn === undefined
          ? undefined
          : {
              initialHeight: { revisionNumber: 0n, revisionHeight: 1n },
              genesisHash: new Uint8Array(),
              binaryHash: new Uint8Array(),
              spawnTime: this.chain.time + spawnIn,
              unbondingPeriod: 50n * SECOND,
              ccvTimeoutPeriod: 1000n * SECOND,
              transferTimeoutPeriod: 3600n * SECOND,
              consumerRedistributionFraction: "0.75",
              blocksPerDistributionTransmission: 10n,
              historicalEntries: 100n,
              distributionTransmissionChannel: "",
              connectionId: "",
              signedBlocksWindow: 10n,
              minSignedPerWindow: "0.5",
              downtimeJailDuration: 10n * SECOND,
            },
      ...over,
    });
    return { typeUrl: MsgCreateConsumerCodec.typeUrl, value: m };
  }

  optIn(v: Val, consumerId: string, consumerKey = ""): EncodeObject {
    return {
      typeUrl: "/interchain_security.ccv.provider.v1.MsgOptIn",
      value: { providerAddr: v.valoper, consumerKey, signer: v.account.address, consumerId },
    };
  }

  /** Creates a consumer spawning in `spawnIn` ns, opts in `who`, and runs blocks until it launched. */
  async launch(who: readonly number[], spawnIn = 5n * SECOND): Promise<string> {
    const r = await this.ok(this.owner, [this.createMsg({}, spawnIn)]);
    const id = consumerIdOf(r);
    for (const i of who) await this.ok(this.vals[i]!.account, [this.optIn(this.vals[i]!, id)]);
    while (
      (await this.query<{ phase: string }>("ConsumerChain", { consumer_id: id })).phase !==
      "CONSUMER_PHASE_LAUNCHED"
    ) {
      await this.block();
      assert.ok(this.chain.height < 100, "consumer did not launch");
    }
    return id;
  }
}

export function consumerIdOf(r: TxResult): string {
  for (const e of r.events)
    if (e.type === "create_consumer") {
      for (const a of e.attributes) if (a.key === "consumer_id") return a.value;
    }
  throw new Error("no create_consumer event");
}
