import type { Any } from "cosmjs-types/google/protobuf/any";
import type { Timestamp } from "cosmjs-types/google/protobuf/timestamp";
import { type Coin, errInvalidRequest, isValidDenom } from "../../app/index.ts";
import { toTimestamp } from "./codec.ts";
import type { Description } from "./types.ts";

/** Helpers shared by the staking message handlers (SDK 0.50 msg_server.go wording). */

export const STAKING_TYPE = "/cosmos.staking.v1beta1.";

/** A wire coin as sdk.Coin, or undefined when it is not a valid coin (bad denom, sign or number). */
export function wireCoin(c: { denom: string; amount: string } | undefined): Coin | undefined {
  if (!c || !isValidDenom(c.denom) || !/^\d{1,78}$/.test(c.amount)) return undefined;
  return { denom: c.denom, amount: BigInt(c.amount) };
}

/** An sdk.Int string (possibly negative); junk is an invalid request. */
export function wireInt(s: string, what: string): bigint {
  if (!/^-?\d{1,78}$/.test(s)) throw errInvalidRequest(`invalid ${what} ${JSON.stringify(s)}`);
  return BigInt(s);
}

/** Checks the bond denom as the msg server does. */
export function checkDenom(got: string, want: string): void {
  if (got !== want) throw errInvalidRequest(`invalid coin denomination: got ${got}, expected ${want}`);
}

export function response(name: string, value: Uint8Array): Any {
  return { typeUrl: `${STAKING_TYPE}${name}`, value };
}

/** Go's time.RFC3339 of a UTC time (no fractional seconds), as the SDK's completion_time attribute. */
export function rfc3339(ns: bigint): string {
  const t: Timestamp = toTimestamp(ns);
  return new Date(Number(t.seconds) * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
}

export const DO_NOT_MODIFY = "[do-not-modify]";
const LIMITS: [keyof Description, string, number][] = [
  ["moniker", "moniker", 70],
  ["identity", "identity", 3000],
  ["website", "website", 140],
  ["securityContact", "security contact", 140],
  ["details", "details", 280],
];

/** Description.EnsureLength (byte lengths, as Go's len). */
export function ensureDescriptionLength(d: Description): Description {
  for (const [field, name, max] of LIMITS) {
    const n = Buffer.byteLength(d[field], "utf8");
    if (n > max) throw errInvalidRequest(`invalid ${name} length; got: ${n}, max: ${max}`);
  }
  return d;
}

/** Description.UpdateDescription: "[do-not-modify]" keeps the current value; then EnsureLength. */
export function updateDescription(cur: Description, next: Description): Description {
  const pick = (a: string, b: string) => (b === DO_NOT_MODIFY ? a : b);
  return ensureDescriptionLength({
    moniker: pick(cur.moniker, next.moniker),
    identity: pick(cur.identity, next.identity),
    website: pick(cur.website, next.website),
    securityContact: pick(cur.securityContact, next.securityContact),
    details: pick(cur.details, next.details),
  });
}

export function isEmptyDescription(d: Description): boolean {
  return (
    d.moniker === "" && d.identity === "" && d.website === "" && d.securityContact === "" && d.details === ""
  );
}
