/**
 * The provider module's keeper: the consumer registry and its lifecycle (ADR-019), key assignment
 * (ADR-001), opt-in and power shaping (ADR-015), epochs of VSC packets (ADR-014), and downtime slash
 * packets with the slash meter (ADR-002). Behaviour follows interchain-security v6/v7; where it differs
 * the comment says why.
 */
import { fromBech32 } from "@cosmjs/encoding";
import {
  type AppStore,
  bech32Address,
  DEC_ONE,
  decFromString,
  decMulInt,
  decRound,
  decTruncate,
  event,
  type IbcKeeper,
  type ModuleContext,
  moduleAddress,
  prefixEnd,
} from "../../app/index.ts";
import { genesisValidatorSet, toDomainValidator, type ValidatorUpdate } from "../../consensus/index.ts";
import { CCV_VERSION, CONSUMER_PORT, encodeVscPacket, PROVIDER_PORT } from "../../ibc/ccv/wire.ts";
import {
  ChannelOrder,
  ClientStatus,
  clientStatus,
  DEFAULT_TRUST_LEVEL,
  TRANSFER_PORT,
} from "../../ibc/index.ts";
import { validatorSetHash } from "../../proto/index.ts";
import {
  compareBytes,
  concatBytes,
  equalBytes,
  fromBase64,
  fromUtf8,
  toBase64,
  toHex,
  toHexUpper,
  utf8,
} from "../../utils/index.ts";
import type { SlashingKeeper } from "../slashing/index.ts";
import { consAddress, type StakingKeeper, type Validator } from "../staking/index.ts";
import type { SlashJailParameters } from "./codec.ts";
import {
  errCannotAssignDefaultKeyAssignment,
  errCannotOptOutFromTopN,
  errConsumerKeyInUse,
  errInvalidPhase,
  errUnknownConsumerId,
} from "./errors.ts";
import { type Candidate, computeNextValidators, diffValidators, minPowerInTopN } from "./powerShaping.ts";
import {
  byConsumerAddrKey,
  byConsumerAddrPrefix,
  CONSUMER_PREFIX,
  type ConsumerPhase,
  type ConsumerRecord,
  type ConsumerValidator,
  channelToConsumerKey,
  commissionKey,
  commissionPrefix,
  consumerKey,
  consumerKeyPrefix,
  consumerPubKeyKey,
  DEFAULT_PROVIDER_PARAMS,
  decodeConsumerValidator,
  decodeRecord,
  encodeConsumerValidator,
  encodeRecord,
  formatDuration,
  genesisKey,
  minPowerTopNKey,
  NEXT_CONSUMER_ID_KEY,
  optedInKey,
  optedInPrefix,
  PARAMS_KEY,
  ConsumerPhase as Phase,
  type ProviderParams,
  paramsFromJson,
  paramsToJson,
  pendingVscKey,
  pruneKey,
  prunePrefix,
  readUint64Be,
  SLASH_METER_KEY,
  SLASH_METER_TIME_KEY,
  slashAcksKey,
  uint64Be,
  VSC_ID_KEY,
  valsetKey,
  valsetPrefix,
  vscHeightKey,
  vscHeightPrefix,
} from "./state.ts";

const SECOND = 1_000_000_000n;
/** The module account consumers send rewards to (the reference's ConsumerRewardsPool). */
export const CONSUMER_REWARDS_POOL = "consumer_rewards_pool";
export const PROVIDER_MODULE = "provider";
const MAX_CLOCK_DRIFT = 10n * SECOND;
/** The reference's default double-sign jail: the largest time.Duration (permanent). */
const MAX_DURATION = 9223372036854775807n;

/** A logger the keeper reports lifecycle decisions to (pino-like, structured fields first). */
export interface ProviderLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

const silent: ProviderLogger = { info() {}, warn() {} };

async function* range(store: AppStore, prefix: Uint8Array) {
  yield* store.iterate({ gte: prefix, lt: prefixEnd(prefix) });
}

/** The bytes of a bech32 address whatever its prefix. */
export function bech32Bytes(s: string): Uint8Array {
  return fromBech32(s, 1023).data;
}

/** The x/ccv/provider keeper (see the file comment). */
export class ProviderKeeper {
  readonly staking: StakingKeeper;
  readonly slashing: SlashingKeeper;
  readonly prefix: string;
  private readonly ibcGetter: () => IbcKeeper;
  log: ProviderLogger = silent;

  constructor(staking: StakingKeeper, slashing: SlashingKeeper, prefix: string, ibc: () => IbcKeeper) {
    this.staking = staking;
    this.slashing = slashing;
    this.prefix = prefix;
    this.ibcGetter = ibc;
  }

  get ibc(): IbcKeeper {
    return this.ibcGetter();
  }

  /** The gov module's address: the owner that may make a chain Top N. */
  get govAddress(): string {
    return bech32Address(moduleAddress("gov"), this.prefix);
  }

