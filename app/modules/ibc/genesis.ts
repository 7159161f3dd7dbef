/**
 * The ibc module's genesis (app_state.ibc): light clients of counterparties (a client at height 0 is
 * built from the counterparty's genesis: its consensus state has the initial validator set's hash and
 * the genesis time - 1 ns, so the counterparty's header 1 verifies as adjacent), channels opened
 * without a handshake (each side's genesis carries the mirror record), and the next client number.
 * Input is checked field by field; errors name the field.
 */
import {
  ChannelOrder,
  type ClientState,
  type ConsensusState,
  createClient,
  type GenesisChannel,
  getClientState,
  openChannelFromGenesis,
  validateClientId,
} from "../../../ibc/index.ts";
import { fromBase64, fromHex, IcsdError } from "../../../utils/index.ts";
import type { ModuleContext } from "../../module.ts";
import { CLIENT_ID_PREFIX, type IbcKeeper } from "./keeper.ts";

type Json = Record<string, unknown>;

/** A client as genesis gives it. */
export interface IbcGenesisClient {
  readonly clientId: string;
  readonly clientState: ClientState;
  readonly consensusState: ConsensusState;
}

/** app_state.ibc, decoded. */
export interface IbcGenesis {
  readonly clients: readonly IbcGenesisClient[];
  readonly channels: readonly GenesisChannel[];
  readonly nextClientSequence: bigint;
}

function fail(field: string, msg: string): never {
  throw new IcsdError("GENESIS_INVALID", `genesis app_state.ibc${field === "" ? "" : `.${field}`}: ${msg}`, {
    field,
  });
}

function obj(v: unknown, field: string): Json {
  if (typeof v !== "object" || v === null || Array.isArray(v)) fail(field, "must be an object");
  return v as Json;
}

function arr(v: unknown, field: string): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) fail(field, "must be an array");
  return v;
}

function str(v: unknown, field: string): string {
  if (typeof v !== "string") fail(field, "must be a string");
  return v;
}

function uint(v: unknown, field: string, dflt?: bigint): bigint {
  if (v === undefined && dflt !== undefined) return dflt;
  if ((typeof v !== "string" && typeof v !== "number") || !/^(0|[1-9][0-9]{0,19})$/.test(String(v))) {
    fail(field, "must be a non-negative decimal integer string");
  }
  const n = BigInt(v);
  if (n >= 1n << 64n) fail(field, "must fit in 64 bits");
  return n;
}

function wrap<T>(field: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    return fail(field, e instanceof Error ? e.message : String(e));
  }
}

function clientOf(v: unknown, field: string): IbcGenesisClient {
  const c = obj(v, field);
  const clientId = str(c.client_id, `${field}.client_id`);
  wrap(`${field}.client_id`, () => validateClientId(clientId));
  const s = obj(c.client_state, `${field}.client_state`);
  const sf = `${field}.client_state`;
  const trust = s.trust_level === undefined ? {} : obj(s.trust_level, `${sf}.trust_level`);
  const clientState: ClientState = {
    chainId: str(s.chain_id, `${sf}.chain_id`),
    trustLevel: {
      numerator: uint(trust.numerator, `${sf}.trust_level.numerator`, 1n),
      denominator: uint(trust.denominator, `${sf}.trust_level.denominator`, 3n),
    },
    trustingPeriod: uint(s.trusting_period, `${sf}.trusting_period`),
    unbondingPeriod: uint(s.unbonding_period, `${sf}.unbonding_period`),
    maxClockDrift: uint(s.max_clock_drift, `${sf}.max_clock_drift`),
    latestHeight: uint(s.latest_height, `${sf}.latest_height`, 0n),
    frozenHeight: uint(s.frozen_height, `${sf}.frozen_height`, 0n),
  };
  const k = obj(c.consensus_state, `${field}.consensus_state`);
  const kf = `${field}.consensus_state`;
  const at = uint(k.height, `${kf}.height`, clientState.latestHeight);
  if (at !== clientState.latestHeight) {
    fail(`${kf}.height`, `is ${at} but the client state's latest height is ${clientState.latestHeight}`);
  }
  const root = k.root === undefined ? "" : str(k.root, `${kf}.root`);
  const nvh = str(k.next_validators_hash, `${kf}.next_validators_hash`);
  if (!/^[0-9A-Fa-f]{64}$/.test(nvh)) fail(`${kf}.next_validators_hash`, "must be 32 bytes of hex");
  const consensusState: ConsensusState = {
    timestamp: uint(k.timestamp, `${kf}.timestamp`),
    root: wrap(`${kf}.root`, () => fromBase64(root)),
    nextValidatorsHash: fromHex(nvh),
  };
  return { clientId, clientState, consensusState };
}

