import { existsSync, readFileSync } from "node:fs";
import type { Command } from "commander";
import {
  addGenesisAccount,
  addGenesisValidator,
  addIbcPath,
  formatCoins,
  genesisBech32Prefix,
  genesisValidator,
  homePaths,
  loadConfig,
  loadGenesis,
  loadValidatorKey,
  Prompter,
  parseAccountAddress,
  parseCoins,
  parseDurationNs,
  saveGenesis,
  withConsumerGenesis,
} from "../node/index.ts";
import { formatRfc3339Nano, fromBase64, IcsdError, parseRfc3339Nano, toHexUpper } from "../utils/index.ts";
import { parsePower, withExample, withHome } from "./common.ts";
import { registerGentx } from "./gentx.ts";
import { openKeyring, withKeyringBackend } from "./keys.ts";

const MULTI_VALIDATOR_HELP = `
Building a multi-validator genesis:
  1. run \`icsd init\` in every home with the same --chain-id;
  2. add every other validator to one home's genesis (add-validator-from reads the other home's key);
  3. copy that genesis.json to config/genesis.json of every home.

  $ icsd init node0 --chain-id provider-1 --home ./n0
  $ icsd init node1 --chain-id provider-1 --home ./n1
  $ icsd genesis add-validator-from ./n1 --home ./n0
  $ cp ./n0/config/genesis.json ./n1/config/genesis.json`;

/** Reads and parses a JSON file; INVALID_ARGUMENT names `what` when it is missing or not JSON. */
export function readJsonFile(path: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new IcsdError(
      "INVALID_ARGUMENT",
      `${what}: cannot read ${path}${code === "ENOENT" ? ": no such file" : ` (${code ?? (e as Error).message})`}`,
    );
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new IcsdError("INVALID_ARGUMENT", `${what}: ${path} is not valid JSON (${(e as Error).message})`);
  }
}

/** Parses `--genesis-time`: RFC3339 such as 2024-05-01T12:00:00Z; INVALID_ARGUMENT otherwise. */
export function parseGenesisTimeFlag(text: string): bigint {
  try {
    return parseRfc3339Nano(text);
  } catch {
    throw new IcsdError(
      "INVALID_ARGUMENT",
      `--genesis-time must be an RFC3339 time such as 2024-05-01T12:00:00Z, got ${JSON.stringify(text)}`,
    );
  }
}

function registerSetConsumerGenesis(genesis: Command): void {
  const cmd = genesis
    .command("set-consumer-genesis")
    .description(
      "Consumer chains: put the provider's consumer genesis (`icsd query provider consumer-genesis <id>`) in this home's genesis.json: app_state.ccvconsumer and the validators are replaced, accounts and balances kept",
    )
    .argument("<file>", "the consumer genesis JSON")
    .option("--genesis-time <rfc3339>", "genesis time (default: one second after the consumer's launch)");
  withHome(cmd);
  withExample(
    cmd,
    "icsd query provider consumer-genesis 0 --node tcp://provider:26657 > ccv.json",
    "icsd genesis set-consumer-genesis ccv.json --home ~/.icsd-consumer",
  );
  cmd.action((file: string, opts: { home: string; genesisTime?: string }) => {
    const consumerGenesis = readJsonFile(file, "consumer genesis");
    const time = opts.genesisTime === undefined ? undefined : parseGenesisTimeFlag(opts.genesisTime);
    const paths = homePaths(opts.home);
    const doc = withConsumerGenesis(loadGenesis(paths.genesis), consumerGenesis, time);
    saveGenesis(paths.genesis, doc);
    process.stdout.write(
      `set the consumer genesis of ${doc.chainId} (${doc.validators.length} validators, genesis time ${formatRfc3339Nano(doc.genesisTime)}) in ${paths.genesis}\n`,
    );
  });
}

