/**
 * Staking benchmark (not a test): the per-block cost of the provider's begin- and end-block work (mint,
 * fee distribution over 150 votes, liveness over 150 votes, gov, staking's validator-set update and
 * queues) and of committing it, with 150 validators and 1k, 10k then 100k delegations, in one process
 * on a real LevelDB state tree. Each measured block also changes 10 delegations, so the end block has
 * validator power changes to apply. Prints and records bench/results/staking.json; the figure that
 * matters is the ratio of the per-block cost at 100k delegations to that at 1k (target < 2: work
 * proportional to what changed, not to the state).
 *
 * Usage: npm run bench:staking [-- --blocks 30 --sizes 1000,10000,100000]
 */

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { fromBech32, toBech32 } from "@cosmjs/encoding";
import { type AppStore, type ModuleContext, SdkApp } from "../../app/index.ts";
import { type Block, createWriteBatch } from "../../consensus/index.ts";
import { addressFromPubKey, ed25519FromSeed, sha256 } from "../../crypto/index.ts";
import { buildProvider } from "../../provider/index.ts";
import { delegate } from "../../provider/staking/delegation.ts";
import type { StakingKeeperImpl } from "../../provider/staking/index.ts";
import { LevelKvStore, MerkleTree } from "../../store/index.ts";
import { createValidatorMsg } from "../../test/e2e/stakingGenesis.ts";
import { signTx, testAccount } from "../../test/support/txSigner.ts";
import { createLogger } from "../../utils/index.ts";

const { values: flags } = parseArgs({
  options: {
    blocks: { type: "string", default: "30" },
    sizes: { type: "string", default: "1000,10000,100000" },
    validators: { type: "string", default: "150" },
  },
});
const BLOCKS = Number(flags.blocks);
const SIZES = flags.sizes.split(",").map(Number);
const VALIDATORS = Number(flags.validators);
const DELEGATORS = Math.ceil(Math.max(...SIZES) / VALIDATORS);
const CHANGES_PER_BLOCK = 10;
const CHAIN_ID = "bench-staking";

function consKey(i: number) {
  return ed25519FromSeed(sha256(new TextEncoder().encode(`bench-validator-${i}`)));
}

