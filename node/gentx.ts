import { readFileSync } from "node:fs";
import { encodeSecp256k1Pubkey } from "@cosmjs/amino";
import { fromBech32, toBech32 } from "@cosmjs/encoding";
import {
  type EncodeObject,
  encodePubkey,
  makeAuthInfoBytes,
  makeSignDoc,
  type OfflineDirectSigner,
  Registry,
} from "@cosmjs/proto-signing";
import { PubKey as Ed25519PubKey } from "cosmjs-types/cosmos/crypto/ed25519/keys";
import { PubKey as Secp256k1PubKey } from "cosmjs-types/cosmos/crypto/secp256k1/keys";
import { MsgCreateValidator } from "cosmjs-types/cosmos/staking/v1beta1/tx";
import { SignMode } from "cosmjs-types/cosmos/tx/signing/v1beta1/signing";
import { AuthInfo, SignDoc, TxBody, TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import type { Any } from "cosmjs-types/google/protobuf/any";
import { parseSdkGenesis } from "../app/index.ts";
import { secp256k1Address, verifySecp256k1 } from "../crypto/index.ts";
import { equalBytes, fromBase64, IcsdError, toBase64, toHex } from "../utils/index.ts";
import { type GenesisDoc, loadGenesis, saveGenesis } from "./genesis.ts";
import type { Coin } from "./genesisAccounts.ts";

/** Error code of a genesis transaction that cannot be used. */
export const GENTX_INVALID = "GENTX_INVALID";
export const MSG_CREATE_VALIDATOR_TYPE = "/cosmos.staking.v1beta1.MsgCreateValidator";
export const ED25519_PUBKEY_TYPE = "/cosmos.crypto.ed25519.PubKey";
const SECP256K1_PUBKEY_TYPE = "/cosmos.crypto.secp256k1.PubKey";
/** Gas limit written into genesis transactions (genesis delivery does not meter gas). */
export const GENTX_GAS = 200_000;
/** gaiad's `gentx` / `create-validator` defaults. */
export const DEFAULT_COMMISSION = { rate: "0.1", maxRate: "0.2", maxChangeRate: "0.01" } as const;

const DEC = /^(\d{1,60})(?:\.(\d{1,18}))?$/;

/**
 * The protobuf wire form of a LegacyDec in [0, 1] (18-decimal atomics, "0.1" -> "100000000000000000"),
 * or INVALID_DECIMAL naming `what`.
 */
export function decimalFractionAtomics(text: string, what: string): string {
  const m = DEC.exec(text.trim());
  const atomics = m ? BigInt(m[1]!) * 10n ** 18n + BigInt((m[2] ?? "").padEnd(18, "0")) : -1n;
  if (atomics < 0n || atomics > 10n ** 18n) {
    throw new IcsdError(
      "INVALID_DECIMAL",
      `${what} must be a decimal between 0 and 1 with at most 18 places, got ${JSON.stringify(text)}`,
    );
  }
  return atomics.toString();
}

/** The operator address (`<prefix>valoper1...`) of a bech32 account address: the same bytes. */
export function valoperAddress(accountAddress: string): string {
  const { prefix, data } = fromBech32(accountAddress, 90);
  return toBech32(`${prefix}valoper`, data);
}

/** An ed25519 consensus key as the `Any` MsgCreateValidator carries. */
export function ed25519PubKeyAny(pubKey: Uint8Array): Any {
  if (pubKey.length !== 32) throw new IcsdError("INVALID_PUBKEY", "an ed25519 public key is 32 bytes");
  return { typeUrl: ED25519_PUBKEY_TYPE, value: Ed25519PubKey.encode({ key: pubKey }).finish() };
}

/** What a MsgCreateValidator needs; decimal fields are decimal strings such as "0.05". */
export interface CreateValidatorOptions {
  /** The operator's bech32 account address (the validator address is its `valoper` form). */
  readonly address: string;
  readonly consensusPubKey: Uint8Array;
  readonly amount: Coin;
  readonly moniker: string;
  readonly identity?: string;
  readonly website?: string;
  readonly securityContact?: string;
  readonly details?: string;
  readonly commission?: { readonly rate: string; readonly maxRate: string; readonly maxChangeRate: string };
  /** A positive integer (default "1"). */
  readonly minSelfDelegation?: string;
}

/**
 * A validated MsgCreateValidator (SDK 0.50 shape; the deprecated delegator_address is set to the operator's
 * account, which the SDK accepts). INVALID_ARGUMENT/INVALID_DECIMAL name the bad field.
 */
export function createValidatorMsg(o: CreateValidatorOptions): EncodeObject {
  const bad = (msg: string) => new IcsdError("INVALID_ARGUMENT", msg);
  if (o.moniker.trim() === "") throw bad("the moniker must not be empty");
  if (o.moniker.length > 70) throw bad("the moniker must be at most 70 characters"); // staking MaxMonikerLength
  if (o.amount.amount <= 0n) throw bad("the self-delegation amount must be positive");
  const c = o.commission ?? DEFAULT_COMMISSION;
  const rate = decimalFractionAtomics(c.rate, "--commission-rate");
  const maxRate = decimalFractionAtomics(c.maxRate, "--commission-max-rate");
  const maxChangeRate = decimalFractionAtomics(c.maxChangeRate, "--commission-max-change-rate");
  // x/staking CommissionRates.Validate, with its wording.
  if (BigInt(rate) > BigInt(maxRate)) throw bad("commission cannot be more than the max rate");
  if (BigInt(maxChangeRate) > BigInt(maxRate))
    throw bad("commission change rate cannot be more than the max rate");
  const minSelf = o.minSelfDelegation ?? "1";
  if (!/^\d+$/.test(minSelf) || BigInt(minSelf) <= 0n)
    throw bad(`--min-self-delegation must be a positive integer, got ${JSON.stringify(minSelf)}`);
  if (BigInt(minSelf) > o.amount.amount)
    throw bad("validator's self delegation must be greater than their minimum self delegation");
  return {
    typeUrl: MSG_CREATE_VALIDATOR_TYPE,
    value: MsgCreateValidator.fromPartial({
      description: {
        moniker: o.moniker,
        identity: o.identity ?? "",
        website: o.website ?? "",
        securityContact: o.securityContact ?? "",
        details: o.details ?? "",
      },
      commission: { rate, maxRate, maxChangeRate },
      minSelfDelegation: minSelf,
      delegatorAddress: o.address,
      validatorAddress: valoperAddress(o.address),
      pubkey: ed25519PubKeyAny(o.consensusPubKey),
      value: { denom: o.amount.denom, amount: o.amount.amount.toString() },
    }),
  };
}

/** What `buildGentx` needs: the validator's facts and a signer holding the operator's account key. */
export interface GentxOptions extends CreateValidatorOptions {
  readonly chainId: string;
  /** The account prefix (checked against `address`). */
  readonly accountPrefix: string;
  readonly signer: OfflineDirectSigner;
  readonly memo?: string;
}

/**
 * A signed genesis transaction (TxRaw bytes): one MsgCreateValidator self-delegating `amount`, signed
 * SIGN_MODE_DIRECT with account number 0 and sequence 0 (as the SDK verifies genesis transactions), an
 * empty fee and gas GENTX_GAS.
 */
export async function buildGentx(o: GentxOptions): Promise<Uint8Array> {
  if (fromBech32(o.address, 90).prefix !== o.accountPrefix) {
    throw new IcsdError(
      "INVALID_ADDRESS",
      `${o.address} does not have the chain's prefix ${o.accountPrefix}`,
    );
  }
  const msg = createValidatorMsg(o);
  const account = (await o.signer.getAccounts()).find((a) => a.address === o.address);
  if (!account) throw new IcsdError("KEY_NOT_FOUND", `the signer holds no key for ${o.address}`);
  const registry = new Registry([[MSG_CREATE_VALIDATOR_TYPE, MsgCreateValidator]]);
  const bodyBytes = registry.encodeTxBody({ messages: [msg], memo: o.memo ?? "" });
  const pubkey = encodePubkey(encodeSecp256k1Pubkey(account.pubkey));
  const authInfoBytes = makeAuthInfoBytes([{ pubkey, sequence: 0 }], [], GENTX_GAS, undefined, undefined);
  const doc = makeSignDoc(bodyBytes, authInfoBytes, o.chainId, 0);
  const { signed, signature } = await o.signer.signDirect(o.address, doc);
  return TxRaw.encode({
    bodyBytes: signed.bodyBytes,
    authInfoBytes: signed.authInfoBytes,
    signatures: [fromBase64(signature.signature)],
  }).finish();
}

/** A decoded, signature-checked genesis transaction. */
export interface DecodedGentx {
  readonly msg: MsgCreateValidator;
  /** The operator's account address (bech32, the chain's prefix). */
  readonly delegator: string;
  readonly consensusPubKey: Uint8Array;
}

/**
 * Decodes a genesis transaction and checks it: exactly one MsgCreateValidator with an ed25519 key, one
 * secp256k1 signer that is the operator, sequence 0, and a SIGN_MODE_DIRECT signature valid for
 * `chainId` with account number 0. GENTX_INVALID says what is wrong.
 */
export function decodeGentx(bytes: Uint8Array, chainId: string, accountPrefix: string): DecodedGentx {
  const bad = (msg: string) => new IcsdError(GENTX_INVALID, msg);
  let raw: TxRaw;
  let body: TxBody;
  let auth: AuthInfo;
  try {
    raw = TxRaw.decode(bytes);
    body = TxBody.decode(raw.bodyBytes);
    auth = AuthInfo.decode(raw.authInfoBytes);
  } catch (e) {
    throw bad(`not a protobuf TxRaw (${(e as Error).message})`);
  }
  const m = body.messages;
  if (m.length !== 1 || m[0]!.typeUrl !== MSG_CREATE_VALIDATOR_TYPE)
    throw bad(
      `must hold exactly one ${MSG_CREATE_VALIDATOR_TYPE}, got [${m.map((x) => x.typeUrl).join(", ")}]`,
    );
  const msg = MsgCreateValidator.decode(m[0]!.value);
  let operator: Uint8Array;
  try {
    const v = fromBech32(msg.validatorAddress, 90);
    if (v.prefix !== `${accountPrefix}valoper`) throw new Error(`prefix ${v.prefix}`);
    operator = v.data;
  } catch (e) {
    throw bad(`invalid validator address ${JSON.stringify(msg.validatorAddress)}: ${(e as Error).message}`);
  }
  const delegator = toBech32(accountPrefix, operator);
  if (msg.delegatorAddress !== "" && msg.delegatorAddress !== delegator)
    throw bad(`delegator address ${msg.delegatorAddress} is not the operator's account ${delegator}`);
  if (msg.pubkey?.typeUrl !== ED25519_PUBKEY_TYPE) throw bad("the consensus key must be an ed25519 PubKey");
  const consensusPubKey = Ed25519PubKey.decode(msg.pubkey.value).key;
  if (consensusPubKey.length !== 32) throw bad("the consensus key must be 32 bytes");
  const info = auth.signerInfos;
  if (info.length !== 1 || raw.signatures.length !== 1)
    throw bad("must have exactly one signer and signature");
  const si = info[0]!;
  if (si.publicKey?.typeUrl !== SECP256K1_PUBKEY_TYPE) throw bad("the signer key must be secp256k1");
  const signerKey = Secp256k1PubKey.decode(si.publicKey.value).key;
  if (!equalBytes(secp256k1Address(signerKey), operator)) throw bad(`is not signed by ${delegator}`);
  if (si.sequence !== 0n) throw bad(`must be signed with sequence 0, got ${si.sequence}`);
  if (si.modeInfo?.single?.mode !== SignMode.SIGN_MODE_DIRECT) throw bad("must be signed SIGN_MODE_DIRECT");
  const signBytes = SignDoc.encode({
    bodyBytes: raw.bodyBytes,
    authInfoBytes: raw.authInfoBytes,
    chainId,
    accountNumber: 0n,
  }).finish();
  if (!verifySecp256k1(signerKey, signBytes, raw.signatures[0]!))
    throw bad(`signature verification failed for chain ${chainId} with account number 0`);
  return { msg, delegator, consensusPubKey };
}

/** The bond denom of a genesis (`app_state.staking.params.bond_denom`, default "stake"). */
function bondDenom(doc: GenesisDoc): string {
  const staking = doc.appState.staking as { params?: { bond_denom?: unknown } } | undefined;
  const d = staking?.params?.bond_denom;
  return typeof d === "string" && d !== "" ? d : "stake";
}

/** The genesis bank balance of `address` in `denom` (0 when it has none). */
export function genesisBalance(doc: GenesisDoc, address: string, denom: string): bigint {
  const sdk = parseSdkGenesis(doc.appState);
  const account = fromBech32(address, 90).data;
  const coins = sdk.balances.find((b) => equalBytes(b.address, account))?.coins ?? [];
  return coins.find((c) => c.denom === denom)?.amount ?? 0n;
}

/**
 * Checks every genesis transaction against the genesis at `genesisPath` (decodeGentx; bond denom; the
 * operator's genesis balance covers its self-delegation; no operator or consensus key twice), then
 * writes them as `app_state.genutil.gen_txs` (base64, in the given order) with an empty top-level
 * `validators` list (the staking module supplies the validator set at InitChain). `labels` name the
 * transactions in errors (default "gentx <i>"). Returns the written genesis.
 */
export function collectGentxs(
  genesisPath: string,
  txs: readonly Uint8Array[],
  labels: readonly string[] = txs.map((_, i) => `gentx ${i}`),
): GenesisDoc {
  const doc = loadGenesis(genesisPath);
  const sdk = parseSdkGenesis(doc.appState);
  const denom = bondDenom(doc);
  const operators = new Set<string>();
  const consKeys = new Set<string>();
  txs.forEach((bytes, i) => {
    const label = labels[i] ?? `gentx ${i}`;
    const fail = (msg: string) => new IcsdError(GENTX_INVALID, `${label}: ${msg}`);
    let g: DecodedGentx;
    try {
      g = decodeGentx(bytes, doc.chainId, sdk.bech32Prefix);
    } catch (e) {
      throw e instanceof IcsdError ? fail(e.message) : e;
    }
    const value = g.msg.value;
    if (value.denom !== denom)
      throw fail(`self-delegation denom ${value.denom} is not the bond denom ${denom}`);
    const need = BigInt(value.amount);
    const have = genesisBalance(doc, g.delegator, denom);
    if (have < need)
      throw fail(
        `account ${g.delegator} has ${have}${denom} in genesis, less than the self-delegation ${need}${denom}`,
      );
    if (operators.has(g.delegator)) throw fail(`a second gentx for validator ${g.msg.validatorAddress}`);
    const ck = toHex(g.consensusPubKey);
    if (consKeys.has(ck)) throw fail("a consensus key already used by another gentx");
    operators.add(g.delegator);
    consKeys.add(ck);
  });
  const genutil = (doc.appState.genutil ?? {}) as Record<string, unknown>;
  const out: GenesisDoc = {
    ...doc,
    validators: txs.length > 0 ? [] : doc.validators,
    appState: { ...doc.appState, genutil: { ...genutil, gen_txs: txs.map((t) => toBase64(t)) } },
  };
  saveGenesis(genesisPath, out);
  return out;
}

/** The JSON of a gentx file: the TxRaw and a readable summary. */
export function gentxFileJson(
  tx: Uint8Array,
  chainId: string,
  accountPrefix: string,
): Record<string, unknown> {
  const g = decodeGentx(tx, chainId, accountPrefix);
  return {
    tx_bytes: toBase64(tx),
    body: {
      chain_id: chainId,
      moniker: g.msg.description.moniker,
      validator_address: g.msg.validatorAddress,
      delegator_address: g.delegator,
      amount: `${g.msg.value.amount}${g.msg.value.denom}`,
      consensus_pubkey: { "@type": ED25519_PUBKEY_TYPE, key: toBase64(g.consensusPubKey) },
    },
  };
}

/** The TxRaw bytes of a gentx file written by `icsd genesis gentx`; GENTX_INVALID otherwise. */
export function readGentxFile(path: string): Uint8Array {
  let o: unknown;
  try {
    o = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new IcsdError(GENTX_INVALID, `${path}: not readable JSON (${(e as Error).message})`);
  }
  const b = (o as { tx_bytes?: unknown } | null)?.tx_bytes;
  if (typeof b !== "string") throw new IcsdError(GENTX_INVALID, `${path}: expected {"tx_bytes": "<base64>"}`);
  try {
    return fromBase64(b);
  } catch {
    throw new IcsdError(GENTX_INVALID, `${path}: tx_bytes must be base64`);
  }
}