  valcons(addr: Uint8Array): string {
    return bech32Address(addr, `${this.prefix}valcons`);
  }

  // ---- params ---------------------------------------------------------------------------------------

  async params(store: AppStore): Promise<ProviderParams> {
    const b = await store.get(PARAMS_KEY);
    return b === undefined ? DEFAULT_PROVIDER_PARAMS : paramsFromJson(JSON.parse(fromUtf8(b)));
  }

  setParams(store: AppStore, p: ProviderParams): void {
    store.set(PARAMS_KEY, utf8(JSON.stringify(paramsToJson(p))));
  }

  // ---- consumer records -----------------------------------------------------------------------------

  /** The record of a consumer, or undefined for an unknown id (any text that is not a u64 is unknown). */
  async getConsumer(store: AppStore, consumerId: string | bigint): Promise<ConsumerRecord | undefined> {
    const id = typeof consumerId === "bigint" ? consumerId : parseConsumerId(consumerId);
    if (id === undefined) return undefined;
    const b = await store.get(consumerKey(id));
    return b === undefined ? undefined : decodeRecord(b);
  }

  /** getConsumer that fails with ErrUnknownConsumerId. */
  async mustGetConsumer(store: AppStore, consumerId: string | bigint): Promise<ConsumerRecord> {
    const r = await this.getConsumer(store, consumerId);
    if (!r) throw errUnknownConsumerId(`consumerId(${consumerId})`);
    return r;
  }

  /** The phase of a consumer (UNSPECIFIED for an unknown id). */
  async phase(store: AppStore, consumerId: string | bigint): Promise<ConsumerPhase> {
    return (await this.getConsumer(store, consumerId))?.phase ?? Phase.unspecified;
  }

  setConsumer(store: AppStore, r: ConsumerRecord): void {
    store.set(consumerKey(r.consumerId), encodeRecord(r));
  }

  /** Every consumer record, by consumer id. */
  async consumers(store: AppStore): Promise<ConsumerRecord[]> {
    const out: ConsumerRecord[] = [];
    for await (const [, v] of range(store, CONSUMER_PREFIX)) out.push(decodeRecord(v));
    return out;
  }

  async nextConsumerId(store: AppStore): Promise<bigint> {
    const b = await store.get(NEXT_CONSUMER_ID_KEY);
    return b === undefined ? 0n : readUint64Be(b);
  }

  /** Assigns the next consumer id ("0", "1", ...). */
  async takeConsumerId(store: AppStore): Promise<bigint> {
    const id = await this.nextConsumerId(store);
    store.set(NEXT_CONSUMER_ID_KEY, uint64Be(id + 1n));
    return id;
  }

  /** The consumer genesis JSON of a launched (or stopped) consumer. */
  async consumerGenesis(store: AppStore, consumerId: bigint): Promise<Record<string, unknown> | undefined> {
    const b = await store.get(genesisKey(consumerId));
    return b === undefined ? undefined : (JSON.parse(fromUtf8(b)) as Record<string, unknown>);
  }

  /** The consumer that a provider CCV channel belongs to. */
  async consumerOfChannel(store: AppStore, channelId: string): Promise<bigint | undefined> {
    const b = await store.get(channelToConsumerKey(channelId));
    return b === undefined ? undefined : readUint64Be(b);
  }

  /** The consumer's infraction parameters (defaults filled in at creation). */
  async infractionParams(store: AppStore, consumerId: bigint) {
    return (await this.mustGetConsumer(store, consumerId)).infraction;
  }

  /** The reference's defaults: double sign as the provider's slashing params, permanent, tombstone. */
  async defaultInfraction(
    store: AppStore,
  ): Promise<{ doubleSign: SlashJailParameters; downtime: SlashJailParameters }> {
    const sp = await this.slashing.params(store);
    const dec = (d: bigint) => normalizeDec(d);
    return {
      doubleSign: {
        slashFraction: dec(sp.slashFractionDoubleSign),
        jailDuration: MAX_DURATION,
        tombstone: true,
      },
      downtime: { slashFraction: "0", jailDuration: sp.downtimeJailDuration, tombstone: false },
    };
  }

  // ---- opt-in and key assignment --------------------------------------------------------------------

  async isOptedIn(store: AppStore, id: bigint, providerCons: Uint8Array): Promise<boolean> {
    return (await store.get(optedInKey(id, providerCons))) !== undefined;
  }

  setOptedIn(store: AppStore, id: bigint, providerCons: Uint8Array): void {
    store.set(optedInKey(id, providerCons), new Uint8Array());
  }

  deleteOptedIn(store: AppStore, id: bigint, providerCons: Uint8Array): void {
    store.delete(optedInKey(id, providerCons));
  }

  /** The provider cons addresses opted in to a consumer, sorted. */
  async optedIn(store: AppStore, id: bigint): Promise<Uint8Array[]> {
    const p = optedInPrefix(id);
    const out: Uint8Array[] = [];
    for await (const [k] of range(store, p)) out.push(k.slice(p.length));
    return out;
  }

