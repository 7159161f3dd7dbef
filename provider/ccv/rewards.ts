/**
 * Consumer rewards on the provider (interchain-security `ibc_middleware.go` OnRecvPacket and
 * `keeper/distribution.go`): ICS-20 transfers into the consumer rewards pool are credited to the
 * consumer named in the memo `{"provider":{"consumerId":..,"chainId":..,"memo":..}}` (else to the
 * consumer whose light client the channel is bound to); each block (from height 2) every credited
 * amount is split as the distribution module splits fees: community tax to the community pool, the rest
 * to the consumer's validators by consumer power (those in its set for at least
 * number_of_epochs_to_start_receiving_rewards × blocks_per_epoch blocks), each with its per-consumer
 * commission (default its provider commission), through distribution's AllocateTokensToValidator so
 * delegators earn their share by F1. Decimal change stays credited for the next block.
 *
 * Distribution tracks rewards per source (provider/distribution/decCoins.ts): consumer rewards are
 * allocated under the consumer's chain id, so the Rewards query can split a delegator's pending rewards
 * into base ("provider") and per-consumer parts; a provider-source reward in an `ibc/` voucher whose
 * trace enters through a consumer's transfer channel is attributed to that consumer as well.
 *
 * Deviations: a consumer with no allowlisted reward denoms has every denom distributed (the reference
 * distributes only allowlisted denoms, which a default icsd devnet never sets); there is no hard-coded
 * Stride case. Cumulative totals per consumer and denom (received, paid to validators, sent to the
 * community pool) are kept for the query.
 */
import {
  type AppStore,
  addressBytes,
  bech32Address,
  CacheStore,
  DEC_ONE,
  type Dec,
  decFromInt,
  decFromString,
  decMulTruncate,
  decQuoTruncate,
  decToString,
  event,
  type IbcKeeper,
  type ModuleContext,
  moduleAddress,
  prefixEnd,
  type QueryHandler,
  SdkError,
} from "../../app/index.ts";
import { readDenomTrace } from "../../app/modules/ibc/index.ts";
import { type FungibleTokenPacketData, getChannel, type Packet } from "../../ibc/index.ts";
import { concatBytes, errorMessage, fromUtf8, uint64Be, utf8 } from "../../utils/index.ts";
import {
  bySource,
  type DistributionKeeper,
  getDistributionParams,
  PROVIDER_SOURCE,
} from "../distribution/index.ts";
import { getCommission } from "../distribution/state.ts";
import type { StakingKeeper, Validator } from "../staking/index.ts";
import type { ProviderKeeper } from "./keeper.ts";

/** The module account consumers send rewards to (the reference's ConsumerRewardsPool). */
export const CONSUMER_REWARDS_POOL_NAME = "consumer_rewards_pool";
/** The JSON query of a delegator's or validator's pending rewards split by consumer. */
export const REWARDS_QUERY_PATH = "/icsd.provider.v1.Query/Rewards";

// ---- what rewards need from the provider module ---------------------------------------------------

/** A consumer as reward handling sees it. */
export interface RewardsConsumer {
  readonly consumerId: string;
  readonly chainId: string;
  /** The provider's client of the consumer ("" before launch). */
  readonly clientId: string;
  /** The provider end of the consumer's transfer channel ("" before launch). */
  readonly transferChannelId: string;
  /** Allowlisted reward denoms (empty: every denom). */
  readonly rewardDenoms: readonly string[];
}

/** One validator of a consumer's current set. */
export interface RewardsValidator {
  readonly providerConsAddr: Uint8Array;
  readonly power: bigint;
  /** Provider height at which it joined the consumer's set. */
  readonly joinHeight: bigint;
}

