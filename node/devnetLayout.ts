import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { join, resolve } from "node:path";
import { IcsdError, nowNs } from "../utils/index.ts";
import { loadConfig, parseTcpAddr, saveConfig } from "./config.ts";
import {
  createDevnetAccounts,
  DEVNET_MIN_GAS_PRICES,
  type DevnetAccountRecord,
  fundDevnetAccounts,
  setDevnetMinGasPrices,
  writeDevnetClientConfig,
} from "./devnetAccounts.ts";
import { addDevnetValidators, type DevnetOperatorRecord } from "./devnetStaking.ts";
import { type GenesisDoc, genesisValidator, loadGenesis, newGenesis, saveGenesis } from "./genesis.ts";
import { DEFAULT_BECH32_PREFIX } from "./genesisAccounts.ts";
import { writeFileAtomic } from "./home.ts";
import { initHome } from "./init.ts";
import { Keyring } from "./keyring.ts";
import { loadNodeKey, nodeIdFromNodeKey } from "./keys.ts";
import type { NodeConfig } from "./options.ts";

/** One node as recorded in devnet.json. */
export interface DevnetNodeRecord {
  name: string;
  home: string;
  /** `http://127.0.0.1:<port>` */
  rpc: string;
  /** `/ip4/127.0.0.1/tcp/<port>/p2p/<peer id>` */
  p2p: string;
  /** PID of the last `icsd start` of this node (0 before the first start). */
  pid: number;
  validator: boolean;
  /** The validator's operator account ("validator" key in this node's test keyring). */
  operator?: DevnetOperatorRecord;
  /**
   * A consumer node that signs with its own key, assigned to its validator on the provider (MsgOptIn's
   * consumer_key), rather than with a copy of the validator's provider key.
   */
  assignedKey?: boolean;
}

/** One relayer as recorded in devnet.json. */
export interface DevnetRelayerRecord {
  name: string;
  /** Its TOML config (`icsd relayer start --config`). */
  config: string;
  log: string;
  /** PID of the last start (0 before the first). */
  pid: number;
  /** Metrics endpoint, `http://127.0.0.1:<port>/metrics`. */
  metrics: string;
}

/** A channel end of a devnet chain and the end it is joined to on another chain of the devnet. */
export interface DevnetChannelRecord {
  port: string;
  channel: string;
  counterpartyChainId: string;
  /** Absent in devnets made before consumers: the same port as `port`. */
  counterpartyPort?: string;
  counterpartyChannel: string;
  /** This chain's client of the counterparty chain, which the channel is bound to. */
  clientId: string;
}

/**
 * One chain of a devnet. The first is the provider; the others are consumer chains it launched through
 * MsgCreateConsumer (one consumer node per provider validator).
 */
export interface DevnetChainRecord {
  chainId: string;
  /** "chain": an independent chain joined by a genesis channel, in devnets made before consumers. */
  mode: "provider" | "consumer" | "chain";
  /** The provider's id of this consumer chain, once MsgCreateConsumer was included. */
  consumerId?: string;
  nodes: DevnetNodeRecord[];
  /** CCV and transfer channels to other chains of the devnet (recorded at launch, relayed by the relayer). */
  channels?: DevnetChannelRecord[];
}

/** The devnet.json file: what runs where, for tools and tests. */
export interface DevnetFile {
  chains: DevnetChainRecord[];
  /** Funded test accounts (funded on every chain); their keys are in each chain's node0 test keyring. */
  accounts: DevnetAccountRecord[];
  relayers: DevnetRelayerRecord[];
}

/** Options of a devnet layout. */
export interface DevnetLayoutOptions {
  /** Devnet directory (holds devnet.json and `<chain-id>/node<i>` homes). */
  readonly dir: string;
  readonly validators: number;
  readonly chainId: string;
  readonly timeoutCommitMs: number;
  /** Funded test accounts to create (default 4: faucet, alice, bob, carol). */
  readonly accounts?: number;
  /**
   * Consumer chains to launch from the provider (default 0): chain ids consumer-1..N, each with one node
   * per provider validator, and a relayer on their CCV and transfer channels.
   */
  readonly consumers?: number;
  /**
   * Nodes of each consumer chain (default: one per provider validator): run by the first N provider
   * validators, who are the ones that opt in.
   */
  readonly consumerNodes?: number;
  /** The provider's blocks_per_epoch (default 5): how often consumers get validator-set changes. */
  readonly blocksPerEpoch?: number;
}

