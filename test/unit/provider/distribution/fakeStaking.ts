import {
  type AppStore,
  AuthKeeper,
  BankKeeper,
  type BaseKeepers,
  type Dec,
  decFromInt,
  decMulInt,
  decMulTruncate,
  decQuo,
  decQuoInt,
  decTruncate,
  FEE_COLLECTOR,
  type ModuleContext,
} from "../../../../app/index.ts";
import {
  consAddress,
  type Delegation,
  type StakingHooks,
  type StakingKeeper,
  type StakingParams,
  type Validator,
} from "../../../../provider/staking/types.ts";
import { toHex } from "../../../../utils/index.ts";

/** Base keepers as SdkApp builds them (prefix "cosmos", the fee collector registered). */
export function baseKeepers(): BaseKeepers {
  const auth = new AuthKeeper("cosmos");
  const bank = new BankKeeper(auth, []);
  bank.registerModule(FEE_COLLECTOR);
  return { auth, bank };
}

/**
 * A tiny in-memory x/staking for keeper-level distribution tests: validators, delegations and the
 * hooks at the SDK's call points (Delegate, Unbond, Slash). Ignores the store it is given.
 */
export class FakeStaking implements StakingKeeper {
  private readonly hookSets: StakingHooks[] = [];
  readonly vals = new Map<string, Validator>();
  readonly dels = new Map<string, Delegation>();

  addHooks(h: StakingHooks): void {
    this.hookSets.push(h);
  }

  private async hooks(f: (h: StakingHooks) => Promise<void> | undefined): Promise<void> {
    for (const h of this.hookSets) await f(h);
  }

  async params(): Promise<StakingParams> {
    return {
      unbondingTime: 1n,
      maxValidators: 100,
      maxEntries: 7,
      historicalEntries: 0,
      bondDenom: "stake",
      minCommissionRate: 0n,
    };
  }
  setParams(): void {}
  async bondDenom(): Promise<string> {
    return "stake";
  }
  async getValidator(_s: AppStore, op: Uint8Array): Promise<Validator | undefined> {
    return this.vals.get(toHex(op));
  }
  async getValidatorByConsAddr(_s: AppStore, cons: Uint8Array): Promise<Validator | undefined> {
    return [...this.vals.values()].find((v) => toHex(consAddress(v.consPubKey)) === toHex(cons));
  }
  async validators(): Promise<Validator[]> {
    return [...this.vals.values()];
  }
  async bondedValidatorsByPower(): Promise<Validator[]> {
    return [...this.vals.values()].filter((v) => v.status === "bonded");
  }
  async totalBondedTokens(): Promise<bigint> {
    return [...this.vals.values()].reduce((s, v) => s + (v.status === "bonded" ? v.tokens : 0n), 0n);
  }
  async lastValidatorPower(_s: AppStore, op: Uint8Array): Promise<bigint> {
    return (this.vals.get(toHex(op))?.tokens ?? 0n) / 1_000_000n;
  }
  async lastTotalPower(): Promise<bigint> {
    return (await this.totalBondedTokens()) / 1_000_000n;
  }
  async getDelegation(_s: AppStore, del: Uint8Array, val: Uint8Array): Promise<Delegation | undefined> {
    return this.dels.get(toHex(del) + toHex(val));
  }
  async delegatorDelegations(_s: AppStore, del: Uint8Array): Promise<Delegation[]> {
    return [...this.dels.values()].filter((d) => toHex(d.delegator) === toHex(del));
  }
  async validatorDelegations(_s: AppStore, val: Uint8Array): Promise<Delegation[]> {
    return [...this.dels.values()].filter((d) => toHex(d.validator) === toHex(val));
  }
  async getUnbondingDelegation(): Promise<undefined> {
    return undefined;
  }
  async jail(): Promise<void> {}
  async unjail(): Promise<void> {}

