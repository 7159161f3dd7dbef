/**
 * Relay benchmark (not a test): two icsd chains joined at genesis by one unordered ICS-20 channel and a
 * real `icsd relayer start` process between them, all on 127.0.0.1. Measures
 *  - latency under no load (latency.ts): one MsgTransfer A->B at a time; the delay in destination
 *    blocks from B's height when A committed the sending block (B0) to the B block that received the
 *    packet. Target from the issue: within 2 destination blocks, read on the median;
 *  - throughput (burst.ts): N transfers A->B broadcast at once in txs of `--msgs-per-tx`; packets/s
 *    received on B and acknowledged on A from the first send's inclusion, as ratios to the rate at
 *    which A included the sends in the same run (shared machines are noisy; one run's ratios compare).
 * Prints and records bench/results/relay.json.
 *
 * Usage: npm run bench:relay [-- --samples 20 --packets 1000 --msgs-per-tx 100 --poll-ms 100 --block-ms 200]
 *        (--poll-ms: the relayer's poll_interval_ms; --block-ms: both chains' timeout_commit)
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import {
  type BankExtension,
  GasPrice,
  QueryClient,
  SigningStargateClient,
  setupBankExtension,
} from "@cosmjs/stargate";
import { connectComet } from "@cosmjs/tendermint-rpc";
import { voucherDenom } from "../../ibc/index.ts";
import type { Testnet } from "../../test/e2e/harness.ts";
import {
  createIbcPair,
  DENOM,
  GAS_PRICE,
  type PairChannel,
  RelayerProcess,
  type User,
  user,
} from "../../test/e2e/ibcHarness.ts";
import { RpcClient } from "../throughput/rpc.ts";
import { BlockClock } from "./blocks.ts";
import { measureBurst } from "./burst.ts";
import { CHECK_MS, fmt, type RelayEnv, until } from "./env.ts";
import { measureLatency } from "./latency.ts";
import { packetEventHeight, sentSequences, transferMsg, unackedCount } from "./packets.ts";

const { values: flags } = parseArgs({
  options: {
    samples: { type: "string", default: "20" },
    packets: { type: "string", default: "1000" },
    "msgs-per-tx": { type: "string", default: "100" },
    "poll-ms": { type: "string", default: "100" },
    "block-ms": { type: "string", default: "200" },
  },
});
const SAMPLES = Number(flags.samples);
const PACKETS = Number(flags.packets);
const MSGS_PER_TX = Number(flags["msgs-per-tx"]);
const POLL_MS = Number(flags["poll-ms"]);
const TIMEOUT_COMMIT_MS = Number(flags["block-ms"]);
for (const [name, v, min] of [
  ["--samples", SAMPLES, 1],
  ["--packets", PACKETS, 1],
  ["--msgs-per-tx", MSGS_PER_TX, 1],
  ["--poll-ms", POLL_MS, 1],
  ["--block-ms", TIMEOUT_COMMIT_MS, 1],
] as const) {
  if (!Number.isInteger(v) || v < min) throw new Error(`${name} must be an integer >= ${min}`);
}

const CHANNEL: PairChannel = {
  port: "transfer",
  channelA: "channel-0",
  channelB: "channel-0",
  ordering: "unordered",
};
const TARGET_DELAY_BLOCKS = 2;
const SAMPLE_TIMEOUT_MS = 60_000;
const BURST_TIMEOUT_MS = 180_000;
// Transfer gas as the e2e tests pay it: a base plus a per-message allowance.
const gasFor = (msgs: number) => 60_000 + msgs * 40_000;
const feeFor = (msgs: number) => ({
  amount: [{ denom: DENOM, amount: String(Math.ceil(gasFor(msgs) * 0.0025)) }],
  gas: String(gasFor(msgs)),
});
// The relayer logs a redundant relay at info level, as "another relayer", even when it is the only one.
const REDUNDANT_MSG = "batch already relayed by another relayer";

let a: Testnet | undefined;
let b: Testnet | undefined;
let relayer: RelayerProcess | undefined;
let rpc: RpcClient | undefined;
const clocks: BlockClock[] = [];
const clients: SigningStargateClient[] = [];
let cleaning: Promise<void> | undefined;
async function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    for (const c of clocks) c.stop();
    for (const c of clients) c.disconnect();
    rpc?.close();
    await relayer?.cleanup();
    await a?.cleanup();
    await b?.cleanup();
  })();
  await cleaning;
}
for (const sig of ["SIGINT", "SIGTERM"] as const) {
  process.once(sig, () => {
    console.error(`\n${sig}: stopping the chains and the relayer`);
    void cleanup().finally(() => process.exit(130));
  });
}

async function signer(net: Testnet, u: User): Promise<SigningStargateClient> {
  const c = await SigningStargateClient.connectWithSigner(
    `http://127.0.0.1:${net.nodes[0]!.rpcPort}`,
    u.wallet,
    {
      gasPrice: GasPrice.fromString(GAS_PRICE),
      broadcastPollIntervalMs: CHECK_MS,
      broadcastTimeoutMs: SAMPLE_TIMEOUT_MS,
    },
  );
  clients.push(c);
  return c;
}

/** Warnings, errors and redundant relays in the relayer's pino log, counted by message. */
function relayerComplaints(path: string): Record<string, number> {
  const out: Record<string, number> = {};
  let text = "";
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return out;
  }
  for (const line of text.split("\n")) {
    if (!line.startsWith("{")) continue;
    let r: { level?: number; msg?: string; hash?: string };
    try {
      r = JSON.parse(line) as typeof r;
    } catch {
      continue; // a line cut at exit is not a record
    }
    const level = r.level ?? 0;
    let k: string;
    if (level >= 40) k = `${level >= 50 ? "error" : "warn"}: ${r.msg ?? "?"}`;
    // Without a hash the chain refused it in simulation: nothing was broadcast, no fee paid.
    else if (r.msg === REDUNDANT_MSG)
      k = `info: ${r.msg} (${r.hash ? "included, fee paid" : "refused in simulation"})`;
    else continue;
    out[k] = (out[k] ?? 0) + 1;
  }
  return out;
}

