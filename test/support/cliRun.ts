/**
 * Running the `icsd` CLI as a child process from unit tests: asynchronously, so a fake node served by
 * the test process can answer while the CLI runs, and many runs can go in parallel.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const MAIN = fileURLToPath(new URL("../../cmd/main.ts", import.meta.url));

export interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** `icsd <args>` with `input` on stdin; killed after 30 s. */
export function icsd(args: readonly string[], input = ""): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--disable-warning=ExperimentalWarning", MAIN, ...args], {
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
    child.stdin.end(input);
  });
}

/** A user error: exit code 1, one line on stderr matching `msg`, no stack trace. */
export function assertUserError(r: Run, msg: RegExp, what: string): void {
  assert.equal(r.code, 1, `${what}: ${r.stdout}${r.stderr}`);
  const lines = r.stderr.trimEnd().split("\n");
  assert.equal(lines.length, 1, `${what}: expected one line, got:\n${r.stderr}`);
  assert.match(lines[0]!, msg, what);
  assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace");
}

/** Runs every case in parallel (a few at a time) and checks each fails with its message. */
export async function expectErrors(cases: readonly [string[], RegExp][]): Promise<void> {
  for (let i = 0; i < cases.length; i += 6) {
    const batch = cases.slice(i, i + 6);
    const runs = await Promise.all(batch.map(([args]) => icsd(args)));
    runs.forEach((r, j) => {
      assertUserError(r, batch[j]![1], batch[j]![0].join(" "));
    });
  }
}