  /** Slash as the SDK's order of hooks: BeforeValidatorSlashed with the effective fraction, then burn. */
  async slash(ctx: ModuleContext, cons: Uint8Array, _h: number, _p: bigint, fraction: Dec): Promise<bigint> {
    const v = await this.getValidatorByConsAddr(ctx.store, cons);
    if (!v) return 0n;
    const burn = decTruncate(decMulInt(fraction, v.tokens));
    if (burn === 0n) return 0n;
    const effective = decQuoInt(decFromInt(burn), v.tokens);
    await this.hooks((h) => h.beforeValidatorSlashed?.(ctx, v.operator, effective));
    this.vals.set(toHex(v.operator), { ...v, tokens: v.tokens - burn });
    return burn;
  }

  /** CreateValidator: AfterValidatorCreated, then the self-delegation. */
  async createValidator(
    ctx: ModuleContext,
    op: Uint8Array,
    consPubKey: Uint8Array,
    selfStake: bigint,
    rate: Dec,
  ) {
    this.vals.set(toHex(op), {
      operator: op,
      consPubKey,
      jailed: false,
      status: "bonded",
      tokens: 0n,
      delegatorShares: 0n,
      description: { moniker: "v", identity: "", website: "", securityContact: "", details: "" },
      unbondingHeight: 0,
      unbondingTime: 0n,
      commission: { rate, maxRate: decFromInt(1n), maxChangeRate: decFromInt(1n), updateTime: 0n },
      minSelfDelegation: 1n,
    });
    await this.hooks((h) => h.afterValidatorCreated?.(ctx, op));
    await this.delegate(ctx, op, op, selfStake);
  }

  /** Delegate: Before{DelegationCreated|SharesModified}, add tokens and shares, AfterDelegationModified. */
  async delegate(ctx: ModuleContext, del: Uint8Array, op: Uint8Array, amount: bigint): Promise<void> {
    const key = toHex(del) + toHex(op);
    const existing = this.dels.get(key);
    if (existing) await this.hooks((h) => h.beforeDelegationSharesModified?.(ctx, del, op));
    else await this.hooks((h) => h.beforeDelegationCreated?.(ctx, del, op));
    const v = this.vals.get(toHex(op))!;
    const shares =
      v.tokens === 0n ? decFromInt(amount) : decQuoInt(decMulInt(v.delegatorShares, amount), v.tokens);
    this.vals.set(toHex(op), {
      ...v,
      tokens: v.tokens + amount,
      delegatorShares: v.delegatorShares + shares,
    });
    this.dels.set(key, { delegator: del, validator: op, shares: (existing?.shares ?? 0n) + shares });
    await this.hooks((h) => h.afterDelegationModified?.(ctx, del, op));
  }

  /** Unbond `shares`: BeforeDelegationSharesModified, then removal or AfterDelegationModified. */
  async undelegate(ctx: ModuleContext, del: Uint8Array, op: Uint8Array, shares: Dec): Promise<bigint> {
    const key = toHex(del) + toHex(op);
    const d = this.dels.get(key)!;
    await this.hooks((h) => h.beforeDelegationSharesModified?.(ctx, del, op));
    const v = this.vals.get(toHex(op))!;
    const tokens = decTruncate(decQuo(decMulTruncate(shares, decFromInt(v.tokens)), v.delegatorShares));
    this.vals.set(toHex(op), {
      ...v,
      tokens: v.tokens - tokens,
      delegatorShares: v.delegatorShares - shares,
    });
    if (d.shares === shares) {
      await this.hooks((h) => h.beforeDelegationRemoved?.(ctx, del, op));
      this.dels.delete(key);
    } else {
      this.dels.set(key, { ...d, shares: d.shares - shares });
      await this.hooks((h) => h.afterDelegationModified?.(ctx, del, op));
    }
    return tokens;
  }

  /** RemoveValidator (after its last delegation is gone): AfterValidatorRemoved. */
  async removeValidator(ctx: ModuleContext, op: Uint8Array): Promise<void> {
    const v = this.vals.get(toHex(op))!;
    this.vals.delete(toHex(op));
    await this.hooks((h) => h.afterValidatorRemoved?.(ctx, consAddress(v.consPubKey), op));
  }
}
