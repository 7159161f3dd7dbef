import assert from "node:assert/strict";
import { spawn } from "node:child_process";
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
import { MsgTransfer, MsgTransferResponse } from "cosmjs-types/ibc/applications/transfer/v1/tx";
import {
  QueryUnreceivedPacketsRequest,
  QueryUnreceivedPacketsResponse,
} from "cosmjs-types/ibc/core/channel/v1/query";
import { QueryClientStateResponse } from "cosmjs-types/ibc/core/client/v1/query";
import { QueryDenomTracesResponse } from "../../../cmd/queryIbc.ts";
import { encodeClientState } from "../../../ibc/index.ts";
import { defaultClientConfig, freePorts, writeClientConfig } from "../../../node/index.ts";
import { parseRfc3339Nano } from "../../../utils/index.ts";
import { expectErrors, icsd } from "../../support/cliRun.ts";

const MAIN = fileURLToPath(new URL("../../../cmd/main.ts", import.meta.url));
const ABANDON =
  "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about";
const ADDR = "cosmos19rl4cm2hmr8afy4kldpxz3fka4jguq0auqdal4";
const RECEIVER = "cosmos1receiveronthechainb";
const CHAIN = "ibc-1";
const BLOCK_TIME = "2024-05-01T12:00:42.123456789Z";

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
      latest_block_time: BLOCK_TIME,
      catching_up: false,
    },
    validator_info: {
      address: "5D6A51A8E9899C44079C6AF90618BA0369070E6E",
      pub_key: { type: "tendermint/PubKeyEd25519", value: "A6DoBUypNtUAyEHWtQ9bFjfNg8Bo9CrnkUGl6k6OHN4=" },
      voting_power: "10",
    },
  };
}

const b64 = (b: Uint8Array) => Buffer.from(b).toString("base64");

function abciAnswer(value: Uint8Array | undefined, log = ""): unknown {
  return {
    response: {
      code: value ? 0 : 22,
      log,
      info: "",
      index: "0",
      key: null,
      value: value ? b64(value) : null,
      proofOps: null,
      height: "5",
      codespace: value ? "" : "sdk",
    },
  };
}

const ev = (type: string, attrs: Record<string, string>) => ({
  type,
  attributes: Object.entries(attrs).map(([key, value]) => ({ key, value, index: true })),
});

