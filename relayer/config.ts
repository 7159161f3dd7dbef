/**
 * The relayer's TOML configuration: global settings, the chains it signs on and the paths (channel
 * pairs) it relays. Parsed field by field; every error names the field (`chains[1].gas_price`) and never
 * echoes a mnemonic.
 */
import { readFileSync } from "node:fs";
import { dirname, isAbsolute, resolve } from "node:path";
import { EnglishMnemonic } from "@cosmjs/crypto";
import { GasPrice } from "@cosmjs/stargate";
import { parse as parseToml } from "smol-toml";
import { validateChannelId, validateClientId, validatePortId } from "../ibc/index.ts";
import { errorMessage, IcsdError } from "../utils/index.ts";

/** The error code of every configuration problem. */
export const RELAYER_CONFIG_ERROR = "RELAYER_CONFIG";

/** A host and port to listen on (`metrics_listen = "127.0.0.1:9464"`; port 0 picks a free port). */
export interface ListenAddress {
  readonly host: string;
  readonly port: number;
}

export interface RelayerGlobalConfig {
  /** How often (ms) the relayer looks for new work when the last round went well. */
  readonly pollIntervalMs: number;
  /** The most packet messages (recv/ack/timeout) in one transaction; a client update comes on top. */
  readonly maxMsgsPerTx: number;
  /** Where to serve Prometheus text on GET /metrics; absent: no server. */
  readonly metricsListen?: ListenAddress;
}

export interface ChainConfig {
  /** The chain id; paths name chains by it. */
  readonly id: string;
  /** CometBFT JSON-RPC endpoint, `http(s)://host:port`. */
  readonly rpc: string;
  /** Bech32 prefix of the relayer's account. */
  readonly prefix: string;
  /** CosmJS gas price, e.g. `0.025stake`; fee = ceil(gas * price). */
  readonly gasPrice: string;
  /** Simulated gas is multiplied by this to get the gas limit. */
  readonly gasAdjustment: number;
  /** The signing account's BIP-39 mnemonic (inline or read from `mnemonic_file`). */
  readonly mnemonic: string;
}

/** One end of a path: a channel on a chain and that chain's client of the other end's chain. */
export interface PathEndConfig {
  readonly chain: string;
  readonly clientId: string;
  readonly port: string;
  readonly channel: string;
}

export interface PathConfig {
  /** Label in logs and metrics; defaults to `chainA/channelA-chainB/channelB`. */
  readonly name: string;
  readonly a: PathEndConfig;
  readonly b: PathEndConfig;
}

export interface RelayerConfig {
  readonly global: RelayerGlobalConfig;
  readonly chains: readonly ChainConfig[];
  readonly paths: readonly PathConfig[];
}

/** Options of parseRelayerConfig. */
export interface ParseConfigOptions {
  /** Relative `mnemonic_file` paths resolve against this directory (default: the working directory). */
  readonly baseDir?: string;
  /** Reads a mnemonic file (default: fs.readFileSync as utf8). */
  readonly readFile?: (path: string) => string;
}

type Table = Record<string, unknown>;

function fail(field: string, message: string): never {
  throw new IcsdError(RELAYER_CONFIG_ERROR, `relayer config: ${field}: ${message}`, { field });
}

