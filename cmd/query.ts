import { decodeTxRaw, Registry } from "@cosmjs/proto-signing";
import type { DeliverTxResponse, IndexedTx, StargateClient } from "@cosmjs/stargate";
import { type Command, Option } from "commander";
import { sha256 } from "../crypto/index.ts";
import { type ClientConfig, loadClientConfig, parseAccountAddress, rpcHttpUrl } from "../node/index.ts";
import { IcsdError, toBase64, toHexUpper } from "../utils/index.ts";
import { printJson, withExample, withHome } from "./common.ts";
import { outputFormat, withOutput } from "./keys.ts";

/** The flags of every command that talks to a node. */
export interface NodeFlags {
  readonly home: string;
  readonly node?: string;
  readonly output?: string;
}

/** Adds `--node` (default: client.toml node), `--home` and `--output` to a command. */
export function withNodeOptions(cmd: Command): Command {
  withHome(cmd);
  withOutput(cmd);
  return cmd.addOption(new Option("--node <url>", "the node's RPC address (default: client.toml node)"));
}

/**
 * An IcsdError for a failure of a CosmJS call: a transport failure says the node cannot be reached,
 * anything else keeps CosmJS's first line under `what`.
 */
export function clientError(e: unknown, node: string, what: string): IcsdError {
  if (e instanceof IcsdError) return e;
  const err = e as Error & { cause?: { code?: string; message?: string } };
  const msg = err instanceof Error ? err.message : String(e);
  if (msg === "fetch failed" || /ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ETIMEDOUT|socket hang up/.test(msg)) {
    return new IcsdError(
      "RPC_UNREACHABLE",
      `cannot reach ${node}: ${err.cause?.code ?? err.cause?.message ?? msg}`,
      {
        node,
      },
    );
  }
  if (/^Bad status on response/.test(msg))
    return new IcsdError("RPC_BAD_STATUS", `${node}: ${msg}`, { node });
  return new IcsdError("CLIENT_ERROR", `${what}: ${msg.split("\n")[0]}`, { node });
}

/** Connects a read-only CosmJS client to `--node` (or client.toml's node). */
export async function connectQueryClient(
  flags: NodeFlags,
  cfg: ClientConfig,
): Promise<{ client: StargateClient; url: string }> {
  const url = rpcHttpUrl(flags.node ?? cfg.node);
  try {
    // Loaded on use: @cosmjs/stargate is heavy and most icsd commands never need it.
    const { StargateClient } = await import("@cosmjs/stargate");
    return { client: await StargateClient.connect(url), url };
  } catch (e) {
    throw clientError(e, url, "connect");
  }
}

/** A JSON.stringify replacer: bigint as decimal strings, bytes as base64. */
export function jsonReplacer(_key: string, v: unknown): unknown {
  if (typeof v === "bigint") return v.toString();
  if (v instanceof Uint8Array) return toBase64(v);
  return v;
}

async function decodeTx(bytes: Uint8Array): Promise<unknown> {
  const registry = new Registry((await import("@cosmjs/stargate")).defaultRegistryTypes);
  try {
    const tx = decodeTxRaw(bytes);
    const messages = tx.body.messages.map((m) => {
      try {
        return { typeUrl: m.typeUrl, value: registry.decode(m) };
      } catch {
        return { typeUrl: m.typeUrl, value: toBase64(m.value) };
      }
    });
    return { ...tx, body: { ...tx.body, messages } };
  } catch {
    return toBase64(bytes);
  }
}

/** A transaction result as JSON: CosmJS DeliverTxResponse fields (bigints as strings), plus the decoded tx. */
export async function txResultJson(r: DeliverTxResponse | IndexedTx): Promise<Record<string, unknown>> {
  const json: Record<string, unknown> = {
    transactionHash: "transactionHash" in r ? r.transactionHash : r.hash,
    height: r.height,
    txIndex: r.txIndex,
    code: r.code,
    rawLog: r.rawLog ?? "",
    gasWanted: r.gasWanted.toString(),
    gasUsed: r.gasUsed.toString(),
    events: r.events,
    msgResponses: r.msgResponses.map((m) => ({ typeUrl: m.typeUrl, value: toBase64(m.value) })),
  };
  if ("tx" in r) json.tx = JSON.parse(JSON.stringify(await decodeTx(r.tx), jsonReplacer));
  return json;
}

/** The text form of a transaction result. */
export async function txResultText(r: DeliverTxResponse | IndexedTx): Promise<string> {
  const j = await txResultJson(r);
  const lines = [
    `txhash: ${j.transactionHash}`,
    `height: ${r.height}`,
    `code: ${r.code}`,
    `gas used/wanted: ${r.gasUsed}/${r.gasWanted}`,
  ];
  if (r.rawLog) lines.push(`raw_log: ${r.rawLog}`);
  const tx = j.tx as { body?: { messages?: unknown[]; memo?: string } } | undefined;
  for (const m of tx?.body?.messages ?? []) lines.push(`message: ${JSON.stringify(m)}`);
  if (tx?.body?.memo) lines.push(`memo: ${tx.body.memo}`);
  return `${lines.join("\n")}\n`;
}

