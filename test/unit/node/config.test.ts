import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  defaultNodeConfig,
  formatDuration,
  parseAppToml,
  parseConfigToml,
  parseDuration,
  renderAppToml,
  renderConfigToml,
  toListenMultiaddr,
} from "../../../node/index.ts";
import { IcsdError } from "../../../utils/index.ts";

const PEER = "/ip4/127.0.0.1/tcp/26656/p2p/12D3KooWMQutvhYk3mAMBjTSuonzYJ787GJo48wAAKmFfrPoNdyT";

function configError(text: string): string {
  try {
    parseConfigToml(text);
  } catch (e) {
    assert.ok(e instanceof IcsdError);
    assert.equal(e.code, "CONFIG_INVALID");
    return e.message;
  }
  assert.fail("expected CONFIG_INVALID");
}

describe("config.toml", { timeout: 10_000 }, () => {
  it("parses Go durations into milliseconds and formats them back", () => {
    assert.equal(parseDuration("1s"), 1000);
    assert.equal(parseDuration("300ms"), 300);
    assert.equal(parseDuration("1m30s"), 90_000);
    assert.equal(parseDuration("0"), 0);
    assert.equal(parseDuration("1.5s"), 1500);
    assert.equal(parseDuration("5"), undefined);
    assert.equal(parseDuration("fast"), undefined);
    for (const ms of [0, 200, 1000, 3000, 90_000]) assert.equal(parseDuration(formatDuration(ms)), ms);
  });

  it("an empty file gives the defaults", () => {
    assert.deepEqual(parseConfigToml(""), defaultNodeConfig());
  });

  it("round-trips through render and parse", () => {
    const cfg = {
      ...defaultNodeConfig("val-1"),
      mode: "full" as const,
      p2p: { laddr: "/ip4/127.0.0.1/tcp/1234", persistentPeers: [PEER], maxMsgBytes: 4096 },
      debug: { voteLog: true },
    };
    assert.deepEqual(parseConfigToml(renderConfigToml(cfg)), cfg);
  });

  it("accepts tcp:// p2p addresses and converts them to multiaddrs", () => {
    const cfg = parseConfigToml('[p2p]\nladdr = "tcp://127.0.0.1:26656"\n');
    assert.equal(cfg.p2p.laddr, "/ip4/127.0.0.1/tcp/26656");
    assert.equal(toListenMultiaddr("nonsense"), undefined);
  });

  it("parses consensus timeouts in ms and the flags", () => {
    const cfg = parseConfigToml(
      '[consensus]\ntimeout_propose = "2s"\ntimeout_commit = "150ms"\nskip_timeout_commit = true\n',
    );
    assert.equal(cfg.consensus.timeoutProposeMs, 2000);
    assert.equal(cfg.consensus.timeoutCommitMs, 150);
    assert.equal(cfg.consensus.skipTimeoutCommit, true);
  });

  it("names the key in every validation error", () => {
    assert.match(
      configError('[consensus]\ntimeout_propose = "fast"\n'),
      /consensus\.timeout_propose must be a duration like "1s" or "300ms"/,
    );
    assert.match(
      configError("[consensus]\ntimeout_commit = 5\n"),
      /consensus\.timeout_commit must be a duration/,
    );
    assert.match(configError('mode = "archive"\n'), /mode must be "validator" or "full"/);
    assert.match(configError('[p2p]\nladdr = "localhost"\n'), /p2p\.laddr must be a multiaddr/);
    assert.match(
      configError('[p2p]\npersistent_peers = "/ip4/127.0.0.1/tcp/1"\n'),
      /p2p\.persistent_peers entry .* must be a multiaddr/,
    );
    assert.match(
      configError('[rpc]\nladdr = "127.0.0.1:26657"\n'),
      /rpc\.laddr must be an address like "tcp:\/\/127\.0\.0\.1:26657"/,
    );
    assert.match(
      configError("[instrumentation]\nprometheus = 1\n"),
      /instrumentation\.prometheus must be true or false/,
    );
    assert.match(configError('[log]\nlevel = "loud"\n'), /log\.level must be one of/);
    assert.match(configError("[p2p]\nmax_msg_bytes = -1\n"), /p2p\.max_msg_bytes must be an integer/);
    assert.match(
      configError('[consensus]\ntimeout_propse = "1s"\n'),
      /consensus\.timeout_propse is not a known key/,
    );
    assert.match(configError("moniker = \n"), /invalid TOML at line 1/);
  });

  it("app.toml round-trips and validates gas prices", () => {
    const app = { minimumGasPrices: "0.0025stake", pruning: "nothing" as const };
    assert.deepEqual(parseAppToml(renderAppToml(app)), app);
    assert.throws(
      () => parseAppToml('minimum-gas-prices = "cheap"\n'),
      /minimum-gas-prices must be empty or coins/,
    );
  });
});
