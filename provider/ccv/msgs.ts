/**
 * The provider module's messages (msg_server.go and msg.go ValidateBasic): consumer lifecycle
 * (create, update, remove), key assignment, opt-in / opt-out and per-consumer commission. The
 * evidence messages are decoded here but handled by the evidence helper (provider/ccv/evidence.ts).
 */
import type { Any } from "cosmjs-types/google/protobuf/any";
import {
  addressBytes,
  decFromString,
  errInvalidAddress,
  event,
  type ModuleContext,
  type MsgRoute,
  msgRoute,
  SdkError,
} from "../../app/index.ts";
import { fromBase64 } from "../../utils/index.ts";
import { consAddress, type Validator, valoperBytes } from "../staking/index.ts";
import {
  type ConsumerInitializationParameters,
  emptyPowerShapingParameters,
  type InfractionParameters,
  type MsgAssignConsumerKey,
  MsgAssignConsumerKeyCodec,
  type MsgCodec,
  type MsgCreateConsumer,
  MsgCreateConsumerCodec,
  MsgCreateConsumerResponseCodec,
  type MsgOptIn,
  MsgOptInCodec,
  type MsgOptOut,
  MsgOptOutCodec,
  type MsgRemoveConsumer,
  MsgRemoveConsumerCodec,
  type MsgSetConsumerCommissionRate,
  MsgSetConsumerCommissionRateCodec,
  type MsgUpdateConsumer,
  MsgUpdateConsumerCodec,
  type PowerShapingParameters,
  type SlashJailParameters,
} from "./codec.ts";
import {
  errCannotCreateTopNChain,
  errInvalidConsumerInfractionParameters,
  errInvalidConsumerInitializationParameters,
  errInvalidConsumerMetadata,
  errInvalidMsgAssignConsumerKey,
  errInvalidMsgCreateConsumer,
  errInvalidMsgOptIn,
  errInvalidMsgSetConsumerCommissionRate,
  errInvalidMsgUpdateConsumer,
  errInvalidNewOwnerAddress,
  errInvalidPhase,
  errInvalidPowerShapingParameters,
  errInvalidTransformToTopN,
  errUnauthorized,
} from "./errors.ts";
import { bech32Bytes, PROVIDER_MODULE, type ProviderKeeper, parseConsumerId } from "./keeper.ts";
import { normDec, ConsumerPhase as Phase, type ResolvedInfractionParameters } from "./state.ts";

const ED25519_TYPE = "/cosmos.crypto.ed25519.PubKey";

function response(typeUrl: string, value: Uint8Array = new Uint8Array()): Any {
  return { typeUrl: `${typeUrl}Response`, value };
}

/** The 32-byte ed25519 key of the reference's JSON consumer key; throws `bad` otherwise. */
export function parseConsumerKey(json: string, bad: (d: string) => SdkError): Uint8Array {
  let o: unknown;
  try {
    o = JSON.parse(json);
  } catch {
    throw bad(`consumer key is not JSON: ${json}`);
  }
  const r = o as { "@type"?: unknown; key?: unknown };
  if (typeof o !== "object" || o === null || r["@type"] !== ED25519_TYPE || typeof r.key !== "string") {
    throw bad(`consumer key must be {"@type":"${ED25519_TYPE}","key":"<base64>"} (ed25519 only)`);
  }
  let key: Uint8Array;
  try {
    key = fromBase64(r.key);
  } catch {
    throw bad("consumer key is not base64");
  }
  if (key.length !== 32) throw bad(`consumer key must be 32 bytes, got ${key.length}`);
  return key;
}

/** The reference consumer key JSON of an ed25519 key. */
export function consumerKeyJson(key: Uint8Array): string {
  return JSON.stringify({ "@type": ED25519_TYPE, key: Buffer.from(key).toString("base64") });
}

function consumerIdOf(s: string, bad: (d: string) => SdkError): bigint {
  const id = parseConsumerId(s);
  if (id === undefined) throw bad(`invalid consumer id: ${JSON.stringify(s)}`);
  return id;
}

function checkString(field: string, s: string, max: number, bad: (d: string) => SdkError): void {
  if (s.length > max) throw bad(`${field}: length ${s.length} exceeds ${max}`);
}

function validateMetadata(m: { name: string; description: string; metadata: string }): void {
  checkString("Name", m.name, 50, errInvalidConsumerMetadata);
  checkString("Description", m.description, 10000, errInvalidConsumerMetadata);
  checkString("Metadata", m.metadata, 1000, errInvalidConsumerMetadata);
}

