import { PubKey as Ed25519PubKey } from "cosmjs-types/cosmos/crypto/ed25519/keys";
import {
  Delegation as DelegationProto,
  Params as ParamsProto,
  Redelegation as RedelegationProto,
  UnbondingDelegation as UnbondingDelegationProto,
  Validator as ValidatorProto,
} from "cosmjs-types/cosmos/staking/v1beta1/staking";
import type { Any } from "cosmjs-types/google/protobuf/any";
import type { Duration } from "cosmjs-types/google/protobuf/duration";
import type { Timestamp } from "cosmjs-types/google/protobuf/timestamp";
import { addressBytes, bech32Address, decFromAtomics, decToAtomics } from "../../app/index.ts";
import { valoperAddress, valoperBytes } from "./address.ts";
import type {
  BondStatus,
  Delegation,
  Redelegation,
  RedelegationEntry,
  StakingParams,
  UnbondingDelegation,
  UnbondingEntry,
  Validator,
} from "./types.ts";

/**
 * Store encodings: the SDK's own protobufs (cosmjs-types), so a value is the bytes an SDK chain would
 * hold for it (addresses as bech32 strings, Decs as atomics). The records carry the ICS bookkeeping
 * fields (unbonding ids, on-hold counts) that types.ts leaves out.
 */

export const ED25519_PUBKEY_TYPE = "/cosmos.crypto.ed25519.PubKey";
const NS = 1_000_000_000n;
/** Go's zero time.Time (0001-01-01T00:00:00Z) in ns since the epoch: the SDK's "no time". */
export const GO_ZERO_TIME = -62_135_596_800n * NS;

export interface ValidatorRecord extends Validator {
  readonly unbondingIds: readonly bigint[];
  readonly unbondingOnHoldRefCount: bigint;
}

export interface UnbondingEntryRecord extends UnbondingEntry {
  readonly unbondingOnHoldRefCount: bigint;
}

export interface UnbondingDelegationRecord extends UnbondingDelegation {
  readonly entries: readonly UnbondingEntryRecord[];
}

export interface RedelegationEntryRecord extends RedelegationEntry {
  readonly unbondingOnHoldRefCount: bigint;
}

export interface RedelegationRecord extends Redelegation {
  readonly entries: readonly RedelegationEntryRecord[];
}

export function toTimestamp(ns: bigint): Timestamp {
  let seconds = ns / NS;
  let nanos = ns % NS;
  if (nanos < 0n) {
    seconds -= 1n;
    nanos += NS;
  }
  return { seconds, nanos: Number(nanos) };
}

export function fromTimestamp(t: Timestamp | undefined): bigint {
  return t ? t.seconds * NS + BigInt(t.nanos) : GO_ZERO_TIME;
}

export function toDuration(ns: bigint): Duration {
  return { seconds: ns / NS, nanos: Number(ns % NS) };
}

export function fromDuration(d: Duration | undefined): bigint {
  return d ? d.seconds * NS + BigInt(d.nanos) : 0n;
}

/** The consensus key as the SDK's Any (cosmos.crypto.ed25519.PubKey). */
export function pubKeyAny(key: Uint8Array): Any {
  return { typeUrl: ED25519_PUBKEY_TYPE, value: Ed25519PubKey.encode({ key }).finish() };
}

const STATUS_NUM: Record<BondStatus, number> = { unbonded: 1, unbonding: 2, bonded: 3 };
const NUM_STATUS: Record<number, BondStatus> = { 1: "unbonded", 2: "unbonding", 3: "bonded" };

/** The protobuf enum name of a status ("BOND_STATUS_BONDED"). */
export function bondStatusName(s: BondStatus): string {
  return `BOND_STATUS_${s.toUpperCase()}`;
}

export function validatorToProto(v: ValidatorRecord, prefix: string): ValidatorProto {
  return {
    operatorAddress: valoperAddress(v.operator, prefix),
    consensusPubkey: pubKeyAny(v.consPubKey),
    jailed: v.jailed,
    status: STATUS_NUM[v.status],
    tokens: v.tokens.toString(),
    delegatorShares: decToAtomics(v.delegatorShares),
    description: { ...v.description },
    unbondingHeight: BigInt(v.unbondingHeight),
    unbondingTime: toTimestamp(v.unbondingTime),
    commission: {
      commissionRates: {
        rate: decToAtomics(v.commission.rate),
        maxRate: decToAtomics(v.commission.maxRate),
        maxChangeRate: decToAtomics(v.commission.maxChangeRate),
      },
      updateTime: toTimestamp(v.commission.updateTime),
    },
    minSelfDelegation: v.minSelfDelegation.toString(),
    unbondingOnHoldRefCount: v.unbondingOnHoldRefCount,
    unbondingIds: [...v.unbondingIds],
  };
}

export function encodeValidator(v: ValidatorRecord, prefix: string): Uint8Array {
  return ValidatorProto.encode(validatorToProto(v, prefix)).finish();
}

