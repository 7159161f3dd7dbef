import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { defaultClientConfig, freePorts, writeClientConfig } from "../../../node/index.ts";
import { icsd, type Run } from "../../support/cliRun.ts";

const _MAIN = fileURLToPath(new URL("../../../cmd/main.ts", import.meta.url));
const ABANDON =
  "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about";
const ADDR = "cosmos19rl4cm2hmr8afy4kldpxz3fka4jguq0auqdal4";
const HASH = "A4E1EFAFDE637D64FF6746DED270244DF424D69331298592EB2AD12782125B68";

function assertUserError(r: Run, msg: RegExp): void {
  assert.notEqual(r.code, 0, r.stdout);
  const lines = r.stderr.trimEnd().split("\n");
  assert.equal(lines.length, 1, `expected one line, got:\n${r.stderr}`);
  assert.match(lines[0]!, msg);
  assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace");
}

// The smallest CometBFT 0.38 `status` answer CosmJS accepts (reference/cosmjs-rpc-contract.md 2.1).
function statusResult(network: string): unknown {
  const hash = "AB".repeat(32);
  return {
    node_info: {
      protocol_version: { p2p: "8", block: "11", app: "0" },
      id: "a8f6d2d0bc1e3b1e6f37c3c2b1d0c9e8f7a6b5c4",
      listen_addr: "tcp://127.0.0.1:26656",
      network,
      version: "0.38.17",
      channels: "",
      moniker: "fake",
      other: { tx_index: "on", rpc_address: "tcp://127.0.0.1:26657" },
    },
    sync_info: {
      latest_block_hash: hash,
      latest_app_hash: hash,
      latest_block_height: "5",
      latest_block_time: "2024-05-01T12:00:42.123456789Z",
      catching_up: false,
    },
    validator_info: {
      address: "5D6A51A8E9899C44079C6AF90618BA0369070E6E",
      pub_key: { type: "tendermint/PubKeyEd25519", value: "A6DoBUypNtUAyEHWtQ9bFjfNg8Bo9CrnkUGl6k6OHN4=" },
      voting_power: "10",
    },
  };
}

describe("icsd tx and query argument checks", { timeout: 300_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), "icsd-txq-cli-"));
  const home = join(dir, "h");
  let deadPort = 0;
  let fake: Server;
  let fakeUrl = "";

  before(async () => {
    assert.equal((await icsd(["init", "n0", "--chain-id", "txq-1", "--home", home])).code, 0);
    assert.equal((await icsd(["keys", "add", "alice", "--recover", "--home", home], ABANDON)).code, 0);
    deadPort = (await freePorts(1))[0]!;
    writeClientConfig(home, {
      ...defaultClientConfig,
      chainId: "txq-1",
      node: `tcp://127.0.0.1:${deadPort}`,
      gasPrices: "0.0025stake",
    });
    fake = createServer((req, res) => {
      let body = "";
      req.on("data", (d) => {
        body += d;
      });
      req.on("end", () => {
        const { id, method } = JSON.parse(body) as { id: number; method: string };
        const answer =
          method === "status"
            ? { jsonrpc: "2.0", id, result: statusResult("other-1") }
            : { jsonrpc: "2.0", id, error: { code: -32601, message: "Method not found" } };
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(answer));
      });
    });
    await new Promise<void>((r) => fake.listen(0, "127.0.0.1", () => r()));
    fakeUrl = `http://127.0.0.1:${(fake.address() as { port: number }).port}`;
  });
  after(async () => {
    await new Promise<void>((r) => fake.close(() => r()));
    rmSync(dir, { recursive: true, force: true });
  });

  const send = (...a: string[]) => icsd(["tx", "bank", "send", "--home", home, ...a]);

  it("tx bank send refuses bad recipients, amounts and fee flags before contacting a node", async () => {
    assertUserError(await send("alice", "cosmos1xyz", "5stake", "--yes"), /invalid address "cosmos1xyz"/);
    assertUserError(await send("alice", "osmo1xyz", "5stake", "--yes"), /invalid address/);
    assertUserError(await send("alice", ADDR, "5.5stake", "--yes"), /decimal amounts are not allowed/);
    assertUserError(await send("alice", ADDR, "abc", "--yes"), /invalid coin "abc"/);
    assertUserError(await send("alice", ADDR, "0stake", "--yes"), /no positive amount/);
    assertUserError(
      await send("alice", ADDR, "5stake", "--yes", "--fees", "1stake", "--gas-prices", "0.1stake"),
      /either --fees or --gas-prices/,
    );
    assertUserError(await send("alice", ADDR, "5stake", "--yes", "--gas", "lots"), /--gas must be/);
    assertUserError(
      await send("alice", ADDR, "5stake", "--yes", "--gas-adjustment", "-1"),
      /--gas-adjustment/,
    );
    assertUserError(
      await send("alice", ADDR, "5stake", "--yes", "--gas-prices", "cheap"),
      /--gas-prices must be/,
    );
    assertUserError(
      await send("alice", ADDR, "5stake", "--yes", "--chain-id", "bad id!"),
      /invalid --chain-id/,
    );
    assertUserError(
      await send("alice", ADDR, "5stake", "--yes", "--node", "foo"),
      /invalid node address "foo"/,
    );
    assertUserError(
      await send("alice", ADDR, "5stake", "--yes", "--broadcast-mode", "async"),
      /Allowed choices are sync, block/,
    );
  });

  it("tx bank send needs --yes without a terminal, and a key of the keyring", async () => {
    assertUserError(await send("alice", ADDR, "5stake"), /pass --yes/);
    assertUserError(await send("nobody", ADDR, "5stake", "--yes"), /key "nobody" not found/);
  });

  it("tx bank send takes the node and chain id from client.toml, and checks the chain id", async () => {
    // No --node, no --chain-id: client.toml's node (nothing listens there) is dialled.
    assertUserError(
      await send("alice", "alice", "5stake", "--yes"),
      new RegExp(`cannot reach http://127.0.0.1:${deadPort}`),
    );
    // The fake node reports chain other-1, client.toml says txq-1.
    assertUserError(
      await send("alice", ADDR, "5stake", "--yes", "--node", fakeUrl),
      /chain id txq-1 does not match the node's chain other-1/,
    );
    assertUserError(
      await send(ADDR, ADDR, "5stake", "--yes", "--node", fakeUrl, "--chain-id", "third-1"),
      /chain id third-1 does not match/,
    );
  });

  it("query commands check their arguments and report an unreachable node in one line", async () => {
    assertUserError(
      await icsd(["query", "bank", "balances", "cosmos1bad", "--home", home]),
      /invalid address/,
    );
    assertUserError(await icsd(["q", "tx", "abc", "--home", home]), /64 hex characters/);
    assertUserError(await icsd(["q", "block", "x", "--home", home]), /height must be a positive integer/);
    assertUserError(await icsd(["q", "block", "0", "--home", home]), /height must be a positive integer/);
    assertUserError(await icsd(["q", "account", "alice", "--home", home]), /invalid address "alice"/);
    const unreachable = new RegExp(`cannot reach http://127.0.0.1:${deadPort}`);
    assertUserError(await icsd(["q", "bank", "balances", ADDR, "--home", home]), unreachable);
    assertUserError(await icsd(["q", "tx", HASH, "--home", home]), unreachable);
    assertUserError(
      await icsd(["q", "block", "--home", home, "--node", `tcp://127.0.0.1:${deadPort}`]),
      unreachable,
    );
    assertUserError(await icsd(["q", "account", ADDR, "--home", home]), unreachable);
  });
});
