import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { PubKey } from "cosmjs-types/cosmos/crypto/ed25519/keys";
import { QueryValidatorResponse } from "cosmjs-types/cosmos/staking/v1beta1/query";
import { BondStatus } from "cosmjs-types/cosmos/staking/v1beta1/staking";
import { defaultClientConfig, freePorts, writeClientConfig } from "../../../node/index.ts";
import { assertUserError, expectErrors, icsd } from "../../support/cliRun.ts";

const _MAIN = fileURLToPath(new URL("../../../cmd/main.ts", import.meta.url));
const ABANDON =
  "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about";
const ADDR = "cosmos19rl4cm2hmr8afy4kldpxz3fka4jguq0auqdal4";
const VALOPER = "cosmosvaloper19rl4cm2hmr8afy4kldpxz3fka4jguq0ae5egnx";
const GOV = "cosmos10d07y265gmmuvt4z0w9aw880jnsr700j6zn9kn";
const CONS_KEY = "A6DoBUypNtUAyEHWtQ9bFjfNg8Bo9CrnkUGl6k6OHN4=";

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
      pub_key: { type: "tendermint/PubKeyEd25519", value: CONS_KEY },
      voting_power: "10",
    },
  };
}

const validatorResponse = QueryValidatorResponse.encode(
  QueryValidatorResponse.fromPartial({
    validator: {
      operatorAddress: VALOPER,
      consensusPubkey: {
        typeUrl: "/cosmos.crypto.ed25519.PubKey",
        value: PubKey.encode({ key: Buffer.from(CONS_KEY, "base64") }).finish(),
      },
      status: BondStatus.BOND_STATUS_BONDED,
      tokens: "1000000",
      delegatorShares: "1000000000000000000000000",
      description: { moniker: "node0" },
      commission: {
        commissionRates: {
          rate: "100000000000000000",
          maxRate: "200000000000000000",
          maxChangeRate: "10000000000000000",
        },
        updateTime: { seconds: 1714564800n, nanos: 0 },
      },
      minSelfDelegation: "1",
    },
  }),
).finish();

