/**
 * Consumer rewards (x/ccv/consumer/keeper/distribution.go). Each EndBlock the fee collector is split:
 * consumer_redistribution_fraction (truncated per denom) moves to "cons_redistribute" and stays on the
 * consumer, the rest to "cons_to_send_to_provider". Every blocks_per_distribution_transmission blocks,
 * when CCV is established and the channel open, that account's balance goes to the provider's fee pool
 * by ICS-20 over the consumer's transfer channel (memo naming the consumer). The transfers of one
 * period are all-or-nothing; a failure leaves the tokens for the next period. Either way an event says
 * what happened and the period restarts.
 */
import {
  type BankKeeper,
  bech32Address,
  CacheStore,
  type Coin,
  DEC_ONE,
  decToString,
  event,
  FEE_COLLECTOR,
  formatCoins,
  type IbcKeeper,
  type ModuleContext,
} from "../app/index.ts";
import type { Event } from "../consensus/index.ts";
import { TRANSFER_PORT, voucherDenom } from "../ibc/index.ts";
import type { ConsumerParams } from "./params.ts";
import { MODULE } from "./relay.ts";
import { consumerState as S } from "./state.ts";

/** The module account whose balance stays on the consumer. */
export const CONS_REDISTRIBUTE = "cons_redistribute";
/** The module account buffering the provider's share until the next transmission. */
export const CONS_TO_SEND_TO_PROVIDER = "cons_to_send_to_provider";

/** DistributeRewardsInternally: splits the fee collector's balance between the two module accounts. */
export async function distributeRewardsInternally(
  ctx: ModuleContext,
  bank: BankKeeper,
  params: ConsumerParams,
): Promise<void> {
  const { store } = ctx;
  const fees = await bank.allBalances(store, bank.moduleAddress(FEE_COLLECTOR));
  if (fees.length === 0) return;
  const keep: Coin[] = [];
  const send: Coin[] = [];
  for (const c of fees) {
    const k = (c.amount * params.consumerRedistributionFraction) / DEC_ONE;
    if (k > 0n) keep.push({ denom: c.denom, amount: k });
    if (c.amount - k > 0n) send.push({ denom: c.denom, amount: c.amount - k });
  }
  await bank.sendFromModuleToModule(store, FEE_COLLECTOR, CONS_REDISTRIBUTE, keep, ctx.events);
  await bank.sendFromModuleToModule(store, FEE_COLLECTOR, CONS_TO_SEND_TO_PROVIDER, send, ctx.events);
}

/**
 * The denoms that may be sent: every denom held when no reward denoms are listed (icsd's default),
 * else the listed native `reward_denoms` and the vouchers of `provider_reward_denoms` that came over
 * the transfer channel. Sorted, as the balances are.
 */
function allowed(params: ConsumerParams, transferChannel: string, held: readonly Coin[]): Coin[] {
  if (params.rewardDenoms.length === 0 && params.providerRewardDenoms.length === 0) return [...held];
  const ok = new Set([
    ...params.rewardDenoms,
    ...params.providerRewardDenoms.map((d) => voucherDenom(`${TRANSFER_PORT}/${transferChannel}/${d}`)),
  ]);
  return held.filter((c) => ok.has(c.denom));
}

/** The memo the provider's middleware reads to credit the right consumer. */
export function rewardMemo(consumerId: string, chainId: string): string {
  return JSON.stringify({ provider: { consumerId, chainId, memo: "ICS rewards" } });
}

/** Whether a transmission is due at this height (height − last ≥ blocks_per_distribution_transmission). */
export async function transmissionDue(ctx: ModuleContext, params: ConsumerParams): Promise<boolean> {
  const last = await S.lastTransmissionHeight(ctx.store);
  return BigInt(ctx.block.height) - last >= params.blocksPerDistributionTransmission;
}

/** EndBlockRD: the internal split every block, the transmission when due. */
export async function endBlockRewards(ctx: ModuleContext, bank: BankKeeper, ibc: IbcKeeper): Promise<void> {
  const { store } = ctx;
  const params = await S.params(store);
  await distributeRewardsInternally(ctx, bank, params);
  if (!(await transmissionDue(ctx, params))) return;
  const height = BigInt(ctx.block.height);
  const last = await S.lastTransmissionHeight(store);
  S.setLastTransmissionHeight(store, height);
  const provider = (await S.provider(store))!;
  const sender = bank.moduleAddress(CONS_TO_SEND_TO_PROVIDER);
  const held = await bank.allBalances(store, sender);
  const coins = allowed(params, provider.transferChannelId, held);
  const attrs = (result: string, extra: [string, string][] = []) =>
    event("fee_distribution", [
      ["module", MODULE],
      ["current_distribution_height", height.toString()],
      ["last_distribution_height", last.toString()],
      ["next_distribution_height", (height + params.blocksPerDistributionTransmission).toString()],
      ["distribution_fraction", decToString(params.consumerRedistributionFraction)],
      ["total", formatCoins(held)],
      ["result", result],
      ...extra,
    ]);
  if (!(await S.established(store)) || (await S.channelClosed(store))) {
    ctx.events.push(attrs("skipped", [["reason", "CCV channel not established or closed"]]));
    return;
  }
  if (coins.length === 0) {
    ctx.events.push(attrs("nothing_to_send"));
    return;
  }
  const branch = new CacheStore(store);
  const events: Event[] = [];
  try {
    for (const c of coins) {
      await ibc.transfer(
        { ...ctx, store: branch, events },
        {
          sourcePort: TRANSFER_PORT,
          sourceChannel: provider.transferChannelId,
          denom: c.denom,
          amount: c.amount,
          sender: bech32Address(sender, bank.prefix),
          receiver: params.providerFeePoolAddrStr,
          memo: rewardMemo(params.consumerId, provider.consumerChainId),
          timeoutHeight: 0n,
          timeoutTimestamp: ctx.block.time + params.transferTimeoutPeriod,
        },
      );
    }
  } catch (e) {
    ctx.events.push(attrs("failed", [["error", (e as Error).message]]));
    return;
  }
  branch.write();
  ctx.events.push(...events, attrs("sent", [["to_provider", formatCoins(coins)]]));
}
