import { Params } from "cosmjs-types/cosmos/gov/v1/gov";
import type { Duration } from "cosmjs-types/google/protobuf/duration";
import {
  addressBytes,
  type Coin,
  coinsFromWire,
  coinsToWire,
  DEC_ONE,
  type Dec,
  decFromString,
  decToString,
} from "../../app/index.ts";
import { errUndefined } from "./errors.ts";

/** x/gov v1 params as the keeper works with them: durations in nanoseconds, rates as Decs. */
export interface GovParams {
  readonly minDeposit: readonly Coin[];
  readonly maxDepositPeriod: bigint;
  readonly votingPeriod: bigint;
  readonly quorum: Dec;
  readonly threshold: Dec;
  readonly vetoThreshold: Dec;
  readonly minInitialDepositRatio: Dec;
  readonly proposalCancelRatio: Dec;
  readonly proposalCancelDest: string;
  readonly expeditedVotingPeriod: bigint;
  readonly expeditedThreshold: Dec;
  readonly expeditedMinDeposit: readonly Coin[];
  readonly burnVoteQuorum: boolean;
  readonly burnProposalDepositPrevote: boolean;
  readonly burnVoteVeto: boolean;
  readonly minDepositRatio: Dec;
}

const SECOND = 1_000_000_000n;
const dec = (s: string): Dec => decFromString(s);

/** The SDK 0.50 defaults (x/gov/types/v1/params.go DefaultParams). */
export const defaultGovParams: GovParams = {
  minDeposit: [{ denom: "stake", amount: 10_000_000n }],
  maxDepositPeriod: 172_800n * SECOND,
  votingPeriod: 172_800n * SECOND,
  quorum: dec("0.334"),
  threshold: dec("0.5"),
  vetoThreshold: dec("0.334"),
  minInitialDepositRatio: 0n,
  proposalCancelRatio: dec("0.5"),
  proposalCancelDest: "",
  expeditedVotingPeriod: 86_400n * SECOND,
  expeditedThreshold: dec("0.667"),
  expeditedMinDeposit: [{ denom: "stake", amount: 50_000_000n }],
  burnVoteQuorum: false,
  burnProposalDepositPrevote: false,
  burnVoteVeto: true,
  minDepositRatio: dec("0.01"),
};

export function durationToNs(d: Duration | undefined): bigint {
  return d ? d.seconds * SECOND + BigInt(d.nanos) : 0n;
}

export function nsToDuration(ns: bigint): Duration {
  return { seconds: ns / SECOND, nanos: Number(ns % SECOND) };
}

/** `"172800s"` / `"0.5s"` (the SDK's JSON duration) to nanoseconds. */
export function parseDurationJson(s: string, field: string): bigint {
  const m = /^(\d{1,12})(?:\.(\d{1,9}))?s$/.exec(s);
  if (!m) throw errUndefined(`${field}: invalid duration ${JSON.stringify(s)}`);
  return BigInt(m[1]!) * SECOND + BigInt((m[2] ?? "").padEnd(9, "0"));
}

/** Nanoseconds as the SDK's JSON duration (`"172800s"`, `"1.5s"`). */
export function formatDurationJson(ns: bigint): string {
  const s = ns / SECOND;
  const frac = ns % SECOND;
  return frac === 0n ? `${s}s` : `${s}.${frac.toString().padStart(9, "0").replace(/0+$/, "")}s`;
}

/** The v1 Params proto (Decs as "0.334000000000000000" strings, as gov/v1 declares them cosmos.Dec scalars). */
export function paramsToProto(p: GovParams): Params {
  return {
    minDeposit: coinsToWire(p.minDeposit),
    maxDepositPeriod: nsToDuration(p.maxDepositPeriod),
    votingPeriod: nsToDuration(p.votingPeriod),
    quorum: decToString(p.quorum),
    threshold: decToString(p.threshold),
    vetoThreshold: decToString(p.vetoThreshold),
    minInitialDepositRatio: decToString(p.minInitialDepositRatio),
    proposalCancelRatio: decToString(p.proposalCancelRatio),
    proposalCancelDest: p.proposalCancelDest,
    expeditedVotingPeriod: nsToDuration(p.expeditedVotingPeriod),
    expeditedThreshold: decToString(p.expeditedThreshold),
    expeditedMinDeposit: coinsToWire(p.expeditedMinDeposit),
    burnVoteQuorum: p.burnVoteQuorum,
    burnProposalDepositPrevote: p.burnProposalDepositPrevote,
    burnVoteVeto: p.burnVoteVeto,
    minDepositRatio: decToString(p.minDepositRatio),
  };
}

function decField(s: string, field: string): Dec {
  try {
    return decFromString(s, field);
  } catch {
    throw errUndefined(`invalid ${field} string: ${JSON.stringify(s)}`);
  }
}

function coinsField(wire: readonly { denom: string; amount: string }[], field: string): Coin[] {
  try {
    return coinsFromWire(wire);
  } catch (e) {
    throw errUndefined(`invalid ${field}: ${(e as Error).message}`);
  }
}