describe("icsd staking, slashing, distribution and gov commands", { timeout: 300_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), "icsd-module-cli-"));
  const home = join(dir, "h");
  let fake: Server;
  let fakeUrl = "";
  let deadPort = 0;
  const queried: string[] = [];

  before(async () => {
    assert.equal((await icsd(["init", "n0", "--chain-id", "mod-1", "--home", home])).code, 0);
    assert.equal((await icsd(["keys", "add", "alice", "--recover", "--home", home], ABANDON)).code, 0);
    deadPort = (await freePorts(1))[0]!;
    writeClientConfig(home, {
      ...defaultClientConfig,
      chainId: "mod-1",
      node: `tcp://127.0.0.1:${deadPort}`,
    });
    fake = createServer((req, res) => {
      let body = "";
      req.on("data", (d) => {
        body += d;
      });
      req.on("end", () => {
        const { id, method, params } = JSON.parse(body) as {
          id: number;
          method: string;
          params: { path?: string };
        };
        let answer: unknown;
        if (method === "status") answer = { jsonrpc: "2.0", id, result: statusResult("mod-1") };
        else if (method === "abci_query") {
          queried.push(params.path ?? "");
          const found = params.path === "/cosmos.staking.v1beta1.Query/Validator";
          answer = {
            jsonrpc: "2.0",
            id,
            result: {
              response: {
                code: found ? 0 : 22,
                log: found ? "" : "rpc error: code = NotFound desc = proposal 7 doesn't exist",
                info: "",
                index: "0",
                key: null,
                value: found ? Buffer.from(validatorResponse).toString("base64") : null,
                proofOps: null,
                height: "5",
                codespace: found ? "" : "sdk",
              },
            },
          };
        } else answer = { jsonrpc: "2.0", id, error: { code: -32601, message: "Method not found" } };
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

  const tx = (...a: string[]) => ["tx", ...a, "--home", home, "--yes"];
  const from = (...a: string[]) => tx(...a, "--from", "alice");
  const q = (...a: string[]) => ["query", ...a, "--home", home];

  it("staking transactions check addresses, amounts, decimals and flags before contacting a node", async () => {
    await expectErrors([
      [from("staking", "delegate", "cosmosvaloper1xyz", "5stake"), /invalid address "cosmosvaloper1xyz"/],
      [from("staking", "delegate", ADDR, "5stake"), /expected prefix "cosmosvaloper", got "cosmos"/],
      [from("staking", "delegate", VALOPER, "5.5stake"), /decimal amounts are not allowed/],
      [from("staking", "delegate", VALOPER, "0stake"), /amount must be one positive coin/],
      [from("staking", "delegate", VALOPER, "5stake,6uatom"), /amount must be one positive coin/],
      [tx("staking", "delegate", VALOPER, "5stake"), /required option '--from <key>' not specified/],
      [from("staking", "unbond", VALOPER, "abc"), /invalid coin "abc"/],
      [from("staking", "redelegate", VALOPER, "cosmosvaloper1bad", "5stake"), /invalid address/],
      [
        from("staking", "cancel-unbond", VALOPER, "5stake", "-3"),
        /creation-height must be a positive integer/,
      ],
      [
        from(
          "staking",
          "create-validator",
          "--amount",
          "5stake",
          "--moniker",
          "m",
          "--commission-rate",
          "1.5",
        ),
        /--commission-rate must be a decimal between 0 and 1/,
      ],
      [
        from(
          "staking",
          "create-validator",
          "--amount",
          "5stake",
          "--moniker",
          "m",
          "--commission-max-rate",
          "x",
        ),
        /--commission-max-rate must be a decimal between 0 and 1/,
      ],
      [
        from(
          "staking",
          "create-validator",
          "--amount",
          "5stake",
          "--moniker",
          "m",
          "--commission-rate",
          "0.5",
        ),
        /commission cannot be more than the max rate/,
      ],
      [
        from("staking", "create-validator", "--amount", "5stake", "--moniker", "m", "--pubkey", "AAAA"),
        /invalid --pubkey: an ed25519 key is 32 bytes, got 3/,
      ],
      [
        from(
          "staking",
          "create-validator",
          "--amount",
          "5stake",
          "--moniker",
          "m",
          "--pubkey",
          '{"@type":"x"}',
        ),
        /invalid --pubkey: expected/,
      ],
      [from("staking", "create-validator", "--amount", "5stake"), /required option '--moniker <name>'/],
      [
        from(
          "staking",
          "create-validator",
          "--amount",
          "5stake",
          "--moniker",
          "m",
          "--min-self-delegation",
          "9",
        ),
        /self delegation must be greater than their minimum self delegation/,
      ],
      [from("staking", "edit-validator"), /nothing to edit/],
      [
        from("staking", "edit-validator", "--commission-rate", "0.1.2"),
        /--commission-rate must be a decimal/,
      ],
      [
        from("staking", "edit-validator", "--min-self-delegation", "0"),
        /--min-self-delegation must be a positive/,
      ],
      [from("staking", "delegate", VALOPER, "5stake", "--gas", "lots"), /--gas must be/],
    ]);
  });

  it("distribution, slashing and gov transactions check their arguments", async () => {
    await expectErrors([
      [from("distribution", "withdraw-rewards", "cosmos1bad"), /invalid address/],
      [from("distribution", "set-withdraw-addr", VALOPER), /expected prefix "cosmos", got "cosmosvaloper"/],
      [from("gov", "vote", "1", "maybe"), /vote option must be one of yes, no, abstain, no_with_veto/],
      [from("gov", "vote", "0", "yes"), /proposal-id must be a positive integer/],
      [from("gov", "deposit", "x", "5stake"), /proposal-id must be a positive integer/],
      [from("gov", "deposit", "1", "5"), /invalid coin "5"/],
      [from("gov", "submit-proposal", join(dir, "missing.json")), /cannot read proposal file .*ENOENT/],
      [tx("slashing", "unjail"), /required option '--from <key>'/],
      [
        from("slashing", "unjail", "--fees", "1stake", "--gas-prices", "1stake"),
        /either --fees or --gas-prices/,
      ],
      // Arguments are fine: the (dead) node of client.toml is dialled.
      [from("slashing", "unjail"), new RegExp(`cannot reach http://127.0.0.1:${deadPort}`)],
      [
        from("staking", "delegate", VALOPER, "5stake"),
        new RegExp(`cannot reach http://127.0.0.1:${deadPort}`),
      ],
      [from("distribution", "withdraw-all-rewards"), new RegExp(`cannot reach http://127.0.0.1:${deadPort}`)],
      [tx("staking", "delegate", VALOPER, "5stake", "--from", "nobody"), /key "nobody" not found/],
    ]);
  });

  it("submit-proposal converts SDK proposal JSON and refuses unknown types, fields and authorities", async () => {
    const staking = {
      "@type": "/cosmos.staking.v1beta1.MsgUpdateParams",
      authority: GOV,
      params: {
        unbonding_time: "1814400s",
        max_validators: 100,
        max_entries: 7,
        historical_entries: 10000,
        bond_denom: "stake",
        min_commission_rate: "0.05",
      },
    };
    const write = (name: string, doc: unknown): string => {
      const p = join(dir, name);
      writeFileSync(p, JSON.stringify(doc));
      return p;
    };
    const proposal = (messages: unknown[], extra: Record<string, unknown> = {}) => ({
      messages,
      metadata: "",
      deposit: "10000000stake",
      title: "Staking params",
      summary: "s",
      ...extra,
    });
    const submit = (p: string) => from("gov", "submit-proposal", p);
    await expectErrors([
      [
        submit(
          write(
            "upgrade.json",
            proposal([{ ...staking, "@type": "/cosmos.upgrade.v1beta1.MsgSoftwareUpgrade" }]),
          ),
        ),
        /messages\[0\]: unsupported message type "\/cosmos.upgrade.v1beta1.MsgSoftwareUpgrade"/,
      ],
      [
        submit(write("typo.json", proposal([{ ...staking, params: { ...staking.params, max_entrys: 7 } }]))),
        /messages\[0\].params.max_entrys: unknown field/,
      ],
      [
        submit(write("authority.json", proposal([{ ...staking, authority: ADDR }]))),
        /messages\[0\].authority must be the gov module account cosmos10d07y265gmmuvt4z0w9aw880jnsr700j6zn9kn/,
      ],
      [
        submit(
          write(
            "duration.json",
            proposal([{ ...staking, params: { ...staking.params, unbonding_time: "3w" } }]),
          ),
        ),
        /unbonding_time must be a duration such as "1814400s"/,
      ],
      [
        submit(
          write(
            "dec.json",
            proposal([{ ...staking, params: { ...staking.params, min_commission_rate: "5%" } }]),
          ),
        ),
        /min_commission_rate must be a non-negative decimal/,
      ],
      [
        submit(write("deposit.json", proposal([staking], { deposit: "lots" }))),
        /deposit: invalid coin "lots"/,
      ],
      [submit(write("notitle.json", proposal([staking], { title: "" }))), /title must not be empty/],
      [
        submit(write("valid.json", proposal([staking]))),
        new RegExp(`cannot reach http://127.0.0.1:${deadPort}`),
      ],
    ]);
  });

  it("queries check their arguments and report an unreachable node", async () => {
    await expectErrors([
      [q("staking", "validator", ADDR), /expected prefix "cosmosvaloper"/],
      [q("staking", "validators", "--status", "jailed"), /--status must be bonded, unbonding or unbonded/],
      [q("staking", "validators", "--limit", "0"), /--limit must be an integer between 1 and 10000/],
      [q("staking", "delegation", VALOPER, VALOPER), /expected prefix "cosmos", got "cosmosvaloper"/],
      [q("staking", "delegations", "cosmos1bad"), /invalid address/],
      [q("staking", "redelegations", ADDR, "--src-validator", ADDR), /expected prefix "cosmosvaloper"/],
      [q("distribution", "rewards", ADDR, ADDR), /expected prefix "cosmosvaloper"/],
      [q("distribution", "commission", "x"), /invalid address "x"/],
      [q("distribution", "rewards-by-source", ADDR), /missing required argument 'validator-addr'/],
      [
        q("distribution", "rewards-by-source", VALOPER, VALOPER),
        /expected prefix "cosmos", got "cosmosvaloper"/,
      ],
      [q("slashing", "signing-info", VALOPER), /expected a 20-byte cosmosvalcons consensus address/],
      [q("gov", "proposal", "x"), /proposal-id must be a positive integer/],
      [q("gov", "votes", "-1"), /proposal-id must be a positive integer/],
      [q("gov", "proposals", "--status", "open"), /--status must be one of deposit_period/],
      [q("gov", "tally", "1"), new RegExp(`cannot reach http://127.0.0.1:${deadPort}`)],
      [q("staking", "pool"), new RegExp(`cannot reach http://127.0.0.1:${deadPort}`)],
    ]);
  });

  it("prints query responses in gaiad's shape (snake_case, decimals, @type keys), as JSON or YAML", async () => {
    const json = await icsd([...q("staking", "validator", VALOPER), "--node", fakeUrl, "--output", "json"]);
    assert.equal(json.code, 0, json.stderr);
    const v = JSON.parse(json.stdout).validator;
    assert.equal(v.operator_address, VALOPER);
    assert.deepEqual(v.consensus_pubkey, { "@type": "/cosmos.crypto.ed25519.PubKey", key: CONS_KEY });
    assert.equal(v.status, "BOND_STATUS_BONDED");
    assert.equal(v.delegator_shares, "1000000.000000000000000000");
    assert.deepEqual(v.commission.commission_rates, {
      rate: "0.100000000000000000",
      max_rate: "0.200000000000000000",
      max_change_rate: "0.010000000000000000",
    });
    const text = await icsd([...q("staking", "validator", VALOPER), "--node", fakeUrl]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, new RegExp(`^validator:\\n  operator_address: ${VALOPER}\\n`));
    assert.match(text.stdout, /\n {6}rate: "0.100000000000000000"\n/);
    assert.match(text.stdout, /\n {4}"@type": \/cosmos.crypto.ed25519.PubKey\n/);
    // A query error of the node is one line with its log.
    assertUserError(
      await icsd([...q("gov", "proposal", "7"), "--node", fakeUrl]),
      /query gov proposal: Query failed with \(22\): rpc error: code = NotFound desc = proposal 7 doesn't exist/,
      "gov proposal 7",
    );
    assert.ok(queried.includes("/cosmos.gov.v1.Query/Proposal"));
  });

  it("shows an example in the help of every new command", async () => {
    const cmds = [
      ["tx", "staking"],
      ["tx", "staking", "create-validator"],
      ["tx", "staking", "edit-validator"],
      ["tx", "staking", "delegate"],
      ["tx", "staking", "unbond"],
      ["tx", "staking", "redelegate"],
      ["tx", "staking", "cancel-unbond"],
      ["tx", "slashing", "unjail"],
      ["tx", "distribution", "withdraw-rewards"],
      ["tx", "distribution", "withdraw-all-rewards"],
      ["tx", "distribution", "set-withdraw-addr"],
      ["tx", "gov", "submit-proposal"],
      ["tx", "gov", "deposit"],
      ["tx", "gov", "vote"],
      ["query", "staking", "validators"],
      ["query", "staking", "validator"],
      ["query", "staking", "delegation"],
      ["query", "staking", "delegations"],
      ["query", "staking", "unbonding-delegations"],
      ["query", "staking", "redelegations"],
      ["query", "staking", "pool"],
      ["query", "staking", "params"],
      ["query", "distribution", "rewards"],
      ["query", "distribution", "commission"],
      ["query", "distribution", "rewards-by-source"],
      ["query", "distribution", "community-pool"],
      ["query", "distribution", "params"],
      ["query", "slashing", "signing-info"],
      ["query", "slashing", "signing-infos"],
      ["query", "slashing", "params"],
      ["query", "gov", "proposals"],
      ["query", "gov", "proposal"],
      ["query", "gov", "votes"],
      ["query", "gov", "tally"],
      ["query", "gov", "params"],
      ["genesis", "gentx"],
      ["genesis", "collect-gentxs"],
    ];
    for (let i = 0; i < cmds.length; i += 8) {
      const batch = cmds.slice(i, i + 8);
      const runs = await Promise.all(batch.map((c) => icsd([...c, "--help"])));
      runs.forEach((r, j) => {
        assert.equal(r.code, 0, batch[j]!.join(" "));
        assert.match(r.stdout, /Example/, batch[j]!.join(" "));
      });
    }
  });
});
