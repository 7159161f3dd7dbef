/**
 * The consumer's genesis (`app_state.ccvconsumer`, the provider's ConsumerGenesis query result): parsed
 * field by field (GENESIS_INVALID naming the field), then InitGenesis creates this chain's light client
 * of the provider ("07-icsd-0") and the two channel ends the provider already holds the mirror of
 * (consumer/channel-0 ORDERED "1", transfer/channel-1 UNORDERED "ics20-1"), with no handshake.
 */
import type { IbcKeeper, ModuleContext } from "../app/index.ts";
import type { ValidatorUpdate } from "../consensus/index.ts";
import { addressFromPubKey } from "../crypto/index.ts";
import { CCV_VERSION, CONSUMER_PORT, PROVIDER_PORT } from "../ibc/ccv/wire.ts";
import {
  ChannelOrder,
  type ClientState,
  type ConsensusState,
  createClient,
  ICS20_VERSION,
  openChannelFromGenesis,
  TRANSFER_PORT,
  validateChannelId,
  validateClientId,
} from "../ibc/index.ts";
import { fromBase64, fromHex, toBase64, toHexUpper } from "../utils/index.ts";
import { type ConsumerParams, genesisError as fail, parseConsumerParams, parseUint } from "./params.ts";
import { consumerState } from "./state.ts";

type Json = Record<string, unknown>;

/** app_state.ccvconsumer, decoded. */
export interface ConsumerGenesis {
  readonly params: ConsumerParams;
  readonly providerChainId: string;
  readonly providerClientState: ClientState;
  readonly providerConsensusState: ConsensusState;
  readonly initialValSet: readonly ValidatorUpdate[];
  readonly consumerClientId: string;
  readonly consumerChannelId: string;
  readonly providerClientId: string;
  readonly providerChannelId: string;
  readonly consumerTransferChannelId: string;
  readonly providerTransferChannelId: string;
  readonly launchTime: bigint;
}

/** The id of this chain's client of the provider (the first client it creates). */
export const PROVIDER_CLIENT_ID = "07-icsd-0";

function obj(v: unknown, field: string): Json {
  if (typeof v !== "object" || v === null || Array.isArray(v)) fail(field, "must be an object");
  return v as Json;
}

function str(v: unknown, field: string): string {
  if (typeof v !== "string" || v === "") fail(field, "must be a non-empty string");
  return v;
}

function wrap<T>(field: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    return fail(field, e instanceof Error ? e.message : String(e));
  }
}

function clientStateOf(v: unknown, field: string): ClientState {
  const s = obj(v, field);
  const trust = s.trust_level === undefined ? {} : obj(s.trust_level, `${field}.trust_level`);
  const num = (x: unknown, f: string, d?: bigint) =>
    x === undefined && d !== undefined ? d : parseUint(x, f);
  return {
    chainId: str(s.chain_id, `${field}.chain_id`),
    trustLevel: {
      numerator: num(trust.numerator, `${field}.trust_level.numerator`, 1n),
      denominator: num(trust.denominator, `${field}.trust_level.denominator`, 3n),
    },
    trustingPeriod: num(s.trusting_period, `${field}.trusting_period`),
    unbondingPeriod: num(s.unbonding_period, `${field}.unbonding_period`),
    maxClockDrift: num(s.max_clock_drift, `${field}.max_clock_drift`),
    latestHeight: num(s.latest_height, `${field}.latest_height`),
    frozenHeight: num(s.frozen_height, `${field}.frozen_height`, 0n),
  };
}

function consensusStateOf(v: unknown, field: string, latestHeight: bigint): ConsensusState {
  const k = obj(v, field);
  const at = k.height === undefined ? latestHeight : parseUint(k.height, `${field}.height`);
  if (at !== latestHeight)
    fail(`${field}.height`, `is ${at} but the client state's latest height is ${latestHeight}`);
  const root = k.root === undefined ? "" : k.root;
  if (typeof root !== "string") fail(`${field}.root`, "must be base64");
  const nvh = k.next_validators_hash;
  if (typeof nvh !== "string" || !/^[0-9A-Fa-f]{64}$/.test(nvh))
    fail(`${field}.next_validators_hash`, "must be 32 bytes of hex");
  return {
    timestamp: parseUint(k.timestamp, `${field}.timestamp`),
    root: wrap(`${field}.root`, () => fromBase64(root)),
    nextValidatorsHash: fromHex(nvh),
  };
}

