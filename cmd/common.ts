import { type Command, Option } from "commander";
// home.ts, not the node/ index: `icsd start` loads this file and must not load all of node/ with it.
import { defaultHome } from "../node/home.ts";
import { IcsdError } from "../utils/index.ts";

/** Adds `--home <dir>` (default ~/.icsd) to a command. */
export function withHome(cmd: Command, def: string = defaultHome()): Command {
  return cmd.addOption(new Option("--home <dir>", "node home directory").default(def));
}

/** Adds an "Example:" block to a command's help. */
export function withExample(cmd: Command, ...lines: string[]): Command {
  return cmd.addHelpText("after", `\nExample:\n${lines.map((l) => `  $ ${l}`).join("\n")}`);
}

/** Parses a positive integer voting power, or throws a user error naming the flag. */
export function parsePower(text: string, flag = "--power"): bigint {
  if (!/^\d+$/.test(text) || BigInt(text) <= 0n) {
    throw new IcsdError(
      "INVALID_ARGUMENT",
      `${flag} must be a positive integer, got ${JSON.stringify(text)}`,
    );
  }
  return BigInt(text);
}

/** Parses a positive integer flag, or throws a user error naming the flag. */
export function parsePositiveInt(text: string, flag: string, max = 1000): number {
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > max) {
    throw new IcsdError(
      "INVALID_ARGUMENT",
      `${flag} must be an integer between 1 and ${max}, got ${JSON.stringify(text)}`,
    );
  }
  return Number(text);
}

/** Prints a value as indented JSON on stdout. */
export function printJson(v: unknown): void {
  process.stdout.write(`${JSON.stringify(v, null, 2)}\n`);
}