/** Decodes a v1 Params proto (from a MsgUpdateParams or the store); malformed fields are errors. */
export function paramsFromProto(p: Params): GovParams {
  return {
    minDeposit: coinsField(p.minDeposit, "minimum deposit"),
    maxDepositPeriod: durationToNs(p.maxDepositPeriod),
    votingPeriod: durationToNs(p.votingPeriod),
    quorum: decField(p.quorum, "quorum"),
    threshold: decField(p.threshold, "threshold"),
    vetoThreshold: decField(p.vetoThreshold, "veto threshold"),
    minInitialDepositRatio: decField(p.minInitialDepositRatio || "0", "minimum initial deposit ratio"),
    proposalCancelRatio: decField(p.proposalCancelRatio || "0", "proposal cancel ratio"),
    proposalCancelDest: p.proposalCancelDest,
    expeditedVotingPeriod: durationToNs(p.expeditedVotingPeriod),
    expeditedThreshold: decField(p.expeditedThreshold, "expedited threshold"),
    expeditedMinDeposit: coinsField(p.expeditedMinDeposit, "expedited minimum deposit"),
    burnVoteQuorum: p.burnVoteQuorum,
    burnProposalDepositPrevote: p.burnProposalDepositPrevote,
    burnVoteVeto: p.burnVoteVeto,
    minDepositRatio: decField(p.minDepositRatio || "0", "minimum deposit ratio"),
  };
}

export function encodeParams(p: GovParams): Uint8Array {
  return Params.encode(paramsToProto(p)).finish();
}

export function decodeParams(raw: Uint8Array): GovParams {
  return paramsFromProto(Params.decode(raw));
}

/** True when every coin of `b` is covered by `a` and `a` is not empty where `b` is (sdk.Coins.IsAllGTE). */
function isAllGte(a: readonly Coin[], b: readonly Coin[]): boolean {
  if (b.length === 0) return true;
  return b.every((c) => (a.find((x) => x.denom === c.denom)?.amount ?? 0n) >= c.amount);
}

/** sdk.Coins.IsAllLTE(a, b): b covers a. */
function isAllLte(a: readonly Coin[], b: readonly Coin[]): boolean {
  return isAllGte(b, a);
}

function fmtCoins(c: readonly Coin[]): string {
  return c.map((x) => `${x.amount}${x.denom}`).join(",");
}

/**
 * The SDK's Params.ValidateBasic (x/gov/types/v1/params.go), same checks in the same order and the same
 * wording. Its errors are plain Go errors, reported as code 1 in codespace "undefined".
 */
export function validateParams(p: GovParams, prefix: string): void {
  if (p.minDeposit.length === 0) throw errUndefined(`invalid minimum deposit: ${fmtCoins(p.minDeposit)}`);
  if (p.expeditedMinDeposit.length === 0) {
    throw errUndefined(`invalid expedited minimum deposit: ${fmtCoins(p.expeditedMinDeposit)}`);
  }
  if (isAllLte(p.expeditedMinDeposit, p.minDeposit)) {
    throw errUndefined(
      `expedited minimum deposit must be greater than minimum deposit: ${fmtCoins(p.expeditedMinDeposit)}`,
    );
  }
  if (p.maxDepositPeriod <= 0n) {
    throw errUndefined(`maximum deposit period must be positive: ${formatDurationJson(p.maxDepositPeriod)}`);
  }
  if (p.quorum < 0n) throw errUndefined(`quorom cannot be negative: ${decToString(p.quorum)}`);
  if (p.quorum > DEC_ONE) throw errUndefined(`quorom too large: ${decToString(p.quorum)}`);
  if (p.threshold <= 0n) throw errUndefined(`vote threshold must be positive: ${decToString(p.threshold)}`);
  if (p.threshold > DEC_ONE) throw errUndefined(`vote threshold too large: ${decToString(p.threshold)}`);
  if (p.expeditedThreshold <= 0n) {
    throw errUndefined(`expedited vote threshold must be positive: ${decToString(p.expeditedThreshold)}`);
  }
  if (p.expeditedThreshold > DEC_ONE) {
    throw errUndefined(`expedited vote threshold too large: ${decToString(p.expeditedThreshold)}`);
  }
  if (p.expeditedThreshold <= p.threshold) {
    throw errUndefined(
      `expedited vote threshold ${decToString(p.expeditedThreshold)}, must be greater than the regular threshold ${decToString(p.threshold)}`,
    );
  }
  if (p.vetoThreshold <= 0n)
    throw errUndefined(`veto threshold must be positive: ${decToString(p.vetoThreshold)}`);
  if (p.vetoThreshold > DEC_ONE)
    throw errUndefined(`veto threshold too large: ${decToString(p.vetoThreshold)}`);
  if (p.votingPeriod <= 0n) {
    throw errUndefined(`voting period must be positive: ${formatDurationJson(p.votingPeriod)}`);
  }
  if (p.expeditedVotingPeriod <= 0n) {
    throw errUndefined(
      `expedited voting period must be positive: ${formatDurationJson(p.expeditedVotingPeriod)}`,
    );
  }
  if (p.expeditedVotingPeriod >= p.votingPeriod) {
    throw errUndefined(
      `expedited voting period ${formatDurationJson(p.expeditedVotingPeriod)} must be strictly less that the regular voting period ${formatDurationJson(p.votingPeriod)}`,
    );
  }
  if (p.minInitialDepositRatio < 0n) {
    throw errUndefined(
      `mininum initial deposit ratio of proposal must be positive: ${decToString(p.minInitialDepositRatio)}`,
    );
  }
  if (p.minInitialDepositRatio > DEC_ONE) {
    throw errUndefined(
      `mininum initial deposit ratio of proposal is too large: ${decToString(p.minInitialDepositRatio)}`,
    );
  }
  if (p.proposalCancelRatio < 0n) {
    throw errUndefined(`proposal cancel rate cannot be negative: ${decToString(p.proposalCancelRatio)}`);
  }
  if (p.proposalCancelRatio > DEC_ONE) {
    throw errUndefined(`proposal cancel rate too large: ${decToString(p.proposalCancelRatio)}`);
  }
  if (p.proposalCancelDest !== "") {
    try {
      addressBytes(p.proposalCancelDest, prefix);
    } catch (e) {
      throw errUndefined(`deposits destination address is invalid: ${(e as Error).message}`);
    }
  }
  if (p.minDepositRatio < 0n) {
    throw errUndefined(`minimum deposit ratio cannot be negative: ${decToString(p.minDepositRatio)}`);
  }
  if (p.minDepositRatio > DEC_ONE) {
    throw errUndefined(`minimum deposit ratio too large: ${decToString(p.minDepositRatio)}`);
  }
}