/** Runs `fn` with a client connected to the node of `flags`, mapping CosmJS errors; disconnects after. */
export async function withQueryClient(
  flags: NodeFlags,
  what: string,
  fn: (client: StargateClient, cfg: ClientConfig) => Promise<void>,
): Promise<void> {
  const cfg = loadClientConfig(flags.home);
  const { client, url } = await connectQueryClient(flags, cfg);
  try {
    await fn(client, cfg);
  } catch (e) {
    throw clientError(e, url, what);
  } finally {
    client.disconnect();
  }
}

function registerBank(query: Command): void {
  const bank = query.command("bank").description("Query the bank module");
  withExample(bank, "icsd query bank balances cosmos1...");
  const balances = bank
    .command("balances")
    .description("Every balance of an address (or one denom with --denom)")
    .argument("<address>", "bech32 account address")
    .option("--denom <denom>", "only this denom");
  withNodeOptions(balances);
  withExample(balances, "icsd query bank balances cosmos1... --denom stake --output json");
  balances.action(async (address: string, opts: NodeFlags & { denom?: string }) => {
    const cfg = loadClientConfig(opts.home);
    const addr = parseAccountAddress(address, cfg.bech32Prefix);
    await withQueryClient(opts, "query balances", async (client) => {
      const json = outputFormat(opts, cfg) === "json";
      if (opts.denom !== undefined) {
        const c = await client.getBalance(addr, opts.denom);
        if (json) printJson({ balance: c });
        else process.stdout.write(`${c.amount}${c.denom}\n`);
        return;
      }
      const all = await client.getAllBalances(addr);
      if (json) printJson({ balances: all });
      else
        process.stdout.write(
          all.length === 0 ? "no balances\n" : all.map((c) => `${c.amount}${c.denom}\n`).join(""),
        );
    });
  });
}

function registerTxAndBlock(query: Command): void {
  const tx = query
    .command("tx")
    .description("A committed transaction by hash, with its result and decoded messages")
    .argument("<hash>", "the transaction hash (64 hex characters)");
  withNodeOptions(tx);
  withExample(tx, "icsd query tx A4E1EFAFDE637D64FF6746DED270244DF424D69331298592EB2AD12782125B68");
  tx.action(async (hash: string, opts: NodeFlags) => {
    if (!/^[0-9a-fA-F]{64}$/.test(hash))
      throw new IcsdError("INVALID_ARGUMENT", "the tx hash must be 64 hex characters");
    await withQueryClient(opts, "query tx", async (client, cfg) => {
      const r = await client.getTx(hash.toUpperCase());
      if (!r) throw new IcsdError("TX_NOT_FOUND", `transaction ${hash.toUpperCase()} not found`);
      if (outputFormat(opts, cfg) === "json") printJson(await txResultJson(r));
      else process.stdout.write(await txResultText(r));
    });
  });

  const block = query
    .command("block")
    .description("A block (the latest when no height is given)")
    .argument("[height]", "block height");
  withNodeOptions(block);
  withExample(block, "icsd query block", "icsd query block 42 --output json");
  block.action(async (height: string | undefined, opts: NodeFlags) => {
    if (
      height !== undefined &&
      (!/^\d+$/.test(height) || Number(height) < 1 || !Number.isSafeInteger(Number(height)))
    )
      throw new IcsdError(
        "INVALID_ARGUMENT",
        `height must be a positive integer, got ${JSON.stringify(height)}`,
      );
    await withQueryClient(opts, "query block", async (client, cfg) => {
      const b = await client.getBlock(height === undefined ? undefined : Number(height));
      const txHashes = b.txs.map((t) => toHexUpper(sha256(t)));
      if (outputFormat(opts, cfg) === "json") {
        printJson({ id: b.id, header: b.header, txs: b.txs.map(toBase64), txHashes });
        return;
      }
      const h = b.header;
      const lines = [`height: ${h.height}`, `hash: ${b.id}`, `chain_id: ${h.chainId}`, `time: ${h.time}`];
      lines.push(`txs: ${b.txs.length}`, ...txHashes.map((x) => `  ${x}`));
      process.stdout.write(`${lines.join("\n")}\n`);
    });
  });
}

function registerAccount(query: Command): void {
  const account = query
    .command("account")
    .description("An account's number, sequence and public key")
    .argument("<address>", "bech32 account address");
  withNodeOptions(account);
  withExample(account, "icsd query account cosmos1... --output json");
  account.action(async (address: string, opts: NodeFlags) => {
    const cfg = loadClientConfig(opts.home);
    const addr = parseAccountAddress(address, cfg.bech32Prefix);
    await withQueryClient(opts, "query account", async (client) => {
      const a = await client.getAccount(addr);
      if (!a) throw new IcsdError("ACCOUNT_NOT_FOUND", `account ${addr} not found`);
      if (outputFormat(opts, cfg) === "json") printJson(JSON.parse(JSON.stringify(a, jsonReplacer)));
      else {
        const pk = a.pubkey ? JSON.stringify(a.pubkey) : "null";
        process.stdout.write(
          `address: ${a.address}\naccount_number: ${a.accountNumber}\nsequence: ${a.sequence}\npubkey: ${pk}\n`,
        );
      }
    });
  });
}

/** `icsd query` (alias `q`): bank balances, tx, block and account, through CosmJS. */
export function registerQuery(program: Command): void {
  const query = program.command("query").alias("q").description("Query a running node (through CosmJS)");
  withExample(query, "icsd query bank balances cosmos1...", "icsd q tx <hash>", "icsd q block 10");
  registerBank(query);
  registerTxAndBlock(query);
  registerAccount(query);
}
