import { closeSync, fchmodSync, fsyncSync, mkdirSync, openSync, renameSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";

/** Every file of a node home, in CometBFT's layout. All paths are absolute. */
export interface HomePaths {
  readonly home: string;
  readonly configDir: string;
  readonly dataDir: string;
  readonly configToml: string;
  readonly appToml: string;
  readonly genesis: string;
  readonly nodeKey: string;
  readonly privValidatorKey: string;
  readonly privValidatorState: string;
  /** LevelDB directory. */
  readonly db: string;
  /** Consensus write-ahead log. */
  readonly wal: string;
  /** Debug vote log (`[debug] vote_log`). */
  readonly voteLog: string;
}

/** The default home, `~/.icsd`, as gaiad uses `~/.gaia`. */
export function defaultHome(): string {
  return join(homedir(), ".icsd");
}

/** The paths of a home directory (nothing is created). `~` at the start is expanded. */
export function homePaths(home: string): HomePaths {
  const abs = resolve(home.startsWith("~/") || home === "~" ? join(homedir(), home.slice(1)) : home);
  const configDir = join(abs, "config");
  const dataDir = join(abs, "data");
  return {
    home: abs,
    configDir,
    dataDir,
    configToml: join(configDir, "config.toml"),
    appToml: join(configDir, "app.toml"),
    genesis: join(configDir, "genesis.json"),
    nodeKey: join(configDir, "node_key.json"),
    privValidatorKey: join(configDir, "priv_validator_key.json"),
    privValidatorState: join(dataDir, "priv_validator_state.json"),
    db: join(dataDir, "icsd.db"),
    wal: join(dataDir, "cs.wal"),
    voteLog: join(dataDir, "votes.jsonl"),
  };
}

/** Creates `config/` and `data/` (mode 0700, as they hold keys and signer state). Idempotent. */
export function ensureHomeDirs(paths: HomePaths): void {
  mkdirSync(paths.configDir, { recursive: true, mode: 0o700 });
  mkdirSync(paths.dataDir, { recursive: true, mode: 0o700 });
}

/**
 * Writes a file so that a crash leaves either the old or the new content, never a mix: write a temp
 * file in the same directory, fsync it, rename it over the target, fsync the directory.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array, mode: number): void {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, "w", mode);
  try {
    fchmodSync(fd, mode);
    writeFileSync(fd, data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  const dfd = openSync(dir, "r");
  try {
    fsyncSync(dfd);
  } finally {
    closeSync(dfd);
  }
}