function addAndSave(home: string, pubKey: Uint8Array, power: bigint, name: string): void {
  const paths = homePaths(home);
  const doc = loadGenesis(paths.genesis);
  const v = genesisValidator(pubKey, power, name);
  saveGenesis(paths.genesis, addGenesisValidator(doc, v));
  process.stdout.write(`added validator ${toHexUpper(v.address)} (power ${power}) to ${paths.genesis}\n`);
}

function registerAddIbcPath(genesis: Command): void {
  const cmd = genesis
    .command("add-ibc-path")
    .description(
      "Join this chain to another at genesis: add a light client of the other chain (from its genesis.json) and a channel end bound to it; run it on both chains with the ids mirrored",
    )
    .requiredOption("--counterparty-genesis <file>", "the other chain's genesis.json")
    .option("--counterparty-app <app>", "the application the other chain runs: icsd or kvstore", "icsd")
    .option("--client-id <id>", "this chain's client of the other chain", "07-icsd-0")
    .option("--port <port>", "this chain's port", "transfer")
    .option("--channel <id>", "this chain's channel id", "channel-0")
    .option("--counterparty-port <port>", "the other chain's port (default: --port)")
    .option("--counterparty-channel <id>", "the other chain's channel id", "channel-0")
    .option("--ordering <ordering>", "ordered or unordered", "unordered")
    .option("--version <version>", "the channel version", "ics20-1")
    .option("--trusting-period <duration>", "e.g. 40s (default: 2/3 of the other chain's unbonding period)");
  withHome(cmd);
  withExample(
    cmd,
    "icsd genesis add-ibc-path --counterparty-genesis ./b/config/genesis.json --home ./a",
    "icsd genesis add-ibc-path --counterparty-genesis ./a/config/genesis.json --channel channel-0 --counterparty-channel channel-0 --home ./b",
  );
  cmd.action(
    async (opts: {
      home: string;
      counterpartyGenesis: string;
      counterpartyApp: string;
      clientId: string;
      port: string;
      channel: string;
      counterpartyPort?: string;
      counterpartyChannel: string;
      ordering: string;
      version: string;
      trustingPeriod?: string;
    }) => {
      if (opts.ordering !== "ordered" && opts.ordering !== "unordered") {
        throw new IcsdError(
          "INVALID_ARGUMENT",
          `--ordering must be ordered or unordered, not ${opts.ordering}`,
        );
      }
      if (opts.counterpartyApp !== "icsd" && opts.counterpartyApp !== "kvstore") {
        throw new IcsdError("INVALID_ARGUMENT", `--counterparty-app must be icsd or kvstore`);
      }
      if (!existsSync(opts.counterpartyGenesis)) {
        throw new IcsdError("INVALID_ARGUMENT", `no genesis file at ${opts.counterpartyGenesis}`);
      }
      const paths = homePaths(opts.home);
      const doc = await addIbcPath(loadGenesis(paths.genesis), {
        clientId: opts.clientId,
        counterparty: loadGenesis(opts.counterpartyGenesis),
        counterpartyApp: opts.counterpartyApp,
        portId: opts.port,
        channelId: opts.channel,
        counterpartyPortId: opts.counterpartyPort ?? opts.port,
        counterpartyChannelId: opts.counterpartyChannel,
        ordering: opts.ordering,
        version: opts.version,
        trustingPeriod:
          opts.trustingPeriod === undefined
            ? undefined
            : parseDurationNs(opts.trustingPeriod, "--trusting-period"),
      });
      saveGenesis(paths.genesis, doc);
      process.stdout.write(
        `added client ${opts.clientId} and channel ${opts.port}/${opts.channel} to ${paths.genesis}\n`,
      );
    },
  );
}

