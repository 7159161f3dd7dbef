import { existsSync } from "node:fs";
import { IcsdError, nowNs } from "../utils/index.ts";
import { clientConfigPath, defaultClientConfig, writeClientConfig } from "./clientConfig.ts";
import { saveAppConfig, saveConfig } from "./config.ts";
import { consumerGenesisDoc, consumerPlaceholderGenesis } from "./consumerGenesis.ts";
import { assertChainId, type GenesisDoc, genesisValidator, newGenesis, saveGenesis } from "./genesis.ts";
import { ensureHomeDirs, type HomePaths, homePaths } from "./home.ts";
import {
  cometNodeId,
  initValidatorState,
  loadOrGenerateNodeKey,
  loadOrGenerateValidatorKey,
  nodeIdFromNodeKey,
  type PrivValidatorKey,
} from "./keys.ts";
import { defaultAppConfig, defaultNodeConfig, type NodeConfig } from "./options.ts";

/** What `icsd init` needs. */
export interface InitHomeOptions {
  readonly home: string;
  readonly moniker: string;
  readonly chainId: string;
  /** Voting power of this node in the single-validator genesis (default 10). */
  readonly power?: bigint;
  /** Replace an existing genesis.json. */
  readonly overwrite?: boolean;
  /** Adjusts the default config before it is written (devnets set ports and timeouts). */
  readonly configure?: (cfg: NodeConfig) => NodeConfig;
  /** Genesis time in ns (default: now; for a consumer genesis, its launch time + 1s). */
  readonly genesisTime?: bigint;
  /**
   * "provider" (default): this node is the only validator of a new chain. "consumer": the validators
   * and `app_state.ccvconsumer` come from `consumerGenesis` (the provider's ConsumerGenesis query), or,
   * without one, an empty `ccvconsumer` placeholder that `icsd genesis set-consumer-genesis` fills.
   */
  readonly mode?: "provider" | "consumer";
  /** The consumer genesis JSON object (consumer mode only). */
  readonly consumerGenesis?: unknown;
}

/** What `initHome` created or found. */
export interface InitHomeResult {
  readonly paths: HomePaths;
  /** libp2p peer id of the node key. */
  readonly peerId: string;
  /** CometBFT-style hex node id. */
  readonly nodeId: string;
  readonly validatorKey: PrivValidatorKey;
  readonly genesis: GenesisDoc;
}

/**
 * Initialises a node home in CometBFT's layout. Keys, config.toml, app.toml and the signer state are
 * created only when missing (never replaced: a validator key or signer state must not be lost), and the
 * genesis, with this node as its only validator, refuses to replace an existing one unless `overwrite`.
 */
export function initHome(opts: InitHomeOptions): InitHomeResult {
  assertChainId(opts.chainId);
  if (opts.moniker.length === 0 || opts.moniker.length > 70) {
    throw new IcsdError("INVALID_MONIKER", "moniker must be 1-70 characters");
  }
  const power = opts.power ?? 10n;
  if (power <= 0n) throw new IcsdError("INVALID_POWER", `power must be a positive integer, got ${power}`);
  if (opts.mode !== "consumer" && opts.consumerGenesis !== undefined)
    throw new IcsdError("INVALID_ARGUMENT", "a consumer genesis needs consumer mode");
  // Check the consumer genesis before anything is written.
  if (opts.mode === "consumer" && opts.consumerGenesis !== undefined) {
    consumerGenesisDoc({
      chainId: opts.chainId,
      consumerGenesis: opts.consumerGenesis,
      genesisTime: opts.genesisTime,
    });
  }
  const paths = homePaths(opts.home);
  if (existsSync(paths.genesis) && !opts.overwrite) {
    throw new IcsdError(
      "GENESIS_EXISTS",
      `genesis.json already exists at ${paths.genesis}; use --overwrite to replace it`,
      {
        path: paths.genesis,
      },
    );
  }
  ensureHomeDirs(paths);
  if (!existsSync(paths.configToml)) {
    const cfg = defaultNodeConfig(opts.moniker);
    saveConfig(paths.configToml, opts.configure ? opts.configure(cfg) : cfg);
  }
  if (!existsSync(paths.appToml)) saveAppConfig(paths.appToml, defaultAppConfig);
  if (!existsSync(clientConfigPath(paths.home))) {
    writeClientConfig(paths.home, { ...defaultClientConfig, chainId: opts.chainId });
  }
  const nodeKey = loadOrGenerateNodeKey(paths.nodeKey);
  const validatorKey = loadOrGenerateValidatorKey(paths.privValidatorKey);
  initValidatorState(paths.privValidatorState);
  const genesis = genesisFor(opts, validatorKey, power);
  saveGenesis(paths.genesis, genesis);
  return { paths, peerId: nodeIdFromNodeKey(nodeKey), nodeId: cometNodeId(nodeKey), validatorKey, genesis };
}

function genesisFor(opts: InitHomeOptions, validatorKey: PrivValidatorKey, power: bigint): GenesisDoc {
  if (opts.mode === "consumer") {
    return opts.consumerGenesis === undefined
      ? consumerPlaceholderGenesis({ chainId: opts.chainId, genesisTime: opts.genesisTime ?? nowNs() })
      : consumerGenesisDoc({
          chainId: opts.chainId,
          consumerGenesis: opts.consumerGenesis,
          genesisTime: opts.genesisTime,
        });
  }
  return newGenesis({
    chainId: opts.chainId,
    genesisTime: opts.genesisTime ?? nowNs(),
    validators: [genesisValidator(validatorKey.pubKey, power, opts.moniker)],
  });
}
