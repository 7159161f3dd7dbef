import {
  type AppStore,
  type BankKeeper,
  bech32Address,
  CacheStore,
  type Coin,
  DEC_ONE,
  type DecCoin,
  decFromInt,
  decQuoTruncate,
  event,
  FEE_COLLECTOR,
  formatCoins,
  type ModuleContext,
  moduleAddress,
} from "../../app/index.ts";
import type { CommitInfo } from "../../consensus/index.ts";
import type { Delegation, StakingKeeper, Validator } from "../staking/types.ts";
import {
  addDec,
  decCoinsFromCoins,
  formatDecCoins,
  intersectDec,
  mulDec,
  mulDecTruncate,
  PROVIDER_SOURCE,
  subDec,
  sumBySource,
  takeFromSources,
  truncateDecimal,
  withSource,
} from "./decCoins.ts";
import {
  calculateDelegationRewards,
  currentRewards,
  decrementReferenceCount,
  incrementValidatorPeriod,
  initializeDelegation,
} from "./f1.ts";
import {
  addToCommunityPool,
  allHistorical,
  deleteCommission,
  deleteCurrent,
  deleteHistorical,
  deleteOutstanding,
  deleteSlashEvents,
  deleteStartingInfo,
  getCommission,
  getCommunityPool,
  getOutstanding,
  getStartingInfo,
  getWithdrawAddr,
  setCommission,
  setCurrent,
  setOutstanding,
  setWithdrawAddr,
  slashEventsBetween,
} from "./state.ts";
import {
  DISTRIBUTION_MODULE,
  errEmptyDelegationDistInfo,
  errNoDelegation,
  errNoValidatorCommission,
  errNoValidatorFound,
  errSetWithdrawAddrDisabled,
  getDistributionParams,
} from "./types.ts";

const MAX_HEIGHT = 0xffff_ffff_ffff_ffffn;

/**
 * x/distribution's keeper (SDK 0.50): fee allocation in BeginBlock, F1 rewards, withdrawals, the
 * community pool. Coins allocated to validators are tracked per source (see decCoins.ts); payouts and
 * the SDK's queries sum the sources. The distribution module account holds every allocated coin.
 */
export class DistributionKeeper {
  readonly bank: BankKeeper;
  readonly staking: StakingKeeper;

  constructor(bank: BankKeeper, staking: StakingKeeper) {
    this.bank = bank;
    this.staking = staking;
  }

  get prefix(): string {
    return this.bank.prefix;
  }

  /** Bech32 of an operator address with the `<prefix>valoper` prefix. */
  valoper(op: Uint8Array): string {
    return bech32Address(op, `${this.prefix}valoper`);
  }

  account(addr: Uint8Array): string {
    return bech32Address(addr, this.prefix);
  }

  /** The validator, or staking's ErrNoValidatorFound as SDK 0.50's stakingKeeper.Validator returns. */
  async validator(store: AppStore, op: Uint8Array): Promise<Validator> {
    const v = await this.staking.getValidator(store, op);
    if (!v) throw errNoValidatorFound();
    return v;
  }

  /** The delegation, or staking's ErrNoDelegation as SDK 0.50's stakingKeeper.Delegation returns. */
  async delegation(store: AppStore, del: Uint8Array, op: Uint8Array): Promise<Delegation> {
    const d = await this.staking.getDelegation(store, del, op);
    if (!d) throw errNoDelegation();
    return d;
  }

  async communityPool(store: AppStore): Promise<DecCoin[]> {
    return getCommunityPool(store);
  }

  /** Where a delegator's rewards (and an operator's commission) are paid: the delegator unless set. */
  async withdrawAddr(store: AppStore, del: Uint8Array): Promise<Uint8Array> {
    return getWithdrawAddr(store, del);
  }

  /** SetWithdrawAddr: refuses module accounts and a disabled param; emits set_withdraw_address. */
  async setWithdrawAddr(ctx: ModuleContext, del: Uint8Array, to: Uint8Array): Promise<void> {
    this.bank.checkNotBlocked(to);
    if (!(await getDistributionParams(ctx.store)).withdrawAddrEnabled) throw errSetWithdrawAddrDisabled();
    ctx.events.push(event("set_withdraw_address", [["withdraw_address", this.account(to)]]));
    setWithdrawAddr(ctx.store, del, to);
  }

