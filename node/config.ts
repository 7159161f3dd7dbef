import { readFileSync } from "node:fs";
import { multiaddr } from "@multiformats/multiaddr";
import { parse as parseToml, TomlError } from "smol-toml";
import { IcsdError } from "../utils/index.ts";
import { writeFileAtomic } from "./home.ts";
import {
  type AppConfig,
  type ConsensusConfig,
  defaultAppConfig,
  defaultNodeConfig,
  LOG_LEVELS,
  type LogLevel,
  type NodeConfig,
  type NodeMode,
  type ProxyApp,
} from "./options.ts";

/** Error code of every config.toml / app.toml problem; the message names the file and the key. */
export const CONFIG_INVALID = "CONFIG_INVALID";

const DURATION = /^(?:(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h))+$/;
const DURATION_PART = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g;
const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/**
 * Parses a Go-style duration ("1s", "300ms", "1m30s", "0s" or "0") into milliseconds; returns undefined
 * when the text is not a duration.
 */
export function parseDuration(s: string): number | undefined {
  if (s === "0") return 0;
  if (!DURATION.test(s)) return undefined;
  let ms = 0;
  for (const m of s.matchAll(DURATION_PART)) ms += Number(m[1]) * UNIT_MS[m[2]!]!;
  return ms;
}

/** Formats milliseconds as the shortest Go-style duration that parses back to the same value. */
export function formatDuration(ms: number): string {
  if (ms === 0) return "0s";
  if (Number.isInteger(ms / 1000)) return `${ms / 1000}s`;
  if (Number.isInteger(ms)) return `${ms}ms`;
  return `${Math.round(ms * 1e6)}ns`;
}

/**
 * Normalises a listen address to a libp2p multiaddr: accepts `/ip4/127.0.0.1/tcp/26656` or CometBFT's
 * `tcp://127.0.0.1:26656`. Returns undefined when it is neither.
 */
export function toListenMultiaddr(laddr: string): string | undefined {
  const tcp = /^tcp:\/\/([^:/]+):(\d{1,5})$/.exec(laddr);
  let candidate = laddr;
  if (tcp) {
    const host = tcp[1]!;
    const proto = /^\d+\.\d+\.\d+\.\d+$/.test(host) ? "ip4" : host.includes(":") ? "ip6" : "dns4";
    candidate = `/${proto}/${host}/tcp/${tcp[2]}`;
  }
  if (!candidate.startsWith("/")) return undefined;
  try {
    const parts = multiaddr(candidate).getComponents();
    if (!parts.some((c) => c.name === "tcp")) return undefined;
    return candidate;
  } catch {
    return undefined;
  }
}

/** Host and port of a `tcp://host:port` RPC address; undefined when malformed. */
export function parseTcpAddr(laddr: string): { host: string; port: number } | undefined {
  const m = /^tcp:\/\/([^:/]+|\[[0-9a-fA-F:]+\]):(\d{1,5})$/.exec(laddr);
  if (!m) return undefined;
  const port = Number(m[2]);
  if (port > 65535) return undefined;
  return { host: m[1]!.replace(/^\[|\]$/g, ""), port };
}

type Raw = Record<string, unknown>;

