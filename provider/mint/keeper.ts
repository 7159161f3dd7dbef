import {
  type AppStore,
  type BankKeeper,
  decToString,
  event,
  FEE_COLLECTOR,
  type ModuleContext,
} from "../../app/index.ts";
import type { StakingKeeper } from "../staking/types.ts";
import { blockProvision, bondedRatio, nextAnnualProvisions, nextInflationRate } from "./minter.ts";
import { getMinter, getMintParams, MINT_MODULE, type Minter, type MintParams, setMinter } from "./types.ts";

/** x/mint's keeper: the minter and params, and the per-block inflation (SDK 0.50 abci.go). */
export class MintKeeper {
  readonly bank: BankKeeper;
  readonly staking: StakingKeeper;

  constructor(bank: BankKeeper, staking: StakingKeeper) {
    this.bank = bank;
    this.staking = staking;
  }

  params(store: AppStore): Promise<MintParams> {
    return getMintParams(store);
  }

  minter(store: AppStore): Promise<Minter> {
    return getMinter(store);
  }

  /** The staking token's supply and bonded ratio (x/staking's StakingTokenSupply and BondedRatio). */
  async bondedRatio(store: AppStore): Promise<{ supply: bigint; ratio: bigint }> {
    const supply = await this.bank.supplyOf(store, await this.staking.bondDenom(store));
    const ratio = supply > 0n ? bondedRatio(await this.staking.totalBondedTokens(store), supply) : 0n;
    return { supply, ratio };
  }

  /**
   * BeginBlocker: recomputes inflation from the bonded ratio and annual provisions from the staking
   * token's supply, stores the minter, mints this block's provision (if positive) to the mint module
   * and sends it to the fee collector, and emits `mint`. Costs O(1).
   */
  async beginBlock(ctx: ModuleContext): Promise<void> {
    const store = ctx.store;
    const params = await getMintParams(store);
    let minter = await getMinter(store);
    const { supply, ratio } = await this.bondedRatio(store);
    const inflation = nextInflationRate(minter, params, ratio);
    minter = { inflation, annualProvisions: nextAnnualProvisions({ ...minter, inflation }, supply) };
    setMinter(store, minter);
    const minted = blockProvision(minter, params);
    if (minted.amount > 0n) {
      await this.bank.mintCoins(store, MINT_MODULE, [minted], ctx.events);
      await this.bank.sendFromModuleToModule(store, MINT_MODULE, FEE_COLLECTOR, [minted], ctx.events);
    }
    ctx.events.push(
      event("mint", [
        ["bonded_ratio", decToString(ratio)],
        ["inflation", decToString(minter.inflation)],
        ["annual_provisions", decToString(minter.annualProvisions)],
        ["amount", minted.amount.toString()],
      ]),
    );
  }
}