  /** The key a validator assigned on a consumer (undefined: it uses its provider key). */
  async assignedKey(store: AppStore, id: bigint, providerCons: Uint8Array): Promise<Uint8Array | undefined> {
    return store.get(consumerPubKeyKey(id, providerCons));
  }

  /** The key a validator validates a consumer with: the assigned one, else its provider key. */
  async consumerKeyOf(store: AppStore, id: bigint, v: Validator): Promise<Uint8Array> {
    return (await this.assignedKey(store, id, consAddress(v.consPubKey))) ?? v.consPubKey;
  }

  /**
   * GetProviderAddrFromConsumerAddr: the provider cons address behind a consumer cons address (through
   * key assignment, including keys replaced less than an unbonding period ago); else the address itself.
   */
  async providerAddrOf(store: AppStore, id: bigint, consumerCons: Uint8Array): Promise<Uint8Array> {
    return (await store.get(byConsumerAddrKey(id, consumerCons))) ?? consumerCons;
  }

  /**
   * AssignConsumerKey (key_assignment.go): an ed25519 key for `validator` on consumer `id`. Refused when
   * the chain is not registered, initialized or launched; when another validator's provider key is
   * that key; when it is the validator's own provider key and it has assigned no other key
   * (ErrCannotAssignDefaultKeyAssignment); when any validator has or had it on this consumer. The old
   * key stays mapped until now + the provider's unbonding period on a launched chain (slashes naming it
   * still resolve), else it is forgotten at once.
   */
  async assignConsumerKey(
    ctx: ModuleContext,
    id: bigint,
    validator: Validator,
    key: Uint8Array,
  ): Promise<void> {
    const { store } = ctx;
    const rec = await this.mustGetConsumer(store, id);
    if (![Phase.registered, Phase.initialized, Phase.launched].includes(rec.phase as never)) {
      throw errInvalidPhase(
        `cannot assign a key to a consumer chain that is not in the registered, initialized, or launched phase: ${id}`,
      );
    }
    const consumerAddr = consAddress(key);
    const providerAddr = consAddress(validator.consPubKey);
    const existing = await this.staking.getValidatorByConsAddr(store, consumerAddr);
    if (existing) {
      if (!equalBytes(existing.operator, validator.operator)) {
        throw errConsumerKeyInUse("a different validator already uses the consumer key");
      }
      if ((await this.assignedKey(store, id, providerAddr)) === undefined) {
        throw errCannotAssignDefaultKeyAssignment(
          "a validator cannot assign the default key assignment unless its key on that consumer has already been assigned",
        );
      }
    }
    if ((await store.get(byConsumerAddrKey(id, consumerAddr))) !== undefined) {
      throw errConsumerKeyInUse("a validator has or had assigned this consumer key already");
    }
    const old = await this.assignedKey(store, id, providerAddr);
    if (old !== undefined) {
      const oldAddr = consAddress(old);
      if (rec.phase === Phase.launched) {
        const { unbondingTime } = await this.staking.params(store);
        store.set(pruneKey(id, ctx.block.time + unbondingTime, oldAddr), new Uint8Array());
      } else {
        store.delete(byConsumerAddrKey(id, oldAddr));
      }
    }
    store.set(consumerPubKeyKey(id, providerAddr), key);
    store.set(byConsumerAddrKey(id, consumerAddr), providerAddr);
    ctx.events.push(
      event("assign_consumer_key", [
        ["module", PROVIDER_MODULE],
        ["consumer_id", id.toString()],
        ["provider_validator_address", this.valcons(providerAddr)],
        ["consumer_validator_address", this.valcons(consumerAddr)],
      ]),
    );
  }

  /** Forgets replaced consumer keys whose time has come (EndBlock). */
  async pruneKeyAssignments(ctx: ModuleContext, id: bigint): Promise<void> {
    const p = prunePrefix(id);
    const due: Uint8Array[] = [];
    for await (const [k] of range(ctx.store, p)) {
      const t = readUint64Be(k, p.length);
      if (t > ctx.block.time) break;
      due.push(k);
    }
    for (const k of due) {
      ctx.store.delete(k);
      ctx.store.delete(byConsumerAddrKey(id, k.slice(p.length + 8)));
    }
  }

  /** HandleOptOut: launched chains only; a Top N chain refuses validators with at least its minimum power. */
  async optOut(ctx: ModuleContext, id: bigint, validator: Validator): Promise<void> {
    const rec = await this.mustGetConsumer(ctx.store, id);
    if (rec.phase !== Phase.launched) {
      throw errInvalidPhase(`opting out of a consumer chain not yet launched, consumerId(${id})`);
    }
    const cons = consAddress(validator.consPubKey);
    if (rec.powerShaping.topN > 0) {
      const power = await this.staking.lastValidatorPower(ctx.store, validator.operator);
      const min = await this.minPowerInTopN(ctx.store, id);
      if (min !== undefined && power >= min) {
        throw errCannotOptOutFromTopN(
          `validator with power (${power}) cannot opt out from Top N chain with consumer id (${id}) because all validators with at least ${min} power have to validate`,
        );
      }
    }
    this.deleteOptedIn(ctx.store, id, cons);
  }

