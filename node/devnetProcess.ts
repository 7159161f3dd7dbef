import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, existsSync, openSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** Path of cmd/main.ts in this checkout: what devnet children run. */
export const ICSD_MAIN = fileURLToPath(new URL("../cmd/main.ts", import.meta.url));

/** Log file of a devnet node. */
export function nodeLogPath(home: string): string {
  return join(home, "node.log");
}

/**
 * Starts `icsd start --home <home>` with the same Node binary, stdout and stderr appended to
 * `<home>/node.log`, in its own process group (so a terminal's Ctrl-C reaches only the devnet parent,
 * which then stops the children in order).
 */
export function spawnNode(home: string): ChildProcess {
  const fd = openSync(nodeLogPath(home), "a");
  try {
    return spawn(
      process.execPath,
      ["--disable-warning=ExperimentalWarning", ICSD_MAIN, "start", "--home", home],
      {
        stdio: ["ignore", fd, fd],
        detached: true,
      },
    );
  } finally {
    closeSync(fd);
  }
}

/**
 * Starts `icsd relayer start --config <config>` like spawnNode: same Node binary, output appended to
 * `log`, its own process group.
 */
export function spawnRelayer(config: string, log: string): ChildProcess {
  const fd = openSync(log, "a");
  try {
    return spawn(
      process.execPath,
      ["--disable-warning=ExperimentalWarning", ICSD_MAIN, "relayer", "start", "--config", config],
      { stdio: ["ignore", fd, fd], detached: true },
    );
  } finally {
    closeSync(fd);
  }
}

/** True when `pid` is an `icsd relayer start --config <config>` process. */
export function isRelayerProcess(pid: number, config: string): boolean {
  return cmdlineIncludes(pid, `relayer start --config ${config}`);
}

function cmdlineIncludes(pid: number, text: string): boolean {
  if (!isAlive(pid)) return false;
  const path = `/proc/${pid}/cmdline`;
  if (!existsSync(path)) return false;
  try {
    return readFileSync(path, "utf8").split("\0").join(" ").includes(text);
  } catch {
    return false;
  }
}

/** True when `pid` is alive (signal 0 succeeds). */
export function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * True when `pid` is an `icsd start` process (for `home` when given), read from /proc/<pid>/cmdline, so
 * `devnet down` never signals a PID that was reused by an unrelated process.
 */
export function isIcsdProcess(pid: number, home?: string): boolean {
  return cmdlineIncludes(pid, home === undefined ? "start --home" : `start --home ${home}`);
}

/**
 * Stops processes: SIGTERM to each, then SIGKILL to those still alive after `graceMs`. Resolves when all
 * are gone (or after the SIGKILL). Returns the PIDs that had to be killed.
 */
export async function stopProcesses(pids: readonly number[], graceMs = 10_000): Promise<number[]> {
  const live = pids.filter(isAlive);
  for (const pid of live) {
    try {
      process.kill(pid, "SIGTERM");
    } catch {
      // already gone
    }
  }
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && live.some(isAlive)) await new Promise((r) => setTimeout(r, 100));
  const killed = live.filter(isAlive);
  for (const pid of killed) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
  return killed;
}

/** The last `lines` lines of a file ("" when it does not exist). */
export function tailFile(path: string, lines = 10): string {
  if (!existsSync(path)) return "";
  const text = readFileSync(path, "utf8");
  return text.trimEnd().split("\n").slice(-lines).join("\n");
}
