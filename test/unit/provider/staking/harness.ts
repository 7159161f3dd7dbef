import assert from "node:assert/strict";
import { fromBech32, toBech32 } from "@cosmjs/encoding";
import type { EncodeObject } from "@cosmjs/proto-signing";
import type { AppModule, AppStore, ModuleContext } from "../../../../app/index.ts";
import type { FinalizeBlockResponse, TxResult } from "../../../../consensus/index.ts";
import { ed25519FromSeed, sha256 } from "../../../../crypto/index.ts";
import { pubKeyAny, type StakingKeeperImpl, stakingModule } from "../../../../provider/staking/index.ts";
import { fundedAppState } from "../../../support/txSigner.ts";
import { ModuleTestChain, moduleContext, signTx, type TestAccount, testAccount } from "../helpers.ts";

/** A staking-only test chain: funded accounts, short unbonding, invariants checked after every block. */

export const STAKE = 1_000_000n;
const T = "/cosmos.staking.v1beta1.";

export const dec = (s: string): string => {
  const [i, f = ""] = s.split(".");
  return (BigInt(i!) * 10n ** 18n + BigInt(f.padEnd(18, "0"))).toString();
};

export function consKey(i: number): Uint8Array {
  return ed25519FromSeed(sha256(new TextEncoder().encode(`validator-${i}`))).publicKey;
}

export function valoper(acc: TestAccount): string {
  return toBech32("cosmosvaloper", fromBech32(acc.address, 1023).data);
}

export interface CreateOpts {
  readonly rate?: string;
  readonly maxRate?: string;
  readonly maxChangeRate?: string;
  readonly minSelfDelegation?: string;
  readonly key?: Uint8Array;
  readonly moniker?: string;
}

export function createValidatorMsg(
  acc: TestAccount,
  i: number,
  amount: bigint,
  o: CreateOpts = {},
): EncodeObject {
  return {
    typeUrl: `${T}MsgCreateValidator`,
    value: {
      description: {
        moniker: o.moniker ?? `val-${i}`,
        identity: "",
        website: "",
        securityContact: "",
        details: "",
      },
      commission: {
        rate: dec(o.rate ?? "0.1"),
        maxRate: dec(o.maxRate ?? "0.2"),
        maxChangeRate: dec(o.maxChangeRate ?? "0.01"),
      },
      minSelfDelegation: o.minSelfDelegation ?? "1",
      delegatorAddress: "",
      validatorAddress: valoper(acc),
      pubkey: pubKeyAny(o.key ?? consKey(i)),
      value: { denom: "stake", amount: amount.toString() },
    },
  };
}

export function delegateMsg(from: TestAccount, val: TestAccount, amount: bigint): EncodeObject {
  return {
    typeUrl: `${T}MsgDelegate`,
    value: {
      delegatorAddress: from.address,
      validatorAddress: valoper(val),
      amount: { denom: "stake", amount: `${amount}` },
    },
  };
}

export function undelegateMsg(from: TestAccount, val: TestAccount, amount: bigint): EncodeObject {
  return {
    typeUrl: `${T}MsgUndelegate`,
    value: {
      delegatorAddress: from.address,
      validatorAddress: valoper(val),
      amount: { denom: "stake", amount: `${amount}` },
    },
  };
}

export function redelegateMsg(
  from: TestAccount,
  src: TestAccount,
  dst: TestAccount,
  amount: bigint,
): EncodeObject {
  return {
    typeUrl: `${T}MsgBeginRedelegate`,
    value: {
      delegatorAddress: from.address,
      validatorSrcAddress: valoper(src),
      validatorDstAddress: valoper(dst),
      amount: { denom: "stake", amount: `${amount}` },
    },
  };
}

export function editValidatorMsg(
  val: TestAccount,
  commissionRate: string,
  minSelfDelegation = "",
): EncodeObject {
  const keep = "[do-not-modify]";
  return {
    typeUrl: `${T}MsgEditValidator`,
    value: {
      description: { moniker: keep, identity: keep, website: keep, securityContact: keep, details: keep },
      validatorAddress: valoper(val),
      commissionRate: commissionRate === "" ? "" : dec(commissionRate),
      minSelfDelegation,
    },
  };
}

export class StakingHarness {
  readonly chain: ModuleTestChain;
  readonly keeper: StakingKeeperImpl;
  readonly accounts: TestAccount[];
  private readonly seqs = new Map<string, bigint>();

  readonly module: AppModule;

  private constructor(
    chain: ModuleTestChain,
    keeper: StakingKeeperImpl,
    module: AppModule,
    accounts: TestAccount[],
  ) {
    this.chain = chain;
    this.keeper = keeper;
    this.module = module;
    this.accounts = accounts;
  }