  async minPowerInTopN(store: AppStore, id: bigint): Promise<bigint | undefined> {
    const b = await store.get(minPowerTopNKey(id));
    return b === undefined ? undefined : readUint64Be(b);
  }

  /** The per-consumer commission rate of a validator (Dec text), if it set one. */
  async consumerCommissionRate(
    store: AppStore,
    id: bigint,
    providerCons: Uint8Array,
  ): Promise<string | undefined> {
    const b = await store.get(commissionKey(id, providerCons));
    return b === undefined ? undefined : fromUtf8(b);
  }

  setConsumerCommissionRate(store: AppStore, id: bigint, providerCons: Uint8Array, rate: string): void {
    store.set(commissionKey(id, providerCons), utf8(rate));
  }

  // ---- validator sets -------------------------------------------------------------------------------

  /** The set last sent to a consumer (at launch or in a VSC packet), by provider cons address. */
  async consumerValidators(store: AppStore, id: bigint): Promise<ConsumerValidator[]> {
    const p = valsetPrefix(id);
    const out: ConsumerValidator[] = [];
    for await (const [k, v] of range(store, p)) out.push(decodeConsumerValidator(k.slice(p.length), v));
    return out;
  }

  private async setConsumerValidators(store: AppStore, id: bigint, vals: readonly ConsumerValidator[]) {
    const p = valsetPrefix(id);
    const old: Uint8Array[] = [];
    for await (const [k] of range(store, p)) old.push(k);
    for (const k of old) store.delete(k);
    for (const v of vals) store.set(valsetKey(id, v.providerConsAddr), encodeConsumerValidator(v));
  }

  /** Bonded, unjailed validators (the staking module's bonded set, at most max_validators). */
  private async bonded(store: AppStore): Promise<Validator[]> {
    return (await this.staking.bondedValidatorsByPower(store)).filter(
      (v) => !v.jailed && v.status === "bonded",
    );
  }

  /**
   * ComputeConsumerNextValSet: on a Top N chain first refreshes the minimum power in the top N% of the
   * active validators and opts them in (they stay opted in), then applies power shaping.
   */
  async computeNextValidators(ctx: ModuleContext, rec: ConsumerRecord): Promise<ConsumerValidator[]> {
    const { store } = ctx;
    const id = rec.consumerId;
    const params = await this.params(store);
    const bonded = await this.bonded(store);
    const candidates: Candidate[] = [];
    for (const v of bonded) {
      const power = await this.staking.lastValidatorPower(store, v.operator);
      candidates.push({
        providerConsAddr: consAddress(v.consPubKey),
        tokens: v.tokens,
        power,
        consumerKey: await this.consumerKeyOf(store, id, v),
      });
    }
    const psp = rec.powerShaping;
    let minPower = 0n;
    if (psp.topN > 0) {
      const active = candidates.slice(0, Number(params.maxProviderConsensusValidators));
      minPower = minPowerInTopN(
        active.map((c) => c.power),
        psp.topN,
      );
      store.set(minPowerTopNKey(id), uint64Be(minPower));
      for (const c of active) if (c.power >= minPower) this.setOptedIn(store, id, c.providerConsAddr);
    }
    const opted = new Set((await this.optedIn(store, id)).map(toHex));
    const current = new Map(
      (await this.consumerValidators(store, id)).map((v) => [toHex(v.providerConsAddr), v]),
    );
    const hexList = (l: readonly string[]) => new Set(l.map((a) => toHex(bech32Bytes(a))));
    return computeNextValidators(
      candidates,
      psp,
      {
        isOptedIn: (c) => opted.has(toHex(c)),
        allow: hexList(psp.allowlist),
        deny: hexList(psp.denylist),
        priority: hexList(psp.prioritylist),
        joinHeight: (c) => current.get(toHex(c))?.joinHeight,
      },
      params.maxProviderConsensusValidators,
      minPower,
      BigInt(ctx.block.height),
    );
  }

  // ---- lifecycle ------------------------------------------------------------------------------------

  /**
   * BeginBlockLaunchConsumers: every INITIALIZED consumer whose spawn time has come launches, in
   * consumer-id order. With an empty initial set it goes back to REGISTERED (logged).
   */
  async launchDueConsumers(ctx: ModuleContext): Promise<void> {
    for (const rec of await this.consumers(ctx.store)) {
      if (rec.phase !== Phase.initialized) continue;
      const spawn = rec.init?.spawnTime;
      if (spawn === undefined || spawn > ctx.block.time) continue;
      await this.launch(ctx, rec);
    }
  }