function validatorsOf(v: unknown, field: string): ValidatorUpdate[] {
  if (!Array.isArray(v) || v.length === 0) fail(field, "must be a non-empty list of validators");
  const seen = new Set<string>();
  return v.map((x, i) => {
    const f = `${field}[${i}]`;
    const o = obj(x, f);
    const pk = obj(o.pub_key, `${f}.pub_key`);
    if (typeof pk.ed25519 !== "string") fail(`${f}.pub_key.ed25519`, "must be a base64 ed25519 key");
    const pubKey = wrap(`${f}.pub_key.ed25519`, () => fromBase64(pk.ed25519 as string));
    if (pubKey.length !== 32) fail(`${f}.pub_key.ed25519`, `must be 32 bytes, got ${pubKey.length}`);
    const hex = toHexUpper(pubKey);
    if (seen.has(hex)) fail(`${f}.pub_key`, "is listed twice");
    seen.add(hex);
    const power = parseUint(o.power, `${f}.power`);
    if (power <= 0n || power >= 1n << 63n) fail(`${f}.power`, "must be positive and below 2^63");
    return { pubKey, power };
  });
}

function idOf(v: unknown, field: string, dflt: string | undefined, check: (id: string) => void): string {
  if (v === undefined && dflt !== undefined) return dflt;
  const id = str(v, field);
  wrap(field, () => check(id));
  return id;
}

/** Decodes and validates app_state.ccvconsumer; throws GENESIS_INVALID naming the field. */
export function parseConsumerGenesis(state: unknown): ConsumerGenesis {
  const root = obj(state, "(root)");
  const params = parseConsumerParams(root.params);
  if (!params.enabled) fail("params.enabled", "must be true (a disabled consumer is not supported)");
  if (root.new_chain !== undefined && root.new_chain !== true)
    fail("new_chain", "must be true (changeover from a standalone chain is not supported)");
  if (root.preCCV === true) fail("preCCV", "is not supported");
  const provider = obj(root.provider, "provider");
  const providerClientState = clientStateOf(provider.client_state, "provider.client_state");
  const providerConsensusState = consensusStateOf(
    provider.consensus_state,
    "provider.consensus_state",
    providerClientState.latestHeight,
  );
  const initialValSet = validatorsOf(provider.initial_val_set, "provider.initial_val_set");
  const providerChainId =
    root.provider_chain_id === undefined
      ? providerClientState.chainId
      : str(root.provider_chain_id, "provider_chain_id");
  if (providerChainId !== providerClientState.chainId)
    fail(
      "provider_chain_id",
      `is ${providerChainId} but the provider client's chain id is ${providerClientState.chainId}`,
    );
  const ch = obj(root.ccv_channel, "ccv_channel");
  const consumerClientId = idOf(
    ch.consumer_client_id,
    "ccv_channel.consumer_client_id",
    PROVIDER_CLIENT_ID,
    validateClientId,
  );
  if (consumerClientId !== PROVIDER_CLIENT_ID)
    fail("ccv_channel.consumer_client_id", `must be ${PROVIDER_CLIENT_ID} (the consumer's first client)`);
  const consumerChannelId = idOf(
    ch.consumer_channel_id,
    "ccv_channel.consumer_channel_id",
    "channel-0",
    validateChannelId,
  );
  const consumerTransferChannelId = idOf(
    ch.consumer_transfer_channel_id,
    "ccv_channel.consumer_transfer_channel_id",
    "channel-1",
    validateChannelId,
  );
  if (consumerTransferChannelId === consumerChannelId)
    fail("ccv_channel.consumer_transfer_channel_id", "must differ from consumer_channel_id");
  const providerClientId = idOf(ch.provider_client_id, "ccv_channel.provider_client_id", "", () => {});
  const providerChannelId = idOf(
    ch.provider_channel_id,
    "ccv_channel.provider_channel_id",
    undefined,
    validateChannelId,
  );
  const providerTransferChannelId = idOf(
    ch.provider_transfer_channel_id,
    "ccv_channel.provider_transfer_channel_id",
    undefined,
    validateChannelId,
  );
  const dtc = params.distributionTransmissionChannel;
  if (dtc !== "" && dtc !== consumerTransferChannelId)
    fail(
      "params.distribution_transmission_channel",
      `is ${dtc} but the consumer's transfer channel is ${consumerTransferChannelId}`,
    );
  return {
    params: { ...params, distributionTransmissionChannel: consumerTransferChannelId },
    providerChainId,
    providerClientState,
    providerConsensusState,
    initialValSet,
    consumerClientId,
    consumerChannelId,
    providerClientId,
    providerChannelId,
    consumerTransferChannelId,
    providerTransferChannelId,
    launchTime: root.launch_time === undefined ? 0n : parseUint(root.launch_time, "launch_time"),
  };
}