/** Path of devnet.json in a devnet directory. */
export function devnetFilePath(dir: string): string {
  return join(resolve(dir), "devnet.json");
}

/** Reads devnet.json; undefined when absent, DEVNET_INVALID when malformed. */
export function readDevnetFile(dir: string): DevnetFile | undefined {
  const path = devnetFilePath(dir);
  if (!existsSync(path)) return undefined;
  let f: DevnetFile;
  try {
    f = JSON.parse(readFileSync(path, "utf8")) as DevnetFile;
  } catch (e) {
    throw new IcsdError("DEVNET_INVALID", `${path}: ${(e as Error).message}`);
  }
  const chain = f?.chains?.[0];
  if (
    !chain ||
    typeof chain.chainId !== "string" ||
    !Array.isArray(chain.nodes) ||
    chain.nodes.length === 0
  ) {
    throw new IcsdError("DEVNET_INVALID", `${path}: expected chains[0] with nodes`);
  }
  // devnet.json files written before accounts existed have none.
  if (!Array.isArray(f.accounts)) f.accounts = [];
  return f;
}

/** Writes devnet.json atomically. */
export function writeDevnetFile(dir: string, f: DevnetFile): void {
  writeFileAtomic(devnetFilePath(dir), `${JSON.stringify(f, null, 2)}\n`, 0o644);
}

/**
 * `n` distinct free TCP ports on 127.0.0.1, asked of the OS (listen on port 0). All listeners are held
 * open until every port is known, so the same port is never returned twice.
 */
export async function freePorts(n: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    const ports: number[] = [];
    for (let i = 0; i < n; i++) {
      const s = createServer();
      servers.push(s);
      await new Promise<void>((res, rej) => {
        s.once("error", rej);
        s.listen(0, "127.0.0.1", () => res());
      });
      const a = s.address();
      if (!a || typeof a === "string") throw new Error("no address");
      ports.push(a.port);
    }
    return ports;
  } finally {
    await Promise.all(servers.map((s) => new Promise<void>((res) => s.close(() => res()))));
  }
}

/** True when nothing listens on 127.0.0.1:`port` and we may bind it. */
export function isPortFree(port: number): Promise<boolean> {
  return new Promise((res) => {
    const s = createServer();
    s.once("error", () => res(false));
    s.listen(port, "127.0.0.1", () => s.close(() => res(true)));
  });
}

/** Fast consensus timeouts for a local devnet (propose 1s, votes 500ms, commit as given). */
export function devnetConsensus(cfg: NodeConfig, timeoutCommitMs: number): NodeConfig {
  return {
    ...cfg,
    consensus: {
      ...cfg.consensus,
      timeoutProposeMs: 1000,
      timeoutProposeDeltaMs: 200,
      timeoutPrevoteMs: 500,
      timeoutPrevoteDeltaMs: 200,
      timeoutPrecommitMs: 500,
      timeoutPrecommitDeltaMs: 200,
      timeoutCommitMs,
    },
  };
}

interface PlannedNode {
  name: string;
  home: string;
  peerId: string;
  p2pPort: number;
  rpcPort: number;
}

function p2pAddr(n: PlannedNode): string {
  return `/ip4/127.0.0.1/tcp/${n.p2pPort}/p2p/${n.peerId}`;
}

/**
 * Writes each node's ports and its persistent peers (every other node) into its config.toml, and its
 * client.toml (chain id, its own RPC address, the test keyring).
 */
function writeNodeConfigs(chainId: string, nodes: PlannedNode[], timeoutCommitMs: number | undefined): void {
  for (const n of nodes) {
    writeDevnetClientConfig(n.home, chainId, n.rpcPort);
    const path = join(n.home, "config", "config.toml");
    let cfg = loadConfig(path);
    cfg = {
      ...cfg,
      moniker: n.name,
      p2p: {
        ...cfg.p2p,
        laddr: `/ip4/127.0.0.1/tcp/${n.p2pPort}`,
        persistentPeers: nodes.filter((o) => o !== n).map(p2pAddr),
      },
      rpc: { laddr: `tcp://127.0.0.1:${n.rpcPort}` },
    };
    if (timeoutCommitMs !== undefined) cfg = devnetConsensus(cfg, timeoutCommitMs);
    saveConfig(path, cfg);
  }
}

