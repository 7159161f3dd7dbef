import { readFileSync } from "node:fs";
import { PUB_KEY_TYPE_ED25519 } from "../consensus/signer.ts";
import type { ValidatorUpdate } from "../consensus/types.ts";
import { addressFromPubKey } from "../crypto/index.ts";
import {
  equalBytes,
  formatRfc3339Nano,
  fromBase64,
  fromHex,
  IcsdError,
  parseRfc3339Nano,
  toBase64,
  toHex,
  toHexUpper,
} from "../utils/index.ts";
import { writeFileAtomic } from "./home.ts";

/** Error code of every genesis.json problem; the message names the field. */
export const GENESIS_INVALID = "GENESIS_INVALID";

/** A validator listed in genesis. */
export interface GenesisValidator {
  readonly address: Uint8Array;
  readonly pubKey: Uint8Array;
  readonly power: bigint;
  readonly name: string;
}

/** The consensus parameters icsd reads from genesis (CometBFT names). */
export interface ConsensusParams {
  readonly block: { readonly maxBytes: number; readonly maxGas: number };
  readonly evidence: {
    readonly maxAgeNumBlocks: number;
    readonly maxAgeDurationNs: bigint;
    readonly maxBytes: number;
  };
  readonly validator: { readonly pubKeyTypes: readonly string[] };
}

/** A validated genesis document. */
export interface GenesisDoc {
  /** Nanoseconds since the Unix epoch. */
  readonly genesisTime: bigint;
  readonly chainId: string;
  readonly initialHeight: number;
  readonly consensusParams: ConsensusParams;
  readonly validators: readonly GenesisValidator[];
  readonly appHash: Uint8Array;
  /** The application's genesis state, as parsed JSON. */
  readonly appState: Record<string, unknown>;
}

/** CometBFT's defaults (types/params.go DefaultConsensusParams). */
export const defaultConsensusParams: ConsensusParams = {
  block: { maxBytes: 22020096, maxGas: -1 },
  evidence: { maxAgeNumBlocks: 100000, maxAgeDurationNs: 48n * 3600n * 1_000_000_000n, maxBytes: 1048576 },
  validator: { pubKeyTypes: ["ed25519"] },
};

const CHAIN_ID = /^[a-zA-Z0-9._-]{1,50}$/;

/** True when `id` is a valid chain id: 1 to 50 characters from [a-zA-Z0-9._-]. */
export function isValidChainId(id: string): boolean {
  return CHAIN_ID.test(id);
}

/** Throws GENESIS_INVALID unless `id` is a valid chain id. */
export function assertChainId(id: string): void {
  if (!isValidChainId(id)) {
    throw new IcsdError(
      GENESIS_INVALID,
      `invalid chain id ${JSON.stringify(id)}: use 1-50 characters from [a-zA-Z0-9._-]`,
      {
        chainId: id,
      },
    );
  }
}

/** A genesis with the given validators, default consensus params and an empty app state. */
export function newGenesis(opts: {
  chainId: string;
  genesisTime: bigint;
  validators?: readonly GenesisValidator[];
  appState?: Record<string, unknown>;
}): GenesisDoc {
  assertChainId(opts.chainId);
  return {
    genesisTime: opts.genesisTime,
    chainId: opts.chainId,
    initialHeight: 1,
    consensusParams: defaultConsensusParams,
    validators: opts.validators ?? [],
    appHash: new Uint8Array(),
    appState: opts.appState ?? {},
  };
}

/** A genesis validator for a public key (the address is derived from it). */
export function genesisValidator(pubKey: Uint8Array, power: bigint, name = ""): GenesisValidator {
  if (pubKey.length !== 32)
    throw new IcsdError(GENESIS_INVALID, "validator public key must be 32 bytes (ed25519)");
  if (power <= 0n) throw new IcsdError(GENESIS_INVALID, `validator power must be positive, got ${power}`);
  return { address: addressFromPubKey(pubKey), pubKey, power, name };
}

/** `doc` with `v` appended; refuses a public key or name already present. */
export function addGenesisValidator(doc: GenesisDoc, v: GenesisValidator): GenesisDoc {
  for (const w of doc.validators) {
    if (equalBytes(w.pubKey, v.pubKey)) {
      throw new IcsdError(GENESIS_INVALID, `validator ${toHexUpper(v.address)} is already in the genesis`, {
        address: toHexUpper(v.address),
      });
    }
    if (v.name !== "" && w.name === v.name) {
      throw new IcsdError(
        GENESIS_INVALID,
        `a validator named ${JSON.stringify(v.name)} is already in the genesis`,
      );
    }
  }
  return { ...doc, validators: [...doc.validators, v] };
}

