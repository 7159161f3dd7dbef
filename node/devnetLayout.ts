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
import { addIbcPath } from "./ibcGenesis.ts";
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

/** One chain of a devnet. The first is the provider; a second one is joined to it by a channel. */
export interface DevnetChainRecord {
  chainId: string;
  mode: "provider" | "chain";
  nodes: DevnetNodeRecord[];
  /** Channels to other chains of the devnet (genesis-opened, relayed by the devnet's relayer). */
  channels?: {
    port: string;
    channel: string;
    counterpartyChainId: string;
    counterpartyChannel: string;
    clientId: string;
  }[];
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
   * A second chain joined to the first by a transfer channel (channel-0 on both sides, each chain holding
   * a light client of the other from genesis) and a relayer between them.
   */
  readonly secondChain?: { readonly chainId: string; readonly validators: number };
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
  chainId: string,
  mode: DevnetChainRecord["mode"],
  nodes: PlannedNode[],
  operators: readonly (DevnetOperatorRecord | undefined)[],
  channels?: DevnetChainRecord["channels"],
): DevnetChainRecord {
  return {
    chainId,
    mode,
    nodes: nodes.map((n, i) => ({
      name: n.name,
      home: n.home,
      rpc: `http://127.0.0.1:${n.rpcPort}`,
      p2p: p2pAddr(n),
      pid: 0,
      validator: true,
      ...(operators[i] ? { operator: operators[i] } : {}),
    })),
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

/** The devnet's transfer channel and the clients it is bound to (the same ids on both chains). */
export const DEVNET_CHANNEL = { port: "transfer", channel: "channel-0", clientId: "07-icsd-0" } as const;
const RELAYER_KEY = "relayer";

/** Creates one chain's validator homes sharing a genesis (staking validators from gentxs). */
async function createChain(
  dir: string,
  chainId: string,
  validators: number,
  genesisTime: bigint,
  accounts: { count: number } | { fund: readonly DevnetAccountRecord[] },
): Promise<{
  nodes: PlannedNode[];
  genesis: GenesisDoc;
  accounts: DevnetAccountRecord[];
  operators: DevnetOperatorRecord[];
}> {
  const nodes: PlannedNode[] = [];
  const ports = await freePorts(validators * 2);
  for (let i = 0; i < validators; i++) {
    const name = `node${i}`;
    const home = join(dir, chainId, name);
    const r = initHome({ home, moniker: name, chainId, genesisTime, overwrite: true });
    nodes.push({
      name,
      home: r.paths.home,
      peerId: r.peerId,
      p2pPort: ports[2 * i]!,
      rpcPort: ports[2 * i + 1]!,
    });
  }
  const initial = nodes.map((n) => {
    const doc = loadGenesis(join(n.home, "config", "genesis.json"));
    return genesisValidator(doc.validators[0]!.pubKey, 10n, n.name);
  });
  const base = newGenesis({ chainId, genesisTime, validators: initial });
  const funded =
    "count" in accounts
      ? await createDevnetAccounts(base, nodes[0]!.home, accounts.count)
      : {
          genesis: await fundDevnetAccounts(base, nodes[0]!.home, accounts.fund),
          accounts: [...accounts.fund],
        };
  const staked = await addDevnetValidators(funded.genesis, nodes);
  return { nodes, genesis: staked.genesis, accounts: funded.accounts, operators: staked.operators };
}

function saveChain(
  chainId: string,
  nodes: PlannedNode[],
  genesis: GenesisDoc,
  timeoutCommitMs: number,
): void {
  for (const n of nodes) {
    saveGenesis(join(n.home, "config", "genesis.json"), genesis);
    setDevnetMinGasPrices(n.home);
  }
  writeNodeConfigs(chainId, nodes, timeoutCommitMs);
}

/** Writes the relayer's config (and its key's mnemonic file) for the devnet's two chains. */
function writeRelayerConfig(
  dir: string,
  chains: readonly DevnetChainRecord[],
  mnemonic: string,
  metricsPort: number,
): DevnetRelayerRecord {
  const rdir = join(dir, "relayer");
  mkdirSync(rdir, { recursive: true });
  const mnemonicFile = join(rdir, "relayer.mnemonic");
  writeFileAtomic(mnemonicFile, `${mnemonic}\n`, 0o600);
  const chainToml = chains
    .map(
      (c) => `[[chains]]
id = "${c.chainId}"
rpc = "${c.nodes[0]!.rpc}"
prefix = "cosmos"
gas_price = "${DEVNET_MIN_GAS_PRICES}"
gas_adjustment = 1.5
mnemonic_file = "${mnemonicFile}"
`,
    )
    .join("\n");
  const [a, b] = chains;
  const end = (c: DevnetChainRecord) =>
    `{ chain = "${c.chainId}", client_id = "${DEVNET_CHANNEL.clientId}", port = "${DEVNET_CHANNEL.port}", channel = "${DEVNET_CHANNEL.channel}" }`;
  const text = `# The devnet's relayer: written by \`icsd devnet up\`, rewritten when ports change.
[global]
poll_interval_ms = 200
max_msgs_per_tx = 100
metrics_listen = "127.0.0.1:${metricsPort}"

${chainToml}
[[paths]]
a = ${end(a!)}
b = ${end(b!)}
`;
  const config = join(rdir, "relayer.toml");
  writeFileAtomic(config, text, 0o644);
  return {
    name: RELAYER_KEY,
    config,
    log: join(rdir, "relayer.log"),
    pid: 0,
    metrics: `http://127.0.0.1:${metricsPort}/metrics`,
  };
}

/**
 * Creates (or, when DIR/devnet.json exists, resumes) a devnet's homes: N validator homes sharing one
 * genesis whose validators are staking validators created by gentxs (see devnetStaking.ts), free loopback
 * ports, every node peering with every other, funded test accounts (keys in node0's test keyring,
 * mnemonics in devnet.json) and a gas price floor of 0.0025stake. With `secondChain`, a second chain
 * built the same way funds the same accounts, both genesis files get a light client of the other chain
 * and a transfer channel (see ibcGenesis.ts), and a relayer config joins them. On resume the homes and
 * genesis are kept and ports are re-picked only when a recorded one is busy.
 */
export async function prepareDevnet(opts: DevnetLayoutOptions): Promise<DevnetLayout> {
  const dir = resolve(opts.dir);
  const existing = readDevnetFile(dir);
  if (existing) return resumeDevnet(dir, existing);
  if (!Number.isInteger(opts.validators) || opts.validators < 1) {
    throw new IcsdError("INVALID_ARGUMENT", "--validators must be a positive integer");
  }
  const second = opts.secondChain;
  if (second) {
    if (!Number.isInteger(second.validators) || second.validators < 1) {
      throw new IcsdError("INVALID_ARGUMENT", "the second chain's validators must be a positive integer");
    }
    if (second.chainId === opts.chainId) {
      throw new IcsdError(
        "INVALID_ARGUMENT",
        `the two chains need different chain ids (both are ${opts.chainId})`,
      );
    }
  }
  const accountCount = opts.accounts ?? 4;
  if (!Number.isInteger(accountCount) || accountCount < 0 || accountCount > 1000) {
    throw new IcsdError(
      "INVALID_ARGUMENT",
      "the number of devnet accounts must be an integer from 0 to 1000",
    );
  }
  const genesisTime = nowNs();
  const first = await createChain(dir, opts.chainId, opts.validators, genesisTime, { count: accountCount });
  if (!second) {
    saveChain(opts.chainId, first.nodes, first.genesis, opts.timeoutCommitMs);
    const file: DevnetFile = {
      chains: [chainRecord(opts.chainId, "provider", first.nodes, first.operators)],
      accounts: first.accounts,
      relayers: [],
    };
    writeDevnetFile(dir, file);
    return { dir, file, resumed: false };
  }

  // The relayer's key: funded on both chains like the test accounts.
  const relayerKeyring = new Keyring({
    home: join(dir, "relayer"),
    backend: "test",
    prefix: DEFAULT_BECH32_PREFIX,
  });
  // A half-created devnet (no devnet.json yet) may have left the key behind; a new devnet gets a new one.
  if (relayerKeyring.has(RELAYER_KEY)) relayerKeyring.delete(RELAYER_KEY);
  const relayerKey = await relayerKeyring.add(RELAYER_KEY);
  const relayerAccount: DevnetAccountRecord = {
    name: RELAYER_KEY,
    address: relayerKey.address,
    mnemonic: relayerKey.mnemonic,
  };
  const accounts = [...first.accounts, relayerAccount];
  const firstGenesis = await fundDevnetAccounts(first.genesis, first.nodes[0]!.home, [relayerAccount]);
  const other = await createChain(dir, second.chainId, second.validators, genesisTime, { fund: accounts });
  const path = {
    clientId: DEVNET_CHANNEL.clientId,
    counterpartyApp: "icsd" as const,
    portId: DEVNET_CHANNEL.port,
    channelId: DEVNET_CHANNEL.channel,
    counterpartyPortId: DEVNET_CHANNEL.port,
    counterpartyChannelId: DEVNET_CHANNEL.channel,
    ordering: "unordered" as const,
    version: "ics20-1",
  };
  const genA = await addIbcPath(firstGenesis, { ...path, counterparty: other.genesis });
  const genB = await addIbcPath(other.genesis, { ...path, counterparty: firstGenesis });
  saveChain(opts.chainId, first.nodes, genA, opts.timeoutCommitMs);
  saveChain(second.chainId, other.nodes, genB, opts.timeoutCommitMs);
  const channel = (counterpartyChainId: string) => [
    {
      port: DEVNET_CHANNEL.port,
      channel: DEVNET_CHANNEL.channel,
      counterpartyChainId,
      counterpartyChannel: DEVNET_CHANNEL.channel,
      clientId: DEVNET_CHANNEL.clientId,
    },
  ];
  const chains = [
    chainRecord(opts.chainId, "provider", first.nodes, first.operators, channel(second.chainId)),
    chainRecord(second.chainId, "chain", other.nodes, other.operators, channel(opts.chainId)),
  ];
  const [metricsPort] = await freePorts(1);
  const file: DevnetFile = {
    chains,
    accounts,
    relayers: [writeRelayerConfig(dir, chains, relayerAccount.mnemonic, metricsPort!)],
  };
  writeDevnetFile(dir, file);
  return { dir, file, resumed: false };
}

async function resumeDevnet(dir: string, existing: DevnetFile): Promise<DevnetLayout> {
  const used = new Set<number>();
  let anyChanged = false;
  const chains: DevnetChainRecord[] = [];
  for (const chain of existing.chains) {
    const nodes: PlannedNode[] = chain.nodes.map((r) => {
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
    anyChanged ||= changed;
    chains.push(
      chainRecord(
        chain.chainId,
        chain.mode,
        nodes,
        chain.nodes.map((r) => r.operator),
        chain.channels,
      ),
    );
  }
  const relayers: DevnetRelayerRecord[] = [];
  const relayerAccount = existing.accounts.find((a) => a.name === RELAYER_KEY);
  for (const r of existing.relayers ?? []) {
    const oldPort = Number(/:(\d+)\/metrics$/.exec(r.metrics ?? "")?.[1] ?? 0);
    const portFree = oldPort > 0 && !used.has(oldPort) && (await isPortFree(oldPort));
    if (relayerAccount && chains.length >= 2 && (anyChanged || !portFree)) {
      const [p] = portFree ? [oldPort] : await freePorts(1);
      relayers.push(writeRelayerConfig(dir, chains, relayerAccount.mnemonic, p!));
    } else {
      relayers.push({ ...r, pid: 0 });
    }
  }
  const file: DevnetFile = { chains, accounts: existing.accounts, relayers };
  writeDevnetFile(dir, file);
  return { dir, file, resumed: true };
}