function chainRecord(
  base: Omit<DevnetChainRecord, "nodes">,
  nodes: PlannedNode[],
  previous?: readonly DevnetNodeRecord[],
): DevnetChainRecord {
  const { chainId, mode, consumerId, channels } = base;
  return {
    chainId,
    mode,
    ...(consumerId !== undefined ? { consumerId } : {}),
    nodes: nodes.map((n, i) => {
      const p = previous?.[i];
      return {
        name: n.name,
        home: n.home,
        rpc: `http://127.0.0.1:${n.rpcPort}`,
        p2p: p2pAddr(n),
        pid: p?.pid ?? 0,
        validator: true,
        ...(p?.operator ? { operator: p.operator } : {}),
        ...(p?.assignedKey ? { assignedKey: true } : {}),
      };
    }),
    ...(channels ? { channels } : {}),
  };
}

/** A prepared devnet: homes exist, configs point at free ports, devnet.json is written (pids 0). */
export interface DevnetLayout {
  readonly dir: string;
  readonly file: DevnetFile;
  /** True when an existing devnet was reused. */
  readonly resumed: boolean;
}

/** Name of the relayer's key (funded on every chain) and of the devnet's relayer. */
export const DEVNET_RELAYER_KEY = "relayer";

/** Chain ids of a devnet's consumer chains: consumer-1 .. consumer-N. */
export function consumerChainIds(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `consumer-${i + 1}`);
}

/**
 * Index of the provider validator whose consumer nodes sign with an assigned key (their own), so the
 * devnet shows key assignment: the last validator. The others copy their provider key.
 */
export function assignedKeyIndex(validators: number): number {
  return validators - 1;
}

/** Creates `count` node homes of one chain under DIR/<chain-id>/node<i> with free loopback ports. */
async function planNodes(
  dir: string,
  chainId: string,
  count: number,
  genesisTime: bigint,
  mode: "provider" | "consumer",
): Promise<PlannedNode[]> {
  const nodes: PlannedNode[] = [];
  const ports = await freePorts(count * 2);
  for (let i = 0; i < count; i++) {
    const name = `node${i}`;
    const home = join(dir, chainId, name);
    // A consumer home starts with an empty `ccvconsumer` placeholder genesis, filled at launch.
    const r = initHome({ home, moniker: name, chainId, genesisTime, overwrite: true, mode });
    nodes.push({
      name,
      home: r.paths.home,
      peerId: r.peerId,
      p2pPort: ports[2 * i]!,
      rpcPort: ports[2 * i + 1]!,
    });
  }
  return nodes;
}

/** Creates the provider's validator homes sharing a genesis (staking validators from gentxs). */
async function createProvider(
  dir: string,
  chainId: string,
  validators: number,
  genesisTime: bigint,
  accountCount: number,
  blocksPerEpoch: number | undefined,
): Promise<{
  nodes: PlannedNode[];
  genesis: GenesisDoc;
  accounts: DevnetAccountRecord[];
  operators: DevnetOperatorRecord[];
}> {
  const nodes = await planNodes(dir, chainId, validators, genesisTime, "provider");
  const initial = nodes.map((n) => {
    const doc = loadGenesis(join(n.home, "config", "genesis.json"));
    return genesisValidator(doc.validators[0]!.pubKey, 10n, n.name);
  });
  const base = newGenesis({ chainId, genesisTime, validators: initial });
  const funded = await createDevnetAccounts(base, nodes[0]!.home, accountCount);
  const staked = await addDevnetValidators(funded.genesis, nodes);
  let genesis = staked.genesis;
  if (blocksPerEpoch !== undefined) {
    const app = genesis.appState as Record<string, { params?: Record<string, unknown> }>;
    const provider = app.provider ?? {};
    genesis = {
      ...genesis,
      appState: {
        ...app,
        provider: { ...provider, params: { ...provider.params, blocks_per_epoch: String(blocksPerEpoch) } },
      },
    };
  }
  return { nodes, genesis, accounts: funded.accounts, operators: staked.operators };
}

function saveChain(
  chainId: string,
  nodes: PlannedNode[],
  genesis: GenesisDoc | undefined,
  timeoutCommitMs: number,
): void {
  for (const n of nodes) {
    if (genesis) saveGenesis(join(n.home, "config", "genesis.json"), genesis);
    setDevnetMinGasPrices(n.home);
  }
  writeNodeConfigs(chainId, nodes, timeoutCommitMs);
}

/** One relayer path: two channel ends, each with its chain's client of the other chain. */
export interface DevnetRelayerPath {
  readonly a: { chain: string; clientId: string; port: string; channel: string };
  readonly b: { chain: string; clientId: string; port: string; channel: string };
}

