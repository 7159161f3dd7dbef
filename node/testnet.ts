/**
 * `icsd testnet init-files`: the devnet's topology (provider validators, consumer chains launched through
 * MsgCreateConsumer, a relayer) as homes for containers. A consumer's genesis holds the provider's client
 * and consensus state at its launch, so it exists only once the provider ran and launched it: init-files
 * does on loopback what `icsd devnet up` does (the devnet's code), stops every process, then rewrites
 * each home for the compose network (see testnetCompose.ts for who runs where).
 */
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { IcsdError } from "../utils/index.ts";
import { defaultClientConfig, writeClientConfig } from "./clientConfig.ts";
import { loadConfig, saveConfig } from "./config.ts";
import { Starting, waitForHeights } from "./devnet.ts";
import { DEVNET_MIN_GAS_PRICES, type DevnetAccountRecord } from "./devnetAccounts.ts";
import { launchDevnetConsumers } from "./devnetConsumer.ts";
import {
  DEVNET_RELAYER_KEY,
  type DevnetChainRecord,
  type DevnetChannelRecord,
  type DevnetFile,
  devnetConsensus,
  devnetFilePath,
  devnetRelayerPaths,
  prepareDevnet,
  relayerConfigText,
} from "./devnetLayout.ts";
import { nodeLogPath, spawnNode, stopProcesses } from "./devnetProcess.ts";
import { loadGenesis, saveGenesis } from "./genesis.ts";
import { DEFAULT_BECH32_PREFIX } from "./genesisAccounts.ts";
import { homePaths, writeFileAtomic } from "./home.ts";
import { loadNodeKey, nodeIdFromNodeKey } from "./keys.ts";
import {
  outputComposeHeader,
  TESTNET_CONTAINER_HOME,
  TESTNET_CONTAINER_RELAYER_CONFIG,
  TESTNET_MAX_CONSUMERS,
  TESTNET_MAX_VALIDATORS,
  TESTNET_P2P_PORT,
  TESTNET_RELAYER_METRICS_PORT,
  TESTNET_RPC_PORT,
  type TestnetPlan,
  type TestnetServicePlan,
  type TestnetTopology,
  testnetComposeYaml,
  testnetPlan,
} from "./testnetCompose.ts";

/** The file init-files writes into its output directory (what runs where, accounts, channels). */
export const TESTNET_FILE = "testnet.json";

/**
 * The provider's staking unbonding time in a testnet: 21 days (the Cosmos Hub's), rather than the
 * devnet's hour. It fixes the trusting period (x 0.66, about 13.9 days) of each consumer's light client
 * of the provider, created at launch: `docker compose up` must come within that of init-files, where a
 * devnet's 40 minutes would rarely be enough. It stays above the consumers' unbonding period (20 days,
 * whose 0.66 gives the provider's client of each consumer a 13.2-day trusting period), as ICS requires.
 */
export const TESTNET_UNBONDING_TIME = "1814400s";

/** Options of `icsd testnet init-files`. */
export interface TestnetInitOptions extends TestnetTopology {
  /** The output directory (created; must be empty unless `overwrite`). */
  readonly dir: string;
  /** Replace a previous init-files output (a directory holding testnet.json). */
  readonly overwrite: boolean;
  /** consensus timeout_commit of every node, during init and in the containers. */
  readonly timeoutCommitMs: number;
  /** How long to wait for each step: the provider's first blocks, a consumer's launch. */
  readonly waitTimeoutMs: number;
  readonly progress?: (line: string) => void;
  readonly out?: (line: string) => void;
}

/** A node of testnet.json. */
export interface TestnetNodeRecord {
  readonly service: string;
  readonly name: string;
  /** Its home in its container, and on the host relative to the directory of testnet.json. */
  readonly home: string;
  readonly hostHome: string;
  /** RPC on the compose network, and as published on the host. */
  readonly rpc: string;
  readonly hostRpc: string;
  /** `/dns4/<service>/tcp/26656/p2p/<peer id>`: how its peers dial it. */
  readonly p2p: string;
  readonly peerId: string;
  readonly validator: boolean;
  /** The provider validator's operator account ("validator" key in the provider node's test keyring). */
  readonly operator?: { readonly address: string; readonly mnemonic: string };
  /** A consumer node that signs with its own key, assigned on the provider. */
  readonly assignedKey?: boolean;
}