  static async create(
    opts: { accounts?: number; fund?: bigint; params?: Record<string, unknown>; genTxs?: string[] } = {},
  ): Promise<StakingHarness> {
    const accounts: TestAccount[] = [];
    for (let i = 0; i < (opts.accounts ?? 6); i++) accounts.push(await testAccount(i));
    const appState = fundedAppState(
      accounts.map((a) => a.address),
      opts.fund ?? 1_000_000n * STAKE,
    );
    appState.staking = { params: { unbonding_time: "10s", ...(opts.params ?? {}) } };
    if (opts.genTxs) appState.genutil = { gen_txs: opts.genTxs };
    let keeper: StakingKeeperImpl | undefined;
    let module: AppModule | undefined;
    const chain = await ModuleTestChain.create((base) => {
      const s = stakingModule(base);
      keeper = s.keeper;
      module = s.module;
      return [s.module];
    }, appState);
    const h = new StakingHarness(chain, keeper!, module!, accounts);
    if (opts.genTxs) for (let i = 0; i < opts.genTxs.length; i++) h.seqs.set(accounts[i]!.address, 1n);
    return h;
  }

  acc(i: number): TestAccount {
    return this.accounts[i]!;
  }

  /** The working state (what the last block committed). */
  get store(): AppStore {
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

  /** One tx from `from` in its own block; checks the invariants after it. */
  async tx(from: TestAccount, msgs: EncodeObject[]): Promise<TxResult> {
    const seq = this.seqs.get(from.address) ?? 0n;
    const raw = await signTx(from, msgs, { sequence: seq, fee: [], gas: 5_000_000n });
    const res = await this.block(undefined, [raw]);
    const r = res.txResults[0]!;
    // A failed message still spends the sequence (the ante handler's writes stay).
    if (r.code === 0 || r.log.includes("failed to execute message")) this.seqs.set(from.address, seq + 1n);
    return r;
  }

  /** Like tx, but the message must succeed. */
  async ok(from: TestAccount, msgs: EncodeObject[]): Promise<TxResult> {
    const res = await this.tx(from, msgs);
    assert.equal(res.code, 0, `tx failed: ${res.codespace}/${res.code} ${res.log}`);
    return res;
  }

  /** The validator updates of the last block. */
  lastUpdates: readonly { pubKey: Uint8Array; power: bigint }[] = [];

  async block(time?: bigint, txs: Uint8Array[] = []): Promise<FinalizeBlockResponse> {
    const res = await this.chain.block(time === undefined ? { txs } : { time, txs });
    this.lastUpdates = res.validatorUpdates;
    await this.checkInvariants();
    return res;
  }

  /**
   * A module context writing into the tree's working set "inside" the next block (height + 1, its
   * time), as a begin blocker (slashing, evidence) would see it; the next block commits its writes.
   */
  nextBlockContext(time = this.chain.time + 1_000_000_000n): ModuleContext {
    const tree = this.chain.tree;
    const store: AppStore = {
      get: (k) => tree.get(k),
      set: (k, v) => tree.set(k, v),
      delete: (k) => tree.delete(k),
      iterate: (r) => tree.iterate(r),
    };
    return moduleContext(store, this.chain.height + 1, time);
  }

  async checkInvariants(): Promise<void> {
    assert.deepEqual(await this.chain.app.checkInvariants(), []);
  }

  async balance(acc: TestAccount): Promise<bigint> {
    return this.keeper.bank.balance(this.store, fromBech32(acc.address, 1023).data, "stake");
  }

  operator(acc: TestAccount): Uint8Array {
    return fromBech32(acc.address, 1023).data;
  }
}

/** Every staking key and value (hex), to check that a failed message changed nothing. */
export async function stakingState(h: StakingHarness): Promise<Map<string, string>> {
  const prefix = new TextEncoder().encode("stk/");
  const end = new TextEncoder().encode("stk0");
  const out = new Map<string, string>();
  for await (const [k, v] of h.store.iterate({ gte: prefix, lt: end })) {
    out.set(Buffer.from(k).toString("hex"), Buffer.from(v).toString("hex"));
  }
  return out;
}

/** Runs a tx that must fail with (codespace, code) and a log containing `log`, changing no staking state. */
export async function expectFailure(
  h: StakingHarness,
  from: TestAccount,
  msgs: EncodeObject[],
  codespace: string,
  code: number,
  log: string,
): Promise<void> {
  const before = await stakingState(h);
  const bal = await h.balance(from);
  const r = await h.tx(from, msgs);
  assert.equal(r.codespace, codespace, r.log);
  assert.equal(r.code, code, r.log);
  assert.ok(r.log.includes(log), `log ${JSON.stringify(r.log)} lacks ${JSON.stringify(log)}`);
  assert.deepEqual(await stakingState(h), before);
  assert.equal(await h.balance(from), bal);
}
