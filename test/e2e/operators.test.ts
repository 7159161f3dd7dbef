/**
 * docs/operators.md, run as written against a devnet: every ```sh block in order, with bash -euo pipefail,
 * in one shell (so the variables of one block are there in the next) and one working directory, with
 * `icsd` on the PATH (a shim running this checkout with this Node). A block whose first line is
 * `# runs until stopped` is what the guide runs "in a terminal of its own": it runs in the background, in
 * a process group of its own, and is stopped by PID.
 *
 * Between blocks, hooks keyed by the guide's headings do what the reader does by hand or what the guide
 * supposes: stop the consumer node (downtime) and run a second consumer node with the same key (a double
 * vote). After each numbered section the test checks what the section claims, with its own queries.
 */
import assert from "node:assert/strict";
import { type ChildProcess, execFile, spawn } from "node:child_process";
import {
  closeSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, before, describe, it } from "node:test";
import { toBech32 } from "@cosmjs/encoding";
import { addressFromPubKey } from "../../crypto/index.ts";
import { homePaths, loadConfig, saveConfig } from "../../node/index.ts";
import { height, rpc } from "../support/jsonRpc.ts";
import { freePort, sleep } from "./harness.ts";
import { waitUntil } from "./ibcHarness.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const MAIN = join(ROOT, "cmd/main.ts");
const DOC = join(ROOT, "docs/operators.md");
const NODE_ARGS = ["--disable-warning=ExperimentalWarning"];
/** The first line of a block the guide runs in a terminal of its own. */
const BACKGROUND = /^# runs until stopped\b/;
const BLOCK_TIMEOUT_MS = 240_000;

// ---- the guide --------------------------------------------------------------------------------------

interface Heading {
  readonly kind: "heading";
  readonly level: number;
  readonly text: string;
  readonly line: number;
}

interface Block {
  readonly kind: "block";
  readonly code: string;
  readonly line: number;
  readonly background: boolean;
}

type Item = Heading | Block;

