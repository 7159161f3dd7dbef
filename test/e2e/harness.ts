import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { loadAppConfig, loadConfig, saveAppConfig, saveConfig } from "../../node/config.ts";
import { addGenesisValidator, genesisValidator, loadGenesis, saveGenesis } from "../../node/genesis.ts";
import { homePaths } from "../../node/home.ts";
import { loadNodeKey, loadValidatorKey, nodeIdFromNodeKey } from "../../node/keys.ts";
import { gentx, operatorAccount } from "./stakingGenesis.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const MAIN = join(ROOT, "cmd/main.ts");
const NODE_ARGS = ["--disable-warning=ExperimentalWarning"];

/** A free TCP port on 127.0.0.1, as the OS hands it out. */
/** Ports this process has handed out: the OS may return a just-closed port again from listen(0). */
const handedOut = new Set<number>();

/** A free loopback port not handed out before by this process (a node's p2p and RPC never share one). */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((res, rej) => {
      const srv = createServer();
      srv.once("error", rej);
      srv.listen(0, "127.0.0.1", () => {
        const addr = srv.address();
        const p = typeof addr === "object" && addr ? addr.port : 0;
        srv.close(() => res(p));
      });
    });
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
}

export function icsd(args: string[]): string {
  return execFileSync(process.execPath, [...NODE_ARGS, MAIN, ...args], { encoding: "utf8", stdio: "pipe" });
}

export async function sleep(ms: number): Promise<void> {
  await new Promise((r) => setTimeout(r, ms));
}

export interface TestNode {
  readonly name: string;
  readonly home: string;
  readonly rpcPort: number;
  readonly p2pPort: number;
  readonly peerId: string;
  readonly validator: boolean;
  proc: ChildProcess | undefined;
}

export interface TestnetOptions {
  readonly validators: number;
  readonly fullNodes?: number;
  readonly chainId?: string;
  readonly timeoutCommitMs?: number;
  /** The application (default "kvstore", whose `key=value` txs the chain-core tests send). */
  readonly proxyApp?: "icsd" | "kvstore";
  /** Genesis `app_state` (default `{}`). */
  readonly appState?: Record<string, unknown>;
  /** app.toml `minimum-gas-prices` (default: the init default). */
  readonly minimumGasPrices?: string;
  /**
   * Validators from staking instead of genesis.json: each validator's operator (operatorAccount(i)) is
   * funded and self-bonds `selfBond` stake through a gentx; genesis.json's validator list is empty.
   */
  readonly staking?: { readonly selfBond: bigint };
  /** `icsd start --check-invariants` on every node. */
  readonly checkInvariants?: boolean;
  /** `[debug] vote_log` (default on: double-sign checks read it; benchmarks turn it off). */
  readonly voteLog?: boolean;
}

type Json = Record<string, unknown>;

/** `appState` plus funded operator accounts and their gentxs. */
async function withGentxs(
  appState: Json,
  chainId: string,
  validators: readonly { name: string; pubKey: Uint8Array }[],
  selfBond: bigint,
): Promise<Json> {
  const auth = { ...((appState.auth as Json | undefined) ?? {}) };
  const bank = { ...((appState.bank as Json | undefined) ?? {}) };
  const accounts = [...((auth.accounts as Json[] | undefined) ?? [])];
  const balances = [...((bank.balances as Json[] | undefined) ?? [])];
  const txs: string[] = [];
  for (let i = 0; i < validators.length; i++) {
    const op = await operatorAccount(i);
    accounts.push({
      "@type": "/cosmos.auth.v1beta1.BaseAccount",
      address: op.address,
      account_number: String(accounts.length),
      sequence: "0",
    });
    balances.push({ address: op.address, coins: [{ denom: "stake", amount: String(selfBond * 10n) }] });
    txs.push(await gentx(chainId, op, validators[i]!.pubKey, validators[i]!.name, selfBond));
  }
  return {
    ...appState,
    auth: { ...auth, accounts },
    bank: { ...bank, balances },
    genutil: { gen_txs: txs },
  };
}

