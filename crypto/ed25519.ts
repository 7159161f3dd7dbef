import { createPrivateKey, createPublicKey, type KeyObject, randomBytes, sign, verify } from "node:crypto";

// DER prefixes that wrap raw ed25519 keys for node:crypto (RFC 8410).
const PKCS8_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");
const SPKI_PREFIX = Buffer.from("302a300506032b6570032100", "hex");

/** An ed25519 key pair held as a 32-byte seed and a 32-byte public key. */
export interface Ed25519KeyPair {
  readonly seed: Uint8Array;
  readonly publicKey: Uint8Array;
}

const pubCache = new Map<string, KeyObject>();

function publicKeyObject(pub: Uint8Array): KeyObject {
  const id = Buffer.from(pub).toString("hex");
  let k = pubCache.get(id);
  if (!k) {
    k = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, pub]), format: "der", type: "spki" });
    if (pubCache.size > 10_000) pubCache.clear();
    pubCache.set(id, k);
  }
  return k;
}

export function ed25519FromSeed(seed: Uint8Array): Ed25519KeyPair {
  if (seed.length !== 32) throw new Error("ed25519 seed must be 32 bytes");
  const priv = createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: "der", type: "pkcs8" });
  const spki = createPublicKey(priv).export({ format: "der", type: "spki" });
  return { seed: new Uint8Array(seed), publicKey: new Uint8Array(spki.subarray(SPKI_PREFIX.length)) };
}

/** A fresh key pair from the OS random source (key generation only, never inside the state machine). */
export function ed25519Generate(): Ed25519KeyPair {
  return ed25519FromSeed(new Uint8Array(randomBytes(32)));
}

/** node:crypto key objects of the key pairs that signed, so a signer parses its key once, not per vote. */
const privCache = new WeakMap<Ed25519KeyPair, KeyObject>();

export function ed25519Sign(key: Ed25519KeyPair, msg: Uint8Array): Uint8Array {
  let priv = privCache.get(key);
  if (!priv) {
    priv = createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, key.seed]), format: "der", type: "pkcs8" });
    privCache.set(key, priv);
  }
  return new Uint8Array(sign(null, msg, priv));
}

/**
 * Signatures that verified recently, keyed by key, signature and message together: a precommit is
 * checked when it arrives as a vote and again in the next proposal's last commit (and a light client
 * sees the same commit again), so the second check is a lookup. Only successes are kept; oldest go first.
 */
const verified = new Map<string, true>();
const VERIFIED_MAX = 8192;

/** False (never throws) for a malformed key or signature. */
export function ed25519Verify(pubKey: Uint8Array, msg: Uint8Array, sig: Uint8Array): boolean {
  if (pubKey.length !== 32 || sig.length !== 64) return false;
  const id = Buffer.concat([pubKey, sig, msg]).toString("latin1");
  if (verified.has(id)) return true;
  let ok: boolean;
  try {
    ok = verify(null, msg, publicKeyObject(pubKey), sig);
  } catch {
    return false;
  }
  if (ok) {
    if (verified.size >= VERIFIED_MAX) verified.delete(verified.keys().next().value!);
    verified.set(id, true);
  }
  return ok;
}