/** A deterministic 20-byte delegator address (these accounts exist only as balances). */
function delegator(i: number): Uint8Array {
  return sha256(new TextEncoder().encode(`bench-delegator-${i}`)).slice(0, 20);
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "icsd-bench-staking-"));
  const db = await LevelKvStore.open(join(dir, "db"));
  try {
    const tree = await MerkleTree.open(db);
    let keepers: ReturnType<typeof buildProvider> | undefined;
    const app = new SdkApp(
      tree,
      { chainId: CHAIN_ID, bech32Prefix: "cosmos", minimumGasPrices: "" },
      {
        logger: createLogger({ level: "silent", name: "bench" }),
        appModules: (base) => {
          keepers = buildProvider(base);
          return keepers.modules;
        },
      },
    );
    const staking = keepers!.staking as StakingKeeperImpl;
    process.stdout.write(`genesis: ${VALIDATORS} validators by gentx, ${DELEGATORS} funded delegators\n`);
    const operators = [];
    for (let i = 0; i < VALIDATORS; i++) operators.push(await testAccount(10_000 + i, 0n));
    const gentxs: string[] = [];
    for (let i = 0; i < VALIDATORS; i++) {
      const op = operators[i]!;
      const msg = createValidatorMsg(op.address, consKey(i).publicKey, `v${i}`, 1_000_000_000n);
      const tx = await signTx(op, [msg], {
        sequence: 0n,
        accountNumber: 0n,
        fee: [],
        gas: 1_000_000n,
        chainId: CHAIN_ID,
      });
      gentxs.push(Buffer.from(tx).toString("base64"));
    }
    const balances = [
      ...operators.map((o) => ({ address: o.address, coins: [{ denom: "stake", amount: "10000000000" }] })),
      ...Array.from({ length: DELEGATORS }, (_, i) => ({
        address: toBech32("cosmos", delegator(i)),
        coins: [{ denom: "stake", amount: "1000000000000" }],
      })),
    ];
    let time = 1_700_000_000_000_000_000n;
    const init = await app.initChain({
      chainId: CHAIN_ID,
      time,
      initialHeight: 1,
      validators: [],
      appState: {
        bank: { balances },
        staking: { params: { max_validators: VALIDATORS, unbonding_time: "60s" } },
        genutil: { gen_txs: gentxs },
      },
    });
    const votes = init.validators.map((v) => ({
      address: addressFromPubKey(v.pubKey),
      power: v.power,
      signed: true,
    }));
    let height = 0;
    const commit = async () => {
      const batch = createWriteBatch();
      await app.commit(batch);
      await db.batch(batch.ops);
      tree.onBatchWritten();
    };
    const finalize = async () => {
      height++;
      time += 1_000_000_000n;
      const block = {
        header: { chainId: CHAIN_ID, height, time, proposerAddress: votes[0]!.address },
        txs: [],
        evidence: [],
      } as unknown as Block;
      return app.finalizeBlock({
        block,
        hash: new Uint8Array(32),
        decidedLastCommit: { round: 0, votes: height === 1 ? [] : votes },
        misbehavior: [],
        evidence: [],
      });
    };
    // Keeper calls between blocks write into the tree's working set, like a block's transactions do.
    const working: AppStore = {
      get: (k) => tree.get(k),
      set: (k, v) => tree.set(k, v),
      delete: (k) => tree.delete(k),
      iterate: (r) => tree.iterate(r),
    };
    const ctx = (): ModuleContext => ({
      store: working,
      events: [],
      block: { chainId: CHAIN_ID, height: height + 1, time: time + 1_000_000_000n },
      runMsg: () => Promise.reject(new Error("not available")),
    });
    await finalize();
    await commit();

    const operatorBytes = operators.map((o) => fromBech32(o.address, 1023).data);
    const valRecord = async (i: number) => (await staking.getValidator(working, operatorBytes[i]!))!;
    const results: { delegations: number; finalizeMs: number; commitMs: number; perBlockMs: number }[] = [];
    let made = 0;
    let changeSeed = 0;
    for (const size of SIZES) {
      const t0 = performance.now();
      while (made < size) {
        const c = ctx();
        const chunkEnd = Math.min(size, made + 5_000);
        for (; made < chunkEnd; made++) {
          const v = await valRecord(made % VALIDATORS);
          await delegate(
            staking,
            c,
            delegator(Math.floor(made / VALIDATORS)),
            1_000_000n,
            "unbonded",
            v,
            true,
          );
        }
        await finalize();
        await commit();
      }
      process.stdout.write(
        `  ${size} delegations in place (${((performance.now() - t0) / 1000).toFixed(1)} s)\n`,
      );
      let fin = 0;
      let com = 0;
      for (let b = 0; b < BLOCKS; b++) {
        const c = ctx();
        for (let k = 0; k < CHANGES_PER_BLOCK; k++) {
          changeSeed = (changeSeed * 1103515245 + 12345) % 2 ** 31;
          const i = changeSeed % made;
          const v = await valRecord(i % VALIDATORS);
          await delegate(staking, c, delegator(Math.floor(i / VALIDATORS)), 3_000_000n, "unbonded", v, true);
        }
        const t1 = performance.now();
        await finalize();
        const t2 = performance.now();
        await commit();
        const t3 = performance.now();
        fin += t2 - t1;
        com += t3 - t2;
      }
      const r = {
        delegations: size,
        finalizeMs: fin / BLOCKS,
        commitMs: com / BLOCKS,
        perBlockMs: (fin + com) / BLOCKS,
      };
      results.push(r);
      process.stdout.write(
        `  ${size} delegations: begin+end block ${r.finalizeMs.toFixed(2)} ms, commit ${r.commitMs.toFixed(2)} ms per block\n`,
      );
    }
    const first = results[0]!;
    const last = results.at(-1)!;
    const ratio = last.perBlockMs / first.perBlockMs;
    process.stdout.write(
      `per-block cost at ${last.delegations} over ${first.delegations} delegations: ${ratio.toFixed(2)}x (target < 2)\n`,
    );
    const out = {
      date: new Date().toISOString(),
      validators: VALIDATORS,
      blocksPerSize: BLOCKS,
      changesPerBlock: CHANGES_PER_BLOCK,
      loadavg: loadavg()[0],
      results,
      ratio,
      target: "< 2",
    };
    mkdirSync(join(import.meta.dirname, "../results"), { recursive: true });
    writeFileSync(join(import.meta.dirname, "../results/staking.json"), `${JSON.stringify(out, null, 2)}\n`);
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
