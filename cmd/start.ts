import { flushCompileCache } from "node:module";
import type { Command } from "commander";
import { withExample, withHome } from "./common.ts";
import { restartWithoutTypeStripper } from "./runtime.ts";

/** What node/node.ts provides (written by the node assembly). */
type StartNode = (opts: { home: string; checkInvariants?: boolean }) => Promise<{ stop(): Promise<void> }>;

/** `icsd start`: runs the node until SIGINT/SIGTERM, then stops it cleanly and exits 0. */
export function registerStart(program: Command): void {
  const cmd = program
    .command("start")
    .description("Run the node in the foreground until interrupted (Ctrl-C or SIGTERM)");
  withHome(cmd);
  cmd.option(
    "--check-invariants",
    "check every module invariant after each block and halt on a broken one (slow; for testing)",
    false,
  );
  withExample(cmd, "icsd start --home ~/.icsd");
  cmd.action(async (opts: { home: string; checkInvariants: boolean }) => {
    // Loaded on demand so the other commands do not pay for (or depend on) the whole node.
    const { startNode } = (await import("../node/node.ts")) as { startNode: StartNode };
    restartWithoutTypeStripper();
    const node = await startNode({ home: opts.home, checkInvariants: opts.checkInvariants });
    // Node writes the compile cache at exit, which a killed node never reaches: write what it compiled
    // now (the node_modules JavaScript the cache did not hold yet), so that its next start is faster.
    flushCompileCache();
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) return;
      stopping = true;
      process.stderr.write(`received ${signal}, stopping\n`);
      node.stop().then(
        () => process.exit(0),
        (e: unknown) => {
          process.stderr.write(`error: stop failed: ${(e as Error).message}\n`);
          process.exit(1);
        },
      );
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
  });
}