/** The provider module's state rewards read (adapted from the ProviderKeeper by rewardsConsumersOf). */
export interface RewardsConsumers {
  /** Every consumer with a client (launched or stopped), by consumer id. */
  consumers(store: AppStore): Promise<RewardsConsumer[]>;
  validators(store: AppStore, consumerId: string): Promise<RewardsValidator[]>;
  /** The validator's commission rate on this consumer (Dec text), if it set one. */
  commissionRate(
    store: AppStore,
    consumerId: string,
    providerConsAddr: Uint8Array,
  ): Promise<string | undefined>;
  /** number_of_epochs_to_start_receiving_rewards × blocks_per_epoch. */
  blocksToStartReceivingRewards(store: AppStore): Promise<bigint>;
}

/** Everything reward handling uses. */
export interface RewardsKeepers {
  readonly consumers: RewardsConsumers;
  readonly staking: Pick<StakingKeeper, "getValidatorByConsAddr" | "getValidator" | "delegatorDelegations">;
  readonly distribution: DistributionKeeper;
  /** The account bech32 prefix. */
  readonly prefix: string;
}

/** The RewardsConsumers of the provider module's keeper. */
export function rewardsConsumersOf(p: ProviderKeeper): RewardsConsumers {
  return {
    async consumers(store) {
      return (await p.consumers(store))
        .filter((r) => r.clientId !== "")
        .map((r) => ({
          consumerId: r.consumerId.toString(),
          chainId: r.chainId,
          clientId: r.clientId,
          transferChannelId: r.transferChannelId,
          rewardDenoms: r.rewardDenoms,
        }));
    },
    async validators(store, id) {
      return p.consumerValidators(store, BigInt(id));
    },
    commissionRate: (store, id, addr) => p.consumerCommissionRate(store, BigInt(id), addr),
    async blocksToStartReceivingRewards(store) {
      const params = await p.params(store);
      return params.numberOfEpochsToStartReceivingRewards * params.blocksPerEpoch;
    },
  };
}

// ---- state: prw/<kind>/<consumer id u64><denom> -> decimal text -------------------------------------

const P_ALLOC = utf8("prw/a/");
const P_RECEIVED = utf8("prw/r/");
const P_PAID = utf8("prw/p/");
const P_COMMUNITY = utf8("prw/c/");

function idBytes(consumerId: string): Uint8Array {
  return uint64Be(BigInt(consumerId));
}

function key(prefix: Uint8Array, consumerId: string, denom: string): Uint8Array {
  return concatBytes(prefix, idBytes(consumerId), utf8(denom));
}

async function readAmount(store: AppStore, k: Uint8Array): Promise<bigint> {
  const b = await store.get(k);
  return b === undefined ? 0n : BigInt(fromUtf8(b));
}

function writeAmount(store: AppStore, k: Uint8Array, v: bigint): void {
  if (v === 0n) store.delete(k);
  else store.set(k, utf8(v.toString()));
}

async function addAmount(store: AppStore, k: Uint8Array, v: bigint): Promise<void> {
  if (v !== 0n) writeAmount(store, k, (await readAmount(store, k)) + v);
}

/** Every (denom, amount) under a consumer's prefix, by denom. */
async function amounts(store: AppStore, prefix: Uint8Array, consumerId: string): Promise<[string, bigint][]> {
  const p = concatBytes(prefix, idBytes(consumerId));
  const out: [string, bigint][] = [];
  for await (const [k, v] of store.iterate({ gte: p, lt: prefixEnd(p) })) {
    out.push([fromUtf8(k.slice(p.length)), BigInt(fromUtf8(v))]);
  }
  return out;
}

/** The consumer rewards waiting for distribution (Dec atomics per denom). */
export async function pendingAllocation(store: AppStore, consumerId: string): Promise<[string, Dec][]> {
  return amounts(store, P_ALLOC, consumerId);
}

// ---- the transfer middleware ----------------------------------------------------------------------

/** The consumer id of a reward memo (GetRewardMemoFromTransferMemo), or undefined when it is not one. */
export function rewardMemoConsumerId(memo: string): string | undefined {
  if (memo === "") return undefined;
  let j: unknown;
  try {
    j = JSON.parse(memo);
  } catch {
    return undefined;
  }
  const p = (j as { provider?: unknown } | null)?.provider;
  if (typeof p !== "object" || p === null) return undefined;
  const id = (p as { consumerId?: unknown }).consumerId;
  return typeof id === "string" && /^(0|[1-9][0-9]{0,19})$/.test(id) ? id : undefined;
}

