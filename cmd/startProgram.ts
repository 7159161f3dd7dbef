import type { Command } from "commander";
import { rootCommand } from "./root.ts";
import { registerStart } from "./start.ts";

/**
 * The `icsd` program with only `start` registered, for a process that runs the node (cmd/main.ts
 * picks it for `icsd [--trace] start ...`): `start` parses and behaves exactly as in the full program.
 */
export function buildProgram(): Command {
  const program = rootCommand();
  registerStart(program);
  return program;
}
