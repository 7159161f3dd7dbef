import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseToml, TomlError } from "smol-toml";
import { IcsdError } from "../utils/index.ts";
import { isValidChainId } from "./genesis.ts";
import { homePaths, writeFileAtomic } from "./home.ts";
import { KEYRING_BACKENDS, type KeyringBackend } from "./keyring.ts";

/** Output format of client commands. */
export type OutputFormat = "text" | "json";

/**
 * `<home>/config/client.toml`: the defaults of the client commands (keys, tx, query), with the
 * Cosmos SDK's key names plus `bech32-prefix`.
 */
export interface ClientConfig {
  /** Expected chain id; empty means "whatever the node reports". */
  readonly chainId: string;
  readonly keyringBackend: KeyringBackend;
  /** The node's RPC address, `tcp://host:port` or `http(s)://host:port`. */
  readonly node: string;
  readonly output: OutputFormat;
  /** The chain's account address prefix. */
  readonly bech32Prefix: string;
  /** Default gas price of transactions, e.g. `0.0025stake`; empty means no default. */
  readonly gasPrices: string;
}

/** The defaults used for every key client.toml leaves out (and when it does not exist). */
export const defaultClientConfig: ClientConfig = {
  chainId: "",
  keyringBackend: "test",
  node: "tcp://127.0.0.1:26657",
  output: "text",
  bech32Prefix: "cosmos",
  gasPrices: "",
};

const PREFIX = /^[a-z][a-z0-9]{0,82}$/;
// At most 18 decimals, as CosmJS's GasPrice (a Decimal) takes.
const GAS_PRICE = /^\d+(\.\d{1,18})?[a-zA-Z][a-zA-Z0-9/:._-]{2,127}$/;
const NODE_URL = /^(tcp|http|https):\/\/[^\s/]+\/?$/;

/** Path of client.toml in a home. */
export function clientConfigPath(home: string): string {
  return join(homePaths(home).configDir, "client.toml");
}

/** True when `s` is a valid bech32 human-readable prefix for account addresses. */
export function isValidBech32Prefix(s: string): boolean {
  return PREFIX.test(s);
}

/** True when `s` is one gas price such as `0.0025stake`. */
export function isValidGasPrice(s: string): boolean {
  return GAS_PRICE.test(s);
}

/**
 * The HTTP URL CosmJS should POST to, from a node address: `tcp://` (CometBFT's spelling) becomes
 * `http://`. Throws INVALID_ARGUMENT when `node` is not `tcp|http|https://host:port`.
 */
export function rpcHttpUrl(node: string): string {
  if (!NODE_URL.test(node)) {
    throw new IcsdError(
      "INVALID_ARGUMENT",
      `invalid node address ${JSON.stringify(node)}: expected tcp://host:port or http://host:port`,
    );
  }
  return node.replace(/^tcp:\/\//, "http://").replace(/\/$/, "");
}

/** Parses and validates client.toml text; unknown keys are refused (except SDK keys icsd ignores). */
export function parseClientToml(text: string, file = "client.toml"): ClientConfig {
  let raw: Record<string, unknown>;
  try {
    raw = parseToml(text) as Record<string, unknown>;
  } catch (e) {
    const why = e instanceof TomlError ? e.message.split("\n")[0] : String(e);
    throw new IcsdError("CONFIG_INVALID", `${file}: not valid TOML (${why})`, { file });
  }
  const fail = (key: string, what: string) =>
    new IcsdError("CONFIG_INVALID", `${file}: ${key} ${what}`, { file, key });
  const str = (key: string, def: string, ok: (v: string) => boolean, what: string): string => {
    const v = raw[key];
    if (v === undefined) return def;
    if (typeof v !== "string" || !ok(v)) throw fail(key, what);
    return v;
  };
  // The SDK writes broadcast-mode too; icsd takes the mode from --broadcast-mode only.
  const known = ["chain-id", "keyring-backend", "node", "output", "bech32-prefix", "gas-prices"];
  for (const k of Object.keys(raw)) {
    if (!known.includes(k) && k !== "broadcast-mode") throw fail(k, "is not a known key");
  }
  const d = defaultClientConfig;
  return {
    chainId: str("chain-id", d.chainId, (v) => v === "" || isValidChainId(v), "must be a chain id"),
    keyringBackend: str(
      "keyring-backend",
      d.keyringBackend,
      (v) => (KEYRING_BACKENDS as readonly string[]).includes(v),
      'must be "test" or "file"',
    ) as KeyringBackend,
    node: str("node", d.node, (v) => NODE_URL.test(v), "must be tcp://host:port or http://host:port"),
    output: str(
      "output",
      d.output,
      (v) => v === "text" || v === "json",
      'must be "text" or "json"',
    ) as OutputFormat,
    bech32Prefix: str(
      "bech32-prefix",
      d.bech32Prefix,
      isValidBech32Prefix,
      "must be a lowercase bech32 prefix",
    ),
    gasPrices: str(
      "gas-prices",
      d.gasPrices,
      (v) => v === "" || isValidGasPrice(v),
      'must be empty or one gas price like "0.0025stake"',
    ),
  };
}

/** Renders client.toml. */
export function renderClientToml(cfg: ClientConfig): string {
  const q = JSON.stringify;
  return `# icsd client configuration (Cosmos SDK client.toml keys, plus bech32-prefix).

# The chain id transactions are signed for; empty means "the one the node reports".
chain-id = ${q(cfg.chainId)}
# Where account keys live: "test" (<home>/keyring-test, unencrypted) or "file" (<home>/keyring-file, encrypted).
keyring-backend = ${q(cfg.keyringBackend)}
# The node's RPC address.
node = ${q(cfg.node)}
# "text" or "json".
output = ${q(cfg.output)}
# Account address prefix of the chain.
bech32-prefix = ${q(cfg.bech32Prefix)}
# Default gas price of transactions, e.g. "0.0025stake".
gas-prices = ${q(cfg.gasPrices)}
`;
}

/** Loads `<home>/config/client.toml`; the defaults when it does not exist. */
export function loadClientConfig(home: string): ClientConfig {
  const path = clientConfigPath(home);
  if (!existsSync(path)) return defaultClientConfig;
  return parseClientToml(readFileSync(path, "utf8"), path);
}

/** Writes `<home>/config/client.toml` atomically. */
export function writeClientConfig(home: string, cfg: ClientConfig): void {
  writeFileAtomic(clientConfigPath(home), renderClientToml(cfg), 0o644);
}
