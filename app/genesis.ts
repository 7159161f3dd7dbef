import { IcsdError } from "../utils/index.ts";
import { addressBytes } from "./address.ts";
import { addCoins, type Coin, coinsFromWire, parseAmount } from "./coins.ts";
import { type AuthParams, defaultAuthParams } from "./modules/auth.ts";

/** The SDK app's genesis state, validated (Cosmos SDK 0.50 JSON shapes; see docs/app.md). */
export interface SdkGenesis {
  readonly bech32Prefix: string;
  readonly authParams: AuthParams;
  readonly accounts: readonly { readonly address: Uint8Array; readonly accountNumber: bigint }[];
  readonly balances: readonly { readonly address: Uint8Array; readonly coins: readonly Coin[] }[];
}

type Json = Record<string, unknown>;

function fail(field: string, msg: string): never {
  throw new IcsdError("GENESIS_INVALID", `genesis app_state.${field}: ${msg}`, { field });
}

function obj(v: unknown, field: string): Json {
  if (v === undefined || v === null) return {};
  if (typeof v !== "object" || Array.isArray(v)) fail(field, "must be an object");
  return v as Json;
}

function arr(v: unknown, field: string): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) fail(field, "must be an array");
  return v;
}

function uint(v: unknown, def: bigint, field: string): bigint {
  if (v === undefined || v === null) return def;
  if ((typeof v !== "string" && typeof v !== "number") || !/^\d{1,19}$/.test(String(v))) {
    fail(field, "must be an unsigned integer string");
  }
  return BigInt(v);
}

function wrap<T>(field: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    return fail(field, (e as Error).message);
  }
}

/** The chain's account address prefix, from `app_state.auth.bech32_prefix` (default "cosmos"). */
export function bech32PrefixOf(appState: unknown): string {
  const p = obj(obj(appState, "").auth, "auth").bech32_prefix;
  if (p === undefined) return "cosmos";
  if (typeof p !== "string" || !/^[a-z][a-z0-9]{0,30}$/.test(p))
    fail("auth.bech32_prefix", "must be lowercase letters and digits");
  return p;
}

/**
 * Parses the genesis `app_state` of the SDK app: auth params and accounts, bank balances. Account
 * numbers are taken as declared and must be unique; a balance whose address has no account gets a new
 * BaseAccount (so every funded address can sign). A declared `bank.supply` must equal the balances' sum.
 */
export function parseSdkGenesis(appState: unknown): SdkGenesis {
  const prefix = bech32PrefixOf(appState);
  const root = obj(appState, "");
  const auth = obj(root.auth, "auth");
  const p = obj(auth.params, "auth.params");
  const d = defaultAuthParams;
  const authParams: AuthParams = {
    maxMemoCharacters: uint(p.max_memo_characters, d.maxMemoCharacters, "auth.params.max_memo_characters"),
    txSigLimit: uint(p.tx_sig_limit, d.txSigLimit, "auth.params.tx_sig_limit"),
    txSizeCostPerByte: uint(
      p.tx_size_cost_per_byte,
      d.txSizeCostPerByte,
      "auth.params.tx_size_cost_per_byte",
    ),
    sigVerifyCostEd25519: uint(
      p.sig_verify_cost_ed25519,
      d.sigVerifyCostEd25519,
      "auth.params.sig_verify_cost_ed25519",
    ),
    sigVerifyCostSecp256k1: uint(
      p.sig_verify_cost_secp256k1,
      d.sigVerifyCostSecp256k1,
      "auth.params.sig_verify_cost_secp256k1",
    ),
  };
  const seenAddr = new Set<string>();
  const seenNum = new Set<bigint>();
  const accounts = arr(auth.accounts, "auth.accounts").map((raw, i) => {
    const f = `auth.accounts[${i}]`;
    const a = obj(raw, f);
    const type = a["@type"];
    if (type !== undefined && type !== "/cosmos.auth.v1beta1.BaseAccount")
      fail(f, `unsupported account type ${String(type)}`);
    const address = wrap(`${f}.address`, () => addressBytes(String(a.address ?? ""), prefix));
    const accountNumber = uint(a.account_number, BigInt(i), `${f}.account_number`);
    const id = Buffer.from(address).toString("hex");
    if (seenAddr.has(id)) fail(f, `duplicate account ${String(a.address)}`);
    if (seenNum.has(accountNumber)) fail(f, `duplicate account number ${accountNumber}`);
    seenAddr.add(id);
    seenNum.add(accountNumber);
    return { address, accountNumber };
  });
  const bank = obj(root.bank, "bank");
  const seenBal = new Set<string>();
  let total: Coin[] = [];
  const balances = arr(bank.balances, "bank.balances").map((raw, i) => {
    const f = `bank.balances[${i}]`;
    const b = obj(raw, f);
    const address = wrap(`${f}.address`, () => addressBytes(String(b.address ?? ""), prefix));
    const id = Buffer.from(address).toString("hex");
    if (seenBal.has(id)) fail(f, `duplicate balance for ${String(b.address)}`);
    seenBal.add(id);
    const coins = wrap(`${f}.coins`, () =>
      coinsFromWire(arr(b.coins, `${f}.coins`) as { denom: string; amount: string }[]),
    );
    total = addCoins(total, coins);
    return { address, coins };
  });
  const declared = arr(bank.supply, "bank.supply") as { denom: string; amount: string }[];
  if (declared.length > 0) {
    const supply = wrap("bank.supply", () =>
      declared.map((c) => ({ denom: c.denom, amount: parseAmount(c.amount) })),
    );
    const same =
      supply.length === total.length &&
      supply.every((c, i) => c.denom === total[i]!.denom && c.amount === total[i]!.amount);
    if (!same) fail("bank.supply", "does not equal the sum of balances");
  }
  return { bech32Prefix: prefix, authParams, accounts, balances };
}
