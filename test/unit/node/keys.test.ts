import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { addressFromPubKey, sha256 } from "../../../crypto/index.ts";
import {
  cometNodeId,
  generateNodeKey,
  generateValidatorKey,
  loadNodeKey,
  loadValidatorKey,
  nodeIdFromNodeKey,
} from "../../../node/index.ts";
import { toHex } from "../../../utils/index.ts";

describe("key files", { timeout: 10_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), "icsd-keys-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("writes priv_validator_key.json in CometBFT's shape with mode 0600 and loads it back", () => {
    const path = join(dir, "priv_validator_key.json");
    const key = generateValidatorKey(path);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    const json = JSON.parse(readFileSync(path, "utf8"));
    assert.equal(json.pub_key.type, "tendermint/PubKeyEd25519");
    assert.equal(json.priv_key.type, "tendermint/PrivKeyEd25519");
    assert.equal(Buffer.from(json.priv_key.value, "base64").length, 64);
    assert.equal(json.address, toHex(addressFromPubKey(key.pubKey)).toUpperCase());
    const again = loadValidatorKey(path);
    assert.deepEqual(again.pubKey, key.pubKey);
    assert.throws(() => generateValidatorKey(path), /already exists/);
  });

  it("rejects a validator key whose public key does not match", () => {
    const path = join(dir, "bad_key.json");
    generateValidatorKey(path);
    const json = JSON.parse(readFileSync(path, "utf8"));
    json.pub_key.value = Buffer.alloc(32, 1).toString("base64");
    writeFileSync(path, JSON.stringify(json));
    assert.throws(() => loadValidatorKey(path), /pub_key does not match priv_key/);
  });

  it("writes node_key.json with mode 0600 and derives both node ids", () => {
    const path = join(dir, "node_key.json");
    const key = generateNodeKey(path);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    const loaded = loadNodeKey(path);
    assert.deepEqual(loaded.keyPair.publicKey, key.keyPair.publicKey);
    assert.match(nodeIdFromNodeKey(loaded), /^12D3KooW[1-9A-HJ-NP-Za-km-z]+$/);
    assert.equal(nodeIdFromNodeKey(loaded), nodeIdFromNodeKey(key));
    assert.equal(cometNodeId(key), toHex(sha256(key.keyPair.publicKey).subarray(0, 20)));
    assert.match(cometNodeId(key), /^[0-9a-f]{40}$/);
  });
});
