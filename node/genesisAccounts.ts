import { fromBech32, toBech32 } from "@cosmjs/encoding";
import { IcsdError } from "../utils/index.ts";
import { GENESIS_INVALID, type GenesisDoc } from "./genesis.ts";

/** An amount of one denomination; amounts are integers below 2^256, as the SDK's `Int`. */
export interface Coin {
  readonly denom: string;
  readonly amount: bigint;
}

/** The account address prefix when genesis does not name one. */
export const DEFAULT_BECH32_PREFIX = "cosmos";

const DENOM = /^[a-zA-Z][a-zA-Z0-9/:._-]{2,127}$/;
const COIN = /^(\d+)\s*([a-zA-Z][a-zA-Z0-9/:._-]{2,127})$/;
const MAX_AMOUNT = (1n << 256n) - 1n;

/**
 * Parses `1000stake,5uatom` as the SDK's ParseCoinsNormalized does, without decimal amounts: zero coins
 * are dropped, the result is sorted by denom, a repeated denom, a negative or fractional amount, a bad
 * denom or an amount of 2^256 or more is an INVALID_COINS error.
 */
export function parseCoins(text: string): Coin[] {
  if (text.trim() === "") return [];
  const out: Coin[] = [];
  for (const part of text.split(",")) {
    const p = part.trim();
    const m = COIN.exec(p);
    if (!m) {
      const why = /^-/.test(p)
        ? "amounts must not be negative"
        : /^\d*\.\d/.test(p)
          ? "decimal amounts are not allowed"
          : "expected <amount><denom>, e.g. 1000stake";
      throw new IcsdError("INVALID_COINS", `invalid coin ${JSON.stringify(p)}: ${why}`, { coin: p });
    }
    const amount = BigInt(m[1]!);
    if (amount > MAX_AMOUNT) {
      throw new IcsdError("INVALID_COINS", `invalid coin ${JSON.stringify(p)}: amount is 2^256 or more`, {
        coin: p,
      });
    }
    if (out.some((c) => c.denom === m[2])) {
      throw new IcsdError("INVALID_COINS", `duplicate denomination ${m[2]} in ${JSON.stringify(text)}`);
    }
    if (amount > 0n) out.push({ denom: m[2]!, amount });
  }
  return sortCoins(out);
}

function sortCoins(coins: Coin[]): Coin[] {
  return coins.sort((a, b) => (a.denom < b.denom ? -1 : a.denom > b.denom ? 1 : 0));
}

/** `1000stake,5uatom`, the SDK's Coins.String(). */
export function formatCoins(coins: readonly Coin[]): string {
  return coins.map((c) => `${c.amount}${c.denom}`).join(",");
}

/** The sum of two coin lists, sorted by denom; INVALID_COINS when an amount reaches 2^256. */
export function addCoins(a: readonly Coin[], b: readonly Coin[]): Coin[] {
  const sums = new Map<string, bigint>();
  for (const c of [...a, ...b]) sums.set(c.denom, (sums.get(c.denom) ?? 0n) + c.amount);
  const out: Coin[] = [];
  for (const [denom, amount] of sums) {
    if (amount > MAX_AMOUNT) throw new IcsdError("INVALID_COINS", `total ${denom} is 2^256 or more`);
    if (amount > 0n) out.push({ denom, amount });
  }
  return sortCoins(out);
}

/**
 * The canonical (lowercase) form of a bech32 account address with `prefix`, 20 or 32 bytes long;
 * INVALID_ADDRESS otherwise.
 */
export function parseAccountAddress(text: string, prefix: string): string {
  let decoded: { prefix: string; data: Uint8Array };
  try {
    decoded = fromBech32(text, 90);
  } catch (e) {
    throw new IcsdError(
      "INVALID_ADDRESS",
      `invalid address ${JSON.stringify(text)}: ${(e as Error).message}`,
    );
  }
  if (decoded.prefix !== prefix) {
    throw new IcsdError(
      "INVALID_ADDRESS",
      `invalid address ${JSON.stringify(text)}: expected prefix ${JSON.stringify(prefix)}, got ${JSON.stringify(decoded.prefix)}`,
    );
  }
  if (decoded.data.length !== 20 && decoded.data.length !== 32) {
    throw new IcsdError(
      "INVALID_ADDRESS",
      `invalid address ${JSON.stringify(text)}: ${decoded.data.length} bytes, expected 20 or 32`,
    );
  }
  return toBech32(prefix, decoded.data);
}

/** The SDK 0.50 default auth params (int64/uint64 as strings). */
export const defaultAuthParams = {
  max_memo_characters: "256",
  tx_sig_limit: "7",
  tx_size_cost_per_byte: "10",
  sig_verify_cost_ed25519: "590",
  sig_verify_cost_secp256k1: "1000",
} as const;

