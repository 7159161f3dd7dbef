import { closeSync, fchmodSync, fsyncSync, openSync, renameSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { dirname } from "node:path";
import { addressFromPubKey, type Ed25519KeyPair, ed25519FromSeed, ed25519Sign } from "../crypto/index.ts";
import { equalBytes, fromBase64, fromHex, IcsdError, toBase64, toHex, toHexUpper } from "../utils/index.ts";

/** Signing steps in CometBFT privval order: a later step at the same height and round is "higher". */
export const SignStep = { Propose: 1, Prevote: 2, Precommit: 3 } as const;
export type SignStep = (typeof SignStep)[keyof typeof SignStep];

/** One signing request: where in consensus it happens and the canonical bytes to sign. */
export interface SignRequest {
  readonly height: number;
  readonly round: number;
  readonly step: SignStep;
  readonly signBytes: Uint8Array;
}

/** The consensus key of a validator, as stored in priv_validator_key.json. */
export interface PrivValidatorKey {
  /** First 20 bytes of sha256(pubKey). */
  readonly address: Uint8Array;
  readonly pubKey: Uint8Array;
  readonly keyPair: Ed25519KeyPair;
}

/** The last signed height/round/step, as stored in priv_validator_state.json. */
export interface LastSignState {
  readonly height: number;
  readonly round: number;
  /** 0 before anything was signed. */
  readonly step: number;
  readonly signature?: Uint8Array;
  readonly signBytes?: Uint8Array;
}

/** Amino JSON type names CometBFT uses for ed25519 keys. */
export const PUB_KEY_TYPE_ED25519 = "tendermint/PubKeyEd25519";
export const PRIV_KEY_TYPE_ED25519 = "tendermint/PrivKeyEd25519";

function keyError(path: string, what: string): IcsdError {
  return new IcsdError("PRIV_VALIDATOR_KEY_INVALID", `${path}: ${what}`, { path });
}

/** CometBFT's priv_validator_key.json for a key pair. */
export function encodePrivValidatorKey(kp: Ed25519KeyPair): string {
  const json = {
    address: toHexUpper(addressFromPubKey(kp.publicKey)),
    pub_key: { type: PUB_KEY_TYPE_ED25519, value: toBase64(kp.publicKey) },
    priv_key: { type: PRIV_KEY_TYPE_ED25519, value: toBase64(new Uint8Array([...kp.seed, ...kp.publicKey])) },
  };
  return `${JSON.stringify(json, null, 2)}\n`;
}

/**
 * Decodes priv_validator_key.json, checking that the public key and address match the private key so a
 * hand-edited file cannot make the node sign as someone else.
 */
export function decodePrivValidatorKey(text: string, path = "priv_validator_key.json"): PrivValidatorKey {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw keyError(path, "is not valid JSON");
  }
  const o = raw as {
    address?: unknown;
    pub_key?: { type?: unknown; value?: unknown };
    priv_key?: { type?: unknown; value?: unknown };
  };
  if (typeof o !== "object" || o === null) throw keyError(path, "must be a JSON object");
  if (o.priv_key?.type !== PRIV_KEY_TYPE_ED25519)
    throw keyError(path, `priv_key.type must be "${PRIV_KEY_TYPE_ED25519}"`);
  let priv: Uint8Array;
  try {
    priv = fromBase64(String(o.priv_key.value));
  } catch {
    throw keyError(path, "priv_key.value must be base64");
  }
  if (priv.length !== 64) throw keyError(path, "priv_key.value must be 64 bytes (seed || public key)");
  const keyPair = ed25519FromSeed(priv.subarray(0, 32));
  if (!equalBytes(keyPair.publicKey, priv.subarray(32)))
    throw keyError(path, "priv_key.value does not hold a matching public key");
  if (o.pub_key?.type !== PUB_KEY_TYPE_ED25519 || o.pub_key.value !== toBase64(keyPair.publicKey)) {
    throw keyError(path, "pub_key does not match priv_key");
  }
  const address = addressFromPubKey(keyPair.publicKey);
  if (typeof o.address !== "string" || o.address.toUpperCase() !== toHexUpper(address)) {
    throw keyError(path, "address does not match pub_key");
  }
  return { address, pubKey: keyPair.publicKey, keyPair };
}

/** The state file content for a state (CometBFT FilePVLastSignState JSON: height is an int64 string). */
export function encodeLastSignState(s: LastSignState): string {
  const json: Record<string, unknown> = { height: String(s.height), round: s.round, step: s.step };
  if (s.signature) json.signature = toBase64(s.signature);
  if (s.signBytes) json.signbytes = toHex(s.signBytes);
  return `${JSON.stringify(json, null, 2)}\n`;
}

/** Decodes the state file; any malformation is a fatal SIGNER_STATE_CORRUPT (never reset silently). */
export function decodeLastSignState(text: string, path = "priv_validator_state.json"): LastSignState {
  const bad = (what: string) =>
    new IcsdError(
      "SIGNER_STATE_CORRUPT",
      `${path}: ${what}; refusing to sign (restore the file or, if this key never signed on this chain, reset it deliberately)`,
      { path },
    );
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw bad("is not valid JSON");
  }
  if (typeof o !== "object" || o === null || Array.isArray(o)) throw bad("must be a JSON object");
  const heightOk =
    (typeof o.height === "string" && /^\d+$/.test(o.height)) ||
    (typeof o.height === "number" && Number.isSafeInteger(o.height) && o.height >= 0);
  if (!heightOk) throw bad("height must be a non-negative integer string");
  const height = Number(o.height);
  if (!Number.isSafeInteger(height)) throw bad("height is out of range");
  if (typeof o.round !== "number" || !Number.isInteger(o.round) || o.round < 0)
    throw bad("round must be a non-negative integer");
  if (typeof o.step !== "number" || !Number.isInteger(o.step) || o.step < 0 || o.step > 3)
    throw bad("step must be 0..3");
  let signature: Uint8Array | undefined;
  let signBytes: Uint8Array | undefined;
  try {
    if (o.signature !== undefined && o.signature !== null && o.signature !== "")
      signature = fromBase64(String(o.signature));
  } catch {
    throw bad("signature must be base64");
  }
  try {
    if (o.signbytes !== undefined && o.signbytes !== null && o.signbytes !== "")
      signBytes = fromHex(String(o.signbytes));
  } catch {
    throw bad("signbytes must be hex");
  }
  if ((signature === undefined) !== (signBytes === undefined))
    throw bad("signature and signbytes must be both present or both absent");
  return { height, round: o.round, step: o.step, signature, signBytes };
}