function isTable(v: unknown): v is Table {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

function table(v: unknown, field: string): Table {
  if (!isTable(v)) fail(field, "must be a table");
  return v;
}

function onlyKeys(t: Table, field: string, allowed: readonly string[]): void {
  for (const k of Object.keys(t)) {
    if (!allowed.includes(k))
      fail(field ? `${field}.${k}` : k, `unknown field (expected one of ${allowed.join(", ")})`);
  }
}

function str(t: Table, key: string, field: string, def?: string): string {
  const v = t[key];
  if (v === undefined) {
    if (def === undefined) fail(`${field}${key}`, "is required");
    return def;
  }
  if (typeof v !== "string" || v.trim() === "") fail(`${field}${key}`, "must be a non-empty string");
  return v;
}

function int(t: Table, key: string, field: string, def: number, min: number, max: number): number {
  const v = t[key];
  if (v === undefined) return def;
  const n = typeof v === "bigint" ? Number(v) : v;
  if (typeof n !== "number" || !Number.isInteger(n) || n < min || n > max) {
    fail(`${field}${key}`, `must be an integer in ${min}..${max}`);
  }
  return n;
}

/** Parses `host:port` (IPv6 as `[::1]:port`). */
export function parseListenAddress(s: string, field: string): ListenAddress {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(s);
  const port = m ? Number(m[3]) : Number.NaN;
  if (!m || port > 65535) fail(field, `must be host:port, got ${JSON.stringify(s)}`);
  return { host: (m[1] ?? m[2])!, port };
}

function parseGlobal(v: unknown): RelayerGlobalConfig {
  const t = v === undefined ? {} : table(v, "global");
  onlyKeys(t, "global", ["poll_interval_ms", "max_msgs_per_tx", "metrics_listen"]);
  const pollIntervalMs = int(t, "poll_interval_ms", "global.", 500, 10, 3_600_000);
  const maxMsgsPerTx = int(t, "max_msgs_per_tx", "global.", 100, 1, 10_000);
  const listen = t.metrics_listen;
  if (listen === undefined) return { pollIntervalMs, maxMsgsPerTx };
  if (typeof listen !== "string") fail("global.metrics_listen", "must be a string host:port");
  return { pollIntervalMs, maxMsgsPerTx, metricsListen: parseListenAddress(listen, "global.metrics_listen") };
}

function parseChain(v: unknown, i: number, opts: ParseConfigOptions): ChainConfig {
  const field = `chains[${i}]`;
  const t = table(v, field);
  onlyKeys(t, field, ["id", "rpc", "prefix", "gas_price", "gas_adjustment", "mnemonic", "mnemonic_file"]);
  const f = `${field}.`;
  const id = str(t, "id", f);
  const rpc = str(t, "rpc", f);
  let url: URL | undefined;
  try {
    url = new URL(rpc);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== "http:" && url.protocol !== "https:")) {
    fail(`${f}rpc`, `must be an http(s) URL, got ${JSON.stringify(rpc)}`);
  }
  const prefix = str(t, "prefix", f, "cosmos");
  if (!/^[a-z][a-z0-9]{0,82}$/.test(prefix)) fail(`${f}prefix`, "must be a lower-case bech32 prefix");
  const gasPrice = str(t, "gas_price", f);
  try {
    GasPrice.fromString(gasPrice);
  } catch (e) {
    fail(`${f}gas_price`, `must be <amount><denom> like 0.025stake: ${errorMessage(e)}`);
  }
  const adj = t.gas_adjustment ?? 1.5;
  if (typeof adj !== "number" || !Number.isFinite(adj) || adj < 1 || adj > 10) {
    fail(`${f}gas_adjustment`, "must be a number in 1..10");
  }
  const mnemonic = readMnemonic(t, f, opts);
  return { id, rpc, prefix, gasPrice, gasAdjustment: adj, mnemonic };
}

function readMnemonic(t: Table, f: string, opts: ParseConfigOptions): string {
  const inline = t.mnemonic;
  const file = t.mnemonic_file;
  if (inline !== undefined && file !== undefined)
    fail(`${f}mnemonic`, "give mnemonic or mnemonic_file, not both");
  let words: string;
  let field: string;
  if (inline !== undefined) {
    field = `${f}mnemonic`;
    if (typeof inline !== "string") fail(field, "must be a string");
    words = inline;
  } else if (file !== undefined) {
    field = `${f}mnemonic_file`;
    if (typeof file !== "string" || file === "") fail(field, "must be a path");
    const path = isAbsolute(file) ? file : resolve(opts.baseDir ?? process.cwd(), file);
    try {
      words = (opts.readFile ?? ((p: string) => readFileSync(p, "utf8")))(path);
    } catch (e) {
      fail(field, `cannot read ${path}: ${errorMessage(e)}`);
    }
  } else {
    fail(`${f}mnemonic`, "is required (or mnemonic_file)");
  }
  const normalized = words.trim().split(/\s+/).join(" ");
  try {
    new EnglishMnemonic(normalized);
  } catch {
    // The mnemonic itself stays out of the message: it is a secret.
    fail(field, "is not a valid BIP-39 English mnemonic");
  }
  return normalized;
}

