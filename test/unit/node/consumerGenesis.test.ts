import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Registry } from "prom-client";
import { genesisValidatorSet, toDomainValidator } from "../../../consensus/index.ts";
import { consumerModules } from "../../../consumer/index.ts";
import { addressFromPubKey } from "../../../crypto/index.ts";
import { appModulesFor, chainKindOf } from "../../../node/appModules.ts";
import { CcvChannelWatch } from "../../../node/ccvWatch.ts";
import {
  addGenesisAccount,
  assertConsumerGenesisSet,
  consumerGenesisDoc,
  consumerPlaceholderGenesis,
  encodeGenesis,
  initialValidatorSetHash,
  isConsumerAppState,
  newGenesis,
  parseGenesis,
  withConsumerGenesis,
} from "../../../node/index.ts";
import { validatorSetHash } from "../../../proto/index.ts";
import { providerModules } from "../../../provider/index.ts";
import { IcsdError, type Logger, toBase64 } from "../../../utils/index.ts";
import { fakeKey, LAUNCH_NS, sampleConsumerGenesis } from "../cmd/providerFixtures.ts";

const ALICE = "cosmos1qypqxpq9qcrsszg2pvxq6rs0zqg3yyc5lzv7xu";

function code(fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof IcsdError, String(e));
    return { code: e.code, message: e.message };
  }
  assert.fail("expected an IcsdError");
}

function invalid(mutate: (g: Record<string, unknown>) => void): string {
  const g = sampleConsumerGenesis();
  mutate(g);
  const e = code(() => consumerGenesisDoc({ chainId: "consumer-1", consumerGenesis: g }));
  assert.equal(e.code, "CONSUMER_GENESIS_INVALID");
  return e.message;
}

const provider = (g: Record<string, unknown>) => g.provider as Record<string, unknown>;
const valSet = (g: Record<string, unknown>) => provider(g).initial_val_set as Record<string, unknown>[];

