import { decodeTxRaw, Registry } from "@cosmjs/proto-signing";
import type { DeliverTxResponse, IndexedTx, StargateClient } from "@cosmjs/stargate";
import { type Command, Option } from "commander";
import { sha256 } from "../crypto/index.ts";
import { type ClientConfig, loadClientConfig, parseAccountAddress, rpcHttpUrl } from "../node/index.ts";
import { IcsdError, toBase64, toHexUpper } from "../utils/index.ts";
import { printJson, withExample, withHome } from "./common.ts";
import { outputFormat, withOutput } from "./keys.ts";
import { registerDistributionQuery } from "./queryDistribution.ts";
import { registerGovQuery } from "./queryGov.ts";
import { registerIbcQuery } from "./queryIbc.ts";
import { registerSlashingQuery } from "./querySlashing.ts";
import { registerStakingQuery } from "./queryStaking.ts";

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

/** A protobuf message codec as cosmjs-types generates it. */
export interface ProtoType<T> {
  encode(message: T): { finish(): Uint8Array };
  decode(input: Uint8Array): T;
  fromPartial(object: never): T;
  toJSON(message: T): unknown;
}

/** Sends one gRPC-path query (`/cosmos.staking.v1beta1.Query/Validator`) through abci_query. */
export type AbciQuery = <Req, Res>(
  path: string,
  reqType: ProtoType<Req>,
  req: Req,
  resType: ProtoType<Res>,
) => Promise<Res>;

/** Runs `fn` with an abci_query function on the node of `flags`, mapping CosmJS errors; disconnects after. */
export async function withAbciQuery(
  flags: NodeFlags,
  what: string,
  fn: (query: AbciQuery, cfg: ClientConfig) => Promise<void>,
): Promise<void> {
  const cfg = loadClientConfig(flags.home);
  const url = rpcHttpUrl(flags.node ?? cfg.node);
  // Loaded on use: heavy, and most icsd commands never need them.
  const { connectComet } = await import("@cosmjs/tendermint-rpc");
  const { QueryClient } = await import("@cosmjs/stargate");
  let comet: Awaited<ReturnType<typeof connectComet>>;
  try {
    comet = await connectComet(url);
  } catch (e) {
    throw clientError(e, url, "connect");
  }
  const qc = new QueryClient(comet);
  const query: AbciQuery = async (path, reqType, req, resType) =>
    resType.decode((await qc.queryAbci(path, reqType.encode(req).finish())).value);
  try {
    await fn(query, cfg);
  } catch (e) {
    throw clientError(e, url, what);
  } finally {
    comet.disconnect();
  }
}

// Fields whose wire value is a LegacyDec in atomics ("100000000000000000") and are shown as gaiad does
// ("0.100000000000000000"): plain strings, DecCoin lists, and x/slashing's bytes-encoded decimals.
const DEC_KEYS = new Set([
  "rate",
  "max_rate",
  "max_change_rate",
  "delegator_shares",
  "shares",
  "shares_dst",
  "min_commission_rate",
  "community_tax",
  "base_proposer_reward",
  "bonus_proposer_reward",
  "inflation_rate_change",
  "inflation_max",
  "inflation_min",
  "goal_bonded",
  "inflation",
  "annual_provisions",
]);
const DEC_COIN_KEYS = new Set(["rewards", "reward", "total", "commission", "pool"]);
const DEC_BYTES_KEYS = new Set([
  "min_signed_per_window",
  "slash_fraction_double_sign",
  "slash_fraction_downtime",
]);

function atomicsToDec(s: string): string {
  if (!/^-?\d+$/.test(s)) return s;
  const neg = s.startsWith("-");
  const digits = (neg ? s.slice(1) : s).padStart(19, "0");
  return `${neg ? "-" : ""}${BigInt(digits.slice(0, -18))}.${digits.slice(-18)}`;
}

/** Decodes an `Any` of a known type to its proto JSON (`@type` first), or returns undefined. */
export type AnyDecoder = (typeUrl: string, value: Uint8Array) => Record<string, unknown> | undefined;

