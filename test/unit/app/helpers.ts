import { SdkApp } from "../../../app/index.ts";
import { type Block, createWriteBatch } from "../../../consensus/index.ts";
import { MemoryKvStore, MerkleTree } from "../../../store/index.ts";
import { createLogger } from "../../../utils/index.ts";
import { CHAIN_ID } from "../../support/txSigner.ts";

export { CHAIN_ID, send, signTx, type TestAccount, testAccount } from "../../support/txSigner.ts";

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