type Json = Record<string, unknown>;

function obj(v: unknown, field: string): Json {
  if (typeof v !== "object" || v === null || Array.isArray(v)) {
    throw new IcsdError(GENESIS_INVALID, `genesis app_state.${field} must be an object`, { field });
  }
  return v as Json;
}

function arr(v: unknown, field: string): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new IcsdError(GENESIS_INVALID, `genesis app_state.${field} must be an array`);
  return v;
}

function coinsOf(v: unknown, field: string): Coin[] {
  return arr(v, field).map((c, i) => {
    const o = obj(c, `${field}[${i}]`);
    if (
      typeof o.denom !== "string" ||
      !DENOM.test(o.denom) ||
      typeof o.amount !== "string" ||
      !/^\d+$/.test(o.amount)
    )
      throw new IcsdError(GENESIS_INVALID, `genesis app_state.${field}[${i}] must be {denom, amount}`);
    return { denom: o.denom, amount: BigInt(o.amount) };
  });
}

function coinsJson(coins: readonly Coin[]): { denom: string; amount: string }[] {
  return coins.map((c) => ({ denom: c.denom, amount: String(c.amount) }));
}

/** The account address prefix a genesis declares (`app_state.auth.bech32_prefix`), default "cosmos". */
export function genesisBech32Prefix(doc: GenesisDoc): string {
  const auth = doc.appState.auth;
  const p = typeof auth === "object" && auth !== null ? (auth as Json).bech32_prefix : undefined;
  return typeof p === "string" && p !== "" ? p : DEFAULT_BECH32_PREFIX;
}

/** `appState` with the auth and bank sections present (defaults filled in, existing values kept). */
export function withAuthBankDefaults(
  appState: Record<string, unknown>,
  prefix = DEFAULT_BECH32_PREFIX,
): Json {
  const auth = obj(appState.auth ?? {}, "auth");
  const bank = obj(appState.bank ?? {}, "bank");
  return {
    ...appState,
    auth: { bech32_prefix: prefix, params: { ...defaultAuthParams }, accounts: [], ...auth },
    bank: {
      params: { send_enabled: [], default_send_enabled: true },
      balances: [],
      supply: [],
      denom_metadata: [],
      send_enabled: [],
      ...bank,
    },
  };
}

/**
 * `doc` with a genesis account: a BaseAccount with the next account number (unless the address already
 * has one) and `coins` added to its balance and to the supply, as the SDK's `genesis add-genesis-account`.
 * The address must carry the genesis' bech32 prefix.
 */
export function addGenesisAccount(doc: GenesisDoc, address: string, coins: readonly Coin[]): GenesisDoc {
  const appState = withAuthBankDefaults(doc.appState);
  const auth = appState.auth as Json;
  const bank = appState.bank as Json;
  const addr = parseAccountAddress(address, genesisBech32Prefix({ ...doc, appState }));
  if (coins.length === 0 || coins.some((c) => c.amount <= 0n)) {
    throw new IcsdError("INVALID_COINS", "a genesis account needs at least one positive coin amount");
  }
  const accounts = arr(auth.accounts, "auth.accounts").map((a, i) => obj(a, `auth.accounts[${i}]`));
  if (!accounts.some((a) => a.address === addr)) {
    let next = 0n;
    accounts.forEach((a, i) => {
      const n = a.account_number;
      if (typeof n !== "string" || !/^\d+$/.test(n))
        throw new IcsdError(
          GENESIS_INVALID,
          `genesis app_state.auth.accounts[${i}].account_number must be a uint64 string`,
        );
      if (BigInt(n) >= next) next = BigInt(n) + 1n;
    });
    accounts.push({
      "@type": "/cosmos.auth.v1beta1.BaseAccount",
      address: addr,
      pub_key: null,
      account_number: String(next),
      sequence: "0",
    });
  }
  const balances = arr(bank.balances, "bank.balances").map((b, i) => obj(b, `bank.balances[${i}]`));
  const at = balances.findIndex((b) => b.address === addr);
  if (at < 0) balances.push({ address: addr, coins: coinsJson(addCoins([], coins)) });
  else {
    const prev = coinsOf(balances[at]!.coins, `bank.balances[${at}].coins`);
    balances[at] = { ...balances[at], coins: coinsJson(addCoins(prev, coins)) };
  }
  const supply = coinsJson(addCoins(coinsOf(bank.supply, "bank.supply"), coins));
  return {
    ...doc,
    appState: { ...appState, auth: { ...auth, accounts }, bank: { ...bank, balances, supply } },
  };
}
