import { toBech32 } from "@cosmjs/encoding";
import type { Command } from "commander";
import { addressFromPubKey } from "../crypto/index.ts";
import {
  homePaths,
  loadClientConfig,
  loadNodeKey,
  loadValidatorKey,
  nodeIdFromNodeKey,
} from "../node/index.ts";
import { toBase64 } from "../utils/index.ts";
import { printJson, withExample, withHome } from "./common.ts";

/** `icsd show-node-id`, `icsd show-validator` and `icsd show-address`. */
export function registerShow(program: Command): void {
  const nodeId = program
    .command("show-node-id")
    .description("Print this node's libp2p peer id (used in /p2p/<id> of peer addresses)");
  withHome(nodeId);
  withExample(nodeId, "icsd show-node-id --home ~/.icsd");
  nodeId.action((opts: { home: string }) => {
    process.stdout.write(`${nodeIdFromNodeKey(loadNodeKey(homePaths(opts.home).nodeKey))}\n`);
  });

  const val = program.command("show-validator").description("Print this node's validator public key as JSON");
  withHome(val);
  withExample(val, "icsd show-validator --home ~/.icsd");
  val.action((opts: { home: string }) => {
    const key = loadValidatorKey(homePaths(opts.home).privValidatorKey);
    printJson({ "@type": "/cosmos.crypto.ed25519.PubKey", key: toBase64(key.pubKey) });
  });

  const addr = program
    .command("show-address")
    .description(
      "Print this node's consensus address (<prefix>valcons1...: the validator in signing infos and consumer-key queries)",
    );
  withHome(addr);
  withExample(addr, "icsd show-address --home ~/.icsd");
  addr.action((opts: { home: string }) => {
    const key = loadValidatorKey(homePaths(opts.home).privValidatorKey);
    const prefix = loadClientConfig(opts.home).bech32Prefix;
    process.stdout.write(`${toBech32(`${prefix}valcons`, addressFromPubKey(key.pubKey))}\n`);
  });
}
