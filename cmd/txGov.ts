import { readFileSync } from "node:fs";
import { toBech32 } from "@cosmjs/encoding";
import type { Command } from "commander";
import { MsgSend } from "cosmjs-types/cosmos/bank/v1beta1/tx";
import {
  MsgUpdateParams as DistributionUpdateParams,
  MsgCommunityPoolSpend,
} from "cosmjs-types/cosmos/distribution/v1beta1/tx";
import {
  MsgUpdateParams as GovUpdateParams,
  MsgDeposit,
  MsgSubmitProposal,
  MsgVote,
} from "cosmjs-types/cosmos/gov/v1/tx";
import { MsgUpdateParams as MintUpdateParams } from "cosmjs-types/cosmos/mint/v1beta1/tx";
import { MsgUpdateParams as SlashingUpdateParams } from "cosmjs-types/cosmos/slashing/v1beta1/tx";
import { MsgUpdateParams as StakingUpdateParams } from "cosmjs-types/cosmos/staking/v1beta1/tx";
import type { Any } from "cosmjs-types/google/protobuf/any";
import { sha256 } from "../crypto/index.ts";
import { formatCoins, parseCoins } from "../node/index.ts";
import { IcsdError } from "../utils/index.ts";
import { withExample } from "./common.ts";
import { type ProtoType, parseProposalId } from "./query.ts";
import { fromTxCommand, parseOneCoin, signAndBroadcast, wireCoin } from "./tx.ts";

/** A message type a proposal may carry, with how its SDK proto JSON maps onto cosmjs-types' fromJSON. */
interface ProposalMsgType {
  readonly codec: ProtoType<unknown> & { fromJSON(o: unknown): unknown };
  /** The field that must be the gov module account. */
  readonly signer: string;
  /** Duration fields ("1814400s" in the SDK JSON), as camelCase paths. */
  readonly durations?: readonly string[];
  /** LegacyDec string fields sent as 18-decimal atomics. */
  readonly decs?: readonly string[];
  /** LegacyDec bytes fields (x/slashing) sent as the atomics' ASCII. */
  readonly decBytes?: readonly string[];
}

const codec = (c: unknown) => c as ProposalMsgType["codec"];

/** The messages `submit-proposal` accepts, by type URL. */
export const PROPOSAL_MSG_TYPES: Readonly<Record<string, ProposalMsgType>> = {
  "/cosmos.staking.v1beta1.MsgUpdateParams": {
    codec: codec(StakingUpdateParams),
    signer: "authority",
    durations: ["params.unbondingTime"],
    decs: ["params.minCommissionRate"],
  },
  "/cosmos.distribution.v1beta1.MsgUpdateParams": {
    codec: codec(DistributionUpdateParams),
    signer: "authority",
    decs: ["params.communityTax", "params.baseProposerReward", "params.bonusProposerReward"],
  },
  "/cosmos.distribution.v1beta1.MsgCommunityPoolSpend": {
    codec: codec(MsgCommunityPoolSpend),
    signer: "authority",
  },
  "/cosmos.slashing.v1beta1.MsgUpdateParams": {
    codec: codec(SlashingUpdateParams),
    signer: "authority",
    durations: ["params.downtimeJailDuration"],
    decBytes: ["params.minSignedPerWindow", "params.slashFractionDoubleSign", "params.slashFractionDowntime"],
  },
  "/cosmos.gov.v1.MsgUpdateParams": {
    codec: codec(GovUpdateParams),
    signer: "authority",
    durations: ["params.maxDepositPeriod", "params.votingPeriod", "params.expeditedVotingPeriod"],
  },
  "/cosmos.mint.v1beta1.MsgUpdateParams": {
    codec: codec(MintUpdateParams),
    signer: "authority",
    decs: ["params.inflationRateChange", "params.inflationMax", "params.inflationMin", "params.goalBonded"],
  },
  "/cosmos.bank.v1beta1.MsgSend": { codec: codec(MsgSend), signer: "fromAddress" },
};

