import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fromBech32 } from "@cosmjs/encoding";
import type { EncodeObject } from "@cosmjs/proto-signing";
import { PubKey } from "cosmjs-types/cosmos/crypto/ed25519/keys";
import { MsgUnjail } from "cosmjs-types/cosmos/slashing/v1beta1/tx";
import { bech32Address } from "../../../../app/index.ts";
import type { CommitInfo, Misbehavior } from "../../../../consensus/index.ts";
import {
  DOUBLE_SIGN_JAIL_END_TIME,
  type SlashingKeeper,
  slashingModule,
} from "../../../../provider/slashing/index.ts";
import { type StakingKeeperImpl, stakingModule } from "../../../../provider/staking/index.ts";
import { toHex } from "../../../../utils/index.ts";
import { fundedAppState, registry, signTx } from "../../../support/txSigner.ts";
import { ModuleTestChain, type TestAccount, testAccount } from "../helpers.ts";
import { consKey } from "./fakeStaking.ts";
import { chainStore, SECOND, type TestValidator, testValidator } from "./setup.ts";

if (!registry.lookupType("/cosmos.slashing.v1beta1.MsgUnjail")) {
  registry.register("/cosmos.slashing.v1beta1.MsgUnjail", MsgUnjail);
}

const STAKE = 1_000_000n;
const valoper = (v: TestValidator): string => bech32Address(v.operator, "cosmosvaloper");

function createValidator(v: TestValidator, i: number, amount: bigint): EncodeObject {
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
      validatorAddress: valoper(v),
      pubkey: {
        typeUrl: "/cosmos.crypto.ed25519.PubKey",
        value: PubKey.encode({ key: consKey(i) }).finish(),
      },
      value: { denom: "stake", amount: amount.toString() },
    },
  };
}

function stakeMsg(
  kind: "MsgDelegate" | "MsgUndelegate",
  from: TestAccount,
  v: TestValidator,
  amount: bigint,
) {
  return {
    typeUrl: `/cosmos.staking.v1beta1.${kind}`,
    value: {
      delegatorAddress: from.address,
      validatorAddress: valoper(v),
      amount: { denom: "stake", amount: `${amount}` },
    },
  };
}

const unjailMsg = (v: TestValidator): EncodeObject => ({
  typeUrl: "/cosmos.slashing.v1beta1.MsgUnjail",
  value: { validatorAddr: valoper(v) },
});

/** Slashing and the real x/staking in one chain ([slashing, staking]), 3 validators of 10 power from gen_txs. */
class Net {
  readonly chain: ModuleTestChain;
  readonly staking: StakingKeeperImpl;
  readonly slashing: SlashingKeeper;
  readonly vals: TestValidator[];
  readonly delegator: TestAccount;
  private readonly seqs = new Map<string, bigint>();
  /** Who is absent from the last commit. */
  readonly absent = new Set<number>();

  constructor(
    c: ModuleTestChain,
    st: StakingKeeperImpl,
    sl: SlashingKeeper,
    vals: TestValidator[],
    d: TestAccount,
  ) {
    this.chain = c;
    this.staking = st;
    this.slashing = sl;
    this.vals = vals;
    this.delegator = d;
    for (const v of vals) this.seqs.set(v.account.address, 1n);
  }

  static async create(): Promise<Net> {
    const vals = await Promise.all([0, 1, 2].map((i) => testValidator(i)));
    const delegator = await testAccount(3);
    const appState = fundedAppState(
      [...vals.map((v) => v.account.address), delegator.address],
      1_000n * STAKE,
    );
    appState.staking = { params: { unbonding_time: "100s" } };
    appState.slashing = {
      params: { signed_blocks_window: "10", min_signed_per_window: "0.5", downtime_jail_duration: "60s" },
    };
    appState.genutil = {
      gen_txs: await Promise.all(
        vals.map(async (v, i) =>
          Buffer.from(
            await signTx(v.account, [createValidator(v, i, 10n * STAKE)], {
              sequence: 0n,
              fee: [],
              gas: 5_000_000n,
              accountNumber: 0n,
            }),
          ).toString("base64"),
        ),
      ),
    };
    let st: StakingKeeperImpl | undefined;
    let sl: SlashingKeeper | undefined;
    const chain = await ModuleTestChain.create((base) => {
      const s = stakingModule(base);
      const sm = slashingModule(base, s.keeper);
      st = s.keeper;
      sl = sm.keeper;
      return [sm.module, s.module];
    }, appState);
    if (!st || !sl) throw new Error("keepers not built");
    return new Net(chain, st, sl, vals, delegator);
  }

  get store() {
    return chainStore(this.chain);
  }

  lastCommit(): CommitInfo {
    return {
      round: 0,
      votes: this.vals.map((v, i) => ({ address: v.consAddr, power: 10n, signed: !this.absent.has(i) })),
    };
  }

  async block(opts: { txs?: Uint8Array[]; time?: bigint; misbehavior?: Misbehavior[] } = {}) {
    const res = await this.chain.block({ ...opts, lastCommit: this.lastCommit() });
    assert.deepEqual(await this.chain.app.checkInvariants(), []);
    return res;
  }

  async tx(from: TestAccount, msgs: EncodeObject[], time?: bigint) {
    const seq = this.seqs.get(from.address) ?? 0n;
    const raw = await signTx(from, msgs, { sequence: seq, fee: [], gas: 5_000_000n });
    const res = await this.block({ txs: [raw], time });
    this.seqs.set(from.address, seq + 1n);
    return { result: res.txResults[0]!, res };
  }

  async validator(i: number) {
    const v = await this.staking.getValidatorByConsAddr(this.store, this.vals[i]!.consAddr);
    assert.ok(v);
    return v;
  }
}

