import { flushCompileCache, getCompileCacheDir } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";

// How `icsd start` has Node run it. cmd/main.ts imports this file first and everything else on demand,
// so it imports only node: modules: what it decides has to happen before the rest is loaded.

/**
 * V8 flags `icsd start` runs with. By default V8 lets the young generation grow to two 32 MiB
 * semi-spaces, 64 MiB of RSS that a validator's steady trickle of short-lived objects (messages, votes,
 * blocks) never needs. With 4 MiB semi-spaces an idle validator is about 35 MB smaller and transaction
 * throughput is unchanged; 2 MiB would save 3 MB more but cost about 8% of throughput, as more
 * short-lived objects get promoted to the old generation (bench/consensus, bench/throughput). The flag
 * only takes effect when the process starts (`v8.setFlagsFromString` comes too late: the heap is
 * already set up), hence the restart.
 */
export const START_V8_FLAGS: readonly string[] = ["--max-semi-space-size=4"];

/**
 * glibc malloc arenas for `icsd start`. By default every thread that allocates (the main thread, V8's
 * GC workers, libuv's pool running LevelDB) gets an arena of its own, up to 8 per core, and each keeps
 * the memory it freed; two shared arenas keep an idle validator about 6 MB smaller. Read by glibc at
 * process start only; other C libraries ignore it.
 */
export const START_MALLOC_ARENA_MAX = "2";

/**
 * Set in the environment of a restarted process: "1" after `restartWithStartFlags`, "2" after
 * `restartWithoutTypeStripper`. Each restart happens at most once.
 */
const RESTARTED_ENV = "ICSD_START_RESTARTED";

/** What `process.moduleLoadList` shows once Node has loaded its TypeScript stripper. */
const TYPE_STRIPPER_MODULE = "NativeModule internal/deps/amaro/dist/index";

/** The compile cache directory `module.enableCompileCache()` uses by default. */
export function compileCacheDir(): string {
  return join(tmpdir(), "node-compile-cache");
}

/** True when `args` (argv without node and the script) run `icsd start`, possibly after `--trace`. */
export function isStartCommand(args: readonly string[]): boolean {
  const i = args.indexOf("start");
  return i >= 0 && args.slice(0, i).every((a) => a === "--trace");
}

/** A flag's name (`--max-semi-space-size`), with V8's `_` spelling normalized to `-`. */
function flagName(flag: string): string {
  return (flag.split("=")[0] ?? flag).replaceAll("_", "-");
}

/** What the restart adds: Node flags (before the process's own) and environment variables. */
export interface StartRuntime {
  readonly flags: readonly string[];
  readonly env: Readonly<Record<string, string>>;
}

/**
 * What `icsd start` adds to how Node runs it, leaving out whatever the user already chose: a V8 flag
 * given on Node's command line or in NODE_OPTIONS, NODE_COMPILE_CACHE or NODE_DISABLE_COMPILE_CACHE,
 * MALLOC_ARENA_MAX or an arena_max in GLIBC_TUNABLES.
 */
export function startRuntime(execArgv: readonly string[], env: NodeJS.ProcessEnv): StartRuntime {
  const given = new Set(
    [...execArgv, ...(env.NODE_OPTIONS ?? "").split(/\s+/)].filter(Boolean).map(flagName),
  );
  const add: Record<string, string> = {};
  if (env.NODE_COMPILE_CACHE === undefined && env.NODE_DISABLE_COMPILE_CACHE === undefined) {
    add.NODE_COMPILE_CACHE = compileCacheDir();
  }
  if (env.MALLOC_ARENA_MAX === undefined && !(env.GLIBC_TUNABLES ?? "").includes("arena_max")) {
    add.MALLOC_ARENA_MAX = START_MALLOC_ARENA_MAX;
  }
  return { flags: START_V8_FLAGS.filter((f) => !given.has(flagName(f))), env: add };
}

/**
 * Replaces this process with itself run as `startRuntime` says: the same PID, so devnet, the e2e
 * harness, docker and service managers that track it are unaffected, and the same arguments. With the
 * compile cache on from the first module, which also holds the type-stripped source of every .ts file,
 * Node does not load its TypeScript stripper (amaro: a WebAssembly module and 4 MB of JavaScript, about
 * 20 MB of RSS for the life of the process) when the cache is warm. Does nothing when there is nothing
 * to add, when this process is already a restart, or where Node has no `process.execve` (Windows): the
 * node then runs with Node's defaults.
 */
export function restartWithStartFlags(): void {
  if (process.env[RESTARTED_ENV] !== undefined || typeof process.execve !== "function") return;
  const { flags, env } = startRuntime(process.execArgv, process.env);
  if (flags.length === 0 && Object.keys(env).length === 0) return;
  process.execve(
    process.execPath,
    [process.execPath, ...flags, ...process.execArgv, ...process.argv.slice(1)],
    { ...process.env, ...env, [RESTARTED_ENV]: "1" },
  );
}

/**
 * Called by `icsd start` once the node's modules are loaded, before the node starts: when some of them
 * were not in the compile cache yet (the first start after an install or an upgrade), Node had to load
 * its TypeScript stripper, which would stay in memory as long as the node runs. Then the cache, now
 * holding every module, is written and the process replaces itself once more (same PID, same flags),
 * starting from the warm cache; this costs about a second, once per code version.
 */
export function restartWithoutTypeStripper(): void {
  if (process.env[RESTARTED_ENV] === "2" || typeof process.execve !== "function") return;
  // moduleLoadList is not in Node's typings; it lists the internal modules loaded so far.
  const loaded = (process as { moduleLoadList?: readonly string[] }).moduleLoadList;
  if (!loaded?.includes(TYPE_STRIPPER_MODULE) || getCompileCacheDir() === undefined) return;
  flushCompileCache();
  process.execve(process.execPath, [process.execPath, ...process.execArgv, ...process.argv.slice(1)], {
    ...process.env,
    [RESTARTED_ENV]: "2",
  });
}