function pubKeyAny(typeUrl: string, value: Uint8Array): Record<string, unknown> | undefined {
  if (typeUrl !== "/cosmos.crypto.ed25519.PubKey" && typeUrl !== "/cosmos.crypto.secp256k1.PubKey") return;
  // Both PubKey messages are { bytes key = 1; }: a 0x0a tag, a one-byte length, the key.
  return value[0] === 0x0a && value[1] === value.length - 2
    ? { "@type": typeUrl, key: toBase64(value.subarray(2)) }
    : undefined;
}

/**
 * The cosmjs-types `toJSON` of a query response in the shape gaiad prints: snake_case keys, durations as
 * "1814400s", known `Any`s expanded with `@type`, LegacyDec atomics as decimals.
 */
export function protoJson(v: unknown, decodeAny: AnyDecoder = pubKeyAny, key = ""): unknown {
  if (Array.isArray(v)) {
    if (DEC_COIN_KEYS.has(key) && v.every((c) => typeof c === "object" && c && "denom" in c && "amount" in c))
      return v.map((c) => ({ denom: c.denom, amount: atomicsToDec(String(c.amount)) }));
    return v.map((x) => protoJson(x, decodeAny));
  }
  if (typeof v === "string") {
    if (DEC_KEYS.has(key)) return atomicsToDec(v);
    if (DEC_BYTES_KEYS.has(key)) return atomicsToDec(Buffer.from(v, "base64").toString("utf8"));
    return v;
  }
  if (typeof v !== "object" || v === null) return v;
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o);
  if (keys.length === 2 && typeof o.seconds === "string" && typeof o.nanos === "number") {
    const ns = o.nanos === 0 ? "" : `.${String(o.nanos).padStart(9, "0").replace(/0+$/, "")}`;
    return `${o.seconds}${ns}s`;
  }
  if (keys.length === 2 && typeof o.typeUrl === "string" && typeof o.value === "string") {
    const bytes = Buffer.from(o.value, "base64");
    const decoded = decodeAny(o.typeUrl, bytes) ?? pubKeyAny(o.typeUrl, bytes);
    if (decoded) return protoJson(decoded, decodeAny);
  }
  const out: Record<string, unknown> = {};
  for (const k of keys) {
    const snake = k.startsWith("@") ? k : k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
    out[snake] = protoJson(o[k], decodeAny, snake);
  }
  return out;
}

