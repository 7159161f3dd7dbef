import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { Bip39, sha256 } from "@cosmjs/crypto";
import { loadRelayerConfig, parseRelayerConfig, RELAYER_CONFIG_ERROR } from "../../../relayer/index.ts";
import { IcsdError } from "../../../utils/index.ts";

const T = { timeout: 10_000 };
const MNEMONIC = Bip39.encode(sha256(new TextEncoder().encode("relayer-config-test"))).toString();

function chain(id: string, extra = ""): string {
  return `[[chains]]
id = "${id}"
rpc = "http://127.0.0.1:26657"
gas_price = "0.025stake"
mnemonic = "${MNEMONIC}"
${extra}
`;
}

const PATH = `[[paths]]
a = { chain = "chain-a", client_id = "07-icsd-0", port = "transfer", channel = "channel-0" }
b = { chain = "chain-b", client_id = "07-icsd-1", port = "transfer", channel = "channel-3" }
`;

function config(over: { global?: string; chains?: string; paths?: string } = {}): string {
  return `${over.global ?? ""}\n${over.chains ?? chain("chain-a") + chain("chain-b")}\n${over.paths ?? PATH}`;
}

function rejects(text: string, field: string, re?: RegExp): void {
  assert.throws(
    () => parseRelayerConfig(text),
    (e: unknown) => {
      assert.ok(e instanceof IcsdError, String(e));
      assert.equal(e.code, RELAYER_CONFIG_ERROR);
      assert.ok(e.message.includes(`${field}:`), `"${e.message}" should name ${field}`);
      if (re) assert.match(e.message, re);
      assert.ok(!e.message.includes(MNEMONIC.split(" ").slice(0, 3).join(" ")), "the mnemonic must not leak");
      return true;
    },
  );
}