  private async launch(ctx: ModuleContext, rec: ConsumerRecord): Promise<void> {
    const id = rec.consumerId;
    const init = rec.init!;
    const vals = await this.computeNextValidators(ctx, rec);
    if (vals.length === 0) {
      this.log.warn(
        { consumerId: id.toString() },
        "consumer chain has an empty initial validator set; back to REGISTERED",
      );
      this.setConsumer(ctx.store, { ...rec, phase: Phase.registered });
      return;
    }
    const params = await this.params(ctx.store);
    const staking = await this.staking.params(ctx.store);
    const fraction = decFromString(params.trustingPeriodFraction);
    const trusting = (unbonding: bigint) => decTruncate(decMulInt(fraction, unbonding));
    const updates: ValidatorUpdate[] = vals.map((v) => ({ pubKey: v.pubKey, power: v.power }));
    const nextValidatorsHash = validatorSetHash({
      validators: genesisValidatorSet(updates).map(toDomainValidator),
    });
    const ibc = this.ibc;
    const clientId = await ibc.createClient(
      ctx,
      {
        chainId: rec.chainId,
        trustLevel: DEFAULT_TRUST_LEVEL,
        trustingPeriod: trusting(init.unbondingPeriod),
        unbondingPeriod: init.unbondingPeriod,
        maxClockDrift: MAX_CLOCK_DRIFT,
        latestHeight: 0n,
        frozenHeight: 0n,
      },
      { timestamp: ctx.block.time, root: new Uint8Array(), nextValidatorsHash },
    );
    const channelId = await ibc.openChannel(ctx, {
      portId: PROVIDER_PORT,
      counterpartyPortId: CONSUMER_PORT,
      counterpartyChannelId: "channel-0",
      clientId,
      ordering: ChannelOrder.ordered,
      version: CCV_VERSION,
    });
    const transferChannelId = await ibc.openChannel(ctx, {
      portId: TRANSFER_PORT,
      counterpartyPortId: TRANSFER_PORT,
      counterpartyChannelId: "channel-1",
      clientId,
      ordering: ChannelOrder.unordered,
      version: "ics20-1",
    });
    const height = BigInt(ctx.block.height);
    const header = ctx.block.header;
    const providerClientState = {
      chain_id: ctx.block.chainId,
      trust_level: {
        numerator: DEFAULT_TRUST_LEVEL.numerator.toString(),
        denominator: DEFAULT_TRUST_LEVEL.denominator.toString(),
      },
      trusting_period: trusting(staking.unbondingTime).toString(),
      unbonding_period: staking.unbondingTime.toString(),
      max_clock_drift: MAX_CLOCK_DRIFT.toString(),
      latest_height: height.toString(),
      frozen_height: "0",
    };
    const genesis = {
      params: {
        enabled: true,
        consumer_id: id.toString(),
        blocks_per_distribution_transmission: init.blocksPerDistributionTransmission.toString(),
        distribution_transmission_channel: "channel-1",
        provider_fee_pool_addr_str: bech32Address(moduleAddress(CONSUMER_REWARDS_POOL), this.prefix),
        ccv_timeout_period: formatDuration(init.ccvTimeoutPeriod),
        transfer_timeout_period: formatDuration(init.transferTimeoutPeriod),
        consumer_redistribution_fraction: init.consumerRedistributionFraction,
        historical_entries: init.historicalEntries.toString(),
        unbonding_period: formatDuration(init.unbondingPeriod),
        reward_denoms: [...rec.rewardDenoms],
        provider_reward_denoms: [] as string[],
        retry_delay_period: "3600s",
        signed_blocks_window: (init.signedBlocksWindow === 0n ? 100n : init.signedBlocksWindow).toString(),
        min_signed_per_window: init.minSignedPerWindow === "" ? "0.5" : init.minSignedPerWindow,
        downtime_jail_duration: formatDuration(
          init.downtimeJailDuration === 0n ? 600n * SECOND : init.downtimeJailDuration,
        ),
      },
      provider: {
        client_state: providerClientState,
        consensus_state: {
          height: height.toString(),
          timestamp: ctx.block.time.toString(),
          root: toBase64(header?.appHash ?? new Uint8Array()),
          next_validators_hash: toHexUpper(header?.nextValidatorsHash ?? new Uint8Array(32)),
        },
        initial_val_set: vals.map((v) => ({
          pub_key: { ed25519: toBase64(v.pubKey) },
          power: v.power.toString(),
        })),
      },
      new_chain: true,
      provider_chain_id: ctx.block.chainId,
      ccv_channel: {
        consumer_client_id: "07-icsd-0",
        consumer_channel_id: "channel-0",
        provider_client_id: clientId,
        provider_channel_id: channelId,
        consumer_transfer_channel_id: "channel-1",
        provider_transfer_channel_id: transferChannelId,
      },
      launch_time: ctx.block.time.toString(),
    };
    ctx.store.set(genesisKey(id), utf8(JSON.stringify(genesis)));
    ctx.store.set(channelToConsumerKey(channelId), uint64Be(id));
    await this.setConsumerValidators(ctx.store, id, vals);
    ctx.store.set(vscHeightKey(id, 0n), uint64Be(height));
    this.setConsumer(ctx.store, {
      ...rec,
      phase: Phase.launched,
      clientId,
      channelId,
      transferChannelId,
      launchHeight: height,
      launchTime: ctx.block.time,
    });
    ctx.events.push(
      event("consumer_launch", [
        ["module", PROVIDER_MODULE],
        ["consumer_id", id.toString()],
        ["chain_id", rec.chainId],
        ["client_id", clientId],
        ["channel_id", channelId],
        ["transfer_channel_id", transferChannelId],
      ]),
    );
    this.log.info(
      { consumerId: id.toString(), chainId: rec.chainId, clientId, channelId },
      "consumer chain launched",
    );
  }

