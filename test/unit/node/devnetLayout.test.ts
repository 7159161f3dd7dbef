import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { DEVNET_OPERATOR_KEY, DEVNET_SELF_BOND } from "../../../node/devnetStaking.ts";
import { decodeGentx } from "../../../node/gentx.ts";
import {
  freePorts,
  isIcsdProcess,
  Keyring,
  loadAppConfig,
  loadClientConfig,
  loadConfig,
  loadGenesis,
  prepareDevnet,
  readDevnetFile,
} from "../../../node/index.ts";

describe("devnet layout", { timeout: 30_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), "icsd-devnet-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("asks the OS for distinct free ports", async () => {
    const ports = await freePorts(6);
    assert.equal(new Set(ports).size, 6);
    for (const p of ports) assert.ok(p > 0 && p < 65536);
  });

  it("creates N homes sharing a genesis, peered with each other, and writes devnet.json", async () => {
    const layout = await prepareDevnet({ dir, validators: 3, chainId: "dev-1", timeoutCommitMs: 200 });
    assert.equal(layout.resumed, false);
    const raw = JSON.parse(readFileSync(join(dir, "devnet.json"), "utf8"));
    assert.deepEqual(Object.keys(raw), ["chains", "accounts", "relayers"]);
    assert.deepEqual(raw.relayers, []);
    assert.equal(raw.chains.length, 1);
    const chain = raw.chains[0];
    assert.equal(chain.chainId, "dev-1");
    assert.equal(chain.mode, "provider");
    assert.equal(chain.nodes.length, 3);
    const genesisTexts = new Set<string>();
    for (const [i, n] of chain.nodes.entries()) {
      assert.deepEqual(Object.keys(n), ["name", "home", "rpc", "p2p", "pid", "validator", "operator"]);
      assert.equal(n.name, `node${i}`);
      assert.equal(n.home, join(dir, "dev-1", `node${i}`));
      assert.match(n.rpc, /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.match(n.p2p, /^\/ip4\/127\.0\.0\.1\/tcp\/\d+\/p2p\/12D3KooW\S+$/);
      assert.equal(n.validator, true);
      const cfg = loadConfig(join(n.home, "config/config.toml"));
      assert.equal(cfg.consensus.timeoutCommitMs, 200);
      assert.equal(cfg.rpc.laddr, n.rpc.replace("http://", "tcp://"));
      assert.deepEqual(
        [...cfg.p2p.persistentPeers].sort(),
        chain.nodes
          .filter((o: { name: string }) => o.name !== n.name)
          .map((o: { p2p: string }) => o.p2p)
          .sort(),
      );
      genesisTexts.add(readFileSync(join(n.home, "config/genesis.json"), "utf8"));
    }
    assert.equal(genesisTexts.size, 1, "every node has the same genesis");
    const g = loadGenesis(join(chain.nodes[0].home, "config/genesis.json"));
    // Staking supplies the validators: genesis.json lists none, a gentx per node creates each.
    assert.deepEqual(g.validators, []);
    const genTxs = (g.appState as { genutil: { gen_txs: string[] } }).genutil.gen_txs;
    assert.equal(genTxs.length, 3);
    for (const [i, n] of chain.nodes.entries()) {
      const decoded = decodeGentx(Buffer.from(genTxs[i]!, "base64"), "dev-1", "cosmos");
      assert.equal(decoded.msg.value?.amount, DEVNET_SELF_BOND.toString());
      assert.equal(n.operator.mnemonic.split(" ").length, 24);
    }
  });

  it("funds four test accounts whose keys are in node0's test keyring", async () => {
    const f = readDevnetFile(dir)!;
    const node0 = f.chains[0]!.nodes[0]!.home;
    assert.deepEqual(
      f.accounts.map((a) => a.name),
      ["faucet", "alice", "bob", "carol"],
    );
    for (const a of f.accounts) {
      assert.deepEqual(Object.keys(a), ["name", "address", "mnemonic"]);
      assert.match(a.address, /^cosmos1[02-9ac-hj-np-z]{38}$/);
      assert.equal(a.mnemonic.split(" ").length, 24);
    }
    assert.equal(new Set(f.accounts.map((a) => a.mnemonic)).size, 4, "fresh mnemonics");
    const keyring = new Keyring({ home: node0, backend: "test" });
    // Next to the accounts, node0's keyring holds its validator's operator key.
    assert.deepEqual(
      keyring.list().map((k) => [k.name, k.address]),
      [
        ...f.accounts.map((a) => [a.name, a.address]),
        [DEVNET_OPERATOR_KEY, f.chains[0]!.nodes[0]!.operator!.address],
      ].sort(),
    );
    assert.equal(await keyring.export("alice"), f.accounts[1]!.mnemonic);
    const app = loadGenesis(join(node0, "config/genesis.json")).appState as {
      auth: { bech32_prefix: string; accounts: { address: string; account_number: string }[] };
      bank: { balances: { address: string; coins: unknown }[]; supply: unknown };
    };
    assert.equal(app.auth.bech32_prefix, "cosmos");
    // The test accounts first, then each validator's operator (200000000000stake each).
    const operators = f.chains[0]!.nodes.map((n) => n.operator!.address);
    const all = [...f.accounts.map((a) => a.address), ...operators];
    assert.deepEqual(
      app.auth.accounts.map((a) => [a.address, a.account_number]),
      all.map((a, i) => [a, String(i)]),
    );
    assert.deepEqual(
      app.bank.balances,
      all.map((address, i) => ({
        address,
        coins: [
          {
            denom: "stake",
            amount: i === 0 ? "1000000000000" : i < f.accounts.length ? "10000000000" : "200000000000",
          },
        ],
      })),
    );
    assert.deepEqual(app.bank.supply, [
      { denom: "stake", amount: String(1_030_000_000_000n + 200_000_000_000n * BigInt(operators.length)) },
    ]);
    for (const n of f.chains[0]!.nodes) {
      assert.equal(loadAppConfig(join(n.home, "config/app.toml")).minimumGasPrices, "0.0025stake");
      const client = loadClientConfig(n.home);
      assert.equal(client.chainId, "dev-1");
      assert.equal(client.node, n.rpc.replace("http://", "tcp://"));
      assert.equal(client.keyringBackend, "test");
      assert.equal(client.gasPrices, "0.0025stake");
    }
  });

  it("resumes an existing devnet, keeping free ports and re-picking a busy one", async () => {
    const before = readDevnetFile(dir)!;
    const busyRpc = Number(new URL(before.chains[0]!.nodes[1]!.rpc).port);
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(busyRpc, "127.0.0.1", () => r()));
    try {
      const layout = await prepareDevnet({ dir, validators: 5, chainId: "ignored", timeoutCommitMs: 999 });
      assert.equal(layout.resumed, true);
      const nodes = layout.file.chains[0]!.nodes;
      assert.equal(nodes.length, 3);
      assert.equal(layout.file.chains[0]!.chainId, "dev-1");
      assert.equal(nodes[0]!.rpc, before.chains[0]!.nodes[0]!.rpc);
      assert.notEqual(nodes[1]!.rpc, before.chains[0]!.nodes[1]!.rpc);
      const cfg = loadConfig(join(nodes[1]!.home, "config/config.toml"));
      assert.equal(cfg.rpc.laddr, nodes[1]!.rpc.replace("http://", "tcp://"));
      assert.equal(loadClientConfig(nodes[1]!.home).node, cfg.rpc.laddr, "client.toml follows the new port");
      assert.deepEqual(layout.file.accounts, before.accounts, "accounts are kept");
    } finally {
      await new Promise<void>((r) => blocker.close(() => r()));
    }
  });

  it("recognises only icsd start processes", () => {
    assert.equal(isIcsdProcess(process.pid), false);
    assert.equal(isIcsdProcess(0), false);
  });
});