describe("relayer config", T, () => {
  it("parses a full config and applies defaults", () => {
    const cfg = parseRelayerConfig(
      config({
        global: `[global]\npoll_interval_ms = 200\nmax_msgs_per_tx = 7\nmetrics_listen = "127.0.0.1:0"`,
        chains: chain("chain-a", `prefix = "icsd"\ngas_adjustment = 1.3`) + chain("chain-b"),
      }),
    );
    assert.deepEqual(cfg.global, {
      pollIntervalMs: 200,
      maxMsgsPerTx: 7,
      metricsListen: { host: "127.0.0.1", port: 0 },
    });
    assert.equal(cfg.chains.length, 2);
    assert.deepEqual(cfg.chains[0], {
      id: "chain-a",
      rpc: "http://127.0.0.1:26657",
      prefix: "icsd",
      gasPrice: "0.025stake",
      gasAdjustment: 1.3,
      mnemonic: MNEMONIC,
    });
    assert.equal(cfg.chains[1]!.prefix, "cosmos");
    assert.equal(cfg.chains[1]!.gasAdjustment, 1.5);
    assert.deepEqual(cfg.paths, [
      {
        name: "chain-a/channel-0-chain-b/channel-3",
        a: { chain: "chain-a", clientId: "07-icsd-0", port: "transfer", channel: "channel-0" },
        b: { chain: "chain-b", clientId: "07-icsd-1", port: "transfer", channel: "channel-3" },
      },
    ]);
  });

  it("defaults [global] when absent and leaves metrics off", () => {
    const cfg = parseRelayerConfig(config());
    assert.deepEqual(cfg.global, { pollIntervalMs: 500, maxMsgsPerTx: 100 });
  });

  it("parses an IPv6 metrics address", () => {
    const cfg = parseRelayerConfig(config({ global: `[global]\nmetrics_listen = "[::1]:9464"` }));
    assert.deepEqual(cfg.global.metricsListen, { host: "::1", port: 9464 });
  });

  it("reads mnemonic_file relative to the config file's directory", () => {
    const dir = mkdtempSync(join(tmpdir(), "relayer-config-"));
    try {
      writeFileSync(join(dir, "a.mnemonic"), `  ${MNEMONIC.split(" ").join("\n")}\n`);
      const text = config({
        chains:
          chain("chain-a").replace(/mnemonic = .*\n/, 'mnemonic_file = "a.mnemonic"\n') + chain("chain-b"),
      });
      writeFileSync(join(dir, "relayer.toml"), text);
      const cfg = loadRelayerConfig(join(dir, "relayer.toml"));
      assert.equal(cfg.chains[0]!.mnemonic, MNEMONIC);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("names the field of every error", () => {
    rejects("[global\n", "toml");
    rejects(config({ global: "[global]\npoll_interval_ms = 0" }), "global.poll_interval_ms", /integer/);
    rejects(config({ global: "[global]\nmax_msgs_per_tx = 1.5" }), "global.max_msgs_per_tx");
    rejects(
      config({ global: '[global]\nmetrics_listen = "localhost"' }),
      "global.metrics_listen",
      /host:port/,
    );
    rejects(config({ global: "[global]\npoll_interval = 5" }), "global.poll_interval", /unknown field/);
    rejects(config({ chains: "" }), "chains", /at least one/);
    rejects(
      config({ chains: chain("chain-a").replace(/id = .*\n/, "") + chain("chain-b") }),
      "chains[0].id",
      /required/,
    );
    rejects(
      config({ chains: chain("chain-a") + chain("chain-b").replace("http://127.0.0.1:26657", "tcp://x:1") }),
      "chains[1].rpc",
      /http/,
    );
    rejects(
      config({ chains: chain("chain-a").replace("0.025stake", "cheap") + chain("chain-b") }),
      "chains[0].gas_price",
    );
    rejects(
      config({ chains: chain("chain-a", "gas_adjustment = 0.5") + chain("chain-b") }),
      "chains[0].gas_adjustment",
    );
    rejects(config({ chains: chain("chain-a", 'prefix = "Cosmos"') + chain("chain-b") }), "chains[0].prefix");
    rejects(
      config({
        chains:
          chain("chain-a").replace(MNEMONIC, `${MNEMONIC.split(" ").slice(1).join(" ")} abandon`) +
          chain("chain-b"),
      }),
      "chains[0].mnemonic",
      /BIP-39/,
    );
    rejects(
      config({ chains: chain("chain-a", 'mnemonic_file = "/x"') + chain("chain-b") }),
      "chains[0].mnemonic",
      /not both/,
    );
    rejects(
      config({
        chains:
          chain("chain-a").replace(/mnemonic = .*\n/, 'mnemonic_file = "/nonexistent/m"\n') +
          chain("chain-b"),
      }),
      "chains[0].mnemonic_file",
      /cannot read/,
    );
    rejects(config({ chains: chain("chain-a") + chain("chain-a") }), "chains[1].id", /duplicate/);
    rejects(config({ paths: "" }), "paths", /at least one/);
    rejects(
      config({ paths: PATH.replace('chain = "chain-b"', 'chain = "chain-c"') }),
      "paths[0].b.chain",
      /no configured chain/,
    );
    rejects(
      config({ paths: PATH.replace('chain = "chain-b"', 'chain = "chain-a"') }),
      "paths[0].b.chain",
      /differ/,
    );
    rejects(config({ paths: PATH.replace('"channel-3"', '"ch"') }), "paths[0].b.channel", /identifier/);
    rejects(config({ paths: PATH.replace('"07-icsd-0"', '"07/icsd"') }), "paths[0].a.client_id");
    rejects(
      config({
        paths: PATH.replace('port = "transfer", channel = "channel-0"', 'channel = "channel-0"').replace(
          "}",
          ', prt = "x" }',
        ),
      }),
      "paths[0].a.prt",
      /unknown field/,
    );
    rejects(
      config({ paths: PATH.replace('client_id = "07-icsd-1", ', "") }),
      "paths[0].b.client_id",
      /required/,
    );
  });

  it("reports an unreadable config file", () => {
    assert.throws(
      () => loadRelayerConfig("/nonexistent/relayer.toml"),
      (e: unknown) => {
        assert.ok(e instanceof IcsdError);
        assert.equal(e.code, RELAYER_CONFIG_ERROR);
        assert.match(e.message, /cannot read \/nonexistent\/relayer\.toml/);
        return true;
      },
    );
  });
});
