import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import { height, rpc } from "../support/jsonRpc.ts";

const run = promisify(execFile);
const MAIN = resolve(import.meta.dirname, "../../cmd/main.ts");

interface DevnetJson {
  chains: {
    chainId: string;
    mode: string;
    consumerId?: string;
    nodes: {
      name: string;
      home: string;
      rpc: string;
      pid: number;
      operator?: { address: string };
      assignedKey?: boolean;
    }[];
    channels?: {
      port: string;
      channel: string;
      counterpartyChainId: string;
      counterpartyPort: string;
      counterpartyChannel: string;
      clientId: string;
    }[];
  }[];
  accounts: { name: string; address: string; mnemonic: string }[];
  relayers: { name: string; pid: number }[];
}

async function icsd(
  args: string[],
  timeout = 90_000,
): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const r = await run(process.execPath, ["--disable-warning=ExperimentalWarning", MAIN, ...args], {
      timeout,
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

/** The public key (base64) a node signs with. */
function signingKey(home: string): string {
  const k = JSON.parse(readFileSync(join(home, "config", "priv_validator_key.json"), "utf8")) as {
    pub_key: { value: string };
  };
  return k.pub_key.value;
}

describe("the icsd CLI against a devnet", { timeout: 420_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), "icsd-e2e-cli-"));
  let devnet: DevnetJson;
  let home: string;
  let node: string;
  let upStderr = "";
  let upStdout = "";

  before(async () => {
    // The default devnet: the provider and one consumer it launches, with a relayer.
    const up = await icsd(
      ["devnet", "up", "--home", dir, "--validators", "2", "--chain-id", "cli-1", "--detach"],
      180_000,
    );
    assert.equal(up.code, 0, up.stderr);
    upStderr = up.stderr;
    upStdout = up.stdout;
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

  it("returns from up once the consumer's ccv channel carried its first validator-set change", async () => {
    // The progress lines went to stderr while it started.
    assert.match(upStderr, /waiting for height 2/);
    assert.match(upStderr, /waiting for the first validator-set change on each ccv channel/);
    const info = await rpc<{ response: { value: string } }>(devnet.chains[1]!.nodes[0]!.rpc, "abci_query", {
      path: "/icsd.consumer.v1.Query/ProviderInfo",
      data: Buffer.from("{}").toString("hex"),
    });
    const v = JSON.parse(Buffer.from(info.response.value, "base64").toString("utf8")) as {
      established?: boolean;
    };
    assert.equal(v.established, true);
  });

  it("records funded accounts with mnemonics in devnet.json and the keyring", async () => {
    const names = devnet.accounts.map((a) => a.name);
    // The relayer's key is funded on every chain like the test accounts.
    assert.deepEqual(names, ["faucet", "alice", "bob", "carol", "relayer"]);
    for (const a of devnet.accounts) {
      assert.match(a.address, /^cosmos1/);
      assert.equal(a.mnemonic.split(" ").length, 24);
      // The summary of `up` prints each account with its mnemonic, and how to stop the devnet.
      assert.ok(upStdout.includes(a.address), a.name);
      assert.ok(upStdout.includes(`mnemonic: ${a.mnemonic}`), a.name);
    }
    assert.match(upStdout, /stop it with: icsd devnet down --home /);
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

  it("launches a consumer chain whose blocks are signed by the provider's validators", async () => {
    const [provider, consumer] = devnet.chains;
    assert.equal(provider!.mode, "provider");
    assert.equal(consumer!.mode, "consumer");
    assert.equal(consumer!.chainId, "consumer-1");
    assert.match(consumer!.consumerId ?? "", /^\d+$/);
    assert.equal(consumer!.nodes.length, provider!.nodes.length);
    const url = consumer!.nodes[0]!.rpc;
    const h0 = await height(url);
    const deadline = Date.now() + 30_000;
    while ((await height(url)) < h0 + 2) {
      if (Date.now() > deadline) assert.fail(`consumer-1 is stuck at height ${h0}`);
      await new Promise((r) => setTimeout(r, 300));
    }
    // The consumer's validators: node0 signs with its provider key, node1 (the last) with its assigned key.
    const { validators } = await rpc<{ validators: { pub_key: { value: string } }[] }>(url, "validators", {
      per_page: "100",
    });
    const expected = consumer!.nodes.map((n) => signingKey(n.home));
    assert.deepEqual(validators.map((v) => v.pub_key.value).sort(), [...expected].sort());
    assert.equal(expected[0], signingKey(provider!.nodes[0]!.home), "node0 uses its provider key");
    assert.equal(consumer!.nodes[1]!.assignedKey, true);
    assert.notEqual(expected[1], signingKey(provider!.nodes[1]!.home), "node1 uses an assigned key");
    // The delegation of the test above changed a provider validator's power: the provider sends the new
    // set to the consumer at the end of its epoch (5 blocks) and the relayer carries it, so the consumer's
    // powers follow the provider's, through the assigned key too.
    const providerPower = async () => {
      const r = await rpc<{ validators: { pub_key: { value: string }; voting_power: string }[] }>(
        node,
        "validators",
        { per_page: "100" },
      );
      return new Map(r.validators.map((v) => [v.pub_key.value, v.voting_power]));
    };
    const consumerPower = async () => {
      const r = await rpc<{ validators: { pub_key: { value: string }; voting_power: string }[] }>(
        url,
        "validators",
        { per_page: "100" },
      );
      return new Map(r.validators.map((v) => [v.pub_key.value, v.voting_power]));
    };
    const vscDeadline = Date.now() + 60_000;
    for (;;) {
      const p = await providerPower();
      const c = await consumerPower();
      const want = provider!.nodes.map((n) => p.get(signingKey(n.home)));
      const got = consumer!.nodes.map((n) => c.get(signingKey(n.home)));
      if (want.some((w) => w !== "100000") && JSON.stringify(want) === JSON.stringify(got)) break;
      if (Date.now() > vscDeadline)
        assert.fail(`the consumer's powers ${got} did not follow the provider's ${want}`);
      await new Promise((r) => setTimeout(r, 500));
    }
    const status = await icsd(["devnet", "status", "--home", dir]);
    assert.equal(status.code, 0, status.stderr);
    assert.match(
      status.stdout,
      /chain consumer-1 \(consumer, 2 validators, consumer id \d+, assigned key: node1\)/,
    );
    assert.match(status.stdout, /ccv channel: established/);
    // Two validators: every node has the other as its peer.
    assert.match(status.stdout, /node0 .* height \d+, 1 peer\n/);
    assert.match(status.stdout, /relayer relayer .* running/);
  });

  it("sends tokens to the consumer over the transfer channel and reads them with query ibc", async () => {
    const [provider, consumer] = devnet.chains;
    const toConsumer = provider!.channels!.find((c) => c.port === "transfer")!;
    const ccv = provider!.channels!.find((c) => c.port === "provider")!;
    assert.equal(toConsumer.counterpartyChainId, "consumer-1");
    assert.equal(ccv.counterpartyPort, "consumer");
    const nodeB = consumer!.nodes[0]!.rpc;
    const bob = devnet.accounts.find((a) => a.name === "bob")!.address;
    const tx = await icsd([
      "tx",
      "ibc-transfer",
      "transfer",
      "transfer",
      toConsumer.channel,
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
      if (Date.now() > deadline)
        assert.fail(`the transfer did not arrive on ${consumer!.chainId}: ${balances}`);
      await new Promise((r) => setTimeout(r, 500));
    }
    assert.match(balances, /ibc\/[0-9A-F]{64}/);
    const traces = await icsd(["query", "ibc-transfer", "denom-traces", "--node", nodeB, "--output", "json"]);
    assert.equal(traces.code, 0, traces.stderr);
    assert.match(traces.stdout, new RegExp(`transfer/${toConsumer.counterpartyChannel}`));
    const consumerEnd = consumer!.channels!.find((c) => c.port === "transfer")!;
    const client = await icsd([
      "query",
      "ibc",
      "client",
      "state",
      consumerEnd.clientId,
      "--node",
      nodeB,
      "--output",
      "json",
    ]);
    assert.equal(client.code, 0, client.stderr);
    assert.match(client.stdout, /cli-1/);
    const channels = await icsd(["query", "ibc", "channel", "channels", "--node", node, "--output", "json"]);
    assert.equal(channels.code, 0, channels.stderr);
    assert.match(channels.stdout, new RegExp(`"${ccv.channel}"`));
    assert.match(channels.stdout, new RegExp(`"${toConsumer.channel}"`));
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

  // Last: it stops the devnet and starts it again.
  it("stops with down, and up on the same directory resumes every chain at or above its last height", async () => {
    const last = await Promise.all(devnet.chains.map((c) => height(c.nodes[0]!.rpc)));
    const down = await icsd(["devnet", "down", "--home", dir]);
    assert.equal(down.code, 0, down.stderr);
    assert.match(down.stdout, /stopped \S*node0 \(pid/);
    const stopped = await icsd(["devnet", "status", "--home", dir]);
    assert.equal(stopped.code, 0, stopped.stderr);
    assert.match(stopped.stdout, /node0 .* stopped/);
    assert.doesNotMatch(stopped.stdout, /height \d+/);

    const up = await icsd(["devnet", "up", "--home", dir, "--detach"], 180_000);
    assert.equal(up.code, 0, up.stderr);
    assert.match(up.stderr, /resuming devnet/);
    devnet = JSON.parse(readFileSync(join(dir, "devnet.json"), "utf8")) as DevnetJson;
    node = devnet.chains[0]!.nodes[0]!.rpc;
    for (const [i, c] of devnet.chains.entries()) {
      const h = await height(c.nodes[0]!.rpc);
      assert.ok(h >= last[i]!, `${c.chainId} resumed at ${h}, below its last height ${last[i]}`);
    }
    // The balance sent before the restart is still there.
    const alice = devnet.accounts.find((a) => a.name === "alice")!;
    const q = await icsd([
      "query",
      "staking",
      "delegations",
      alice.address,
      "--node",
      node,
      "--output",
      "json",
    ]);
    assert.equal(q.code, 0, q.stderr);
    assert.match(q.stdout, /"7000000"/);
  });
});
