import { existsSync } from "node:fs";
import { resolve } from "node:path";
import type { Command } from "commander";
import { createLogger, IcsdError } from "../utils/index.ts";
import { withExample } from "./common.ts";

/** What `icsd relayer config-example` prints: every setting of relayer/config.ts, with comments. */
export const RELAYER_CONFIG_EXAMPLE = `# icsd relayer configuration (icsd relayer start --config relayer.toml)

[global]
poll_interval_ms = 500           # how often to look for new blocks
max_msgs_per_tx = 100            # packet messages per transaction (the client update comes first)
metrics_listen = "127.0.0.1:0"   # optional: Prometheus text on GET /metrics

[[chains]]
id = "chain-a"
rpc = "http://127.0.0.1:26657"
prefix = "cosmos"
gas_price = "0.025stake"         # fee = ceil(gas x price)
gas_adjustment = 1.5             # gas = simulated gas x gas_adjustment
mnemonic_file = "/path/to/relayer-a.mnemonic"   # or mnemonic = "..." inline

[[chains]]
id = "chain-b"
rpc = "http://127.0.0.1:26757"
prefix = "cosmos"
gas_price = "0.025stake"
gas_adjustment = 1.5
mnemonic_file = "/path/to/relayer-b.mnemonic"

# One path per channel; client_id on side a is chain a's client OF chain b (and the other way round).
[[paths]]
a = { chain = "chain-a", client_id = "07-icsd-0", port = "transfer", channel = "channel-0" }
b = { chain = "chain-b", client_id = "07-icsd-0", port = "transfer", channel = "channel-0" }
`;

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace"];

/** `icsd relayer start --config FILE` (runs until SIGINT/SIGTERM) and `icsd relayer config-example`. */
export function registerRelayer(program: Command): void {
  const relayer = program
    .command("relayer")
    .description("Relay IBC packets, acknowledgements and timeouts between two icsd chains");
  withExample(
    relayer,
    "icsd relayer config-example > relayer.toml",
    "icsd relayer start --config relayer.toml",
  );

  const start = relayer
    .command("start")
    .description("Relay every path of the config until interrupted (Ctrl-C or SIGTERM); logs JSON to stderr")
    .requiredOption("--config <file>", "the relayer's TOML config (see `icsd relayer config-example`)")
    .option("--log-level <level>", `one of ${LOG_LEVELS.join(", ")}`, "info");
  withExample(
    start,
    "icsd relayer start --config relayer.toml",
    "icsd relayer start --config ~/relayer.toml --log-level debug",
  );
  start.action(async (opts: { config: string; logLevel: string }) => {
    if (!LOG_LEVELS.includes(opts.logLevel))
      throw new IcsdError(
        "INVALID_ARGUMENT",
        `--log-level must be one of ${LOG_LEVELS.join(", ")}, got ${JSON.stringify(opts.logLevel)}`,
      );
    const path = resolve(opts.config);
    if (!existsSync(path))
      throw new IcsdError(
        "CONFIG_NOT_FOUND",
        `no relayer config at ${path} (write one with \`icsd relayer config-example > relayer.toml\`)`,
      );
    // Loaded on demand so the other commands do not pay for (or depend on) the relayer.
    const { loadRelayerConfig, Relayer } = await import("../relayer/index.ts");
    const config = loadRelayerConfig(path);
    const logger = createLogger({ level: opts.logLevel }).child({ module: "relayer" });
    const r = new Relayer(config, logger);
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, "stopping");
      r.stop().then(
        () => process.exit(0),
        (e: unknown) => {
          process.stderr.write(`error: stop failed: ${(e as Error).message}\n`);
          process.exit(1);
        },
      );
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
    await r.start();
  });

  const example = relayer
    .command("config-example")
    .description("Print an example relayer config (TOML) to adapt and pass to `icsd relayer start`");
  withExample(example, "icsd relayer config-example > relayer.toml");
  example.action(() => {
    process.stdout.write(RELAYER_CONFIG_EXAMPLE);
  });
}
