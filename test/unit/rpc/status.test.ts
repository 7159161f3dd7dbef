import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { buildStatus, type StatusSource } from "../../../rpc/index.ts";
import { formatRfc3339Nano, parseRfc3339Nano } from "../../../utils/index.ts";

const source: StatusSource = {
  chainId: "provider-1",
  moniker: "node0",
  nodeId: "a8f6d2d0bc1e3b1e6f37c3c2b1d0c9e8f7a6b5c4",
  listenAddr: "/ip4/127.0.0.1/tcp/26656",
  rpcAddr: "tcp://127.0.0.1:26657",
  latest: {
    height: 42,
    hash: new Uint8Array(32).fill(0xab),
    appHash: new Uint8Array(),
    time: 1_714_564_842_123_456_789n,
  },
  earliest: {
    height: 1,
    hash: new Uint8Array(32).fill(1),
    appHash: new Uint8Array(32).fill(2),
    time: 1_714_564_801_000_000_000n,
  },
  catchingUp: false,
  validator: { address: new Uint8Array(20).fill(0x5d), pubKey: new Uint8Array(32).fill(3), power: 10n },
};

describe("status", { timeout: 10_000 }, () => {
  it("formats RFC3339 with nanoseconds and parses it back", () => {
    assert.equal(formatRfc3339Nano(1_714_564_842_123_456_789n), "2024-05-01T12:00:42.123456789Z");
    assert.equal(formatRfc3339Nano(0n), "1970-01-01T00:00:00.000000000Z");
    assert.equal(parseRfc3339Nano("2024-05-01T12:00:42.123456789Z"), 1_714_564_842_123_456_789n);
    assert.equal(parseRfc3339Nano("2024-05-01T14:00:42.5+02:00"), 1_714_564_842_500_000_000n);
    assert.throws(() => parseRfc3339Nano("2024-02-30T00:00:00Z"), /not a valid RFC3339/);
  });

  it("has the CometBFT 0.38 shape with the contract's types", () => {
    const s = buildStatus(source);
    // Round-trip through JSON: what the client sees.
    const j = JSON.parse(JSON.stringify(s));
    assert.deepEqual(Object.keys(j).sort(), ["node_info", "sync_info", "validator_info"]);
    assert.deepEqual(j.node_info.protocol_version, { p2p: "8", block: "11", app: "0" });
    assert.equal(j.node_info.version, "0.38.17");
    assert.equal(j.node_info.id, source.nodeId);
    assert.match(j.node_info.id, /^([0-9a-f]{2})+$/);
    assert.equal(j.node_info.network, "provider-1");
    assert.equal(j.node_info.moniker, "node0");
    assert.equal(j.node_info.channels, "");
    assert.equal(j.node_info.listen_addr, "/ip4/127.0.0.1/tcp/26656");
    for (const v of Object.values(j.node_info.other)) assert.equal(typeof v, "string");
    assert.equal(j.node_info.other.rpc_address, "tcp://127.0.0.1:26657");

    const si = j.sync_info;
    assert.equal(si.latest_block_height, "42");
    assert.equal(si.earliest_block_height, "1");
    assert.equal(si.latest_block_hash, "AB".repeat(32));
    assert.equal(si.latest_app_hash, "00".repeat(32), "an empty app hash is reported as 32 zero bytes");
    assert.equal(si.earliest_app_hash, "02".repeat(32));
    assert.equal(si.latest_block_time, "2024-05-01T12:00:42.123456789Z");
    assert.equal(si.earliest_block_time, "2024-05-01T12:00:01.000000000Z");
    assert.equal(si.catching_up, false);

    const vi = j.validator_info;
    assert.equal(vi.address, "5D".repeat(20));
    assert.deepEqual(vi.pub_key, {
      type: "tendermint/PubKeyEd25519",
      value: Buffer.alloc(32, 3).toString("base64"),
    });
    assert.equal(vi.voting_power, "10");
  });
});
