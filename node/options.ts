/**
 * The node's configuration types and their defaults (Lodestar style: one options file per area). Keys
 * mirror CometBFT's config.toml; durations are held in milliseconds.
 */

/** What this node does in consensus: a validator signs votes, a full node only follows. */
export type NodeMode = "validator" | "full";

/** The application a node runs (CometBFT's `proxy_app`): the SDK-style app, or the test key-value app. */
export type ProxyApp = "icsd" | "kvstore";

/** The `[p2p]` section. */
export interface P2pConfig {
  /** libp2p listen multiaddr, e.g. `/ip4/127.0.0.1/tcp/26656`. */
  readonly laddr: string;
  /** Multiaddrs ending in `/p2p/<peer id>` to keep connected to. */
  readonly persistentPeers: readonly string[];
  /** Largest gossip or request message accepted, in bytes. */
  readonly maxMsgBytes: number;
}

/** The `[rpc]` section. */
export interface RpcConfig {
  /** `tcp://host:port` the JSON-RPC server listens on. */
  readonly laddr: string;
}

/** The `[consensus]` section: Tendermint timeouts in milliseconds. */
export interface ConsensusConfig {
  readonly timeoutProposeMs: number;
  readonly timeoutProposeDeltaMs: number;
  readonly timeoutPrevoteMs: number;
  readonly timeoutPrevoteDeltaMs: number;
  readonly timeoutPrecommitMs: number;
  readonly timeoutPrecommitDeltaMs: number;
  readonly timeoutCommitMs: number;
  readonly skipTimeoutCommit: boolean;
  readonly createEmptyBlocks: boolean;
  readonly createEmptyBlocksIntervalMs: number;
}

/** Everything in config.toml, validated. */
export interface NodeConfig {
  readonly moniker: string;
  readonly mode: NodeMode;
  readonly proxyApp: ProxyApp;
  readonly p2p: P2pConfig;
  readonly rpc: RpcConfig;
  readonly consensus: ConsensusConfig;
  readonly instrumentation: { readonly prometheus: boolean };
  readonly log: { readonly level: LogLevel };
  /** Debug aids for tests; `voteLog` appends every vote seen to data/votes.jsonl. */
  readonly debug: { readonly voteLog: boolean };
}

/** pino levels accepted by `[log] level`. */
export const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "fatal", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Everything in app.toml, validated. */
export interface AppConfig {
  /** e.g. `0.0025stake`; empty accepts any fee. */
  readonly minimumGasPrices: string;
  /** `default`, `nothing` or `everything`, as the Cosmos SDK. */
  readonly pruning: "default" | "nothing" | "everything";
}

/** CometBFT's default consensus timeouts (config/config.go DefaultConsensusConfig). */
export const defaultConsensusConfig: ConsensusConfig = {
  timeoutProposeMs: 3000,
  timeoutProposeDeltaMs: 500,
  timeoutPrevoteMs: 1000,
  timeoutPrevoteDeltaMs: 500,
  timeoutPrecommitMs: 1000,
  timeoutPrecommitDeltaMs: 500,
  timeoutCommitMs: 1000,
  skipTimeoutCommit: false,
  createEmptyBlocks: true,
  createEmptyBlocksIntervalMs: 0,
};

/** The defaults written by `icsd init`; only loopback addresses. */
export function defaultNodeConfig(moniker = "icsd"): NodeConfig {
  return {
    moniker,
    mode: "validator",
    proxyApp: "icsd",
    p2p: { laddr: "/ip4/127.0.0.1/tcp/26656", persistentPeers: [], maxMsgBytes: 1024 * 1024 },
    rpc: { laddr: "tcp://127.0.0.1:26657" },
    consensus: defaultConsensusConfig,
    instrumentation: { prometheus: true },
    log: { level: "info" },
    debug: { voteLog: false },
  };
}

/** The defaults written to app.toml. */
export const defaultAppConfig: AppConfig = { minimumGasPrices: "", pruning: "default" };
