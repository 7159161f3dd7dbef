import { existsSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { join, resolve } from "node:path";
import { IcsdError, nowNs } from "../utils/index.ts";
import { loadConfig, parseTcpAddr, saveConfig } from "./config.ts";
import {
  createDevnetAccounts,
  type DevnetAccountRecord,
  setDevnetMinGasPrices,
  writeDevnetClientConfig,
} from "./devnetAccounts.ts";
import { addDevnetValidators, type DevnetOperatorRecord } from "./devnetStaking.ts";
import { genesisValidator, loadGenesis, newGenesis, saveGenesis } from "./genesis.ts";
import { writeFileAtomic } from "./home.ts";
import { initHome } from "./init.ts";
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

/** The devnet.json file: what runs where, for tools and tests. */
export interface DevnetFile {
  chains: { chainId: string; mode: "provider"; nodes: DevnetNodeRecord[] }[];
  /** Funded test accounts; their keys are in node0's test keyring. */
  accounts: DevnetAccountRecord[];
  relayers: unknown[];
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

function toFile(
  chainId: string,
  nodes: PlannedNode[],
  pids: number[],
  accounts: DevnetAccountRecord[],
  operators: readonly (DevnetOperatorRecord | undefined)[],
): DevnetFile {
  return {
    chains: [
      {
        chainId,
        mode: "provider",
        nodes: nodes.map((n, i) => ({
          name: n.name,
          home: n.home,
          rpc: `http://127.0.0.1:${n.rpcPort}`,
          p2p: p2pAddr(n),
          pid: pids[i] ?? 0,
          validator: true,
          ...(operators[i] ? { operator: operators[i] } : {}),
        })),
      },
    ],
    accounts,
    relayers: [],
  };
}

/** A prepared devnet: homes exist, configs point at free ports, devnet.json is written (pids 0). */
export interface DevnetLayout {
  readonly dir: string;
  readonly file: DevnetFile;
  /** True when an existing devnet was reused. */
  readonly resumed: boolean;
}

/**
 * Creates (or, when DIR/devnet.json exists, resumes) a devnet's homes: N validator homes sharing one
 * genesis whose validators are staking validators created by gentxs (see devnetStaking.ts), free loopback ports, every node peering with every other, funded test
 * accounts (keys in node0's test keyring, mnemonics in devnet.json) and a gas price floor of
 * 0.0025stake. On resume the homes and genesis are kept and ports are re-picked only when a recorded one
 * is busy.
 */
export async function prepareDevnet(opts: DevnetLayoutOptions): Promise<DevnetLayout> {
  const dir = resolve(opts.dir);
  const existing = readDevnetFile(dir);
  if (existing) return resumeDevnet(dir, existing);
  if (!Number.isInteger(opts.validators) || opts.validators < 1) {
    throw new IcsdError("INVALID_ARGUMENT", "--validators must be a positive integer");
  }
  const accountCount = opts.accounts ?? 4;
  if (!Number.isInteger(accountCount) || accountCount < 0 || accountCount > 1000) {
    throw new IcsdError(
      "INVALID_ARGUMENT",
      "the number of devnet accounts must be an integer from 0 to 1000",
    );
  }
  const genesisTime = nowNs();
  const nodes: PlannedNode[] = [];
  const ports = await freePorts(opts.validators * 2);
  for (let i = 0; i < opts.validators; i++) {
    const name = `node${i}`;
    const home = join(dir, opts.chainId, name);
    const r = initHome({ home, moniker: name, chainId: opts.chainId, genesisTime, overwrite: true });
    nodes.push({
      name,
      home: r.paths.home,
      peerId: r.peerId,
      p2pPort: ports[2 * i]!,
      rpcPort: ports[2 * i + 1]!,
    });
  }
  const validators = nodes.map((n) => {
    const doc = loadGenesis(join(n.home, "config", "genesis.json"));
    return genesisValidator(doc.validators[0]!.pubKey, 10n, n.name);
  });
  const funded = await createDevnetAccounts(
    newGenesis({ chainId: opts.chainId, genesisTime, validators }),
    nodes[0]!.home,
    accountCount,
  );
  const staked = await addDevnetValidators(funded.genesis, nodes);
  for (const n of nodes) {
    saveGenesis(join(n.home, "config", "genesis.json"), staked.genesis);
    setDevnetMinGasPrices(n.home);
  }
  writeNodeConfigs(opts.chainId, nodes, opts.timeoutCommitMs);
  const file = toFile(opts.chainId, nodes, [], funded.accounts, staked.operators);
  writeDevnetFile(dir, file);
  return { dir, file, resumed: false };
}

async function resumeDevnet(dir: string, existing: DevnetFile): Promise<DevnetLayout> {
  const chain = existing.chains[0]!;
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
  const used = new Set<number>();
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
  const file = toFile(
    chain.chainId,
    nodes,
    [],
    existing.accounts,
    chain.nodes.map((r) => r.operator),
  );
  writeDevnetFile(dir, file);
  return { dir, file, resumed: true };
}