/** The genesis in domain values, as the chain and the application's InitChain take it. */
export interface Genesis {
  readonly chainId: string;
  /** Genesis time, nanoseconds since the Unix epoch. */
  readonly time: bigint;
  readonly initialHeight: number;
  readonly validators: readonly ValidatorUpdate[];
  readonly consensusParams: ConsensusParams;
  readonly appHash: Uint8Array;
  readonly appState: Record<string, unknown>;
}

/** Converts a genesis document to domain values (validator names and addresses are dropped). */
export function toGenesis(doc: GenesisDoc): Genesis {
  return {
    chainId: doc.chainId,
    time: doc.genesisTime,
    initialHeight: doc.initialHeight,
    validators: genesisValidatorUpdates(doc),
    consensusParams: doc.consensusParams,
    appHash: doc.appHash,
    appState: doc.appState,
  };
}

/** The genesis validators as the application's InitChain input. */
export function genesisValidatorUpdates(doc: GenesisDoc): ValidatorUpdate[] {
  return doc.validators.map((v) => ({ pubKey: v.pubKey, power: v.power }));
}

/** The genesis.json text, in CometBFT's JSON shape (int64 as strings, keys in CometBFT order). */
export function encodeGenesis(doc: GenesisDoc): string {
  const p = doc.consensusParams;
  const json = {
    genesis_time: formatRfc3339Nano(doc.genesisTime),
    chain_id: doc.chainId,
    initial_height: String(doc.initialHeight),
    consensus_params: {
      block: { max_bytes: String(p.block.maxBytes), max_gas: String(p.block.maxGas) },
      evidence: {
        max_age_num_blocks: String(p.evidence.maxAgeNumBlocks),
        max_age_duration: String(p.evidence.maxAgeDurationNs),
        max_bytes: String(p.evidence.maxBytes),
      },
      validator: { pub_key_types: [...p.validator.pubKeyTypes] },
      version: { app: "0" },
    },
    validators: doc.validators.map((v) => ({
      address: toHexUpper(v.address),
      pub_key: { type: PUB_KEY_TYPE_ED25519, value: toBase64(v.pubKey) },
      power: String(v.power),
      name: v.name,
    })),
    app_hash: toHexUpper(doc.appHash),
    app_state: doc.appState,
  };
  return `${JSON.stringify(json, null, 2)}\n`;
}

