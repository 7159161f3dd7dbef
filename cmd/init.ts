import { type Command, Option } from "commander";
import { initHome } from "../node/index.ts";
import { IcsdError, toBase64, toHexUpper } from "../utils/index.ts";
import { parsePower, printJson, withExample, withHome } from "./common.ts";
import { parseGenesisTimeFlag, readJsonFile } from "./genesis.ts";

interface InitFlags {
  chainId: string;
  power: string;
  overwrite: boolean;
  home: string;
  mode: "provider" | "consumer";
  consumerGenesis?: string;
  genesisTime?: string;
}

/** `icsd init <moniker> --chain-id <id>`: creates a node home with a single-validator genesis. */
export function registerInit(program: Command): void {
  const cmd = program
    .command("init")
    .description(
      "Initialise a node home: config.toml, app.toml, node and validator keys, and a genesis with this node as the only validator",
    )
    .argument("<moniker>", "a name for this node")
    .requiredOption("--chain-id <id>", "chain id (1-50 characters from [a-zA-Z0-9._-])")
    .option("--power <n>", "voting power of this validator in the genesis", "10")
    .option("--overwrite", "replace an existing genesis.json (keys and config are kept)", false)
    .addOption(
      new Option(
        "--mode <mode>",
        "provider: a new chain with this node as its validator; consumer: a consumer chain of a provider (validators and app_state.ccvconsumer from the provider's consumer genesis)",
      )
        .choices(["provider", "consumer"])
        .default("provider"),
    )
    .option(
      "--consumer-genesis <file>",
      "consumer mode: the provider's consumer genesis (`icsd query provider consumer-genesis <id>`); without it, fill it later with `icsd genesis set-consumer-genesis`",
    )
    .option(
      "--genesis-time <rfc3339>",
      "genesis time (default: now; with --consumer-genesis, one second after the consumer's launch)",
    );
  withHome(cmd);
  withExample(
    cmd,
    "icsd init node0 --chain-id provider-1",
    "icsd init node1 --chain-id provider-1 --home ~/.icsd-node1",
    "icsd init cnode0 --mode consumer --chain-id consumer-1 --consumer-genesis ccv.json --home ~/.icsd-consumer",
  );
  cmd.action((moniker: string, opts: InitFlags) => {
    if (opts.consumerGenesis !== undefined && opts.mode !== "consumer")
      throw new IcsdError("INVALID_ARGUMENT", "--consumer-genesis needs --mode consumer");
    const consumerGenesis =
      opts.consumerGenesis === undefined
        ? undefined
        : readJsonFile(opts.consumerGenesis, "--consumer-genesis");
    const r = initHome({
      home: opts.home,
      moniker,
      chainId: opts.chainId,
      power: parsePower(opts.power),
      overwrite: opts.overwrite,
      mode: opts.mode,
      consumerGenesis,
      genesisTime: opts.genesisTime === undefined ? undefined : parseGenesisTimeFlag(opts.genesisTime),
    });
    printJson({
      moniker,
      chain_id: opts.chainId,
      mode: opts.mode,
      home: r.paths.home,
      node_id: r.peerId,
      validator_address: toHexUpper(r.validatorKey.address),
      // A consumer validator either copies its provider priv_validator_key.json here, or assigns this key
      // on the provider (`icsd tx provider assign-consensus-key <id> '<this>'`).
      ...(opts.mode === "consumer"
        ? {
            validator_pubkey: JSON.stringify({
              "@type": "/cosmos.crypto.ed25519.PubKey",
              key: toBase64(r.validatorKey.pubKey),
            }),
            validators: r.genesis.validators.length,
            consumer_genesis_set: consumerGenesis !== undefined,
          }
        : {}),
      genesis: r.paths.genesis,
    });
  });
}
