import {
  type AppStore,
  bech32Address,
  type Dec,
  decMulInt,
  decQuo,
  decTruncate,
  event,
  type ModuleContext,
} from "../../app/index.ts";
import { consAddress, type StakingHooks, type StakingKeeper } from "../staking/types.ts";
import {
  errMissingSelfDelegation,
  errNoSigningInfoFound,
  errNoValidatorForAddress,
  errSelfDelegationTooLowToUnjail,
  errValidatorJailed,
  errValidatorNotJailed,
  errValidatorTombstoned,
} from "./errors.ts";
import { pubkeyKey } from "./keys.ts";
import { getParams, type SlashingParams, setParams } from "./params.ts";
import { newSigningInfo, type SigningInfo, SigningInfoStore } from "./signingInfo.ts";

/** The reason attribute of a "slash" event (x/slashing/types/events.go). */
export type InfractionReason = "missing_signature" | "double_sign";

/**
 * x/slashing's keeper: params, signing infos, missed-block bits and the consensus-address → pubkey
 * relation, the SDK's Slash/Jail/JailUntil/Tombstone wrappers (with their events) and Unjail.
 */
export class SlashingKeeper {
  readonly staking: StakingKeeper;
  readonly signingInfos: SigningInfoStore;
  /** The account bech32 prefix; consensus addresses use `<prefix>valcons`, operators `<prefix>valoper`. */
  readonly prefix: string;

  constructor(staking: StakingKeeper, bech32Prefix: string) {
    this.staking = staking;
    this.prefix = bech32Prefix;
    this.signingInfos = new SigningInfoStore(bech32Prefix);
  }

  params(store: AppStore): Promise<SlashingParams> {
    return getParams(store);
  }

  setParams(store: AppStore, p: SlashingParams): void {
    setParams(store, p);
  }

  /** The `<prefix>valcons` bech32 of a consensus address (the SDK's ConsAddress.String). */
  consAddrString(consAddr: Uint8Array): string {
    return bech32Address(consAddr, `${this.prefix}valcons`);
  }

  getSigningInfo(store: AppStore, consAddr: Uint8Array): Promise<SigningInfo | undefined> {
    return this.signingInfos.get(store, consAddr);
  }

  setSigningInfo(store: AppStore, info: SigningInfo): void {
    this.signingInfos.set(store, info);
  }

  /** AddPubkey: records the consensus key under its address (the SDK's AddrPubkeyRelation). */
  addPubkey(store: AppStore, pubKey: Uint8Array): void {
    store.set(pubkeyKey(consAddress(pubKey)), pubKey);
  }

  getPubkey(store: AppStore, consAddr: Uint8Array): Promise<Uint8Array | undefined> {
    return store.get(pubkeyKey(consAddr));
  }

  deletePubkey(store: AppStore, consAddr: Uint8Array): void {
    store.delete(pubkeyKey(consAddr));
  }

  async isTombstoned(store: AppStore, consAddr: Uint8Array): Promise<boolean> {
    return (await this.getSigningInfo(store, consAddr))?.tombstoned ?? false;
  }

  /**
   * The SDK's slashing Keeper.SlashWithInfractionReason: staking's slash, then a "slash" event with
   * address, power, reason and burned_coins. Returns the amount burned.
   */
  async slash(
    ctx: ModuleContext,
    consAddr: Uint8Array,
    fraction: Dec,
    power: bigint,
    distributionHeight: number,
    reason: InfractionReason,
  ): Promise<bigint> {
    const burned = await this.staking.slash(ctx, consAddr, distributionHeight, power, fraction);
    ctx.events.push(
      event("slash", [
        ["address", this.consAddrString(consAddr)],
        ["power", power.toString()],
        ["reason", reason],
        ["burned_coins", burned.toString()],
      ]),
    );
    return burned;
  }

  /** The SDK's slashing Keeper.Jail: staking's jail, then a "slash" event {jailed: consAddr}. */
  async jail(ctx: ModuleContext, consAddr: Uint8Array): Promise<void> {
    await this.staking.jail(ctx, consAddr);
    ctx.events.push(event("slash", [["jailed", this.consAddrString(consAddr)]]));
  }

