import { type Command, Option } from "commander";
import {
  parseDuration,
  TESTNET_MAX_CONSUMERS,
  TESTNET_MAX_VALIDATORS,
  testnetInitFiles,
} from "../node/index.ts";
import { IcsdError } from "../utils/index.ts";
import { parsePositiveInt, withExample } from "./common.ts";

function parseConsumers(v: string): number {
  if (!/^\d{1,2}$/.test(v) || Number(v) > TESTNET_MAX_CONSUMERS)
    throw new IcsdError(
      "INVALID_ARGUMENT",
      `--consumers must be an integer from 0 to ${TESTNET_MAX_CONSUMERS}, got ${JSON.stringify(v)}`,
    );
  return Number(v);
}

function duration(v: string, flag: string, example: string): number {
  const ms = parseDuration(v);
  if (ms === undefined || ms <= 0)
    throw new IcsdError(
      "INVALID_ARGUMENT",
      `${flag} must be a duration like "${example}", got ${JSON.stringify(v)}`,
    );
  return ms;
}

/** `icsd testnet init-files`: the devnet's topology as container homes for docker-compose.yml. */
export function registerTestnet(program: Command): void {
  const testnet = program
    .command("testnet")
    .description(
      "Files to run the devnet's topology as containers (docker-compose.yml): provider validators, consumer nodes, a relayer",
    );
  withExample(testnet, "icsd testnet init-files --output testnet");

  const init = testnet
    .command("init-files")
    .description(
      "Write the homes of a provider chain, its consumer chains (launched by running the provider briefly on 127.0.0.1) and a relayer, configured for the compose network; plus testnet.json and a docker-compose.yml",
    )
    .addOption(
      new Option(
        "--output <dir>",
        "output directory (new or empty; the checked-in docker-compose.yml reads ./testnet)",
      ).default("./testnet"),
    )
    .option(
      "--validators <n>",
      `provider validators, each running a node of every consumer (1-${TESTNET_MAX_VALIDATORS})`,
      "4",
    )
    .option("--consumers <n>", `consumer chains consumer-1..N (0-${TESTNET_MAX_CONSUMERS})`, "1")
    .option("--chain-id <id>", "the provider's chain id", "provider-1")
    .option("--timeout-commit <duration>", "consensus timeout_commit of every node", "1s")
    .option(
      "--wait-timeout <duration>",
      "how long to wait for each step: the first blocks, a consumer's launch",
      "90s",
    )
    .option(
      "--overwrite",
      "replace a previous testnet in --output (a directory holding testnet.json)",
      false,
    );
  withExample(
    init,
    "icsd testnet init-files --output testnet && docker compose up -d",
    "icsd testnet init-files --output /tmp/tn --validators 3 --consumers 2 && docker compose -f /tmp/tn/docker-compose.yml up -d",
    'docker run --rm --user "$(id -u):$(id -g)" -v "$PWD/testnet:/testnet" icsd:local testnet init-files --output /testnet',
    "icsd testnet init-files --output testnet --overwrite   # new chains in place of the old ones",
  );
  init.action(
    async (opts: {
      output: string;
      validators: string;
      consumers: string;
      chainId: string;
      timeoutCommit: string;
      waitTimeout: string;
      overwrite: boolean;
    }) => {
      await testnetInitFiles({
        dir: opts.output,
        validators: parsePositiveInt(opts.validators, "--validators", TESTNET_MAX_VALIDATORS),
        consumers: parseConsumers(opts.consumers),
        chainId: opts.chainId,
        timeoutCommitMs: duration(opts.timeoutCommit, "--timeout-commit", "1s"),
        waitTimeoutMs: duration(opts.waitTimeout, "--wait-timeout", "90s"),
        overwrite: opts.overwrite,
      });
      // The CosmJS clients of the launch may keep handles open.
      process.exit(0);
    },
  );
}
