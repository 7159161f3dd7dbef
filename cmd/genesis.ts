import { existsSync } from "node:fs";
import type { Command } from "commander";
import {
  addGenesisValidator,
  genesisValidator,
  homePaths,
  loadConfig,
  loadGenesis,
  loadValidatorKey,
  saveGenesis,
} from "../node/index.ts";
import { fromBase64, IcsdError, toHexUpper } from "../utils/index.ts";
import { parsePower, withExample, withHome } from "./common.ts";

const MULTI_VALIDATOR_HELP = `
Building a multi-validator genesis:
  1. run \`icsd init\` in every home with the same --chain-id;
  2. add every other validator to one home's genesis (add-validator-from reads the other home's key);
  3. copy that genesis.json to config/genesis.json of every home.

  $ icsd init node0 --chain-id provider-1 --home ./n0
  $ icsd init node1 --chain-id provider-1 --home ./n1
  $ icsd genesis add-validator-from ./n1 --home ./n0
  $ cp ./n0/config/genesis.json ./n1/config/genesis.json`;

function addAndSave(home: string, pubKey: Uint8Array, power: bigint, name: string): void {
  const paths = homePaths(home);
  const doc = loadGenesis(paths.genesis);
  const v = genesisValidator(pubKey, power, name);
  saveGenesis(paths.genesis, addGenesisValidator(doc, v));
  process.stdout.write(`added validator ${toHexUpper(v.address)} (power ${power}) to ${paths.genesis}\n`);
}

/** `icsd genesis add-validator` and `icsd genesis add-validator-from`. */
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
}
