import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { fromBech32 } from "@cosmjs/encoding";
import { loadClientConfig, loadGenesis } from "../../../node/index.ts";

const MAIN = fileURLToPath(new URL("../../../cmd/main.ts", import.meta.url));
const ABANDON =
  "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about";
const ABANDON_ADDRESS = "cosmos19rl4cm2hmr8afy4kldpxz3fka4jguq0auqdal4";

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function icsd(args: string[], opts: { input?: string; env?: Record<string, string> } = {}): Run {
  const env = { ...process.env, ...opts.env };
  if (!opts.env?.ICSD_KEYRING_PASSPHRASE) delete env.ICSD_KEYRING_PASSPHRASE;
  const r = spawnSync(process.execPath, ["--disable-warning=ExperimentalWarning", MAIN, ...args], {
    encoding: "utf8",
    timeout: 20_000,
    input: opts.input ?? "",
    env,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function ok(r: Run): Run {
  assert.equal(r.code, 0, r.stderr);
  return r;
}

function assertUserError(r: Run, msg: RegExp): void {
  assert.notEqual(r.code, 0);
  const lines = r.stderr.trimEnd().split("\n");
  assert.equal(lines.length, 1, `expected one line, got:\n${r.stderr}`);
  assert.match(lines[0]!, msg);
  assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace");
}

describe("icsd keys and genesis add-account", { timeout: 300_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), "icsd-keys-cli-"));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const home = join(dir, "h");

  it("init writes client.toml with the chain id", () => {
    ok(icsd(["init", "n0", "--chain-id", "keys-1", "--home", home]));
    const cfg = loadClientConfig(home);
    assert.equal(cfg.chainId, "keys-1");
    assert.equal(cfg.keyringBackend, "test");
    assert.equal(cfg.node, "tcp://127.0.0.1:26657");
    assert.equal(cfg.bech32Prefix, "cosmos");
  });

  it("keys add prints the new key and its mnemonic once, with a warning", () => {
    const r = ok(icsd(["keys", "add", "alice", "--home", home]));
    assert.match(
      r.stdout,
      /^- address: cosmos1\w+\n {2}name: alice\n {2}pubkey: '\{"@type":"\/cosmos\.crypto\.secp256k1\.PubKey","key":"[\w+/=]{44}"\}'\n {2}type: local\n/,
    );
    assert.match(r.stdout, /\*\*Important\*\* write this mnemonic phrase in a safe place/);
    const words = r.stdout.trimEnd().split("\n").at(-1)!.split(" ");
    assert.equal(words.length, 24);
    const j = JSON.parse(ok(icsd(["keys", "add", "bob", "--home", home, "--output", "json"])).stdout);
    assert.deepEqual(Object.keys(j), ["name", "type", "address", "pubkey", "mnemonic"]);
    assert.equal(j.mnemonic.split(" ").length, 24);
    assert.equal(statSync(join(home, "keyring-test", "alice.json")).mode & 0o777, 0o600);
    assert.equal(statSync(join(home, "keyring-test")).mode & 0o777, 0o700);
  });

  it("keys add --recover reads the mnemonic from stdin and derives the known address", () => {
    const r = ok(
      icsd(["keys", "add", "abandon", "--recover", "--home", home, "--output", "json"], {
        input: `${ABANDON}\n`,
      }),
    );
    const j = JSON.parse(r.stdout);
    assert.equal(j.address, ABANDON_ADDRESS);
    assert.equal(j.mnemonic, undefined, "a recovered mnemonic is not printed again");
  });

  it("keys list, show and show -a", () => {
    const list = JSON.parse(ok(icsd(["keys", "list", "--home", home, "--output", "json"])).stdout);
    assert.deepEqual(
      list.map((k: { name: string }) => k.name),
      ["abandon", "alice", "bob"],
    );
    assert.equal(ok(icsd(["keys", "show", "abandon", "-a", "--home", home])).stdout, `${ABANDON_ADDRESS}\n`);
    // gaiad's --bech val: the same bytes as the operator address.
    const valoper = ok(
      icsd(["keys", "show", "abandon", "--bech", "val", "-a", "--home", home]),
    ).stdout.trim();
    assert.match(valoper, /^cosmosvaloper1/);
    assert.deepEqual(fromBech32(valoper, 1023).data, fromBech32(ABANDON_ADDRESS, 1023).data);
    assertUserError(icsd(["keys", "show", "abandon", "--bech", "cons", "--home", home]), /--bech/);
    const byAddr = JSON.parse(
      ok(icsd(["keys", "show", ABANDON_ADDRESS, "--home", home, "--output", "json"])).stdout,
    );
    assert.equal(byAddr.name, "abandon");
    assert.match(ok(icsd(["keys", "list", "--home", join(dir, "none")])).stdout, /No records/);
  });

  it("keys export and import move a test key between homes (file and stdin)", () => {
    const mnemonic = ok(icsd(["keys", "export", "abandon", "--home", home])).stdout.trim();
    assert.equal(mnemonic, ABANDON);
    const file = join(dir, "abandon.key");
    writeFileSync(file, `${mnemonic}\n`);
    const other = join(dir, "other");
    assert.match(
      ok(icsd(["keys", "import", "a1", file, "--home", other])).stdout,
      new RegExp(ABANDON_ADDRESS),
    );
    assert.match(
      ok(icsd(["keys", "import", "a2", "-", "--home", other], { input: mnemonic })).stdout,
      new RegExp(ABANDON_ADDRESS),
    );
    assertUserError(
      icsd(["keys", "import", "a3", join(dir, "missing"), "--home", other]),
      /cannot read .*missing: ENOENT/,
    );
  });

  it("keys delete asks for --yes when stdin is not a terminal", () => {
    assertUserError(icsd(["keys", "delete", "bob", "--home", home]), /pass --yes/);
    assert.match(ok(icsd(["keys", "delete", "bob", "--yes", "--home", home])).stdout, /deleted.*bob/);
    assertUserError(icsd(["keys", "show", "bob", "--home", home]), /key "bob" not found/);
  });

  it("file backend: passphrase from the environment or stdin; a wrong one is refused", () => {
    const env = { ICSD_KEYRING_PASSPHRASE: "twelve chars" };
    const add = [
      "keys",
      "add",
      "carol",
      "--recover",
      "--keyring-backend",
      "file",
      "--home",
      home,
      "--output",
      "json",
    ];
    assert.equal(JSON.parse(ok(icsd(add, { input: `${ABANDON}\n`, env })).stdout).address, ABANDON_ADDRESS);
    const stored = readFileSync(join(home, "keyring-file", "carol.json"), "utf8");
    assert.ok(!stored.includes("abandon"));
    assert.equal(statSync(join(home, "keyring-file", "carol.json")).mode & 0o777, 0o600);
    // mnemonic then passphrase, one line each, on stdin
    const add2 = ["keys", "add", "dave", "--recover", "--keyring-backend", "file", "--home", home];
    ok(icsd(add2, { input: `${ABANDON}\nanother passphrase\n` }));
    const armored = ok(icsd(["keys", "export", "carol", "--keyring-backend", "file", "--home", home])).stdout;
    assert.equal(JSON.parse(armored).crypto.cipher, "aes-256-gcm");
    const imp = ["keys", "import", "carol2", "-", "--keyring-backend", "file", "--home", home];
    assertUserError(icsd(imp, { input: `${armored}wrong passphrase\n` }), /wrong passphrase/);
    ok(icsd(imp, { input: `${armored}twelve chars\n` }));
    assertUserError(
      icsd(["keys", "add", "erin", "--keyring-backend", "file", "--home", home]),
      /passphrase on stdin/,
    );
    assertUserError(
      icsd(["keys", "add", "erin", "--keyring-backend", "file", "--home", home], { input: "short\n" }),
      /at least 8 characters/,
    );
  });

  it("keys reports bad names, duplicates, bad mnemonics and bad backends in one line", () => {
    assertUserError(icsd(["keys", "add", "alice", "--home", home]), /key "alice" already exists/);
    assertUserError(icsd(["keys", "add", "no/slash", "--home", home]), /invalid key name/);
    assertUserError(
      icsd(["keys", "add", "x", "--recover", "--home", home], { input: "not a mnemonic\n" }),
      /invalid mnemonic/,
    );
    assertUserError(icsd(["keys", "add", "x", "--recover", "--home", home]), /expected a mnemonic on stdin/);
    assertUserError(
      icsd(["keys", "list", "--keyring-backend", "os", "--home", home]),
      /Allowed choices are test, file/,
    );
  });

  it("genesis add-account funds a key or an address, merging balances", () => {
    ok(icsd(["genesis", "add-account", "alice", "1000stake,5uatom", "--home", home]));
    ok(icsd(["genesis", "add-account", ABANDON_ADDRESS, "10stake", "--home", home]));
    ok(icsd(["genesis", "add-account", "abandon", "5stake", "--home", home]));
    const app = loadGenesis(join(home, "config", "genesis.json")).appState as {
      auth: { accounts: { address: string; account_number: string }[] };
      bank: { balances: { address: string; coins: unknown }[]; supply: unknown };
    };
    assert.deepEqual(
      app.auth.accounts.map((a) => a.account_number),
      ["0", "1"],
    );
    assert.equal(app.auth.accounts[1]!.address, ABANDON_ADDRESS);
    assert.deepEqual(app.bank.balances[1], {
      address: ABANDON_ADDRESS,
      coins: [{ denom: "stake", amount: "15" }],
    });
    assert.deepEqual(app.bank.supply, [
      { denom: "stake", amount: "1015" },
      { denom: "uatom", amount: "5" },
    ]);
  });

  it("genesis add-account refuses bad coins, addresses and unknown keys", () => {
    const add = (...a: string[]) => icsd(["genesis", "add-account", "--home", home, ...a]);
    assertUserError(add(ABANDON_ADDRESS, "--", "-5stake"), /must not be negative/);
    assertUserError(add(ABANDON_ADDRESS, "abc"), /invalid coin "abc"/);
    assertUserError(add(ABANDON_ADDRESS, `${1n << 256n}stake`), /2\^256 or more/);
    assertUserError(add(ABANDON_ADDRESS, "0stake"), /no positive coin amount/);
    assertUserError(add("cosmos1qqqqqq", "5stake"), /invalid address "cosmos1qqqqqq"/);
    assertUserError(add("nobody", "5stake"), /key "nobody" not found/);
  });

  it("shows an example in the help of every new command", () => {
    for (const cmd of [
      ["keys"],
      ["keys", "add"],
      ["keys", "list"],
      ["keys", "show"],
      ["keys", "delete"],
      ["keys", "import"],
      ["keys", "export"],
      ["genesis", "add-account"],
      ["tx"],
      ["tx", "bank", "send"],
      ["query"],
      ["q", "bank", "balances"],
      ["query", "tx"],
      ["query", "block"],
      ["query", "account"],
    ]) {
      const r = ok(icsd([...cmd, "--help"]));
      assert.match(r.stdout, /Example/, cmd.join(" "));
    }
  });
});