async function wrapAsync<T>(field: string, f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    return fail(field, e instanceof Error ? e.message : String(e));
  }
}

/**
 * The consumer's InitGenesis (runs after ibc's): stores params and the provider's whereabouts, creates
 * the provider client and both channel ends, sets ibc's next client number to 1, and stores the initial
 * validator set as the current consumer set (each with a fresh signing info at the genesis height).
 */
export async function initConsumerGenesis(ctx: ModuleContext, ibc: IbcKeeper, state: unknown): Promise<void> {
  if (state === undefined || state === null) {
    fail("(root)", "is missing: a consumer chain's genesis needs app_state.ccvconsumer");
  }
  const g = parseConsumerGenesis(state);
  const { store } = ctx;
  consumerState.setParams(store, g.params);
  consumerState.setProvider(store, {
    providerChainId: g.providerChainId,
    consumerChainId: ctx.block.chainId,
    clientId: g.consumerClientId,
    channelId: g.consumerChannelId,
    providerChannelId: g.providerChannelId,
    transferChannelId: g.consumerTransferChannelId,
    providerTransferChannelId: g.providerTransferChannelId,
    providerClientId: g.providerClientId,
  });
  await wrapAsync("provider.client_state", () =>
    createClient(store, g.consumerClientId, g.providerClientState, g.providerConsensusState),
  );
  await wrapAsync("ccv_channel.consumer_channel_id", () =>
    openChannelFromGenesis(store, {
      portId: CONSUMER_PORT,
      channelId: g.consumerChannelId,
      counterpartyPortId: PROVIDER_PORT,
      counterpartyChannelId: g.providerChannelId,
      clientId: g.consumerClientId,
      ordering: ChannelOrder.ordered,
      version: CCV_VERSION,
    }),
  );
  await wrapAsync("ccv_channel.consumer_transfer_channel_id", () =>
    openChannelFromGenesis(store, {
      portId: TRANSFER_PORT,
      channelId: g.consumerTransferChannelId,
      counterpartyPortId: TRANSFER_PORT,
      counterpartyChannelId: g.providerTransferChannelId,
      clientId: g.consumerClientId,
      ordering: ChannelOrder.unordered,
      version: ICS20_VERSION,
    }),
  );
  ibc.setNextClientSequence(store, 1n);
  const height = BigInt(ctx.block.height);
  for (const v of g.initialValSet) {
    const address = addressFromPubKey(v.pubKey);
    consumerState.setValidator(store, { address, pubKey: v.pubKey, power: v.power });
    consumerState.setSigningInfo(store, address, {
      startHeight: height,
      indexOffset: 0n,
      missedBlocksCounter: 0n,
    });
  }
  // The reference sets height → vscId 0 at the genesis height (no change received yet).
  consumerState.setVscIdAtHeight(store, height, 0n);
}

/** The initial validator set (InitChain's validators): the current consumer set. */
export async function consumerInitChainValidators(ctx: ModuleContext): Promise<ValidatorUpdate[]> {
  return (await consumerState.validators(ctx.store)).map((v) => ({ pubKey: v.pubKey, power: v.power }));
}

/** The JSON of one validator as genesis and the Validators query show it. */
export function validatorJson(v: { address: Uint8Array; pubKey: Uint8Array; power: bigint }) {
  return { address: toHexUpper(v.address), pub_key: toBase64(v.pubKey), power: v.power.toString() };
}