  /**
   * StopAndPrepareForConsumerRemoval: STOPPED, its CCV channel end closed, queued packets dropped; the
   * state goes one provider unbonding period later (`removeDueConsumers`).
   */
  async stopConsumer(ctx: ModuleContext, id: bigint, reason: string, closeChannel = true): Promise<void> {
    const rec = await this.getConsumer(ctx.store, id);
    if (!rec || rec.phase !== Phase.launched) return;
    const { unbondingTime } = await this.staking.params(ctx.store);
    if (closeChannel && rec.channelId !== "") await this.ibc.closeChannel(ctx, PROVIDER_PORT, rec.channelId);
    ctx.store.delete(pendingVscKey(id));
    ctx.store.delete(slashAcksKey(id));
    this.setConsumer(ctx.store, {
      ...rec,
      phase: Phase.stopped,
      removalTime: ctx.block.time + unbondingTime,
    });
    ctx.events.push(
      event("consumer_stopped", [
        ["module", PROVIDER_MODULE],
        ["consumer_id", id.toString()],
        ["chain_id", rec.chainId],
        ["reason", reason],
      ]),
    );
    this.log.info({ consumerId: id.toString(), reason }, "consumer chain stopped");
  }

  /** DeleteConsumerChain for every STOPPED consumer whose removal time has come: DELETED, state gone. */
  async removeDueConsumers(ctx: ModuleContext): Promise<void> {
    for (const rec of await this.consumers(ctx.store)) {
      if (rec.phase !== Phase.stopped || rec.removalTime > ctx.block.time) continue;
      const id = rec.consumerId;
      for (const p of [
        optedInPrefix(id),
        consumerKeyPrefix(id),
        byConsumerAddrPrefix(id),
        prunePrefix(id),
        valsetPrefix(id),
        vscHeightPrefix(id),
        commissionPrefix(id),
      ]) {
        const keys: Uint8Array[] = [];
        for await (const [k] of range(ctx.store, p)) keys.push(k);
        for (const k of keys) ctx.store.delete(k);
      }
      for (const k of [genesisKey(id), minPowerTopNKey(id), pendingVscKey(id), slashAcksKey(id)])
        ctx.store.delete(k);
      if (rec.channelId !== "") ctx.store.delete(channelToConsumerKey(rec.channelId));
      this.setConsumer(ctx.store, { ...rec, phase: Phase.deleted });
      ctx.events.push(
        event("consumer_deleted", [
          ["module", PROVIDER_MODULE],
          ["consumer_id", id.toString()],
        ]),
      );
    }
  }

  // ---- epochs and VSC packets -----------------------------------------------------------------------

  async vscId(store: AppStore): Promise<bigint> {
    const b = await store.get(VSC_ID_KEY);
    return b === undefined ? 1n : readUint64Be(b);
  }

  async slashAcks(store: AppStore, id: bigint): Promise<string[]> {
    const b = await store.get(slashAcksKey(id));
    return b === undefined ? [] : (JSON.parse(fromUtf8(b)) as string[]);
  }

  private async appendSlashAck(store: AppStore, id: bigint, addr: string): Promise<void> {
    const acks = await this.slashAcks(store, id);
    acks.push(addr);
    store.set(slashAcksKey(id), utf8(JSON.stringify(acks)));
  }

  /** VSC packet data queued for a consumer (encoded, oldest first). */
  async pendingPackets(store: AppStore, id: bigint): Promise<Uint8Array[]> {
    const b = await store.get(pendingVscKey(id));
    return b === undefined ? [] : (JSON.parse(fromUtf8(b)) as string[]).map(fromBase64);
  }

  private setPendingPackets(store: AppStore, id: bigint, list: readonly Uint8Array[]): void {
    if (list.length === 0) store.delete(pendingVscKey(id));
    else store.set(pendingVscKey(id), utf8(JSON.stringify(list.map(toBase64))));
  }

