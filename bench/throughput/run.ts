/**
 * Throughput benchmark (not a test): pre-signed bank sends from many accounts, broadcast to a local
 * 4-validator devnet (real `icsd start` processes on 127.0.0.1, proxy_app = "icsd"). Prints and records
 * in bench/results/throughput.json the finalized tx/s and the p50/p99 latency from broadcast to commit,
 * next to the signature-verification bound measured in the same run (single-core secp256k1
 * verifications/s x cores / validators), and each validator's RSS over the run. A default run is
 * recorded as "burst" (every pre-signed tx once), a --duration run as "sustained"; --quick records nothing.
 *
 * Usage: npm run bench:throughput [-- --accounts 200 --txs-per-account 50 --window 8]
 *        (--window: txs an account keeps broadcast but uncommitted; with the accounts, the offered load)
 *        npm run bench:throughput -- --duration 600   (memory over a long run: send for N seconds)
 *        npm run bench:throughput -- --quick
 *        --kvstore: the same load plumbing against the kvstore app (key=value txs); prints, records nothing.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { sleep, Testnet } from "../../test/e2e/harness.ts";
import { benchAccounts, benchAppState, feeFor, GAS_LIMIT, SendSigner, type SignedTx } from "./accounts.ts";
import { CommitWatcher } from "./commits.ts";
import { Load, type TxSource } from "./load.ts";
import { measureSigBound, quantile, rssMb, slope } from "./measure.ts";
import { RpcClient } from "./rpc.ts";

const VALIDATORS = 4;
const RSS_SAMPLE_MS = 10_000;
const STALL_MS = 60_000;
const START_TIMEOUT_MS = 120_000;
const DRAIN_MS = 30_000;
// RSS trend after start-up: heaps and caches fill during the first minutes of load.
const WARMUP_S = 120;

const { values: flags } = parseArgs({
  options: {
    accounts: { type: "string" },
    "txs-per-account": { type: "string" },
    duration: { type: "string", default: "0" },
    window: { type: "string", default: "8" },
    "min-gas-price": { type: "string", default: "0.0025stake" },
    quick: { type: "boolean", default: false },
    kvstore: { type: "boolean", default: false },
  },
});
const ACCOUNTS = Number(flags.accounts ?? (flags.quick ? 40 : 200));
const TXS = Number(flags["txs-per-account"] ?? (flags.quick ? 10 : 50));
const DURATION_S = Number(flags.duration);
const WINDOW = Number(flags.window);
const MIN_GAS_PRICE = flags["min-gas-price"]!;
const APP = flags.kvstore ? "kvstore" : "icsd";
for (const [name, v, min] of [
  ["--accounts", ACCOUNTS, 2],
  ["--txs-per-account", TXS, 1],
  ["--duration", DURATION_S, 0],
  ["--window", WINDOW, 1],
] as const) {
  if (!Number.isInteger(v) || v < min) throw new Error(`${name} must be an integer >= ${min}`);
}

let net: Testnet | undefined;
let cleaning: Promise<void> | undefined;
async function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    await net?.cleanup();
  })();
  await cleaning;
}
for (const sig of ["SIGINT", "SIGTERM"] as const) {
  process.once(sig, () => {
    console.error(`\n${sig}: stopping the devnet`);
    void cleanup().finally(() => process.exit(130));
  });
}

function mbPerMin(x: number): string {
  return Number.isNaN(x) ? "n/a" : `${x.toFixed(2)} MB/min`;
}

async function waitForStart(t: Testnet, height: number): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    const dead = t.nodes.filter((n) => n.proc && (n.proc.exitCode !== null || n.proc.signalCode !== null));
    if (dead.length > 0) {
      throw new Error(`${dead.map((n) => n.name).join(", ")} exited during startup\n${t.logTails(dead, 25)}`);
    }
    const hs = await Promise.all(t.nodes.map((n) => t.height(n)));
    if (hs.every((h) => h >= height)) return;
    if (Date.now() > deadline)
      throw new Error(`devnet did not reach height ${height}\n${t.logTails(t.nodes)}`);
    await sleep(250);
  }
}

async function main(): Promise<void> {
  const accounts = await benchAccounts(ACCOUNTS);
  const fee = feeFor(GAS_LIMIT, MIN_GAS_PRICE);
  net = await Testnet.create({
    validators: VALIDATORS,
    chainId: "bench-throughput-1",
    proxyApp: APP,
    appState: benchAppState(accounts, 10n ** 15n),
    minimumGasPrices: MIN_GAS_PRICE,
  });
  const chainId = net.chainId;

  // Everything is signed before the clock starts.
  const signers = accounts.map(
    (a, i) => new SendSigner(a, accounts[(i + 1) % accounts.length]!.address, chainId, fee),
  );
  const t0sign = performance.now();
  let sample: SignedTx | undefined;
  const sources: TxSource[] = [];
  for (const [i, signer] of signers.entries()) {
    const port = net.nodes[i % VALIDATORS]!.rpcPort;
    const kv = (seq: number) => new TextEncoder().encode(`bench-${i}-${seq}=${seq}`);
    const make = flags.kvstore
      ? async (seq: number) => kv(seq)
      : async (seq: number) => (await signer.sign(seq)).tx;
    const presigned: Uint8Array[] = [];
    for (let seq = 0; seq < TXS; seq++) {
      if (flags.kvstore) presigned.push(kv(seq));
      else {
        const s = await signer.sign(seq);
        sample ??= s;
        presigned.push(s.tx);
      }
    }
    sources.push({ port, make, presigned });
  }
  sample ??= await signers[0]!.sign(0);
  const signMs = performance.now() - t0sign;
  const signMsPerTx = signMs / (ACCOUNTS * TXS);
  console.log(
    `signed ${ACCOUNTS} x ${TXS} txs in ${(signMs / 1000).toFixed(1)} s (fee ${fee}stake, gas ${GAS_LIMIT})`,
  );
  // Measured before the nodes start, on an idle machine.
  const bound = measureSigBound(sample, accounts[0]!.pubkey, VALIDATORS);
  console.log(
    `signature bound: ${bound.verificationsPerSecPerCore.toFixed(0)} verifications/s/core x ${bound.cores} cores / ${VALIDATORS} validators = ${bound.txPerSec.toFixed(0)} tx/s`,
  );

  net.startAll();
  await waitForStart(net, 2);
  const rpc = new RpcClient();
  const duration = DURATION_S > 0;
  const load = new Load(rpc, sources, {
    txsPerAccount: duration ? Number.POSITIVE_INFINITY : TXS,
    window: WINDOW,
  });
  const watcher = new CommitWatcher(rpc, net.nodes[0]!.rpcPort, (h, txs, at) => load.onBlock(h, txs, at));
  const mode = await watcher.start(await rpc.height(net.nodes[0]!.rpcPort));
  console.log(`devnet up (${APP} app), commits seen by ${mode}; sending from ${ACCOUNTS} accounts`);

  // Other work on the machine shares the cores with the validators: recorded to read the figures by.
  const loadAverageAtStart = loadavg()[0]!;
  const pids = net.nodes.map((n) => n.proc?.pid);
  const t0 = performance.now();
  const rssSamples: { t: number; mb: number[] }[] = [{ t: 0, mb: pids.map(rssMb) }];
  const sampler = setInterval(() => {
    rssSamples.push({ t: (performance.now() - t0) / 1000, mb: pids.map(rssMb) });
    const done = load.commitTimes.length;
    console.log(
      `  ${((performance.now() - t0) / 1000).toFixed(0)} s: ${done} committed, ${load.uncommitted()} pending`,
    );
  }, RSS_SAMPLE_MS);

  let end: number;
  try {
    if (duration) {
      const running = load.run();
      await sleep(DURATION_S * 1000);
      end = performance.now();
      load.stop();
      await running;
      // Let what was broadcast land, for its latency (throughput only counts commits before `end`).
      const drainUntil = performance.now() + DRAIN_MS;
      while (load.uncommitted() > 0 && performance.now() < drainUntil) await sleep(50);
    } else {
      await load.run();
      let last = load.commitTimes.length;
      let lastProgress = performance.now();
      while (load.uncommitted() > 0 && performance.now() - lastProgress < STALL_MS) {
        await sleep(50);
        if (load.commitTimes.length !== last) {
          last = load.commitTimes.length;
          lastProgress = performance.now();
        }
      }
      end = load.commitTimes.at(-1) ?? performance.now();
    }
  } finally {
    clearInterval(sampler);
  }
  rssSamples.push({ t: (performance.now() - t0) / 1000, mb: pids.map(rssMb) });
  watcher.stop();
  rpc.close();

  const elapsed = (end - t0) / 1000;
  const committed = load.commitTimes.filter((t) => t <= end).length;
  const tps = committed / elapsed;
  const p50 = quantile(load.latencies, 0.5);
  const p99 = quantile(load.latencies, 0.99);
  // A trend needs time: under a minute, start-up growth would read as a leak.
  const trend = (from: number) => {
    const pts = rssSamples.filter((s) => s.t >= from);
    const span = (pts.at(-1)?.t ?? 0) - (pts[0]?.t ?? 0);
    return pids.map((_, i) =>
      span >= 60 ? slope(pts.map((s) => ({ x: s.t / 60, y: s.mb[i]! }))) : Number.NaN,
    );
  };
  const slopes = trend(0);
  const slopesAfterWarmup = trend(WARMUP_S);
  const ratio = tps / bound.txPerSec;

  console.log("");
  console.log(`app                 ${APP}, ${VALIDATORS} validators, ${ACCOUNTS} accounts, window ${WINDOW}`);
  console.log(
    `sent / committed    ${load.sent} / ${load.commitTimes.length} (${load.uncommitted()} not seen by the end)`,
  );
  console.log(`finalized           ${tps.toFixed(1)} tx/s over ${elapsed.toFixed(1)} s`);
  console.log(`latency             p50 ${p50.toFixed(0)} ms, p99 ${p99.toFixed(0)} ms`);
  console.log(`signature bound     ${bound.txPerSec.toFixed(0)} tx/s`);
  console.log(`ratio               ${ratio.toFixed(3)} (target >= 0.5)`);
  for (const [i, n] of net.nodes.entries()) {
    const first = rssSamples[0]!.mb[i]!;
    const last = rssSamples.at(-1)!.mb[i]!;
    console.log(
      `RSS ${n.name}           ${first.toFixed(1)} -> ${last.toFixed(1)} MB (slope ${mbPerMin(slopes[i]!)}, after ${WARMUP_S} s ${mbPerMin(slopesAfterWarmup[i]!)})`,
    );
  }
  if (load.mempoolFullRetries > 0) console.log(`mempool full        ${load.mempoolFullRetries} retries`);
  if (load.transportRetries > 0) console.log(`transport retries   ${load.transportRetries}`);
  if (load.signedDuringRun > 0) {
    const cpu = (load.signedDuringRun * signMsPerTx) / 1000;
    console.log(`signed during run   ${load.signedDuringRun} txs (about ${cpu.toFixed(0)} s of bench CPU)`);
  }
  if (load.errors.length > 0) {
    console.log(`refused txs (${load.failedAccounts} accounts stopped):`);
    for (const e of load.errors) console.log(`  ${e}`);
  }

  if (flags.kvstore || flags.quick) {
    console.log(`${flags.kvstore ? "kvstore plumbing" : "quick"} run: nothing recorded`);
    return;
  }
  if (committed === 0) throw new Error("no transaction was committed: nothing to record");
  const result = {
    date: new Date().toISOString(),
    app: APP,
    validators: VALIDATORS,
    accounts: ACCOUNTS,
    txsPerAccount: duration ? null : TXS,
    durationSec: duration ? DURATION_S : null,
    windowPerAccount: WINDOW,
    minimumGasPrice: MIN_GAS_PRICE,
    commitSource: mode,
    txsSent: load.sent,
    txsCommitted: load.commitTimes.length,
    elapsedSec: elapsed,
    finalizedTxPerSec: tps,
    latencyMs: { p50, p99, max: load.latencies.reduce((a, b) => Math.max(a, b), 0) },
    sigBound: bound,
    loadAverageAtStart,
    ratioToBound: ratio,
    mempoolFullRetries: load.mempoolFullRetries,
    transportRetries: load.transportRetries,
    signedDuringRun: load.signedDuringRun,
    signingMsPerTx: signMsPerTx,
    refusedTxs: load.errors,
    rss: {
      sampleEverySec: RSS_SAMPLE_MS / 1000,
      samples: rssSamples,
      slopeMbPerMin: slopes,
      warmupSec: WARMUP_S,
      slopeAfterWarmupMbPerMin: slopesAfterWarmup,
    },
    targets: { ratioToBound: ">= 0.5", rss: "flat over a 10-minute run (--duration 600)" },
  };
  // One file, one section per kind of run: a burst of pre-signed txs, or sustained load for --duration.
  const kind = duration ? "sustained" : "burst";
  const dir = join(import.meta.dirname, "../results");
  const file = join(dir, "throughput.json");
  let recorded: Record<string, unknown> = {};
  try {
    recorded = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
  } catch {
    // No earlier results.
  }
  const sections = Object.fromEntries(
    Object.entries(recorded).filter(([k]) => k === "burst" || k === "sustained"),
  );
  mkdirSync(dir, { recursive: true });
  writeFileSync(file, `${JSON.stringify({ ...sections, [kind]: result }, null, 2)}\n`);
  console.log(`written to bench/results/throughput.json ("${kind}")`);
}

try {
  await main();
} catch (e) {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
} finally {
  await cleanup();
}
