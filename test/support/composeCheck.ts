/**
 * Checks a docker-compose document against the homes `icsd testnet init-files` wrote: each problem is one
 * line naming the service. Pure but for reading the homes, so a test can feed it a broken document.
 */
import { existsSync, readFileSync } from "node:fs";
import { join, posix } from "node:path";
import { type Command, CommanderError } from "commander";
import { parse as parseToml } from "smol-toml";
import { buildProgram } from "../../cmd/program.ts";
import {
  loadConfig,
  loadNodeKey,
  nodeIdFromNodeKey,
  parseTcpAddr,
  type TestnetFile,
} from "../../node/index.ts";

function allCommands(c: Command): Command[] {
  return [c, ...c.commands.flatMap(allCommands)];
}

/**
 * Why `argv` (the arguments after `icsd`) is not a command icsd runs, or undefined when it is: parsed by
 * the real command tree with every action replaced by a no-op, so an unknown command or option, a
 * missing required option or argument, or a bare command group is reported as commander reports it.
 */
export function icsdCommandProblem(argv: readonly string[]): string | undefined {
  const program = buildProgram();
  let err = "";
  let ran = false;
  for (const c of allCommands(program)) {
    c.exitOverride();
    c.configureOutput({
      writeOut: () => {},
      writeErr: (s) => {
        err += s;
      },
      outputError: (s) => {
        err += s;
      },
    });
    if (c.commands.length === 0)
      c.action(() => {
        ran = true;
      });
  }
  try {
    program.parse([...argv], { from: "user" });
  } catch (e) {
    const code = e instanceof CommanderError ? e.code : "";
    if (code === "commander.help" || code === "commander.helpDisplayed" || code === "commander.version")
      return `"${argv.join(" ")}" prints help or a version and runs nothing`;
    return (err.trim() || (e as Error).message).split("\n")[0];
  }
  return ran ? undefined : `"${argv.join(" ")}" runs no command`;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const strings = (v: unknown): string[] | undefined =>
  Array.isArray(v) && v.every((x) => typeof x === "string") ? (v as string[]) : undefined;

/** What the checker needs besides the document. */
export interface ComposeCheckOptions {
  /** The host path of a bind-mount source as the compose file writes it (relative to the file). */
  readonly source: (src: string) => string;
  /** The output's testnet.json: its services must be exactly the compose file's. */
  readonly testnet?: TestnetFile;
}

interface NodeSvc {
  readonly name: string;
  readonly hostHome: string;
  readonly chainId: string;
  readonly peerId: string;
  readonly p2pPort: number;
  readonly rpcPort: number;
  readonly peers: readonly string[];
  readonly genesis: string;
}

interface Mount {
  readonly source: string;
  readonly target: string;
}

function mounts(svc: Obj, problem: (m: string) => void): Mount[] {
  const out: Mount[] = [];
  for (const v of (svc.volumes as unknown[] | undefined) ?? []) {
    const parts = typeof v === "string" ? v.split(":") : [];
    if (parts.length < 2 || parts.length > 3) {
      problem(`volume ${JSON.stringify(v)} is not "source:target[:mode]"`);
      continue;
    }
    out.push({ source: parts[0]!, target: parts[1]! });
  }
  return out;
}

/** The value after `flag` in a command. */
function flagValue(cmd: readonly string[], flag: string): string | undefined {
  const i = cmd.indexOf(flag);
  if (i >= 0) return cmd[i + 1];
  return cmd.find((a) => a.startsWith(`${flag}=`))?.slice(flag.length + 1);
}

/** The host path of `path` (inside the container) through the bind mount that holds it. */
function hostPathOf(path: string, ms: readonly Mount[], o: ComposeCheckOptions): string | undefined {
  for (const m of ms) {
    const rel = posix.relative(m.target, path);
    if (rel === "" || (!rel.startsWith("..") && !posix.isAbsolute(rel))) return join(o.source(m.source), rel);
  }
  return undefined;
}

/** `127.0.0.1:<host>:<container>` entries. */
function publishedPorts(svc: Obj, problem: (m: string) => void): { host: number; container: number }[] {
  const out: { host: number; container: number }[] = [];
  for (const p of (svc.ports as unknown[] | undefined) ?? []) {
    const m = typeof p === "string" ? /^([\d.]+):(\d+):(\d+)$/.exec(p) : null;
    if (!m) {
      problem(`port ${JSON.stringify(p)} is not "127.0.0.1:<host port>:<container port>"`);
      continue;
    }
    if (m[1] !== "127.0.0.1") problem(`port ${p} is published on ${m[1]}, not 127.0.0.1`);
    out.push({ host: Number(m[2]), container: Number(m[3]) });
  }
  return out;
}

function healthcheckUrl(svc: Obj): { port: number; path: string } | undefined {
  const hc = isObj(svc.healthcheck) ? strings(svc.healthcheck.test) : undefined;
  const m = hc ? /https?:\/\/127\.0\.0\.1:(\d+)(\/[\w/]*)/.exec(hc.join(" ")) : null;
  return m ? { port: Number(m[1]), path: m[2]! } : undefined;
}

function tcpPortOfMultiaddr(ma: string): { host: string; port: number } | undefined {
  const m = /^\/(?:ip4|ip6|dns4|dns6|dns)\/([^/]+)\/tcp\/(\d+)/.exec(ma);
  return m ? { host: m[1]!, port: Number(m[2]) } : undefined;
}

function checkNode(
  name: string,
  svc: Obj,
  cmd: string[],
  o: ComposeCheckOptions,
  problem: (m: string) => void,
) {
  const home = flagValue(cmd, "--home");
  if (!home) return void problem("runs `start` without --home");
  const ms = mounts(svc, problem);
  const mount = ms.find((m) => m.target === home);
  if (!mount) return void problem(`no bind mount has --home ${home} as its target`);
  const hostHome = o.source(mount.source);
  const need = ["config/config.toml", "config/genesis.json", "config/node_key.json"];
  const missing = need.filter((f) => !existsSync(join(hostHome, f)));
  if (missing.length > 0)
    return void problem(`home ${mount.source} (${hostHome}) lacks ${missing.join(", ")}`);
  const cfg = loadConfig(join(hostHome, "config/config.toml"));
  if (cfg.mode === "validator") {
    for (const f of ["config/priv_validator_key.json", "data/priv_validator_state.json"]) {
      if (!existsSync(join(hostHome, f))) problem(`validator home ${mount.source} lacks ${f}`);
    }
  }
  const p2p = tcpPortOfMultiaddr(cfg.p2p.laddr);
  const rpc = parseTcpAddr(cfg.rpc.laddr);
  if (!p2p || !rpc) return void problem(`unreadable listen addresses ${cfg.p2p.laddr}, ${cfg.rpc.laddr}`);
  // Published ports reach the container's interface, not its loopback; peers dial the same interface.
  if (rpc.host !== "0.0.0.0") problem(`RPC listens on ${rpc.host}, not 0.0.0.0: its published port is dead`);
  if (p2p.host !== "0.0.0.0") problem(`p2p listens on ${p2p.host}, not 0.0.0.0: peers cannot reach it`);
  if (p2p.port === rpc.port) problem(`p2p and RPC both listen on port ${rpc.port}`);
  for (const p of publishedPorts(svc, problem)) {
    if (p.container !== rpc.port)
      problem(`publishes container port ${p.container}, but RPC listens on ${rpc.port}`);
  }
  const hc = healthcheckUrl(svc);
  if (!hc || hc.port !== rpc.port || hc.path !== "/status")
    problem(`healthcheck does not GET /status on the RPC port ${rpc.port}`);
  const genesisText = readFileSync(join(hostHome, "config/genesis.json"), "utf8");
  const genesis = JSON.parse(genesisText) as { chain_id?: string; app_state?: Obj };
  const ccv = genesis.app_state?.ccvconsumer;
  if (ccv !== undefined && !(isObj(ccv) && isObj(ccv.provider)))
    problem("its consumer genesis is still the placeholder (the consumer was not launched)");
  return {
    name,
    hostHome,
    chainId: genesis.chain_id ?? "",
    peerId: nodeIdFromNodeKey(loadNodeKey(join(hostHome, "config/node_key.json"))),
    p2pPort: p2p.port,
    rpcPort: rpc.port,
    peers: cfg.p2p.persistentPeers,
    genesis: genesisText,
  };
}

interface RelayerSvc {
  readonly name: string;
  readonly chains: readonly { id: string; rpc: string }[];
  readonly dependsOn: Obj;
}

function checkRelayer(
  name: string,
  svc: Obj,
  cmd: string[],
  o: ComposeCheckOptions,
  problem: (m: string) => void,
): RelayerSvc | undefined {
  const config = flagValue(cmd, "--config");
  if (!config) return void problem("runs `relayer start` without --config");
  const host = hostPathOf(config, mounts(svc, problem), o);
  if (!host || !existsSync(host))
    return void problem(`its config ${config} is in no mounted directory that exists`);
  const toml = parseToml(readFileSync(host, "utf8")) as Obj;
  const global = isObj(toml.global) ? toml.global : {};
  const metrics =
    typeof global.metrics_listen === "string" ? /^(.*):(\d+)$/.exec(global.metrics_listen) : null;
  for (const p of publishedPorts(svc, problem)) {
    if (!metrics || p.container !== Number(metrics[2]))
      problem(`publishes container port ${p.container}, which the relayer does not listen on`);
    else if (metrics[1] !== "0.0.0.0") problem(`metrics listen on ${metrics[1]}, not 0.0.0.0`);
  }
  const hc = healthcheckUrl(svc);
  if (!hc || !metrics || hc.port !== Number(metrics[2])) problem("healthcheck does not GET the metrics port");
  const chains = Array.isArray(toml.chains)
    ? (toml.chains as Obj[]).map((c) => ({ id: String(c.id), rpc: String(c.rpc) }))
    : [];
  if (chains.length === 0) problem("its config has no chains");
  return { name, chains, dependsOn: isObj(svc.depends_on) ? svc.depends_on : {} };
}

/**
 * Every problem of a compose document for a testnet output: unknown icsd commands, homes that are
 * missing or incomplete, listen addresses a published port or a peer cannot reach, clashing host ports,
 * healthchecks on another port, persistent peers and relayer RPC URLs that name no compose service (or
 * the wrong chain or peer id), differing genesis files within a chain, a relayer that does not wait for
 * healthy nodes, and services testnet.json does not list (or the other way round).
 */
export function checkCompose(doc: unknown, o: ComposeCheckOptions): string[] {
  const problems: string[] = [];
  const services = isObj(doc) && isObj(doc.services) ? doc.services : undefined;
  if (!services || Object.keys(services).length === 0) return ["the document has no services"];
  const nodes = new Map<string, NodeSvc>();
  const relayers: RelayerSvc[] = [];
  const hostPorts = new Map<number, string>();
  for (const [name, raw] of Object.entries(services)) {
    const problem = (m: string): void => {
      problems.push(`${name}: ${m}`);
    };
    if (!isObj(raw)) {
      problem("is not a mapping");
      continue;
    }
    if (raw.entrypoint !== undefined) problem("overrides the image's icsd entrypoint");
    for (const p of publishedPorts(raw, () => {})) {
      const other = hostPorts.get(p.host);
      if (other !== undefined) problem(`host port ${p.host} clashes with ${other}`);
      else hostPorts.set(p.host, name);
    }
    const cmd = strings(raw.command);
    if (!cmd) {
      problem("has no command list");
      continue;
    }
    const why = icsdCommandProblem(cmd);
    if (why !== undefined) {
      problem(`\`icsd ${cmd.join(" ")}\` is not an icsd command: ${why}`);
      continue;
    }
    if (cmd[0] === "start") {
      const n = checkNode(name, raw, cmd, o, problem);
      if (n) nodes.set(name, n);
    } else if (cmd[0] === "relayer" && cmd[1] === "start") {
      const r = checkRelayer(name, raw, cmd, o, problem);
      if (r) relayers.push(r);
    } else problem(`runs \`icsd ${cmd.join(" ")}\`: neither a node nor a relayer`);
  }

  for (const n of nodes.values()) {
    const problem = (m: string): void => {
      problems.push(`${n.name}: ${m}`);
    };
    for (const peer of n.peers) {
      const m = /^\/dns4\/([^/]+)\/tcp\/(\d+)\/p2p\/([^/]+)$/.exec(peer);
      const target = m ? nodes.get(m[1]!) : undefined;
      if (!m || !target) problem(`persistent peer ${peer} names no node service`);
      else if (target === n) problem(`lists itself as a persistent peer`);
      else if (target.chainId !== n.chainId)
        problem(`peer ${target.name} runs ${target.chainId}, not ${n.chainId}`);
      else if (Number(m[2]) !== target.p2pPort || m[3] !== target.peerId)
        problem(`peer ${peer} is not ${target.name}'s p2p port and peer id`);
    }
    const first = [...nodes.values()].find((x) => x.chainId === n.chainId)!;
    if (first !== n && first.genesis !== n.genesis)
      problem(`its genesis.json differs from ${first.name}'s (chain ${n.chainId})`);
  }
  for (const r of relayers) {
    const problem = (m: string): void => {
      problems.push(`${r.name}: ${m}`);
    };
    for (const c of r.chains) {
      const m = /^https?:\/\/([^:/]+):(\d+)\/?$/.exec(c.rpc);
      const target = m ? nodes.get(m[1]!) : undefined;
      if (!m || !target) problem(`RPC ${c.rpc} of ${c.id} names no node service`);
      else if (target.chainId !== c.id) problem(`RPC ${c.rpc} is a node of ${target.chainId}, not ${c.id}`);
      else if (Number(m[2]) !== target.rpcPort)
        problem(`RPC ${c.rpc}: ${target.name} listens on ${target.rpcPort}`);
    }
    for (const n of nodes.keys()) {
      const d = r.dependsOn[n];
      if (!isObj(d) || d.condition !== "service_healthy") problem(`does not wait for ${n} to be healthy`);
    }
  }
  if (o.testnet) {
    const listed = new Map<string, string | undefined>();
    for (const c of o.testnet.chains) for (const n of c.nodes) listed.set(n.service, n.hostHome);
    for (const r of o.testnet.relayers) listed.set(r.service, undefined);
    for (const name of Object.keys(services))
      if (!listed.has(name)) problems.push(`${name}: not a service of testnet.json`);
    for (const [name, hostHome] of listed) {
      if (!(name in services)) problems.push(`${name}: in testnet.json but not in the compose file`);
      const n = nodes.get(name);
      if (n && hostHome !== undefined && !n.hostHome.endsWith(`/${hostHome}`))
        problems.push(`${name}: mounts ${n.hostHome}, testnet.json says ${hostHome}`);
    }
  }
  return problems;
}