function channelOf(v: unknown, field: string): GenesisChannel {
  const c = obj(v, field);
  const ordering = str(c.ordering, `${field}.ordering`);
  if (ordering !== ChannelOrder.ordered && ordering !== ChannelOrder.unordered) {
    fail(`${field}.ordering`, `must be "ordered" or "unordered", got ${JSON.stringify(ordering)}`);
  }
  return {
    portId: str(c.port_id, `${field}.port_id`),
    channelId: str(c.channel_id, `${field}.channel_id`),
    counterpartyPortId: str(c.counterparty_port_id, `${field}.counterparty_port_id`),
    counterpartyChannelId: str(c.counterparty_channel_id, `${field}.counterparty_channel_id`),
    clientId: str(c.client_id, `${field}.client_id`),
    ordering,
    version: c.version === undefined ? "" : str(c.version, `${field}.version`),
  };
}

/** Decodes app_state.ibc (absent: no clients, no channels); throws GENESIS_INVALID naming the field. */
export function parseIbcGenesis(state: unknown): IbcGenesis {
  if (state === undefined || state === null) return { clients: [], channels: [], nextClientSequence: 0n };
  const root = obj(state, "");
  const clients = arr(root.clients, "clients").map((c, i) => clientOf(c, `clients[${i}]`));
  const channels = arr(root.channels, "channels").map((c, i) => channelOf(c, `channels[${i}]`));
  const nextClientSequence = uint(root.next_client_sequence, "next_client_sequence", 0n);
  return { clients, channels, nextClientSequence };
}

/**
 * ibc's InitGenesis: creates the clients (each with its consensus state at its latest height), opens
 * the channels (each must name a genesis client and a port an application is bound to), and sets the
 * next client number past every genesis client named "07-icsd-<n>", so MsgCreateClient never collides.
 */
export async function initIbcGenesis(ctx: ModuleContext, k: IbcKeeper, state: unknown): Promise<void> {
  const g = parseIbcGenesis(state);
  let next = g.nextClientSequence;
  let nextChannel = 0n;
  for (let i = 0; i < g.clients.length; i++) {
    const c = g.clients[i]!;
    const field = `clients[${i}]`;
    if ((await getClientState(ctx.store, c.clientId)) !== undefined) {
      fail(`${field}.client_id`, `client ${c.clientId} is listed twice`);
    }
    await wrapAsync(field, () => createClient(ctx.store, c.clientId, c.clientState, c.consensusState));
    const n = /^07-icsd-(0|[1-9][0-9]{0,18})$/.exec(c.clientId)?.[1];
    if (c.clientId.startsWith(CLIENT_ID_PREFIX) && n !== undefined && BigInt(n) >= next)
      next = BigInt(n) + 1n;
  }
  for (let i = 0; i < g.channels.length; i++) {
    const c = g.channels[i]!;
    const field = `channels[${i}]`;
    if (!g.clients.some((x) => x.clientId === c.clientId)) {
      fail(`${field}.client_id`, `client ${c.clientId} is not a genesis client`);
    }
    if (!k.isBound(c.portId)) {
      fail(
        `${field}.port_id`,
        `no application is bound to port ${c.portId} (bound: ${k.boundPorts().join(", ")})`,
      );
    }
    await wrapAsync(field, () => openChannelFromGenesis(ctx.store, c));
    // Channels opened later by modules (IbcKeeper.openChannel) are numbered past every genesis one.
    const m = /^channel-(0|[1-9][0-9]{0,18})$/.exec(c.channelId)?.[1];
    if (m !== undefined && BigInt(m) >= nextChannel) nextChannel = BigInt(m) + 1n;
  }
  if (next > 0n) k.setNextClientSequence(ctx.store, next);
  if (nextChannel > 0n) k.setNextChannelSequence(ctx.store, nextChannel);
}

async function wrapAsync<T>(field: string, f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    return fail(field, e instanceof Error ? e.message : String(e));
  }
}
