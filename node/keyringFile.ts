import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from "node:crypto";
import { fromBase64, IcsdError, toBase64, utf8 } from "../utils/index.ts";

/** A secret sealed with a passphrase: scrypt derives an AES-256-GCM key from it and a random salt. */
export interface SealedSecret {
  readonly kdf: "scrypt";
  /** scrypt cost parameters (N is a power of two). */
  readonly n: number;
  readonly r: number;
  readonly p: number;
  /** base64 of the 16-byte salt. */
  readonly salt: string;
  readonly cipher: "aes-256-gcm";
  /** base64 of the 12-byte nonce. */
  readonly iv: string;
  /** base64 of the 16-byte authentication tag. */
  readonly tag: string;
  readonly ciphertext: string;
}

/** One key as stored in `<home>/keyring-<backend>/<name>.json` (and as `keys export` writes it). */
export interface StoredKey {
  readonly name: string;
  readonly type: "local";
  readonly address: string;
  /** base64 of the 33-byte compressed secp256k1 public key. */
  readonly pubkey: string;
  /** BIP-44 derivation path, e.g. `m/44'/118'/0'/0/0`. */
  readonly hd_path: string;
  /** The mnemonic in clear (test backend). */
  readonly mnemonic?: string;
  /** The mnemonic sealed with the keyring passphrase (file backend). */
  readonly crypto?: SealedSecret;
}

/** Wrong passphrase (or a tampered key file): the AES-GCM tag does not verify. */
export const KEYRING_BAD_PASSPHRASE = "KEYRING_BAD_PASSPHRASE";
/** A key file or armored key that is not in the expected shape. */
export const KEYRING_INVALID = "KEYRING_INVALID";

// 2^15 x 8 x 128 bytes = 32 MiB and ~0.1 s per derivation: the interactive defaults of scrypt's paper.
const SCRYPT = { n: 1 << 15, r: 8, p: 1 } as const;
const MAX_SCRYPT_MEM = 256 * 1024 * 1024;

function scryptKey(passphrase: string, salt: Uint8Array, n: number, r: number, p: number): Buffer {
  return scryptSync(passphrase.normalize("NFKC"), salt, 32, { N: n, r, p, maxmem: MAX_SCRYPT_MEM });
}

/** Seals `plaintext` with `passphrase`; `aad` (authenticated, not encrypted) binds public metadata. */
export function sealSecret(plaintext: string, passphrase: string, aad: string): SealedSecret {
  const salt = randomBytes(16);
  const iv = randomBytes(12);
  const key = scryptKey(passphrase, salt, SCRYPT.n, SCRYPT.r, SCRYPT.p);
  const c = createCipheriv("aes-256-gcm", key, iv);
  c.setAAD(utf8(aad));
  const ct = Buffer.concat([c.update(plaintext, "utf8"), c.final()]);
  return {
    kdf: "scrypt",
    ...SCRYPT,
    salt: toBase64(salt),
    cipher: "aes-256-gcm",
    iv: toBase64(iv),
    tag: toBase64(c.getAuthTag()),
    ciphertext: toBase64(ct),
  };
}

/** Opens a sealed secret; KEYRING_BAD_PASSPHRASE when the passphrase (or the aad) is wrong. */
export function openSecret(s: SealedSecret, passphrase: string, aad: string, keyName: string): string {
  const key = scryptKey(passphrase, fromBase64(s.salt), s.n, s.r, s.p);
  const d = createDecipheriv("aes-256-gcm", key, fromBase64(s.iv));
  d.setAAD(utf8(aad));
  d.setAuthTag(fromBase64(s.tag));
  try {
    return Buffer.concat([d.update(fromBase64(s.ciphertext)), d.final()]).toString("utf8");
  } catch {
    throw new IcsdError(
      KEYRING_BAD_PASSPHRASE,
      `wrong passphrase for key ${JSON.stringify(keyName)} (or the key file was altered)`,
      {
        key: keyName,
      },
    );
  }
}

function isB64(v: unknown, len?: number): v is string {
  if (typeof v !== "string" || !/^[A-Za-z0-9+/]*={0,2}$/.test(v) || v.length % 4 !== 0) return false;
  return len === undefined || fromBase64(v).length === len;
}

function parseSealed(v: unknown, fail: (field: string) => IcsdError): SealedSecret {
  if (typeof v !== "object" || v === null) throw fail("crypto");
  const s = v as Record<string, unknown>;
  const int = (k: string, max: number) =>
    typeof s[k] === "number" && Number.isInteger(s[k]) && (s[k] as number) >= 1 && (s[k] as number) <= max;
  // Bounds keep an imported file from asking for an unbounded amount of memory or time.
  if (s.kdf !== "scrypt") throw fail("crypto.kdf");
  if (!int("n", 1 << 20) || ((s.n as number) & ((s.n as number) - 1)) !== 0 || (s.n as number) < 2)
    throw fail("crypto.n");
  if (!int("r", 32)) throw fail("crypto.r");
  if (!int("p", 16)) throw fail("crypto.p");
  if (128 * (s.n as number) * (s.r as number) > MAX_SCRYPT_MEM) throw fail("crypto.n");
  if (s.cipher !== "aes-256-gcm") throw fail("crypto.cipher");
  if (!isB64(s.salt)) throw fail("crypto.salt");
  if (!isB64(s.iv, 12)) throw fail("crypto.iv");
  if (!isB64(s.tag, 16)) throw fail("crypto.tag");
  if (!isB64(s.ciphertext)) throw fail("crypto.ciphertext");
  return s as unknown as SealedSecret;
}

/** Parses a stored or armored key, checking each field; KEYRING_INVALID names the bad field. */
export function parseStoredKey(text: string, source: string): StoredKey {
  const fail = (field: string) =>
    new IcsdError(KEYRING_INVALID, `${source}: ${field} is missing or malformed`, { source, field });
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new IcsdError(KEYRING_INVALID, `${source}: not valid JSON (${(e as Error).message})`, { source });
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw fail("(top level)");
  const o = raw as Record<string, unknown>;
  for (const k of ["name", "address", "hd_path"] as const) if (typeof o[k] !== "string") throw fail(k);
  if (o.type !== "local") throw fail("type");
  if (!isB64(o.pubkey, 33)) throw fail("pubkey");
  if (o.mnemonic === undefined && o.crypto === undefined) throw fail("mnemonic or crypto");
  if (o.mnemonic !== undefined && typeof o.mnemonic !== "string") throw fail("mnemonic");
  return {
    name: o.name as string,
    type: "local",
    address: o.address as string,
    pubkey: o.pubkey as string,
    hd_path: o.hd_path as string,
    ...(o.mnemonic !== undefined ? { mnemonic: o.mnemonic as string } : {}),
    ...(o.crypto !== undefined ? { crypto: parseSealed(o.crypto, fail) } : {}),
  };
}

/** The JSON text of a stored key (pretty, newline-terminated). */
export function encodeStoredKey(k: StoredKey): string {
  return `${JSON.stringify(k, null, 2)}\n`;
}

/** The authenticated data of a sealed mnemonic: the public key and path it must derive. */
export function sealedKeyAad(pubkeyB64: string, hdPath: string): string {
  return `icsd-keyring-v1|${pubkeyB64}|${hdPath}`;
}