  /** The provider height a consumer's vscId stands for (0: the launch height). */
  async vscHeight(store: AppStore, id: bigint, vscId: bigint): Promise<bigint | undefined> {
    const b = await store.get(vscHeightKey(id, vscId));
    return b === undefined ? undefined : readUint64Be(b);
  }

  /**
   * EndBlockVSU at an epoch boundary (height % blocks_per_epoch == 0): for every launched consumer, the
   * diff between its next set and the last one sent, queued as a VSC packet when it is non-empty or
   * slash acks wait (the reference waits for a non-empty diff; sending the acks at once frees the
   * consumer's outstanding-downtime flags sooner). One global vscId per epoch. Then the queues are sent.
   */
  async endBlock(ctx: ModuleContext): Promise<void> {
    const { store } = ctx;
    for (const rec of await this.consumers(store)) {
      if (rec.phase === Phase.launched) await this.pruneKeyAssignments(ctx, rec.consumerId);
    }
    const params = await this.params(store);
    if (BigInt(ctx.block.height) % params.blocksPerEpoch !== 0n) return;
    const vscId = await this.vscId(store);
    for (const rec of await this.consumers(store)) {
      if (rec.phase !== Phase.launched) continue;
      const id = rec.consumerId;
      const current = await this.consumerValidators(store, id);
      const next = await this.computeNextValidators(ctx, rec);
      const updates = diffValidators(current, next);
      const acks = await this.slashAcks(store, id);
      await this.setConsumerValidators(store, id, next);
      // The first epoch after launch always sends a packet, even an empty one: the consumer counts CCV
      // as established on its first VSC packet (icsd has no channel handshake to do it), and until then
      // it holds its downtime reports.
      if (updates.length === 0 && acks.length === 0 && (await this.hasQueuedVsc(store, id))) continue;
      const data = encodeVscPacket({ validatorUpdates: updates, valsetUpdateId: vscId, slashAcks: acks });
      this.setPendingPackets(store, id, [...(await this.pendingPackets(store, id)), data]);
      store.delete(slashAcksKey(id));
      store.set(vscHeightKey(id, vscId), uint64Be(BigInt(ctx.block.height)));
    }
    store.set(VSC_ID_KEY, uint64Be(vscId + 1n));
    for (const rec of await this.consumers(store)) {
      if (rec.phase === Phase.launched) await this.sendPending(ctx, rec, params);
    }
  }

  /**
   * True once a VSC packet has been queued for the consumer: a vscId → height record other than the
   * launch's (vscId 0, written at launch, so it does not count).
   */
  private async hasQueuedVsc(store: ModuleContext["store"], id: bigint): Promise<boolean> {
    const launch = vscHeightKey(id, 0n);
    for await (const [k] of range(store, vscHeightPrefix(id))) if (!equalBytes(k, launch)) return true;
    return false;
  }

  /**
   * SendVSCPacketsToChain: sends the queue in order on provider/<channel> with timeout now +
   * ccv_timeout_period. A client that is not Active (expired, frozen) keeps the queue for later; any
   * other send error stops the consumer.
   */
  private async sendPending(ctx: ModuleContext, rec: ConsumerRecord, params: ProviderParams): Promise<void> {
    const id = rec.consumerId;
    const queue = await this.pendingPackets(ctx.store, id);
    if (queue.length === 0) return;
    let status: string;
    try {
      status = await clientStatus(ctx.store, rec.clientId, ctx.block.time);
    } catch {
      status = "Unknown";
    }
    if (status !== ClientStatus.Active) {
      this.log.info(
        { consumerId: id.toString(), status },
        "IBC client is not active, VSC packets stay queued",
      );
      return;
    }
    for (let i = 0; i < queue.length; i++) {
      try {
        await this.ibc.sendPacket(ctx, {
          port: PROVIDER_PORT,
          channel: rec.channelId,
          data: queue[i]!,
          timeoutHeight: 0n,
          timeoutTimestamp: ctx.block.time + params.ccvTimeoutPeriod,
        });
        ctx.events.push(
          event("vsc_packet_sent", [
            ["module", PROVIDER_MODULE],
            ["consumer_id", id.toString()],
          ]),
        );
      } catch (e) {
        this.log.warn(
          { consumerId: id.toString(), err: (e as Error).message },
          "cannot send VSC, stopping consumer",
        );
        this.setPendingPackets(ctx.store, id, queue.slice(i));
        await this.stopConsumer(ctx, id, "vsc_send_failed");
        return;
      }
    }
    this.setPendingPackets(ctx.store, id, []);
  }

  // ---- slash meter and downtime packets -------------------------------------------------------------

  /** The meter's full allowance: round(fraction × total power), at least 1. */
  async slashMeterAllowance(store: AppStore): Promise<bigint> {
    const p = await this.params(store);
    const total = await this.staking.lastTotalPower(store);
    const a = decRound(decMulInt(decFromString(p.slashMeterReplenishFraction), total));
    return a < 1n ? 1n : a;
  }