type Json = Record<string, unknown>;

function str(v: unknown, field: string): string {
  if (typeof v !== "string") throw errUndefined(`gov.params.${field} must be a string`);
  return v;
}

function bool(v: unknown, field: string): boolean {
  if (typeof v !== "boolean") throw errUndefined(`gov.params.${field} must be a boolean`);
  return v;
}

function jsonCoins(v: unknown, field: string): Coin[] {
  if (!Array.isArray(v)) throw errUndefined(`gov.params.${field} must be an array of coins`);
  const wire = v.map((c: unknown, i) => {
    const o = (c ?? {}) as Json;
    return { denom: str(o.denom, `${field}[${i}].denom`), amount: str(o.amount, `${field}[${i}].amount`) };
  });
  return coinsField(wire, field);
}

/**
 * `app_state.gov.params` in the SDK's JSON (snake_case, durations "172800s", decimals "0.5"). A field
 * left out keeps its SDK default (the SDK would zero it and fail validation; devnets set only a few).
 */
export function paramsFromJson(v: unknown): GovParams {
  if (v === undefined || v === null) return defaultGovParams;
  if (typeof v !== "object" || Array.isArray(v)) throw errUndefined("gov.params must be an object");
  const j = v as Json;
  const d = defaultGovParams;
  const has = (k: string) => j[k] !== undefined && j[k] !== null;
  const decJ = (k: string, def: Dec) => (has(k) ? decField(str(j[k], k), k) : def);
  const durJ = (k: string, def: bigint) =>
    has(k) ? parseDurationJson(str(j[k], k), `gov.params.${k}`) : def;
  const boolJ = (k: string, def: boolean) => (has(k) ? bool(j[k], k) : def);
  const votingPeriod = durJ("voting_period", d.votingPeriod);
  const expeditedDefault =
    d.expeditedVotingPeriod < votingPeriod ? d.expeditedVotingPeriod : votingPeriod / 2n;
  return {
    minDeposit: has("min_deposit") ? jsonCoins(j.min_deposit, "min_deposit") : d.minDeposit,
    maxDepositPeriod: durJ("max_deposit_period", d.maxDepositPeriod),
    votingPeriod,
    quorum: decJ("quorum", d.quorum),
    threshold: decJ("threshold", d.threshold),
    vetoThreshold: decJ("veto_threshold", d.vetoThreshold),
    minInitialDepositRatio: decJ("min_initial_deposit_ratio", d.minInitialDepositRatio),
    proposalCancelRatio: decJ("proposal_cancel_ratio", d.proposalCancelRatio),
    proposalCancelDest: has("proposal_cancel_dest")
      ? str(j.proposal_cancel_dest, "proposal_cancel_dest")
      : "",
    // Left out, it follows a short devnet voting period so that it stays strictly shorter, as required.
    expeditedVotingPeriod: durJ("expedited_voting_period", expeditedDefault),
    expeditedThreshold: decJ("expedited_threshold", d.expeditedThreshold),
    expeditedMinDeposit: has("expedited_min_deposit")
      ? jsonCoins(j.expedited_min_deposit, "expedited_min_deposit")
      : d.expeditedMinDeposit,
    burnVoteQuorum: boolJ("burn_vote_quorum", d.burnVoteQuorum),
    burnProposalDepositPrevote: boolJ("burn_proposal_deposit_prevote", d.burnProposalDepositPrevote),
    burnVoteVeto: boolJ("burn_vote_veto", d.burnVoteVeto),
    minDepositRatio: decJ("min_deposit_ratio", d.minDepositRatio),
  };
}