function parseEnd(v: unknown, field: string, chains: ReadonlySet<string>): PathEndConfig {
  const t = table(v, field);
  onlyKeys(t, field, ["chain", "client_id", "port", "channel"]);
  const f = `${field}.`;
  const chain = str(t, "chain", f);
  if (!chains.has(chain))
    fail(`${f}chain`, `names no configured chain (have ${[...chains].join(", ") || "none"})`);
  const clientId = str(t, "client_id", f);
  const port = str(t, "port", f, "transfer");
  const channel = str(t, "channel", f);
  const check = (name: string, fn: () => void): void => {
    try {
      fn();
    } catch (e) {
      fail(`${f}${name}`, errorMessage(e));
    }
  };
  check("client_id", () => validateClientId(clientId));
  check("port", () => validatePortId(port));
  check("channel", () => validateChannelId(channel));
  return { chain, clientId, port, channel };
}

function parsePath(v: unknown, i: number, chains: ReadonlySet<string>): PathConfig {
  const field = `paths[${i}]`;
  const t = table(v, field);
  onlyKeys(t, field, ["name", "a", "b"]);
  const a = parseEnd(t.a, `${field}.a`, chains);
  const b = parseEnd(t.b, `${field}.b`, chains);
  if (a.chain === b.chain) fail(`${field}.b.chain`, "must differ from a.chain");
  const name = str(t, "name", `${field}.`, `${a.chain}/${a.channel}-${b.chain}/${b.channel}`);
  return { name, a, b };
}

/** Parses and validates relayer TOML; throws IcsdError RELAYER_CONFIG naming the first bad field. */
export function parseRelayerConfig(text: string, opts: ParseConfigOptions = {}): RelayerConfig {
  let doc: Table;
  try {
    doc = parseToml(text) as Table;
  } catch (e) {
    fail("toml", errorMessage(e));
  }
  onlyKeys(doc, "", ["global", "chains", "paths"]);
  const global = parseGlobal(doc.global);
  if (!Array.isArray(doc.chains) || doc.chains.length === 0)
    fail("chains", "at least one [[chains]] is required");
  const chains = doc.chains.map((c, i) => parseChain(c, i, opts));
  const ids = new Set<string>();
  chains.forEach((c, i) => {
    if (ids.has(c.id)) fail(`chains[${i}].id`, `duplicate chain id ${c.id}`);
    ids.add(c.id);
  });
  if (!Array.isArray(doc.paths) || doc.paths.length === 0)
    fail("paths", "at least one [[paths]] is required");
  const paths = doc.paths.map((p, i) => parsePath(p, i, ids));
  const names = new Set<string>();
  paths.forEach((p, i) => {
    if (names.has(p.name)) fail(`paths[${i}].name`, `duplicate path name ${p.name}`);
    names.add(p.name);
  });
  return { global, chains, paths };
}

/** Reads and validates a relayer TOML file; relative `mnemonic_file`s resolve against its directory. */
export function loadRelayerConfig(path: string): RelayerConfig {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new IcsdError(RELAYER_CONFIG_ERROR, `relayer config: cannot read ${path}: ${errorMessage(e)}`, {
      path,
    });
  }
  return parseRelayerConfig(text, { baseDir: dirname(resolve(path)) });
}
