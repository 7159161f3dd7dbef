import { PubKey } from "cosmjs-types/cosmos/crypto/secp256k1/keys";
import { SignMode } from "cosmjs-types/cosmos/tx/signing/v1beta1/signing";
import { SignDoc } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import type { Event } from "../consensus/index.ts";
import { secp256k1Address, verifySecp256k1 } from "../crypto/index.ts";
import { toBase64, toHex } from "../utils/index.ts";
import { addressBytes } from "./address.ts";
import { type Coin, coinsFromWire, coinsGte, type DecCoin, formatCoins, requiredFee } from "./coins.ts";
import {
  errInsufficientFee,
  errInvalidPubKey,
  errInvalidRequest,
  errMemoTooLarge,
  errTooManySignatures,
  errTxTimeoutHeight,
  errUnauthorized,
  errUnknownAddress,
  errWrongSequence,
} from "./errors.ts";
import { event } from "./events.ts";
import type { GasMeter } from "./gas.ts";
import { type Account, type AuthKeeper, SECP256K1_PUBKEY_TYPE } from "./modules/auth.ts";
import type { BankKeeper } from "./modules/bank.ts";
import type { AppStore } from "./store.ts";
import type { DecodedTx } from "./tx.ts";

/** How a transaction is being run: the SDK's execution modes. */
export type ExecMode = "check" | "recheck" | "deliver" | "simulate" | "genesis";

export interface AnteContext {
  readonly mode: ExecMode;
  readonly chainId: string;
  readonly height: number;
  readonly store: AppStore;
  readonly gas: GasMeter;
  readonly auth: AuthKeeper;
  readonly bank: BankKeeper;
  readonly feeCollector: Uint8Array;
  /** Node-local minimum gas prices (app.toml); only CheckTx enforces them. */
  readonly minGasPrices: readonly DecCoin[];
  /** Signatures already verified: a tx's bytes fix its signatures, so a result can be reused. */
  readonly sigCache: SigCache;
  readonly events: Event[];
}

/**
 * Remembers verified (tx, signer, account number) triples so DeliverTx need not verify twice. Entries are
 * keyed by the tx hash (hex) and dropped when the tx is delivered, so the cache holds about what the
 * mempool holds; the bound only matters for txs checked and never delivered.
 */
export class SigCache {
  /** Tx hash (hex) -> verified "signer index:account number" slots. */
  private readonly seen = new Map<string, string[]>();
  private readonly max: number;

  constructor(max = 50_000) {
    this.max = max;
  }

  get size(): number {
    return this.seen.size;
  }

  has(txHash: string, slot: string): boolean {
    return this.seen.get(txHash)?.includes(slot) ?? false;
  }

  add(txHash: string, slot: string): void {
    const slots = this.seen.get(txHash);
    if (slots !== undefined) {
      if (!slots.includes(slot)) slots.push(slot);
      return;
    }
    if (this.seen.size >= this.max) this.seen.delete(this.seen.keys().next().value!);
    this.seen.set(txHash, [slot]);
  }

  /** Forgets a tx (once delivered it is never verified again: its sequence is used). */
  forget(txHash: string): void {
    this.seen.delete(txHash);
  }
}

// Bytes the SDK charges for a signature it cannot see while simulating (simSecp256k1Sig + pubkey).
const SIMULATED_SIG_BYTES = 100;

/** The signer's sequence and address, for mempool ordering. */
export interface AnteOutcome {
  readonly sender: string;
  readonly sequence: bigint;
}

/**
 * The SDK's default ante handler chain, in its order: memo and timeout checks, tx size gas, fee check
 * (CheckTx only) and deduction, public keys, signature count, signature gas, sequence and signature
 * verification, sequence increment. Throws SdkError; the caller discards the state on failure.
 */
