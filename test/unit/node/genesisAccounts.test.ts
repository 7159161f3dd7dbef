import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  addCoins,
  addGenesisAccount,
  encodeGenesis,
  formatCoins,
  type GenesisDoc,
  genesisBech32Prefix,
  newGenesis,
  parseAccountAddress,
  parseCoins,
  parseGenesis,
} from "../../../node/index.ts";
import { IcsdError } from "../../../utils/index.ts";

const A = "cosmos19rl4cm2hmr8afy4kldpxz3fka4jguq0auqdal4";
// Same 20 bytes as A with the "osmo" prefix.
const A_OSMO = "osmo19rl4cm2hmr8afy4kldpxz3fka4jguq0a5m7df8";
const B = "cosmos1m5ewlh5hepknemv0eutut4uhmscexpjdmptmqt";
const MAX = (1n << 256n) - 1n;

function code(c: string): (e: unknown) => boolean {
  return (e) => e instanceof IcsdError && e.code === c;
}

function empty(): GenesisDoc {
  return newGenesis({ chainId: "c-1", genesisTime: 1_714_564_842_000_000_000n });
}

type Json = Record<string, unknown>;

function appJson(doc: GenesisDoc): { auth: Json; bank: Json } {
  return JSON.parse(encodeGenesis(doc)).app_state;
}

describe("genesis accounts", () => {
  it("parses coins as the SDK's ParseCoinsNormalized, without decimals", () => {
    assert.deepEqual(parseCoins("1000stake,5uatom"), [
      { denom: "stake", amount: 1000n },
      { denom: "uatom", amount: 5n },
    ]);
    assert.deepEqual(
      parseCoins(" 5uatom , 007 stake,0zero"),
      [
        { denom: "stake", amount: 7n },
        { denom: "uatom", amount: 5n },
      ],
      "trimmed, sorted by denom, zero coins dropped",
    );
    assert.deepEqual(parseCoins(""), []);
    assert.deepEqual(
      parseCoins(`${MAX}ibc/27394FB092D2ECCD56123C74F36E4C1F926001CEADA9CA97EA622B25F41E5EB2`),
      [{ denom: "ibc/27394FB092D2ECCD56123C74F36E4C1F926001CEADA9CA97EA622B25F41E5EB2", amount: MAX }],
    );
    assert.equal(formatCoins(parseCoins("5uatom,1000stake")), "1000stake,5uatom");
  });

  it("rejects bad coins with the reason", () => {
    const cases: [string, RegExp][] = [
      ["-5stake", /must not be negative/],
      ["1.5stake", /decimal amounts are not allowed/],
      ["abc", /expected <amount><denom>/],
      ["5", /expected <amount><denom>/],
      ["5st", /expected <amount><denom>/],
      ["5stake,", /invalid coin ""/],
      [`${MAX + 1n}stake`, /2\^256 or more/],
      ["1stake,2stake", /duplicate denomination stake/],
    ];
    for (const [text, msg] of cases) {
      assert.throws(
        () => parseCoins(text),
        (e) => code("INVALID_COINS")(e) && msg.test((e as Error).message),
        text,
      );
    }
    assert.throws(
      () => addCoins([{ denom: "stake", amount: MAX }], [{ denom: "stake", amount: 1n }]),
      /2\^256/,
    );
  });

  it("checks bech32 account addresses against the prefix", () => {
    assert.equal(parseAccountAddress(A.toUpperCase(), "cosmos"), A, "canonical lowercase");
    assert.equal(parseAccountAddress(A_OSMO, "osmo"), A_OSMO);
    assert.throws(() => parseAccountAddress(A_OSMO, "cosmos"), /expected prefix "cosmos", got "osmo"/);
    assert.throws(() => parseAccountAddress("cosmos1xyz", "cosmos"), code("INVALID_ADDRESS"));
    assert.throws(() => parseAccountAddress(A.slice(0, -1).concat("5"), "cosmos"), code("INVALID_ADDRESS"));
    assert.throws(() => parseAccountAddress("alice", "cosmos"), code("INVALID_ADDRESS"));
  });

  it("adds BaseAccounts with the next account number, balances sorted by denom, and the supply", () => {
    let doc = addGenesisAccount(empty(), A, parseCoins("1000stake,5uatom"));
    doc = addGenesisAccount(doc, B, parseCoins("7stake"));
    const app = appJson(doc);
    assert.equal(app.auth.bech32_prefix, "cosmos");
    assert.deepEqual(app.auth.params, {
      max_memo_characters: "256",
      tx_sig_limit: "7",
      tx_size_cost_per_byte: "10",
      sig_verify_cost_ed25519: "590",
      sig_verify_cost_secp256k1: "1000",
    });
    assert.deepEqual(app.auth.accounts, [
      {
        "@type": "/cosmos.auth.v1beta1.BaseAccount",
        address: A,
        pub_key: null,
        account_number: "0",
        sequence: "0",
      },
      {
        "@type": "/cosmos.auth.v1beta1.BaseAccount",
        address: B,
        pub_key: null,
        account_number: "1",
        sequence: "0",
      },
    ]);
    assert.deepEqual(app.bank.balances, [
      {
        address: A,
        coins: [
          { denom: "stake", amount: "1000" },
          { denom: "uatom", amount: "5" },
        ],
      },
      { address: B, coins: [{ denom: "stake", amount: "7" }] },
    ]);
    assert.deepEqual(app.bank.supply, [
      { denom: "stake", amount: "1007" },
      { denom: "uatom", amount: "5" },
    ]);
    assert.deepEqual(app.bank.params, { send_enabled: [], default_send_enabled: true });
    assert.deepEqual(app.bank.denom_metadata, []);
    assert.deepEqual(app.bank.send_enabled, []);
    // The document survives a genesis.json round trip.
    assert.deepEqual(parseGenesis(encodeGenesis(doc)).appState, doc.appState);
  });

  it("merges coins into an existing account's balance without a second account", () => {
    let doc = addGenesisAccount(empty(), A, parseCoins("1000stake"));
    doc = addGenesisAccount(doc, A.toUpperCase(), parseCoins("5stake,3uatom"));
    const app = appJson(doc);
    assert.equal((app.auth.accounts as unknown[]).length, 1);
    assert.deepEqual(app.bank.balances, [
      {
        address: A,
        coins: [
          { denom: "stake", amount: "1005" },
          { denom: "uatom", amount: "3" },
        ],
      },
    ]);
  });

  it("uses the genesis prefix and refuses bad input with clear errors", () => {
    const osmo = { ...empty(), appState: { auth: { bech32_prefix: "osmo" } } };
    assert.equal(genesisBech32Prefix(osmo), "osmo");
    assert.equal(genesisBech32Prefix(empty()), "cosmos");
    const app = appJson(addGenesisAccount(osmo, A_OSMO, parseCoins("1stake")));
    assert.equal(app.auth.bech32_prefix, "osmo");
    assert.throws(() => addGenesisAccount(osmo, A, parseCoins("1stake")), /expected prefix "osmo"/);
    assert.throws(() => addGenesisAccount(empty(), A, []), code("INVALID_COINS"));
    assert.throws(() => addGenesisAccount(empty(), "nope", parseCoins("1stake")), code("INVALID_ADDRESS"));
    const broken = { ...empty(), appState: { auth: { accounts: {} } } };
    assert.throws(
      () => addGenesisAccount(broken, A, parseCoins("1stake")),
      /app_state\.auth\.accounts must be an array/,
    );
  });
});
