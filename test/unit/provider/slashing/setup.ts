import { fromBech32 } from "@cosmjs/encoding";
import type { AppStore } from "../../../../app/index.ts";
import type { CommitInfo } from "../../../../consensus/index.ts";
import { type SlashingKeeper, slashingModule } from "../../../../provider/slashing/index.ts";
import { consAddress } from "../../../../provider/staking/types.ts";
import { fundedAppState } from "../../../support/txSigner.ts";
import { ModuleTestChain, type TestAccount, testAccount } from "../helpers.ts";
import { consKey, FakeStaking, fakeStakingModule } from "./fakeStaking.ts";

export const SECOND = 1_000_000_000n;

/** One test validator: its operator account, consensus key and address. */
export interface TestValidator {
  readonly account: TestAccount;
  readonly operator: Uint8Array;
  readonly pubKey: Uint8Array;
  readonly consAddr: Uint8Array;
}

export async function testValidator(i: number): Promise<TestValidator> {
  const account = await testAccount(i);
  const pubKey = consKey(i);
  return { account, operator: fromBech32(account.address, 1023).data, pubKey, consAddr: consAddress(pubKey) };
}

/** A read-write view of a chain's working state (for reading keeper state between blocks). */
export function chainStore(chain: ModuleTestChain): AppStore {
  const t = chain.tree;
  return {
    get: (k) => t.get(k),
    set: (k, v) => t.set(k, v),
    delete: (k) => t.delete(k),
    iterate: (r) => t.iterate(r),
  };
}

/** A last commit where each validator voted (or not) with `power`. */
export function commit(votes: readonly (readonly [TestValidator, bigint, boolean])[]): CommitInfo {
  return { round: 0, votes: votes.map(([v, power, signed]) => ({ address: v.consAddr, power, signed })) };
}

export interface FakeChain {
  readonly chain: ModuleTestChain;
  readonly staking: FakeStaking;
  readonly keeper: SlashingKeeper;
  readonly vals: readonly TestValidator[];
  readonly store: AppStore;
}

/**
 * A chain with slashing and the fake staking ([slashing, fakestaking]): `n` validators (accounts 0..n-1)
 * with 10 power each, bonded at genesis (height 0), and `params` as app_state.slashing.params.
 */
export async function fakeChain(
  n: number,
  params: Record<string, string> = {},
  opts: { minSelfDelegation?: bigint } = {},
): Promise<FakeChain> {
  const staking = new FakeStaking();
  const vals = await Promise.all(Array.from({ length: n }, (_, i) => testValidator(i)));
  let keeper: SlashingKeeper | undefined;
  const chain = await ModuleTestChain.create(
    (base) => {
      const s = slashingModule(base, staking);
      keeper = s.keeper;
      const genesisVals = vals.map((v) => ({
        operator: v.operator,
        pubKey: v.pubKey,
        tokens: 10_000_000n,
        minSelfDelegation: opts.minSelfDelegation,
      }));
      return [s.module, fakeStakingModule(staking, genesisVals)];
    },
    {
      ...fundedAppState(
        vals.map((v) => v.account.address),
        1_000_000_000n,
      ),
      slashing: { params },
    },
  );
  if (!keeper) throw new Error("slashing keeper not built");
  return { chain, staking, keeper, vals, store: chainStore(chain) };
}