/**
 * The relayer paths of a devnet: one per channel the provider recorded (its CCV and transfer channels
 * to each launched consumer), the consumer's end found in that consumer's channel records.
 */
export function devnetRelayerPaths(f: DevnetFile): DevnetRelayerPath[] {
  const provider = f.chains[0];
  if (!provider) return [];
  const paths: DevnetRelayerPath[] = [];
  for (const ch of provider.channels ?? []) {
    const other = f.chains.find((c) => c.chainId === ch.counterpartyChainId);
    // Devnets made before consumers recorded no counterpartyPort: both ends had the same port.
    const end = other?.channels?.find(
      (o) => o.port === (ch.counterpartyPort ?? ch.port) && o.channel === ch.counterpartyChannel,
    );
    if (!other || !end) continue;
    paths.push({
      a: { chain: provider.chainId, clientId: ch.clientId, port: ch.port, channel: ch.channel },
      b: { chain: other.chainId, clientId: end.clientId, port: end.port, channel: end.channel },
    });
  }
  return paths;
}

/** The relayer's TOML (`icsd relayer start --config`): every chain of `paths`, signing with one key. */
export function relayerConfigText(opts: {
  readonly chains: readonly { readonly chainId: string; readonly rpc: string }[];
  readonly paths: readonly DevnetRelayerPath[];
  readonly mnemonicFile: string;
  readonly metricsPort: number;
  /** Host of `metrics_listen` (default 127.0.0.1; a container listens on 0.0.0.0 to publish it). */
  readonly metricsHost?: string;
  /** The first comment line (default: the devnet's). */
  readonly comment?: string;
}): string {
  const used = new Set(opts.paths.flatMap((p) => [p.a.chain, p.b.chain]));
  const chainToml = opts.chains
    .filter((c) => used.has(c.chainId))
    .map(
      (c) => `[[chains]]
id = ${JSON.stringify(c.chainId)}
rpc = ${JSON.stringify(c.rpc)}
prefix = "${DEFAULT_BECH32_PREFIX}"
gas_price = "${DEVNET_MIN_GAS_PRICES}"
gas_adjustment = 1.5
mnemonic_file = ${JSON.stringify(opts.mnemonicFile)}
`,
    )
    .join("\n");
  const end = (e: DevnetRelayerPath["a"]) =>
    `{ chain = ${JSON.stringify(e.chain)}, client_id = "${e.clientId}", port = "${e.port}", channel = "${e.channel}" }`;
  const pathToml = opts.paths.map((p) => `[[paths]]\na = ${end(p.a)}\nb = ${end(p.b)}\n`).join("\n");
  const comment = opts.comment ?? "The devnet's relayer: written by `icsd devnet up` on every start.";
  return `# ${comment}
[global]
poll_interval_ms = 200
max_msgs_per_tx = 100
metrics_listen = "${opts.metricsHost ?? "127.0.0.1"}:${opts.metricsPort}"

${chainToml}
${pathToml}`;
}

function metricsPortOf(r: DevnetRelayerRecord): number {
  return Number(/:(\d+)\/metrics$/.exec(r.metrics ?? "")?.[1] ?? 0);
}

/**
 * Writes the relayer's config from devnet.json's channels (and its key's mnemonic file); false when no
 * channel is recorded yet (no consumer launched), so there is nothing to relay.
 */
export function writeDevnetRelayerConfig(dir: string, f: DevnetFile, r: DevnetRelayerRecord): boolean {
  const paths = devnetRelayerPaths(f);
  const account = f.accounts.find((a) => a.name === DEVNET_RELAYER_KEY);
  if (paths.length === 0 || !account) return false;
  const rdir = join(dir, "relayer");
  mkdirSync(rdir, { recursive: true });
  const mnemonicFile = join(rdir, "relayer.mnemonic");
  writeFileAtomic(mnemonicFile, `${account.mnemonic}\n`, 0o600);
  const text = relayerConfigText({
    chains: f.chains.map((c) => ({ chainId: c.chainId, rpc: c.nodes[0]!.rpc })),
    paths,
    mnemonicFile,
    metricsPort: metricsPortOf(r),
  });
  writeFileAtomic(r.config, text, 0o644);
  return true;
}

function relayerRecord(dir: string, metricsPort: number): DevnetRelayerRecord {
  const rdir = join(dir, "relayer");
  return {
    name: DEVNET_RELAYER_KEY,
    config: join(rdir, "relayer.toml"),
    log: join(rdir, "relayer.log"),
    pid: 0,
    metrics: `http://127.0.0.1:${metricsPort}/metrics`,
  };
}