export function decodeValidator(b: Uint8Array, prefix: string): ValidatorRecord {
  const p = ValidatorProto.decode(b);
  const rates = p.commission.commissionRates;
  return {
    operator: valoperBytes(p.operatorAddress, prefix),
    consPubKey: Ed25519PubKey.decode(p.consensusPubkey?.value ?? new Uint8Array()).key,
    jailed: p.jailed,
    status: NUM_STATUS[p.status] ?? "unbonded",
    tokens: BigInt(p.tokens || "0"),
    delegatorShares: decFromAtomics(p.delegatorShares),
    description: {
      moniker: p.description.moniker,
      identity: p.description.identity,
      website: p.description.website,
      securityContact: p.description.securityContact,
      details: p.description.details,
    },
    unbondingHeight: Number(p.unbondingHeight),
    unbondingTime: fromTimestamp(p.unbondingTime),
    commission: {
      rate: decFromAtomics(rates.rate),
      maxRate: decFromAtomics(rates.maxRate),
      maxChangeRate: decFromAtomics(rates.maxChangeRate),
      updateTime: fromTimestamp(p.commission.updateTime),
    },
    minSelfDelegation: BigInt(p.minSelfDelegation || "0"),
    unbondingIds: p.unbondingIds,
    unbondingOnHoldRefCount: p.unbondingOnHoldRefCount,
  };
}

export function delegationToProto(d: Delegation, prefix: string): DelegationProto {
  return {
    delegatorAddress: bech32Address(d.delegator, prefix),
    validatorAddress: valoperAddress(d.validator, prefix),
    shares: decToAtomics(d.shares),
  };
}

export function encodeDelegation(d: Delegation, prefix: string): Uint8Array {
  return DelegationProto.encode(delegationToProto(d, prefix)).finish();
}

export function decodeDelegation(b: Uint8Array, prefix: string): Delegation {
  const p = DelegationProto.decode(b);
  return {
    delegator: addressBytes(p.delegatorAddress, prefix),
    validator: valoperBytes(p.validatorAddress, prefix),
    shares: decFromAtomics(p.shares),
  };
}

export function ubdToProto(u: UnbondingDelegationRecord, prefix: string): UnbondingDelegationProto {
  return {
    delegatorAddress: bech32Address(u.delegator, prefix),
    validatorAddress: valoperAddress(u.validator, prefix),
    entries: u.entries.map((e) => ({
      creationHeight: BigInt(e.creationHeight),
      completionTime: toTimestamp(e.completionTime),
      initialBalance: e.initialBalance.toString(),
      balance: e.balance.toString(),
      unbondingId: e.unbondingId,
      unbondingOnHoldRefCount: e.unbondingOnHoldRefCount,
    })),
  };
}

export function encodeUbd(u: UnbondingDelegationRecord, prefix: string): Uint8Array {
  return UnbondingDelegationProto.encode(ubdToProto(u, prefix)).finish();
}

export function decodeUbd(b: Uint8Array, prefix: string): UnbondingDelegationRecord {
  const p = UnbondingDelegationProto.decode(b);
  return {
    delegator: addressBytes(p.delegatorAddress, prefix),
    validator: valoperBytes(p.validatorAddress, prefix),
    entries: p.entries.map((e) => ({
      creationHeight: Number(e.creationHeight),
      completionTime: fromTimestamp(e.completionTime),
      initialBalance: BigInt(e.initialBalance || "0"),
      balance: BigInt(e.balance || "0"),
      unbondingId: e.unbondingId,
      unbondingOnHoldRefCount: e.unbondingOnHoldRefCount,
    })),
  };
}

export function redToProto(r: RedelegationRecord, prefix: string): RedelegationProto {
  return {
    delegatorAddress: bech32Address(r.delegator, prefix),
    validatorSrcAddress: valoperAddress(r.src, prefix),
    validatorDstAddress: valoperAddress(r.dst, prefix),
    entries: r.entries.map((e) => ({
      creationHeight: BigInt(e.creationHeight),
      completionTime: toTimestamp(e.completionTime),
      initialBalance: e.initialBalance.toString(),
      sharesDst: decToAtomics(e.sharesDst),
      unbondingId: e.unbondingId,
      unbondingOnHoldRefCount: e.unbondingOnHoldRefCount,
    })),
  };
}

export function encodeRed(r: RedelegationRecord, prefix: string): Uint8Array {
  return RedelegationProto.encode(redToProto(r, prefix)).finish();
}

export function decodeRed(b: Uint8Array, prefix: string): RedelegationRecord {
  const p = RedelegationProto.decode(b);
  return {
    delegator: addressBytes(p.delegatorAddress, prefix),
    src: valoperBytes(p.validatorSrcAddress, prefix),
    dst: valoperBytes(p.validatorDstAddress, prefix),
    entries: p.entries.map((e) => ({
      creationHeight: Number(e.creationHeight),
      completionTime: fromTimestamp(e.completionTime),
      initialBalance: BigInt(e.initialBalance || "0"),
      sharesDst: decFromAtomics(e.sharesDst),
      unbondingId: e.unbondingId,
      unbondingOnHoldRefCount: e.unbondingOnHoldRefCount,
    })),
  };
}

export function paramsToProto(p: StakingParams): ParamsProto {
  return {
    unbondingTime: toDuration(p.unbondingTime),
    maxValidators: p.maxValidators,
    maxEntries: p.maxEntries,
    historicalEntries: p.historicalEntries,
    bondDenom: p.bondDenom,
    minCommissionRate: decToAtomics(p.minCommissionRate),
  };
}

export function paramsFromProto(p: ParamsProto): StakingParams {
  return {
    unbondingTime: fromDuration(p.unbondingTime),
    maxValidators: p.maxValidators,
    maxEntries: p.maxEntries,
    historicalEntries: p.historicalEntries,
    bondDenom: p.bondDenom,
    minCommissionRate: decFromAtomics(p.minCommissionRate),
  };
}

export function encodeParams(p: StakingParams): Uint8Array {
  return ParamsProto.encode(paramsToProto(p)).finish();
}

export function decodeParams(b: Uint8Array): StakingParams {
  return paramsFromProto(ParamsProto.decode(b));
}