/**
 * The transfer receive hook (register with IbcKeeper.addTransferReceiveHook): a successful transfer to
 * the rewards pool is credited to the memo's consumer, else to the consumer whose client the receiving
 * channel is bound to; anything else (another receiver, an unknown consumer) is left alone. Emits
 * `consumer_rewards` {consumer_id, chain_id, denom, amount}.
 */
export function consumerRewardsHook(k: RewardsKeepers) {
  const pool = bech32Address(moduleAddress(CONSUMER_REWARDS_POOL_NAME), k.prefix);
  return async (ctx: ModuleContext, packet: Packet, data: FungibleTokenPacketData, localDenom: string) => {
    if (data.receiver !== pool) return;
    const consumers = await k.consumers.consumers(ctx.store);
    let consumer: RewardsConsumer | undefined;
    const fromMemo = rewardMemoConsumerId(data.memo);
    if (fromMemo !== undefined) {
      consumer = consumers.find((c) => c.consumerId === fromMemo);
    } else {
      const channel = await getChannel(ctx.store, packet.destPort, packet.destChannel).catch(() => undefined);
      if (channel !== undefined) consumer = consumers.find((c) => c.clientId === channel.clientId);
    }
    // The reference logs and keeps the tokens in the pool, uncredited.
    if (consumer === undefined) return;
    const amount = BigInt(data.amount);
    await addAmount(ctx.store, key(P_ALLOC, consumer.consumerId, localDenom), decFromInt(amount));
    await addAmount(ctx.store, key(P_RECEIVED, consumer.consumerId, localDenom), amount);
    ctx.events.push(
      event("consumer_rewards", [
        ["module", "provider"],
        ["consumer_id", consumer.consumerId],
        ["chain_id", consumer.chainId],
        ["denom", localDenom],
        ["amount", data.amount],
        ["reward_distribution", "scheduled"],
      ]),
    );
  };
}

// ---- distribution (BeginBlock) --------------------------------------------------------------------

interface Eligible {
  readonly validator: Validator;
  readonly power: bigint;
  readonly rate: Dec;
}

async function eligibleValidators(
  ctx: ModuleContext,
  k: RewardsKeepers,
  c: RewardsConsumer,
): Promise<Eligible[]> {
  const wait = await k.consumers.blocksToStartReceivingRewards(ctx.store);
  const out: Eligible[] = [];
  for (const v of await k.consumers.validators(ctx.store, c.consumerId)) {
    // IsEligibleForConsumerRewards: in the set for long enough.
    if (BigInt(ctx.block.height) - v.joinHeight < wait) continue;
    const validator = await k.staking.getValidatorByConsAddr(ctx.store, v.providerConsAddr);
    if (validator === undefined) continue;
    const custom = await k.consumers.commissionRate(ctx.store, c.consumerId, v.providerConsAddr);
    const rate = custom === undefined ? validator.commission.rate : decFromString(custom, "commission rate");
    out.push({ validator, power: v.power, rate });
  }
  return out;
}

/**
 * AllocateConsumerRewards for one consumer and denom, on `ctx` (the caller branches it): returns the
 * decimal change that stays credited.
 */
