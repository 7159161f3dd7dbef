import type { AppModule, AppStore, Dec, ModuleContext } from "../../../../app/index.ts";
import { DEC_ONE, decMulInt, decTruncate } from "../../../../app/index.ts";
import { ed25519FromSeed } from "../../../../crypto/index.ts";
import {
  consAddress,
  type Delegation,
  type StakingHooks,
  type StakingKeeper,
  type StakingParams,
  type Validator,
} from "../../../../provider/staking/types.ts";
import { toHex, utf8 } from "../../../../utils/index.ts";

/** A slash, jail or unjail that slashing asked of staking. */
export type StakingCall =
  | {
      readonly op: "slash";
      readonly consAddr: string;
      readonly height: number;
      readonly power: bigint;
      readonly fraction: Dec;
      readonly burned: bigint;
    }
  | { readonly op: "jail" | "unjail"; readonly consAddr: string };

/** A deterministic ed25519 consensus key for validator `i`. */
export function consKey(i: number): Uint8Array {
  return ed25519FromSeed(utf8(`cons-key-${i}`.padEnd(32, "."))).publicKey;
}

/**
 * A fake x/staking for slashing's unit tests: validators and delegations in memory (not in the store,
 * so a reverted message does not revert them), every slash/jail/unjail recorded in `calls`, the hooks
 * called where the real keeper calls them when a test adds a validator.
 */
export class FakeStaking implements StakingKeeper {
  readonly hooks: StakingHooks[] = [];
  readonly calls: StakingCall[] = [];
  readonly vals = new Map<string, Validator>();
  readonly dels = new Map<string, Delegation>();
  private readonly byCons = new Map<string, string>();
  private p: StakingParams = {
    unbondingTime: 1_814_400_000_000_000n,
    maxValidators: 100,
    maxEntries: 7,
    historicalEntries: 10000,
    bondDenom: "stake",
    minCommissionRate: 0n,
  };

  addHooks(hooks: StakingHooks): void {
    this.hooks.push(hooks);
  }
  async params(): Promise<StakingParams> {
    return this.p;
  }
  setParams(_store: AppStore, p: StakingParams): void {
    this.p = p;
  }
  async bondDenom(): Promise<string> {
    return this.p.bondDenom;
  }

  /**
   * Adds a bonded validator with a self-delegation of all its tokens and runs AfterValidatorCreated
   * and AfterValidatorBonded in `ctx`.
   */
  async addValidator(
    ctx: ModuleContext,
    operator: Uint8Array,
    pubKey: Uint8Array,
    tokens: bigint,
    opts: { minSelfDelegation?: bigint; selfShares?: Dec | null } = {},
  ): Promise<Validator> {
    const v: Validator = {
      operator,
      consPubKey: pubKey,
      jailed: false,
      status: "bonded",
      tokens,
      delegatorShares: tokens * DEC_ONE,
      description: { moniker: "v", identity: "", website: "", securityContact: "", details: "" },
      unbondingHeight: 0,
      unbondingTime: 0n,
      commission: { rate: 0n, maxRate: DEC_ONE, maxChangeRate: DEC_ONE, updateTime: 0n },
      minSelfDelegation: opts.minSelfDelegation ?? 1n,
    };
    this.vals.set(toHex(operator), v);
    this.byCons.set(toHex(consAddress(pubKey)), toHex(operator));
    if (opts.selfShares !== null) {
      const shares = opts.selfShares ?? v.delegatorShares;
      this.dels.set(toHex(operator) + toHex(operator), { delegator: operator, validator: operator, shares });
    }
    for (const h of this.hooks) await h.afterValidatorCreated?.(ctx, operator);
    for (const h of this.hooks) await h.afterValidatorBonded?.(ctx, consAddress(pubKey), operator);
    return v;
  }

