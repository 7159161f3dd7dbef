import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { Bip39, EnglishMnemonic, pathToString, Random, stringToPath } from "@cosmjs/crypto";
import { toBech32 } from "@cosmjs/encoding";
import { DirectSecp256k1HdWallet, makeCosmoshubPath, type OfflineDirectSigner } from "@cosmjs/proto-signing";
import { secp256k1Address } from "../crypto/index.ts";
import { fromBase64, IcsdError, toBase64 } from "../utils/index.ts";
import { homePaths, writeFileAtomic } from "./home.ts";
import {
  encodeStoredKey,
  KEYRING_INVALID,
  openSecret,
  parseStoredKey,
  type StoredKey,
  sealedKeyAad,
  sealSecret,
} from "./keyringFile.ts";

/** Where keys are kept: `test` (clear text, for devnets) or `file` (encrypted with a passphrase). */
export type KeyringBackend = "test" | "file";
/** The backends `--keyring-backend` accepts. */
export const KEYRING_BACKENDS: readonly KeyringBackend[] = ["test", "file"];
/** The Cosmos Hub path, m/44'/118'/0'/0/0. */
export const DEFAULT_HD_PATH = pathToString(makeCosmoshubPath(0));

/** Asks for the file backend's passphrase; `encrypt` is for sealing a new key (confirm it, enforce length). */
export type PassphraseSource = (purpose: "encrypt" | "decrypt", keyName: string) => Promise<string>;

/** Public facts of a key. */
export interface KeyInfo {
  readonly name: string;
  readonly type: "local";
  /** bech32 account address with the keyring's prefix. */
  readonly address: string;
  /** 33-byte compressed secp256k1 public key. */
  readonly pubkey: Uint8Array;
  readonly hdPath: string;
}

/** A key just created or imported, with its mnemonic (shown to the user once). */
export interface NewKey extends KeyInfo {
  readonly mnemonic: string;
}

/** How to open a keyring. */
export interface KeyringOptions {
  readonly home: string;
  readonly backend: KeyringBackend;
  /** bech32 prefix of addresses (default "cosmos"). */
  readonly prefix?: string;
  /** Needed by the file backend to add, import, export-verify or sign. */
  readonly passphrase?: PassphraseSource;
}

const NAME = /^[a-zA-Z0-9._-]{1,64}$/;
/** Shortest passphrase accepted for a new file-backend key (the SDK's rule). */
export const MIN_PASSPHRASE_LENGTH = 8;

/** Throws INVALID_KEY_NAME unless `name` is 1-64 characters from [a-zA-Z0-9._-]. */
export function assertKeyName(name: string): void {
  if (!NAME.test(name)) {
    throw new IcsdError(
      "INVALID_KEY_NAME",
      `invalid key name ${JSON.stringify(name)}: use 1-64 characters from [a-zA-Z0-9._-]`,
    );
  }
}

/** A valid BIP39 English mnemonic, whitespace-normalised; INVALID_MNEMONIC says what is wrong. */
export function normalizeMnemonic(text: string): string {
  const words = text
    .trim()
    .toLowerCase()
    .split(/\s+/)
    .filter((w) => w !== "");
  const bad = (why: string) => new IcsdError("INVALID_MNEMONIC", `invalid mnemonic: ${why}`);
  if (![12, 15, 18, 21, 24].includes(words.length))
    throw bad(`expected 12, 15, 18, 21 or 24 words, got ${words.length}`);
  const unknown = words.find((w) => !EnglishMnemonic.wordlist.includes(w));
  if (unknown !== undefined) throw bad(`${JSON.stringify(unknown)} is not a BIP39 English word`);
  try {
    return new EnglishMnemonic(words.join(" ")).toString();
  } catch (e) {
    throw bad(`the checksum does not match (${(e as Error).message})`);
  }
}

/** A fresh 24-word mnemonic from 256 bits of OS randomness. */
export function generateMnemonic(): string {
  return Bip39.encode(Random.getBytes(32)).toString();
}

