import { randomBytes } from "node:crypto";
import { privateKeyFromRaw, publicKeyFromRaw } from "@libp2p/crypto/keys";
import type { PrivateKey } from "@libp2p/interface";
import { peerIdFromPublicKey } from "@libp2p/peer-id";
import { ed25519FromSeed } from "../crypto/index.ts";
import { p2pError } from "./errors.ts";

/** Length of a node key seed: an ed25519 seed. */
export const NODE_KEY_SEED_BYTES = 32;

/** A fresh 32-byte ed25519 seed for node_key.json, from the OS random source. */
export function generateNodeKey(): Uint8Array {
  return new Uint8Array(randomBytes(NODE_KEY_SEED_BYTES));
}

function checkSeed(seed: Uint8Array): void {
  if (seed.length !== NODE_KEY_SEED_BYTES) {
    throw p2pError("P2P_INVALID_ARGUMENT", `node key seed must be ${NODE_KEY_SEED_BYTES} bytes`, {
      length: seed.length,
    });
  }
}

/** The libp2p private key of a node key seed; the same seed always gives the same key. */
export function privateKeyFromNodeKeySeed(seed: Uint8Array): PrivateKey {
  checkSeed(seed);
  const { publicKey } = ed25519FromSeed(seed);
  // libp2p's raw ed25519 private key is seed || public key (64 bytes).
  const raw = new Uint8Array(64);
  raw.set(seed, 0);
  raw.set(publicKey, 32);
  return privateKeyFromRaw(raw);
}

/** The peer id (base58 `12D3KooW...`) a host with this node key seed has. */
export function peerIdFromNodeKeySeed(seed: Uint8Array): string {
  checkSeed(seed);
  const { publicKey } = ed25519FromSeed(seed);
  const key = publicKeyFromRaw(publicKey);
  if (key.type !== "Ed25519") throw p2pError("P2P_INVALID_ARGUMENT", "node key is not ed25519");
  return peerIdFromPublicKey(key).toString();
}
