/**
 * The genesis.json of a consumer chain, built from the consumer genesis the provider publishes at launch
 * (`query provider consumer-genesis <id>`): the validators are the provider's initial consumer set, and
 * `app_state.ccvconsumer` holds the consumer genesis as it is. A node whose genesis has
 * `app_state.ccvconsumer` runs as a consumer.
 */
import { fromBase64, IcsdError } from "../utils/index.ts";
import { isValidBech32Prefix } from "./clientConfig.ts";
import {
  assertChainId,
  type ConsensusParams,
  type GenesisDoc,
  type GenesisValidator,
  genesisValidator,
  newGenesis,
} from "./genesis.ts";
import {
  addGenesisAccount,
  type Coin,
  DEFAULT_BECH32_PREFIX,
  withAuthBankDefaults,
} from "./genesisAccounts.ts";

/** Error code of every consumer genesis problem; the message names the field. */
export const CONSUMER_GENESIS_INVALID = "CONSUMER_GENESIS_INVALID";

/** The key of the consumer module's section of `app_state`. */
export const CCV_CONSUMER_KEY = "ccvconsumer";

const SECOND = 1_000_000_000n;
/** The default genesis time is this long after the launch (deterministic, so every validator agrees). */
export const DEFAULT_GENESIS_DELAY_NS = SECOND;

/** What `consumerGenesisDoc` needs. */
export interface ConsumerGenesisDocOptions {
  readonly chainId: string;
  /** The JSON object of the provider's ConsumerGenesis query (the `genesis_state` wrapper is accepted). */
  readonly consumerGenesis: unknown;
  /** Genesis time in ns; strictly after the consumer genesis' `launch_time` (default: launch + 1s). */
  readonly genesisTime?: bigint;
  /** Accounts funded at genesis (addresses with the genesis' bech32 prefix; amounts as bigint or digits). */
  readonly accounts?: readonly {
    readonly address: string;
    readonly coins: readonly { readonly denom: string; readonly amount: bigint | string }[];
  }[];
  /** `app_state.auth.bech32_prefix` (default "cosmos"). */
  readonly bech32Prefix?: string;
  readonly consensusParams?: ConsensusParams;
}

/** The parts of a consumer genesis that the genesis document depends on. */
export interface ConsumerGenesisSummary {
  /** The consumer genesis object, unwrapped from `genesis_state` when the query response wrapped it. */
  readonly state: Record<string, unknown>;
  readonly providerChainId: string;
  /** Launch block time on the provider, ns since the Unix epoch. */
  readonly launchTime: bigint;
  readonly validators: readonly GenesisValidator[];
}

function fail(field: string, what: string): IcsdError {
  return new IcsdError(CONSUMER_GENESIS_INVALID, `consumer genesis: ${field} ${what}`, { field });
}

function obj(v: unknown, field: string): Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw fail(field, "must be an object");
  return v as Record<string, unknown>;
}

function uint(v: unknown, field: string, min: bigint): bigint {
  const s = typeof v === "number" && Number.isSafeInteger(v) ? String(v) : v;
  if (typeof s !== "string" || !/^\d{1,20}$/.test(s)) throw fail(field, "must be an integer string");
  const n = BigInt(s);
  if (n < min || n > 9223372036854775807n) throw fail(field, `must be between ${min} and 2^63-1`);
  return n;
}

/**
 * Checks a consumer genesis (the ConsumerGenesis query's JSON) field by field, as far as the genesis
 * document needs it: the provider's chain id, the launch time and the initial validator set. The rest
 * (params, client and channel records) is the consumer module's to check at InitChain.
 */
export function parseConsumerGenesis(raw: unknown): ConsumerGenesisSummary {
  let state = obj(raw, "(top level)");
  // `query provider consumer-genesis --output json` prints the state itself; the raw query response
  // wraps it in `genesis_state` (the reference's QueryConsumerGenesisResponse): take either.
  if (state.params === undefined && state.genesis_state !== undefined) {
    state = obj(state.genesis_state, "genesis_state");
  }
  if (Object.keys(state).length === 0) throw fail("(top level)", "is empty");
  obj(state.params, "params");
  const provider = obj(state.provider, "provider");
  const providerChainId = state.provider_chain_id;
  if (typeof providerChainId !== "string" || providerChainId === "")
    throw fail("provider_chain_id", "must be a non-empty string");
  const clientState = obj(provider.client_state, "provider.client_state");
  if (clientState.chain_id !== providerChainId)
    throw fail("provider.client_state.chain_id", `must be the provider chain id ${providerChainId}`);
  obj(provider.consensus_state, "provider.consensus_state");
  const launchTime = uint(state.launch_time, "launch_time", 1n);
  const set = provider.initial_val_set;
  if (!Array.isArray(set) || set.length === 0)
    throw fail("provider.initial_val_set", "must be a non-empty array");
  const seen = new Set<string>();
  const validators = set.map((v, i) => {
    const at = `provider.initial_val_set[${i}]`;
    const o = obj(v, at);
    const pk = obj(o.pub_key, `${at}.pub_key`);
    if (typeof pk.ed25519 !== "string") throw fail(`${at}.pub_key.ed25519`, "must be a base64 string");
    let key: Uint8Array;
    try {
      key = fromBase64(pk.ed25519);
    } catch {
      throw fail(`${at}.pub_key.ed25519`, "must be base64");
    }
    if (key.length !== 32) throw fail(`${at}.pub_key.ed25519`, "must be a 32-byte ed25519 key");
    if (seen.has(pk.ed25519)) throw fail(at, "repeats an earlier validator's key");
    seen.add(pk.ed25519);
    return genesisValidator(key, uint(o.power, `${at}.power`, 1n));
  });
  return { state, providerChainId, launchTime, validators };
}

