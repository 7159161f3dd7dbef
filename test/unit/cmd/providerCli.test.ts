import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { decodeTxRaw } from "@cosmjs/proto-signing";
import { BaseAccount } from "cosmjs-types/cosmos/auth/v1beta1/auth";
import { QueryAccountResponse } from "cosmjs-types/cosmos/auth/v1beta1/query";
import { TxMsgData } from "cosmjs-types/cosmos/base/abci/v1beta1/abci";
import {
  defaultClientConfig,
  freePorts,
  loadGenesis,
  valoperAddress,
  writeClientConfig,
} from "../../../node/index.ts";
import {
  MsgCreateConsumerCodec,
  MsgCreateConsumerResponseCodec,
  MsgOptInCodec,
  MsgRemoveConsumerCodec,
} from "../../../provider/index.ts";
import { toBase64 } from "../../../utils/index.ts";
import { assertUserError, expectErrors, icsd } from "../../support/cliRun.ts";
import { fakeKey, LAUNCH_NS, sampleConsumerGenesis } from "./providerFixtures.ts";

const _MAIN = fileURLToPath(new URL("../../../cmd/main.ts", import.meta.url));
const ABANDON =
  "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about";
const ADDR = "cosmos19rl4cm2hmr8afy4kldpxz3fka4jguq0auqdal4";
const VALOPER = valoperAddress(ADDR);
const CHAIN = "provider-1";

