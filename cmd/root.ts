import { Command } from "commander";

/** The root `icsd` command (description, version, global options), with no subcommands yet. */
export function rootCommand(): Command {
  return new Command("icsd")
    .description("icsd: an interchain-security node (provider and consumer chains on Tendermint BFT)")
    .version("0.1.0")
    .option("--trace", "print the stack trace of unexpected errors", false)
    .showHelpAfterError(false)
    .configureOutput({
      // commander puts "(Did you mean ...?)" on a second line; keep each error to one line.
      outputError: (str, write) => write(`${str.trim().replace(/\n+/g, " ")}\n`),
    });
}
