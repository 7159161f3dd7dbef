/**
 * docker-compose.yml against what `icsd testnet init-files` writes, with no Docker: init-files runs as a
 * real process (it runs the provider on loopback to launch the consumer), then the checked-in compose
 * file and the one written into the output are checked service by service against the homes (see
 * test/support/composeCheck.ts), the checker is shown to catch broken documents, and the homes are run
 * as the containers would run them: peers dialled by DNS name, on 127.0.0.1 with ports remapped.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { parse as parseYaml } from "yaml";
import { consumerChannelState } from "../../node/devnetConsumer.ts";
import { spawnRelayer } from "../../node/devnetProcess.ts";
import {
  freePorts,
  loadConfig,
  loadGenesis,
  nodeHeight,
  saveConfig,
  spawnNode,
  stopProcesses,
  TESTNET_UNBONDING_TIME,
  type TestnetFile,
} from "../../node/index.ts";
import { assertUserError, icsd } from "../support/cliRun.ts";
import { checkCompose } from "../support/composeCheck.ts";

const REPO = fileURLToPath(new URL("../../", import.meta.url));
const MAIN = join(REPO, "cmd/main.ts");

/** `icsd <args>` as a real process, killed after `timeoutMs`. */
function run(args: readonly string[], timeoutMs: number): Promise<{ code: number; out: string }> {
  return new Promise((done, fail) => {
    const child: ChildProcess = spawn(
      process.execPath,
      ["--disable-warning=ExperimentalWarning", MAIN, ...args],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    let out = "";
    child.stdout?.on("data", (d) => {
      out += d;
    });
    child.stderr?.on("data", (d) => {
      out += d;
    });
    const timer = setTimeout(() => child.kill("SIGTERM"), timeoutMs);
    child.on("error", fail);
    child.on("close", (code) => {
      clearTimeout(timer);
      done({ code: code ?? -1, out });
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitUntil(what: string, timeoutMs: number, ok: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(500);
  }
}

describe("icsd testnet init-files and docker-compose.yml", { timeout: 300_000 }, () => {
  let tmp: string;
  let out: string;
  let testnet: TestnetFile;
  let rootCompose: unknown;
  // The checked-in file mounts ./testnet/...: here that is the test's output.
  const rootSource = (src: string) =>
    src === "./testnet" || src.startsWith("./testnet/")
      ? join(out, src.slice("./testnet".length))
      : resolve(REPO, src);

  before(async () => {
    tmp = mkdtempSync(join(tmpdir(), "icsd-compose-"));
    out = join(tmp, "testnet");
    // The checked-in compose file is for the defaults: 4 validators, one consumer.
    const r = await run(["testnet", "init-files", "--output", out, "--timeout-commit", "300ms"], 150_000);
    assert.equal(r.code, 0, `init-files failed:\n${r.out}`);
    testnet = JSON.parse(readFileSync(join(out, "testnet.json"), "utf8")) as TestnetFile;
    rootCompose = parseYaml(readFileSync(join(REPO, "docker-compose.yml"), "utf8"));
  });
  after(() => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it("writes the devnet's topology: provider validators, a launched consumer with an assigned key, a relayer, 21-day unbonding", () => {
    const [provider, consumer] = testnet.chains;
    assert.equal(testnet.chains.length, 2);
    assert.equal(provider?.chainId, "provider-1");
    assert.deepEqual(
      provider?.nodes.map((n) => n.service),
      ["provider-1-0", "provider-1-1", "provider-1-2", "provider-1-3"],
    );
    assert.equal(consumer?.chainId, "consumer-1");
    assert.equal(consumer?.mode, "consumer");
    assert.ok(consumer?.consumerId !== undefined, "the consumer id is recorded");
    assert.deepEqual(
      consumer?.nodes.map((n) => [n.service, n.assignedKey === true]),
      [
        ["consumer-1-0", false],
        ["consumer-1-1", false],
        ["consumer-1-2", false],
        ["consumer-1-3", true],
      ],
    );
    assert.deepEqual(
      testnet.relayers.map((r) => r.service),
      ["relayer"],
    );
    assert.deepEqual(
      provider?.channels.map((c) => c.port),
      ["provider", "transfer"],
    );
    assert.deepEqual(
      consumer?.channels.map((c) => c.port),
      ["consumer", "transfer"],
    );
    assert.deepEqual(
      testnet.accounts.map((a) => a.name),
      ["faucet", "alice", "bob", "carol", "relayer"],
    );
    for (const a of testnet.accounts) assert.equal(a.mnemonic.split(" ").length, 24, a.name);
    for (const n of provider?.nodes ?? []) assert.ok(n.operator?.mnemonic, `${n.service} has an operator`);
    const genesis = loadGenesis(join(out, "provider-1/node0/config/genesis.json"));
    const staking = (genesis.appState as { staking: { params: { unbonding_time: string } } }).staking;
    assert.equal(staking.params.unbonding_time, TESTNET_UNBONDING_TIME);
    assert.ok(!existsSync(join(out, "devnet.json")), "no devnet.json with loopback ports is left behind");
  });

  it("the checked-in docker-compose.yml matches the homes init-files wrote", () => {
    assert.deepEqual(checkCompose(rootCompose, { source: rootSource, testnet }), []);
  });

  it("so does the docker-compose.yml init-files wrote into its output", () => {
    const doc = parseYaml(readFileSync(join(out, "docker-compose.yml"), "utf8"));
    assert.deepEqual(checkCompose(doc, { source: (src) => resolve(out, src), testnet }), []);
  });

  it("the checker reports clashing ports, missing homes, unknown commands, stray peers and relayer mistakes", () => {
    type Svc = Record<string, unknown>;
    const broken = (edit: (s: Record<string, Svc>) => void): string[] => {
      const doc = structuredClone(rootCompose) as { services: Record<string, Svc> };
      edit(doc.services);
      return checkCompose(doc, { source: rootSource, testnet });
    };
    const expect = (problems: string[], re: RegExp, what: string) =>
      assert.ok(
        problems.some((p) => re.test(p)),
        `${what}: expected a problem matching ${re}, got:\n${problems.join("\n")}`,
      );
    expect(
      broken((s) => {
        s["consumer-1-0"]!.ports = ["127.0.0.1:26657:26657"];
      }),
      /consumer-1-0: host port 26657 clashes with provider-1-0/,
      "host port clash",
    );
    expect(
      broken((s) => {
        s["provider-1-2"]!.volumes = ["./testnet/provider-1/node9:/home/node/.icsd"];
      }),
      /provider-1-2: home .*node9.* lacks config\/config.toml/,
      "missing home",
    );
    expect(
      broken((s) => {
        s["provider-1-1"]!.command = ["strat", "--home", "/home/node/.icsd"];
      }),
      /provider-1-1: `icsd strat .*` is not an icsd command: .*unknown command/,
      "unknown command",
    );
    expect(
      broken((s) => {
        s["provider-1-1"]!.command = ["start", "--hom", "/home/node/.icsd"];
      }),
      /provider-1-1: .*unknown option '--hom'/,
      "unknown option",
    );
    expect(
      broken((s) => {
        s.relayer!.command = ["relayer", "start"];
      }),
      /relayer: .*required option '--config/,
      "missing required option",
    );
    expect(
      broken((s) => {
        s["validator-3"] = s["provider-1-3"]!;
        delete s["provider-1-3"];
      }),
      /provider-1-0: persistent peer \/dns4\/provider-1-3\/.* names no node service/,
      "peer that is no service",
    );
    expect(
      broken((s) => {
        s["consumer-1-1"]!.healthcheck = {
          test: ["CMD", "node", "-e", "fetch('http://127.0.0.1:26656/status')"],
        };
      }),
      /consumer-1-1: healthcheck does not GET \/status on the RPC port 26657/,
      "healthcheck on the p2p port",
    );
    expect(
      broken((s) => {
        s["consumer-1-1"]!.ports = ["127.0.0.1:27667:26656"];
      }),
      /consumer-1-1: publishes container port 26656, but RPC listens on 26657/,
      "published port not the RPC port",
    );
    expect(
      broken((s) => {
        s.relayer!.depends_on = { "provider-1-0": { condition: "service_started" } };
      }),
      /relayer: does not wait for provider-1-0 to be healthy/,
      "relayer not waiting for healthy nodes",
    );
    expect(
      broken((s) => {
        delete s["consumer-1-0"];
      }),
      /relayer: RPC http:\/\/consumer-1-0:26657 of consumer-1 names no node service/,
      "relayer RPC naming no service",
    );
    expect(
      broken((s) => {
        s["consumer-1-2"]!.volumes = ["./testnet/provider-1/node2:/home/node/.icsd"];
      }),
      /consumer-1-2: mounts .*provider-1\/node2, testnet.json says consumer-1\/node2/,
      "a home testnet.json does not give the service",
    );
  });

  it("the homes run as the containers would: peers by DNS name, both chains make blocks, the CCV channel opens", async () => {
    // Each container has its own address, all with the same ports; on one loopback interface each node
    // gets its own ports instead, and its peers become /dns4/localhost (DNS resolution still exercised).
    const dir = join(tmp, "run");
    cpSync(out, dir, { recursive: true });
    const nodes = testnet.chains.flatMap((c) => c.nodes.map((n) => ({ ...n, chainId: c.chainId })));
    const ports = await freePorts(nodes.length * 2 + 1);
    const p2pOf = new Map(nodes.map((n, i) => [n.service, ports[2 * i]!]));
    const rpcOf = new Map(nodes.map((n, i) => [n.service, ports[2 * i + 1]!]));
    const pids: number[] = [];
    try {
      for (const n of nodes) {
        const home = join(dir, n.hostHome);
        const path = join(home, "config/config.toml");
        const cfg = loadConfig(path);
        const peers = cfg.p2p.persistentPeers.map((p) => {
          const m = /^\/dns4\/([^/]+)\/tcp\/26656\/p2p\/(.+)$/.exec(p);
          assert.ok(m && p2pOf.has(m[1]!), `peer ${p} of ${n.service}`);
          return `/dns4/localhost/tcp/${p2pOf.get(m[1]!)}/p2p/${m[2]}`;
        });
        saveConfig(path, {
          ...cfg,
          p2p: { ...cfg.p2p, laddr: `/ip4/127.0.0.1/tcp/${p2pOf.get(n.service)}`, persistentPeers: peers },
          rpc: { laddr: `tcp://127.0.0.1:${rpcOf.get(n.service)}` },
        });
        pids.push(spawnNode(home).pid ?? 0);
      }
      const relayerDir = join(dir, "relayer");
      const toml = readFileSync(join(relayerDir, "relayer.toml"), "utf8")
        .replace(/http:\/\/([a-z0-9-]+):26657/g, (_m, s: string) => `http://localhost:${rpcOf.get(s)}`)
        .replace('"0.0.0.0:26660"', `"127.0.0.1:${ports.at(-1)}"`);
      writeFileSync(join(relayerDir, "relayer.toml"), toml);
      pids.push(spawnRelayer(join(relayerDir, "relayer.toml"), join(relayerDir, "relayer.log")).pid ?? 0);

      const rpc = (service: string) => `http://127.0.0.1:${rpcOf.get(service)}`;
      // The provider resumes the chain init-files ran: it must go on from there.
      let start: number | undefined;
      await waitUntil("provider-1-0 to answer", 60_000, async () => {
        start = await nodeHeight(rpc("provider-1-0"));
        return start !== undefined;
      });
      await waitUntil("every node to make blocks", 90_000, async () => {
        const hs = await Promise.all(nodes.map((n) => nodeHeight(rpc(n.service))));
        return hs.every(
          (h, i) => h !== undefined && h >= (nodes[i]!.chainId === "provider-1" ? start! + 3 : 3),
        );
      });
      await waitUntil("the consumer's CCV channel to be established", 90_000, async () => {
        const st = await consumerChannelState(rpc("consumer-1-0"));
        return st?.established === true;
      });
    } finally {
      await stopProcesses(pids, 10_000);
    }
  });

  it("refuses bad arguments with one line and no stack trace, and explains itself with --help", async () => {
    const notOurs = join(tmp, "not-ours");
    mkdirSync(notOurs);
    writeFileSync(join(notOurs, "notes.txt"), "mine\n");
    const fresh = join(tmp, "fresh");
    const cases: [string[], RegExp][] = [
      [["--output", out], /error: .* already holds a testnet: pass --overwrite to replace it/],
      [["--output", notOurs, "--overwrite"], /error: .* is not empty and holds no testnet.json/],
      [["--output", fresh, "--validators", "0"], /error: --validators must be an integer between 1 and 50/],
      [
        ["--output", fresh, "--validators", "many"],
        /error: --validators must be an integer between 1 and 50/,
      ],
      [["--output", fresh, "--consumers", "21"], /error: --consumers must be an integer from 0 to 20/],
      [["--output", fresh, "--timeout-commit", "soon"], /error: --timeout-commit must be a duration/],
    ];
    const runs = await Promise.all(cases.map(([args]) => icsd(["testnet", "init-files", ...args])));
    runs.forEach((r, i) => {
      assertUserError(r, cases[i]![1], cases[i]![0].join(" "));
    });
    assert.ok(!existsSync(fresh), "a refused run creates nothing");
    assert.equal(
      readFileSync(join(notOurs, "notes.txt"), "utf8"),
      "mine\n",
      "a foreign directory is untouched",
    );
    assert.ok(existsSync(join(out, "testnet.json")), "the existing testnet is untouched");
    const help = await icsd(["testnet", "init-files", "--help"]);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Example:\n\s+\$ icsd testnet init-files --output testnet/);
    assertUserError(await icsd(["testnet", "init-filez"]), /error: unknown command 'init-filez'/, "unknown");
  });
});