function statusResult(): unknown {
  const hash = "AB".repeat(32);
  return {
    node_info: {
      protocol_version: { p2p: "8", block: "11", app: "0" },
      id: "a8f6d2d0bc1e3b1e6f37c3c2b1d0c9e8f7a6b5c4",
      listen_addr: "tcp://127.0.0.1:26656",
      network: CHAIN,
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

function abciAnswer(value: Uint8Array | undefined, log = ""): unknown {
  return {
    response: {
      code: value ? 0 : 22,
      log,
      info: "",
      index: "0",
      key: null,
      value: value ? toBase64(value) : null,
      proofOps: null,
      height: "5",
      codespace: value ? "" : "sdk",
    },
  };
}

const jsonAnswer = (v: unknown) => abciAnswer(new TextEncoder().encode(JSON.stringify(v)));

const CONSUMER_FILE = {
  chain_id: "consumer-1",
  metadata: { name: "consumer", description: "a consumer chain", metadata: "{}" },
  initialization_parameters: { spawn_time: "2024-05-01T12:00:50Z", unbonding_period: "1728000s" },
  power_shaping_parameters: { top_N: 0 },
};

describe("icsd tx provider, query provider, query consumer and consumer homes", { timeout: 300_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), "icsd-provider-cli-"));
  const home = join(dir, "h");
  let fake: Server;
  let fakeUrl = "";
  let deadPort = 0;
  const queries: { path: string; data: unknown }[] = [];
  let broadcast: Uint8Array | undefined;

  function committedTx(): unknown {
    const tx = broadcast!;
    const typeUrl = decodeTxRaw(tx).body.messages[0]!.typeUrl;
    const create = typeUrl === MsgCreateConsumerCodec.typeUrl;
    const data = TxMsgData.encode({
      data: [],
      msgResponses: [
        {
          typeUrl: `${typeUrl}Response`,
          value: create ? MsgCreateConsumerResponseCodec.encode({ consumerId: "3" }) : new Uint8Array(),
        },
      ],
    }).finish();
    return {
      hash: createHash("sha256").update(tx).digest("hex").toUpperCase(),
      height: "6",
      index: 0,
      tx_result: {
        code: 0,
        data: toBase64(data),
        log: "",
        info: "",
        gas_wanted: "200000",
        gas_used: "90000",
        codespace: "",
        events: create
          ? [{ type: "create_consumer", attributes: [{ key: "consumer_id", value: "3", index: true }] }]
          : [],
      },
      tx: toBase64(tx),
    };
  }

  function answer(method: string, params: Record<string, string>): unknown {
    if (method === "status") return statusResult();
    if (method === "abci_query") {
      const path = params.path ?? "";
      const raw = Buffer.from(params.data ?? "", "hex");
      if (path === "/cosmos.auth.v1beta1.Query/Account") {
        return abciAnswer(
          QueryAccountResponse.encode({
            account: {
              typeUrl: "/cosmos.auth.v1beta1.BaseAccount",
              value: BaseAccount.encode(
                BaseAccount.fromPartial({ address: ADDR, accountNumber: 1n, sequence: 3n }),
              ).finish(),
            },
          }).finish(),
        );
      }
      const data = JSON.parse(raw.toString("utf8") || "{}") as Record<string, unknown>;
      queries.push({ path, data });
      if (path === "/icsd.provider.v1.Query/ConsumerGenesis") {
        return data.consumer_id === "0"
          ? jsonAnswer(sampleConsumerGenesis([10, 20]))
          : abciAnswer(undefined, `consumer ${String(data.consumer_id)} not found`);
      }
      if (path === "/icsd.consumer.v1.Query/ProviderInfo") {
        return jsonAnswer({
          provider_chain_id: CHAIN,
          consumer_channel_id: "channel-0",
          channel_closed: false,
        });
      }
      return abciAnswer(undefined, `unknown query ${path}`);
    }
    if (method === "broadcast_tx_sync") {
      broadcast = new Uint8Array(Buffer.from(params.tx!, "base64"));
      const hash = createHash("sha256").update(broadcast).digest("hex").toUpperCase();
      return { code: 0, data: "", log: "", codespace: "", hash };
    }
    if (method === "tx_search") {
      const txs = broadcast ? [committedTx()] : [];
      return { txs, total_count: String(txs.length) };
    }
    return undefined;
  }

  before(async () => {
    assert.equal((await icsd(["init", "n0", "--chain-id", CHAIN, "--home", home])).code, 0);
    assert.equal((await icsd(["keys", "add", "alice", "--recover", "--home", home], ABANDON)).code, 0);
    deadPort = (await freePorts(1))[0]!;
    writeClientConfig(home, { ...defaultClientConfig, chainId: CHAIN, node: `tcp://127.0.0.1:${deadPort}` });
    fake = createServer((req, res) => {
      let body = "";
      req.on("data", (d) => {
        body += d;
      });
      req.on("end", () => {
        const { id, method, params } = JSON.parse(body) as {
          id: number;
          method: string;
          params: Record<string, string>;
        };
        let reply: unknown;
        try {
          const result = answer(method, params ?? {});
          reply =
            result === undefined
              ? { jsonrpc: "2.0", id, error: { code: -32601, message: "Method not found" } }
              : { jsonrpc: "2.0", id, result };
        } catch (e) {
          reply = {
            jsonrpc: "2.0",
            id,
            error: { code: -32603, message: `fake node: ${(e as Error).message}` },
          };
        }
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(reply));
      });
    });
    await new Promise<void>((r) => fake.listen(0, "127.0.0.1", () => r()));
    fakeUrl = `http://127.0.0.1:${(fake.address() as { port: number }).port}`;
    writeFileSync(join(dir, "consumer.json"), JSON.stringify(CONSUMER_FILE));
    writeFileSync(join(dir, "no-chain.json"), JSON.stringify({ metadata: CONSUMER_FILE.metadata }));
    writeFileSync(join(dir, "not-json.json"), "{ chain_id: ");
  });
  after(async () => {
    await new Promise<void>((r) => fake.close(() => r()));
    rmSync(dir, { recursive: true, force: true });
  });

  const tx = (...a: string[]) => ["tx", "provider", ...a, "--home", home, "--yes", "--from", "alice"];
  const q = (...a: string[]) => ["query", ...a, "--home", home];

  it("checks every argument before contacting a node, one error line each", async () => {
    const key = JSON.stringify({ "@type": "/cosmos.crypto.ed25519.PubKey", key: toBase64(fakeKey(1)) });
    await expectErrors([
      [tx("opt-in", "abc"), /consumer-id must be a non-negative integer/],
      [tx("opt-in", "0", "not-a-key"), /invalid consumer-pubkey: the key is not base64/],
      [tx("opt-out", "-1"), /consumer-id must be a non-negative integer/],
      [tx("assign-consensus-key", "0"), /missing required argument 'consumer-pubkey'/],
      [tx("assign-consensus-key", "0", toBase64(new Uint8Array(5))), /an ed25519 key is 32 bytes, got 5/],
      [tx("set-consumer-commission-rate", "0", "1.5"), /commission-rate must be a decimal between 0 and 1/],
      [tx("remove-consumer", "x"), /consumer-id must be a non-negative integer/],
      [tx("create-consumer", join(dir, "missing.json")), /create-consumer file: cannot read .*no such file/],
      [tx("create-consumer", join(dir, "not-json.json")), /create-consumer file: .* is not valid JSON/],
      [tx("create-consumer", join(dir, "no-chain.json")), /create-consumer file .*chain_id/],
      [tx("update-consumer", join(dir, "consumer.json")), /update-consumer file .*consumer_id/],
      [
        tx("submit-consumer-double-voting", "0", join(dir, "consumer.json")),
        /missing required argument 'header-file'/,
      ],
      [
        tx("submit-consumer-double-voting", "0", join(dir, "consumer.json"), join(dir, "consumer.json")),
        /evidence file: missing vote_a/,
      ],
      [
        tx("submit-consumer-misbehaviour", "0", join(dir, "consumer.json")),
        /misbehaviour file: missing header_1/,
      ],
      [
        ["tx", "provider", "opt-in", "0", "--home", home, "--yes"],
        /required option '--from <key>' not specified/,
      ],
      [q("provider", "consumer-chain", "x"), /consumer-id must be a non-negative integer/],
      [
        q("provider", "validator-consumer-key", "0", ADDR),
        /expected a 20-byte cosmosvalcons consensus address/,
      ],
      [q("provider", "list-consumer-chains", "--phase", "running"), /--phase must be one of/],
      [q("provider", "rewards", "osmo1qypqxpq9qcrsszg2pvxq6rs0zqg3yyc5ptmv5s"), /invalid address/],
      [q("consumer", "vsc-id-at-height", "0"), /height must be a positive integer/],
      [q("provider", "params"), new RegExp(`cannot reach http://127.0.0.1:${deadPort}`)],
      // Arguments are fine: the (dead) node of client.toml is dialled.
      [tx("opt-in", "0", key), new RegExp(`cannot reach http://127.0.0.1:${deadPort}`)],
    ]);
  });

  it("create-consumer signs a MsgCreateConsumer from the file and prints the new consumer id", async () => {
    const r = await icsd([...tx("create-consumer", join(dir, "consumer.json")), "--node", fakeUrl]);
    assert.equal(r.code, 0, r.stderr);
    const msg = decodeTxRaw(broadcast!).body.messages[0]!;
    assert.equal(msg.typeUrl, "/interchain_security.ccv.provider.v1.MsgCreateConsumer");
    const m = MsgCreateConsumerCodec.decode(msg.value);
    assert.equal(m.submitter, ADDR);
    assert.equal(m.chainId, "consumer-1");
    assert.equal(m.metadata.name, "consumer");
    assert.equal(m.initializationParameters?.spawnTime, 1_714_564_850_000_000_000n);
    assert.equal(m.initializationParameters?.unbondingPeriod, 1_728_000_000_000_000n);
    assert.match(r.stdout, /\nconsumer_id: 3\n$/);

    // JSON output keeps stdout one document; the id goes to stderr.
    const json = await icsd([
      ...tx("create-consumer", join(dir, "consumer.json")),
      "--node",
      fakeUrl,
      "--output",
      "json",
    ]);
    assert.equal(json.code, 0, json.stderr);
    assert.equal((JSON.parse(json.stdout) as { code: number }).code, 0);
    assert.match(json.stderr, /consumer_id: 3/);
  });

  it("validator commands derive provider_addr (valoper) from --from and normalise the consumer key", async () => {
    const r = await icsd([...tx("opt-in", "2", toBase64(fakeKey(9))), "--node", fakeUrl]);
    assert.equal(r.code, 0, r.stderr);
    const msg = decodeTxRaw(broadcast!).body.messages[0]!;
    assert.equal(msg.typeUrl, MsgOptInCodec.typeUrl);
    assert.deepEqual(MsgOptInCodec.decode(msg.value), {
      chainId: "",
      providerAddr: VALOPER,
      consumerKey: JSON.stringify({ "@type": "/cosmos.crypto.ed25519.PubKey", key: toBase64(fakeKey(9)) }),
      signer: ADDR,
      consumerId: "2",
    });
    const rm = await icsd([...tx("remove-consumer", "7"), "--node", fakeUrl]);
    assert.equal(rm.code, 0, rm.stderr);
    const m = decodeTxRaw(broadcast!).body.messages[0]!;
    assert.deepEqual(MsgRemoveConsumerCodec.decode(m.value), { consumerId: "7", owner: ADDR });
  });

  it("query provider consumer-genesis output becomes a consumer home's genesis (init --mode consumer)", async () => {
    const r = await icsd([...q("provider", "consumer-genesis", "0"), "--node", fakeUrl]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(queries.at(-1), {
      path: "/icsd.provider.v1.Query/ConsumerGenesis",
      data: { consumer_id: "0" },
    });
    const cg = JSON.parse(r.stdout) as unknown;
    assert.deepEqual(cg, sampleConsumerGenesis([10, 20]));
    const file = join(dir, "ccv.json");
    writeFileSync(file, r.stdout);

    const missing = await icsd([...q("provider", "consumer-genesis", "9"), "--node", fakeUrl]);
    assertUserError(missing, /consumer 9 not found/, "unknown consumer");

    const chome = join(dir, "consumer0");
    const init = await icsd([
      "init",
      "c0",
      "--mode",
      "consumer",
      "--chain-id",
      "consumer-1",
      "--consumer-genesis",
      file,
      "--home",
      chome,
    ]);
    assert.equal(init.code, 0, init.stderr);
    const out = JSON.parse(init.stdout) as { mode: string; validators: number; validator_pubkey: string };
    assert.equal(out.mode, "consumer");
    assert.equal(out.validators, 2);
    assert.match(out.validator_pubkey, /^\{"@type":"\/cosmos.crypto.ed25519.PubKey","key":"/);
    const g = loadGenesis(join(chome, "config/genesis.json"));
    assert.deepEqual(g.appState.ccvconsumer, cg);
    assert.deepEqual(
      g.validators.map((v) => [toBase64(v.pubKey), v.power]),
      [
        [toBase64(fakeKey(1)), 10n],
        [toBase64(fakeKey(2)), 20n],
      ],
    );
    assert.equal(g.genesisTime, LAUNCH_NS + 1_000_000_000n);

    // A placeholder home, funded, then filled: accounts stay, validators and ccvconsumer arrive.
    const phome = join(dir, "consumer1");
    const c = ["--home", phome];
    assert.equal(
      (await icsd(["init", "c1", "--mode", "consumer", "--chain-id", "consumer-1", ...c])).code,
      0,
    );
    assert.deepEqual(loadGenesis(join(phome, "config/genesis.json")).appState.ccvconsumer, {});
    const fund = await icsd(["genesis", "add-account", ADDR, "100stake", ...c]);
    assert.equal(fund.code, 0, fund.stderr);
    const set = await icsd([
      "genesis",
      "set-consumer-genesis",
      file,
      "--genesis-time",
      "2024-05-01T12:01:00Z",
      ...c,
    ]);
    assert.equal(set.code, 0, set.stderr);
    assert.match(set.stdout, /2 validators, genesis time 2024-05-01T12:01:00.000000000Z/);
    const filled = loadGenesis(join(phome, "config/genesis.json"));
    assert.deepEqual(filled.appState.ccvconsumer, cg);
    assert.equal(filled.validators.length, 2);
    assert.deepEqual((filled.appState.bank as { balances: unknown }).balances, [
      { address: ADDR, coins: [{ denom: "stake", amount: "100" }] },
    ]);

    await expectErrors([
      [
        ["init", "c2", "--chain-id", "consumer-1", "--consumer-genesis", file, "--home", join(dir, "c2")],
        /--consumer-genesis needs --mode consumer/,
      ],
      [
        ["init", "c2", "--mode", "consumr", "--chain-id", "consumer-1", "--home", join(dir, "c2")],
        /argument 'consumr' is invalid. Allowed choices are provider, consumer/,
      ],
      [
        [
          "init",
          "c2",
          "--mode",
          "consumer",
          "--chain-id",
          CHAIN,
          "--consumer-genesis",
          file,
          "--home",
          join(dir, "c2"),
        ],
        /must differ from the provider's/,
      ],
      [
        [
          "init",
          "c2",
          "--mode",
          "consumer",
          "--chain-id",
          "c-2",
          "--consumer-genesis",
          join(dir, "consumer.json"),
        ],
        /consumer genesis: params must be an object/,
      ],
      [
        ["genesis", "set-consumer-genesis", file, "--genesis-time", "2024-05-01T12:00:00Z", ...c],
        /must be after the consumer's launch time/,
      ],
      [
        ["genesis", "set-consumer-genesis", file, "--genesis-time", "noon", ...c],
        /--genesis-time must be an RFC3339/,
      ],
    ]);
  });

  it("query consumer prints JSON, or YAML with --output text", async () => {
    const r = await icsd([...q("consumer", "provider-info"), "--node", fakeUrl]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), {
      provider_chain_id: CHAIN,
      consumer_channel_id: "channel-0",
      channel_closed: false,
    });
    const t = await icsd([...q("consumer", "provider-info"), "--node", fakeUrl, "--output", "text"]);
    assert.equal(t.code, 0, t.stderr);
    assert.match(
      t.stdout,
      /^provider_chain_id: provider-1\nconsumer_channel_id: channel-0\nchannel_closed: false\n$/,
    );
  });
});
