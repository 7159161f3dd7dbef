import { enableCompileCache } from "node:module";
import { isStartCommand, restartWithStartFlags } from "./runtime.ts";

// Before anything else is loaded: `icsd start` restarts itself with the V8 flags a long-running node
// wants (cmd/runtime.ts), and every command caches compiled (and type-stripped) modules across runs.
const start = isStartCommand(process.argv.slice(2));
if (start) restartWithStartFlags();
enableCompileCache();

const { IcsdError } = await import("../utils/index.ts");
// `icsd start` builds a program with only its own command: the other commands' modules (RPC clients,
// devnet, relayer, keyring, CosmJS) would stay loaded, about 10 MB, in a node that never uses them.
const { buildProgram } = start ? await import("./startProgram.ts") : await import("./program.ts");

/**
 * The `icsd` entry point. A user error (IcsdError) prints one line on stderr and exits 1; an unexpected
 * error prints its message with a hint, or its stack with --trace.
 */
async function main(argv: string[]): Promise<void> {
  const trace = argv.includes("--trace");
  try {
    await buildProgram().parseAsync(argv);
  } catch (e) {
    if (e instanceof IcsdError) {
      process.stderr.write(`error: ${e.message}\n`);
    } else if (trace) {
      process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    } else {
      const msg = e instanceof Error ? e.message : String(e);
      process.stderr.write(`error: ${msg.split("\n")[0]} (run again with --trace for the stack trace)\n`);
    }
    // Exit now: a half-started node may hold handles open that would keep the process alive.
    process.exit(1);
  }
}

// `icsd ... | head`: the reader went away; stop quietly as other command-line tools do.
process.stdout.on("error", (e: NodeJS.ErrnoException) => {
  if (e.code === "EPIPE") process.exit(0);
  throw e;
});

await main(process.argv);