function yamlScalar(v: unknown): string {
  if (v === null || v === undefined) return "null";
  if (typeof v !== "string") return String(v);
  return v === "" ||
    /^[\s\-?:,[\]{}#&*!|>'"%@`]|: |\s$|^(true|false|null|~|\d[\d.e+-]*)$/i.test(v) ||
    v.includes("\n")
    ? JSON.stringify(v)
    : v;
}

/** A YAML rendering of plain JSON data (the SDK CLI's text output). */
export function toYaml(v: unknown, indent = ""): string {
  if (Array.isArray(v)) {
    if (v.length === 0) return "[]";
    return v
      .map((x) => {
        const inner = toYaml(x, `${indent}  `);
        return typeof x === "object" && x !== null && !Array.isArray(x) && Object.keys(x).length > 0
          ? `${indent}- ${inner.trimStart()}`
          : `${indent}- ${inner.trim()}`;
      })
      .join("\n");
  }
  if (typeof v === "object" && v !== null) {
    const entries = Object.entries(v);
    if (entries.length === 0) return "{}";
    return entries
      .map(([k, x]) => {
        const isBlock =
          typeof x === "object" &&
          x !== null &&
          (Array.isArray(x) ? x.length > 0 : Object.keys(x).length > 0);
        return isBlock
          ? `${indent}${yamlScalar(k)}:\n${toYaml(x, Array.isArray(x) ? indent : `${indent}  `)}`
          : `${indent}${yamlScalar(k)}: ${toYaml(x)}`;
      })
      .join("\n");
  }
  return yamlScalar(v);
}

/** Prints a query response (`resType.toJSON`, see protoJson) as JSON or, with text output, as YAML. */
export function printProto<T>(
  flags: NodeFlags,
  cfg: ClientConfig,
  resType: ProtoType<T>,
  res: T,
  decodeAny?: AnyDecoder,
): void {
  const json = protoJson(resType.toJSON(res), decodeAny);
  if (outputFormat(flags, cfg) === "json") printJson(json);
  else process.stdout.write(`${toYaml(json)}\n`);
}

/** Adds `--limit` and `--page-key` (one page of a list query, as gaiad's pagination flags). */
export function withPagination(cmd: Command): Command {
  return cmd
    .option("--limit <n>", "at most this many results", "100")
    .option("--page-key <base64>", "the next_key of the previous page")
    .option("--count-total", "also count the total number of results", false);
}

/** The PageRequest of `--limit`, `--page-key` and `--count-total`. */
export function pageRequest(opts: { limit: string; pageKey?: string; countTotal: boolean }): {
  key: Uint8Array;
  offset: bigint;
  limit: bigint;
  countTotal: boolean;
  reverse: boolean;
} {
  if (!/^\d+$/.test(opts.limit) || BigInt(opts.limit) < 1n || BigInt(opts.limit) > 10_000n)
    throw new IcsdError(
      "INVALID_ARGUMENT",
      `--limit must be an integer between 1 and 10000, got ${JSON.stringify(opts.limit)}`,
    );
  let key = new Uint8Array();
  if (opts.pageKey !== undefined) {
    if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(opts.pageKey))
      throw new IcsdError(
        "INVALID_ARGUMENT",
        "--page-key must be base64 (the next_key of the previous page)",
      );
    key = new Uint8Array(Buffer.from(opts.pageKey, "base64"));
  }
  return { key, offset: 0n, limit: BigInt(opts.limit), countTotal: opts.countTotal, reverse: false };
}

/** The options every module query command gets (node, output and pagination flags). */
export interface QueryFlags extends NodeFlags {
  readonly limit: string;
  readonly pageKey?: string;
  readonly countTotal: boolean;
}

/**
 * A module query subcommand of `parent` with the node flags (and pagination flags when `paged`).
 * `prepare` validates the arguments (before any connection) and returns the query to run on the node.
 */
export function queryCommand(
  parent: Command,
  name: string,
  description: string,
  paged: boolean,
  prepare: (args: string[], opts: QueryFlags, cfg: ClientConfig) => (query: AbciQuery) => Promise<void>,
): Command {
  const cmd = parent.command(name).description(description);
  withNodeOptions(cmd);
  if (paged) withPagination(cmd);
  cmd.action(async (...all: unknown[]) => {
    const opts = all[all.length - 2] as QueryFlags;
    const args = (all.slice(0, all.length - 2) as (string | undefined)[]).map((a) => a ?? "");
    const run = prepare(args, opts, loadClientConfig(opts.home));
    await withAbciQuery(opts, `query ${parent.name()} ${name}`, (query) => run(query));
  });
  return cmd;
}

/** Parses a proposal id (a positive uint64); INVALID_ARGUMENT otherwise. */
export function parseProposalId(text: string): bigint {
  if (!/^\d{1,20}$/.test(text) || BigInt(text) < 1n || BigInt(text) >= 2n ** 64n)
    throw new IcsdError(
      "INVALID_ARGUMENT",
      `proposal-id must be a positive integer, got ${JSON.stringify(text)}`,
    );
  return BigInt(text);
}

/** `icsd query` (alias `q`): bank balances, tx, block and account, and the staking, distribution,
 * slashing and gov modules, through CosmJS. */
export function registerQuery(program: Command): void {
  const query = program.command("query").alias("q").description("Query a running node (through CosmJS)");
  withExample(query, "icsd query bank balances cosmos1...", "icsd q tx <hash>", "icsd q block 10");
  registerBank(query);
  registerTxAndBlock(query);
  registerAccount(query);
  registerStakingQuery(query);
  registerDistributionQuery(query);
  registerSlashingQuery(query);
  registerGovQuery(query);
  registerIbcQuery(query);
}
