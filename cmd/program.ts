import type { Command } from "commander";
import { registerDevnet } from "./devnet.ts";
import { evidenceCommand } from "./evidence.ts";
import { registerGenesis } from "./genesis.ts";
import { registerInit } from "./init.ts";
import { registerKeys } from "./keys.ts";
import { registerQuery } from "./query.ts";
import { registerConsumerQuery } from "./queryConsumer.ts";
import { registerProviderQuery } from "./queryProvider.ts";
import { registerRelayer } from "./relayer.ts";
import { rootCommand } from "./root.ts";
import { registerShow } from "./show.ts";
import { registerStart } from "./start.ts";
import { registerStatus } from "./status.ts";
import { registerTestnet } from "./testnet.ts";
import { registerTx } from "./tx.ts";
import { registerProviderTx } from "./txProvider.ts";

function subcommand(program: Command, name: string): Command {
  const c = program.commands.find((x) => x.name() === name);
  if (!c) throw new Error(`no ${name} command`);
  return c;
}

/** The `icsd` command tree (commander), without running it. */
export function buildProgram(): Command {
  const program = rootCommand();
  registerInit(program);
  registerGenesis(program);
  registerStart(program);
  registerShow(program);
  registerStatus(program);
  registerDevnet(program);
  registerTestnet(program);
  registerKeys(program);
  registerTx(program);
  registerQuery(program);
  // Interchain security: `tx provider`, `query provider` and `query consumer` hang off the tx and query
  // trees registered above.
  registerProviderTx(subcommand(program, "tx"));
  registerProviderQuery(subcommand(program, "query"));
  registerConsumerQuery(subcommand(program, "query"));
  program.addCommand(evidenceCommand());
  registerRelayer(program);
  program.addHelpText(
    "after",
    "\nExample:\n  $ icsd init node0 --chain-id provider-1\n  $ icsd start\n  $ icsd devnet up --validators 4",
  );
  return program;
}