describe("consumerGenesisDoc", () => {
  it("takes the validators from initial_val_set and keeps the consumer genesis as app_state.ccvconsumer", () => {
    const cg = sampleConsumerGenesis([10, 20]);
    const doc = consumerGenesisDoc({
      chainId: "consumer-1",
      consumerGenesis: cg,
      genesisTime: LAUNCH_NS + 5n,
    });
    assert.equal(doc.chainId, "consumer-1");
    assert.equal(doc.genesisTime, LAUNCH_NS + 5n);
    assert.deepEqual(
      doc.validators.map((v) => [toBase64(v.pubKey), v.power]),
      [
        [toBase64(fakeKey(1)), 10n],
        [toBase64(fakeKey(2)), 20n],
      ],
    );
    assert.deepEqual(doc.validators[0]!.address, addressFromPubKey(fakeKey(1)));
    assert.deepEqual(doc.appState.ccvconsumer, cg);
    assert.ok(isConsumerAppState(doc.appState));
    assert.equal((doc.appState.auth as { bech32_prefix: string }).bech32_prefix, "cosmos");
  });

  it("round-trips through genesis.json (CometBFT validator entries, ccvconsumer unchanged)", () => {
    const cg = sampleConsumerGenesis([7]);
    const doc = consumerGenesisDoc({ chainId: "consumer-1", consumerGenesis: cg });
    const text = encodeGenesis(doc);
    const json = JSON.parse(text) as {
      validators: Record<string, unknown>[];
      app_state: Record<string, unknown>;
    };
    assert.deepEqual(Object.keys(json.validators[0]!), ["address", "pub_key", "power", "name"]);
    assert.deepEqual(json.validators[0]!.pub_key, {
      type: "tendermint/PubKeyEd25519",
      value: toBase64(fakeKey(1)),
    });
    assert.equal(json.validators[0]!.power, "7");
    const back = parseGenesis(text);
    assert.deepEqual(back.appState.ccvconsumer, cg);
    assert.equal(back.validators.length, 1);
  });

  it("defaults the genesis time to one second after the launch, the same for every validator", () => {
    const a = consumerGenesisDoc({ chainId: "consumer-1", consumerGenesis: sampleConsumerGenesis() });
    const b = consumerGenesisDoc({ chainId: "consumer-1", consumerGenesis: sampleConsumerGenesis() });
    assert.equal(a.genesisTime, LAUNCH_NS + 1_000_000_000n);
    assert.equal(encodeGenesis(a), encodeGenesis(b));
  });

  it("refuses a genesis time not after the launch time", () => {
    for (const t of [LAUNCH_NS, LAUNCH_NS - 1n]) {
      const e = code(() =>
        consumerGenesisDoc({
          chainId: "consumer-1",
          consumerGenesis: sampleConsumerGenesis(),
          genesisTime: t,
        }),
      );
      assert.equal(e.code, "CONSUMER_GENESIS_INVALID");
      assert.match(e.message, /must be after the consumer's launch time/);
    }
  });

  it("funds accounts (amounts as bigint or digits) with the given bech32 prefix", () => {
    const doc = consumerGenesisDoc({
      chainId: "consumer-1",
      consumerGenesis: sampleConsumerGenesis(),
      accounts: [
        { address: ALICE, coins: [{ denom: "stake", amount: 5n }] },
        { address: ALICE, coins: [{ denom: "stake", amount: "7" }] },
      ],
    });
    const bank = doc.appState.bank as { balances: { address: string; coins: unknown }[]; supply: unknown };
    assert.deepEqual(bank.balances, [{ address: ALICE, coins: [{ denom: "stake", amount: "12" }] }]);
    assert.deepEqual(bank.supply, [{ denom: "stake", amount: "12" }]);
    const e = code(() =>
      consumerGenesisDoc({
        chainId: "consumer-1",
        consumerGenesis: sampleConsumerGenesis(),
        bech32Prefix: "cons",
        accounts: [{ address: ALICE, coins: [{ denom: "stake", amount: 1n }] }],
      }),
    );
    assert.equal(e.code, "INVALID_ADDRESS");
  });

  it("accepts the query response wrapped in genesis_state", () => {
    const cg = sampleConsumerGenesis();
    const doc = consumerGenesisDoc({ chainId: "consumer-1", consumerGenesis: { genesis_state: cg } });
    assert.deepEqual(doc.appState.ccvconsumer, cg);
  });

  it("names the field of a malformed consumer genesis", () => {
    assert.match(
      invalid((g) => delete g.provider),
      /provider must be an object/,
    );
    assert.match(
      invalid((g) => delete g.params),
      /params must be an object/,
    );
    assert.match(
      invalid((g) => delete g.provider_chain_id),
      /provider_chain_id must be a non-empty string/,
    );
    assert.match(
      invalid((g) => (g.launch_time = "soon")),
      /launch_time must be an integer string/,
    );
    assert.match(
      invalid((g) => ((provider(g).client_state as Record<string, unknown>).chain_id = "other")),
      /provider\.client_state\.chain_id must be the provider chain id provider-1/,
    );
    assert.match(
      invalid((g) => (provider(g).initial_val_set = [])),
      /provider\.initial_val_set must be a non-empty array/,
    );
    assert.match(
      invalid((g) => (valSet(g)[0]!.pub_key = { ed25519: toBase64(new Uint8Array(33)) })),
      /initial_val_set\[0\]\.pub_key\.ed25519 must be a 32-byte ed25519 key/,
    );
    assert.match(
      invalid((g) => (valSet(g)[1]!.pub_key = { secp256k1: "AA==" })),
      /initial_val_set\[1\]\.pub_key\.ed25519 must be a base64 string/,
    );
    assert.match(
      invalid((g) => (valSet(g)[1]!.power = "0")),
      /initial_val_set\[1\]\.power must be between 1/,
    );
    assert.match(
      invalid((g) => (valSet(g)[1]!.pub_key = valSet(g)[0]!.pub_key)),
      /repeats an earlier/,
    );
    assert.match(
      code(() => consumerGenesisDoc({ chainId: "consumer-1", consumerGenesis: [] })).message,
      /must be an object/,
    );
  });

  it("refuses a consumer chain id equal to the provider's, or an invalid one", () => {
    assert.match(
      code(() => consumerGenesisDoc({ chainId: "provider-1", consumerGenesis: sampleConsumerGenesis() }))
        .message,
      /must differ from the provider's/,
    );
    assert.equal(
      code(() => consumerGenesisDoc({ chainId: "bad chain", consumerGenesis: sampleConsumerGenesis() })).code,
      "GENESIS_INVALID",
    );
  });
});

describe("consumer placeholder and set-consumer-genesis", () => {
  it("fills a placeholder's ccvconsumer and validators, keeping funded accounts", () => {
    let doc = consumerPlaceholderGenesis({ chainId: "consumer-1", genesisTime: LAUNCH_NS - 100n });
    assert.deepEqual(doc.appState.ccvconsumer, {});
    assert.equal(doc.validators.length, 0);
    assert.ok(isConsumerAppState(doc.appState));
    assert.equal(code(() => assertConsumerGenesisSet(doc.appState)).code, "CONSUMER_GENESIS_NOT_SET");
    doc = addGenesisAccount(doc, ALICE, [{ denom: "stake", amount: 9n }]);
    const cg = sampleConsumerGenesis([3, 4, 5]);
    const filled = withConsumerGenesis(doc, cg);
    assert.equal(filled.genesisTime, LAUNCH_NS + 1_000_000_000n);
    assert.equal(filled.validators.length, 3);
    assert.deepEqual(filled.appState.ccvconsumer, cg);
    assert.deepEqual(filled.appState.bank, doc.appState.bank);
    assert.deepEqual(filled.appState.auth, doc.appState.auth);
    assertConsumerGenesisSet(filled.appState);
    assert.equal(withConsumerGenesis(doc, cg, LAUNCH_NS + 42n).genesisTime, LAUNCH_NS + 42n);
    assert.equal(code(() => withConsumerGenesis(doc, cg, LAUNCH_NS)).code, "CONSUMER_GENESIS_INVALID");
  });

  it("a provider genesis is not a consumer one", () => {
    assert.equal(isConsumerAppState(newGenesis({ chainId: "p", genesisTime: 1n }).appState), false);
  });
});

describe("appModulesFor: the genesis picks the application", () => {
  it("a consumer genesis from consumerGenesisDoc passes the consumer app's InitChain with initial_val_set", async () => {
    const cg = sampleConsumerGenesis([10, 20]);
    const doc = consumerGenesisDoc({ chainId: "consumer-1", consumerGenesis: cg });
    const set = genesisValidatorSet(doc.validators.map((v) => ({ pubKey: v.pubKey, power: v.power })));
    const want = validatorSetHash({ validators: set.map(toDomainValidator) });
    assert.deepEqual(await initialValidatorSetHash(doc, "icsd"), want);
    assert.equal(chainKindOf(doc.appState), "consumer");
    assert.equal(appModulesFor(doc.appState), consumerModules);
  });

  it("a provider genesis gets the provider modules; a consumer placeholder is refused with a hint", () => {
    assert.equal(appModulesFor({}), providerModules);
    assert.equal(chainKindOf({ auth: {} }), "provider");
    const placeholder = consumerPlaceholderGenesis({ chainId: "consumer-1", genesisTime: 1n });
    const e = code(() => appModulesFor(placeholder.appState));
    assert.equal(e.code, "CONSUMER_GENESIS_NOT_SET");
    assert.match(e.message, /icsd genesis set-consumer-genesis/);
  });
});

describe("CcvChannelWatch", () => {
  it("reports a closed CCV channel in its status and gauge, and warns at most every 10 blocks", async () => {
    let closed = false;
    const app = {
      query: async () => ({
        code: 0,
        codespace: "",
        log: "",
        key: new Uint8Array(),
        height: 0,
        value: new TextEncoder().encode(
          JSON.stringify({
            provider_chain_id: "provider-1",
            channel_id: "channel-0",
            established: true,
            channel_closed: closed,
          }),
        ),
      }),
    };
    const logs: string[] = [];
    const record = (level: string) => (_f: unknown, msg: string) => logs.push(`${level}: ${msg}`);
    const logger = { error: record("error"), warn: record("warn"), debug: () => {} } as unknown as Logger;
    const registry = new Registry();
    const watch = new CcvChannelWatch({ app, logger, registry });
    assert.equal(watch.status(), undefined);
    await watch.onBlock(1);
    assert.equal(watch.status()?.channel_closed, false);
    assert.match(await registry.metrics(), /icsd_consumer_ccv_channel_closed 0/);
    closed = true;
    for (let h = 2; h <= 22; h++) await watch.onBlock(h);
    assert.deepEqual(watch.status(), {
      provider_chain_id: "provider-1",
      channel_id: "channel-0",
      established: true,
      channel_closed: true,
      checked_height: "22",
    });
    assert.match(await registry.metrics(), /icsd_consumer_ccv_channel_closed 1/);
    assert.equal(logs.length, 3);
    assert.match(logs[0]!, /^error: CCV channel to the provider is CLOSED/);
    assert.match(logs[2]!, /^warn: CCV channel to the provider is still closed/);
  });
});
