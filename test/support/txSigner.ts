import { encodeSecp256k1Pubkey } from "@cosmjs/amino";
import { sha256 } from "@cosmjs/crypto";
import {
  DirectSecp256k1Wallet,
  type EncodeObject,
  encodePubkey,
  makeAuthInfoBytes,
  makeSignDoc,
  Registry,
} from "@cosmjs/proto-signing";
import { defaultRegistryTypes } from "@cosmjs/stargate";
import { TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";

/** Offline signing of Cosmos SDK transactions for tests: fixed keys, any sequence, any mistake on purpose. */

export const CHAIN_ID = "unit-1";
export const registry = new Registry(defaultRegistryTypes);

export interface TestAccount {
  readonly wallet: DirectSecp256k1Wallet;
  readonly address: string;
  readonly pubkey: Uint8Array;
  readonly accountNumber: bigint;
}

export async function testAccount(i: number, accountNumber = BigInt(i)): Promise<TestAccount> {
  const wallet = await DirectSecp256k1Wallet.fromKey(
    sha256(new TextEncoder().encode(`test-account-${i}`)),
    "cosmos",
  );
  const [acc] = await wallet.getAccounts();
  return { wallet, address: acc!.address, pubkey: acc!.pubkey, accountNumber };
}

export interface SignOptions {
  readonly sequence: bigint;
  readonly fee?: { denom: string; amount: string }[];
  readonly gas?: bigint;
  readonly chainId?: string;
  readonly accountNumber?: bigint;
  readonly memo?: string;
  /** Replace the signature after signing. */
  readonly mutateSignature?: (sig: Uint8Array) => Uint8Array;
}

/** Signs `msgs` as CosmJS does (SIGN_MODE_DIRECT) and returns TxRaw bytes. */
export async function signTx(from: TestAccount, msgs: EncodeObject[], o: SignOptions): Promise<Uint8Array> {
  const bodyBytes = registry.encodeTxBody({ messages: msgs, memo: o.memo ?? "" });
  const pubkey = encodePubkey(encodeSecp256k1Pubkey(from.pubkey));
  const authInfoBytes = makeAuthInfoBytes(
    [{ pubkey, sequence: o.sequence }],
    o.fee ?? [{ denom: "stake", amount: "500" }],
    Number(o.gas ?? 200_000n),
    undefined,
    undefined,
  );
  const doc = makeSignDoc(
    bodyBytes,
    authInfoBytes,
    o.chainId ?? CHAIN_ID,
    Number(o.accountNumber ?? from.accountNumber),
  );
  const { signature } = await from.wallet.signDirect(from.address, doc);
  let sig: Uint8Array = Uint8Array.from(Buffer.from(signature.signature, "base64"));
  if (o.mutateSignature) sig = o.mutateSignature(sig);
  return TxRaw.encode({ bodyBytes, authInfoBytes, signatures: [sig] }).finish();
}

export function send(from: string, to: string, amount: string, denom = "stake"): EncodeObject {
  return {
    typeUrl: "/cosmos.bank.v1beta1.MsgSend",
    value: { fromAddress: from, toAddress: to, amount: [{ denom, amount }] },
  };
}

/** Genesis `app_state` funding each address with `amount` stake, account numbers in order. */
export function fundedAppState(addresses: readonly string[], amount: bigint): Record<string, unknown> {
  return {
    auth: {
      bech32_prefix: "cosmos",
      accounts: addresses.map((address, i) => ({
        "@type": "/cosmos.auth.v1beta1.BaseAccount",
        address,
        pub_key: null,
        account_number: String(i),
        sequence: "0",
      })),
    },
    bank: {
      balances: addresses.map((address) => ({
        address,
        coins: [{ denom: "stake", amount: String(amount) }],
      })),
    },
  };
}
