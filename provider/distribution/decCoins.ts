import {
  type Coin,
  type Dec,
  type DecCoin,
  decMin,
  decMul,
  decMulTruncate,
  decQuoTruncate,
  decToString,
} from "../../app/index.ts";

/**
 * The SDK's sdk.DecCoins arithmetic over `DecCoin` lists kept sorted by denom with no zero entries.
 * Every operation is per denom, exactly as types/dec_coin.go (Add drops zeros, Sub refuses to go
 * negative, MulDec rounds, MulDecTruncate/QuoDecTruncate truncate and drop zero products).
 *
 * Distribution keeps its F1 state per (source, denom): the "denom" of an internal DecCoin is the key
 * `source|denom` ('|' cannot appear in a denom), so each source's accounting is exactly the SDK's for
 * that denom alone. `sumBySource` and `bySource` turn keyed lists back into real denoms.
 */

/** The source label of the provider chain's own fees and inflation. */
export const PROVIDER_SOURCE = "provider";

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function normalize(m: Map<string, bigint>): DecCoin[] {
  return [...m.keys()]
    .sort(cmp)
    .map((denom) => ({ denom, atomics: m.get(denom)! }))
    .filter((c) => c.atomics !== 0n);
}

/** a + b (DecCoins.Add): zeros dropped. */
export function addDec(a: readonly DecCoin[], b: readonly DecCoin[]): DecCoin[] {
  const m = new Map<string, bigint>();
  for (const c of [...a, ...b]) m.set(c.denom, (m.get(c.denom) ?? 0n) + c.atomics);
  return normalize(m);
}

/** a − b (DecCoins.Sub): throws when any result would be negative (the SDK panics). */
export function subDec(a: readonly DecCoin[], b: readonly DecCoin[]): DecCoin[] {
  const m = new Map<string, bigint>();
  for (const c of a) m.set(c.denom, (m.get(c.denom) ?? 0n) + c.atomics);
  for (const c of b) m.set(c.denom, (m.get(c.denom) ?? 0n) - c.atomics);
  const out = normalize(m);
  if (out.some((c) => c.atomics < 0n)) throw new Error("negative coin amount");
  return out;
}

function mapAmounts(coins: readonly DecCoin[], f: (a: bigint) => bigint): DecCoin[] {
  return coins.map((c) => ({ denom: c.denom, atomics: f(c.atomics) })).filter((c) => c.atomics !== 0n);
}

/** Each amount × d, rounded half to even (DecCoins.MulDec). */
export function mulDec(coins: readonly DecCoin[], d: Dec): DecCoin[] {
  return mapAmounts(coins, (a) => decMul(a, d));
}

/** Each amount × d, truncated (DecCoins.MulDecTruncate). */
export function mulDecTruncate(coins: readonly DecCoin[], d: Dec): DecCoin[] {
  return mapAmounts(coins, (a) => decMulTruncate(a, d));
}

/** Each amount ÷ d, truncated (DecCoins.QuoDecTruncate); d must be non-zero. */
export function quoDecTruncate(coins: readonly DecCoin[], d: Dec): DecCoin[] {
  return mapAmounts(coins, (a) => decQuoTruncate(a, d));
}

/** The amount of one denom (0 when absent). */
export function amountOf(coins: readonly DecCoin[], denom: string): bigint {
  return coins.find((c) => c.denom === denom)?.atomics ?? 0n;
}

/** Per denom of `a`, the smaller of a and b (DecCoins.Intersect). */
export function intersectDec(a: readonly DecCoin[], b: readonly DecCoin[]): DecCoin[] {
  return a
    .map((c) => {
      const y = amountOf(b, c.denom);
      return { denom: c.denom, atomics: decMin(c.atomics, y) };
    })
    .filter((c) => c.atomics !== 0n);
}

export function isAnyNegative(coins: readonly DecCoin[]): boolean {
  return coins.some((c) => c.atomics < 0n);
}

