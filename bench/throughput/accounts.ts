/**
 * The benchmark's accounts: deterministic secp256k1 keys, their genesis funding in the shared
 * `app_state` schema, and SIGN_MODE_DIRECT bank sends signed exactly as CosmJS signs them.
 */
import { encodeSecp256k1Pubkey } from "@cosmjs/amino";
import { sha256 } from "@cosmjs/crypto";
import { fromBase64 } from "@cosmjs/encoding";
import {
  DirectSecp256k1Wallet,
  encodePubkey,
  makeAuthInfoBytes,
  makeSignBytes,
  makeSignDoc,
} from "@cosmjs/proto-signing";
import { MsgSend } from "cosmjs-types/cosmos/bank/v1beta1/tx";
import { TxBody, TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import type { Any } from "cosmjs-types/google/protobuf/any";

export const DENOM = "stake";
export const GAS_LIMIT = 100_000;

/** One funded bench account; its account number is its index in the genesis `accounts`. */
export interface BenchAccount {
  readonly index: number;
  readonly address: string;
  readonly pubkey: Uint8Array;
  readonly wallet: DirectSecp256k1Wallet;
}

/** Account i has private key sha256("icsd-bench-" + i). */
export async function benchAccounts(count: number, prefix = "cosmos"): Promise<BenchAccount[]> {
  const out: BenchAccount[] = [];
  for (let i = 0; i < count; i++) {
    const wallet = await DirectSecp256k1Wallet.fromKey(
      sha256(new TextEncoder().encode(`icsd-bench-${i}`)),
      prefix,
    );
    const [acc] = await wallet.getAccounts();
    out.push({ index: i, address: acc!.address, pubkey: acc!.pubkey, wallet });
  }
  return out;
}

/** Genesis `app_state` (auth + bank, SDK 0.50 JSON) giving every account `amount` of the stake denom. */
export function benchAppState(accounts: readonly BenchAccount[], amount: bigint): Record<string, unknown> {
  return {
    auth: {
      bech32_prefix: "cosmos",
      params: {
        max_memo_characters: "256",
        tx_sig_limit: "7",
        tx_size_cost_per_byte: "10",
        sig_verify_cost_ed25519: "590",
        sig_verify_cost_secp256k1: "1000",
      },
      accounts: accounts.map((a) => ({
        "@type": "/cosmos.auth.v1beta1.BaseAccount",
        address: a.address,
        pub_key: null,
        account_number: String(a.index),
        sequence: "0",
      })),
    },
    bank: {
      params: { send_enabled: [], default_send_enabled: true },
      balances: accounts.map((a) => ({
        address: a.address,
        coins: [{ denom: DENOM, amount: String(amount) }],
      })),
      supply: [],
      denom_metadata: [],
      send_enabled: [],
    },
  };
}

/** The fee a tx with `gasLimit` pays at `minGasPrice` (e.g. "0.0025stake"): ceil(gas x price). */
export function feeFor(gasLimit: number, minGasPrice: string): bigint {
  const m = /^(\d+)(?:\.(\d+))?([a-zA-Z][a-zA-Z0-9/]*)$/.exec(minGasPrice.trim());
  if (!m) throw new Error(`cannot parse gas price ${JSON.stringify(minGasPrice)}`);
  const frac = m[2] ?? "";
  const scale = 10n ** BigInt(frac.length);
  const price = BigInt(m[1]!) * scale + BigInt(frac || "0");
  return (BigInt(gasLimit) * price + scale - 1n) / scale;
}

/** A signed tx, and the bytes its signature covers (for checking the signature locally). */
export interface SignedTx {
  readonly tx: Uint8Array;
  readonly signBytes: Uint8Array;
  readonly signature: Uint8Array;
}

/** Signs one account's MsgSend of 1stake to `to`, at any sequence. */
export class SendSigner {
  private readonly account: BenchAccount;
  private readonly chainId: string;
  private readonly fee: bigint;
  private readonly bodyBytes: Uint8Array;
  private readonly pubkeyAny: Any;

  constructor(account: BenchAccount, to: string, chainId: string, fee: bigint) {
    this.account = account;
    this.chainId = chainId;
    this.fee = fee;
    this.pubkeyAny = encodePubkey(encodeSecp256k1Pubkey(account.pubkey));
    const msg = MsgSend.fromPartial({
      fromAddress: account.address,
      toAddress: to,
      amount: [{ denom: DENOM, amount: "1" }],
    });
    this.bodyBytes = TxBody.encode(
      TxBody.fromPartial({
        messages: [{ typeUrl: "/cosmos.bank.v1beta1.MsgSend", value: MsgSend.encode(msg).finish() }],
        memo: "",
      }),
    ).finish();
  }

  async sign(sequence: number): Promise<SignedTx> {
    const authInfoBytes = makeAuthInfoBytes(
      [{ pubkey: this.pubkeyAny, sequence: BigInt(sequence) }],
      [{ denom: DENOM, amount: String(this.fee) }],
      GAS_LIMIT,
      undefined,
      undefined,
    );
    const doc = makeSignDoc(this.bodyBytes, authInfoBytes, this.chainId, this.account.index);
    const { signed, signature } = await this.account.wallet.signDirect(this.account.address, doc);
    const sig = fromBase64(signature.signature);
    const tx = TxRaw.encode({
      bodyBytes: signed.bodyBytes,
      authInfoBytes: signed.authInfoBytes,
      signatures: [sig],
    }).finish();
    return { tx, signBytes: makeSignBytes(signed), signature: sig };
  }
}