  async slashMeter(store: AppStore): Promise<bigint> {
    const b = await store.get(SLASH_METER_KEY);
    return b === undefined ? await this.slashMeterAllowance(store) : BigInt(fromUtf8(b));
  }

  async slashMeterReplenishTime(store: AppStore): Promise<bigint> {
    const b = await store.get(SLASH_METER_TIME_KEY);
    return b === undefined ? 0n : readUint64Be(b);
  }

  /** BeginBlock: at each replenish period, meter += allowance, capped at the allowance. */
  async replenishSlashMeter(ctx: ModuleContext): Promise<void> {
    const { store } = ctx;
    const params = await this.params(store);
    const due = await this.slashMeterReplenishTime(store);
    if ((await store.get(SLASH_METER_KEY)) !== undefined && ctx.block.time < due) return;
    const allowance = await this.slashMeterAllowance(store);
    const meter = (await store.get(SLASH_METER_KEY)) === undefined ? 0n : await this.slashMeter(store);
    const next = meter + allowance > allowance ? allowance : meter + allowance;
    store.set(SLASH_METER_KEY, utf8(next.toString()));
    store.set(SLASH_METER_TIME_KEY, uint64Be(ctx.block.time + params.slashMeterReplenishPeriod));
  }

  /**
   * OnRecvSlashPacket for a downtime infraction, as ics-reference.md lists the steps; returns the result
   * kind, or an error text for an error acknowledgement.
   */
  async handleDowntimePacket(
    ctx: ModuleContext,
    id: bigint,
    consumerAddr: Uint8Array,
    reportedPower: bigint,
    vscId: bigint,
  ): Promise<"handled" | "bounced" | { error: string }> {
    const { store } = ctx;
    const infractionHeight = await this.vscHeight(store, id, vscId);
    if (infractionHeight === undefined) {
      return { error: `invalid slash packet: unknown valset update id ${vscId} for consumer ${id}` };
    }
    const rec = await this.mustGetConsumer(store, id);
    const providerAddr = await this.providerAddrOf(store, id, consumerAddr);
    const consumerAddrStr = this.valcons(consumerAddr);
    const inSet = (await store.get(valsetKey(id, providerAddr))) !== undefined;
    if (rec.phase !== Phase.launched || !inSet) {
      await this.appendSlashAck(store, id, consumerAddrStr);
      return "handled";
    }
    const meter = await this.slashMeter(store);
    if (meter < 0n) return "bounced";
    const validator = await this.staking.getValidatorByConsAddr(store, providerAddr);
    const power = validator ? await this.staking.lastValidatorPower(store, validator.operator) : 0n;
    store.set(SLASH_METER_KEY, utf8((meter - power).toString()));
    ctx.events.push(
      event("slash_packet_received", [
        ["module", PROVIDER_MODULE],
        ["consumer_id", id.toString()],
        ["validator_address", this.valcons(providerAddr)],
        ["infraction_type", "downtime"],
        ["valset_update_id", vscId.toString()],
      ]),
    );
    if (!validator || validator.status === "unbonded") return "handled";
    if (await this.slashing.isTombstoned(store, providerAddr)) return "handled";
    await this.appendSlashAck(store, id, consumerAddrStr);
    if (!validator.jailed) {
      const dt = rec.infraction.downtime;
      const fraction = decFromString(dt.slashFraction);
      if (fraction > 0n) {
        await this.slashing.slash(
          ctx,
          providerAddr,
          fraction,
          reportedPower,
          Number(infractionHeight),
          "missing_signature",
        );
      }
      await this.slashing.jail(ctx, providerAddr);
      await this.slashing.jailUntil(store, providerAddr, ctx.block.time + dt.jailDuration);
    }
    ctx.events.push(
      event("execute_consumer_chain_slash", [
        ["module", PROVIDER_MODULE],
        ["validator_address", this.valcons(providerAddr)],
        ["infraction_type", "downtime"],
        ["infraction_height", infractionHeight.toString()],
        ["valset_update_id", vscId.toString()],
      ]),
    );
    return "handled";
  }
}

/** A consumer id text ("0", "12") as a u64; undefined for anything else. */
export function parseConsumerId(s: string): bigint | undefined {
  if (!/^(0|[1-9][0-9]{0,19})$/.test(s)) return undefined;
  const n = BigInt(s);
  return n < 1n << 64n ? n : undefined;
}

/** A Dec as short text ("0.05"). */
export function normalizeDec(d: bigint): string {
  const whole = d / DEC_ONE;
  const frac = (d % DEC_ONE).toString().padStart(18, "0").replace(/0+$/, "");
  return frac === "" ? whole.toString() : `${whole}.${frac}`;
}

export { compareBytes, concatBytes };