export function equalDec(a: readonly DecCoin[], b: readonly DecCoin[]): boolean {
  return a.length === b.length && a.every((c, i) => c.denom === b[i]!.denom && c.atomics === b[i]!.atomics);
}

/** Coins as DecCoins (NewDecCoinsFromCoins). */
export function decCoinsFromCoins(coins: readonly Coin[]): DecCoin[] {
  return addDec(
    coins.map((c) => ({ denom: c.denom, atomics: c.amount * 10n ** 18n })),
    [],
  );
}

/** The integral parts as Coins and the fractional change (DecCoins.TruncateDecimal). */
export function truncateDecimal(coins: readonly DecCoin[]): { coins: Coin[]; change: DecCoin[] } {
  const ONE = 10n ** 18n;
  const out: Coin[] = [];
  const change: DecCoin[] = [];
  for (const c of coins) {
    const whole = c.atomics / ONE;
    if (whole !== 0n) out.push({ denom: c.denom, amount: whole });
    const rest = c.atomics - whole * ONE;
    if (rest !== 0n) change.push({ denom: c.denom, atomics: rest });
  }
  return { coins: out, change };
}

/** DecCoins.String(): `1.500000000000000000stake,2.000000000000000000uatom` ("" when empty). */
export function formatDecCoins(coins: readonly DecCoin[]): string {
  return coins.map((c) => `${decToString(c.atomics)}${c.denom}`).join(",");
}

/** The internal key of a denom from a source. */
export function sourceKey(source: string, denom: string): string {
  return `${source}|${denom}`;
}

/** Splits an internal key at its last '|' (a denom has none); a bare denom counts as the provider's. */
export function splitKey(key: string): { source: string; denom: string } {
  const i = key.lastIndexOf("|");
  return i < 0
    ? { source: PROVIDER_SOURCE, denom: key }
    : { source: key.slice(0, i), denom: key.slice(i + 1) };
}

/** Real-denom coins labelled with a source. */
export function withSource(source: string, coins: readonly DecCoin[]): DecCoin[] {
  return addDec(
    coins.map((c) => ({ denom: sourceKey(source, c.denom), atomics: c.atomics })),
    [],
  );
}

/** Keyed coins summed over sources, in real denoms: what the SDK's queries and payouts see. */
export function sumBySource(keyed: readonly DecCoin[]): DecCoin[] {
  return addDec(
    keyed.map((c) => ({ denom: splitKey(c.denom).denom, atomics: c.atomics })),
    [],
  );
}

/** Keyed coins grouped by source (sources sorted), each group in real denoms. */
export function bySource(keyed: readonly DecCoin[]): { source: string; coins: DecCoin[] }[] {
  const groups = new Map<string, DecCoin[]>();
  for (const c of keyed) {
    const { source, denom } = splitKey(c.denom);
    groups.set(source, [...(groups.get(source) ?? []), { denom, atomics: c.atomics }]);
  }
  return [...groups.keys()].sort(cmp).map((source) => ({ source, coins: addDec(groups.get(source)!, []) }));
}

/**
 * Takes `amounts` (real denoms) out of keyed coins, source by source in key order, never below zero in
 * any key: how a truncated payout summed over sources is charged back to the per-source records.
 * With one source this is plain subtraction. Throws when the keyed coins do not cover `amounts`.
 */
export function takeFromSources(keyed: readonly DecCoin[], amounts: readonly DecCoin[]): DecCoin[] {
  const need = new Map(amounts.map((c) => [c.denom, c.atomics]));
  const out = keyed.map((c) => {
    const denom = splitKey(c.denom).denom;
    const want = need.get(denom) ?? 0n;
    if (want <= 0n || c.atomics <= 0n) return c;
    const take = decMin(want, c.atomics);
    need.set(denom, want - take);
    return { denom: c.denom, atomics: c.atomics - take };
  });
  if ([...need.values()].some((v) => v > 0n)) throw new Error("negative coin amount");
  return out.filter((c) => c.atomics !== 0n);
}