/** The headings and ```sh blocks of a markdown text, in order (headings inside fences are not headings). */
function parseGuide(text: string): Item[] {
  const items: Item[] = [];
  const lines = text.split("\n");
  let fence: { lang: string; line: number; body: string[] } | undefined;
  for (const [i, line] of lines.entries()) {
    if (fence) {
      if (/^```\s*$/.test(line)) {
        if (fence.lang === "sh") {
          const code = `${fence.body.join("\n")}\n`;
          items.push({ kind: "block", code, line: fence.line, background: BACKGROUND.test(code) });
        }
        fence = undefined;
      } else fence.body.push(line);
      continue;
    }
    const open = /^```(\S*)\s*$/.exec(line);
    if (open) {
      fence = { lang: open[1]!, line: i + 1, body: [] };
      continue;
    }
    const h = /^(#{1,6})\s+(.*\S)\s*$/.exec(line);
    if (h) items.push({ kind: "heading", level: h[1]!.length, text: h[2]!, line: i + 1 });
  }
  assert.equal(fence, undefined, "the guide has an unclosed code fence");
  return items;
}

/** The guide's `##` sections, each with the items up to the next `##`. */
function sections(items: readonly Item[]): { title: string; items: Item[] }[] {
  const out: { title: string; items: Item[] }[] = [];
  for (const item of items) {
    if (item.kind === "heading" && item.level === 2) out.push({ title: item.text, items: [] });
    else out.at(-1)?.items.push(item);
  }
  return out;
}

/** Every address the text names: IPv4 literals and URL hosts must be loopback. */
function nonLoopback(text: string): string[] {
  const bad: string[] = [];
  for (const m of text.matchAll(/\b\d{1,3}(?:\.\d{1,3}){3}\b/g)) if (m[0] !== "127.0.0.1") bad.push(m[0]);
  for (const m of text.matchAll(/\b(?:https?|tcp|wss?):\/\/([A-Za-z0-9][A-Za-z0-9.-]*)/g))
    if (m[1] !== "127.0.0.1" && m[1] !== "localhost") bad.push(m[0]);
  for (const m of text.matchAll(/\/dns[46]?\/[^\s/"'`]+/g)) bad.push(m[0]);
  return bad;
}

// ---- one bash for the whole guide --------------------------------------------------------------------

interface Background {
  readonly pid: number;
  readonly line: number;
  readonly section: string;
  readonly out: string;
  stopped: boolean;
}

/**
 * A `bash -euo pipefail` fed through a pipe: each block is written to a file and sourced in the shell
 * itself (so its variables stay), with its output in a file of its own and a sentinel line after it. A
 * failing command ends the shell (errexit), which fails the block.
 */
class GuideShell {
  private readonly proc: ChildProcess;
  private stdout = "";
  private stderr = "";
  private exit: number | string | undefined;
  private readonly waiters = new Set<() => void>();
  private n = 0;
  readonly background: Background[] = [];

  private readonly scratch: string;

  constructor(work: string, scratch: string, env: NodeJS.ProcessEnv) {
    this.scratch = scratch;
    mkdirSync(scratch, { recursive: true });
    this.proc = spawn("bash", ["--noprofile", "--norc", "-euo", "pipefail"], {
      cwd: work,
      env,
      // Its own process group: a timed-out block is killed with everything it started in the foreground.
      detached: true,
      stdio: ["pipe", "pipe", "pipe"],
    });
    this.proc.stdout!.on("data", (d) => {
      this.stdout += d;
      this.wake();
    });
    this.proc.stderr!.on("data", (d) => {
      this.stderr += d;
    });
    this.proc.on("exit", (code, signal) => {
      this.exit = code ?? signal ?? "?";
      this.wake();
    });
    // errexit ends the shell silently: name the command that failed, in the block's output.
    this.send(`trap 'echo "exit $? from: $BASH_COMMAND" >&2' ERR\n`);
  }

  private wake(): void {
    for (const w of this.waiters) w();
  }

  /** Waits for the stdout line `@@<tag> <i> [rest]`; returns the rest. */
  private async line(tag: string, i: number, timeoutMs: number, what: () => string): Promise<string> {
    const head = `@@${tag} ${i}`;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const m = this.stdout.split("\n").find((l) => l === head || l.startsWith(`${head} `));
      if (m !== undefined) return m.slice(head.length).trim();
      if (this.exit !== undefined) throw new Error(`the shell exited (${this.exit}) in ${what()}`);
      if (Date.now() > deadline) {
        this.kill();
        throw new Error(`timed out after ${timeoutMs / 1000}s in ${what()}`);
      }
      // Woken by new output or the shell's exit; at least once a second for the deadline.
      await new Promise<void>((res) => {
        const done = () => {
          clearTimeout(timer);
          this.waiters.delete(done);
          res();
        };
        const timer = setTimeout(done, 1000);
        this.waiters.add(done);
      });
    }
  }

  private send(text: string): void {
    if (this.exit !== undefined) throw new Error(`the shell is gone (${this.exit})`);
    this.proc.stdin!.write(text);
  }

  private describe(b: Block, out: string): string {
    const output = existsSync(out) ? readFileSync(out, "utf8") : "";
    return [
      `the block at docs/operators.md:${b.line}:`,
      b.code.trimEnd(),
      "--- its output (last 6000 characters):",
      output.slice(-6000).trimEnd(),
      ...(this.stderr.trim() ? ["--- shell stderr:", this.stderr.slice(-2000).trimEnd()] : []),
    ].join("\n");
  }

  /** Runs a block in the shell; throws with the block and its output when it fails or times out. */
  async run(b: Block, timeoutMs = BLOCK_TIMEOUT_MS): Promise<void> {
    const i = ++this.n;
    const file = join(this.scratch, `block-${i}.sh`);
    const out = join(this.scratch, `block-${i}.out`);
    writeFileSync(file, b.code);
    this.send(`source '${file}' </dev/null >'${out}' 2>&1\nprintf '@@done %d\\n' ${i}\n`);
    await this.line("done", i, timeoutMs, () => this.describe(b, out));
  }

  /** Starts a `# runs until stopped` block in the background, in a process group of its own. */
  async start(b: Block, section: string): Promise<Background> {
    const i = ++this.n;
    const file = join(this.scratch, `block-${i}.sh`);
    const out = join(this.scratch, `block-${i}.out`);
    writeFileSync(file, b.code);
    // Job control (set -m) only while starting it: the job gets its own process group.
    this.send(
      `set -m; ( source '${file}' ) </dev/null >'${out}' 2>&1 & printf '@@pid %d %s\\n' ${i} "$!"; set +m\n`,
    );
    const pid = Number(await this.line("pid", i, 10_000, () => this.describe(b, out)));
    const bg: Background = { pid, line: b.line, section, out, stopped: false };
    this.background.push(bg);
    return bg;
  }

  /** A shell variable's value ("" when unset). */
  async get(name: string): Promise<string> {
    assert.match(name, /^[A-Z_][A-Z0-9_]*$/);
    const i = ++this.n;
    this.send(`printf '@@var %d %s\\n' ${i} "$(printf %s "\${${name}-}" | base64 -w0)"\n`);
    const b64 = await this.line("var", i, 10_000, () => `reading $${name}`);
    return Buffer.from(b64, "base64").toString("utf8");
  }

  kill(): void {
    try {
      if (this.proc.pid) process.kill(-this.proc.pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
}

/** SIGTERM to a process group, SIGKILL after `graceMs` if it is still there. */
async function stopGroup(pid: number, graceMs = 10_000): Promise<void> {
  const alive = () => {
    try {
      process.kill(-pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  if (!alive()) return;
  try {
    process.kill(-pid, "SIGTERM");
  } catch {
    return;
  }
  const deadline = Date.now() + graceMs;
  while (alive() && Date.now() < deadline) await sleep(200);
  if (alive()) {
    try {
      process.kill(-pid, "SIGKILL");
    } catch {
      // gone meanwhile
    }
  }
}

// ---- talking to the devnet ---------------------------------------------------------------------------

type Json = Record<string, unknown>;

/** `icsd <args>` of this checkout, asynchronously; rejects with its output on a non-zero exit. */
function icsd(args: string[], timeout = 90_000): Promise<string> {
  return new Promise((res, rej) => {
    execFile(
      process.execPath,
      [...NODE_ARGS, MAIN, ...args],
      { encoding: "utf8", timeout, env: { ...process.env, NO_COLOR: "1" } },
      (err, stdout, stderr) => {
        if (err) rej(new Error(`icsd ${args.join(" ")}: ${err.message}\n${stdout}${stderr}`));
        else res(stdout);
      },
    );
  });
}

async function icsdJson<T = Json>(args: string[]): Promise<T> {
  return JSON.parse(await icsd([...args, "--output", "json"])) as T;
}

interface DevnetJson {
  chains: {
    chainId: string;
    mode: string;
    consumerId?: string;
    nodes: { name: string; home: string; rpc: string; p2p: string; pid: number }[];
  }[];
  relayers: { pid: number }[];
}

/** The base64 ed25519 public key a home signs with. */
function homeKey(home: string): string {
  const k = JSON.parse(readFileSync(homePaths(home).privValidatorKey, "utf8")) as {
    pub_key: { value: string };
  };
  return k.pub_key.value;
}

function valcons(keyB64: string): string {
  return toBech32("cosmosvalcons", addressFromPubKey(Buffer.from(keyB64, "base64")));
}

interface StakingValidator {
  operator_address: string;
  jailed: boolean;
  status: string;
  tokens: string;
  consensus_pubkey: { key: string };
}

// ---- the test ----------------------------------------------------------------------------------------

describe("docs/operators.md runs as written against a devnet", { timeout: 900_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), "icsd-e2e-operators-"));
  const devnetDir = join(dir, "devnet");
  const work = join(dir, "work");
  const bin = join(dir, "bin");
  const guide = parseGuide(readFileSync(DOC, "utf8"));
  const parts = sections(guide);
  const started = Date.now();
  let devnet: DevnetJson;
  let shell: GuideShell;
  let twin: ChildProcess | undefined;
  let failed = false;
  const vars: Record<string, string> = {};

  const log = (msg: string) =>
    process.stderr.write(`[operators +${((Date.now() - started) / 1000).toFixed(0)}s] ${msg}\n`);
  const provider = () => devnet.chains.find((c) => c.mode === "provider")!;
  const consumer = () => devnet.chains.find((c) => c.chainId === "consumer-1")!;
  const node = () => provider().nodes[0]!.rpc;
  const consumerRpc = () => consumer().nodes[0]!.rpc;
  const validator = async (valoper: string) =>
    (
      await icsdJson<{ validator: StakingValidator }>([
        "query",
        "staking",
        "validator",
        valoper,
        "--node",
        node(),
      ])
    ).validator;
  const signingInfo = async (cons: string) =>
    (
      await icsdJson<{ val_signing_info: { jailed_until: string; tombstoned: boolean } }>([
        "query",
        "slashing",
        "signing-info",
        cons,
        "--node",
        node(),
      ])
    ).val_signing_info;
  const consumerPowers = async (url: string) => {
    const r = await rpc<{ validators: { pub_key: { value: string }; voting_power: string }[] }>(
      url,
      "validators",
      {
        per_page: "100",
      },
    );
    return new Map(r.validators.map((v) => [v.pub_key.value, v.voting_power]));
  };
  /** Reads the guide's variables from the shell. */
  const read = async (...names: string[]) => {
    for (const n of names) vars[n] = await shell.get(n);
    return vars;
  };

  before(async () => {
    const bad = nonLoopback(readFileSync(DOC, "utf8"));
    assert.deepEqual(bad, [], "the guide names only loopback addresses");
    mkdirSync(work);
    mkdirSync(bin);
    mkdirSync(join(dir, "home"));
    writeFileSync(
      join(bin, "icsd"),
      `#!/bin/sh\nexec '${process.execPath}' ${NODE_ARGS.join(" ")} '${MAIN}' "$@"\n`,
      { mode: 0o755 },
    );
    log("starting the devnet (4 validators, consumer-1, relayer)");
    await icsd(
      [
        "devnet",
        "up",
        "--home",
        devnetDir,
        "--validators",
        "4",
        "--timeout-commit",
        "200ms",
        "--wait-timeout",
        "120s",
        "--detach",
      ],
      300_000,
    );
    devnet = JSON.parse(readFileSync(join(devnetDir, "devnet.json"), "utf8")) as DevnetJson;
    const ports = [await freePort(), await freePort(), await freePort(), await freePort()];
    shell = new GuideShell(work, join(dir, "blocks"), {
      ...process.env,
      PATH: `${bin}:${process.env.PATH ?? "/usr/bin:/bin"}`,
      // Nothing falls back to the real ~/.icsd.
      HOME: join(dir, "home"),
      NO_COLOR: "1",
      DEVNET: devnetDir,
      P2P_PORT: String(ports[0]),
      RPC_PORT: String(ports[1]),
      C_P2P_PORT: String(ports[2]),
      C_RPC_PORT: String(ports[3]),
    });
    log(`devnet up; running the guide in ${work}`);
  });

  after(async () => {
    shell?.kill();
    for (const b of shell?.background ?? []) await stopGroup(b.pid, 5000);
    if (twin?.pid) await stopGroup(twin.pid, 5000);
    await icsd(["devnet", "down", "--home", devnetDir]).catch(() => "");
    for (const p of [...(devnet?.chains ?? []).flatMap((c) => c.nodes), ...(devnet?.relayers ?? [])]) {
      try {
        if (p.pid > 0) process.kill(p.pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
    log(`done in ${((Date.now() - started) / 1000).toFixed(0)}s`);
    if (!process.env.ICSD_KEEP_E2E) rmSync(dir, { recursive: true, force: true });
    else log(`kept ${dir}`);
  });

  /** What the test does when the guide reaches a heading: keyed by the heading's text. */
  const hooks: Record<string, (section: string) => Promise<void>> = {
    // "Stop your consumer node now: Ctrl-C in its terminal."
    "Downtime on a consumer": async () => {
      const bg = shell.background.find((b) => !b.stopped && b.section.startsWith("5."));
      assert.ok(bg, "the consumer node started in section 5 runs");
      log(`stopping the consumer node (pid ${bg.pid})`);
      await stopGroup(bg.pid);
      bg.stopped = true;
    },
    // The guide waited until the validator was jailed; it is still jailed before the unjail.
    Unjail: async () => {
      await read("VALOPER", "VALCONS");
      const v = await validator(vars.VALOPER!);
      assert.equal(v.jailed, true, "jailed for the consumer downtime");
      assert.notEqual(v.status, "BOND_STATUS_BONDED");
      assert.equal(v.tokens, "100000000000", "consumer downtime does not slash on consumer-1");
      const info = await signingInfo(vars.VALCONS!);
      assert.ok(Date.parse(info.jailed_until) > Date.now() - 120_000, `jailed_until ${info.jailed_until}`);
    },
    // "Suppose a second consumer-1 node runs with a copy of priv_validator_key.json": the test runs one.
    "A double vote": async () => {
      await read("CHOME", "CADDR", "VALOPER");
      vars.TOKENS_BEFORE = (await validator(vars.VALOPER!)).tokens;
      const home = join(dir, "twin");
      await icsd(["init", "twin", "--mode", "consumer", "--chain-id", "consumer-1", "--home", home]);
      const from = homePaths(vars.CHOME!);
      const to = homePaths(home);
      copyFileSync(from.genesis, to.genesis);
      copyFileSync(from.privValidatorKey, to.privValidatorKey);
      copyFileSync(from.appToml, to.appToml);
      const cfg = loadConfig(from.configToml);
      saveConfig(to.configToml, {
        ...cfg,
        moniker: "twin",
        p2p: { ...cfg.p2p, laddr: `/ip4/127.0.0.1/tcp/${await freePort()}` },
        rpc: { ...cfg.rpc, laddr: `tcp://127.0.0.1:${await freePort()}` },
      });
      const from0 = await height(consumerRpc());
      const logFd = openSync(join(dir, "twin.log"), "a");
      twin = spawn(process.execPath, [...NODE_ARGS, MAIN, "start", "--home", home], {
        detached: true,
        stdio: ["ignore", logFd, logFd],
      });
      closeSync(logFd);
      log(`started a second consumer node with the same key (pid ${twin.pid}); waiting for the evidence`);
      let scanned = from0;
      let found = 0;
      await waitUntil(
        "a consumer-1 block with the double vote's evidence",
        async () => {
          const tip = await height(consumerRpc());
          for (; scanned < tip && found === 0; ) {
            scanned++;
            const b = await rpc<{
              block: {
                evidence?: {
                  evidence?: { type: string; value: { vote_a: { validator_address: string } } }[];
                };
              };
            }>(consumerRpc(), "block", { height: String(scanned) });
            const ev = b.block.evidence?.evidence ?? [];
            if (ev.some((e) => e.value.vote_a.validator_address.toUpperCase() === vars.CADDR!.toUpperCase()))
              found = scanned;
          }
          return found > 0;
        },
        240_000,
        () => `scanned consumer-1 up to ${scanned}; twin log: ${join(dir, "twin.log")}`,
      );
      log(`evidence in consumer-1 block ${found}; stopping the second node`);
      await stopGroup(twin.pid!);
    },
  };

  /** What each numbered section claims, checked after its last block: keyed by its number. */
  const checks: Record<string, () => Promise<void>> = {
    "0": async () => {
      await read("NODE", "CHAIN_ID", "FAUCET_HOME");
      assert.equal(vars.NODE, node());
      assert.equal(vars.CHAIN_ID, provider().chainId);
      assert.equal(vars.FAUCET_HOME, provider().nodes[0]!.home);
    },
    "1": async () => {
      await read("PHOME", "VALOPER", "OPERATOR", "MY_NODE", "PUBKEY");
      assert.equal(vars.PUBKEY, homeKey(vars.PHOME!));
      const v = await validator(vars.VALOPER!);
      assert.equal(v.status, "BOND_STATUS_BONDED");
      assert.equal(v.jailed, false);
      assert.equal(v.tokens, "100000000000");
      assert.equal(v.consensus_pubkey.key, homeKey(vars.PHOME!), "created with the node's consensus key");
      // The new node follows the chain and signs with the validator's power.
      await waitUntil(
        "the new provider node to have voting power",
        async () => {
          const s = await rpc<{ validator_info: { voting_power: string } }>(vars.MY_NODE!, "status");
          return s.validator_info.voting_power === "100000";
        },
        30_000,
      );
      assert.ok((await height(vars.MY_NODE!)) >= (await height(node())) - 5, "the new node has caught up");
    },
    "2": async () => {
      await read("NEW_CONSUMER_ID", "PUBKEY", "OPERATOR");
      assert.match(vars.NEW_CONSUMER_ID!, /^\d+$/);
      const c = await icsdJson<{ phase: string; chain_id: string }>([
        "query",
        "provider",
        "consumer-chain",
        vars.NEW_CONSUMER_ID!,
        "--node",
        node(),
      ]);
      assert.equal(c.chain_id, "my-consumer-1");
      assert.equal(c.phase, "CONSUMER_PHASE_LAUNCHED");
      const ccv = JSON.parse(readFileSync(join(work, "ccv.json"), "utf8")) as {
        provider: { initial_val_set: { pub_key: { ed25519: string } }[] };
      };
      assert.deepEqual(
        ccv.provider.initial_val_set.map((v) => v.pub_key.ed25519),
        [vars.PUBKEY],
        "launched with the one validator that opted in",
      );
      for (const home of ["my-consumer-node0", "my-consumer-node1"]) {
        const g = JSON.parse(readFileSync(join(work, home, "config", "genesis.json"), "utf8")) as {
          chain_id: string;
          validators: { pub_key: { value: string } }[];
          app_state: { ccvconsumer?: unknown; bank?: { balances: { address: string }[] } };
        };
        assert.equal(g.chain_id, "my-consumer-1");
        assert.deepEqual(
          g.validators.map((v) => v.pub_key.value),
          [vars.PUBKEY],
        );
        assert.ok(g.app_state.ccvconsumer, `${home}: app_state.ccvconsumer`);
      }
      const funded = JSON.parse(
        readFileSync(join(work, "my-consumer-node1", "config", "genesis.json"), "utf8"),
      ) as { app_state: { bank: { balances: { address: string }[] } } };
      assert.ok(
        funded.app_state.bank.balances.some((b) => b.address === vars.OPERATOR),
        "set-consumer-genesis kept the account added before",
      );
    },
    "3": async () => {
      await read("VALCONS", "PUBKEY", "NEW_CONSUMER_ID");
      assert.equal(vars.VALCONS, valcons(vars.PUBKEY!), "the consensus address of the validator's key");
      const r = await icsdJson<{ validators: unknown[] }>([
        "query",
        "provider",
        "consumer-validators",
        vars.NEW_CONSUMER_ID!,
        "--node",
        node(),
      ]);
      assert.deepEqual(r.validators, [], "opted out");
    },
    "4": async () => {
      await read("CONSUMER_ID", "VALCONS", "CHOME");
      assert.equal(vars.CONSUMER_ID, consumer().consumerId);
      const k = await icsdJson<{ consumer_key: string; assigned: boolean }>([
        "query",
        "provider",
        "validator-consumer-key",
        vars.CONSUMER_ID!,
        vars.VALCONS!,
        "--node",
        node(),
      ]);
      assert.equal(k.assigned, true);
      assert.equal((JSON.parse(k.consumer_key) as { key: string }).key, homeKey(vars.CHOME!));
    },
    "5": async () => {
      await read("CHOME", "CADDR", "CNODE");
      const key = homeKey(vars.CHOME!);
      // consumer-1's consensus (seen from a devnet node) has the assigned key with the validator's power.
      assert.equal((await consumerPowers(consumerRpc())).get(key), "100000");
      assert.equal(
        vars.CADDR,
        Buffer.from(addressFromPubKey(Buffer.from(key, "base64")))
          .toString("hex")
          .toUpperCase(),
      );
      // Its node signs: its signature is in one of the last commits.
      const tip = await height(vars.CNODE!);
      let signed = 0;
      for (let h = tip - 9; h <= tip; h++) {
        const c = await rpc<{ signed_header: { commit: { signatures: { validator_address: string }[] } } }>(
          vars.CNODE!,
          "commit",
          { height: String(h) },
        );
        if (c.signed_header.commit.signatures.some((s) => s.validator_address === vars.CADDR)) signed++;
      }
      assert.ok(signed > 0, "the consumer node signed one of the last 10 consumer-1 blocks");
    },
    "6": async () => {
      await read("VALOPER", "CHOME");
      const v = await validator(vars.VALOPER!);
      assert.equal(v.jailed, false, "unjailed");
      assert.equal(v.status, "BOND_STATUS_BONDED", "bonded again");
      assert.ok((await consumerPowers(consumerRpc())).has(homeKey(vars.CHOME!)), "back in consumer-1's set");
    },
    "7": async () => {
      await read("BEFORE", "AFTER");
      assert.ok(
        BigInt(vars.AFTER!) > BigInt(vars.BEFORE!),
        `the withdrawals increased the balance: ${vars.BEFORE} -> ${vars.AFTER}`,
      );
    },
    "8": async () => {
      await read("VALCONS", "VALOPER", "EVIDENCE_HEIGHT");
      assert.match(vars.EVIDENCE_HEIGHT!, /^\d+$/);
      const info = await signingInfo(vars.VALCONS!);
      assert.equal(info.tombstoned, true, "tombstoned");
      const v = await validator(vars.VALOPER!);
      assert.equal(v.jailed, true, "jailed");
      const before = BigInt(vars.TOKENS_BEFORE!);
      assert.equal(BigInt(v.tokens), before - (before * 5n) / 100n, "slashed by consumer-1's 5%");
    },
  };

  it("has the sections, hooks and checks the test expects", () => {
    const titles = parts.map((p) => p.title);
    assert.deepEqual(
      titles.map((t) => /^(\d+)\./.exec(t)?.[1]),
      Object.keys(checks),
      `sections: ${titles.join(" | ")}`,
    );
    const headings = guide.filter((i): i is Heading => i.kind === "heading").map((h) => h.text);
    for (const h of Object.keys(hooks)) assert.ok(headings.includes(h), `the guide has a heading "${h}"`);
    assert.equal(guide.filter((i) => i.kind === "block" && i.background).length, 3, "three nodes started");
  });

  for (const part of parts) {
    it(`section ${part.title}`, async (t) => {
      if (failed) {
        t.skip("an earlier section failed");
        return;
      }
      try {
        for (const item of part.items) {
          if (item.kind === "heading") {
            const hook = hooks[item.text];
            if (hook) await hook(part.title);
            continue;
          }
          const t0 = Date.now();
          if (item.background) {
            const bg = await shell.start(item, part.title);
            log(`line ${item.line}: started in the background (pid ${bg.pid}, output ${bg.out})`);
          } else {
            await shell.run(item);
            log(`line ${item.line}: ok in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
          }
        }
        const n = /^(\d+)\./.exec(part.title)?.[1];
        const check = n === undefined ? undefined : checks[n];
        assert.ok(check, `a check for section "${part.title}"`);
        await check();
      } catch (e) {
        failed = true;
        throw e;
      }
    });
  }
});