function running(n: TestNode): boolean {
  return n.proc !== undefined && n.proc.exitCode === null && n.proc.signalCode === null;
}

/** A chain of real `icsd start` processes on 127.0.0.1, in a temporary directory removed by `cleanup`. */
export class Testnet {
  readonly dir: string;
  readonly nodes: TestNode[] = [];
  readonly chainId: string;

  checkInvariants = false;

  private constructor(dir: string, chainId: string) {
    this.dir = dir;
    this.chainId = chainId;
  }

  static async create(opts: TestnetOptions): Promise<Testnet> {
    const chainId = opts.chainId ?? "e2e-1";
    const net = new Testnet(mkdtempSync(join(tmpdir(), "icsd-e2e-")), chainId);
    net.checkInvariants = opts.checkInvariants ?? false;
    const total = opts.validators + (opts.fullNodes ?? 0);
    for (let i = 0; i < total; i++) {
      const name = `node${i}`;
      const home = join(net.dir, name);
      icsd(["init", name, "--chain-id", chainId, "--home", home]);
      const peerId = nodeIdFromNodeKey(loadNodeKey(homePaths(home).nodeKey));
      net.nodes.push({
        name,
        home,
        rpcPort: await freePort(),
        p2pPort: await freePort(),
        peerId,
        validator: i < opts.validators,
        proc: undefined,
      });
    }
    // One genesis with every validator, copied to every home.
    const first = homePaths(net.nodes[0]!.home);
    let doc = loadGenesis(first.genesis);
    doc = { ...doc, validators: [], appState: opts.appState ?? doc.appState };
    const vals = net.nodes
      .filter((x) => x.validator)
      .map((n) => ({
        name: n.name,
        pubKey: loadValidatorKey(homePaths(n.home).privValidatorKey).keyPair.publicKey,
      }));
    if (opts.staking) {
      doc = {
        ...doc,
        appState: await withGentxs(doc.appState as Json, chainId, vals, opts.staking.selfBond),
      };
    } else {
      for (const v of vals) doc = addGenesisValidator(doc, genesisValidator(v.pubKey, 10n, v.name));
    }
    for (const n of net.nodes) {
      const p = homePaths(n.home);
      saveGenesis(p.genesis, doc);
      const cfg = loadConfig(p.configToml);
      saveConfig(p.configToml, {
        ...cfg,
        mode: n.validator ? "validator" : "full",
        proxyApp: opts.proxyApp ?? "kvstore",
        p2p: {
          ...cfg.p2p,
          laddr: `/ip4/127.0.0.1/tcp/${n.p2pPort}`,
          persistentPeers: net.nodes
            .filter((o) => o !== n)
            .map((o) => `/ip4/127.0.0.1/tcp/${o.p2pPort}/p2p/${o.peerId}`),
        },
        rpc: { ...cfg.rpc, laddr: `tcp://127.0.0.1:${n.rpcPort}` },
        consensus: {
          ...cfg.consensus,
          timeoutProposeMs: 1000,
          timeoutProposeDeltaMs: 200,
          timeoutPrevoteMs: 500,
          timeoutPrevoteDeltaMs: 200,
          timeoutPrecommitMs: 500,
          timeoutPrecommitDeltaMs: 200,
          timeoutCommitMs: opts.timeoutCommitMs ?? 100,
        },
        log: { level: "info" },
        debug: { voteLog: opts.voteLog ?? true },
      });
      if (opts.minimumGasPrices !== undefined) {
        saveAppConfig(p.appToml, { ...loadAppConfig(p.appToml), minimumGasPrices: opts.minimumGasPrices });
      }
    }
    return net;
  }

  start(node: TestNode): void {
    if (running(node)) throw new Error(`${node.name} is already running`);
    const fd = openSync(join(node.home, "node.log"), "a");
    const extra = this.checkInvariants ? ["--check-invariants"] : [];
    node.proc = spawn(process.execPath, [...NODE_ARGS, MAIN, "start", "--home", node.home, ...extra], {
      stdio: ["ignore", fd, fd],
    });
    closeSync(fd);
  }