/**
 * Creates (or, when DIR/devnet.json exists, resumes) a devnet's homes: the provider's N validator homes
 * sharing one genesis whose validators are staking validators created by gentxs (see devnetStaking.ts),
 * free loopback ports, every node peering with every other, funded test accounts (keys in node0's test
 * keyring, mnemonics in devnet.json) and a gas price floor of 0.0025stake. With `consumers`, each consumer
 * chain gets N node homes holding a placeholder consumer genesis (filled when the provider launches it,
 * see devnetConsumer.ts), and a relayer key is funded. On resume the homes and genesis are kept and ports
 * are re-picked only when a recorded one is busy.
 */
export async function prepareDevnet(opts: DevnetLayoutOptions): Promise<DevnetLayout> {
  const dir = resolve(opts.dir);
  const existing = readDevnetFile(dir);
  if (existing) return resumeDevnet(dir, existing);
  if (!Number.isInteger(opts.validators) || opts.validators < 1) {
    throw new IcsdError("INVALID_ARGUMENT", "--validators must be a positive integer");
  }
  const consumers = opts.consumers ?? 0;
  if (!Number.isInteger(consumers) || consumers < 0 || consumers > 20) {
    throw new IcsdError("INVALID_ARGUMENT", "--consumers must be an integer from 0 to 20");
  }
  const consumerNodes = opts.consumerNodes ?? opts.validators;
  if (!Number.isInteger(consumerNodes) || consumerNodes < 1 || consumerNodes > opts.validators) {
    throw new IcsdError(
      "INVALID_ARGUMENT",
      `--consumer-nodes must be an integer from 1 to the number of validators (${opts.validators})`,
    );
  }
  const bpe = opts.blocksPerEpoch;
  if (bpe !== undefined && (!Number.isInteger(bpe) || bpe < 1 || bpe > 1_000_000)) {
    throw new IcsdError("INVALID_ARGUMENT", "--blocks-per-epoch must be an integer from 1 to 1000000");
  }
  const consumerIds = consumerChainIds(consumers);
  if (consumerIds.includes(opts.chainId)) {
    throw new IcsdError(
      "INVALID_ARGUMENT",
      `the provider chain id ${opts.chainId} is also a consumer's chain id: pick another --chain-id`,
    );
  }
  const accountCount = opts.accounts ?? 4;
  if (!Number.isInteger(accountCount) || accountCount < 0 || accountCount > 1000) {
    throw new IcsdError(
      "INVALID_ARGUMENT",
      "the number of devnet accounts must be an integer from 0 to 1000",
    );
  }
  const genesisTime = nowNs();
  const provider = await createProvider(dir, opts.chainId, opts.validators, genesisTime, accountCount, bpe);
  const operators = provider.operators.map((operator) => ({ operator }) as DevnetNodeRecord);
  if (consumers === 0) {
    saveChain(opts.chainId, provider.nodes, provider.genesis, opts.timeoutCommitMs);
    const file: DevnetFile = {
      chains: [chainRecord({ chainId: opts.chainId, mode: "provider" }, provider.nodes, operators)],
      accounts: provider.accounts,
      relayers: [],
    };
    writeDevnetFile(dir, file);
    return { dir, file, resumed: false };
  }

  // The relayer's key: funded on every chain like the test accounts.
  const relayerKeyring = new Keyring({
    home: join(dir, "relayer"),
    backend: "test",
    prefix: DEFAULT_BECH32_PREFIX,
  });
  // A half-created devnet (no devnet.json yet) may have left the key behind; a new devnet gets a new one.
  if (relayerKeyring.has(DEVNET_RELAYER_KEY)) relayerKeyring.delete(DEVNET_RELAYER_KEY);
  const relayerKey = await relayerKeyring.add(DEVNET_RELAYER_KEY);
  const relayerAccount: DevnetAccountRecord = {
    name: DEVNET_RELAYER_KEY,
    address: relayerKey.address,
    mnemonic: relayerKey.mnemonic,
  };
  const accounts = [...provider.accounts, relayerAccount];
  const genesis = await fundDevnetAccounts(provider.genesis, provider.nodes[0]!.home, [relayerAccount]);
  saveChain(opts.chainId, provider.nodes, genesis, opts.timeoutCommitMs);
  const chains = [chainRecord({ chainId: opts.chainId, mode: "provider" }, provider.nodes, operators)];
  const assigned = assignedKeyIndex(consumerNodes);
  for (const chainId of consumerIds) {
    const nodes = await planNodes(dir, chainId, consumerNodes, genesisTime, "consumer");
    saveChain(chainId, nodes, undefined, opts.timeoutCommitMs);
    const marks = nodes.map((_, i) => ({ assignedKey: i === assigned }) as DevnetNodeRecord);
    chains.push(chainRecord({ chainId, mode: "consumer" }, nodes, marks));
  }
  const [metricsPort] = await freePorts(1);
  const file: DevnetFile = { chains, accounts, relayers: [relayerRecord(dir, metricsPort!)] };
  writeDevnetFile(dir, file);
  return { dir, file, resumed: false };
}

