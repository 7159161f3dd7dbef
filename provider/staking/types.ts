import type { AppStore, Dec, ModuleContext } from "../../app/index.ts";

/**
 * x/staking's domain types and the keeper surface other provider modules use (distribution, slashing,
 * gov, and later the ICS provider module). Addresses are raw bytes: an operator address is the
 * operator's 20-byte account address (shown with the `<prefix>valoper` bech32 prefix); a consensus
 * address is sha256(ed25519 pubkey)[:20] (shown with `<prefix>valcons`). Times are nanoseconds since
 * the Unix epoch, from block headers. Shares and rates are 18-place Decs (see app/dec.ts).
 */

export const STAKING_MODULE = "staking";
export const BONDED_POOL = "bonded_tokens_pool";
export const NOT_BONDED_POOL = "not_bonded_tokens_pool";

/** Tokens per unit of consensus power (the SDK's DefaultPowerReduction): power = tokens / 10^6. */
export const POWER_REDUCTION = 1_000_000n;

/** The SDK's BondStatus, with its protobuf numbers (BOND_STATUS_UNBONDED = 1, ...). */
export type BondStatus = "unbonded" | "unbonding" | "bonded";

export interface Description {
  readonly moniker: string;
  readonly identity: string;
  readonly website: string;
  readonly securityContact: string;
  readonly details: string;
}

export interface Commission {
  readonly rate: Dec;
  readonly maxRate: Dec;
  readonly maxChangeRate: Dec;
  /** When the rate last changed (ns); a change is allowed once per 24 h. */
  readonly updateTime: bigint;
}

export interface Validator {
  readonly operator: Uint8Array;
  /** The ed25519 consensus public key (32 bytes). */
  readonly consPubKey: Uint8Array;
  readonly jailed: boolean;
  readonly status: BondStatus;
  readonly tokens: bigint;
  readonly delegatorShares: Dec;
  readonly description: Description;
  /** Height and completion time (ns) of the current unbonding, when status is "unbonding". */
  readonly unbondingHeight: number;
  readonly unbondingTime: bigint;
  readonly commission: Commission;
  readonly minSelfDelegation: bigint;
}

export interface Delegation {
  readonly delegator: Uint8Array;
  readonly validator: Uint8Array;
  readonly shares: Dec;
}

export interface UnbondingEntry {
  readonly creationHeight: number;
  readonly completionTime: bigint;
  readonly initialBalance: bigint;
  /** What is left to pay out (a slash lowers it). */
  readonly balance: bigint;
  readonly unbondingId: bigint;
}

export interface UnbondingDelegation {
  readonly delegator: Uint8Array;
  readonly validator: Uint8Array;
  readonly entries: readonly UnbondingEntry[];
}

export interface RedelegationEntry {
  readonly creationHeight: number;
  readonly completionTime: bigint;
  readonly initialBalance: bigint;
  /** Shares created at the destination (a slash removes some of them). */
  readonly sharesDst: Dec;
  readonly unbondingId: bigint;
}

export interface Redelegation {
  readonly delegator: Uint8Array;
  readonly src: Uint8Array;
  readonly dst: Uint8Array;
  readonly entries: readonly RedelegationEntry[];
}

export interface StakingParams {
  /** Unbonding period in nanoseconds (SDK default 21 days; devnets use seconds). */
  readonly unbondingTime: bigint;
  readonly maxValidators: number;
  readonly maxEntries: number;
  readonly historicalEntries: number;
  readonly bondDenom: string;
  readonly minCommissionRate: Dec;
}

/**
 * The SDK's StakingHooks, called inside the keeper at the same points as x/staking calls them, so F1
 * distribution and slashing stay consistent. Every hook is optional; several hook sets may be added.
 */