  /**
   * AllocateTokens (BeginBlock, from height 2): moves the fee collector's whole balance to this module;
   * each validator in the last commit gets fees × (1 − community_tax) × power/totalPower (truncated,
   * signed or not, as SDK 0.50), under source "provider"; the rest goes to the community pool.
   */
  async allocateTokens(ctx: ModuleContext, votes: CommitInfo["votes"]): Promise<void> {
    const store = ctx.store;
    const feesInt = await this.bank.allBalances(store, moduleAddress(FEE_COLLECTOR));
    const fees = decCoinsFromCoins(feesInt);
    await this.bank.sendFromModuleToModule(store, FEE_COLLECTOR, DISTRIBUTION_MODULE, feesInt, ctx.events);
    const totalPower = votes.reduce((s, v) => s + v.power, 0n);
    if (totalPower === 0n) {
      await addToCommunityPool(store, fees);
      return;
    }
    const { communityTax } = await getDistributionParams(store);
    const feeMultiplier = mulDecTruncate(fees, DEC_ONE - communityTax);
    let remaining = fees;
    for (const vote of votes) {
      const val = await this.staking.getValidatorByConsAddr(store, vote.address);
      // The SDK fails the block for an unknown validator; icsd leaves its share to the community pool.
      if (!val) continue;
      const powerFraction = decQuoTruncate(decFromInt(vote.power), decFromInt(totalPower));
      const reward = mulDecTruncate(feeMultiplier, powerFraction);
      await this.allocateTokensToValidator(ctx, val, reward, PROVIDER_SOURCE);
      remaining = subDec(remaining, reward);
    }
    await addToCommunityPool(store, remaining);
  }

  /**
   * AllocateTokensToValidator: `tokens` (real denoms, already held by the distribution module account)
   * from `source` go to `val`: commission = tokens × rate (rounded) to its accumulated commission, the
   * rest to its current rewards, all to its outstanding rewards. Events `commission` and `rewards`.
   * The ICS provider module calls this with a consumer chain id as the source.
   */
  async allocateTokensToValidator(
    ctx: ModuleContext,
    val: Validator,
    tokens: readonly DecCoin[],
    source: string,
  ): Promise<void> {
    const store = ctx.store;
    const op = val.operator;
    const keyed = withSource(source, tokens);
    const commission = mulDec(keyed, val.commission.rate);
    const shared = subDec(keyed, commission);
    ctx.events.push(
      event("commission", [
        ["amount", formatDecCoins(sumBySource(commission))],
        ["validator", this.valoper(op)],
      ]),
    );
    setCommission(store, op, addDec(await getCommission(store, op), commission));
    const cur = await currentRewards(store, op);
    setCurrent(store, op, { rewards: addDec(cur.rewards, shared), period: cur.period });
    ctx.events.push(
      event("rewards", [
        ["amount", formatDecCoins(sumBySource(keyed))],
        ["validator", this.valoper(op)],
      ]),
    );
    setOutstanding(store, op, addDec(await getOutstanding(store, op), keyed));
  }

  /** WithdrawDelegationRewards: pays out and restarts the delegation's reward tracking. */
  async withdrawDelegationRewards(ctx: ModuleContext, del: Uint8Array, op: Uint8Array): Promise<Coin[]> {
    const val = await this.validator(ctx.store, op);
    const d = await this.delegation(ctx.store, del, op);
    const rewards = await this.withdrawRewards(ctx, val, d);
    await initializeDelegation(ctx.store, val, d, ctx.block.height);
    return rewards;
  }

