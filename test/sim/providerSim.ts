import type { EncodeObject } from "@cosmjs/proto-signing";
import { MsgUnjail } from "cosmjs-types/cosmos/slashing/v1beta1/tx";
import {
  QueryDelegatorDelegationsRequest,
  QueryDelegatorDelegationsResponse,
  QueryValidatorsRequest,
  QueryValidatorsResponse,
} from "cosmjs-types/cosmos/staking/v1beta1/query";
import type { Misbehavior, ValidatorUpdate } from "../../consensus/index.ts";
import { addressFromPubKey, ed25519FromSeed, sha256 } from "../../crypto/index.ts";
import { providerModules } from "../../provider/index.ts";
import { createValidatorMsg, valoperOf } from "../e2e/stakingGenesis.ts";
import { registry, signTx, type TestAccount, testAccount } from "../support/txSigner.ts";
import { ModuleTestChain } from "../unit/provider/helpers.ts";
import { Prng } from "./prng.ts";

registry.register("/cosmos.slashing.v1beta1.MsgUnjail", MsgUnjail);

/** What a provider simulation run did, for the test to check it exercised every operation. */
export interface ProviderSimReport {
  readonly blocks: number;
  readonly messages: number;
  /** Per operation: [succeeded, failed]. */
  readonly ops: Record<string, [number, number]>;
  readonly brokenInvariants: readonly string[];
  readonly evidence: number;
  readonly downtime: number;
}

export interface ProviderSimOptions {
  readonly seed: number;
  readonly messages: number;
  readonly accounts?: number;
  readonly initialValidators?: number;
}

const FUNDS = 1_000_000_000_000n;
const SELF_BOND = 10_000_000n;

function consKey(i: number) {
  return ed25519FromSeed(sha256(new TextEncoder().encode(`sim-validator-${i}`)));
}

/**
 * The SDK-simulation-style run of the provider's modules: random delegate, undelegate, redelegate,
 * withdraw, create-validator, edit-validator and unjail messages, validators going offline (downtime
 * jailing) and duplicate-vote evidence, with every invariant checked after every block.
 */
