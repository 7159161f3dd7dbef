/**
 * Joining two chains at genesis (no handshake transactions): each chain's genesis gets a light client of
 * the other, made from the other's genesis, and a channel end bound to that client. The client starts at
 * height 0: its consensus state holds the hash of the counterparty's initial validator set (so the
 * counterparty's header 1 is adjacent to it) and an empty root, which proves nothing until a relayer
 * brings a real header.
 */
import { bech32PrefixOf, KvApp, SdkApp } from "../app/index.ts";
import { genesisValidatorSet, toDomainValidator } from "../consensus/index.ts";
import {
  type ChannelOrder,
  DEFAULT_TRUST_LEVEL,
  validateChannelId,
  validateClientId,
  validatePortId,
} from "../ibc/index.ts";
import { validatorSetHash } from "../proto/index.ts";
import { MemoryKvStore, MerkleTree } from "../store/index.ts";
import { IcsdError, silentLogger, toHexUpper } from "../utils/index.ts";
import { appModulesFor } from "./appModules.ts";
import { type GenesisDoc, genesisValidatorUpdates } from "./genesis.ts";

const SECOND = 1_000_000_000n;
/** The SDK's default unbonding time (21 days), used when the counterparty's genesis names none. */
const DEFAULT_UNBONDING = 21n * 24n * 3600n * SECOND;
/** ibc-go's default maximum clock drift. */
const DEFAULT_MAX_CLOCK_DRIFT = 10n * SECOND;

/** What `addIbcPath` writes. */
export interface IbcPathOptions {
  /** This chain's client of the counterparty, e.g. "07-icsd-0". */
  readonly clientId: string;
  readonly counterparty: GenesisDoc;
  /** The application the counterparty runs ("icsd" or "kvstore"): it decides the initial validator set. */
  readonly counterpartyApp: "icsd" | "kvstore";
  readonly portId: string;
  readonly channelId: string;
  readonly counterpartyPortId: string;
  readonly counterpartyChannelId: string;
  readonly ordering: ChannelOrder;
  readonly version: string;
  /** Default: two thirds of the counterparty's unbonding period (the ibc-go / hermes convention). */
  readonly trustingPeriod?: bigint;
  readonly maxClockDrift?: bigint;
}

/** Parses a protobuf-JSON duration such as "60s" or "1.5s" to nanoseconds. */
export function parseDurationNs(text: string, what: string): bigint {
  const m = /^(\d{1,12})(?:\.(\d{1,9}))?s$/.exec(text);
  if (!m)
    throw new IcsdError("GENESIS_INVALID", `${what}: ${JSON.stringify(text)} is not a duration like "60s"`);
  return BigInt(m[1]!) * SECOND + BigInt((m[2] ?? "").padEnd(9, "0") || "0");
}

/** The counterparty's unbonding period from its staking params, or the SDK default. */
export function unbondingPeriodOf(doc: GenesisDoc): bigint {
  const staking = doc.appState.staking as { params?: { unbonding_time?: unknown } } | undefined;
  const t = staking?.params?.unbonding_time;
  return typeof t === "string"
    ? parseDurationNs(t, "app_state.staking.params.unbonding_time")
    : DEFAULT_UNBONDING;
}

/**
 * The hash of the validator set a genesis starts with, computed as the node computes it: InitChain on an
 * in-memory copy of the application (so staking genesis transactions count), falling back to
 * genesis.json's validators when the application returns none.
 */
export async function initialValidatorSetHash(doc: GenesisDoc, app: "icsd" | "kvstore"): Promise<Uint8Array> {
  const tree = await MerkleTree.open(new MemoryKvStore(), { initialVersion: doc.initialHeight });
  const instance =
    app === "kvstore"
      ? new KvApp(tree)
      : new SdkApp(
          tree,
          { chainId: doc.chainId, bech32Prefix: bech32PrefixOf(doc.appState), minimumGasPrices: "" },
          { logger: silentLogger(), appModules: appModulesFor(doc.appState) },
        );
  const updates = genesisValidatorUpdates(doc);
  const res = await instance.initChain({
    chainId: doc.chainId,
    time: doc.genesisTime,
    initialHeight: doc.initialHeight,
    validators: updates,
    appState: doc.appState,
  });
  const vals = genesisValidatorSet(res.validators.length > 0 ? res.validators : updates);
  if (vals.length === 0) {
    throw new IcsdError("GENESIS_INVALID", `the genesis of ${doc.chainId} has no validators`);
  }
  return validatorSetHash({ validators: vals.map(toDomainValidator) });
}