async function allocateOne(
  ctx: ModuleContext,
  k: RewardsKeepers,
  c: RewardsConsumer,
  denom: string,
  rewards: Dec,
): Promise<Dec> {
  const poolAddr = moduleAddress(CONSUMER_REWARDS_POOL_NAME);
  const vals = await eligibleValidators(ctx, k, c);
  const total = vals.reduce((t, v) => t + v.power, 0n);
  const toCommunity = async (amount: Dec): Promise<Dec> => {
    const whole = amount / DEC_ONE;
    if (whole > 0n) {
      await k.distribution.fundCommunityPool(ctx, [{ denom, amount: whole }], poolAddr);
      await addAmount(ctx.store, key(P_COMMUNITY, c.consumerId, denom), whole);
    }
    return amount - whole * DEC_ONE;
  };
  if (total === 0n) return toCommunity(rewards);
  const { communityTax } = await getDistributionParams(ctx.store);
  const forValidators = decMulTruncate(rewards, DEC_ONE - communityTax);
  const whole = forValidators / DEC_ONE;
  await k.distribution.bank.sendFromModuleToModule(
    ctx.store,
    CONSUMER_REWARDS_POOL_NAME,
    "distribution",
    whole > 0n ? [{ denom, amount: whole }] : [],
    ctx.events,
  );
  if (whole > 0n) {
    for (const v of vals) {
      const share = decMulTruncate(decFromInt(whole), decQuoTruncate(decFromInt(v.power), decFromInt(total)));
      if (share === 0n) continue;
      const withRate = { ...v.validator, commission: { ...v.validator.commission, rate: v.rate } };
      await k.distribution.allocateTokensToValidator(ctx, withRate, [{ denom, atomics: share }], c.chainId);
    }
    await addAmount(ctx.store, key(P_PAID, c.consumerId, denom), whole);
  }
  const change = await toCommunity(rewards - forValidators);
  return forValidators - whole * DEC_ONE + change;
}

/**
 * The reward distribution step of the provider's BeginBlock (BeginBlockRD): from height 2, every
 * consumer's credited rewards of each (allowlisted) denom are allocated; one that fails is left
 * credited and the others go on (each runs on its own branch, as the reference's cached context).
 */
export async function distributeConsumerRewards(ctx: ModuleContext, k: RewardsKeepers): Promise<void> {
  if (ctx.block.height <= 1) return;
  for (const c of await k.consumers.consumers(ctx.store)) {
    for (const [denom, rewards] of await amounts(ctx.store, P_ALLOC, c.consumerId)) {
      if (c.rewardDenoms.length > 0 && !c.rewardDenoms.includes(denom)) continue;
      const store = new CacheStore(ctx.store);
      const events: typeof ctx.events = [];
      const branch = { ...ctx, store, events };
      try {
        const left = await allocateOne(branch, k, c, denom, rewards);
        writeAmount(store, key(P_ALLOC, c.consumerId, denom), left);
      } catch {
        continue;
      }
      store.write();
      ctx.events.push(...events);
    }
  }
}

// ---- the Rewards query ----------------------------------------------------------------------------

function amountsJson(coins: readonly { denom: string; atomics: Dec }[]) {
  return coins.map((c) => ({ denom: c.denom, amount: decToString(c.atomics) }));
}

function addTo(m: Map<string, Map<string, Dec>>, group: string, denom: string, atomics: Dec): void {
  const g = m.get(group) ?? new Map<string, Dec>();
  g.set(denom, (g.get(denom) ?? 0n) + atomics);
  m.set(group, g);
}

function sorted(g: Map<string, Dec> | undefined): { denom: string; atomics: Dec }[] {
  if (g === undefined) return [];
  return [...g.keys()].sort().map((denom) => ({ denom, atomics: g.get(denom)! }));
}

function bad(message: string): SdkError {
  return new SdkError("sdk", 18, `${message}: invalid request`);
}

function addressOf(address: string, prefix: string): Uint8Array {
  for (const p of [prefix, `${prefix}valoper`]) {
    try {
      return addressBytes(address, p);
    } catch {}
  }
  throw bad(`address ${JSON.stringify(address)} is neither a ${prefix} nor a ${prefix}valoper address`);
}

/**
 * `/icsd.provider.v1.Query/Rewards`: request `{"address": "<account or valoper bech32>"}`; response
 * `{"address", "base": [{denom, amount}], "consumers": [{"consumer_id", "chain_id", "rewards": [...]}],
 * "commission": {"base": [...], "consumers": [...]}, "totals": [{"consumer_id", "chain_id",
 * "received", "paid_to_validators", "community_pool", "pending"}]}`: what the address could withdraw now
 * from its delegations (and, for a validator operator, its accumulated commission), split into base
 * rewards and each consumer's, amounts as LegacyDec text; `totals` are every consumer's cumulative
 * reward flows. Consumers sharing a chain id share a distribution source and are shown under the first.
 */
