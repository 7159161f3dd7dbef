import type { Command } from "commander";
import { IcsdError } from "../utils/index.ts";
import { withExample } from "./common.ts";
import { jsonQueryCommand } from "./queryProvider.ts";

/** The ABCI query path prefix of the consumer module's JSON queries. */
export const CONSUMER_QUERY = "/icsd.consumer.v1.Query/";

/** A block height (a positive int64); INVALID_ARGUMENT otherwise. */
export function parseHeight(text: string): string {
  if (!/^\d{1,19}$/.test(text) || BigInt(text) < 1n || BigInt(text) >= 2n ** 63n)
    throw new IcsdError("INVALID_ARGUMENT", `height must be a positive integer, got ${JSON.stringify(text)}`);
  return BigInt(text).toString();
}

/**
 * `icsd query consumer params|provider-info|validators|pending-packets|slash-record|vsc-id-at-height|
 * next-fee-distribution`: the consumer module's JSON queries (`/icsd.consumer.v1.Query/<Name>`), run
 * against a consumer chain's node.
 */
export function registerConsumerQuery(query: Command): void {
  const consumer = query
    .command("consumer")
    .description("Query the consumer module of a consumer chain (interchain security)");
  withExample(consumer, "icsd query consumer provider-info --node tcp://127.0.0.1:36657");
  const cmd = (name: string, description: string, prepare: Parameters<typeof jsonQueryCommand>[4]): Command =>
    jsonQueryCommand(consumer, CONSUMER_QUERY, name, description, prepare);

  withExample(
    cmd("params", "The consumer module's parameters (from the consumer genesis)", () => ({
      query: "Params",
      req: {},
    })),
    "icsd query consumer params",
  );
  withExample(
    cmd(
      "provider-info",
      "The provider chain and the CCV channel: chain ids, client and channel ids, whether the channel is established or closed",
      () => ({ query: "ProviderInfo", req: {} }),
    ),
    "icsd query consumer provider-info",
  );
  withExample(
    cmd("validators", "The consumer's current validator set (from the provider's VSC packets)", () => ({
      query: "Validators",
      req: {},
    })),
    "icsd query consumer validators",
  );
  withExample(
    cmd("pending-packets", "Slash and VSC-matured packets waiting to be sent to the provider", () => ({
      query: "PendingPackets",
      req: {},
    })),
    "icsd query consumer pending-packets",
  );
  withExample(
    cmd(
      "slash-record",
      "The slash packet in flight to the provider, if any (throttling retry state)",
      () => ({
        query: "SlashRecord",
        req: {},
      }),
    ),
    "icsd query consumer slash-record",
  );
  const vsc = cmd("vsc-id-at-height", "The VSC id in force at a consumer height", ([h]) => ({
    query: "VscIdAtHeight",
    req: { height: parseHeight(h!) },
  }));
  vsc.argument("<height>", "a consumer block height");
  withExample(vsc, "icsd query consumer vsc-id-at-height 120");
  withExample(
    cmd(
      "next-fee-distribution",
      "When and how much the consumer next sends to the provider's reward pool",
      () => ({
        query: "NextFeeDistribution",
        req: {},
      }),
    ),
    "icsd query consumer next-fee-distribution",
  );
}