/** testnet.json: the containers, the funded accounts (test keys) and the channels. */
export interface TestnetFile {
  readonly chains: readonly {
    readonly chainId: string;
    readonly mode: "provider" | "consumer";
    readonly consumerId?: string;
    readonly nodes: readonly TestnetNodeRecord[];
    readonly channels: readonly DevnetChannelRecord[];
  }[];
  readonly relayers: readonly {
    readonly service: string;
    readonly config: string;
    readonly hostConfig: string;
    readonly metrics: string;
    readonly hostMetrics: string;
  }[];
  readonly accounts: readonly DevnetAccountRecord[];
  readonly unbondingTime: string;
  readonly timeoutCommitMs: number;
}

function checkOptions(o: TestnetInitOptions): void {
  const intIn = (v: number, min: number, max: number) => Number.isInteger(v) && v >= min && v <= max;
  if (!intIn(o.validators, 1, TESTNET_MAX_VALIDATORS))
    throw new IcsdError(
      "INVALID_ARGUMENT",
      `--validators must be an integer from 1 to ${TESTNET_MAX_VALIDATORS}, got ${o.validators}`,
    );
  if (!intIn(o.consumers, 0, TESTNET_MAX_CONSUMERS))
    throw new IcsdError(
      "INVALID_ARGUMENT",
      `--consumers must be an integer from 0 to ${TESTNET_MAX_CONSUMERS}, got ${o.consumers}`,
    );
}

/**
 * Makes `dir` ready to receive a testnet: created when missing; an empty directory is used as is; a
 * previous output (testnet.json inside) is emptied with `overwrite`; anything else is refused, so a
 * mistyped --output never deletes a user's files.
 */
function prepareOutputDir(dir: string, overwrite: boolean): "created" | "reused" {
  if (!existsSync(dir)) {
    mkdirSync(dir, { recursive: true });
    return "created";
  }
  const entries = readdirSync(dir);
  if (entries.length === 0) return "reused";
  if (!entries.includes(TESTNET_FILE)) {
    throw new IcsdError(
      "TESTNET_OUTPUT_NOT_EMPTY",
      `${dir} is not empty and holds no ${TESTNET_FILE}: pick an empty or new --output directory`,
    );
  }
  if (!overwrite) {
    throw new IcsdError(
      "TESTNET_OUTPUT_NOT_EMPTY",
      `${dir} already holds a testnet: pass --overwrite to replace it (its chains' data is deleted)`,
    );
  }
  for (const e of entries) rmSync(join(dir, e), { recursive: true, force: true });
  return "reused";
}

/** Sets the provider's unbonding time in every provider home's genesis (before anything ran). */
function setUnbondingTime(provider: DevnetChainRecord, unbondingTime: string): void {
  for (const n of provider.nodes) {
    const path = homePaths(n.home).genesis;
    const doc = loadGenesis(path);
    const appState = doc.appState as Record<string, Record<string, Record<string, unknown>>>;
    const staking = appState.staking ?? {};
    saveGenesis(path, {
      ...doc,
      appState: {
        ...appState,
        staking: { ...staking, params: { ...(staking.params ?? {}), unbonding_time: unbondingTime } },
      },
    });
  }
}

/**
 * Runs the provider on loopback until it produces blocks and launches every consumer (MsgCreateConsumer,
 * opt-ins, consumer genesis written into the consumer homes); every process is stopped on return or
 * failure, and on SIGINT/SIGTERM.
 */
async function runLaunch(dir: string, f: DevnetFile, o: TestnetInitOptions): Promise<void> {
  const progress = o.progress ?? (() => {});
  const s = new Starting(false);
  const provider = f.chains[0]!;
  // Ctrl-C fails the run like any error: the nodes (in their own process groups) are stopped and the
  // half-made output removed.
  let onSignal = () => {};
  const interrupted = new Promise<never>((_, reject) => {
    onSignal = () =>
      reject(new IcsdError("INTERRUPTED", "interrupted: every process stopped, nothing written"));
  });
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  const launch = async () => {
    for (const n of provider.nodes) n.pid = s.add(n.name, spawnNode(n.home));
    progress(`started ${provider.chainId}'s ${provider.nodes.length} validators on 127.0.0.1`);
    const tracked = provider.nodes.map((n) => ({ name: n.name, n }));
    await waitForHeights(s, tracked, [], 2, o.waitTimeoutMs, progress);
    if (f.chains.length > 1) await launchDevnetConsumers(f, { dir, timeoutMs: o.waitTimeoutMs, progress });
  };
  try {
    await Promise.race([launch(), interrupted]);
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    const killed = await stopProcesses(s.pids, 10_000);
    if (killed.length > 0) progress(`killed after grace period: ${killed.join(", ")}`);
  }
}

