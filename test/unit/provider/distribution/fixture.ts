import type { AppModule } from "../../../../app/index.ts";
import {
  type AppStore,
  type BaseKeepers,
  type Dec,
  decFromInt,
  decFromString,
  type ModuleContext,
  moduleAddress,
} from "../../../../app/index.ts";
import { type DistributionKeeper, distributionModule } from "../../../../provider/distribution/index.ts";
import { consAddress } from "../../../../provider/staking/types.ts";
import { memoryStore, moduleContext } from "../helpers.ts";
import { baseKeepers, FakeStaking } from "./fakeStaking.ts";

export const STAKE = (n: bigint) => [{ denom: "stake", atomics: decFromInt(n) }];
export const addr = (i: number): Uint8Array => new Uint8Array(20).fill(i);
export const pubKey = (i: number): Uint8Array => new Uint8Array(32).fill(i);
export const cons = (i: number): Uint8Array => consAddress(pubKey(i));

export interface Fixture {
  readonly base: BaseKeepers;
  readonly staking: FakeStaking;
  readonly module: AppModule;
  readonly keeper: DistributionKeeper;
  readonly store: AppStore;
  ctx(height: number): ModuleContext;
  /** Puts `amount` stake (an integer, or a decimal string) into the module account and allocates it to validator `i`. */
  allocate(height: number, i: number, amount: bigint | string, source?: string): Promise<void>;
  balance(a: Uint8Array): Promise<bigint>;
  invariants(): Promise<readonly string[]>;
}

/** Distribution over the fake staking keeper, genesis applied, on an in-memory store. */
export async function fixture(): Promise<Fixture> {
  const base = baseKeepers();
  const staking = new FakeStaking();
  const { module, keeper } = distributionModule(base, staking);
  const store = memoryStore();
  await module.initGenesis!(moduleContext(store, 0), undefined);
  const ctx = (h: number) => moduleContext(store, h);
  return {
    base,
    staking,
    module,
    keeper,
    store,
    ctx,
    async allocate(height, i, amount, source = "provider") {
      const dec = typeof amount === "bigint" ? decFromInt(amount) : decFromString(amount);
      // Mint the ceiling so the account always covers the decimal amount.
      const whole = (dec + 10n ** 18n - 1n) / 10n ** 18n;
      await base.bank.mint(store, moduleAddress("distribution"), [{ denom: "stake", amount: whole }]);
      const val = (await staking.getValidator(store, addr(i)))!;
      await keeper.allocateTokensToValidator(ctx(height), val, [{ denom: "stake", atomics: dec }], source);
    },
    balance: (a) => base.bank.balance(store, a, "stake"),
    invariants: () => module.invariants!(store),
  };
}

export const rate = (s: string): Dec => decFromString(s);
