import { existsSync, readFileSync } from "node:fs";
import { privateKeyFromRaw } from "@libp2p/crypto/keys";
import { peerIdFromPrivateKey } from "@libp2p/peer-id";
import {
  decodePrivValidatorKey,
  encodeLastSignState,
  encodePrivValidatorKey,
  PRIV_KEY_TYPE_ED25519,
  type PrivValidatorKey,
} from "../consensus/signer.ts";
import { type Ed25519KeyPair, ed25519FromSeed, ed25519Generate, sha256 } from "../crypto/index.ts";
import { equalBytes, fromBase64, IcsdError, toBase64, toHex } from "../utils/index.ts";
import { writeFileAtomic } from "./home.ts";

export type { PrivValidatorKey } from "../consensus/signer.ts";

/** The node's libp2p identity, from node_key.json. */
export interface NodeKey {
  readonly keyPair: Ed25519KeyPair;
}

function readKeyFile(path: string, what: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (e) {
    throw new IcsdError(
      "KEY_NOT_FOUND",
      `${what} not readable at ${path}: ${(e as Error).message}; run \`icsd init\` first`,
      {
        path,
      },
    );
  }
}

/** Loads and checks priv_validator_key.json (the key must match its public key and address). */
export function loadValidatorKey(path: string): PrivValidatorKey {
  return decodePrivValidatorKey(readKeyFile(path, "validator key"), path);
}

/** Generates a fresh validator key and writes it with mode 0600; refuses to replace an existing file. */
export function generateValidatorKey(path: string): PrivValidatorKey {
  if (existsSync(path))
    throw new IcsdError("KEY_EXISTS", `${path} already exists; refusing to replace a validator key`, {
      path,
    });
  const text = encodePrivValidatorKey(ed25519Generate());
  writeFileAtomic(path, text, 0o600);
  return decodePrivValidatorKey(text, path);
}

/** Loads the validator key, generating it first when the file does not exist. */
export function loadOrGenerateValidatorKey(path: string): PrivValidatorKey {
  return existsSync(path) ? loadValidatorKey(path) : generateValidatorKey(path);
}

/** Writes an empty signer state (nothing signed), mode 0600, unless a state already exists. */
export function initValidatorState(path: string): void {
  if (existsSync(path)) return;
  writeFileAtomic(path, encodeLastSignState({ height: 0, round: 0, step: 0 }), 0o600);
}

/** CometBFT's node_key.json for a key pair. */
export function encodeNodeKey(kp: Ed25519KeyPair): string {
  const value = toBase64(new Uint8Array([...kp.seed, ...kp.publicKey]));
  return `${JSON.stringify({ priv_key: { type: PRIV_KEY_TYPE_ED25519, value } }, null, 2)}\n`;
}

/** Decodes node_key.json, checking the key type, the length and that the public half matches the seed. */
export function decodeNodeKey(text: string, path = "node_key.json"): NodeKey {
  const bad = (what: string) => new IcsdError("NODE_KEY_INVALID", `${path}: ${what}`, { path });
  let o: { priv_key?: { type?: unknown; value?: unknown } };
  try {
    o = JSON.parse(text) as typeof o;
  } catch {
    throw bad("is not valid JSON");
  }
  if (o?.priv_key?.type !== PRIV_KEY_TYPE_ED25519)
    throw bad(`priv_key.type must be "${PRIV_KEY_TYPE_ED25519}"`);
  let raw: Uint8Array;
  try {
    raw = fromBase64(String(o.priv_key.value));
  } catch {
    throw bad("priv_key.value must be base64");
  }
  if (raw.length !== 64) throw bad("priv_key.value must be 64 bytes (seed || public key)");
  const keyPair = ed25519FromSeed(raw.subarray(0, 32));
  if (!equalBytes(keyPair.publicKey, raw.subarray(32)))
    throw bad("priv_key.value does not hold a matching public key");
  return { keyPair };
}

/** Loads node_key.json. */
export function loadNodeKey(path: string): NodeKey {
  return decodeNodeKey(readKeyFile(path, "node key"), path);
}

/** Generates a node key (mode 0600); refuses to replace an existing file (the peer id would change). */
export function generateNodeKey(path: string): NodeKey {
  if (existsSync(path))
    throw new IcsdError("KEY_EXISTS", `${path} already exists; refusing to replace the node key`, { path });
  const text = encodeNodeKey(ed25519Generate());
  writeFileAtomic(path, text, 0o600);
  return decodeNodeKey(text, path);
}

/** Loads the node key, generating it first when the file does not exist. */
export function loadOrGenerateNodeKey(path: string): NodeKey {
  return existsSync(path) ? loadNodeKey(path) : generateNodeKey(path);
}

/** The libp2p private key object of a node key (what the libp2p host is created with). */
export function libp2pPrivateKey(key: NodeKey): ReturnType<typeof privateKeyFromRaw> {
  return privateKeyFromRaw(new Uint8Array([...key.keyPair.seed, ...key.keyPair.publicKey]));
}

/** The libp2p peer id (`12D3KooW...`) of a node key: what goes after `/p2p/` in a multiaddr. */
export function nodeIdFromNodeKey(key: NodeKey): string {
  return peerIdFromPrivateKey(libp2pPrivateKey(key)).toString();
}

/**
 * The CometBFT-style node id shown in RPC `status` (`node_info.id`): lowercase hex of the first 20 bytes
 * of sha256 of the node public key.
 */
export function cometNodeId(key: NodeKey): string {
  return toHex(sha256(key.keyPair.publicKey).subarray(0, 20));
}
