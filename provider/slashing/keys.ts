import { concatBytes, utf8 } from "../../utils/index.ts";

/**
 * x/slashing's (and x/evidence's) store layout, all under "slh/". Addresses are length-prefixed (the
 * SDK's address.MustLengthPrefix) so one validator's keys never share a prefix with another's; indexes
 * are big-endian u64 so they sort.
 */

export const SLASHING_PREFIX = utf8("slh/");
export const PARAMS_KEY = utf8("slh/params");
/** slh/si/<len><consAddr> → ValidatorSigningInfo (protobuf). */
export const SIGNING_INFO_PREFIX = utf8("slh/si/");
/** slh/mb/<len><consAddr><u64 index> → 0x01, present exactly when the block at that index was missed. */
export const MISSED_BLOCK_PREFIX = utf8("slh/mb/");
/** slh/pk/<len><consAddr> → the ed25519 consensus public key (the SDK's AddrPubkeyRelation). */
export const PUBKEY_PREFIX = utf8("slh/pk/");
/** slh/ev/<sha256 of the Equivocation bytes> → Equivocation (protobuf): x/evidence's store. */
export const EVIDENCE_PREFIX = utf8("slh/ev/");

function lengthPrefixed(addr: Uint8Array): Uint8Array {
  if (addr.length > 255) throw new RangeError(`address too long: ${addr.length} bytes`);
  return concatBytes(Uint8Array.of(addr.length), addr);
}

export function signingInfoKey(consAddr: Uint8Array): Uint8Array {
  return concatBytes(SIGNING_INFO_PREFIX, lengthPrefixed(consAddr));
}

/** The consensus address a signing-info key is for. */
export function consAddrFromSigningInfoKey(key: Uint8Array): Uint8Array {
  const len = key[SIGNING_INFO_PREFIX.length]!;
  return key.slice(SIGNING_INFO_PREFIX.length + 1, SIGNING_INFO_PREFIX.length + 1 + len);
}

/** The prefix of one validator's missed-block bits. */
export function missedBlocksPrefix(consAddr: Uint8Array): Uint8Array {
  return concatBytes(MISSED_BLOCK_PREFIX, lengthPrefixed(consAddr));
}

export function missedBlockKey(consAddr: Uint8Array, index: bigint): Uint8Array {
  const idx = new Uint8Array(8);
  new DataView(idx.buffer).setBigUint64(0, index);
  return concatBytes(missedBlocksPrefix(consAddr), idx);
}

/** The window index a missed-block key holds (its last 8 bytes). */
export function indexFromMissedBlockKey(key: Uint8Array): bigint {
  return new DataView(key.buffer, key.byteOffset + key.length - 8, 8).getBigUint64(0);
}

export function pubkeyKey(consAddr: Uint8Array): Uint8Array {
  return concatBytes(PUBKEY_PREFIX, lengthPrefixed(consAddr));
}

export function evidenceKey(hash: Uint8Array): Uint8Array {
  return concatBytes(EVIDENCE_PREFIX, hash);
}
