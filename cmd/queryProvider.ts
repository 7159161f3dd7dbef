import { fromBech32 } from "@cosmjs/encoding";
import type { Command } from "commander";
import type { ClientConfig } from "../node/index.ts";
import { fromUtf8, IcsdError, utf8 } from "../utils/index.ts";
import { printJson, withExample } from "./common.ts";
import { type NodeFlags, type ProtoType, queryCommand, toYaml } from "./query.ts";
import { parseConsAddress } from "./querySlashing.ts";

/** The ABCI query path prefix of the provider module's JSON queries. */
export const PROVIDER_QUERY = "/icsd.provider.v1.Query/";

type Json = Record<string, unknown>;

/**
 * A "codec" for the icsd modules' JSON queries (request and response bytes are UTF-8 JSON), so they go
 * through the same abci_query plumbing as the protobuf ones.
 */
export const JsonQueryType: ProtoType<Json> = {
  encode: (m) => ({ finish: () => utf8(JSON.stringify(m)) }),
  decode(input) {
    if (input.length === 0) return {};
    const text = fromUtf8(input);
    try {
      return JSON.parse(text) as Json;
    } catch {
      throw new IcsdError(
        "QUERY_BAD_RESPONSE",
        `the node answered with something other than JSON: ${text.slice(0, 80)}`,
      );
    }
  },
  fromPartial: (o: never) => o as Json,
  toJSON: (m) => m,
};

/** Prints a JSON query response: pretty JSON by default, YAML with `--output text`. */
export function printQueryJson(flags: NodeFlags, v: unknown): void {
  if (flags.output === "text") process.stdout.write(`${toYaml(v)}\n`);
  else printJson(v);
}

/**
 * A JSON query subcommand: `prepare` validates the arguments before any connection and returns the
 * query name and request; the response is printed (after `pick`, when given).
 */
export function jsonQueryCommand(
  parent: Command,
  prefix: string,
  name: string,
  description: string,
  prepare: (
    args: string[],
    opts: NodeFlags & Json,
    cfg: ClientConfig,
  ) => { query: string; req: Json; pick?: (res: Json) => unknown },
): Command {
  const cmd = queryCommand(parent, name, description, false, (args, opts, cfg) => {
    const { query, req, pick } = prepare(args, opts as unknown as NodeFlags & Json, cfg);
    return async (q) => {
      const res = await q(`${prefix}${query}`, JsonQueryType, req, JsonQueryType);
      printQueryJson(opts, pick ? pick(res) : res);
    };
  });
  // JSON is the default here (the consumer genesis is piped into files); --output text gives YAML.
  return cmd;
}

const MAX_UINT64 = (1n << 64n) - 1n;

/** A consumer id: a uint64 in decimal, as the provider assigns them ("0", "1", ...). */
export function parseConsumerId(text: string): string {
  if (!/^\d{1,20}$/.test(text) || BigInt(text) > MAX_UINT64)
    throw new IcsdError(
      "INVALID_ARGUMENT",
      `consumer-id must be a non-negative integer such as 0, got ${JSON.stringify(text)}`,
    );
  return BigInt(text).toString();
}

/** The phases of a consumer chain (reference ConsumerPhase), by their short names. */
export const CONSUMER_PHASES = ["registered", "initialized", "launched", "stopped", "deleted"] as const;

/** `launched` or `CONSUMER_PHASE_LAUNCHED` → `CONSUMER_PHASE_LAUNCHED`; INVALID_ARGUMENT otherwise. */
export function parseConsumerPhase(text: string): string {
  const short = text.toLowerCase().replace(/^consumer_phase_/, "");
  if (!(CONSUMER_PHASES as readonly string[]).includes(short))
    throw new IcsdError(
      "INVALID_ARGUMENT",
      `--phase must be one of ${CONSUMER_PHASES.join(", ")}, got ${JSON.stringify(text)}`,
    );
  return `CONSUMER_PHASE_${short.toUpperCase()}`;
}

/** A bech32 address of this chain (account, valoper or valcons form); INVALID_ADDRESS otherwise. */
export function parseChainAddress(text: string, accountPrefix: string): string {
  let prefix: string;
  try {
    prefix = fromBech32(text, 90).prefix;
  } catch (e) {
    throw new IcsdError(
      "INVALID_ADDRESS",
      `invalid address ${JSON.stringify(text)}: ${(e as Error).message}`,
    );
  }
  if (![accountPrefix, `${accountPrefix}valoper`, `${accountPrefix}valcons`].includes(prefix))
    throw new IcsdError(
      "INVALID_ADDRESS",
      `invalid address ${JSON.stringify(text)}: expected prefix ${accountPrefix}, ${accountPrefix}valoper or ${accountPrefix}valcons`,
    );
  return text.toLowerCase();
}

