import { errInvalidRequest } from "./errors.ts";

/**
 * The Cosmos SDK's LegacyDec: a signed decimal with 18 places, held as its atomics (value × 10^18) in a
 * bigint. Rounding follows math/dec.go exactly, since rewards, shares and slashes must match an SDK
 * chain to the last atomic: `mul`/`quo` round half to even (chopPrecisionAndRound), the `Truncate`
 * variants drop the remainder toward zero, the `RoundUp` variants round away from zero.
 */
export type Dec = bigint;

export const DEC_ONE: Dec = 10n ** 18n;
export const DEC_ZERO: Dec = 0n;
const HALF = DEC_ONE / 2n;

/** An integer as a Dec. */
export function decFromInt(n: bigint): Dec {
  return n * DEC_ONE;
}

/** The SDK's chopPrecisionAndRound: divide by 10^18, ties to even. */
function chopRound(x: bigint): bigint {
  if (x < 0n) return -chopRound(-x);
  const q = x / DEC_ONE;
  const r = x % DEC_ONE;
  if (r < HALF) return q;
  if (r > HALF) return q + 1n;
  return q % 2n === 0n ? q : q + 1n;
}

function chopRoundUp(x: bigint): bigint {
  if (x < 0n) return -(-x / DEC_ONE);
  const q = x / DEC_ONE;
  return x % DEC_ONE === 0n ? q : q + 1n;
}

export function decMul(a: Dec, b: Dec): Dec {
  return chopRound(a * b);
}

export function decMulTruncate(a: Dec, b: Dec): Dec {
  return (a * b) / DEC_ONE;
}

export function decMulRoundUp(a: Dec, b: Dec): Dec {
  return chopRoundUp(a * b);
}

/** a × n for an integer n (exact). */
export function decMulInt(a: Dec, n: bigint): Dec {
  return a * n;
}

function nonZero(b: bigint): void {
  if (b === 0n) throw new RangeError("division by zero");
}

export function decQuo(a: Dec, b: Dec): Dec {
  nonZero(b);
  return chopRound((a * DEC_ONE * DEC_ONE) / b);
}

export function decQuoTruncate(a: Dec, b: Dec): Dec {
  nonZero(b);
  return (a * DEC_ONE) / b;
}

export function decQuoRoundUp(a: Dec, b: Dec): Dec {
  nonZero(b);
  // The SDK's QuoRoundUp: a·10^18 / b, plus one atomic when a remainder of the quotient's sign is left.
  const num = a * DEC_ONE;
  const q = num / b;
  return num % b !== 0n && num > 0n === b > 0n ? q + 1n : q;
}

/** a ÷ n for an integer n, as the SDK's QuoInt (truncating). */
export function decQuoInt(a: Dec, n: bigint): Dec {
  nonZero(n);
  return a / n;
}

/** The integer part, toward zero (TruncateInt). */
export function decTruncate(a: Dec): bigint {
  return a / DEC_ONE;
}

/** Rounded to an integer, ties to even (RoundInt). */
export function decRound(a: Dec): bigint {
  return chopRound(a);
}

/** Rounded up to an integer (Ceil). */
export function decCeil(a: Dec): bigint {
  return chopRoundUp(a);
}

export function decMin(a: Dec, b: Dec): Dec {
  return a < b ? a : b;
}

export function decMax(a: Dec, b: Dec): Dec {
  return a > b ? a : b;
}

/** `"0.100000000000000000"`: the SDK's LegacyDec.String (JSON, CLI output). */
export function decToString(a: Dec): string {
  const neg = a < 0n;
  const abs = neg ? -a : a;
  const s = `${abs / DEC_ONE}.${(abs % DEC_ONE).toString().padStart(18, "0")}`;
  return neg ? `-${s}` : s;
}

/** Parses `"0.1"`, `"5"` or `"-1.25"` (up to 18 places); anything else is an invalid request. */
export function decFromString(s: string, what = "decimal"): Dec {
  const m = /^(-?)(\d{1,60})(?:\.(\d{1,18}))?$/.exec(s.trim());
  if (!m) throw errInvalidRequest(`invalid ${what} ${JSON.stringify(s)}`);
  const v = BigInt(m[2]!) * DEC_ONE + BigInt((m[3] ?? "").padEnd(18, "0"));
  return m[1] === "-" ? -v : v;
}

/**
 * Parses the protobuf wire form: 18-decimal atomics with no dot (`"100000000000000000"` is 0.1), as
 * LegacyDec.Marshal writes it. The empty string is zero, as gogoproto's nullable=false default.
 */
export function decFromAtomics(s: string, what = "decimal"): Dec {
  if (s === "") return 0n;
  if (!/^-?\d{1,80}$/.test(s)) throw errInvalidRequest(`invalid ${what} ${JSON.stringify(s)}`);
  return BigInt(s);
}

/** The protobuf wire form of a Dec (atomics, no dot). */
export function decToAtomics(a: Dec): string {
  return a.toString();
}