export function rewardsQuery(k: RewardsKeepers): QueryHandler {
  return async (ctx, data) => {
    let req: { address?: unknown };
    try {
      req = JSON.parse(fromUtf8(data)) as { address?: unknown };
    } catch (e) {
      throw bad(`request is not JSON: ${errorMessage(e)}`);
    }
    if (typeof req?.address !== "string" || req.address === "")
      throw bad("address must be a non-empty string");
    const addr = addressOf(req.address, k.prefix);
    const store = ctx.store;
    const consumers = await k.consumers.consumers(store);
    const byChain = new Map<string, RewardsConsumer>();
    for (const c of consumers) if (!byChain.has(c.chainId)) byChain.set(c.chainId, c);
    const byChannel = new Map<string, RewardsConsumer>();
    for (const c of consumers)
      if (c.transferChannelId !== "") byChannel.set(`transfer/${c.transferChannelId}`, c);

    // Group keyed DecCoins: a consumer chain-id source, or a provider-source voucher that entered
    // through a consumer's transfer channel, is that consumer's; the rest is base.
    const group = async (
      keyed: readonly { denom: string; atomics: Dec }[],
      into: Map<string, Map<string, Dec>>,
    ) => {
      for (const { source, coins } of bySource(keyed)) {
        for (const coin of coins) {
          let owner = source === PROVIDER_SOURCE ? undefined : byChain.get(source)?.consumerId;
          if (owner === undefined && coin.denom.startsWith("ibc/")) {
            const trace = await readDenomTrace(store, coin.denom.slice(4));
            const hop = trace?.path.split("/").slice(0, 2).join("/");
            if (hop !== undefined) owner = byChannel.get(hop)?.consumerId;
          }
          addTo(into, owner ?? "", coin.denom, coin.atomics);
        }
      }
    };

    const rewards = new Map<string, Map<string, Dec>>();
    for (const d of await k.staking.delegatorDelegations(store, addr)) {
      const val = await k.staking.getValidator(store, d.validator);
      if (val === undefined) continue;
      await group(await k.distribution.pendingRewards(store, ctx.height, val, d), rewards);
    }
    const commission = new Map<string, Map<string, Dec>>();
    if ((await k.staking.getValidator(store, addr)) !== undefined) {
      await group(await getCommission(store, addr), commission);
    }
    const split = (m: Map<string, Map<string, Dec>>) => ({
      base: amountsJson(sorted(m.get(""))),
      consumers: consumers
        .filter((c) => m.has(c.consumerId))
        .map((c) => ({
          consumer_id: c.consumerId,
          chain_id: c.chainId,
          rewards: amountsJson(sorted(m.get(c.consumerId))),
        })),
    });
    const totals = [];
    for (const c of consumers) {
      const flat = async (p: Uint8Array) =>
        (await amounts(store, p, c.consumerId)).map(([denom, amount]) => ({
          denom,
          amount: amount.toString(),
        }));
      totals.push({
        consumer_id: c.consumerId,
        chain_id: c.chainId,
        received: await flat(P_RECEIVED),
        paid_to_validators: await flat(P_PAID),
        community_pool: await flat(P_COMMUNITY),
        pending: amountsJson(
          (await amounts(store, P_ALLOC, c.consumerId)).map(([denom, atomics]) => ({ denom, atomics })),
        ),
      });
    }
    const { base, consumers: perConsumer } = split(rewards);
    return utf8(
      JSON.stringify({
        address: req.address,
        base,
        consumers: perConsumer,
        commission: split(commission),
        totals,
      }),
    );
  };
}

/** Registers the rewards pool: a module account that ICS-20 may credit (the hook then attributes it). */
export function registerRewardsPool(ibc: IbcKeeper): void {
  ibc.bank.registerModule(CONSUMER_REWARDS_POOL_NAME);
  ibc.allowTransferReceiver(moduleAddress(CONSUMER_REWARDS_POOL_NAME));
}
