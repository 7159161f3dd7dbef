/**
 * The provider module's queries, JSON in and out at `/icsd.provider.v1.Query/<Name>` (snake_case,
 * 64-bit numbers as strings). Rewards is added by the rewards helper.
 */
import { errInvalidRequest, grpcNotFound, type QueryHandler } from "../../app/index.ts";
import { formatRfc3339Nano, fromUtf8, toBase64, utf8 } from "../../utils/index.ts";
import { consAddress } from "../staking/index.ts";
import { bech32Bytes, type ProviderKeeper, parseConsumerId } from "./keeper.ts";
import { consumerKeyJson } from "./msgs.ts";
import { type ConsumerRecord, formatDuration, paramsToJson } from "./state.ts";

export const PROVIDER_QUERY_PREFIX = "/icsd.provider.v1.Query/";
type Json = Record<string, unknown>;

function request(data: Uint8Array, name: string): Json {
  if (data.length === 0) return {};
  let v: unknown;
  try {
    v = JSON.parse(fromUtf8(data));
  } catch {
    throw errInvalidRequest(`${name}: request must be a JSON object`);
  }
  if (typeof v !== "object" || v === null || Array.isArray(v)) {
    throw errInvalidRequest(`${name}: request must be a JSON object`);
  }
  return v as Json;
}

function field(o: Json, k: string, name: string): string {
  const v = o[k];
  if (typeof v !== "string" || v === "") throw errInvalidRequest(`${name}: ${k} is required`);
  return v;
}

const out = (v: unknown) => utf8(JSON.stringify(v));

/** A consumer record as JSON (the ConsumerChain query and each ConsumerChains entry). */
export function consumerToJson(r: ConsumerRecord): Json {
  const p = r.powerShaping;
  const i = r.init;
  const sj = (s: { slashFraction: string; jailDuration: bigint; tombstone: boolean }) => ({
    slash_fraction: s.slashFraction,
    jail_duration: formatDuration(s.jailDuration),
    tombstone: s.tombstone,
  });
  return {
    consumer_id: r.consumerId.toString(),
    chain_id: r.chainId,
    owner_address: r.owner,
    phase: r.phase,
    metadata: { ...r.metadata },
    init_params:
      i === undefined
        ? null
        : {
            initial_height: {
              revision_number: i.initialHeight.revisionNumber.toString(),
              revision_height: i.initialHeight.revisionHeight.toString(),
            },
            genesis_hash: toBase64(i.genesisHash),
            binary_hash: toBase64(i.binaryHash),
            spawn_time: i.spawnTime === undefined ? null : rfc3339OrNull(i.spawnTime),
            unbonding_period: formatDuration(i.unbondingPeriod),
            ccv_timeout_period: formatDuration(i.ccvTimeoutPeriod),
            transfer_timeout_period: formatDuration(i.transferTimeoutPeriod),
            consumer_redistribution_fraction: i.consumerRedistributionFraction,
            blocks_per_distribution_transmission: i.blocksPerDistributionTransmission.toString(),
            historical_entries: i.historicalEntries.toString(),
            distribution_transmission_channel: i.distributionTransmissionChannel,
            signed_blocks_window: i.signedBlocksWindow.toString(),
            min_signed_per_window: i.minSignedPerWindow,
            downtime_jail_duration: formatDuration(i.downtimeJailDuration),
          },
    power_shaping_params: {
      top_N: p.topN,
      validators_power_cap: p.validatorsPowerCap,
      validator_set_cap: p.validatorSetCap,
      allowlist: [...p.allowlist],
      denylist: [...p.denylist],
      min_stake: p.minStake.toString(),
      allow_inactive_vals: p.allowInactiveVals,
      prioritylist: [...p.prioritylist],
    },
    infraction_parameters: { double_sign: sj(r.infraction.doubleSign), downtime: sj(r.infraction.downtime) },
    allowlisted_reward_denoms: { denoms: [...r.rewardDenoms] },
    client_id: r.clientId,
    channel_id: r.channelId,
    transfer_channel_id: r.transferChannelId,
    launch_height: r.launchHeight.toString(),
    launch_time: rfc3339OrNull(r.launchTime),
    removal_time: rfc3339OrNull(r.removalTime),
  };
}

/** A time as RFC 3339 (what the reference's JSON shows and consumer.json takes); null when unset (0). */
function rfc3339OrNull(ns: bigint): string | null {
  return ns === 0n ? null : formatRfc3339Nano(ns);
}

