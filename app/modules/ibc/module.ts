/**
 * The ibc app module: light clients, channels and packets (ibc/) behind ibc-go's messages and
 * queries, ICS-20 on the "transfer" port, and any other applications bound to their ports (the
 * interchain-security module binds its CCV ports through `apps`).
 */
import type { AppModule } from "../../module.ts";
import type { BaseKeepers } from "../../sdkApp.ts";
import type { AppStore } from "../../store.ts";
import { initIbcGenesis } from "./genesis.ts";
import { type IbcAppFactory, IbcKeeper } from "./keeper.ts";
import { ibcMsgRoutes } from "./msgs.ts";
import { ibcQueries } from "./queries.ts";
import { readDenomTrace } from "./transferBank.ts";

/** Options of the ibc module. */
export interface IbcModuleOptions {
  /** Applications bound to ports other than "transfer" (always ICS-20), built per context. */
  readonly apps?: Readonly<Record<string, IbcAppFactory>>;
}

/**
 * Voucher supply has a recorded trace: every "ibc/{HASH}" denom with supply was minted by ICS-20 after
 * it recorded the trace, so one without is a voucher nobody can send back (broken conservation).
 */
async function ibcInvariants(store: AppStore, k: IbcKeeper): Promise<string[]> {
  const broken: string[] = [];
  for (const c of await k.bank.totalSupply(store)) {
    if (!c.denom.startsWith("ibc/")) continue;
    if ((await readDenomTrace(store, c.denom.slice(4))) === undefined) {
      broken.push(`ibc: voucher ${c.denom} has supply ${c.amount} but no denom trace`);
    }
  }
  return broken;
}

/**
 * The ibc module named "ibc" (its genesis is app_state.ibc). Registers the "transfer" module account
 * (minter, burner) on the bank. Its keeper's `sendPacket` is how other modules send packets.
 */
export function ibcModule(
  base: BaseKeepers,
  opts: IbcModuleOptions = {},
): { module: AppModule; keeper: IbcKeeper } {
  const keeper = new IbcKeeper(base, opts.apps ?? {});
  const module: AppModule = {
    name: "ibc",
    msgs: ibcMsgRoutes(keeper),
    queries: ibcQueries(keeper),
    initGenesis: (ctx, state) => initIbcGenesis(ctx, keeper, state),
    async beginBlock(ctx) {
      // Not state: the clock of ClientStatus queries, which run outside any block.
      keeper.lastBlockTime = ctx.block.time;
    },
    invariants: (store) => ibcInvariants(store, keeper),
  };
  return { module, keeper };
}