  /** JailUntil: sets the signing info's jailed_until; the validator must have a signing info. */
  async jailUntil(store: AppStore, consAddr: Uint8Array, until: bigint): Promise<void> {
    const info = await this.getSigningInfo(store, consAddr);
    if (!info)
      throw errNoSigningInfoFound("cannot jail validator that does not have any signing information");
    this.setSigningInfo(store, { ...info, jailedUntil: until });
  }

  /** Tombstone: marks the signing info; a validator without one, or already tombstoned, is an error. */
  async tombstone(store: AppStore, consAddr: Uint8Array): Promise<void> {
    const info = await this.getSigningInfo(store, consAddr);
    if (!info) {
      throw errNoSigningInfoFound("cannot tombstone validator that does not have any signing information");
    }
    if (info.tombstoned)
      throw errValidatorTombstoned("cannot tombstone validator that is already tombstoned");
    this.setSigningInfo(store, { ...info, tombstoned: true });
  }

  /**
   * The SDK's Keeper.Unjail, checks in the SDK's order: the validator exists, has a self-delegation
   * worth at least its min self-delegation, is jailed, and (when it has a signing info, i.e. was ever
   * bonded) is not tombstoned and its jail time is over. Then staking unjails it.
   */
  async unjail(ctx: ModuleContext, operator: Uint8Array): Promise<void> {
    const { store } = ctx;
    const validator = await this.staking.getValidator(store, operator);
    if (!validator) throw errNoValidatorForAddress();
    const selfDel = await this.staking.getDelegation(store, operator, operator);
    if (!selfDel) throw errMissingSelfDelegation();
    // TokensFromShares(shares).TruncateInt(): shares × tokens / delegatorShares.
    const tokens =
      validator.delegatorShares === 0n
        ? 0n
        : decTruncate(decQuo(decMulInt(selfDel.shares, validator.tokens), validator.delegatorShares));
    if (tokens < validator.minSelfDelegation) {
      throw errSelfDelegationTooLowToUnjail(`${tokens} less than ${validator.minSelfDelegation}`);
    }
    if (!validator.jailed) throw errValidatorNotJailed();
    const consAddr = consAddress(validator.consPubKey);
    const info = await this.getSigningInfo(store, consAddr);
    if (info) {
      // A tombstoned validator can never be unjailed; the SDK returns ErrValidatorJailed for it.
      if (info.tombstoned) throw errValidatorJailed();
      // sdkCtx.BlockHeader().Time.Before(info.JailedUntil)
      if (ctx.block.time < info.jailedUntil) throw errValidatorJailed();
    }
    await this.staking.unjail(ctx, consAddr);
  }

  /** x/slashing's StakingHooks (x/slashing/keeper/hooks.go). */
  hooks(): StakingHooks {
    return {
      afterValidatorCreated: async (ctx, val) => {
        const v = await this.staking.getValidator(ctx.store, val);
        if (v) this.addPubkey(ctx.store, v.consPubKey);
      },
      afterValidatorBonded: async (ctx, consAddr, val) => {
        // Existing info: the window restarts at this height; otherwise a fresh info starting here.
        const height = BigInt(ctx.block.height);
        const info = await this.getSigningInfo(ctx.store, consAddr);
        this.setSigningInfo(
          ctx.store,
          info ? { ...info, startHeight: height } : newSigningInfo(consAddr, height),
        );
        // Not in the SDK's hook: keeps the pubkey relation present for every validator that can sign,
        // even one a staking genesis imported without AfterValidatorCreated.
        if (!(await this.getPubkey(ctx.store, consAddr))) {
          const v = await this.staking.getValidator(ctx.store, val);
          if (v) this.addPubkey(ctx.store, v.consPubKey);
        }
      },
      afterValidatorRemoved: async (ctx, consAddr) => {
        this.deletePubkey(ctx.store, consAddr);
      },
    };
  }
}