/**
 * `icsd query provider list-consumer-chains|consumer-chain|consumer-genesis|consumer-validators|
 * validator-consumer-key|validator-provider-key|throttle-state|rewards|params`: the provider module's JSON
 * queries (`/icsd.provider.v1.Query/<Name>`).
 */
export function registerProviderQuery(query: Command): void {
  const provider = query
    .command("provider")
    .description("Query the provider module (interchain security): consumer chains, keys, throttling");
  withExample(
    provider,
    "icsd query provider list-consumer-chains",
    "icsd query provider consumer-genesis 0 > ccv.json",
  );
  const cmd = (name: string, description: string, prepare: Parameters<typeof jsonQueryCommand>[4]): Command =>
    jsonQueryCommand(provider, PROVIDER_QUERY, name, description, prepare);

  const list = cmd("list-consumer-chains", "Every consumer chain (optionally in one phase)", (_a, opts) => ({
    query: "ConsumerChains",
    req: typeof opts.phase === "string" ? { phase: parseConsumerPhase(opts.phase) } : {},
  }));
  list.option("--phase <phase>", `only chains in this phase: ${CONSUMER_PHASES.join(", ")}`);
  withExample(list, "icsd query provider list-consumer-chains --phase launched");

  const chain = cmd("consumer-chain", "A consumer chain: phase, owner, metadata and parameters", ([id]) => ({
    query: "ConsumerChain",
    req: { consumer_id: parseConsumerId(id!) },
  }));
  chain.argument("<consumer-id>", "the consumer id (see list-consumer-chains)");
  withExample(chain, "icsd query provider consumer-chain 0");

  const genesis = cmd(
    "consumer-genesis",
    "The genesis of a launched consumer chain: its app_state.ccvconsumer (see `icsd init --mode consumer`)",
    ([id]) => ({
      query: "ConsumerGenesis",
      req: { consumer_id: parseConsumerId(id!) },
      // Print the state itself (what app_state.ccvconsumer holds), also if the response wraps it.
      pick: (res) => (res.params === undefined && res.genesis_state !== undefined ? res.genesis_state : res),
    }),
  );
  genesis.argument("<consumer-id>", "the consumer id");
  withExample(
    genesis,
    "icsd query provider consumer-genesis 0 > ccv.json",
    "icsd init cnode --mode consumer --chain-id consumer-1 --consumer-genesis ccv.json",
  );

  const vals = cmd(
    "consumer-validators",
    "The validator set of a consumer chain as the provider last computed it (consumer keys and powers)",
    ([id]) => ({ query: "ConsumerValidators", req: { consumer_id: parseConsumerId(id!) } }),
  );
  vals.argument("<consumer-id>", "the consumer id");
  withExample(vals, "icsd query provider consumer-validators 0");

  const key = cmd(
    "validator-consumer-key",
    "The consensus key a provider validator uses on a consumer chain",
    ([id, addr], _o, cfg) => ({
      query: "ValidatorConsumerKey",
      req: { consumer_id: parseConsumerId(id!), provider_address: parseConsAddress(addr!, cfg.bech32Prefix) },
    }),
  );
  key
    .argument("<consumer-id>", "the consumer id")
    .argument("<provider-valcons-addr>", "the validator's provider consensus address (cosmosvalcons1...)");
  withExample(key, "icsd query provider validator-consumer-key 0 cosmosvalcons1...");

  const addr = cmd(
    "validator-provider-key",
    "The provider consensus address of the validator with this consensus address on a consumer chain",
    ([id, a], _o, cfg) => ({
      query: "ValidatorProviderAddr",
      req: { consumer_id: parseConsumerId(id!), consumer_address: parseConsAddress(a!, cfg.bech32Prefix) },
    }),
  );
  addr
    .argument("<consumer-id>", "the consumer id")
    .argument("<consumer-valcons-addr>", "the validator's consumer consensus address (cosmosvalcons1...)");
  withExample(addr, "icsd query provider validator-provider-key 0 cosmosvalcons1...");

  const throttle = cmd(
    "throttle-state",
    "The slash meter: its value, allowance and next replenish time",
    () => ({
      query: "ThrottleState",
      req: {},
    }),
  );
  withExample(throttle, "icsd query provider throttle-state");

  const rewards = cmd(
    "rewards",
    "Consumer rewards accrued to an address (account or validator operator)",
    ([a], _o, cfg) => ({ query: "Rewards", req: { address: parseChainAddress(a!, cfg.bech32Prefix) } }),
  );
  rewards.argument("<address>", "an account (cosmos1...) or operator (cosmosvaloper1...) address");
  withExample(rewards, "icsd query provider rewards cosmosvaloper1...");

  const params = cmd("params", "The provider module's parameters", () => ({ query: "Params", req: {} }));
  withExample(params, "icsd query provider params");
}