/** A recorded chain's nodes with the ports their configs listen on. */
function recordedNodes(chain: DevnetChainRecord): PlannedNode[] {
  return chain.nodes.map((r) => {
    const cfg = loadConfig(join(r.home, "config", "config.toml"));
    const p2pPort = Number(/\/tcp\/(\d+)/.exec(cfg.p2p.laddr)?.[1] ?? 0);
    const rpcPort = parseTcpAddr(cfg.rpc.laddr)?.port ?? 0;
    return {
      name: r.name,
      home: r.home,
      peerId: nodeIdFromNodeKey(loadNodeKey(join(r.home, "config", "node_key.json"))),
      p2pPort,
      rpcPort,
    };
  });
}

/**
 * Gives every node of `chain` ports that are free and not in `used` (re-picking only the busy ones) and
 * rewrites the chain's configs when one changed; adds its ports to `used`. The record keeps pids only
 * when `keepPids`.
 */
async function freeChainPorts(
  chain: DevnetChainRecord,
  used: Set<number>,
  keepPids: boolean,
): Promise<DevnetChainRecord> {
  const nodes = recordedNodes(chain);
  let changed = false;
  for (const n of nodes) {
    for (const key of ["p2pPort", "rpcPort"] as const) {
      if (n[key] === 0 || used.has(n[key]) || !(await isPortFree(n[key]))) {
        let [p] = await freePorts(1);
        while (used.has(p!)) [p] = await freePorts(1);
        n[key] = p!;
        changed = true;
      }
      used.add(n[key]);
    }
  }
  // Ports changed: every node's peer list must follow, so all configs are rewritten.
  if (changed) writeNodeConfigs(chain.chainId, nodes, undefined);
  const { nodes: previous, ...base } = chain;
  return chainRecord(
    base,
    nodes,
    previous.map((n) => (keepPids ? n : { ...n, pid: 0 })),
  );
}

/**
 * Just before a chain's nodes start: ports picked when the devnet was laid out may have been taken since
 * (a consumer's nodes start only after the provider launched it, and outgoing connections use ephemeral
 * ports), so busy ones are re-picked and the chain's record in `f` (in place) and its configs are updated.
 */
export async function refreshDevnetPorts(f: DevnetFile, chainId: string): Promise<void> {
  const i = f.chains.findIndex((c) => c.chainId === chainId);
  if (i < 0) throw new IcsdError("DEVNET_INVALID", `devnet.json has no chain ${chainId}`);
  const used = new Set<number>();
  for (const c of f.chains) {
    if (c.chainId === chainId) continue;
    for (const n of c.nodes) {
      used.add(Number(new URL(n.rpc).port));
      used.add(Number(/\/tcp\/(\d+)/.exec(n.p2p)?.[1] ?? 0));
    }
  }
  for (const r of f.relayers ?? []) used.add(metricsPortOf(r));
  // In place: callers hold the record.
  Object.assign(f.chains[i]!, await freeChainPorts(f.chains[i]!, used, true));
}

async function resumeDevnet(dir: string, existing: DevnetFile): Promise<DevnetLayout> {
  const used = new Set<number>();
  const chains: DevnetChainRecord[] = [];
  for (const chain of existing.chains) chains.push(await freeChainPorts(chain, used, false));
  const relayers: DevnetRelayerRecord[] = [];
  for (const r of existing.relayers ?? []) {
    const oldPort = metricsPortOf(r);
    const portFree = oldPort > 0 && !used.has(oldPort) && (await isPortFree(oldPort));
    const [port] = portFree ? [oldPort] : await freePorts(1);
    used.add(port!);
    // The config itself is rewritten by `devnet up` before the relayer starts.
    relayers.push({ ...relayerRecord(dir, port!), config: r.config, log: r.log });
  }
  const file: DevnetFile = { chains, accounts: existing.accounts, relayers };
  writeDevnetFile(dir, file);
  return { dir, file, resumed: true };
}
