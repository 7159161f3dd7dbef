import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { fromBech32 } from "@cosmjs/encoding";
import { addressFromPubKey } from "../../../crypto/index.ts";
import { loadConfig, loadGenesis } from "../../../node/index.ts";

const MAIN = fileURLToPath(new URL("../../../cmd/main.ts", import.meta.url));

function icsd(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ["--disable-warning=ExperimentalWarning", MAIN, ...args], {
    encoding: "utf8",
    timeout: 20_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function assertUserError(r: { code: number; stderr: string }, msg: RegExp): void {
  assert.notEqual(r.code, 0);
  const lines = r.stderr.trimEnd().split("\n");
  assert.equal(lines.length, 1, `expected one line, got:\n${r.stderr}`);
  assert.match(lines[0]!, msg);
  assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace");
}

describe("icsd command line", { timeout: 60_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), "icsd-cli-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("init creates the CometBFT home layout with a single-validator genesis", () => {
    const home = join(dir, "n0");
    const r = icsd("init", "node0", "--chain-id", "provider-1", "--home", home);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.chain_id, "provider-1");
    assert.match(out.node_id, /^12D3KooW/);
    for (const f of [
      "config/config.toml",
      "config/app.toml",
      "config/genesis.json",
      "config/node_key.json",
      "config/priv_validator_key.json",
      "data/priv_validator_state.json",
    ]) {
      assert.ok(existsSync(join(home, f)), f);
    }
    assert.equal(statSync(join(home, "config/priv_validator_key.json")).mode & 0o777, 0o600);
    assert.equal(statSync(join(home, "config/node_key.json")).mode & 0o777, 0o600);
    const g = loadGenesis(join(home, "config/genesis.json"));
    assert.equal(g.validators.length, 1);
    assert.equal(g.validators[0]!.power, 10n);
    assert.equal(loadConfig(join(home, "config/config.toml")).moniker, "node0");

    assertUserError(
      icsd("init", "node0", "--chain-id", "provider-1", "--home", home),
      /already exists.*--overwrite/,
    );
    assert.equal(icsd("init", "node0", "--chain-id", "provider-1", "--home", home, "--overwrite").code, 0);
  });

  it("builds a multi-validator genesis with add-validator-from and add-validator", () => {
    const a = join(dir, "a");
    const b = join(dir, "b");
    assert.equal(icsd("init", "a", "--chain-id", "c-1", "--home", a).code, 0);
    assert.equal(icsd("init", "b", "--chain-id", "c-1", "--home", b).code, 0);
    const r = icsd("genesis", "add-validator-from", b, "--home", a, "--power", "7");
    assert.equal(r.code, 0, r.stderr);
    const pub = JSON.parse(icsd("show-validator", "--home", b).stdout).key as string;
    const valcons = icsd("show-address", "--home", b).stdout.trim();
    assert.match(valcons, /^cosmosvalcons1/);
    assert.deepEqual(fromBech32(valcons, 1023).data, addressFromPubKey(Buffer.from(pub, "base64")));
    assertUserError(
      icsd("genesis", "add-validator", "--home", a, "--pubkey", pub, "--power", "3"),
      /already in the genesis/,
    );
    const g = loadGenesis(join(a, "config/genesis.json"));
    assert.deepEqual(
      g.validators.map((v) => [v.name, v.power]),
      [
        ["a", 10n],
        ["b", 7n],
      ],
    );
    assert.match(icsd("show-node-id", "--home", a).stdout, /^12D3KooW\S+\n$/);
  });

  it("rejects bad arguments with one clear line and no stack trace", () => {
    assertUserError(icsd("frobnicate"), /unknown command 'frobnicate'/);
    assertUserError(
      icsd("init", "x", "--home", join(dir, "x")),
      /required option '--chain-id <id>' not specified/,
    );
    assertUserError(
      icsd("init", "x", "--chain-id", "bad chain!", "--home", join(dir, "y")),
      /invalid chain id/,
    );
    assertUserError(
      icsd("init", "x", "--chain-id", "c-1", "--power", "zero", "--home", join(dir, "z")),
      /--power must be a positive integer/,
    );
    assertUserError(icsd("show-node-id", "--home", join(dir, "nothing")), /node key not readable/);
    assertUserError(icsd("status", "--node", "http://127.0.0.1:1"), /cannot reach http:\/\/127\.0\.0\.1:1/);
  });

  it("shows an example in the help of every command", () => {
    for (const cmd of [
      [],
      ["init"],
      ["genesis"],
      ["devnet"],
      ["genesis", "add-validator"],
      ["genesis", "add-validator-from"],
      ["start"],
      ["status"],
      ["show-node-id"],
      ["show-validator"],
      ["show-address"],
      ["devnet", "up"],
      ["devnet", "down"],
      ["devnet", "status"],
    ]) {
      const r = icsd(...cmd, "--help");
      assert.equal(r.code, 0);
      assert.match(r.stdout, /Example/, cmd.join(" "));
    }
  });
});