function peerIdOf(home: string): string {
  return nodeIdFromNodeKey(loadNodeKey(homePaths(home).nodeKey));
}

function dnsPeer(service: string, peerId: string): string {
  return `/dns4/${service}/tcp/${TESTNET_P2P_PORT}/p2p/${peerId}`;
}

/**
 * Rewrites one chain's homes for the compose network: p2p on 0.0.0.0:26656, RPC on 0.0.0.0:26657, every
 * other node of the chain a persistent peer by its service name, client.toml pointing at the node's own
 * service.
 */
function rewriteChainForContainers(
  chain: DevnetChainRecord,
  services: readonly TestnetServicePlan[],
  timeoutCommitMs: number,
): void {
  const peers = chain.nodes.map((n, i) => dnsPeer(services[i]!.service, peerIdOf(n.home)));
  for (const [i, n] of chain.nodes.entries()) {
    const path = homePaths(n.home).configToml;
    const cfg = loadConfig(path);
    saveConfig(
      path,
      devnetConsensus(
        {
          ...cfg,
          p2p: {
            ...cfg.p2p,
            laddr: `/ip4/0.0.0.0/tcp/${TESTNET_P2P_PORT}`,
            persistentPeers: peers.filter((_, j) => j !== i),
          },
          rpc: { laddr: `tcp://0.0.0.0:${TESTNET_RPC_PORT}` },
        },
        timeoutCommitMs,
      ),
    );
    writeClientConfig(n.home, {
      ...defaultClientConfig,
      chainId: chain.chainId,
      node: `tcp://${services[i]!.service}:${TESTNET_RPC_PORT}`,
      keyringBackend: "test",
      bech32Prefix: DEFAULT_BECH32_PREFIX,
      gasPrices: DEVNET_MIN_GAS_PRICES,
    });
    // The init run's log: the containers log to their stdout.
    rmSync(nodeLogPath(n.home), { force: true });
  }
}

/** Writes the relayer's config for the compose network (RPC by service name, metrics on 0.0.0.0). */
function writeRelayerForContainers(dir: string, f: DevnetFile, plan: TestnetPlan): void {
  const r = plan.relayer;
  const account = f.accounts.find((a) => a.name === DEVNET_RELAYER_KEY);
  if (!r || !account) return;
  const rdir = join(dir, r.hostDir);
  mkdirSync(rdir, { recursive: true });
  // Relative: resolved against the config's directory, wherever it is mounted.
  writeFileAtomic(join(rdir, "relayer.mnemonic"), `${account.mnemonic}\n`, 0o600);
  const text = relayerConfigText({
    chains: plan.chains.map((c) => ({
      chainId: c.chainId,
      rpc: `http://${c.nodes[0]!.service}:${TESTNET_RPC_PORT}`,
    })),
    paths: devnetRelayerPaths(f),
    mnemonicFile: "relayer.mnemonic",
    metricsPort: TESTNET_RELAYER_METRICS_PORT,
    metricsHost: "0.0.0.0",
    comment: "The testnet's relayer: written by `icsd testnet init-files` for the compose network.",
  });
  writeFileAtomic(join(rdir, "relayer.toml"), text, 0o644);
}