/** `app_state.ibc` of a genesis, with defaults for what is missing. */
function ibcState(doc: GenesisDoc): {
  clients: unknown[];
  channels: unknown[];
  next_client_sequence: string;
} {
  const s = (doc.appState.ibc ?? {}) as Record<string, unknown>;
  return {
    ...s,
    clients: Array.isArray(s.clients) ? [...s.clients] : [],
    channels: Array.isArray(s.channels) ? [...s.channels] : [],
    next_client_sequence: typeof s.next_client_sequence === "string" ? s.next_client_sequence : "0",
  };
}

/**
 * Returns `doc` with a light client of `o.counterparty` and a channel end bound to it in
 * `app_state.ibc`. Refuses an id already used, and a trusting period not shorter than the
 * counterparty's unbonding period.
 */
export async function addIbcPath(doc: GenesisDoc, o: IbcPathOptions): Promise<GenesisDoc> {
  validateClientId(o.clientId);
  validatePortId(o.portId);
  validateChannelId(o.channelId);
  validatePortId(o.counterpartyPortId);
  validateChannelId(o.counterpartyChannelId);
  if (o.counterparty.chainId === doc.chainId) {
    throw new IcsdError("GENESIS_INVALID", `a chain cannot have a client of itself (${doc.chainId})`);
  }
  const unbonding = unbondingPeriodOf(o.counterparty);
  const trusting = o.trustingPeriod ?? (unbonding * 2n) / 3n;
  if (trusting <= 0n || trusting >= unbonding) {
    throw new IcsdError(
      "GENESIS_INVALID",
      `the trusting period (${trusting} ns) must be positive and shorter than ${o.counterparty.chainId}'s unbonding period (${unbonding} ns)`,
    );
  }
  const state = ibcState(doc);
  const ids = (list: unknown[], field: string) => list.map((x) => (x as Record<string, unknown>)[field]);
  if (ids(state.clients, "client_id").includes(o.clientId)) {
    throw new IcsdError(
      "GENESIS_INVALID",
      `client ${o.clientId} is already in the genesis of ${doc.chainId}`,
    );
  }
  if (
    state.channels.some(
      (c) =>
        (c as Record<string, unknown>).port_id === o.portId &&
        (c as Record<string, unknown>).channel_id === o.channelId,
    )
  ) {
    throw new IcsdError(
      "GENESIS_INVALID",
      `channel ${o.portId}/${o.channelId} is already in the genesis of ${doc.chainId}`,
    );
  }
  const nextValidatorsHash = await initialValidatorSetHash(o.counterparty, o.counterpartyApp);
  state.clients.push({
    client_id: o.clientId,
    client_state: {
      chain_id: o.counterparty.chainId,
      trust_level: {
        numerator: String(DEFAULT_TRUST_LEVEL.numerator),
        denominator: String(DEFAULT_TRUST_LEVEL.denominator),
      },
      trusting_period: String(trusting),
      unbonding_period: String(unbonding),
      max_clock_drift: String(o.maxClockDrift ?? DEFAULT_MAX_CLOCK_DRIFT),
      latest_height: "0",
      frozen_height: "0",
    },
    consensus_state: {
      height: "0",
      // Strictly before the counterparty's first block, whose time may equal its genesis time.
      timestamp: String(o.counterparty.genesisTime - 1n),
      root: "",
      next_validators_hash: toHexUpper(nextValidatorsHash),
    },
  });
  state.channels.push({
    port_id: o.portId,
    channel_id: o.channelId,
    counterparty_port_id: o.counterpartyPortId,
    counterparty_channel_id: o.counterpartyChannelId,
    client_id: o.clientId,
    ordering: o.ordering,
    version: o.version,
  });
  return { ...doc, appState: { ...doc.appState, ibc: state } };
}
