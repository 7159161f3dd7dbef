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
import { SdkApp } from "../../../app/index.ts";
import { type Block, createWriteBatch } from "../../../consensus/index.ts";
import { MemoryKvStore, MerkleTree } from "../../../store/index.ts";
import { createLogger } from "../../../utils/index.ts";

export const CHAIN_ID = "unit-1";
export const registry = new Registry(defaultRegistryTypes);

export interface TestAccount {
  readonly wallet: DirectSecp256k1Wallet;
  readonly address: string;
  readonly pubkey: Uint8Array;
  readonly accountNumber: bigint;
}

export async function testAccount(i: number): Promise<TestAccount> {
  const wallet = await DirectSecp256k1Wallet.fromKey(sha256(new TextEncoder().encode(`unit-${i}`)), "cosmos");
  const [acc] = await wallet.getAccounts();
  return { wallet, address: acc!.address, pubkey: acc!.pubkey, accountNumber: BigInt(i) };
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

/** A fresh SdkApp on an in-memory tree, with genesis balances for `funded`. */
export async function newApp(
  funded: readonly { address: string; amount: bigint }[],
  minimumGasPrices = "0.0025stake",
): Promise<TestChain> {
  const db = new MemoryKvStore();
  const tree = await MerkleTree.open(db);
  const app = new SdkApp(
    tree,
    { chainId: CHAIN_ID, bech32Prefix: "cosmos", minimumGasPrices },
    { logger: createLogger({ level: "silent", name: "test" }) },
  );
  await app.initChain({
    chainId: CHAIN_ID,
    time: 0n,
    initialHeight: 1,
    validators: [],
    appState: {
      auth: {
        accounts: funded.map((f, i) => ({
          "@type": "/cosmos.auth.v1beta1.BaseAccount",
          address: f.address,
          account_number: String(i),
          sequence: "0",
        })),
      },
      bank: {
        balances: funded.map((f) => ({
          address: f.address,
          coins: [{ denom: "stake", amount: String(f.amount) }],
        })),
      },
    },
  });
  return { app, tree, db };
}

export interface TestChain {
  readonly app: SdkApp;
  readonly tree: MerkleTree;
  readonly db: MemoryKvStore;
}

/** Finalizes and commits one block of `txs`. */
export async function runBlock({ app, db, tree }: TestChain, height: number, txs: Uint8Array[]) {
  const block = {
    header: { height, time: BigInt(height) * 1_000_000_000n },
    txs,
    evidence: [],
  } as unknown as Block;
  const res = await app.finalizeBlock({
    block,
    hash: new Uint8Array(32),
    decidedLastCommit: { round: 0, votes: [] },
    misbehavior: [],
    evidence: [],
  });
  const batch = createWriteBatch();
  await app.commit(batch);
  await db.batch(batch.ops);
  tree.onBatchWritten();
  return res;
}
