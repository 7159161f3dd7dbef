import type { Command } from "commander";
import { rpcCall } from "../rpc/index.ts";
import { printJson, withExample } from "./common.ts";

/** `icsd status [--node URL]`: prints the node's RPC `status` result. */
export function registerStatus(program: Command): void {
  const cmd = program
    .command("status")
    .description("Query a running node's status over RPC and print it as JSON")
    .option("--node <url>", "the node's RPC address", "http://127.0.0.1:26657");
  withExample(cmd, "icsd status --node http://127.0.0.1:26657");
  cmd.action(async (opts: { node: string }) => {
    const url = opts.node.replace(/^tcp:\/\//, "http://");
    printJson(await rpcCall(url, "status"));
  });
}
