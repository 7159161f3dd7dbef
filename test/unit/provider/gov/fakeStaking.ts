import type { AppStore, Dec } from "../../../../app/index.ts";
import { decFromInt } from "../../../../app/index.ts";
import type {
  Delegation,
  StakingKeeper,
  StakingParams,
  Validator,
} from "../../../../provider/staking/types.ts";

const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");

function notUsed(name: string): never {
  throw new Error(`FakeStaking.${name} is not used by gov`);
}

/**
 * A StakingKeeper of fixed bonded validators and delegations held in memory (not in the store), enough
 * for gov's tally: bondedValidatorsByPower, delegatorDelegations, totalBondedTokens, getValidator.
 */
export class FakeStaking implements StakingKeeper {
  private readonly vals = new Map<string, Validator>();
  private readonly dels: Delegation[] = [];

  /** Adds a bonded validator with `tokens` and as many shares (1 share per token unless given). */
  addValidator(operator: Uint8Array, tokens: bigint, shares: Dec = decFromInt(tokens)): void {
    this.vals.set(hex(operator), {
      operator,
      consPubKey: new Uint8Array(32),
      jailed: false,
      status: "bonded",
      tokens,
      delegatorShares: shares,
      description: { moniker: "", identity: "", website: "", securityContact: "", details: "" },
      unbondingHeight: 0,
      unbondingTime: 0n,
      commission: { rate: 0n, maxRate: 0n, maxChangeRate: 0n, updateTime: 0n },
      minSelfDelegation: 1n,
    });
  }

  /** Adds a delegation of `shares` (a Dec) from `delegator` to `validator`. */
  delegate(delegator: Uint8Array, validator: Uint8Array, shares: Dec): void {
    this.dels.push({ delegator, validator, shares });
  }

  addHooks(): void {}
  async params(): Promise<StakingParams> {
    return notUsed("params");
  }
  setParams(): void {
    notUsed("setParams");
  }
  async bondDenom(): Promise<string> {
    return "stake";
  }
  async getValidator(_store: AppStore, operator: Uint8Array): Promise<Validator | undefined> {
    return this.vals.get(hex(operator));
  }
  async getValidatorByConsAddr(): Promise<Validator | undefined> {
    return notUsed("getValidatorByConsAddr");
  }
  async validators(): Promise<Validator[]> {
    return [...this.vals.values()];
  }
  async bondedValidatorsByPower(): Promise<Validator[]> {
    return [...this.vals.values()]
      .filter((v) => v.status === "bonded")
      .sort((a, b) =>
        a.tokens === b.tokens ? Buffer.compare(a.operator, b.operator) : a.tokens > b.tokens ? -1 : 1,
      );
  }
  async totalBondedTokens(): Promise<bigint> {
    return [...this.vals.values()].filter((v) => v.status === "bonded").reduce((s, v) => s + v.tokens, 0n);
  }
  async lastValidatorPower(): Promise<bigint> {
    return notUsed("lastValidatorPower");
  }
  async lastTotalPower(): Promise<bigint> {
    return notUsed("lastTotalPower");
  }
  async getDelegation(_store: AppStore, del: Uint8Array, val: Uint8Array): Promise<Delegation | undefined> {
    return this.dels.find((d) => hex(d.delegator) === hex(del) && hex(d.validator) === hex(val));
  }
  async delegatorDelegations(_store: AppStore, del: Uint8Array): Promise<Delegation[]> {
    return this.dels.filter((d) => hex(d.delegator) === hex(del));
  }
  async validatorDelegations(_store: AppStore, val: Uint8Array): Promise<Delegation[]> {
    return this.dels.filter((d) => hex(d.validator) === hex(val));
  }
  async getUnbondingDelegation(): Promise<undefined> {
    return notUsed("getUnbondingDelegation");
  }
  async slash(): Promise<bigint> {
    return notUsed("slash");
  }
  async jail(): Promise<void> {
    notUsed("jail");
  }
  async unjail(): Promise<void> {
    notUsed("unjail");
  }
}
