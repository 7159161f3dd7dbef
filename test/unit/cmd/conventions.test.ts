/**
 * The command line's conventions, checked over the whole command tree (so a command added later is
 * held to them too): every command's help has an example, every transaction takes gaiad's flags,
 * every query takes --node and --output.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Command } from "commander";
import { buildProgram } from "../../../cmd/program.ts";

interface Leaf {
  readonly path: string;
  readonly cmd: Command;
}

function leaves(c: Command, path: readonly string[] = []): Leaf[] {
  const here = [...path, c.name()];
  if (c.commands.length === 0) return [{ path: here.slice(1).join(" "), cmd: c }];
  return c.commands.flatMap((s) => leaves(s, here));
}

/** The full help of a command, text added after the generated part included. */
function helpOf(c: Command): string {
  let out = "";
  c.configureOutput({
    writeOut: (s) => {
      out += s;
    },
    writeErr: () => undefined,
  });
  c.outputHelp();
  return out;
}

function longFlags(c: Command): Set<string> {
  return new Set(c.options.map((o) => o.long ?? ""));
}

const TX_FLAGS = [
  "--home",
  "--node",
  "--chain-id",
  "--keyring-backend",
  "--gas",
  "--gas-adjustment",
  "--gas-prices",
  "--fees",
  "--yes",
  "--output",
];

describe("command-line conventions", { timeout: 30_000 }, () => {
  const all = leaves(buildProgram());

  it("walks a tree of real size", () => {
    assert.ok(all.length > 100, `only ${all.length} commands`);
    assert.ok(all.some((l) => l.path === "tx provider submit-consumer-double-voting"));
  });

  it("shows an example in the help of every command", () => {
    const missing = all.filter((l) => !/Example/.test(helpOf(l.cmd))).map((l) => l.path);
    assert.deepEqual(missing, []);
  });

  it("gives every transaction gaiad's signing and fee flags, and --from unless the sender is an argument", () => {
    const txs = all.filter((l) => l.path.startsWith("tx "));
    assert.ok(txs.length > 20);
    for (const { path, cmd } of txs) {
      const flags = longFlags(cmd);
      for (const f of TX_FLAGS) assert.ok(flags.has(f), `${path} lacks ${f}`);
      // `tx bank send <from> <to> <amount>` names the sender as its first argument, as gaiad does.
      if (path === "tx bank send") assert.equal(cmd.registeredArguments[0]?.name(), "from");
      else assert.ok(flags.has("--from"), `${path} lacks --from`);
    }
  });

  it("gives every query --node and --output", () => {
    const queries = all.filter((l) => l.path.startsWith("query "));
    assert.ok(queries.length > 40);
    for (const { path, cmd } of queries) {
      const flags = longFlags(cmd);
      for (const f of ["--node", "--output"]) assert.ok(flags.has(f), `${path} lacks ${f}`);
    }
  });

  it("documents --gas auto and the output formats where they are accepted", () => {
    const send = all.find((l) => l.path === "tx staking delegate")!.cmd;
    const help = helpOf(send);
    assert.match(help, /--gas <n\|auto>\s+"auto" simulates the tx/);
    assert.match(help, /--output <format>\s+text or json/);
  });
});