/** Field-by-field reader with messages that name the JSON path. */
class Fields {
  readonly #file: string;
  constructor(file: string) {
    this.#file = file;
  }
  fail(field: string, what: string): IcsdError {
    return new IcsdError(GENESIS_INVALID, `${this.#file}: ${field} ${what}`, { file: this.#file, field });
  }
  obj(v: unknown, field: string): Record<string, unknown> {
    if (typeof v !== "object" || v === null || Array.isArray(v)) throw this.fail(field, "must be an object");
    return v as Record<string, unknown>;
  }
  str(v: unknown, field: string): string {
    if (typeof v !== "string") throw this.fail(field, "must be a string");
    return v;
  }
  /** An int64 written as a decimal string (a JSON number is accepted too, as CometBFT's decoder does). */
  int(v: unknown, field: string, min: bigint, max = 9223372036854775807n): bigint {
    const s = typeof v === "number" && Number.isSafeInteger(v) ? String(v) : v;
    if (typeof s !== "string" || !/^-?\d+$/.test(s)) throw this.fail(field, "must be an integer string");
    const n = BigInt(s);
    if (n < min || n > max) throw this.fail(field, `must be between ${min} and ${max}`);
    return n;
  }
}

function parseParams(f: Fields, raw: unknown): ConsensusParams {
  if (raw === undefined || raw === null) return defaultConsensusParams;
  const o = f.obj(raw, "consensus_params");
  const block = f.obj(o.block ?? {}, "consensus_params.block");
  const ev = f.obj(o.evidence ?? {}, "consensus_params.evidence");
  const val = f.obj(o.validator ?? {}, "consensus_params.validator");
  const d = defaultConsensusParams;
  const num = (v: unknown, field: string, def: number, min: bigint): number =>
    v === undefined ? def : Number(f.int(v, field, min, BigInt(Number.MAX_SAFE_INTEGER)));
  const pubKeyTypes = val.pub_key_types === undefined ? d.validator.pubKeyTypes : val.pub_key_types;
  if (!Array.isArray(pubKeyTypes) || pubKeyTypes.length === 0 || pubKeyTypes.some((t) => t !== "ed25519")) {
    throw f.fail(
      "consensus_params.validator.pub_key_types",
      'must be ["ed25519"] (the only key type icsd supports)',
    );
  }
  return {
    block: {
      maxBytes: num(block.max_bytes, "consensus_params.block.max_bytes", d.block.maxBytes, 1n),
      maxGas: num(block.max_gas, "consensus_params.block.max_gas", d.block.maxGas, -1n),
    },
    evidence: {
      maxAgeNumBlocks: num(
        ev.max_age_num_blocks,
        "consensus_params.evidence.max_age_num_blocks",
        d.evidence.maxAgeNumBlocks,
        1n,
      ),
      maxAgeDurationNs:
        ev.max_age_duration === undefined
          ? d.evidence.maxAgeDurationNs
          : f.int(ev.max_age_duration, "consensus_params.evidence.max_age_duration", 1n),
      maxBytes: num(ev.max_bytes, "consensus_params.evidence.max_bytes", d.evidence.maxBytes, 0n),
    },
    validator: { pubKeyTypes: ["ed25519"] },
  };
}

function parseValidator(f: Fields, raw: unknown, i: number): GenesisValidator {
  const at = `validators[${i}]`;
  const o = f.obj(raw, at);
  const pk = f.obj(o.pub_key, `${at}.pub_key`);
  if (pk.type !== PUB_KEY_TYPE_ED25519)
    throw f.fail(`${at}.pub_key.type`, `must be "${PUB_KEY_TYPE_ED25519}"`);
  let pubKey: Uint8Array;
  try {
    pubKey = fromBase64(f.str(pk.value, `${at}.pub_key.value`));
  } catch (e) {
    if (e instanceof IcsdError) throw e;
    throw f.fail(`${at}.pub_key.value`, "must be base64");
  }
  if (pubKey.length !== 32) throw f.fail(`${at}.pub_key.value`, "must be a 32-byte ed25519 key");
  const address = addressFromPubKey(pubKey);
  if (o.address !== undefined && o.address !== "") {
    const a = f.str(o.address, `${at}.address`);
    let given: Uint8Array;
    try {
      given = fromHex(a);
    } catch {
      throw f.fail(`${at}.address`, "must be hex");
    }
    if (!equalBytes(given, address))
      throw f.fail(`${at}.address`, `does not match pub_key (expected ${toHexUpper(address)})`);
  }
  const power = f.int(o.power, `${at}.power`, 1n);
  const name = o.name === undefined ? "" : f.str(o.name, `${at}.name`);
  return { address, pubKey, power, name };
}

/** Parses and validates genesis.json text, field by field. */
export function parseGenesis(text: string, file = "genesis.json"): GenesisDoc {
  const f = new Fields(file);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new IcsdError(GENESIS_INVALID, `${file}: is not valid JSON (${(e as Error).message})`, { file });
  }
  const o = f.obj(raw, "(top level)");
  let genesisTime: bigint;
  try {
    genesisTime = parseRfc3339Nano(f.str(o.genesis_time, "genesis_time"));
  } catch (e) {
    if (e instanceof IcsdError) throw e;
    throw f.fail("genesis_time", 'must be an RFC3339 time like "2024-05-01T12:00:00.000000000Z"');
  }
  const chainId = f.str(o.chain_id, "chain_id");
  if (!isValidChainId(chainId)) throw f.fail("chain_id", "must be 1-50 characters from [a-zA-Z0-9._-]");
  const initialHeight =
    o.initial_height === undefined
      ? 1
      : Number(f.int(o.initial_height, "initial_height", 0n, BigInt(Number.MAX_SAFE_INTEGER)));
  if (o.validators !== undefined && o.validators !== null && !Array.isArray(o.validators))
    throw f.fail("validators", "must be an array");
  const validators = ((o.validators as unknown[] | null | undefined) ?? []).map((v, i) =>
    parseValidator(f, v, i),
  );
  const seen = new Set<string>();
  validators.forEach((v, i) => {
    const k = toHex(v.pubKey);
    if (seen.has(k)) throw f.fail(`validators[${i}]`, "duplicates an earlier validator's pub_key");
    seen.add(k);
  });
  let appHash: Uint8Array;
  try {
    appHash = fromHex(o.app_hash === undefined ? "" : f.str(o.app_hash, "app_hash"));
  } catch (e) {
    if (e instanceof IcsdError) throw e;
    throw f.fail("app_hash", "must be hex");
  }
  const appState = o.app_state === undefined || o.app_state === null ? {} : f.obj(o.app_state, "app_state");
  return {
    genesisTime,
    chainId,
    initialHeight: initialHeight === 0 ? 1 : initialHeight,
    consensusParams: parseParams(f, o.consensus_params),
    validators,
    appHash,
    appState,
  };
}

/** Loads and validates genesis.json. */
export function loadGenesis(path: string): GenesisDoc {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") {
      throw new IcsdError("GENESIS_NOT_FOUND", `genesis not found at ${path}: run \`icsd init\` first`, {
        path,
      });
    }
    throw e;
  }
  return parseGenesis(text, path);
}

/** Writes genesis.json atomically. */
export function saveGenesis(path: string, doc: GenesisDoc): void {
  writeFileAtomic(path, encodeGenesis(doc), 0o644);
}