function testnetFile(f: DevnetFile, plan: TestnetPlan, o: TestnetInitOptions): TestnetFile {
  return {
    chains: f.chains.map((c, ci) => {
      const services = plan.chains[ci]!.nodes;
      return {
        chainId: c.chainId,
        mode: c.mode === "consumer" ? "consumer" : "provider",
        ...(c.consumerId !== undefined ? { consumerId: c.consumerId } : {}),
        nodes: c.nodes.map((n, i) => {
          const sv = services[i]!;
          const peerId = peerIdOf(n.home);
          return {
            service: sv.service,
            name: n.name,
            home: TESTNET_CONTAINER_HOME,
            hostHome: sv.hostHome,
            rpc: `http://${sv.service}:${TESTNET_RPC_PORT}`,
            hostRpc: `http://127.0.0.1:${sv.hostRpcPort}`,
            p2p: dnsPeer(sv.service, peerId),
            peerId,
            validator: n.validator,
            ...(n.operator ? { operator: n.operator } : {}),
            ...(n.assignedKey ? { assignedKey: true } : {}),
          };
        }),
        channels: c.channels ?? [],
      };
    }),
    relayers: plan.relayer
      ? [
          {
            service: plan.relayer.service,
            config: TESTNET_CONTAINER_RELAYER_CONFIG,
            hostConfig: `${plan.relayer.hostDir}/relayer.toml`,
            metrics: `http://${plan.relayer.service}:${TESTNET_RELAYER_METRICS_PORT}/metrics`,
            hostMetrics: `http://127.0.0.1:${plan.relayer.hostMetricsPort}/metrics`,
          },
        ]
      : [],
    accounts: f.accounts,
    unbondingTime: TESTNET_UNBONDING_TIME,
    timeoutCommitMs: o.timeoutCommitMs,
  };
}

function summary(t: TestnetFile, dir: string, out: (l: string) => void): void {
  out(`testnet written to ${dir}:`);
  for (const c of t.chains) {
    const assigned = c.nodes.filter((n) => n.assignedKey).map((n) => n.service);
    out(
      `  ${c.chainId} (${c.mode}${c.consumerId !== undefined ? `, consumer id ${c.consumerId}` : ""}${assigned.length ? `, assigned key: ${assigned.join(", ")}` : ""})`,
    );
    for (const n of c.nodes) out(`    ${n.service.padEnd(14)} home ${n.hostHome}  rpc ${n.hostRpc}`);
  }
  for (const r of t.relayers)
    out(`  ${r.service.padEnd(16)} config ${r.hostConfig}  metrics ${r.hostMetrics}`);
  out(`  ${TESTNET_FILE}: services, homes, accounts (with mnemonics), channels`);
  out("next (see docs/docker.md), in the icsd checkout:");
  out("  docker build -t icsd:local .");
  out(`  docker compose -f ${join(dir, "docker-compose.yml")} up -d`);
}

/**
 * `icsd testnet init-files`: prepares the devnet's homes in `dir`, runs the provider on 127.0.0.1 until
 * every consumer is launched (its genesis written into its nodes' homes), stops every process, rewrites
 * the homes for containers and writes testnet.json and a docker-compose.yml for this topology. On a
 * failure the output directory is emptied again and the error names what failed.
 */
export async function testnetInitFiles(o: TestnetInitOptions): Promise<TestnetFile> {
  checkOptions(o);
  const progress = o.progress ?? ((l: string) => process.stderr.write(`${l}\n`));
  const out = o.out ?? ((l: string) => process.stdout.write(`${l}\n`));
  const dir = resolve(o.dir);
  const made = prepareOutputDir(dir, o.overwrite);
  try {
    const layout = await prepareDevnet({
      dir,
      validators: o.validators,
      chainId: o.chainId,
      timeoutCommitMs: o.timeoutCommitMs,
      consumers: o.consumers,
    });
    const f = layout.file;
    const plan = testnetPlan(o);
    if (plan.chains.some((c, i) => c.chainId !== f.chains[i]?.chainId))
      throw new IcsdError(
        "TESTNET_INVALID",
        "the devnet layout and the container plan name different chains",
      );
    setUnbondingTime(f.chains[0]!, TESTNET_UNBONDING_TIME);
    await runLaunch(dir, f, { ...o, progress });
    for (const [ci, c] of f.chains.entries()) {
      rewriteChainForContainers(c, plan.chains[ci]!.nodes, o.timeoutCommitMs);
    }
    writeRelayerForContainers(dir, f, plan);
    const t = testnetFile(f, plan, o);
    // devnet.json names loopback ports and PIDs of the init run: testnet.json replaces it.
    rmSync(devnetFilePath(dir), { force: true });
    // Test keys, as in devnet.json: the mnemonics are not secrets.
    writeFileSync(join(dir, TESTNET_FILE), `${JSON.stringify(t, null, 2)}\n`);
    writeFileSync(join(dir, "docker-compose.yml"), testnetComposeYaml(plan, ".", outputComposeHeader(o)));
    summary(t, dir, out);
    return t;
  } catch (e) {
    if (made === "created") rmSync(dir, { recursive: true, force: true });
    else for (const entry of readdirSync(dir)) rmSync(join(dir, entry), { recursive: true, force: true });
    throw e;
  }
}