function fractionOk(s: string): boolean {
  try {
    const d = decFromString(s);
    return d >= 0n && d <= 10n ** 18n;
  } catch {
    return false;
  }
}

/** ValidateInitializationParameters, plus icsd's downtime fields. */
function validateInit(p: ConsumerInitializationParameters): void {
  const bad = errInvalidConsumerInitializationParameters;
  if (p.initialHeight.revisionHeight === 0n && p.initialHeight.revisionNumber === 0n)
    throw bad("InitialHeight cannot be zero");
  if (p.genesisHash.length > 64) throw bad("GenesisHash: too long");
  if (p.binaryHash.length > 64) throw bad("BinaryHash: too long");
  if (!fractionOk(p.consumerRedistributionFraction))
    throw bad("ConsumerRedistributionFraction: invalid fraction");
  if (p.blocksPerDistributionTransmission <= 0n)
    throw bad("BlocksPerDistributionTransmission: must be positive");
  if (p.historicalEntries <= 0n) throw bad("HistoricalEntries: must be positive");
  if (p.ccvTimeoutPeriod <= 0n) throw bad("CcvTimeoutPeriod: must be positive");
  if (p.transferTimeoutPeriod <= 0n) throw bad("TransferTimeoutPeriod: must be positive");
  if (p.unbondingPeriod <= 0n) throw bad("UnbondingPeriod: must be positive");
  if (p.connectionId !== "") throw bad("ConnectionId: icsd launches new chains only (no pre-CCV connection)");
  if (p.distributionTransmissionChannel !== "" && !/^channel-\d+$/.test(p.distributionTransmissionChannel))
    throw bad("DistributionTransmissionChannel: invalid channel id");
  if (p.signedBlocksWindow < 0n) throw bad("SignedBlocksWindow: must not be negative");
  if (p.minSignedPerWindow !== "" && !fractionOk(p.minSignedPerWindow))
    throw bad("MinSignedPerWindow: invalid fraction");
  if (p.downtimeJailDuration < 0n) throw bad("DowntimeJailDuration: must not be negative");
}

function validatePsp(p: PowerShapingParameters): void {
  const bad = errInvalidPowerShapingParameters;
  if (p.topN !== 0 && (p.topN < 50 || p.topN > 100))
    throw bad("Top N can either be 0 or in the range [50, 100]");
  if (p.validatorsPowerCap > 100) throw bad("ValidatorsPowerCap has to be in the range [0, 100]");
  for (const [name, list] of [
    ["Allowlist", p.allowlist],
    ["Denylist", p.denylist],
    ["Prioritylist", p.prioritylist],
  ] as const) {
    if (list.length > 1000) throw bad(`${name}: too many addresses`);
    for (const a of list) {
      try {
        if (bech32Bytes(a).length !== 20) throw new Error("not 20 bytes");
      } catch (e) {
        throw bad(`${name}: invalid consensus address ${a}: ${(e as Error).message}`);
      }
    }
  }
}

function validateInfraction(p: InfractionParameters): void {
  for (const [name, sj] of [
    ["DoubleSign", p.doubleSign],
    ["Downtime", p.downtime],
  ] as const) {
    if (!sj) continue;
    if (sj.jailDuration < 0n)
      throw errInvalidConsumerInfractionParameters(`${name}.JailDuration cannot be negative`);
    if (!fractionOk(sj.slashFraction))
      throw errInvalidConsumerInfractionParameters(`${name}.SlashFraction: invalid`);
  }
}

function resolveInfraction(
  given: InfractionParameters | undefined,
  base: ResolvedInfractionParameters,
): ResolvedInfractionParameters {
  const norm = (s: SlashJailParameters): SlashJailParameters => ({
    ...s,
    slashFraction: normDec(s.slashFraction),
  });
  return {
    doubleSign: given?.doubleSign ? norm(given.doubleSign) : base.doubleSign,
    downtime: given?.downtime ? norm(given.downtime) : base.downtime,
  };
}

function accountCheck(addr: string, prefix: string, bad: (d: string) => SdkError, field: string): void {
  try {
    addressBytes(addr, prefix, field);
  } catch (e) {
    throw bad(`${field}: ${(e as Error).message}`);
  }
}

function decodeWith<T>(codec: MsgCodec<T>, value: Uint8Array, bad: (d: string) => SdkError): T {
  try {
    return codec.decode(value);
  } catch (e) {
    throw bad(`cannot decode: ${(e as Error).message}`);
  }
}