async function wallet(mnemonic: string, hdPath: string, prefix: string): Promise<DirectSecp256k1HdWallet> {
  let path: ReturnType<typeof stringToPath>;
  try {
    path = stringToPath(hdPath);
  } catch (e) {
    throw new IcsdError(
      "INVALID_HD_PATH",
      `invalid HD path ${JSON.stringify(hdPath)}: ${(e as Error).message}`,
    );
  }
  return DirectSecp256k1HdWallet.fromMnemonic(mnemonic, { prefix, hdPaths: [path] });
}

/**
 * Account keys of a node home, one JSON file per key in `<home>/keyring-<backend>/` (dir 0700, files
 * 0600). The test backend keeps the mnemonic in clear; the file backend seals it with scrypt +
 * AES-256-GCM under a passphrase. Public facts (name, address, pubkey) are readable without it.
 */
export class Keyring {
  readonly dir: string;
  readonly backend: KeyringBackend;
  readonly prefix: string;
  readonly #passphrase: PassphraseSource | undefined;

  constructor(opts: KeyringOptions) {
    if (!KEYRING_BACKENDS.includes(opts.backend)) {
      throw new IcsdError(
        "INVALID_ARGUMENT",
        `unknown keyring backend ${JSON.stringify(opts.backend)}: use test or file`,
      );
    }
    this.backend = opts.backend;
    this.dir = join(homePaths(opts.home).home, `keyring-${opts.backend}`);
    this.prefix = opts.prefix ?? "cosmos";
    this.#passphrase = opts.passphrase;
  }