/** Reads one TOML table, checking every key's type and rejecting keys it does not know. */
class SectionReader {
  readonly #raw: Raw;
  readonly #prefix: string;
  readonly #file: string;
  readonly #seen = new Set<string>();
  constructor(file: string, raw: unknown, prefix: string) {
    this.#file = file;
    this.#prefix = prefix;
    if (raw !== undefined && (typeof raw !== "object" || raw === null || Array.isArray(raw))) {
      throw this.fail("", "must be a table");
    }
    this.#raw = (raw ?? {}) as Raw;
  }
  fail(key: string, what: string): IcsdError {
    const name = this.#prefix ? (key ? `${this.#prefix}.${key}` : `[${this.#prefix}]`) : key;
    return new IcsdError(CONFIG_INVALID, `${this.#file}: ${name} ${what}`, { file: this.#file, key: name });
  }
  #get(key: string): unknown {
    this.#seen.add(key);
    return this.#raw[key];
  }
  /** The raw sub-table, for a nested SectionReader. */
  table(key: string): unknown {
    return this.#get(key);
  }
  str(key: string, def: string, check?: (v: string) => boolean, what = "must be a string"): string {
    const v = this.#get(key);
    if (v === undefined) return def;
    if (typeof v !== "string" || (check && !check(v))) throw this.fail(key, what);
    return v;
  }
  bool(key: string, def: boolean): boolean {
    const v = this.#get(key);
    if (v === undefined) return def;
    if (typeof v !== "boolean") throw this.fail(key, "must be true or false");
    return v;
  }
  int(key: string, def: number, min: number, max: number): number {
    const v = this.#get(key);
    if (v === undefined) return def;
    const n = typeof v === "bigint" ? Number(v) : v;
    if (typeof n !== "number" || !Number.isInteger(n) || n < min || n > max) {
      throw this.fail(key, `must be an integer between ${min} and ${max}`);
    }
    return n;
  }
  duration(key: string, defMs: number): number {
    const v = this.#get(key);
    if (v === undefined) return defMs;
    const ms = typeof v === "string" ? parseDuration(v) : undefined;
    if (ms === undefined) throw this.fail(key, 'must be a duration like "1s" or "300ms"');
    return ms;
  }
  /** Throws on the first key that was never read: a typo must not be silently ignored. */
  done(): void {
    for (const k of Object.keys(this.#raw)) {
      if (!this.#seen.has(k)) throw this.fail(k, "is not a known key");
    }
  }
}

function parseTomlText(text: string, file: string): Raw {
  try {
    return parseToml(text) as Raw;
  } catch (e) {
    const msg =
      e instanceof TomlError ? `line ${e.line}, column ${e.column}: ${e.message.split("\n")[0]}` : String(e);
    throw new IcsdError(CONFIG_INVALID, `${file}: invalid TOML at ${msg}`, { file });
  }
}

/** Parses and validates config.toml text; missing keys take their defaults, unknown keys are errors. */
export function parseConfigToml(text: string, file = "config.toml"): NodeConfig {
  const def = defaultNodeConfig();
  const top = new SectionReader(file, parseTomlText(text, file), "");
  const moniker = top.str(
    "moniker",
    def.moniker,
    (v) => v.length > 0 && v.length <= 70,
    "must be 1-70 characters",
  );
  const mode = top.str(
    "mode",
    def.mode,
    (v) => v === "validator" || v === "full",
    'must be "validator" or "full"',
  ) as NodeMode;
  const proxyApp = top.str(
    "proxy_app",
    def.proxyApp,
    (v) => v === "icsd" || v === "kvstore",
    'must be "icsd" or "kvstore"',
  ) as ProxyApp;

  const p2pR = new SectionReader(file, top.table("p2p"), "p2p");
  const p2pLaddr = p2pR.str("laddr", def.p2p.laddr);
  const laddr = toListenMultiaddr(p2pLaddr);
  if (!laddr)
    throw p2pR.fail(
      "laddr",
      'must be a multiaddr like "/ip4/127.0.0.1/tcp/26656" or "tcp://127.0.0.1:26656"',
    );
  const peersText = p2pR.str("persistent_peers", "");
  const persistentPeers = peersText
    .split(",")
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
  for (const p of persistentPeers) {
    let ok = false;
    try {
      const comps = multiaddr(p).getComponents();
      ok = comps.some((c) => c.name === "tcp") && comps.at(-1)?.name === "p2p";
    } catch {
      ok = false;
    }
    if (!ok) {
      throw p2pR.fail(
        "persistent_peers",
        `entry ${JSON.stringify(p)} must be a multiaddr like "/ip4/127.0.0.1/tcp/26656/p2p/<peer id>"`,
      );
    }
  }
  const maxMsgBytes = p2pR.int("max_msg_bytes", def.p2p.maxMsgBytes, 1024, 1 << 30);
  p2pR.done();

  const rpcR = new SectionReader(file, top.table("rpc"), "rpc");
  const rpcLaddr = rpcR.str(
    "laddr",
    def.rpc.laddr,
    (v) => parseTcpAddr(v) !== undefined,
    'must be an address like "tcp://127.0.0.1:26657"',
  );
  rpcR.done();

  const c = new SectionReader(file, top.table("consensus"), "consensus");
  const d = def.consensus;
  const consensus: ConsensusConfig = {
    timeoutProposeMs: c.duration("timeout_propose", d.timeoutProposeMs),
    timeoutProposeDeltaMs: c.duration("timeout_propose_delta", d.timeoutProposeDeltaMs),
    timeoutPrevoteMs: c.duration("timeout_prevote", d.timeoutPrevoteMs),
    timeoutPrevoteDeltaMs: c.duration("timeout_prevote_delta", d.timeoutPrevoteDeltaMs),
    timeoutPrecommitMs: c.duration("timeout_precommit", d.timeoutPrecommitMs),
    timeoutPrecommitDeltaMs: c.duration("timeout_precommit_delta", d.timeoutPrecommitDeltaMs),
    timeoutCommitMs: c.duration("timeout_commit", d.timeoutCommitMs),
    skipTimeoutCommit: c.bool("skip_timeout_commit", d.skipTimeoutCommit),
    createEmptyBlocks: c.bool("create_empty_blocks", d.createEmptyBlocks),
    createEmptyBlocksIntervalMs: c.duration("create_empty_blocks_interval", d.createEmptyBlocksIntervalMs),
  };
  c.done();

  const instR = new SectionReader(file, top.table("instrumentation"), "instrumentation");
  const prometheus = instR.bool("prometheus", def.instrumentation.prometheus);
  instR.done();

  const logR = new SectionReader(file, top.table("log"), "log");
  const level = logR.str(
    "level",
    def.log.level,
    (v) => (LOG_LEVELS as readonly string[]).includes(v),
    `must be one of ${LOG_LEVELS.join(", ")}`,
  ) as LogLevel;
  logR.done();

  const dbgR = new SectionReader(file, top.table("debug"), "debug");
  const voteLog = dbgR.bool("vote_log", def.debug.voteLog);
  dbgR.done();
  top.done();

  return {
    moniker,
    mode,
    proxyApp,
    p2p: { laddr, persistentPeers, maxMsgBytes },
    rpc: { laddr: rpcLaddr },
    consensus,
    instrumentation: { prometheus },
    log: { level },
    debug: { voteLog },
  };
}

const q = (s: string): string => JSON.stringify(s);

/** Renders config.toml with a comment on every key; `parseConfigToml(renderConfigToml(c))` equals `c`. */
export function renderConfigToml(cfg: NodeConfig): string {
  const c = cfg.consensus;
  return `# icsd node configuration (CometBFT-style keys). Durations are Go-style: "1s", "300ms".

# A name for this node, shown in status.
moniker = ${q(cfg.moniker)}
# "validator" signs votes with config/priv_validator_key.json; "full" only follows the chain.
mode = ${q(cfg.mode)}
# The application: "icsd" (accounts and bank, Cosmos SDK transactions) or "kvstore" (key=value test app).
proxy_app = ${q(cfg.proxyApp)}

[p2p]
# libp2p listen address (a multiaddr; "tcp://host:port" is accepted too).
laddr = ${q(cfg.p2p.laddr)}
# Comma-separated multiaddrs of peers to stay connected to: /ip4/<ip>/tcp/<port>/p2p/<peer id>
persistent_peers = ${q(cfg.p2p.persistentPeers.join(","))}
# Largest message accepted from a peer, in bytes.
max_msg_bytes = ${cfg.p2p.maxMsgBytes}

[rpc]
# JSON-RPC listen address (CometBFT 0.38 dialect); /health and /metrics are served here too.
laddr = ${q(cfg.rpc.laddr)}

[consensus]
timeout_propose = ${q(formatDuration(c.timeoutProposeMs))}
timeout_propose_delta = ${q(formatDuration(c.timeoutProposeDeltaMs))}
timeout_prevote = ${q(formatDuration(c.timeoutPrevoteMs))}
timeout_prevote_delta = ${q(formatDuration(c.timeoutPrevoteDeltaMs))}
timeout_precommit = ${q(formatDuration(c.timeoutPrecommitMs))}
timeout_precommit_delta = ${q(formatDuration(c.timeoutPrecommitDeltaMs))}
# How long to wait after a commit before starting the next height (unless skip_timeout_commit).
timeout_commit = ${q(formatDuration(c.timeoutCommitMs))}
skip_timeout_commit = ${c.skipTimeoutCommit}
# false: wait for transactions before proposing (except every create_empty_blocks_interval).
create_empty_blocks = ${c.createEmptyBlocks}
create_empty_blocks_interval = ${q(formatDuration(c.createEmptyBlocksIntervalMs))}

[instrumentation]
# Serve Prometheus metrics at /metrics on the RPC listener.
prometheus = ${cfg.instrumentation.prometheus}

[log]
# One of ${LOG_LEVELS.join(", ")}.
level = ${q(cfg.log.level)}

[debug]
# Append every vote this node sees to data/votes.jsonl (for tests).
vote_log = ${cfg.debug.voteLog}
`;
}

function readText(path: string, what: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") {
      throw new IcsdError("CONFIG_NOT_FOUND", `${what} not found at ${path}: run \`icsd init\` first`, {
        path,
      });
    }
    throw e;
  }
}

/** Loads and validates config.toml; errors name the file path and the key. */
export function loadConfig(path: string): NodeConfig {
  return parseConfigToml(readText(path, "config.toml"), path);
}

/** Writes config.toml atomically. */
export function saveConfig(path: string, cfg: NodeConfig): void {
  writeFileAtomic(path, renderConfigToml(cfg), 0o644);
}

/** Parses and validates app.toml text. */
export function parseAppToml(text: string, file = "app.toml"): AppConfig {
  const top = new SectionReader(file, parseTomlText(text, file), "");
  const minimumGasPrices = top.str(
    "minimum-gas-prices",
    defaultAppConfig.minimumGasPrices,
    (v) =>
      v === "" || v.split(",").every((p) => /^\d+(\.\d+)?[a-zA-Z][a-zA-Z0-9/:._-]{2,127}$/.test(p.trim())),
    'must be empty or coins like "0.0025stake"',
  );
  const pruning = top.str(
    "pruning",
    defaultAppConfig.pruning,
    (v) => ["default", "nothing", "everything"].includes(v),
    'must be "default", "nothing" or "everything"',
  ) as AppConfig["pruning"];
  top.done();
  return { minimumGasPrices, pruning };
}

/** Renders app.toml (Cosmos SDK key names). */
export function renderAppToml(cfg: AppConfig): string {
  return `# icsd application configuration (Cosmos SDK app.toml keys).

# Minimum gas prices a transaction must pay to enter this node's mempool, e.g. "0.0025stake".
minimum-gas-prices = ${q(cfg.minimumGasPrices)}
# "default", "nothing" (keep every version) or "everything" (keep only the latest).
pruning = ${q(cfg.pruning)}
`;
}

/** Loads and validates app.toml. */
export function loadAppConfig(path: string): AppConfig {
  return parseAppToml(readText(path, "app.toml"), path);
}

/** Writes app.toml atomically. */
export function saveAppConfig(path: string, cfg: AppConfig): void {
  writeFileAtomic(path, renderAppToml(cfg), 0o644);
}