function registerAddAccount(genesis: Command): void {
  const cmd = genesis
    .command("add-account")
    .description(
      "Fund an account in this home's genesis.json: a BaseAccount with the next account number and a bank balance (merged with an existing one)",
    )
    .argument("<address-or-key>", "a bech32 address, or the name of a key in the keyring")
    .argument("<coins>", "coins, e.g. 1000000stake,5uatom");
  withKeyringBackend(withHome(cmd));
  withExample(
    cmd,
    "icsd genesis add-account alice 100000000stake",
    "icsd genesis add-account cosmos19rl4cm2hmr8afy4kldpxz3fka4jguq0auqdal4 1000stake,5uatom --home ./n0",
  );
  cmd.action((who: string, coinsText: string, opts: { home: string; keyringBackend?: string }) => {
    const coins = parseCoins(coinsText);
    if (coins.length === 0)
      throw new IcsdError("INVALID_COINS", `no positive coin amount in ${JSON.stringify(coinsText)}`);
    const paths = homePaths(opts.home);
    const doc = loadGenesis(paths.genesis);
    const prefix = genesisBech32Prefix(doc);
    const keyring = openKeyring(opts, new Prompter(), undefined, prefix);
    const address = keyring.has(who)
      ? keyring.show(who).address
      : who.includes("1")
        ? parseAccountAddress(who, prefix)
        : keyring.show(who).address; // no key of that name, and not an address: KEY_NOT_FOUND
    saveGenesis(paths.genesis, addGenesisAccount(doc, address, coins));
    process.stdout.write(`added ${formatCoins(coins)} to ${address} in ${paths.genesis}\n`);
  });
}

/** `icsd genesis add-validator`, `add-validator-from`, `add-account`, `gentx` and `collect-gentxs`. */
export function registerGenesis(program: Command): void {
  const genesis = program.command("genesis").description("Edit the genesis file of a node home");
  withExample(genesis, "icsd genesis add-validator-from ./n1 --home ./n0");
  genesis.addHelpText("after", MULTI_VALIDATOR_HELP);

  const add = genesis
    .command("add-validator")
    .description("Add a validator, given its ed25519 public key, to this home's genesis.json")
    .requiredOption(
      "--pubkey <base64>",
      "the validator's ed25519 public key, base64 (as `icsd show-validator` prints)",
    )
    .requiredOption("--power <n>", "voting power")
    .option("--name <name>", "a name for the validator", "");
  withHome(add);
  withExample(
    add,
    "icsd genesis add-validator --home ./n0 --pubkey A6DoBUypNtUAyEHWtQ9bFjfNg8Bo9CrnkUGl6k6OHN4= --power 10 --name node1",
  );
  add.addHelpText("after", MULTI_VALIDATOR_HELP);
  add.action((opts: { pubkey: string; power: string; name: string; home: string }) => {
    let pubKey: Uint8Array;
    try {
      pubKey = fromBase64(opts.pubkey);
    } catch {
      throw new IcsdError("INVALID_ARGUMENT", "--pubkey must be base64");
    }
    if (pubKey.length !== 32)
      throw new IcsdError("INVALID_ARGUMENT", "--pubkey must be a 32-byte ed25519 key in base64");
    addAndSave(opts.home, pubKey, parsePower(opts.power), opts.name);
  });

  const from = genesis
    .command("add-validator-from")
    .description(
      "Add the validator of another node home (its priv_validator_key.json and moniker) to this home's genesis.json",
    )
    .argument("<other-home>", "the other node's home directory")
    .option("--power <n>", "voting power", "10");
  withHome(from);
  withExample(from, "icsd genesis add-validator-from ./n1 --home ./n0 --power 10");
  from.addHelpText("after", MULTI_VALIDATOR_HELP);
  from.action((otherHome: string, opts: { power: string; home: string }) => {
    const other = homePaths(otherHome);
    if (!existsSync(other.privValidatorKey)) {
      throw new IcsdError(
        "KEY_NOT_FOUND",
        `no validator key at ${other.privValidatorKey}: run \`icsd init\` in ${other.home} first`,
      );
    }
    const key = loadValidatorKey(other.privValidatorKey);
    const name = existsSync(other.configToml) ? loadConfig(other.configToml).moniker : "";
    addAndSave(opts.home, key.pubKey, parsePower(opts.power), name);
  });

  registerAddAccount(genesis);
  registerGentx(genesis);
  registerAddIbcPath(genesis);
  registerSetConsumerGenesis(genesis);
}