/** Decodes an `Any` of a proposal message type to JSON with `@type` (for query output). */
export function decodeProposalAny(typeUrl: string, value: Uint8Array): Record<string, unknown> | undefined {
  const t = PROPOSAL_MSG_TYPES[typeUrl];
  return t ? { "@type": typeUrl, ...(t.codec.toJSON(t.codec.decode(value)) as object) } : undefined;
}

type Json = Record<string, unknown>;

function camel(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(camel);
  if (typeof v !== "object" || v === null) return v;
  return Object.fromEntries(
    Object.entries(v).map(([k, x]) => [
      k.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase()),
      camel(x),
    ]),
  );
}

function snake(path: string): string {
  return path.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

function decAtomics(v: unknown, where: string): string {
  const m = typeof v === "string" ? /^(\d{1,60})(?:\.(\d{1,18}))?$/.exec(v) : null;
  if (!m)
    throw proposalError(`${where} must be a non-negative decimal such as "0.05", got ${JSON.stringify(v)}`);
  return (BigInt(m[1]!) * 10n ** 18n + BigInt((m[2] ?? "").padEnd(18, "0"))).toString();
}

function duration(v: unknown, where: string): unknown {
  if (typeof v !== "string") return v;
  const m = /^(\d{1,19})(?:\.(\d{1,9}))?s$/.exec(v);
  if (!m) throw proposalError(`${where} must be a duration such as "1814400s", got ${JSON.stringify(v)}`);
  return { seconds: m[1], nanos: Number((m[2] ?? "").padEnd(9, "0")) };
}

function mapPath(o: Json, path: string, f: (v: unknown, where: string) => unknown, where: string): void {
  const parts = path.split(".");
  let cur: unknown = o;
  for (const p of parts.slice(0, -1)) cur = (cur as Json | undefined)?.[p];
  const last = parts[parts.length - 1]!;
  if (typeof cur === "object" && cur !== null && (cur as Json)[last] !== undefined)
    (cur as Json)[last] = f((cur as Json)[last], `${where}.${snake(path)}`);
}

// cosmjs-types' fromJSON drops unknown fields silently; a misspelt parameter must not become a zero.
function unknownField(input: unknown, parsed: unknown, where: string): string | undefined {
  if (typeof input !== "object" || input === null || typeof parsed !== "object" || parsed === null)
    return undefined;
  if (Array.isArray(input)) {
    for (let i = 0; i < input.length; i++) {
      const u = unknownField(input[i], (parsed as unknown[])[i], `${where}[${i}]`);
      if (u) return u;
    }
    return undefined;
  }
  for (const [k, v] of Object.entries(input)) {
    if (!(k in parsed)) return `${where}.${k}`;
    const u = unknownField(v, (parsed as Json)[k], `${where}.${k}`);
    if (u) return u;
  }
  return undefined;
}

function proposalError(msg: string): IcsdError {
  return new IcsdError("INVALID_PROPOSAL", msg);
}

/**
 * The `Any` of one proposal message from its SDK 0.50 proto JSON (`{"@type": ..., snake_case fields}`):
 * durations, LegacyDecs and unknown fields are handled per type; the signer field must be `govAddress`.
 */
export function proposalMessageAny(json: unknown, where: string, govAddress: string): Any {
  if (typeof json !== "object" || json === null || Array.isArray(json))
    throw proposalError(`${where} must be an object with "@type"`);
  const { "@type": typeUrl, ...fields } = json as Json;
  const t = typeof typeUrl === "string" ? PROPOSAL_MSG_TYPES[typeUrl] : undefined;
  if (!t)
    throw proposalError(
      `${where}: unsupported message type ${JSON.stringify(typeUrl)}; supported: ${Object.keys(PROPOSAL_MSG_TYPES).join(", ")}`,
    );
  const o = camel(fields) as Json;
  for (const p of t.durations ?? []) mapPath(o, p, duration, where);
  const input = structuredClone(o);
  for (const p of t.decs ?? []) mapPath(o, p, decAtomics, where);
  for (const p of t.decBytes ?? [])
    mapPath(o, p, (v, w) => Buffer.from(decAtomics(v, w), "utf8").toString("base64"), where);
  let msg: unknown;
  try {
    msg = t.codec.fromJSON(o);
  } catch (e) {
    throw proposalError(`${where}: ${(e as Error).message}`);
  }
  const unknown = unknownField(input, t.codec.toJSON(msg as never), where);
  if (unknown) throw proposalError(`${snake(unknown)}: unknown field for ${typeUrl}`);
  const signer = (msg as Json)[t.signer];
  if (signer !== govAddress)
    throw proposalError(
      `${where}.${snake(t.signer)} must be the gov module account ${govAddress}, got ${JSON.stringify(signer)}`,
    );
  return { typeUrl: typeUrl as string, value: t.codec.encode(msg as never).finish() };
}

/** The gov module account address (auth's NewModuleAddress: sha256("gov")[:20]). */
export function govModuleAddress(prefix: string): string {
  return toBech32(prefix, sha256(new TextEncoder().encode("gov")).subarray(0, 20));
}

/** Reads an SDK 0.50 proposal file into MsgSubmitProposal fields (all but the proposer). */
export function readProposalFile(path: string, prefix: string): Omit<MsgSubmitProposal, "proposer"> {
  let doc: Json;
  try {
    doc = JSON.parse(readFileSync(path, "utf8")) as Json;
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    throw proposalError(`cannot read proposal file ${path}: ${why}`);
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc))
    throw proposalError(`${path}: must be a JSON object`);
  const str = (k: string): string => {
    const v = doc[k] ?? "";
    if (typeof v !== "string") throw proposalError(`${path}: ${k} must be a string`);
    return v;
  };
  const known = new Set(["messages", "metadata", "deposit", "title", "summary", "expedited"]);
  const extra = Object.keys(doc).find((k) => !known.has(k));
  if (extra) throw proposalError(`${path}: unknown field ${JSON.stringify(extra)}`);
  const msgs = doc.messages ?? [];
  if (!Array.isArray(msgs)) throw proposalError(`${path}: messages must be an array`);
  const title = str("title");
  if (title.trim() === "") throw proposalError(`${path}: title must not be empty`);
  const gov = govModuleAddress(prefix);
  let initialDeposit: { denom: string; amount: string }[];
  try {
    initialDeposit = parseCoins(str("deposit")).map(wireCoin);
  } catch (e) {
    throw proposalError(`${path}: deposit: ${(e as Error).message}`);
  }
  if (doc.expedited !== undefined && typeof doc.expedited !== "boolean")
    throw proposalError(`${path}: expedited must be true or false`);
  return {
    messages: msgs.map((m, i) => proposalMessageAny(m, `messages[${i}]`, gov)),
    initialDeposit,
    metadata: str("metadata"),
    title,
    summary: str("summary"),
    expedited: doc.expedited === true,
  };
}

