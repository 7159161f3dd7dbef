import { ValidatorSigningInfo } from "cosmjs-types/cosmos/slashing/v1beta1/slashing";
import { type AppStore, bech32Address, prefixEnd } from "../../app/index.ts";
import {
  consAddrFromSigningInfoKey,
  indexFromMissedBlockKey,
  missedBlockKey,
  missedBlocksPrefix,
  SIGNING_INFO_PREFIX,
  signingInfoKey,
} from "./keys.ts";

const NS_PER_S = 1_000_000_000n;

/**
 * A validator's liveness record (the SDK's ValidatorSigningInfo), keyed by consensus address.
 * `jailedUntil` is nanoseconds since the epoch (0 is the SDK's time.Unix(0, 0)).
 */
export interface SigningInfo {
  readonly address: Uint8Array;
  readonly startHeight: bigint;
  readonly indexOffset: bigint;
  readonly jailedUntil: bigint;
  readonly tombstoned: boolean;
  readonly missedBlocksCounter: bigint;
}

/** A fresh signing info (the SDK's NewValidatorSigningInfo as AfterValidatorBonded creates it). */
export function newSigningInfo(address: Uint8Array, startHeight: bigint): SigningInfo {
  return {
    address,
    startHeight,
    indexOffset: 0n,
    jailedUntil: 0n,
    tombstoned: false,
    missedBlocksCounter: 0n,
  };
}

/** Nanoseconds as a protobuf Timestamp (nanos always in [0, 1e9)). */
export function nsToTimestamp(ns: bigint): { seconds: bigint; nanos: number } {
  let seconds = ns / NS_PER_S;
  let nanos = ns % NS_PER_S;
  if (nanos < 0n) {
    nanos += NS_PER_S;
    seconds -= 1n;
  }
  return { seconds, nanos: Number(nanos) };
}

export function timestampToNs(t: { seconds: bigint; nanos: number } | undefined): bigint {
  return t ? t.seconds * NS_PER_S + BigInt(t.nanos) : 0n;
}

/** The SDK's protobuf form; `address` is the `<prefix>valcons` bech32. */
export function signingInfoToProto(info: SigningInfo, prefix: string): ValidatorSigningInfo {
  return {
    address: bech32Address(info.address, `${prefix}valcons`),
    startHeight: info.startHeight,
    indexOffset: info.indexOffset,
    jailedUntil: nsToTimestamp(info.jailedUntil),
    tombstoned: info.tombstoned,
    missedBlocksCounter: info.missedBlocksCounter,
  };
}

function decodeInfo(consAddr: Uint8Array, raw: Uint8Array): SigningInfo {
  const p = ValidatorSigningInfo.decode(raw);
  return {
    address: consAddr,
    startHeight: p.startHeight,
    indexOffset: p.indexOffset,
    jailedUntil: timestampToNs(p.jailedUntil),
    tombstoned: p.tombstoned,
    missedBlocksCounter: p.missedBlocksCounter,
  };
}

/**
 * Signing infos and missed-block bits in the store. Every per-block operation is O(1) reads/writes;
 * only `deleteMissedBlocks` walks one validator's set bits (at most one window's worth).
 */
export class SigningInfoStore {
  private readonly prefix: string;

  constructor(bech32Prefix: string) {
    this.prefix = bech32Prefix;
  }

  async get(store: AppStore, consAddr: Uint8Array): Promise<SigningInfo | undefined> {
    const raw = await store.get(signingInfoKey(consAddr));
    return raw ? decodeInfo(consAddr, raw) : undefined;
  }

  set(store: AppStore, info: SigningInfo): void {
    store.set(
      signingInfoKey(info.address),
      ValidatorSigningInfo.encode(signingInfoToProto(info, this.prefix)).finish(),
    );
  }

  /** Every signing info, in consensus-address key order. */
  async all(store: AppStore): Promise<SigningInfo[]> {
    const out: SigningInfo[] = [];
    const range = { gte: SIGNING_INFO_PREFIX, lt: prefixEnd(SIGNING_INFO_PREFIX) };
    for await (const [k, v] of store.iterate(range)) out.push(decodeInfo(consAddrFromSigningInfoKey(k), v));
    return out;
  }

  /** Whether the block at window index `index` is recorded as missed (GetMissedBlockBitmapValue). */
  async missed(store: AppStore, consAddr: Uint8Array, index: bigint): Promise<boolean> {
    return (await store.get(missedBlockKey(consAddr, index))) !== undefined;
  }

  /** SetMissedBlockBitmapValue: only set bits are stored. */
  setMissed(store: AppStore, consAddr: Uint8Array, index: bigint, missed: boolean): void {
    if (missed) store.set(missedBlockKey(consAddr, index), Uint8Array.of(1));
    else store.delete(missedBlockKey(consAddr, index));
  }

  /** The window indexes recorded as missed, ascending. */
  async missedIndexes(store: AppStore, consAddr: Uint8Array): Promise<bigint[]> {
    const prefix = missedBlocksPrefix(consAddr);
    const out: bigint[] = [];
    for await (const [k] of store.iterate({ gte: prefix, lt: prefixEnd(prefix) })) {
      out.push(indexFromMissedBlockKey(k));
    }
    return out;
  }

  /** DeleteMissedBlockBitmap: clears every bit of one validator. */
  async deleteMissedBlocks(store: AppStore, consAddr: Uint8Array): Promise<void> {
    for (const i of await this.missedIndexes(store, consAddr)) store.delete(missedBlockKey(consAddr, i));
  }
}