function updateFor(res: { validatorUpdates: readonly { pubKey: Uint8Array; power: bigint }[] }, i: number) {
  return res.validatorUpdates.find((u) => toHex(u.pubKey) === toHex(consKey(i)))?.power;
}

describe("slashing with the real x/staking", () => {
  it("downtime: jailed and slashed 1% at height − 2, power 0 at that end block; unjail after the jail time", async () => {
    const n = await Net.create();
    assert.equal(n.chain.genesisValidators.length, 3);
    for (let h = 1; h <= 10; h++) await n.block();
    n.absent.add(0);
    for (let h = 11; h <= 15; h++) await n.block();
    assert.equal((await n.validator(0)).jailed, false);
    const res = await n.block();
    assert.equal(n.chain.height, 16);
    const v = await n.validator(0);
    assert.equal(v.jailed, true);
    assert.equal(v.tokens, 9_900_000n);
    assert.equal(updateFor(res, 0), 0n);
    const info = await n.slashing.getSigningInfo(n.store, n.vals[0]!.consAddr);
    assert.equal(info?.jailedUntil, n.chain.time + 60n * SECOND);

    // Too early: nothing changes.
    const early = await n.tx(n.vals[0]!.account, [unjailMsg(n.vals[0]!)]);
    assert.deepEqual([early.result.codespace, early.result.code], ["slashing", 4]);
    assert.equal((await n.validator(0)).jailed, true);

    n.absent.clear();
    const late = await n.tx(n.vals[0]!.account, [unjailMsg(n.vals[0]!)], (info?.jailedUntil ?? 0n) + SECOND);
    assert.equal(late.result.code, 0, late.result.log);
    assert.equal((await n.validator(0)).jailed, false);
    // Bonded again in that block's end block, with the slashed power; the window restarts there.
    assert.equal(updateFor(late.res, 0), 9n);
    assert.equal((await n.validator(0)).status, "bonded");
    const again = await n.slashing.getSigningInfo(n.store, n.vals[0]!.consAddr);
    assert.equal(again?.startHeight, BigInt(n.chain.height));
    assert.equal(again?.missedBlocksCounter, 0n);

    // Unjailing a validator that is not jailed fails with ErrValidatorNotJailed.
    const notJailed = await n.tx(n.vals[1]!.account, [unjailMsg(n.vals[1]!)]);
    assert.deepEqual([notJailed.result.codespace, notJailed.result.code], ["slashing", 5]);
  });

  it("double sign: slashes 5% incl. unbondings begun after the infraction, jails, tombstones, once", async () => {
    const n = await Net.create();
    const [v1, d] = [n.vals[1]!, n.delegator];
    await n.block(); // 1
    assert.equal((await n.tx(d, [stakeMsg("MsgDelegate", d, v1, 5n * STAKE)])).result.code, 0); // 2
    assert.equal((await n.tx(d, [stakeMsg("MsgUndelegate", d, v1, 1n * STAKE)])).result.code, 0); // 3
    await n.block(); // 4
    assert.equal((await n.tx(d, [stakeMsg("MsgUndelegate", d, v1, 2n * STAKE)])).result.code, 0); // 5
    await n.block(); // 6
    assert.equal((await n.validator(1)).tokens, 12n * STAKE);

    // Infraction at height 5 with power 14: the distribution height is 4, so the entry created at 5 is
    // slashed (2_000_000 × 5% = 100_000) and the one at 3 is not; the validator pays the rest of
    // 14 × 10^6 × 5% = 700_000, and burned_coins is that rest (the SDK's Slash returns tokensToBurn).
    const evidence: Misbehavior = {
      type: "duplicate_vote",
      validatorAddress: v1.consAddr,
      validatorPower: 14n,
      height: 5,
      time: n.chain.time - SECOND,
      totalVotingPower: 34n,
    };
    const res = await n.block({ misbehavior: [evidence] }); // 7
    const v = await n.validator(1);
    assert.equal(v.jailed, true);
    assert.equal(v.tokens, 12n * STAKE - 600_000n);
    assert.equal(updateFor(res, 1), 0n);
    const ubd = await n.staking.getUnbondingDelegation(
      n.store,
      fromBech32(d.address, 1023).data,
      v1.operator,
    );
    assert.deepEqual(
      ubd?.entries.map((e) => [e.creationHeight, e.balance]),
      [
        [3, 1n * STAKE],
        [5, 2n * STAKE - 100_000n],
      ],
    );
    const info = await n.slashing.getSigningInfo(n.store, v1.consAddr);
    assert.equal(info?.tombstoned, true);
    assert.equal(info?.jailedUntil, DOUBLE_SIGN_JAIL_END_TIME);
    const slashEvents = res.events.filter((e) => e.type === "slash");
    assert.equal(slashEvents.length, 2);
    assert.deepEqual(
      slashEvents[0]?.attributes.map((a) => [a.key, a.value]),
      [
        ["address", n.slashing.consAddrString(v1.consAddr)],
        ["power", "14"],
        ["reason", "double_sign"],
        ["burned_coins", "600000"],
      ],
    );

    // The same evidence again: nothing more.
    await n.block({ misbehavior: [evidence] });
    assert.equal((await n.validator(1)).tokens, 12n * STAKE - 600_000n);
    // A tombstoned validator can never unjail.
    const r = await n.tx(v1.account, [unjailMsg(v1)], n.chain.time + 365n * 24n * 3600n * SECOND);
    assert.deepEqual([r.result.codespace, r.result.code], ["slashing", 4]);
    assert.equal((await n.validator(1)).jailed, true);
  });
});