function toCoin(c: { readonly denom: string; readonly amount: bigint | string }): Coin {
  if (typeof c.amount === "string" && !/^\d{1,78}$/.test(c.amount))
    throw new IcsdError("INVALID_COINS", `invalid amount ${JSON.stringify(c.amount)} of ${c.denom}`);
  return { denom: c.denom, amount: BigInt(c.amount) };
}

/** The default genesis time of a consumer: one second after its launch on the provider. */
export function defaultConsumerGenesisTime(launchTime: bigint): bigint {
  return launchTime + DEFAULT_GENESIS_DELAY_NS;
}

function checkChainAndTime(chainId: string, genesisTime: bigint, s: ConsumerGenesisSummary): void {
  assertChainId(chainId);
  if (chainId === s.providerChainId)
    throw new IcsdError(
      CONSUMER_GENESIS_INVALID,
      `the consumer chain id ${chainId} must differ from the provider's (${s.providerChainId})`,
    );
  // The provider's client of the consumer holds a consensus state at the launch time; the consumer's
  // first header must come after it.
  if (genesisTime <= s.launchTime)
    throw new IcsdError(
      CONSUMER_GENESIS_INVALID,
      `the genesis time (${genesisTime} ns) must be after the consumer's launch time (${s.launchTime} ns)`,
      { genesisTime: String(genesisTime), launchTime: String(s.launchTime) },
    );
}

/**
 * The genesis document of a consumer chain: validators = the provider's initial consumer set, app_state =
 * {auth, bank (the given accounts funded), ccvconsumer: the consumer genesis}. CONSUMER_GENESIS_INVALID
 * names the field of a malformed consumer genesis; a genesis time not after the launch is refused.
 */
export function consumerGenesisDoc(opts: ConsumerGenesisDocOptions): GenesisDoc {
  const s = parseConsumerGenesis(opts.consumerGenesis);
  const genesisTime = opts.genesisTime ?? defaultConsumerGenesisTime(s.launchTime);
  checkChainAndTime(opts.chainId, genesisTime, s);
  const prefix = opts.bech32Prefix ?? DEFAULT_BECH32_PREFIX;
  if (!isValidBech32Prefix(prefix))
    throw new IcsdError("INVALID_ARGUMENT", `invalid bech32 prefix ${JSON.stringify(prefix)}`);
  let doc = newGenesis({
    chainId: opts.chainId,
    genesisTime,
    validators: s.validators,
    appState: { ...withAuthBankDefaults({}, prefix), [CCV_CONSUMER_KEY]: s.state },
  });
  if (opts.consensusParams) doc = { ...doc, consensusParams: opts.consensusParams };
  for (const a of opts.accounts ?? []) doc = addGenesisAccount(doc, a.address, a.coins.map(toCoin));
  return doc;
}

/**
 * A consumer genesis waiting for its consumer genesis: no validators and an empty
 * `app_state.ccvconsumer`, which `withConsumerGenesis` (`icsd genesis set-consumer-genesis`) fills.
 */
export function consumerPlaceholderGenesis(opts: {
  chainId: string;
  genesisTime: bigint;
  bech32Prefix?: string;
}): GenesisDoc {
  return newGenesis({
    chainId: opts.chainId,
    genesisTime: opts.genesisTime,
    appState: { ...withAuthBankDefaults({}, opts.bech32Prefix), [CCV_CONSUMER_KEY]: {} },
  });
}

/**
 * `doc` with its consumer genesis replaced: `app_state.ccvconsumer` and the validators come from
 * `consumerGenesis`, the genesis time is `genesisTime` (default: launch + 1s); accounts, balances and every
 * other section are kept.
 */
export function withConsumerGenesis(
  doc: GenesisDoc,
  consumerGenesis: unknown,
  genesisTime?: bigint,
): GenesisDoc {
  const s = parseConsumerGenesis(consumerGenesis);
  const time = genesisTime ?? defaultConsumerGenesisTime(s.launchTime);
  checkChainAndTime(doc.chainId, time, s);
  return {
    ...doc,
    genesisTime: time,
    validators: s.validators,
    appState: { ...doc.appState, [CCV_CONSUMER_KEY]: s.state },
  };
}

/** True when a genesis `app_state` makes the node a consumer (it has `ccvconsumer`). */
export function isConsumerAppState(appState: Record<string, unknown>): boolean {
  return appState[CCV_CONSUMER_KEY] !== undefined;
}

/** Throws CONSUMER_GENESIS_NOT_SET when a consumer genesis still holds the `init` placeholder. */
export function assertConsumerGenesisSet(appState: Record<string, unknown>): void {
  const s = appState[CCV_CONSUMER_KEY];
  if (typeof s === "object" && s !== null && Object.keys(s).length === 0) {
    throw new IcsdError(
      "CONSUMER_GENESIS_NOT_SET",
      "app_state.ccvconsumer is empty: fill it with `icsd genesis set-consumer-genesis <file>` (the provider's `icsd query provider consumer-genesis <consumer-id>`)",
    );
  }
}
