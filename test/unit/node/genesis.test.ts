import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { ed25519Generate } from "../../../crypto/index.ts";
import {
  addGenesisValidator,
  encodeGenesis,
  genesisValidator,
  isValidChainId,
  loadGenesis,
  newGenesis,
  parseGenesis,
  saveGenesis,
  toGenesis,
} from "../../../node/index.ts";
import { IcsdError, toBase64 } from "../../../utils/index.ts";

const TIME = 1_714_564_842_123_456_789n;

function sample() {
  const a = ed25519Generate();
  const b = ed25519Generate();
  return newGenesis({
    chainId: "provider-1",
    genesisTime: TIME,
    validators: [genesisValidator(a.publicKey, 10n, "a"), genesisValidator(b.publicKey, 20n, "b")],
    appState: { bank: { balances: [] } },
  });
}

function genesisError(mutate: (o: Record<string, unknown>) => void): string {
  const o = JSON.parse(encodeGenesis(sample())) as Record<string, unknown>;
  mutate(o);
  try {
    parseGenesis(JSON.stringify(o));
  } catch (e) {
    assert.ok(e instanceof IcsdError);
    assert.equal(e.code, "GENESIS_INVALID");
    return e.message;
  }
  assert.fail("expected GENESIS_INVALID");
}

describe("genesis.json", { timeout: 10_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), "icsd-genesis-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("round-trips through the file in CometBFT's shape", () => {
    const doc = sample();
    const path = join(dir, "genesis.json");
    saveGenesis(path, doc);
    assert.deepEqual(loadGenesis(path), doc);
    const json = JSON.parse(encodeGenesis(doc));
    assert.equal(json.genesis_time, "2024-05-01T12:00:42.123456789Z");
    assert.equal(json.initial_height, "1");
    assert.equal(json.consensus_params.block.max_bytes, "22020096");
    assert.deepEqual(json.consensus_params.validator.pub_key_types, ["ed25519"]);
    assert.equal(json.validators[0].pub_key.type, "tendermint/PubKeyEd25519");
    assert.match(json.validators[0].address, /^[0-9A-F]{40}$/);
    assert.equal(json.validators[1].power, "20");
    assert.equal(json.app_hash, "");
  });

  it("converts to domain values", () => {
    const doc = sample();
    const g = toGenesis(doc);
    assert.equal(g.time, TIME);
    assert.equal(g.initialHeight, 1);
    assert.deepEqual(
      g.validators.map((v) => v.power),
      [10n, 20n],
    );
    assert.deepEqual(g.validators[0]!.pubKey, doc.validators[0]!.pubKey);
  });

  it("validates chain ids", () => {
    assert.ok(isValidChainId("provider-1"));
    assert.ok(isValidChainId("a.b_c-D"));
    assert.ok(!isValidChainId(""));
    assert.ok(!isValidChainId("x".repeat(51)));
    assert.ok(!isValidChainId("bad id"));
    assert.throws(() => newGenesis({ chainId: "bad/id", genesisTime: 0n }), /invalid chain id/);
  });

  it("names the field in every validation error", () => {
    assert.match(
      genesisError((o) => {
        o.genesis_time = "yesterday";
      }),
      /genesis_time must be an RFC3339 time/,
    );
    assert.match(
      genesisError((o) => {
        o.chain_id = "no spaces";
      }),
      /chain_id must be 1-50 characters/,
    );
    assert.match(
      genesisError((o) => {
        o.initial_height = "one";
      }),
      /initial_height must be an integer string/,
    );
    assert.match(
      genesisError((o) => {
        (o.validators as { power: string }[])[0]!.power = "0";
      }),
      /validators\[0\]\.power must be between 1/,
    );
    assert.match(
      genesisError((o) => {
        (o.validators as { address: string }[])[1]!.address = "00".repeat(20);
      }),
      /validators\[1\]\.address does not match pub_key/,
    );
    assert.match(
      genesisError((o) => {
        (o.validators as { pub_key: { type: string } }[])[0]!.pub_key.type = "tendermint/PubKeySecp256k1";
      }),
      /validators\[0\]\.pub_key\.type must be "tendermint\/PubKeyEd25519"/,
    );
    assert.match(
      genesisError((o) => {
        (o.validators as { pub_key: { value: string } }[])[0]!.pub_key.value = toBase64(new Uint8Array(5));
      }),
      /validators\[0\]\.pub_key\.value must be a 32-byte ed25519 key/,
    );
    assert.match(
      genesisError((o) => {
        const vs = o.validators as unknown[];
        vs.push(vs[0]);
      }),
      /validators\[2\] duplicates/,
    );
    assert.match(
      genesisError((o) => {
        (o.consensus_params as { validator: unknown }).validator = { pub_key_types: ["secp256k1"] };
      }),
      /consensus_params\.validator\.pub_key_types must be \["ed25519"\]/,
    );
    assert.match(
      genesisError((o) => {
        o.app_state = [];
      }),
      /app_state must be an object/,
    );
    assert.throws(() => parseGenesis("{"), /is not valid JSON/);
  });

  it("refuses to add a validator twice", () => {
    const doc = sample();
    assert.throws(() => addGenesisValidator(doc, doc.validators[0]!), /already in the genesis/);
    const c = ed25519Generate();
    assert.equal(addGenesisValidator(doc, genesisValidator(c.publicKey, 5n, "c")).validators.length, 3);
  });
});
