import type { Command } from "commander";
import { initHome } from "../node/index.ts";
import { toHexUpper } from "../utils/index.ts";
import { parsePower, printJson, withExample, withHome } from "./common.ts";

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
    .option("--overwrite", "replace an existing genesis.json (keys and config are kept)", false);
  withHome(cmd);
  withExample(
    cmd,
    "icsd init node0 --chain-id provider-1",
    "icsd init node1 --chain-id provider-1 --home ~/.icsd-node1",
  );
  cmd.action(
    (moniker: string, opts: { chainId: string; power: string; overwrite: boolean; home: string }) => {
      const r = initHome({
        home: opts.home,
        moniker,
        chainId: opts.chainId,
        power: parsePower(opts.power),
        overwrite: opts.overwrite,
      });
      printJson({
        moniker,
        chain_id: opts.chainId,
        home: r.paths.home,
        node_id: r.peerId,
        validator_address: toHexUpper(r.validatorKey.address),
        genesis: r.paths.genesis,
      });
    },
  );
}
