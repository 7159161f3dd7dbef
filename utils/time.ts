/** RFC3339 timestamps with nanosecond precision, as CometBFT writes them (`2024-05-01T12:00:42.123456789Z`). */

const NS_PER_MS = 1_000_000n;
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Formats nanoseconds since the Unix epoch as UTC RFC3339 with exactly nine fractional digits, the form
 * CometBFT's RPC and genesis files use. Years outside 0..9999 are rejected.
 */
export function formatRfc3339Nano(ns: bigint): string {
  let ms = ns / NS_PER_MS;
  let subMs = ns % NS_PER_MS;
  if (subMs < 0n) {
    subMs += NS_PER_MS;
    ms -= 1n;
  }
  const d = new Date(Number(ms));
  const year = d.getUTCFullYear();
  if (Number.isNaN(year) || year < 0 || year > 9999) throw new RangeError(`time out of range: ${ns}ns`);
  const iso = d.toISOString(); // YYYY-MM-DDTHH:mm:ss.sssZ
  const frac = (BigInt(d.getUTCMilliseconds()) * NS_PER_MS + subMs).toString().padStart(9, "0");
  return `${iso.slice(0, 19)}.${frac}Z`;
}

/**
 * Parses an RFC3339 timestamp (any fractional precision up to nanoseconds, `Z` or a numeric offset) into
 * nanoseconds since the Unix epoch. Throws a RangeError naming the input when it is not RFC3339.
 */
export function parseRfc3339Nano(s: string): bigint {
  const m = RFC3339.exec(s);
  if (!m) throw new RangeError(`not an RFC3339 time: ${JSON.stringify(s)}`);
  const [, y, mo, d, h, mi, sec, frac, zone] = m;
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(sec));
  const check = new Date(ms);
  if (
    Number.isNaN(ms) ||
    check.getUTCFullYear() !== Number(y) ||
    check.getUTCMonth() !== Number(mo) - 1 ||
    check.getUTCDate() !== Number(d) ||
    Number(h) > 23 ||
    Number(mi) > 59 ||
    Number(sec) > 59
  ) {
    throw new RangeError(`not a valid RFC3339 time: ${JSON.stringify(s)}`);
  }
  let ns = BigInt(ms) * NS_PER_MS + BigInt((frac ?? "").padEnd(9, "0") || "0");
  if (zone !== "Z") {
    const sign = zone!.startsWith("-") ? -1n : 1n;
    const offMin = BigInt(Number(zone!.slice(1, 3)) * 60 + Number(zone!.slice(4, 6)));
    ns -= sign * offMin * 60n * 1_000_000_000n;
  }
  return ns;
}

/** Current wall-clock time in nanoseconds since the Unix epoch (shell code only, never the state machine). */
export function nowNs(): bigint {
  return BigInt(Date.now()) * NS_PER_MS;
}