  #path(name: string): string {
    assertKeyName(name);
    return join(this.dir, `${name}.json`);
  }

  #read(name: string): StoredKey {
    const path = this.#path(name);
    if (!existsSync(path)) {
      throw new IcsdError("KEY_NOT_FOUND", `key ${JSON.stringify(name)} not found in ${this.dir}`, { name });
    }
    return parseStoredKey(readFileSync(path, "utf8"), path);
  }

  #info(k: StoredKey, name = k.name): KeyInfo {
    const pubkey = fromBase64(k.pubkey);
    // The address is recomputed so that a keyring opened with another prefix shows that chain's address.
    return {
      name,
      type: "local",
      address: toBech32(this.prefix, secp256k1Address(pubkey)),
      pubkey,
      hdPath: k.hd_path,
    };
  }

  async #getPassphrase(purpose: "encrypt" | "decrypt", name: string): Promise<string> {
    if (!this.#passphrase) {
      throw new IcsdError(
        "KEYRING_PASSPHRASE_REQUIRED",
        "the file keyring needs a passphrase: set ICSD_KEYRING_PASSPHRASE or pass it on stdin",
      );
    }
    const p = await this.#passphrase(purpose, name);
    if (purpose === "encrypt" && p.length < MIN_PASSPHRASE_LENGTH) {
      throw new IcsdError(
        "KEYRING_WEAK_PASSPHRASE",
        `the keyring passphrase must be at least ${MIN_PASSPHRASE_LENGTH} characters`,
      );
    }
    return p;
  }

  async #mnemonic(k: StoredKey): Promise<string> {
    if (k.mnemonic !== undefined) return k.mnemonic;
    if (!k.crypto) throw new IcsdError(KEYRING_INVALID, `key ${JSON.stringify(k.name)} holds no secret`);
    const pass = await this.#getPassphrase("decrypt", k.name);
    return openSecret(k.crypto, pass, sealedKeyAad(k.pubkey, k.hd_path), k.name);
  }

  async #store(name: string, mnemonic: string, hdPath: string): Promise<NewKey> {
    const path = this.#path(name);
    if (existsSync(path)) {
      throw new IcsdError("KEY_EXISTS", `key ${JSON.stringify(name)} already exists in ${this.dir}`, {
        name,
      });
    }
    const w = await wallet(mnemonic, hdPath, this.prefix);
    const [acc] = await w.getAccounts();
    const pubkey = toBase64(acc!.pubkey);
    const base = { name, type: "local" as const, address: acc!.address, pubkey, hd_path: hdPath };
    const stored: StoredKey =
      this.backend === "test"
        ? { ...base, mnemonic }
        : {
            ...base,
            crypto: sealSecret(
              mnemonic,
              await this.#getPassphrase("encrypt", name),
              sealedKeyAad(pubkey, hdPath),
            ),
          };
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    writeFileAtomic(path, encodeStoredKey(stored), 0o600);
    return { ...this.#info(stored), mnemonic };
  }

  /** Creates a key from `mnemonic` (or a fresh 24-word one); KEY_EXISTS when the name is taken. */
  async add(name: string, opts: { mnemonic?: string; hdPath?: string } = {}): Promise<NewKey> {
    assertKeyName(name);
    const mnemonic = opts.mnemonic === undefined ? generateMnemonic() : normalizeMnemonic(opts.mnemonic);
    return this.#store(name, mnemonic, opts.hdPath ?? DEFAULT_HD_PATH);
  }

  /** Every key, sorted by name. */
  list(): KeyInfo[] {
    if (!existsSync(this.dir)) return [];
    return readdirSync(this.dir)
      .filter((f) => f.endsWith(".json") && NAME.test(f.slice(0, -5)))
      .sort()
      .map((f) => this.#info(this.#read(f.slice(0, -5)), f.slice(0, -5)));
  }

  /** True when a key called `name` exists (false for a name that is not valid). */
  has(name: string): boolean {
    return NAME.test(name) && existsSync(this.#path(name));
  }

  /** The key called `name`; KEY_NOT_FOUND when absent. */
  show(name: string): KeyInfo {
    return this.#info(this.#read(name), name);
  }

  /** The key called `nameOrAddress`, or else the key with that address; KEY_NOT_FOUND when neither. */
  find(nameOrAddress: string): KeyInfo {
    if (this.has(nameOrAddress)) return this.show(nameOrAddress);
    const k = this.list().find((i) => i.address === nameOrAddress.toLowerCase());
    if (!k) {
      throw new IcsdError(
        "KEY_NOT_FOUND",
        `key ${JSON.stringify(nameOrAddress)} not found in ${this.dir} (no key has that name or address)`,
        {
          name: nameOrAddress,
        },
      );
    }
    return k;
  }

  /** Removes a key; KEY_NOT_FOUND when absent. */
  delete(name: string): void {
    this.#read(name);
    rmSync(this.#path(name));
  }

  /**
   * Imports a key from a mnemonic, or from what `export` wrote for the file backend (armored JSON; its
   * passphrase is asked). The key must derive the public key recorded in the armored JSON.
   */
  async import(name: string, armoredOrMnemonic: string): Promise<NewKey> {
    assertKeyName(name);
    const text = armoredOrMnemonic.trim();
    if (!text.startsWith("{")) return this.add(name, { mnemonic: text });
    const k = parseStoredKey(text, "armored key");
    const mnemonic = normalizeMnemonic(await this.#mnemonic(k));
    const w = await wallet(mnemonic, k.hd_path, this.prefix);
    const [acc] = await w.getAccounts();
    if (toBase64(acc!.pubkey) !== k.pubkey) {
      throw new IcsdError(
        KEYRING_INVALID,
        "armored key: the sealed mnemonic does not derive the recorded pubkey",
      );
    }
    return this.#store(name, mnemonic, k.hd_path);
  }

  /** The test backend's mnemonic, or the file backend's armored (still encrypted) JSON. */
  async export(name: string): Promise<string> {
    const k = this.#read(name);
    return this.backend === "test" ? this.#mnemonic(k) : encodeStoredKey(k);
  }

  /** A CosmJS SIGN_MODE_DIRECT signer for the key (the file backend asks for the passphrase). */
  async signer(name: string): Promise<OfflineDirectSigner> {
    const k = this.#read(name);
    return wallet(await this.#mnemonic(k), k.hd_path, this.prefix);
  }
}