/** gov v1 VoteOption numbers by CLI name. */
export const VOTE_OPTIONS: Readonly<Record<string, number>> = { yes: 1, abstain: 2, no: 3, no_with_veto: 4 };

/** `icsd tx gov submit-proposal|deposit|vote` (gov v1). */
export function registerGovTx(tx: Command): void {
  const gov = tx.command("gov").description("Governance module transactions (gov v1)");
  withExample(gov, "icsd tx gov vote 1 yes --from alice --yes");

  const submit = fromTxCommand(
    gov,
    "submit-proposal",
    "Submit a proposal from an SDK 0.50 proposal JSON file (messages, metadata, deposit, title, summary)",
    async ([file], opts, cfg) => {
      const p = readProposalFile(file!, cfg.bech32Prefix);
      await signAndBroadcast(opts, cfg, opts.from, (proposer) => ({
        msgs: [
          {
            typeUrl: "/cosmos.gov.v1.MsgSubmitProposal",
            value: MsgSubmitProposal.fromPartial({ ...p, proposer }),
          },
        ],
        summary: [
          `proposal: ${p.title}`,
          `messages: ${p.messages.map((m) => m.typeUrl).join(", ") || "(none: text proposal)"}`,
          `deposit: ${formatCoins(p.initialDeposit.map((c) => ({ denom: c.denom, amount: BigInt(c.amount) }))) || "0"}`,
        ],
      }));
    },
  );
  submit.argument("<proposal-file>", "the proposal JSON file");
  withExample(submit, "icsd tx gov submit-proposal proposal.json --from alice --gas auto --yes");
  submit.addHelpText(
    "after",
    `\nProposal file (the authority is the gov module account):\n  {"messages": [{"@type": "/cosmos.staking.v1beta1.MsgUpdateParams", "authority": "cosmos10d07y265gmmuvt4z0w9aw880jnsr700j6zn9kn",\n    "params": {"unbonding_time": "1814400s", "max_validators": 100, "max_entries": 7, "historical_entries": 10000,\n               "bond_denom": "stake", "min_commission_rate": "0.000000000000000000"}}],\n   "metadata": "", "deposit": "10000000stake", "title": "Staking params", "summary": "Raise max_validators"}\nMessage types: ${Object.keys(PROPOSAL_MSG_TYPES).join(", ")}`,
  );

  const deposit = fromTxCommand(
    gov,
    "deposit",
    "Deposit tokens on a proposal",
    async ([id, amt], opts, cfg) => {
      const proposalId = parseProposalId(id!);
      const amount = parseCoins(amt!);
      if (amount.length === 0) parseOneCoin(amt!);
      await signAndBroadcast(opts, cfg, opts.from, (depositor) => ({
        msgs: [
          {
            typeUrl: "/cosmos.gov.v1.MsgDeposit",
            value: MsgDeposit.fromPartial({ proposalId, depositor, amount: amount.map(wireCoin) }),
          },
        ],
        summary: [`deposit: ${formatCoins(amount)} on proposal ${proposalId}`],
      }));
    },
  );
  deposit.argument("<proposal-id>", "the proposal's id").argument("<amount>", "coins, e.g. 10000000stake");
  withExample(deposit, "icsd tx gov deposit 1 10000000stake --from alice --yes");

  const vote = fromTxCommand(
    gov,
    "vote",
    "Vote on a proposal in its voting period",
    async ([id, choice], o, cfg) => {
      const opts = o as typeof o & { metadata: string };
      const proposalId = parseProposalId(id!);
      const option = VOTE_OPTIONS[choice!.toLowerCase().replace(/-/g, "_")];
      if (option === undefined)
        throw new IcsdError(
          "INVALID_ARGUMENT",
          `vote option must be one of yes, no, abstain, no_with_veto, got ${JSON.stringify(choice)}`,
        );
      await signAndBroadcast(opts, cfg, opts.from, (voter) => ({
        msgs: [
          {
            typeUrl: "/cosmos.gov.v1.MsgVote",
            value: MsgVote.fromPartial({ proposalId, voter, option, metadata: opts.metadata }),
          },
        ],
        summary: [`vote: ${choice} on proposal ${proposalId}`],
      }));
    },
  );
  vote
    .argument("<proposal-id>", "the proposal's id")
    .argument("<option>", "yes, no, abstain or no_with_veto")
    .option("--metadata <text>", "metadata of the vote", "");
  withExample(
    vote,
    "icsd tx gov vote 1 yes --from alice --yes",
    "icsd tx gov vote 2 no_with_veto --from bob --yes",
  );
}