export async function runAnte(ctx: AnteContext, tx: DecodedTx): Promise<AnteOutcome> {
  const { store, gas, auth } = ctx;
  const simulate = ctx.mode === "simulate";
  const params = await auth.getParams(store);
  const memoLength = [...tx.body.memo].length;
  if (BigInt(memoLength) > params.maxMemoCharacters) {
    throw errMemoTooLarge(
      `maximum number of characters is ${params.maxMemoCharacters} but received ${memoLength} characters`,
    );
  }
  if (tx.body.timeoutHeight > 0n && BigInt(ctx.height) > tx.body.timeoutHeight) {
    throw errTxTimeoutHeight(`block height: ${ctx.height}, timeout height: ${tx.body.timeoutHeight}`);
  }
  const perByte = Number(params.txSizeCostPerByte);
  gas.consume(perByte * tx.bytes.length, "txSize");
  if (simulate) gas.consume(perByte * SIMULATED_SIG_BYTES * tx.signers.length, "txSize");

  const fee = tx.authInfo.fee!;
  const feeCoins: Coin[] = coinsFromWire(fee.amount);
  if ((ctx.mode === "check" || ctx.mode === "recheck") && ctx.minGasPrices.length > 0) {
    const required = ctx.minGasPrices.map((p) => requiredFee(p, fee.gasLimit)).filter((c) => c.amount > 0n);
    if (required.length > 0 && !required.some((r) => coinsGte(feeCoins, [r]))) {
      throw errInsufficientFee(
        `insufficient fees; got: ${formatCoins(feeCoins) || "0"} required: ${formatCoins(required)}`,
      );
    }
  }
  const payer = fee.payer === "" ? tx.signers[0]! : fee.payer;
  if (!tx.signers.includes(payer)) throw errUnauthorized(`fee payer ${payer} is not a signer`);
  const payerBytes = addressBytes(payer, auth.prefix, "fee payer");
  if (!(await auth.hasAccount(store, payerBytes)))
    throw errUnknownAddress(`fee payer address: ${payer} does not exist`);
  if (feeCoins.length > 0) {
    await ctx.bank.send(store, payerBytes, ctx.feeCollector, feeCoins, ctx.events);
  } else if (simulate) {
    // CosmJS simulates with an empty fee, but the signed tx will pay one: charge the gas of that
    // transfer (a zero-amount send on the scratch state) so the estimate covers the real tx.
    const denom = ctx.minGasPrices[0]?.denom ?? "stake";
    await ctx.bank.send(store, payerBytes, ctx.feeCollector, [{ denom, amount: 0n }], []);
  }
  ctx.events.push(
    event("tx", [
      ["fee", formatCoins(feeCoins)],
      ["fee_payer", payer],
    ]),
  );

  // SetPubKeyDecorator: each signer's key must hash to its address; an unset account key is stored.
  const accounts: Account[] = [];
  for (let i = 0; i < tx.signers.length; i++) {
    const signer = tx.signers[i]!;
    const info = tx.authInfo.signerInfos[i]!;
    const address = addressBytes(signer, auth.prefix, "signer");
    const account = await auth.getAccount(store, address);
    if (!account) throw errUnknownAddress(`account ${signer} does not exist`);
    let pubKey = account.pubKey;
    if (info.publicKey) {
      if (info.publicKey.typeUrl !== SECP256K1_PUBKEY_TYPE) {
        throw errInvalidPubKey(
          `unsupported public key type ${info.publicKey.typeUrl}; want ${SECP256K1_PUBKEY_TYPE}`,
        );
      }
      let key: Uint8Array;
      try {
        key = PubKey.decode(info.publicKey.value).key;
      } catch {
        throw errInvalidPubKey("undecodable secp256k1 public key");
      }
      if (key.length !== 33)
        throw errInvalidPubKey(`secp256k1 public key must be 33 bytes, got ${key.length}`);
      if (Buffer.compare(secp256k1Address(key), address) !== 0) {
        throw errInvalidPubKey(`pubKey does not match signer address ${signer} with signer index: ${i}`);
      }
      pubKey = key;
    } else if (!pubKey && !simulate) {
      throw errInvalidPubKey(`pubkey on account ${signer} is not set and the tx carries none`);
    }
    accounts.push({ ...account, pubKey });
  }
  for (let i = 0; i < tx.signers.length; i++) {
    ctx.events.push(event("tx", [["acc_seq", `${tx.signers[i]}/${tx.authInfo.signerInfos[i]!.sequence}`]]));
  }
  for (const sig of tx.raw.signatures) ctx.events.push(event("tx", [["signature", toBase64(sig)]]));

  if (BigInt(tx.raw.signatures.length) > params.txSigLimit) {
    throw errTooManySignatures(`signatures: ${tx.raw.signatures.length}, limit: ${params.txSigLimit}`);
  }
  for (let i = 0; i < accounts.length; i++)
    gas.consume(Number(params.sigVerifyCostSecp256k1), "ante verify: secp256k1");

  const txHash = toHex(tx.hash);
  for (let i = 0; i < accounts.length; i++) {
    const account = accounts[i]!;
    const info = tx.authInfo.signerInfos[i]!;
    if (info.sequence !== account.sequence) {
      throw errWrongSequence(`account sequence mismatch, expected ${account.sequence}, got ${info.sequence}`);
    }
    if (simulate || ctx.mode === "recheck") continue;
    const mode = info.modeInfo?.single?.mode;
    if (mode !== SignMode.SIGN_MODE_DIRECT) {
      throw errInvalidRequest(`sign mode ${mode ?? "multi"} is not supported; sign with SIGN_MODE_DIRECT`);
    }
    // As the SDK's SigVerificationDecorator: genesis transactions are signed with account number 0.
    const accountNumber = ctx.mode === "genesis" ? 0n : account.accountNumber;
    const slot = `${i}:${accountNumber}`;
    if (ctx.sigCache.has(txHash, slot)) continue;
    const signBytes = SignDoc.encode({
      bodyBytes: tx.raw.bodyBytes,
      authInfoBytes: tx.raw.authInfoBytes,
      chainId: ctx.chainId,
      accountNumber,
    }).finish();
    if (!account.pubKey || !verifySecp256k1(account.pubKey, signBytes, tx.raw.signatures[i]!)) {
      throw errUnauthorized(
        `signature verification failed; please verify account number (${accountNumber}), sequence (${account.sequence}) and chain-id (${ctx.chainId})`,
      );
    }
    if (ctx.mode !== "deliver") ctx.sigCache.add(txHash, slot);
  }
  if (ctx.mode === "deliver") ctx.sigCache.forget(txHash);
  for (const account of accounts) auth.setAccount(store, { ...account, sequence: account.sequence + 1n });
  return { sender: tx.signers[0]!, sequence: tx.authInfo.signerInfos[0]!.sequence };
}