export async function runProviderSim(o: ProviderSimOptions): Promise<ProviderSimReport> {
  const rng = new Prng(o.seed);
  const nAccounts = o.accounts ?? 40;
  const nInitial = o.initialValidators ?? 5;
  const accounts: TestAccount[] = [];
  for (let i = 0; i < nAccounts; i++) accounts.push(await testAccount(i));
  const seq = accounts.map(() => 0n);
  const gentxs: string[] = [];
  for (let i = 0; i < nInitial; i++) {
    const tx = await signTx(
      accounts[i]!,
      [createValidatorMsg(accounts[i]!.address, consKey(i).publicKey, `v${i}`, SELF_BOND * 10n)],
      { sequence: 0n, accountNumber: 0n, fee: [], gas: 1_000_000n },
    );
    gentxs.push(Buffer.from(tx).toString("base64"));
    seq[i] = 1n;
  }
  const appState = {
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
        coins: [{ denom: "stake", amount: String(FUNDS) }],
      })),
    },
    staking: { params: { unbonding_time: "40s", max_validators: 7, max_entries: 7, bond_denom: "stake" } },
    slashing: {
      params: {
        signed_blocks_window: "10",
        min_signed_per_window: "0.500000000000000000",
        downtime_jail_duration: "15s",
        slash_fraction_double_sign: "0.050000000000000000",
        slash_fraction_downtime: "0.010000000000000000",
      },
    },
    genutil: { gen_txs: gentxs },
  };
  const chain = await ModuleTestChain.create(providerModules, appState);
  // The consensus set signing each height: updates from block H sign from H+2.
  const setAt = new Map<number, Map<string, { pubKey: Uint8Array; power: bigint }>>();
  const genesisSet = new Map(chain.genesisValidators.map((v) => [Buffer.from(v.pubKey).toString("hex"), v]));
  setAt.set(1, genesisSet);
  setAt.set(2, genesisSet);
  const offline = new Set<string>();
  const consIndex = new Map<string, number>(); // pubkey hex -> account index of its operator
  for (let i = 0; i < nInitial; i++) consIndex.set(Buffer.from(consKey(i).publicKey).toString("hex"), i);
  let nextValidator = nInitial;
  const ops: Record<string, [number, number]> = {};
  const broken: string[] = [];
  let messages = 0;
  let evidence = 0;
  let downtime = 0;

  const count = (op: string, ok: boolean) => {
    const c = ops[op] ?? [0, 0];
    c[ok ? 0 : 1]++;
    ops[op] = c;
  };

  const validators = async (): Promise<{ operator: string; jailed: boolean; tokens: bigint }[]> => {
    const res = await chain.query(
      "/cosmos.staking.v1beta1.Query/Validators",
      QueryValidatorsRequest.encode({
        status: "",
        pagination: { key: new Uint8Array(), offset: 0n, limit: 1000n, countTotal: false, reverse: false },
      }).finish(),
    );
    return QueryValidatorsResponse.decode(res.value).validators.map((v) => ({
      operator: v.operatorAddress,
      jailed: v.jailed,
      tokens: BigInt(v.tokens),
    }));
  };
  const delegations = async (addr: string) => {
    const res = await chain.query(
      "/cosmos.staking.v1beta1.Query/DelegatorDelegations",
      QueryDelegatorDelegationsRequest.encode({ delegatorAddr: addr }).finish(),
    );
    if (res.code !== 0) return [];
    return QueryDelegatorDelegationsResponse.decode(res.value).delegationResponses.map((d) => ({
      validator: d.delegation!.validatorAddress,
      balance: BigInt(d.balance?.amount ?? "0"),
    }));
  };

  while (messages < o.messages) {
    const h = chain.height + 1;
    const vals = await validators();
    const txs: { tx: Uint8Array; op: string; acct: number }[] = [];
    const perBlock = rng.range(10, 30);
    for (let k = 0; k < perBlock; k++) {
      const a = rng.int(nAccounts);
      const acct = accounts[a]!;
      const pick = rng.int(100);
      let op: string;
      let msg: EncodeObject;
      const val = vals[rng.int(Math.max(vals.length, 1))];
      if (!val) break;
      if (pick < 30) {
        op = "delegate";
        msg = {
          typeUrl: "/cosmos.staking.v1beta1.MsgDelegate",
          value: {
            delegatorAddress: acct.address,
            validatorAddress: val.operator,
            amount: { denom: "stake", amount: String(rng.range(1, 5_000_000)) },
          },
        };
      } else if (pick < 50) {
        const ds = await delegations(acct.address);
        const d = ds[rng.int(Math.max(ds.length, 1))];
        op = "undelegate";
        const amount = d
          ? rng.chance(100)
            ? d.balance + 1n
            : BigInt(1 + rng.int(Number(d.balance > 1_000_000n ? 1_000_000n : d.balance || 1n)))
          : 1n;
        msg = {
          typeUrl: "/cosmos.staking.v1beta1.MsgUndelegate",
          value: {
            delegatorAddress: acct.address,
            validatorAddress: d?.validator ?? val.operator,
            amount: { denom: "stake", amount: String(amount) },
          },
        };
      } else if (pick < 65) {
        const ds = await delegations(acct.address);
        const d = ds[rng.int(Math.max(ds.length, 1))];
        op = "redelegate";
        msg = {
          typeUrl: "/cosmos.staking.v1beta1.MsgBeginRedelegate",
          value: {
            delegatorAddress: acct.address,
            validatorSrcAddress: d?.validator ?? val.operator,
            validatorDstAddress: val.operator,
            amount: {
              denom: "stake",
              amount: String(
                d ? 1n + BigInt(rng.int(Number(d.balance > 1_000_000n ? 1_000_000n : d.balance || 1n))) : 1n,
              ),
            },
          },
        };
      } else if (pick < 80) {
        const ds = await delegations(acct.address);
        const d = ds[rng.int(Math.max(ds.length, 1))];
        op = "withdraw";
        msg = {
          typeUrl: "/cosmos.distribution.v1beta1.MsgWithdrawDelegatorReward",
          value: { delegatorAddress: acct.address, validatorAddress: d?.validator ?? val.operator },
        };
      } else if (pick < 85) {
        op = "createValidator";
        const key = consKey(nextValidator);
        msg = createValidatorMsg(
          acct.address,
          key.publicKey,
          `v${nextValidator}`,
          BigInt(rng.range(1, 30)) * 1_000_000n,
        );
        consIndex.set(Buffer.from(key.publicKey).toString("hex"), a);
        nextValidator++;
      } else if (pick < 92) {
        const jailed = vals.filter((v) => v.jailed);
        const j = jailed[rng.int(Math.max(jailed.length, 1))];
        const who = j ? accounts.findIndex((x) => valoperOf(x.address) === j.operator) : a;
        op = "unjail";
        const signer = accounts[who >= 0 ? who : a]!;
        msg = {
          typeUrl: "/cosmos.slashing.v1beta1.MsgUnjail",
          value: { validatorAddr: valoperOf(signer.address) },
        };
        txs.push({
          tx: await signTx(signer, [msg], { sequence: seq[who >= 0 ? who : a]!, fee: [], gas: 2_000_000n }),
          op,
          acct: who >= 0 ? who : a,
        });
        seq[who >= 0 ? who : a]!++;
        continue;
      } else {
        op = "editValidator";
        msg = {
          typeUrl: "/cosmos.staking.v1beta1.MsgEditValidator",
          value: {
            description: {
              moniker: "[do-not-modify]",
              identity: "[do-not-modify]",
              website: "[do-not-modify]",
              securityContact: "[do-not-modify]",
              details: `d${h}`,
            },
            validatorAddress: valoperOf(acct.address),
            commissionRate: rng.chance(500)
              ? String(100_000_000_000_000_000n + BigInt(rng.int(20)) * 1_000_000_000_000_000n)
              : "",
            minSelfDelegation: "",
          },
        };
      }
      txs.push({
        tx: await signTx(acct, [msg], { sequence: seq[a]!, fee: [], gas: 2_000_000n }),
        op,
        acct: a,
      });
      seq[a]!++;
    }
    // Liveness: validators go offline and come back; offline ones do not sign the previous block.
    const prevSet = setAt.get(h - 1) ?? genesisSet;
    if (rng.chance(100)) {
      const keys = [...prevSet.keys()];
      const pickKey = keys[rng.int(Math.max(keys.length, 1))];
      if (pickKey && offline.size < Math.floor(keys.length / 3)) offline.add(pickKey);
    }
    if (rng.chance(50) && offline.size > 0) offline.delete([...offline][rng.int(offline.size)]!);
    const votes =
      h === 1
        ? []
        : [...prevSet.entries()]
            .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))
            .map(([hex, v]) => ({
              address: addressFromPubKey(v.pubKey),
              power: v.power,
              signed: !offline.has(hex),
            }));
    const misbehavior: Misbehavior[] = [];
    if (h > 3 && rng.chance(15)) {
      const keys = [...prevSet.entries()];
      const [, v] = keys[rng.int(keys.length)]!;
      const total = keys.reduce((s, [, x]) => s + x.power, 0n);
      misbehavior.push({
        type: "duplicate_vote",
        validatorAddress: addressFromPubKey(v.pubKey),
        validatorPower: v.power,
        height: h - 1,
        time: chain.time,
        totalVotingPower: total,
      });
      evidence++;
    }
    downtime += votes.filter((v) => !v.signed).length > 0 ? 1 : 0;
    const res = await chain.block({
      txs: txs.map((t) => t.tx),
      lastCommit: { round: 0, votes },
      misbehavior,
    });
    res.txResults.forEach((r, i) => {
      const t = txs[i]!;
      count(t.op, r.code === 0);
      // An ante failure (bad sequence, unknown account) does not take the sequence; message failures do.
      if (r.code !== 0 && !r.log.startsWith("failed to execute message")) seq[t.acct]!--;
    });
    messages += txs.length;
    const next = new Map(setAt.get(h + 1) ?? prevSet);
    for (const u of res.validatorUpdates as readonly ValidatorUpdate[]) {
      const hex = Buffer.from(u.pubKey).toString("hex");
      if (u.power === 0n) next.delete(hex);
      else next.set(hex, { pubKey: u.pubKey, power: u.power });
    }
    setAt.set(h + 2, next);
    setAt.delete(h - 3);
    const b = await chain.app.checkInvariants();
    if (b.length > 0) {
      broken.push(...b.map((x) => `height ${h}: ${x}`));
      break;
    }
  }
  return { blocks: chain.height, messages, ops, brokenInvariants: broken, evidence, downtime };
}
