import { type Command, Option } from "commander";
import { devnetDown, devnetStatus, devnetUp, parseDuration } from "../node/index.ts";
import { IcsdError } from "../utils/index.ts";
import { parsePositiveInt, withExample } from "./common.ts";

const DEFAULT_DIR = "./.devnet";

function parseConsumerCount(v: string): number {
  if (!/^\d{1,2}$/.test(v) || Number(v) > 20)
    throw new IcsdError(
      "INVALID_ARGUMENT",
      `--consumers must be an integer from 0 to 20, got ${JSON.stringify(v)}`,
    );
  return Number(v);
}

/** `icsd devnet up|down|status`: a local network of icsd processes on 127.0.0.1. */
export function registerDevnet(program: Command): void {
  const devnet = program
    .command("devnet")
    .description(
      "Run a local network as child processes on 127.0.0.1: a provider chain, consumer chains it launches (interchain security), and a relayer",
    );
  withExample(devnet, "icsd devnet up --validators 4", "icsd devnet status", "icsd devnet down");

  const up = devnet
    .command("up")
    .description(
      "Create (or resume) a devnet in --home and start every node; waits until blocks are produced",
    )
    .addOption(new Option("--home <dir>", "devnet directory").default(DEFAULT_DIR))
    .option("--validators <n>", "number of validators (new devnets only)", "4")
    .option("--chain-id <id>", "the provider's chain id (new devnets only)", "provider-1")
    .option(
      "--consumers <n>",
      "consumer chains (consumer-1..N) launched by the provider, each with a node per validator (new devnets only)",
      "1",
    )
    .option(
      "--consumer-nodes <n>",
      "nodes of each consumer chain, run by the first n validators, who opt in (default: every validator; new devnets only)",
    )
    .option(
      "--blocks-per-epoch <n>",
      "the provider's blocks_per_epoch: how often consumers get validator-set changes (new devnets only)",
      "5",
    )
    .option(
      "--single-chain",
      "run only the provider chain: no consumer, no relayer (new devnets only; same as --consumers 0)",
      false,
    )
    .option("--timeout-commit <duration>", "consensus timeout_commit of every node", "200ms")
    .option(
      "--wait-timeout <duration>",
      "how long to wait for each step: the first blocks, a consumer's launch",
      "60s",
    )
    .option("--detach", "return once blocks are produced and leave the nodes running", false);
  withExample(
    up,
    "icsd devnet up --validators 4",
    "icsd devnet up --home /tmp/dn --validators 3 --consumers 2 --detach",
    "icsd devnet up --validators 4 --consumer-nodes 3 --blocks-per-epoch 10 --timeout-commit 1s",
    "icsd devnet up --single-chain",
  );
  up.action(
    async (opts: {
      home: string;
      validators: string;
      chainId: string;
      consumers: string;
      consumerNodes?: string;
      blocksPerEpoch: string;
      singleChain: boolean;
      timeoutCommit: string;
      waitTimeout: string;
      detach: boolean;
    }) => {
      const timeoutCommitMs = parseDuration(opts.timeoutCommit);
      if (timeoutCommitMs === undefined)
        throw new IcsdError("INVALID_ARGUMENT", '--timeout-commit must be a duration like "200ms"');
      const waitTimeoutMs = parseDuration(opts.waitTimeout);
      if (waitTimeoutMs === undefined)
        throw new IcsdError("INVALID_ARGUMENT", '--wait-timeout must be a duration like "60s"');
      const validators = parsePositiveInt(opts.validators, "--validators", 50);
      await devnetUp({
        dir: opts.home,
        validators,
        consumerNodes:
          opts.consumerNodes === undefined
            ? undefined
            : parsePositiveInt(opts.consumerNodes, "--consumer-nodes", validators),
        blocksPerEpoch: parsePositiveInt(opts.blocksPerEpoch, "--blocks-per-epoch", 1_000_000),
        chainId: opts.chainId,
        consumers: opts.singleChain ? 0 : parseConsumerCount(opts.consumers),
        timeoutCommitMs,
        waitTimeoutMs,
        detach: opts.detach,
      });
      process.exit(0);
    },
  );

  const down = devnet
    .command("down")
    .description("Stop the nodes recorded in <home>/devnet.json (homes and data are kept)")
    .addOption(new Option("--home <dir>", "devnet directory").default(DEFAULT_DIR));
  withExample(down, "icsd devnet down --home ./.devnet");
  down.action(async (opts: { home: string }) => devnetDown(opts.home));

  const status = devnet
    .command("status")
    .description("Print each devnet node's height and peers, and each consumer's CCV channel state")
    .addOption(new Option("--home <dir>", "devnet directory").default(DEFAULT_DIR));
  withExample(status, "icsd devnet status --home ./.devnet");
  status.action(async (opts: { home: string }) => devnetStatus(opts.home));
}
