import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";

const run = promisify(execFile);
const MAIN = resolve(import.meta.dirname, "../../cmd/main.ts");

interface DevnetJson {
  chains: {
    chainId: string;
    nodes: { name: string; home: string; rpc: string; pid: number; operator?: { address: string } }[];
  }[];
  accounts: { name: string; address: string; mnemonic: string }[];
  relayers: { name: string; pid: number }[];
}

async function icsd(args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const r = await run(process.execPath, ["--disable-warning=ExperimentalWarning", MAIN, ...args], {
      timeout: 90_000,
      env: { ...process.env, NO_COLOR: "1" },
    });
    return { ...r, code: 0 };
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; code?: number };
    return {
      stdout: err.stdout ?? "",
      stderr: err.stderr ?? "",
      code: typeof err.code === "number" ? err.code : 1,
    };
  }
}

describe("the icsd CLI against a devnet", { timeout: 300_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), "icsd-e2e-cli-"));
  let devnet: DevnetJson;
  let home: string;
  let node: string;

  before(async () => {
    const up = await icsd([
      "devnet",
      "up",
      "--home",
      dir,
      "--validators",
      "2",
      "--chain-id",
      "cli-1",
      "--detach",
    ]);
    assert.equal(up.code, 0, up.stderr);
    devnet = JSON.parse(readFileSync(join(dir, "devnet.json"), "utf8")) as DevnetJson;
    home = devnet.chains[0]!.nodes[0]!.home;
    node = devnet.chains[0]!.nodes[0]!.rpc;
  });
  after(async () => {
    await icsd(["devnet", "down", "--home", dir]);
    for (const n of [...(devnet?.chains ?? []).flatMap((c) => c.nodes), ...(devnet?.relayers ?? [])]) {
      try {
        if (n.pid > 0) process.kill(n.pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it("records funded accounts with mnemonics in devnet.json and the keyring", async () => {
    const names = devnet.accounts.map((a) => a.name);
    // The relayer's key is funded on both chains like the test accounts.
    assert.deepEqual(names, ["faucet", "alice", "bob", "carol", "relayer"]);
    for (const a of devnet.accounts) {
      assert.match(a.address, /^cosmos1/);
      assert.equal(a.mnemonic.split(" ").length, 24);
    }
    const list = await icsd([
      "keys",
      "list",
      "--home",
      home,
      "--keyring-backend",
      "test",
      "--output",
      "json",
    ]);
    assert.equal(list.code, 0, list.stderr);
    const keys = JSON.parse(list.stdout) as { name: string; address: string }[];
    // node0's keyring also holds its validator's operator key, as a gaiad home does.
    assert.deepEqual(keys.map((k) => k.name).sort(), [...names, "validator"].sort());
    const op = devnet.chains[0]!.nodes[0]!.operator;
    assert.equal(keys.find((k) => k.name === "validator")?.address, op?.address);
  });

  it("delegates to a devnet validator with tx staking delegate and reads it back with query", async () => {
    const vals = await icsd(["query", "staking", "validators", "--node", node, "--output", "json"]);
    assert.equal(vals.code, 0, vals.stderr);
    const { validators } = JSON.parse(vals.stdout) as {
      validators: { operator_address: string; status: string; tokens: string }[];
    };
    assert.equal(validators.length, devnet.chains[0]!.nodes.length);
    assert.ok(validators.every((v) => v.status === "BOND_STATUS_BONDED"));
    const valoper = validators[1]!.operator_address;
    const alice = devnet.accounts.find((a) => a.name === "alice")!;
    const d = await icsd([
      "tx",
      "staking",
      "delegate",
      valoper,
      "7000000stake",
      "--from",
      "alice",
      "--home",
      home,
      "--node",
      node,
      "--gas",
      "auto",
      "--yes",
      "--output",
      "json",
    ]);
    assert.equal(d.code, 0, d.stderr);
    const q = await icsd([
      "query",
      "staking",
      "delegation",
      alice.address,
      valoper,
      "--node",
      node,
      "--output",
      "json",
    ]);
    assert.equal(q.code, 0, q.stderr);
    const del = JSON.parse(q.stdout) as { delegation_response?: { balance: { amount: string } } };
    assert.equal(del.delegation_response?.balance.amount, "7000000");
  });

  async function stakeBalance(address: string): Promise<bigint> {
    const q = await icsd(["query", "bank", "balances", address, "--node", node, "--output", "json"]);
    assert.equal(q.code, 0, q.stderr);
    const { balances } = JSON.parse(q.stdout) as { balances: { denom: string; amount: string }[] };
    return BigInt(balances.find((b) => b.denom === "stake")?.amount ?? "0");
  }

  it("sends with tx bank send --gas auto and reads it back with query", async () => {
    const alice = devnet.accounts.find((a) => a.name === "alice")!;
    const start = await stakeBalance(alice.address);
    const sent = await icsd([
      "tx",
      "bank",
      "send",
      "faucet",
      alice.address,
      "1234stake",
      "--home",
      home,
      "--node",
      node,
      "--chain-id",
      "cli-1",
      "--gas",
      "auto",
      "--yes",
      "--output",
      "json",
    ]);
    assert.equal(sent.code, 0, sent.stderr);
    const res = JSON.parse(sent.stdout) as {
      code: number;
      transactionHash?: string;
      txhash?: string;
      height: number;
    };
    assert.equal(res.code, 0);
    const hash = res.transactionHash ?? res.txhash!;
    const end = await stakeBalance(alice.address);
    assert.equal(end - start, 1234n);
    const tx = await icsd(["query", "tx", hash, "--node", node, "--output", "json"]);
    assert.equal(tx.code, 0, tx.stderr);
    assert.match(tx.stdout, new RegExp(hash, "i"));
    const block = await icsd(["query", "block", "--node", node, "--output", "json"]);
    assert.equal(block.code, 0, block.stderr);
  });

  it("sends tokens to the second chain with tx ibc-transfer transfer and reads them with query ibc", async () => {
    const second = devnet.chains[1]!;
    const nodeB = second.nodes[0]!.rpc;
    const bob = devnet.accounts.find((a) => a.name === "bob")!.address;
    const tx = await icsd([
      "tx",
      "ibc-transfer",
      "transfer",
      "transfer",
      "channel-0",
      bob,
      "1234stake",
      "--from",
      "alice",
      "--home",
      home,
      "--yes",
    ]);
    assert.equal(tx.code, 0, tx.stderr);
    assert.match(tx.stdout, /packet_sequence: 1/);
    const deadline = Date.now() + 60_000;
    let balances = "";
    for (;;) {
      const q = await icsd(["query", "bank", "balances", bob, "--node", nodeB, "--output", "json"]);
      balances = q.stdout;
      if (/"1234"/.test(balances)) break;
      if (Date.now() > deadline) assert.fail(`the transfer did not arrive on ${second.chainId}: ${balances}`);
      await new Promise((r) => setTimeout(r, 500));
    }
    assert.match(balances, /ibc\/[0-9A-F]{64}/);
    const traces = await icsd(["query", "ibc-transfer", "denom-traces", "--node", nodeB, "--output", "json"]);
    assert.equal(traces.code, 0, traces.stderr);
    assert.match(traces.stdout, /transfer\/channel-0/);
    const client = await icsd([
      "query",
      "ibc",
      "client",
      "state",
      "07-icsd-0",
      "--node",
      nodeB,
      "--output",
      "json",
    ]);
    assert.equal(client.code, 0, client.stderr);
    assert.match(client.stdout, /cli-1/);
    const channels = await icsd(["query", "ibc", "channel", "channels", "--node", node, "--output", "json"]);
    assert.equal(channels.code, 0, channels.stderr);
    assert.match(channels.stdout, /channel-0/);
  });

  it("refuses bad arguments with a one-line error", async () => {
    const bad = await icsd([
      "tx",
      "bank",
      "send",
      "faucet",
      "cosmos1notanaddress",
      "5stake",
      "--home",
      home,
      "--node",
      node,
      "--chain-id",
      "cli-1",
      "--yes",
    ]);
    assert.notEqual(bad.code, 0);
    assert.equal(bad.stderr.trim().split("\n").length, 1, bad.stderr);
    const coins = await icsd([
      "tx",
      "bank",
      "send",
      "faucet",
      devnet.accounts[1]!.address,
      "abc",
      "--home",
      home,
      "--node",
      node,
      "--yes",
    ]);
    assert.notEqual(coins.code, 0);
    assert.match(coins.stderr, /coin/i);
  });
});