describe("icsd ibc-transfer, ibc queries and relayer commands", { timeout: 300_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), "icsd-ibc-cli-"));
  const home = join(dir, "h");
  let fake: Server;
  let fakeUrl = "";
  let deadPort = 0;
  const calls: { method: string; params: Record<string, string> }[] = [];
  let broadcast: Uint8Array | undefined;

  // The committed transfer as the fake node reports it: sequence 4 in its send_packet event.
  function committedTx(): unknown {
    const tx = broadcast!;
    const msg = MsgTransfer.decode(decodeTxRaw(tx).body.messages[0]!.value);
    const data = TxMsgData.encode({
      data: [],
      msgResponses: [
        {
          typeUrl: "/ibc.applications.transfer.v1.MsgTransferResponse",
          value: MsgTransferResponse.encode({ sequence: 4n }).finish(),
        },
      ],
    }).finish();
    return {
      hash: createHash("sha256").update(tx).digest("hex").toUpperCase(),
      height: "6",
      index: 0,
      tx_result: {
        code: 0,
        data: b64(data),
        log: "",
        info: "",
        gas_wanted: "200000",
        gas_used: "90000",
        codespace: "",
        events: [
          ev("tx", { acc_seq: `${ADDR}/3` }),
          ev("send_packet", {
            packet_sequence: "4",
            packet_src_port: msg.sourcePort,
            packet_src_channel: msg.sourceChannel,
            packet_dst_port: "transfer",
            packet_dst_channel: "channel-7",
            packet_timeout_height: `0-${msg.timeoutHeight.revisionHeight}`,
            packet_timeout_timestamp: msg.timeoutTimestamp.toString(),
            packet_channel_ordering: "ORDER_UNORDERED",
          }),
        ],
      },
      tx: b64(tx),
    };
  }

  function answer(method: string, params: Record<string, string>): unknown {
    if (method === "status") return statusResult();
    if (method === "abci_query") {
      const data = Buffer.from(params.data ?? "", "hex");
      switch (params.path) {
        case "/cosmos.auth.v1beta1.Query/Account":
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
        case "/ibc.core.client.v1.Query/ClientState":
          return abciAnswer(
            QueryClientStateResponse.encode({
              clientState: {
                typeUrl: "/icsd.lightclient.v1.ClientState",
                value: encodeClientState({
                  chainId: "chain-b",
                  trustLevel: { numerator: 1n, denominator: 3n },
                  trustingPeriod: 1_209_600_000_000_000n,
                  unbondingPeriod: 1_814_400_000_000_000n,
                  maxClockDrift: 10_000_000_000n,
                  latestHeight: 42n,
                  frozenHeight: 0n,
                }),
              },
              proof: new Uint8Array(),
              proofHeight: { revisionNumber: 0n, revisionHeight: 5n },
            }).finish(),
          );
        case "/ibc.core.channel.v1.Query/UnreceivedPackets": {
          const req = QueryUnreceivedPacketsRequest.decode(data);
          return abciAnswer(
            QueryUnreceivedPacketsResponse.encode({
              sequences: req.packetCommitmentSequences.filter((s) => s !== 1n),
              height: { revisionNumber: 0n, revisionHeight: 5n },
            }).finish(),
          );
        }
        case "/ibc.applications.transfer.v1.Query/DenomTraces":
          return abciAnswer(
            QueryDenomTracesResponse.encode({
              denomTraces: [{ path: "transfer/channel-0", baseDenom: "stake" }],
              pagination: { nextKey: new Uint8Array(), total: 1n },
            }).finish(),
          );
        default:
          return abciAnswer(undefined, `rpc error: code = NotFound desc = unknown query ${params.path}`);
      }
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
        calls.push({ method, params });
        let reply: unknown;
        try {
          const result = answer(method, params ?? {});
          reply =
            result === undefined
              ? { jsonrpc: "2.0", id, error: { code: -32601, message: "Method not found" } }
              : { jsonrpc: "2.0", id, result };
        } catch (e) {
          // A bug of the fake must fail the test, not hang the CLI.
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
  });
  after(async () => {
    await new Promise<void>((r) => fake.close(() => r()));
    rmSync(dir, { recursive: true, force: true });
  });

  const transfer = (...a: string[]) => [
    "tx",
    "ibc-transfer",
    "transfer",
    ...a,
    "--home",
    home,
    "--yes",
    "--from",
    "alice",
  ];
  const q = (...a: string[]) => ["query", ...a, "--home", home];

  it("transfer checks its arguments and timeout flags before contacting a node", async () => {
    const unreachable = new RegExp(`cannot reach http://127.0.0.1:${deadPort}`);
    await expectErrors([
      [transfer("transfer", "channel-0", RECEIVER, "0stake"), /amount must be one positive coin/],
      [transfer("transfer", "channel-0", RECEIVER, "5stake,6atom"), /amount must be one positive coin/],
      [transfer("transfer", "ch", RECEIVER, "5stake"), /invalid channel identifier "ch"/],
      [transfer("t", "channel-0", RECEIVER, "5stake"), /invalid port identifier "t"/],
      [transfer("transfer", "channel-0", "a b", "5stake"), /receiver must be a non-empty address/],
      [
        transfer("transfer", "channel-0", RECEIVER, "5stake", "--packet-timeout-height", "100"),
        /relative timeout heights are not supported/,
      ],
      [
        transfer("transfer", "channel-0", RECEIVER, "5stake", "--packet-timeout-height", "0:100"),
        /--packet-timeout-height must be a height such as 0-120/,
      ],
      [
        transfer(
          "transfer",
          "channel-0",
          RECEIVER,
          "5stake",
          "--packet-timeout-height",
          "2-100",
          "--absolute-timeouts",
        ),
        /revision 0 only/,
      ],
      [
        transfer("transfer", "channel-0", RECEIVER, "5stake", "--packet-timeout-timestamp", "0"),
        /cannot both be 0/,
      ],
      [
        transfer("transfer", "channel-0", RECEIVER, "5stake", "--packet-timeout-timestamp", "10m"),
        /--packet-timeout-timestamp must be a number of nanoseconds/,
      ],
      [transfer("transfer", "channel-0", RECEIVER), /missing required argument 'amount'/],
      [transfer("transfer", "channel-0", RECEIVER, "5stake", "--gas", "lots"), /--gas must be/],
      [
        [
          "tx",
          "ibc-transfer",
          "transfer",
          "transfer",
          "channel-0",
          RECEIVER,
          "5stake",
          "--home",
          home,
          "--yes",
        ],
        /required option '--from <key>' not specified/,
      ],
      // Arguments are fine: the relative timeout needs the (dead) node's latest block time.
      [transfer("transfer", "channel-0", RECEIVER, "5stake"), unreachable],
    ]);
  });

  it("transfer signs a MsgTransfer timing out 10 minutes after the latest block and prints the packet sequence", async () => {
    const r = await icsd([
      ...transfer("transfer", "channel-0", RECEIVER, "5stake", "--memo", "hi"),
      "--node",
      fakeUrl,
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(broadcast, "a transaction was broadcast");
    const tx = decodeTxRaw(broadcast);
    assert.equal(tx.body.messages.length, 1);
    assert.equal(tx.body.messages[0]!.typeUrl, "/ibc.applications.transfer.v1.MsgTransfer");
    const msg = MsgTransfer.decode(tx.body.messages[0]!.value);
    assert.equal(msg.sourcePort, "transfer");
    assert.equal(msg.sourceChannel, "channel-0");
    assert.deepEqual(msg.token, { denom: "stake", amount: "5" });
    assert.equal(msg.sender, ADDR);
    assert.equal(msg.receiver, RECEIVER);
    assert.deepEqual(msg.timeoutHeight, { revisionNumber: 0n, revisionHeight: 0n });
    assert.equal(msg.timeoutTimestamp, parseRfc3339Nano(BLOCK_TIME) + 600_000_000_000n);
    assert.equal(msg.memo, "hi");
    assert.match(r.stdout, /^txhash: [0-9A-F]{64}\n/);
    assert.match(r.stdout, /\npacket_sequence: 4\n$/);
    const search = calls.find((c) => c.method === "tx_search" && c.params.query?.includes("send_packet"));
    assert.match(search!.params.query!, /send_packet.packet_timeout_timestamp='1714565442123456789'/);

    // With JSON output the result (with its send_packet event) is one JSON document.
    const json = await icsd([
      ...transfer(
        "transfer",
        "channel-0",
        RECEIVER,
        "7stake",
        "--absolute-timeouts",
        "--packet-timeout-height",
        "0-90",
      ),
      "--packet-timeout-timestamp",
      "0",
      "--node",
      fakeUrl,
      "--output",
      "json",
    ]);
    assert.equal(json.code, 0, json.stderr);
    const out = JSON.parse(json.stdout) as {
      events: { type: string; attributes: { key: string; value: string }[] }[];
    };
    const send = out.events.find((e) => e.type === "send_packet")!;
    assert.equal(send.attributes.find((a) => a.key === "packet_sequence")!.value, "4");
    const abs = MsgTransfer.decode(decodeTxRaw(broadcast).body.messages[0]!.value);
    assert.deepEqual(abs.timeoutHeight, { revisionNumber: 0n, revisionHeight: 90n });
    assert.equal(abs.timeoutTimestamp, 0n);
  });

  it("ibc queries check their arguments", async () => {
    await expectErrors([
      [q("ibc", "client", "state", "bad/id"), /client id "bad\/id" is not an ICS-24 identifier/],
      [q("ibc", "client", "consensus-state", "07-icsd-0", "1-5"), /height: icsd chains use revision 0 only/],
      [q("ibc", "client", "consensus-state", "07-icsd-0", "x"), /height must be a height such as 0-120/],
      [q("ibc", "client", "states", "--limit", "0"), /--limit must be an integer between 1 and 10000/],
      [q("ibc", "channel", "end", "transfer", "c"), /invalid channel identifier "c"/],
      [
        q("ibc", "channel", "unreceived-packets", "transfer", "channel-0", "--sequences", "1,x"),
        /--sequences must be a comma-separated list .* "x" is not one/,
      ],
      [q("ibc", "channel", "unreceived-acks", "transfer", "channel-0", "--sequences", "0"), /"0" is not one/],
      [
        q("ibc", "channel", "unreceived-acks", "transfer", "channel-0"),
        /required option '--sequences <list>'/,
      ],
      [q("ibc-transfer", "denom-trace", "stake"), /hash must be a denom trace hash/],
      [q("ibc-transfer", "escrow-address", "transfer"), /missing required argument 'channel-id'/],
      [q("ibc", "client", "status", "07-icsd-0"), new RegExp(`cannot reach http://127.0.0.1:${deadPort}`)],
      [
        [...q("ibc", "channel", "next-sequence-receive", "transfer", "channel-0"), "--node", fakeUrl],
        /query channel next-sequence-receive: Query failed with \(22\): rpc error: code = NotFound/,
      ],
    ]);
  });

  it("prints client states, unreceived packets and denom traces in readable JSON and YAML", async () => {
    const cs = await icsd([
      ...q("ibc", "client", "state", "07-icsd-0"),
      "--node",
      fakeUrl,
      "--output",
      "json",
    ]);
    assert.equal(cs.code, 0, cs.stderr);
    assert.deepEqual(JSON.parse(cs.stdout), {
      client_state: {
        "@type": "/icsd.lightclient.v1.ClientState",
        chain_id: "chain-b",
        trust_level: { numerator: "1", denominator: "3" },
        trusting_period: "1209600s",
        unbonding_period: "1814400s",
        max_clock_drift: "10s",
        latest_height: { revision_number: "0", revision_height: "42" },
        frozen_height: { revision_number: "0", revision_height: "0" },
      },
      proof: "",
      proof_height: { revision_number: "0", revision_height: "5" },
    });
    const yaml = await icsd([...q("ibc", "client", "state", "07-icsd-0"), "--node", fakeUrl]);
    assert.equal(yaml.code, 0, yaml.stderr);
    assert.match(
      yaml.stdout,
      /^client_state:\n {2}"@type": \/icsd.lightclient.v1.ClientState\n {2}chain_id: chain-b\n/,
    );

    const un = await icsd([
      ...q("ibc", "channel", "unreceived-packets", "transfer", "channel-0", "--sequences", "1,2,3"),
      "--node",
      fakeUrl,
      "--output",
      "json",
    ]);
    assert.equal(un.code, 0, un.stderr);
    assert.deepEqual(JSON.parse(un.stdout).sequences, ["2", "3"]);

    const traces = await icsd([...q("ibc-transfer", "denom-traces"), "--node", fakeUrl, "--output", "json"]);
    assert.equal(traces.code, 0, traces.stderr);
    assert.deepEqual(JSON.parse(traces.stdout).denom_traces, [
      { path: "transfer/channel-0", base_denom: "stake" },
    ]);
  });

  it("relayer start needs a readable config and a known log level", async () => {
    await expectErrors([
      [["relayer", "start"], /required option '--config <file>' not specified/],
      [["relayer", "start", "--config", join(dir, "missing.toml")], /no relayer config at .*missing.toml/],
      [
        ["relayer", "start", "--config", join(dir, "x.toml"), "--log-level", "loud"],
        /--log-level must be one of/,
      ],
    ]);
    const ex = await icsd(["relayer", "config-example"]);
    assert.equal(ex.code, 0, ex.stderr);
    assert.match(ex.stdout, /^# icsd relayer configuration/);
    assert.match(ex.stdout, /\n\[\[paths\]\]\na = \{ chain = "chain-a"/);
  });

  it("relayer start runs until SIGTERM, then stops cleanly and exits 0", async () => {
    const cfg = join(dir, "relayer.toml");
    const chain = (id: string) =>
      `[[chains]]\nid = "${id}"\nrpc = "http://127.0.0.1:${deadPort}"\nprefix = "cosmos"\ngas_price = "0.025stake"\ngas_adjustment = 1.5\nmnemonic = "${ABANDON}"\n`;
    writeFileSync(
      cfg,
      `[global]\npoll_interval_ms = 100\nmax_msgs_per_tx = 10\n\n${chain("chain-a")}\n${chain("chain-b")}\n` +
        `[[paths]]\na = { chain = "chain-a", client_id = "07-icsd-0", port = "transfer", channel = "channel-0" }\n` +
        `b = { chain = "chain-b", client_id = "07-icsd-0", port = "transfer", channel = "channel-0" }\n`,
    );
    const child = spawn(
      process.execPath,
      ["--disable-warning=ExperimentalWarning", MAIN, "relayer", "start", "--config", cfg],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    let stderr = "";
    const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    try {
      await new Promise<void>((resolve, reject) => {
        child.stderr.on("data", (d) => {
          stderr += d;
          // Started: it logged the account it relays as on both chains.
          if ((stderr.match(/"relaying as"/g) ?? []).length >= 2) resolve();
        });
        child.on("close", () => reject(new Error(`relayer exited before starting:\n${stderr}`)));
      });
      child.kill("SIGTERM");
      assert.equal(await exited, 0, stderr);
      assert.match(stderr, /"signal":"SIGTERM".*"msg":"stopping"/);
    } finally {
      clearTimeout(timer);
    }
  });

  it("shows an example in the help of every new command", async () => {
    const cmds = [
      ["tx", "ibc-transfer"],
      ["tx", "ibc-transfer", "transfer"],
      ["query", "ibc"],
      ["query", "ibc", "client"],
      ["query", "ibc", "client", "state"],
      ["query", "ibc", "client", "states"],
      ["query", "ibc", "client", "status"],
      ["query", "ibc", "client", "consensus-state-heights"],
      ["query", "ibc", "client", "consensus-state"],
      ["query", "ibc", "channel"],
      ["query", "ibc", "channel", "channels"],
      ["query", "ibc", "channel", "end"],
      ["query", "ibc", "channel", "packet-commitments"],
      ["query", "ibc", "channel", "unreceived-packets"],
      ["query", "ibc", "channel", "unreceived-acks"],
      ["query", "ibc", "channel", "next-sequence-receive"],
      ["query", "ibc-transfer"],
      ["query", "ibc-transfer", "denom-traces"],
      ["query", "ibc-transfer", "denom-trace"],
      ["query", "ibc-transfer", "escrow-address"],
      ["relayer"],
      ["relayer", "start"],
      ["relayer", "config-example"],
    ];
    for (let i = 0; i < cmds.length; i += 8) {
      const batch = cmds.slice(i, i + 8);
      const runs = await Promise.all(batch.map((c) => icsd([...c, "--help"])));
      runs.forEach((r, j) => {
        assert.equal(r.code, 0, batch[j]!.join(" "));
        assert.match(r.stdout, /\nExample:\n {2}\$ icsd /, batch[j]!.join(" "));
      });
    }
  });
});
