import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { START_MALLOC_ARENA_MAX, START_V8_FLAGS } from "../../cmd/runtime.ts";
import { type TestNode, Testnet } from "./harness.ts";

/** The command line and environment of a running process, from /proc. */
function procInfo(pid: number): { argv: string[]; env: Map<string, string> } {
  const argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean);
  const env = new Map(
    readFileSync(`/proc/${pid}/environ`, "utf8")
      .split("\0")
      .filter(Boolean)
      .map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)] as const),
  );
  return { argv, env };
}

describe("icsd start restarts itself with its runtime settings", { timeout: 120_000 }, () => {
  let net: Testnet;
  let node: TestNode;
  // A compile cache of this test alone, so that the first start is certain to find it empty.
  const cache = mkdtempSync(join(tmpdir(), "icsd-e2e-cache-"));
  const savedCache = process.env.NODE_COMPILE_CACHE;
  before(async () => {
    net = await Testnet.create({ validators: 1, chainId: "e2e-runtime" });
    node = net.nodes[0]!;
    process.env.NODE_COMPILE_CACHE = cache; // inherited by the node processes the harness spawns
  });
  after(async () => {
    if (savedCache === undefined) delete process.env.NODE_COMPILE_CACHE;
    else process.env.NODE_COMPILE_CACHE = savedCache;
    await net.cleanup();
    rmSync(cache, { recursive: true, force: true });
  });

  it("in the same process, with the V8 flags and malloc arenas, twice on a cold compile cache", async () => {
    net.start(node);
    await net.waitForHeight([node], 2, 60_000);
    const pid = node.proc?.pid;
    assert.ok(pid !== undefined && node.proc?.exitCode === null, "the spawned process is the node");
    const { argv, env } = procInfo(pid);
    for (const f of START_V8_FLAGS) assert.ok(argv.includes(f), `${f} in ${argv.join(" ")}`);
    assert.ok(argv.includes("start"));
    assert.equal(env.get("MALLOC_ARENA_MAX"), START_MALLOC_ARENA_MAX);
    assert.equal(env.get("NODE_COMPILE_CACHE"), cache, "the user's cache directory is kept");
    // The cache was empty: the node's modules were type-stripped, cached, and the node restarted again.
    assert.equal(env.get("ICSD_START_RESTARTED"), "2");
    await net.stop(node);
  });

  it("once on a warm compile cache", async () => {
    net.start(node);
    await net.waitForHeight([node], (await net.height(node)) + 2, 60_000);
    const pid = node.proc?.pid;
    assert.ok(pid !== undefined);
    assert.equal(procInfo(pid).env.get("ICSD_START_RESTARTED"), "1");
    await net.stop(node);
    assert.equal(node.proc?.exitCode, 0, "SIGTERM reaches the restarted node, which stops cleanly");
  });
});