export interface StakingHooks {
  afterValidatorCreated?(ctx: ModuleContext, val: Uint8Array): Promise<void>;
  beforeValidatorModified?(ctx: ModuleContext, val: Uint8Array): Promise<void>;
  afterValidatorRemoved?(ctx: ModuleContext, consAddr: Uint8Array, val: Uint8Array): Promise<void>;
  afterValidatorBonded?(ctx: ModuleContext, consAddr: Uint8Array, val: Uint8Array): Promise<void>;
  afterValidatorBeginUnbonding?(ctx: ModuleContext, consAddr: Uint8Array, val: Uint8Array): Promise<void>;
  beforeDelegationCreated?(ctx: ModuleContext, del: Uint8Array, val: Uint8Array): Promise<void>;
  beforeDelegationSharesModified?(ctx: ModuleContext, del: Uint8Array, val: Uint8Array): Promise<void>;
  beforeDelegationRemoved?(ctx: ModuleContext, del: Uint8Array, val: Uint8Array): Promise<void>;
  afterDelegationModified?(ctx: ModuleContext, del: Uint8Array, val: Uint8Array): Promise<void>;
  beforeValidatorSlashed?(ctx: ModuleContext, val: Uint8Array, fraction: Dec): Promise<void>;
  /** An unbonding delegation, redelegation or validator unbonding began (ICS's AfterUnbondingInitiated). */
  afterUnbondingInitiated?(ctx: ModuleContext, unbondingId: bigint): Promise<void>;
}

/** What other modules may ask of staking. Reads take a store; writes a module context (for events/hooks). */
export interface StakingKeeper {
  addHooks(hooks: StakingHooks): void;
  params(store: AppStore): Promise<StakingParams>;
  setParams(store: AppStore, p: StakingParams): void;
  bondDenom(store: AppStore): Promise<string>;

  getValidator(store: AppStore, operator: Uint8Array): Promise<Validator | undefined>;
  getValidatorByConsAddr(store: AppStore, consAddr: Uint8Array): Promise<Validator | undefined>;
  /** Every validator, by operator address. */
  validators(store: AppStore): Promise<Validator[]>;
  /** Bonded validators by descending power (ties by operator address), at most maxValidators. */
  bondedValidatorsByPower(store: AppStore): Promise<Validator[]>;
  totalBondedTokens(store: AppStore): Promise<bigint>;
  /** The power each validator had in the last end block (what consensus runs with next). */
  lastValidatorPower(store: AppStore, operator: Uint8Array): Promise<bigint>;
  lastTotalPower(store: AppStore): Promise<bigint>;

  getDelegation(store: AppStore, del: Uint8Array, val: Uint8Array): Promise<Delegation | undefined>;
  delegatorDelegations(store: AppStore, del: Uint8Array): Promise<Delegation[]>;
  validatorDelegations(store: AppStore, val: Uint8Array): Promise<Delegation[]>;
  getUnbondingDelegation(
    store: AppStore,
    del: Uint8Array,
    val: Uint8Array,
  ): Promise<UnbondingDelegation | undefined>;

  /**
   * The SDK's Slash: burns `fraction` of the stake the validator had at `infractionHeight` (power is
   * its power then), taking first from unbonding delegations and redelegations that began at or after
   * the infraction, then from the validator's tokens. Returns the amount burned. Unknown or unbonded-
   * and-gone validators are a no-op returning 0.
   */
  slash(
    ctx: ModuleContext,
    consAddr: Uint8Array,
    infractionHeight: number,
    power: bigint,
    fraction: Dec,
  ): Promise<bigint>;
  jail(ctx: ModuleContext, consAddr: Uint8Array): Promise<void>;
  unjail(ctx: ModuleContext, consAddr: Uint8Array): Promise<void>;
}

/** sha256(pubkey)[:20]: the consensus address of an ed25519 key, as CometBFT and the SDK compute it. */
export { addressFromPubKey as consAddress } from "../../crypto/index.ts";

/** The consensus power of a bonded validator: tokens / 10^6 (0 unless bonded). */
export function consensusPower(v: Validator): bigint {
  return v.status === "bonded" ? v.tokens / POWER_REDUCTION : 0n;
}