/** The provider module's query handlers. */
export function providerQueries(k: ProviderKeeper): Record<string, QueryHandler> {
  const id = (o: Json, name: string): bigint => {
    const s = field(o, "consumer_id", name);
    const n = parseConsumerId(s);
    if (n === undefined) throw errInvalidRequest(`${name}: invalid consumer_id ${JSON.stringify(s)}`);
    return n;
  };
  const mustConsumer = async (store: Parameters<QueryHandler>[0]["store"], n: bigint) => {
    const r = await k.getConsumer(store, n);
    if (!r) throw grpcNotFound(`no consumer chain with this consumer id: ${n}`);
    return r;
  };
  const q = (name: string) => `${PROVIDER_QUERY_PREFIX}${name}`;
  return {
    [q("Params")]: async ({ store }) => out({ params: paramsToJson(await k.params(store)) }),
    [q("ConsumerChains")]: async ({ store }, data) => {
      const req = request(data, "ConsumerChains");
      const phase = req.phase;
      if (phase !== undefined && typeof phase !== "string")
        throw errInvalidRequest("ConsumerChains: phase must be a string");
      const list = (await k.consumers(store)).filter((r) => !phase || r.phase === phase);
      return out({ chains: list.map(consumerToJson) });
    },
    [q("ConsumerChain")]: async ({ store }, data) => {
      const r = await mustConsumer(store, id(request(data, "ConsumerChain"), "ConsumerChain"));
      return out(consumerToJson(r));
    },
    [q("ConsumerGenesis")]: async ({ store }, data) => {
      const n = id(request(data, "ConsumerGenesis"), "ConsumerGenesis");
      await mustConsumer(store, n);
      const g = await k.consumerGenesis(store, n);
      if (!g) throw grpcNotFound(`no consumer genesis for consumer id ${n} (not launched)`);
      return out(g);
    },
    [q("ConsumerValidators")]: async ({ store }, data) => {
      const n = id(request(data, "ConsumerValidators"), "ConsumerValidators");
      await mustConsumer(store, n);
      const vals = await k.consumerValidators(store, n);
      const res = [];
      for (const v of vals) {
        const pv = await k.staking.getValidatorByConsAddr(store, v.providerConsAddr);
        res.push({
          provider_address: k.valcons(v.providerConsAddr),
          consumer_key: { ed25519: toBase64(v.pubKey) },
          consumer_address: k.valcons(consAddress(v.pubKey)),
          power: v.power.toString(),
          join_height: v.joinHeight.toString(),
          consumer_commission_rate: (await k.consumerCommissionRate(store, n, v.providerConsAddr)) ?? null,
          jailed: pv?.jailed ?? false,
        });
      }
      return out({ validators: res });
    },
    [q("ValidatorConsumerKey")]: async ({ store }, data) => {
      const req = request(data, "ValidatorConsumerKey");
      const n = id(req, "ValidatorConsumerKey");
      await mustConsumer(store, n);
      let cons: Uint8Array;
      try {
        cons = bech32Bytes(field(req, "provider_address", "ValidatorConsumerKey"));
      } catch (e) {
        throw errInvalidRequest(`ValidatorConsumerKey: provider_address: ${(e as Error).message}`);
      }
      const assigned = await k.assignedKey(store, n, cons);
      const v = await k.staking.getValidatorByConsAddr(store, cons);
      const key = assigned ?? v?.consPubKey;
      if (!key) throw grpcNotFound(`no validator with consensus address ${req.provider_address}`);
      return out({
        consumer_address: k.valcons(consAddress(key)),
        consumer_key: consumerKeyJson(key),
        assigned: assigned !== undefined,
      });
    },
    [q("ValidatorProviderAddr")]: async ({ store }, data) => {
      const req = request(data, "ValidatorProviderAddr");
      const n = id(req, "ValidatorProviderAddr");
      await mustConsumer(store, n);
      let cons: Uint8Array;
      try {
        cons = bech32Bytes(field(req, "consumer_address", "ValidatorProviderAddr"));
      } catch (e) {
        throw errInvalidRequest(`ValidatorProviderAddr: consumer_address: ${(e as Error).message}`);
      }
      return out({ provider_address: k.valcons(await k.providerAddrOf(store, n, cons)) });
    },
    [q("ThrottleState")]: async ({ store }) =>
      out({
        slash_meter: (await k.slashMeter(store)).toString(),
        slash_meter_allowance: (await k.slashMeterAllowance(store)).toString(),
        next_replenish_candidate: rfc3339OrNull(await k.slashMeterReplenishTime(store)),
      }),
  };
}