/** Sums the samples of one Prometheus metric in `text` (0 when absent). */
function metricSum(text: string, name: string): number {
  let sum = 0;
  for (const line of text.split("\n")) {
    if (line.startsWith(`${name}{`) || line.startsWith(`${name} `)) sum += Number(line.split(" ").at(-1));
  }
  return sum;
}

async function main(): Promise<void> {
  const loadAverageAtStart = loadavg()[0]!;
  const alice = await user("relay-bench-alice");
  const dave = await user("relay-bench-dave");
  const relayerUser = await user("relay-bench-relayer");
  const burstTxs = Math.ceil(PACKETS / MSGS_PER_TX);
  // One sender per burst tx: every tx is signed at its own account's sequence and broadcast at once.
  const senders = await Promise.all(
    Array.from({ length: burstTxs }, (_, i) => user(`relay-bench-sender-${i}`)),
  );
  ({ a, b } = await createIbcPair({
    validatorsA: 1,
    validatorsB: 1,
    chainIdA: "relay-a",
    chainIdB: "relay-b",
    funded: [alice, dave, relayerUser, ...senders].map((u) => u.address),
    channels: [CHANNEL],
    timeoutCommitMs: TIMEOUT_COMMIT_MS,
  }));
  a.startAll();
  b.startAll();
  await a.waitForHeight(a.nodes, 2, 60_000);
  await b.waitForHeight(b.nodes, 2, 60_000);
  const portA = a.nodes[0]!.rpcPort;
  const portB = b.nodes[0]!.rpcPort;
  const r = await RelayerProcess.create(a, b, [CHANNEL], relayerUser, {
    pollMs: POLL_MS,
    maxMsgs: MSGS_PER_TX,
  });
  relayer = r;
  r.start();
  const describe = () => `--- relayer log\n${r.logTail(30)}`;
  await until("the relayer's metrics endpoint", async () => (await r.metrics()) !== "", 60_000, describe);

  const q = new RpcClient();
  rpc = q;
  const clockA = new BlockClock("A", q, portA);
  const clockB = new BlockClock("B", q, portB);
  clocks.push(clockA, clockB);
  const mode = await clockA.start(await q.height(portA));
  await clockB.start(await q.height(portB));
  const env: RelayEnv = {
    rpc: q,
    portA,
    portB,
    clockA,
    clockB,
    channelA: CHANNEL.channelA,
    channelB: CHANNEL.channelB,
    until: (what, check, timeoutMs) => until(what, check, timeoutMs, describe),
  };
  const bankB: QueryClient & BankExtension = QueryClient.withExtensions(
    await connectComet(`http://127.0.0.1:${portB}`),
    setupBankExtension,
  );
  const voucher = voucherDenom(`transfer/${CHANNEL.channelB}/${DENOM}`);
  const received = async () => BigInt((await bankB.bank.balance(dave.address, voucher)).amount);
  const allAcked = async () => (await unackedCount(q, portA, CHANNEL.channelA)) === 0;
  const ca = await signer(a, alice);
  const sendOne = async () => {
    const res = await ca.signAndBroadcast(
      alice.address,
      [transferMsg(alice.address, dave.address, CHANNEL.channelA, "1", DENOM)],
      feeFor(1),
    );
    if (res.code !== 0) throw new Error(`transfer failed: ${res.rawLog}`);
    const seq = sentSequences(res.events)[0];
    if (seq === undefined) throw new Error(`transfer at height ${res.height} emitted no send_packet`);
    return { height: res.height, seq };
  };
  console.log(
    `chains up: 1 validator each, timeout_commit ${TIMEOUT_COMMIT_MS} ms; relayer poll ${POLL_MS} ms, ${MSGS_PER_TX} msgs/tx; commits seen by ${mode}`,
  );

  // Warm-up: the first relay moves both genesis clients off height 0 and connects the relayer's clients.
  const t0 = performance.now();
  const warm = await sendOne();
  await env.until(
    "the warm-up packet to be received",
    async () =>
      (await packetEventHeight(q, portB, "recv_packet", "packet_dst_channel", CHANNEL.channelB, warm.seq)) !==
      undefined,
    SAMPLE_TIMEOUT_MS,
  );
  await env.until("the warm-up packet to be acknowledged", allAcked, SAMPLE_TIMEOUT_MS);
  console.log(`warm-up packet relayed and acknowledged in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  const lat = await measureLatency(env, sendOne, SAMPLES, SAMPLE_TIMEOUT_MS, (l) => console.log(l));
  await env.until("the latency packets to be acknowledged", allAcked, SAMPLE_TIMEOUT_MS);
  const burstSenders = [];
  for (const u of senders) burstSenders.push({ address: u.address, client: await signer(a, u) });
  console.log(`burst: ${PACKETS} transfers in ${burstTxs} txs of up to ${MSGS_PER_TX}`);
  const burst = await measureBurst(env, {
    senders: burstSenders,
    receiver: dave.address,
    packets: PACKETS,
    msgsPerTx: MSGS_PER_TX,
    fee: feeFor,
    received,
    allAcked,
    timeoutMs: BURST_TIMEOUT_MS,
  });

  const relayerTxFailed = metricSum(await r.metrics(), "icsd_relayer_tx_failed_total");
  const complaints = relayerComplaints(r.logPath);
  const loadAverageAtEnd = loadavg()[0]!;
  const met = lat.delayBlocks.median <= TARGET_DELAY_BLOCKS;
  const byDelay = Object.entries(lat.packetsByDelayBlocks)
    .map(([d, n]) => `${n} x ${d}`)
    .join(", ");

  console.log("");
  console.log(`block time (no load)   A ${fmt(lat.blockMs.a)} ms; B ${fmt(lat.blockMs.b)} ms`);
  console.log(
    `latency, ${SAMPLES} packets  ${fmt(lat.delayBlocks)} destination blocks after B0 (${byDelay})`,
  );
  console.log(`  B0 polled instead    ${fmt(lat.delayBlocksPolledB0)} blocks`);
  console.log(
    `  in time              ${fmt(lat.delayMs)} ms from A's sending commit to B's receiving commit`,
  );
  console.log(
    `  from provable        ${fmt(lat.fromProvableMs)} ms from A's next commit to B's receiving commit`,
  );
  console.log(
    `  relayer reaction     ${fmt(lat.reactionMs)} ms from A's next commit to the receive in B's mempool`,
  );
  console.log(`  B's phase            ${fmt(lat.bPhaseMs)} ms from A's sending commit to B's next commit`);
  console.log(`  ack back on A        ${fmt(lat.ackDelaySourceBlocks)} A blocks after the sending block`);
  console.log(
    `  target               median <= ${TARGET_DELAY_BLOCKS} destination blocks: ${met ? "met" : "NOT met"} (${lat.delayBlocks.median})`,
  );
  console.log(
    `burst of ${PACKETS}          sent in A blocks ${burst.sendBlocksA.first}..${burst.sendBlocksA.last}; received in B blocks ${burst.recvBlocksB.first}..${burst.recvBlocksB.last} (B was at ${burst.recvBlocksB.b0}); acked on A by ${burst.lastAckBlockA}`,
  );
  const w = burst.windowsMs;
  console.log(`  send rate (A)        ${burst.sendPerSec.toFixed(0)} packets/s over ${w.send.toFixed(0)} ms`);
  console.log(
    `  received on B        ${burst.recvPerSec.toFixed(0)} packets/s over ${w.recv.toFixed(0)} ms (pipeline alone ${burst.recvPipelinePerSec.toFixed(0)} packets/s)`,
  );
  console.log(`  acked on A           ${burst.ackPerSec.toFixed(0)} packets/s over ${w.ack.toFixed(0)} ms`);
  console.log(
    `  ratio to send rate   received ${burst.recvOverSend.toFixed(3)}, acked ${burst.ackOverSend.toFixed(3)}`,
  );
  console.log(`  block time in burst  A ${fmt(burst.blockMs.a)} ms; B ${fmt(burst.blockMs.b)} ms`);
  console.log(
    `relayer                ${relayerTxFailed} failed submissions (tx_failed metric); ${burst.recvEvents} recv and ${burst.ackEvents} ack events for ${PACKETS} packets`,
  );
  for (const [k, n] of Object.entries(complaints)) console.log(`  log ${k} (x${n})`);
  console.log(
    `load average           ${loadAverageAtStart.toFixed(2)} at start, ${loadAverageAtEnd.toFixed(2)} at end`,
  );

  const { blockMs: latencyBlockMs, samples, ...latency } = lat;
  const { blockMs: burstBlockMs, ...throughput } = burst;
  const out = {
    date: new Date().toISOString(),
    chains: {
      validatorsEach: 1,
      timeoutCommitMs: TIMEOUT_COMMIT_MS,
      channel: "unordered ICS-20 transfer",
    },
    relayer: {
      pollIntervalMs: POLL_MS,
      maxMsgsPerTx: MSGS_PER_TX,
      failedSubmissions: relayerTxFailed,
      log: complaints,
    },
    commitSource: mode,
    blockTimeMs: { noLoad: latencyBlockMs, burst: burstBlockMs },
    latency: {
      target: `median <= ${TARGET_DELAY_BLOCKS} destination blocks`,
      met,
      samples: samples.length,
      ...latency,
      perPacket: samples,
    },
    throughput: { packets: PACKETS, msgsPerTx: MSGS_PER_TX, sendTxs: burstTxs, ...throughput },
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? "",
      node: process.version,
      loadAverageAtStart,
      loadAverageAtEnd,
    },
  };
  const dir = join(import.meta.dirname, "../results");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "relay.json"), `${JSON.stringify(out, null, 2)}\n`);
  console.log("written to bench/results/relay.json");
}

try {
  await main();
} catch (e) {
  // After SIGINT the nodes are going away under main(): its errors are not news.
  if (!cleaning) console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
} finally {
  await cleanup();
}