  /**
   * withdrawDelegationRewards (also the BeforeDelegationSharesModified hook): ends the period, pays the
   * rewards (capped by outstanding, summed over sources, truncated) to the withdraw address, the
   * decimal change to the community pool, and drops the delegation's starting info.
   */
  async withdrawRewards(ctx: ModuleContext, val: Validator, del: Delegation): Promise<Coin[]> {
    const store = ctx.store;
    const op = val.operator;
    const info = await getStartingInfo(store, op, del.delegator);
    if (!info) throw errEmptyDelegationDistInfo();
    const endingPeriod = await incrementValidatorPeriod(store, val);
    const raw = await calculateDelegationRewards(store, val, del, endingPeriod, BigInt(ctx.block.height));
    const outstanding = await getOutstanding(store, op);
    // Defensive: the last digits may exceed outstanding through operation order.
    const rewards = intersectDec(raw, outstanding);
    const { coins, change } = truncateDecimal(sumBySource(rewards));
    if (coins.length > 0) {
      const to = await getWithdrawAddr(store, del.delegator);
      await this.bank.sendFromModuleToAccount(store, DISTRIBUTION_MODULE, to, coins, ctx.events);
    }
    setOutstanding(store, op, subDec(outstanding, rewards));
    await addToCommunityPool(store, change);
    await decrementReferenceCount(store, op, info.previousPeriod);
    deleteStartingInfo(store, op, del.delegator);
    // As SDK 0.50: a zero withdrawal reports one zero coin of the base denom.
    const shown = coins.length > 0 ? coins : [{ denom: await this.staking.bondDenom(store), amount: 0n }];
    ctx.events.push(
      event("withdraw_rewards", [
        ["amount", formatCoins(shown)],
        ["validator", this.valoper(op)],
        ["delegator", this.account(del.delegator)],
      ]),
    );
    return shown;
  }

  /**
   * WithdrawValidatorCommission: the integral part (summed over sources) to the operator's withdraw
   * address; the decimal change stays accumulated. ErrNoValidatorCommission when there is none.
   */
  async withdrawValidatorCommission(ctx: ModuleContext, op: Uint8Array): Promise<Coin[]> {
    const store = ctx.store;
    const accum = await getCommission(store, op);
    if (accum.length === 0) throw errNoValidatorCommission();
    const { coins } = truncateDecimal(sumBySource(accum));
    const left = takeFromSources(accum, decCoinsFromCoins(coins));
    setCommission(store, op, left);
    const taken = subDec(accum, left);
    setOutstanding(store, op, subDec(await getOutstanding(store, op), taken));
    if (coins.length > 0) {
      const to = await getWithdrawAddr(store, op);
      await this.bank.sendFromModuleToAccount(store, DISTRIBUTION_MODULE, to, coins, ctx.events);
    }
    ctx.events.push(event("withdraw_commission", [["amount", formatCoins(coins)]]));
    return coins;
  }

  /** FundCommunityPool: the depositor's coins to this module and the community pool. */
  async fundCommunityPool(ctx: ModuleContext, amount: readonly Coin[], depositor: Uint8Array): Promise<void> {
    await this.bank.sendFromAccountToModule(ctx.store, depositor, DISTRIBUTION_MODULE, amount, ctx.events);
    await addToCommunityPool(ctx.store, decCoinsFromCoins(amount));
  }

  /**
   * AfterValidatorRemoved: pays out the accumulated commission (change to the community pool), sends
   * the outstanding dust to the community pool and deletes every record of the validator.
   */
  async afterValidatorRemoved(ctx: ModuleContext, op: Uint8Array): Promise<void> {
    const store = ctx.store;
    let outstanding = await getOutstanding(store, op);
    const commission = await getCommission(store, op);
    if (commission.length > 0) {
      outstanding = subDec(outstanding, commission);
      const { coins, change } = truncateDecimal(sumBySource(commission));
      await addToCommunityPool(store, change);
      if (coins.length > 0) {
        const to = await getWithdrawAddr(store, op);
        await this.bank.sendFromModuleToAccount(store, DISTRIBUTION_MODULE, to, coins, ctx.events);
      }
    }
    await addToCommunityPool(store, sumBySource(outstanding));
    deleteOutstanding(store, op);
    deleteCommission(store, op);
    deleteSlashEvents(store, op, await slashEventsBetween(store, op, 0n, MAX_HEIGHT));
    for (const h of await allHistorical(store, op)) deleteHistorical(store, op, h.period);
    deleteCurrent(store, op);
  }

  /**
   * What a delegation could withdraw now (keyed by source), computed on a scratch branch of `store`
   * as the SDK's query does (ending the period must not be written). `height` is the state's height.
   */
  async pendingRewards(
    store: AppStore,
    height: number | bigint,
    val: Validator,
    del: Delegation,
  ): Promise<DecCoin[]> {
    const scratch = new CacheStore(store);
    const endingPeriod = await incrementValidatorPeriod(scratch, val);
    return calculateDelegationRewards(scratch, val, del, endingPeriod, BigInt(height));
  }
}