async function validatorOf(k: ProviderKeeper, ctx: ModuleContext, operator: Uint8Array): Promise<Validator> {
  const v = await k.staking.getValidator(ctx.store, operator);
  if (!v) throw new SdkError("staking", 4, "validator does not exist");
  return v;
}

/** The provider module's message routes. */
export function providerMsgRoutes(k: ProviderKeeper): MsgRoute[] {
  const create: MsgRoute<MsgCreateConsumer> = {
    typeUrl: MsgCreateConsumerCodec.typeUrl,
    module: PROVIDER_MODULE,
    decode(value, prefix) {
      const m = decodeWith(MsgCreateConsumerCodec, value, errInvalidMsgCreateConsumer);
      accountCheck(m.submitter, prefix, errInvalidMsgCreateConsumer, "submitter");
      if (m.chainId.trim() === "" || m.chainId.length > 50)
        throw errInvalidMsgCreateConsumer("ChainId: invalid");
      validateMetadata(m.metadata);
      if (m.initializationParameters) validateInit(m.initializationParameters);
      if (m.powerShapingParameters) {
        if (m.powerShapingParameters.topN !== 0) {
          throw errCannotCreateTopNChain("cannot create a Top N chain using the `MsgCreateConsumer` message");
        }
        validatePsp(m.powerShapingParameters);
      }
      if (m.infractionParameters) validateInfraction(m.infractionParameters);
      return { signer: m.submitter, msg: m };
    },
    async handle(ctx, m) {
      const id = await k.takeConsumerId(ctx.store);
      const init = m.initializationParameters;
      const phase = init?.spawnTime !== undefined ? Phase.initialized : Phase.registered;
      k.setConsumer(ctx.store, {
        consumerId: id,
        chainId: m.chainId,
        owner: m.submitter,
        phase,
        metadata: m.metadata,
        init,
        powerShaping: m.powerShapingParameters ?? emptyPowerShapingParameters,
        rewardDenoms: m.allowlistedRewardDenoms?.denoms ?? [],
        infraction: resolveInfraction(m.infractionParameters, await k.defaultInfraction(ctx.store)),
        clientId: "",
        channelId: "",
        transferChannelId: "",
        launchHeight: 0n,
        launchTime: 0n,
        removalTime: 0n,
      });
      ctx.events.push(
        event("create_consumer", [
          ["module", PROVIDER_MODULE],
          ["consumer_id", id.toString()],
          ["chain_id", m.chainId],
          ["owner_address", m.submitter],
          ["phase", phase],
        ]),
      );
      return {
        typeUrl: `${MsgCreateConsumerCodec.typeUrl}Response`,
        value: MsgCreateConsumerResponseCodec.encode({ consumerId: id.toString() }),
      };
    },
  };

  const update: MsgRoute<MsgUpdateConsumer & { id: bigint }> = {
    typeUrl: MsgUpdateConsumerCodec.typeUrl,
    module: PROVIDER_MODULE,
    decode(value, prefix) {
      const m = decodeWith(MsgUpdateConsumerCodec, value, errInvalidMsgUpdateConsumer);
      accountCheck(m.owner, prefix, errInvalidMsgUpdateConsumer, "owner");
      const id = consumerIdOf(m.consumerId, errInvalidMsgUpdateConsumer);
      if (m.newOwnerAddress !== "")
        accountCheck(m.newOwnerAddress, prefix, errInvalidNewOwnerAddress, "new owner");
      if (m.metadata) validateMetadata(m.metadata);
      if (m.initializationParameters) validateInit(m.initializationParameters);
      if (m.powerShapingParameters) validatePsp(m.powerShapingParameters);
      if (m.infractionParameters) validateInfraction(m.infractionParameters);
      if (m.newChainId.length > 50) throw errInvalidMsgUpdateConsumer("NewChainId: too long");
      return { signer: m.owner, msg: { ...m, id } };
    },
    async handle(ctx, m) {
      const rec = await k.mustGetConsumer(ctx.store, m.id);
      if (![Phase.registered, Phase.initialized, Phase.launched].includes(rec.phase as never)) {
        throw errInvalidPhase(
          `cannot update consumer chain that is not in the registered, initialized, or launched phase: ${rec.phase}`,
        );
      }
      if (m.owner !== rec.owner) {
        throw errUnauthorized(`expected owner address ${rec.owner}, got ${m.owner}`);
      }
      const owner = m.newOwnerAddress !== "" ? m.newOwnerAddress : rec.owner;
      const launched = rec.phase === Phase.launched;
      if (m.newChainId !== "" && m.newChainId !== rec.chainId && launched) {
        throw errInvalidPhase("cannot update chain id of a launched chain");
      }
      if (m.initializationParameters && launched) {
        throw errInvalidPhase("cannot update the initialization parameters of a launched chain");
      }
      const psp = m.powerShapingParameters ?? rec.powerShaping;
      // Gov executes proposal messages with its module address as signer: only a gov-owned chain may be
      // Top N (the reference's ErrInvalidTransformToTopN).
      if (psp.topN > 0 && owner !== k.govAddress) {
        throw errInvalidTransformToTopN(
          "an opt-in chain can only become Top N through governance (owner must be gov)",
        );
      }
      const init = m.initializationParameters ?? rec.init;
      let phase = rec.phase;
      if (!launched) phase = init?.spawnTime !== undefined ? Phase.initialized : Phase.registered;
      k.setConsumer(ctx.store, {
        ...rec,
        owner,
        chainId: m.newChainId !== "" ? m.newChainId : rec.chainId,
        metadata: m.metadata ?? rec.metadata,
        init,
        powerShaping: psp,
        rewardDenoms: m.allowlistedRewardDenoms ? m.allowlistedRewardDenoms.denoms : rec.rewardDenoms,
        infraction: resolveInfraction(m.infractionParameters, rec.infraction),
        phase,
      });
      ctx.events.push(
        event("update_consumer", [
          ["module", PROVIDER_MODULE],
          ["consumer_id", m.id.toString()],
          ["owner_address", owner],
          ["phase", phase],
        ]),
      );
      return response(MsgUpdateConsumerCodec.typeUrl);
    },
  };

  const remove: MsgRoute<MsgRemoveConsumer & { id: bigint }> = {
    typeUrl: MsgRemoveConsumerCodec.typeUrl,
    module: PROVIDER_MODULE,
    decode(value, prefix) {
      const m = decodeWith(MsgRemoveConsumerCodec, value, errInvalidMsgUpdateConsumer);
      accountCheck(m.owner, prefix, errInvalidAddress, "owner");
      return { signer: m.owner, msg: { ...m, id: consumerIdOf(m.consumerId, errInvalidMsgUpdateConsumer) } };
    },
    async handle(ctx, m) {
      const rec = await k.mustGetConsumer(ctx.store, m.id);
      if (m.owner !== rec.owner) throw errUnauthorized(`expected owner address ${rec.owner}, got ${m.owner}`);
      if (rec.phase !== Phase.launched) {
        throw errInvalidPhase(`chain with consumer id: ${m.id} has to be in its launched phase`);
      }
      await k.stopConsumer(ctx, m.id, "removed");
      return response(MsgRemoveConsumerCodec.typeUrl);
    },
  };

  /** The validator a message names, checking the signer is its operator account. */
  const validatorMsg = (
    providerAddr: string,
    signer: string,
    prefix: string,
    bad: (d: string) => SdkError,
  ) => {
    let operator: Uint8Array;
    try {
      operator = valoperBytes(providerAddr, prefix, "provider address");
    } catch (e) {
      throw bad(`ProviderAddr: ${(e as Error).message}`);
    }
    accountCheck(signer, prefix, bad, "signer");
    if (!equal(addressBytes(signer, prefix, "signer"), operator)) {
      throw bad("signer address and provider address do not match");
    }
    return operator;
  };

  const assign: MsgRoute<MsgAssignConsumerKey & { id: bigint; operator: Uint8Array; key: Uint8Array }> = {
    typeUrl: MsgAssignConsumerKeyCodec.typeUrl,
    module: PROVIDER_MODULE,
    decode(value, prefix) {
      const m = decodeWith(MsgAssignConsumerKeyCodec, value, errInvalidMsgAssignConsumerKey);
      const operator = validatorMsg(m.providerAddr, m.signer, prefix, errInvalidMsgAssignConsumerKey);
      const id = consumerIdOf(m.consumerId, errInvalidMsgAssignConsumerKey);
      const key = parseConsumerKey(m.consumerKey, errInvalidMsgAssignConsumerKey);
      return { signer: m.signer, msg: { ...m, id, operator, key } };
    },
    async handle(ctx, m) {
      const v = await validatorOf(k, ctx, m.operator);
      await k.assignConsumerKey(ctx, m.id, v, m.key);
      return response(MsgAssignConsumerKeyCodec.typeUrl);
    },
  };

  const optIn: MsgRoute<MsgOptIn & { id: bigint; operator: Uint8Array; key: Uint8Array | undefined }> = {
    typeUrl: MsgOptInCodec.typeUrl,
    module: PROVIDER_MODULE,
    decode(value, prefix) {
      const m = decodeWith(MsgOptInCodec, value, errInvalidMsgOptIn);
      const operator = validatorMsg(m.providerAddr, m.signer, prefix, errInvalidMsgOptIn);
      const id = consumerIdOf(m.consumerId, errInvalidMsgOptIn);
      const key = m.consumerKey === "" ? undefined : parseConsumerKey(m.consumerKey, errInvalidMsgOptIn);
      return { signer: m.signer, msg: { ...m, id, operator, key } };
    },
    async handle(ctx, m) {
      const rec = await k.mustGetConsumer(ctx.store, m.id);
      if (![Phase.registered, Phase.initialized, Phase.launched].includes(rec.phase as never)) {
        throw errInvalidPhase(`opting in to an unknown or stopped consumer chain, consumerId(${m.id})`);
      }
      const v = await validatorOf(k, ctx, m.operator);
      const cons = consAddress(v.consPubKey);
      k.setOptedIn(ctx.store, m.id, cons);
      if (m.key !== undefined) await k.assignConsumerKey(ctx, m.id, v, m.key);
      ctx.events.push(
        event("opt_in", [
          ["module", PROVIDER_MODULE],
          ["consumer_id", m.id.toString()],
          ["provider_validator_address", k.valcons(cons)],
        ]),
      );
      return response(MsgOptInCodec.typeUrl);
    },
  };

  const optOut: MsgRoute<MsgOptOut & { id: bigint; operator: Uint8Array }> = {
    typeUrl: MsgOptOutCodec.typeUrl,
    module: PROVIDER_MODULE,
    decode(value, prefix) {
      const m = decodeWith(MsgOptOutCodec, value, errInvalidMsgOptIn);
      const operator = validatorMsg(m.providerAddr, m.signer, prefix, errInvalidMsgOptIn);
      return {
        signer: m.signer,
        msg: { ...m, id: consumerIdOf(m.consumerId, errInvalidMsgOptIn), operator },
      };
    },
    async handle(ctx, m) {
      const v = await validatorOf(k, ctx, m.operator);
      await k.optOut(ctx, m.id, v);
      ctx.events.push(
        event("opt_out", [
          ["module", PROVIDER_MODULE],
          ["consumer_id", m.id.toString()],
          ["provider_validator_address", k.valcons(consAddress(v.consPubKey))],
        ]),
      );
      return response(MsgOptOutCodec.typeUrl);
    },
  };

  const commission: MsgRoute<MsgSetConsumerCommissionRate & { id: bigint; operator: Uint8Array }> = {
    typeUrl: MsgSetConsumerCommissionRateCodec.typeUrl,
    module: PROVIDER_MODULE,
    decode(value, prefix) {
      const bad = errInvalidMsgSetConsumerCommissionRate;
      const m = decodeWith(MsgSetConsumerCommissionRateCodec, value, bad);
      const operator = validatorMsg(m.providerAddr, m.signer, prefix, bad);
      if (!fractionOk(m.rate)) throw bad(`rate ${m.rate} must be in [0, 1]`);
      return { signer: m.signer, msg: { ...m, id: consumerIdOf(m.consumerId, bad), operator } };
    },
    async handle(ctx, m) {
      const rec = await k.mustGetConsumer(ctx.store, m.id);
      if (![Phase.registered, Phase.initialized, Phase.launched].includes(rec.phase as never)) {
        throw errInvalidPhase(`cannot set commission rate on a stopped or deleted consumer chain ${m.id}`);
      }
      const v = await validatorOf(k, ctx, m.operator);
      const { minCommissionRate } = await k.staking.params(ctx.store);
      if (decFromString(m.rate) < minCommissionRate) {
        throw new SdkError("staking", 40, "commission cannot be less than min rate");
      }
      const cons = consAddress(v.consPubKey);
      k.setConsumerCommissionRate(ctx.store, m.id, cons, normDec(m.rate));
      ctx.events.push(
        event("set_consumer_commission_rate", [
          ["module", PROVIDER_MODULE],
          ["consumer_id", m.id.toString()],
          ["provider_validator_address", k.valcons(cons)],
          ["rate", normDec(m.rate)],
        ]),
      );
      return response(MsgSetConsumerCommissionRateCodec.typeUrl);
    },
  };

  return [
    msgRoute(create),
    msgRoute(update),
    msgRoute(remove),
    msgRoute(assign),
    msgRoute(optIn),
    msgRoute(optOut),
    msgRoute(commission),
  ];
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