/** -1, 0, 1 comparing (height, round, step) lexicographically. */
function compareHrs(
  a: { height: number; round: number; step: number },
  b: { height: number; round: number; step: number },
): number {
  if (a.height !== b.height) return a.height < b.height ? -1 : 1;
  if (a.round !== b.round) return a.round < b.round ? -1 : 1;
  if (a.step !== b.step) return a.step < b.step ? -1 : 1;
  return 0;
}

/**
 * Temp file, fsync, rename, fsync of the directory. Synchronous on purpose: the caller cannot release
 * the signature before this returns anyway, and eight thread-pool round trips under load cost more than
 * the file system work itself.
 */
function writeDurably(path: string, text: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, "w", 0o600);
  try {
    fchmodSync(fd, 0o600);
    writeFileSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  const dir = openSync(dirname(path), "r");
  try {
    fsyncSync(dir);
  } finally {
    closeSync(dir);
  }
}

/**
 * The file signer (CometBFT's FilePV). It guarantees that this key never signs two different messages
 * for one (height, round, step), and never goes back to an earlier one, across crashes: the new
 * last-signed state is on disk (fsynced, atomically renamed) before `sign` resolves. Requests are
 * serialised, so concurrent calls cannot race past the check.
 */
export class FileSigner {
  readonly key: PrivValidatorKey;
  readonly statePath: string;
  #state: LastSignState;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(key: PrivValidatorKey, statePath: string, state: LastSignState) {
    this.key = key;
    this.statePath = statePath;
    this.#state = state;
  }

  /** Loads the key and the state; a missing state file means nothing signed yet, a corrupt one throws. */
  static async load(keyPath: string, statePath: string): Promise<FileSigner> {
    let keyText: string;
    try {
      keyText = await readFile(keyPath, "utf8");
    } catch (e) {
      throw new IcsdError(
        "PRIV_VALIDATOR_KEY_INVALID",
        `${keyPath}: cannot read the validator key (${(e as Error).message})`,
        {
          path: keyPath,
        },
      );
    }
    const key = decodePrivValidatorKey(keyText, keyPath);
    let state: LastSignState = { height: 0, round: 0, step: 0 };
    try {
      state = decodeLastSignState(await readFile(statePath, "utf8"), statePath);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
    }
    return new FileSigner(key, statePath, state);
  }

  /** The validator address (first 20 bytes of sha256 of the public key). */
  get address(): Uint8Array {
    return this.key.address;
  }

  get pubKey(): Uint8Array {
    return this.key.pubKey;
  }

  /** The last signed state, as on disk. */
  get lastSignState(): LastSignState {
    return this.#state;
  }

  /**
   * Signs `signBytes` at (height, round, step), or throws SIGNER_REGRESSION (earlier than the last
   * signed) or DOUBLE_SIGN_REFUSED (same step, different bytes). Identical bytes at the last signed step
   * return the stored signature, so a node that crashed after signing can re-send its vote.
   */
  sign(req: SignRequest): Promise<Uint8Array> {
    const run = this.#queue.then(() => this.#sign(req));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #sign(req: SignRequest): Promise<Uint8Array> {
    if (
      !Number.isSafeInteger(req.height) ||
      req.height < 1 ||
      !Number.isSafeInteger(req.round) ||
      req.round < 0
    ) {
      throw new IcsdError(
        "SIGNER_INVALID_REQUEST",
        `invalid sign request height=${req.height} round=${req.round}`,
      );
    }
    if (req.step !== 1 && req.step !== 2 && req.step !== 3) {
      throw new IcsdError("SIGNER_INVALID_REQUEST", `invalid sign request step=${String(req.step)}`);
    }
    const last = this.#state;
    const meta = {
      height: req.height,
      round: req.round,
      step: req.step,
      lastHeight: last.height,
      lastRound: last.round,
      lastStep: last.step,
    };
    const cmp = compareHrs(req, last);
    if (cmp < 0) {
      throw new IcsdError(
        "SIGNER_REGRESSION",
        `refusing to sign at height ${req.height} round ${req.round} step ${req.step}: already signed at height ${last.height} round ${last.round} step ${last.step}`,
        meta,
      );
    }
    if (cmp === 0) {
      if (last.signBytes && last.signature && equalBytes(last.signBytes, req.signBytes))
        return last.signature;
      throw new IcsdError(
        "DOUBLE_SIGN_REFUSED",
        `refusing to sign different bytes at height ${req.height} round ${req.round} step ${req.step}: this would be a double sign`,
        meta,
      );
    }
    const signature = ed25519Sign(this.key.keyPair, req.signBytes);
    const next: LastSignState = {
      height: req.height,
      round: req.round,
      step: req.step,
      signature,
      signBytes: new Uint8Array(req.signBytes),
    };
    // The state must be durable before the signature leaves this process (CometBFT privval rule).
    writeDurably(this.statePath, encodeLastSignState(next));
    this.#state = next;
    return signature;
  }
}