  startAll(): void {
    for (const n of this.nodes) if (!running(n)) this.start(n);
  }

  /** SIGKILL: the process gets no chance to flush anything. */
  async kill(node: TestNode): Promise<void> {
    const p = node.proc;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    const exited = new Promise((r) => p.once("exit", r));
    p.kill("SIGKILL");
    await exited;
  }

  async stop(node: TestNode): Promise<void> {
    const p = node.proc;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    const exited = new Promise((r) => p.once("exit", r));
    p.kill("SIGTERM");
    const t = setTimeout(() => p.kill("SIGKILL"), 5000);
    await exited;
    clearTimeout(t);
  }

  async cleanup(): Promise<void> {
    await Promise.all(this.nodes.map((n) => this.kill(n)));
    if (!process.env.ICSD_KEEP_E2E) rmSync(this.dir, { recursive: true, force: true });
  }

  async rpc<T = Record<string, unknown>>(
    node: TestNode,
    method: string,
    params: Record<string, unknown> = {},
  ): Promise<T> {
    const res = await fetch(`http://127.0.0.1:${node.rpcPort}/`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
      signal: AbortSignal.timeout(5000),
    });
    const body = (await res.json()) as { result?: T; error?: unknown };
    if (body.error) throw new Error(`${method}: ${JSON.stringify(body.error)}`);
    return body.result as T;
  }

  /** Last committed height of `node`, or -1 when its RPC does not answer. */
  async height(node: TestNode): Promise<number> {
    try {
      const s = await this.rpc<{ sync_info: { latest_block_height: string } }>(node, "status");
      return Number(s.sync_info.latest_block_height);
    } catch {
      return -1;
    }
  }

  async waitForHeight(nodes: readonly TestNode[], height: number, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hs = await Promise.all(nodes.map((n) => this.height(n)));
      if (hs.every((h) => h >= height)) return;
      if (Date.now() > deadline) {
        throw new Error(
          `timed out waiting for height ${height}: ${nodes.map((n, i) => `${n.name}=${hs[i]}`).join(" ")}\n${this.logTails(nodes)}`,
        );
      }
      await sleep(250);
    }
  }

  logTails(nodes: readonly TestNode[], lines = 15): string {
    return nodes
      .map((n) => {
        try {
          const all = readFileSync(join(n.home, "node.log"), "utf8").trimEnd().split("\n");
          return `--- ${n.name} ---\n${all.slice(-lines).join("\n")}`;
        } catch {
          return `--- ${n.name}: no log ---`;
        }
      })
      .join("\n");
  }

  /** Every vote each node logged (data/votes.jsonl). */
  votes(): {
    node: string;
    type: number;
    height: number;
    round: number;
    validator: string;
    blockHash: string;
  }[] {
    const out = [];
    for (const n of this.nodes) {
      let text = "";
      try {
        text = readFileSync(homePaths(n.home).voteLog, "utf8");
      } catch {
        continue;
      }
      for (const line of text.split("\n")) {
        if (!line.trim()) continue;
        try {
          out.push({ node: n.name, ...JSON.parse(line) });
        } catch {
          // A line cut by kill -9 is not a vote.
        }
      }
    }
    return out;
  }
}

/** Pairs of conflicting votes: one validator, same height/round/type, different block hashes. */
export function doubleSigns(votes: ReturnType<Testnet["votes"]>): string[] {
  const seen = new Map<string, string>();
  const bad: string[] = [];
  for (const v of votes) {
    const key = `${v.validator}/${v.height}/${v.round}/${v.type}`;
    const prev = seen.get(key);
    if (prev === undefined) seen.set(key, v.blockHash);
    else if (prev !== v.blockHash) bad.push(`${key}: ${prev || "nil"} vs ${v.blockHash || "nil"}`);
  }
  return bad;
}
