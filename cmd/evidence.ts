/**
 * `icsd evidence export`: pulls a consumer's committed double-vote evidence out of its RPC in the files
 * `icsd tx provider submit-consumer-double-voting <id> <evidence.json> <header.json>` reads (cmd/
 * txProvider.ts parseDoubleVotingFiles): evidence.json is the `block` route's evidence entry
 * ({type: "tendermint/DuplicateVoteEvidence", value: {vote_a, vote_b, ...}}), header.json the
 * `light_block` route's result at the infraction height plus `trusted_height` and
 * `trusted_validator_set` (the validator set of trusted_height + 1), so the provider's light client of
 * the consumer can verify the header from a height it holds.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Command } from "commander";
import { trustedHeightBelow } from "../relayer/evidence.ts";
import { ChainQueries, httpRpcCaller, type RpcCaller } from "../relayer/index.ts";
import { IcsdError } from "../utils/index.ts";
import { printJson, withExample } from "./common.ts";

/** What `exportEvidence` needs. */
export interface ExportEvidenceOptions {
  /** The consumer's RPC. */
  readonly consumer: RpcCaller;
  /** A consumer block that carries the evidence. */
  readonly height: bigint;
  /** Which of the block's evidence (default 0). */
  readonly index?: number;
  /** A height the provider's client of the consumer holds, below the infraction height. */
  readonly trustedHeight?: bigint;
  /** Else: the provider's RPC and client id, to find the highest such height. */
  readonly provider?: RpcCaller;
  readonly clientId?: string;
}

function bad(message: string): never {
  throw new IcsdError("INVALID_ARGUMENT", message);
}

/** The two files' JSON values, as `exportEvidence` builds them. */
export interface ExportedEvidence {
  readonly evidence: Record<string, unknown>;
  readonly header: Record<string, unknown>;
  readonly infractionHeight: bigint;
  readonly trustedHeight: bigint;
}

/** Reads the evidence and builds the files (see the file comment). */
export async function exportEvidence(o: ExportEvidenceOptions): Promise<ExportedEvidence> {
  const block = (await o.consumer("block", { height: String(o.height) })) as {
    block?: { evidence?: { evidence?: unknown[] } };
  };
  const list = (block?.block?.evidence?.evidence ?? []).filter(
    (e) => (e as { type?: unknown })?.type === "tendermint/DuplicateVoteEvidence",
  );
  const index = o.index ?? 0;
  const entry = list[index] as { value?: { vote_a?: { height?: unknown } } } | undefined;
  if (entry === undefined)
    bad(`block ${o.height} has no duplicate vote evidence #${index} (it has ${list.length})`);
  const h = entry.value?.vote_a?.height;
  if (typeof h !== "string" || !/^\d+$/.test(h)) bad("the evidence's vote_a.height is not a decimal string");
  const infractionHeight = BigInt(h);
  let trusted = o.trustedHeight;
  if (trusted === undefined) {
    if (o.provider === undefined || o.clientId === undefined) {
      bad("give --trusted-height, or --provider-node and --client-id to find one");
    }
    trusted = await trustedHeightBelow(
      new ChainQueries("provider", o.provider),
      o.clientId,
      infractionHeight,
    );
    if (trusted === undefined)
      bad(`the provider's client ${o.clientId} holds no height below ${infractionHeight}`);
  }
  if (trusted >= infractionHeight)
    bad(`trusted height ${trusted} must be below the infraction height ${infractionHeight}`);
  const lb = (await o.consumer("light_block", { height: String(infractionHeight) })) as Record<
    string,
    unknown
  >;
  const next = (await o.consumer("light_block", { height: String(trusted + 1n) })) as Record<string, unknown>;
  return {
    evidence: entry as Record<string, unknown>,
    header: { ...lb, trusted_height: String(trusted), trusted_validator_set: next.validator_set },
    infractionHeight,
    trustedHeight: trusted,
  };
}

function heightFlag(text: string, flag: string): bigint {
  if (!/^\d{1,19}$/.test(text) || BigInt(text) < 1n)
    bad(`${flag} must be a positive integer, got ${JSON.stringify(text)}`);
  return BigInt(text);
}

function indexFlag(text: string): number {
  if (!/^\d{1,4}$/.test(text)) bad(`--index must be a non-negative integer, got ${JSON.stringify(text)}`);
  return Number(text);
}

/**
 * The `icsd evidence` command (`export`), for the lead to register with `program.addCommand(...)`.
 */
export function evidenceCommand(): Command {
  const evidence = new Command("evidence").description("Consumer infraction evidence for the provider");
  const exp = evidence
    .command("export")
    .description(
      "Write a consumer block's double-vote evidence (evidence.json) and the infraction header (header.json) for `icsd tx provider submit-consumer-double-voting`",
    )
    .requiredOption("--node <url>", "the consumer's RPC, e.g. http://127.0.0.1:26757")
    .requiredOption("--height <n>", "the consumer block that carries the evidence")
    .requiredOption("--out-dir <dir>", "where to write evidence.json and header.json")
    .option("--index <n>", "which duplicate vote evidence of the block", "0")
    .option(
      "--trusted-height <n>",
      "a consumer height the provider's client holds, below the infraction height",
    )
    .option("--provider-node <url>", "the provider's RPC, to find a trusted height")
    .option("--client-id <id>", "the provider's client of the consumer (with --provider-node)");
  withExample(
    exp,
    "icsd evidence export --node http://127.0.0.1:26757 --height 42 --out-dir ev --provider-node http://127.0.0.1:26657 --client-id 07-icsd-0",
    "icsd tx provider submit-consumer-double-voting 0 ev/evidence.json ev/header.json --from alice --yes",
  );
  exp.action(
    async (opts: {
      node: string;
      height: string;
      outDir: string;
      index: string;
      trustedHeight?: string;
      providerNode?: string;
      clientId?: string;
    }) => {
      const out = await exportEvidence({
        consumer: httpRpcCaller(opts.node),
        height: heightFlag(opts.height, "--height"),
        index: indexFlag(opts.index),
        ...(opts.trustedHeight === undefined
          ? {}
          : { trustedHeight: heightFlag(opts.trustedHeight, "--trusted-height") }),
        ...(opts.providerNode === undefined ? {} : { provider: httpRpcCaller(opts.providerNode) }),
        ...(opts.clientId === undefined ? {} : { clientId: opts.clientId }),
      });
      mkdirSync(opts.outDir, { recursive: true });
      const evidencePath = join(opts.outDir, "evidence.json");
      const headerPath = join(opts.outDir, "header.json");
      writeFileSync(evidencePath, `${JSON.stringify(out.evidence, null, 2)}\n`);
      writeFileSync(headerPath, `${JSON.stringify(out.header, null, 2)}\n`);
      printJson({
        evidence: evidencePath,
        header: headerPath,
        infraction_height: out.infractionHeight.toString(),
        trusted_height: out.trustedHeight.toString(),
      });
    },
  );
  return evidence;
}