  /** Replaces fields of a validator (by consensus address). */
  update(consAddr: Uint8Array, f: (v: Validator) => Validator): void {
    const op = this.byCons.get(toHex(consAddr));
    const v = op === undefined ? undefined : this.vals.get(op);
    if (op === undefined || v === undefined) throw new Error("unknown validator");
    this.vals.set(op, f(v));
  }

  byConsAddr(consAddr: Uint8Array): Validator | undefined {
    const op = this.byCons.get(toHex(consAddr));
    return op === undefined ? undefined : this.vals.get(op);
  }

  async getValidator(_store: AppStore, operator: Uint8Array): Promise<Validator | undefined> {
    return this.vals.get(toHex(operator));
  }
  async getValidatorByConsAddr(_store: AppStore, consAddr: Uint8Array): Promise<Validator | undefined> {
    return this.byConsAddr(consAddr);
  }
  async validators(): Promise<Validator[]> {
    return [...this.vals.values()];
  }
  async bondedValidatorsByPower(): Promise<Validator[]> {
    return [...this.vals.values()].filter((v) => v.status === "bonded");
  }
  async totalBondedTokens(): Promise<bigint> {
    return (await this.bondedValidatorsByPower()).reduce((s, v) => s + v.tokens, 0n);
  }
  async lastValidatorPower(_store: AppStore, operator: Uint8Array): Promise<bigint> {
    return (this.vals.get(toHex(operator))?.tokens ?? 0n) / 1_000_000n;
  }
  async lastTotalPower(): Promise<bigint> {
    return (await this.totalBondedTokens()) / 1_000_000n;
  }
  async getDelegation(_store: AppStore, del: Uint8Array, val: Uint8Array): Promise<Delegation | undefined> {
    return this.dels.get(toHex(del) + toHex(val));
  }
  async delegatorDelegations(): Promise<Delegation[]> {
    return [];
  }
  async validatorDelegations(): Promise<Delegation[]> {
    return [];
  }
  async getUnbondingDelegation(): Promise<undefined> {
    return undefined;
  }

  /** Burns fraction × power × 10^6 (capped at the tokens), as the SDK's slash with no unbondings. */
  async slash(
    _ctx: ModuleContext,
    consAddr: Uint8Array,
    height: number,
    power: bigint,
    fraction: Dec,
  ): Promise<bigint> {
    const v = this.byConsAddr(consAddr);
    let burned = 0n;
    if (v) {
      burned = decTruncate(decMulInt(fraction, power * 1_000_000n));
      if (burned > v.tokens) burned = v.tokens;
      this.update(consAddr, (x) => ({ ...x, tokens: x.tokens - burned }));
    }
    this.calls.push({ op: "slash", consAddr: toHex(consAddr), height, power, fraction, burned });
    return burned;
  }
  async jail(_ctx: ModuleContext, consAddr: Uint8Array): Promise<void> {
    this.update(consAddr, (v) => ({ ...v, jailed: true }));
    this.calls.push({ op: "jail", consAddr: toHex(consAddr) });
  }
  async unjail(_ctx: ModuleContext, consAddr: Uint8Array): Promise<void> {
    this.update(consAddr, (v) => ({ ...v, jailed: false }));
    this.calls.push({ op: "unjail", consAddr: toHex(consAddr) });
  }
}

/**
 * An app module that adds the fake's validators at genesis (so the slashing hooks run at height 0),
 * for chain tests with module order [slashing, fakeStaking].
 */
export function fakeStakingModule(
  staking: FakeStaking,
  validators: readonly {
    operator: Uint8Array;
    pubKey: Uint8Array;
    tokens: bigint;
    minSelfDelegation?: bigint;
  }[],
): AppModule {
  return {
    name: "fakestaking",
    async initGenesis(ctx) {
      for (const v of validators) {
        await staking.addValidator(ctx, v.operator, v.pubKey, v.tokens, {
          minSelfDelegation: v.minSelfDelegation,
        });
      }
    },
  };
}
