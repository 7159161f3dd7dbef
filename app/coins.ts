import { errInvalidCoins } from "./errors.ts";

/** A coin with a bigint amount (the SDK's sdk.Coin, whose Int is bounded to 256 bits). */
export interface Coin {
  readonly denom: string;
  readonly amount: bigint;
}

const DENOM = /^[a-zA-Z][a-zA-Z0-9/:._-]{2,127}$/;
const MAX_INT = (1n << 256n) - 1n;

export function isValidDenom(denom: string): boolean {
  return DENOM.test(denom);
}

/** Parses a wire amount (a decimal integer string) into a bigint, refusing signs, junk and > 256 bits. */
export function parseAmount(s: string, what = "amount"): bigint {
  if (!/^\d{1,78}$/.test(s)) throw errInvalidCoins(`invalid ${what} ${JSON.stringify(s)}`);
  const v = BigInt(s);
  if (v > MAX_INT) throw errInvalidCoins(`${what} ${s} overflows 256 bits`);
  return v;
}

/** Decodes wire coins and validates them as sdk.Coins.Validate: sorted, unique, valid denoms. */
export function coinsFromWire(
  wire: readonly { denom: string; amount: string }[],
  opts: { allowZero?: boolean } = {},
): Coin[] {
  const out: Coin[] = [];
  for (const c of wire) {
    if (!isValidDenom(c.denom)) throw errInvalidCoins(`invalid denom: ${c.denom}`);
    const amount = parseAmount(c.amount);
    if (amount === 0n && !opts.allowZero)
      throw errInvalidCoins(`coin ${c.amount}${c.denom} amount is not positive`);
    const prev = out.at(-1);
    if (prev && prev.denom >= c.denom) {
      throw errInvalidCoins(
        prev.denom === c.denom
          ? `duplicate denomination ${c.denom}`
          : `denomination ${c.denom} is not sorted`,
      );
    }
    out.push({ denom: c.denom, amount });
  }
  return out;
}

export function coinsToWire(coins: readonly Coin[]): { denom: string; amount: string }[] {
  return coins.map((c) => ({ denom: c.denom, amount: c.amount.toString() }));
}

/** The SDK's Coins.String(): `10stake,5uatom`. */
export function formatCoins(coins: readonly Coin[]): string {
  return coins.map((c) => `${c.amount}${c.denom}`).join(",");
}

/** Sum of coin lists, sorted by denom, zero amounts dropped. */
export function addCoins(a: readonly Coin[], b: readonly Coin[]): Coin[] {
  const m = new Map<string, bigint>();
  for (const c of [...a, ...b]) m.set(c.denom, (m.get(c.denom) ?? 0n) + c.amount);
  return [...m.keys()]
    .sort()
    .map((denom) => ({ denom, amount: m.get(denom)! }))
    .filter((c) => c.amount !== 0n);
}

/** True when every coin of `b` is covered by `a`. */
export function coinsGte(a: readonly Coin[], b: readonly Coin[]): boolean {
  return b.every((c) => (a.find((x) => x.denom === c.denom)?.amount ?? 0n) >= c.amount);
}

/** A decimal gas price such as `0.0025stake`, held as an 18-decimal fixed-point amount. */
export interface DecCoin {
  readonly denom: string;
  /** amount × 10^18 */
  readonly atomics: bigint;
}

export const DEC_PRECISION = 10n ** 18n;

/** Parses `0.0025stake,0.1uatom` (app.toml minimum-gas-prices); empty means none. */
export function parseDecCoins(s: string): DecCoin[] {
  const out: DecCoin[] = [];
  for (const part of s
    .split(",")
    .map((p) => p.trim())
    .filter((p) => p.length > 0)) {
    const m = /^(\d+)(?:\.(\d{1,18}))?([a-zA-Z][a-zA-Z0-9/:._-]{2,127})$/.exec(part);
    if (!m) throw errInvalidCoins(`invalid decimal coin expression: ${part}`);
    const frac = (m[2] ?? "").padEnd(18, "0");
    out.push({ denom: m[3]!, atomics: BigInt(m[1]!) * DEC_PRECISION + BigInt(frac) });
  }
  return out.sort((x, y) => (x.denom < y.denom ? -1 : x.denom > y.denom ? 1 : 0));
}

/** ceil(price × gas), the fee a gas limit requires at a gas price (the SDK's mempool fee check). */
export function requiredFee(price: DecCoin, gas: bigint): Coin {
  const product = price.atomics * gas;
  return { denom: price.denom, amount: (product + DEC_PRECISION - 1n) / DEC_PRECISION };
}
