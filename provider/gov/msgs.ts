import type { WeightedVoteOption } from "cosmjs-types/cosmos/gov/v1/gov";
import * as v1 from "cosmjs-types/cosmos/gov/v1/tx";
import * as v1beta1 from "cosmjs-types/cosmos/gov/v1beta1/tx";
import type { Any } from "cosmjs-types/google/protobuf/any";
import {
  addressBytes,
  type Coin,
  coinsFromWire,
  DEC_ONE,
  type Dec,
  decFromAtomics,
  decFromString,
  decodeProto,
  decToString,
  errInvalidRequest,
  event,
  type ModuleContext,
  type MsgRoute,
  msgRoute,
  positiveCoins,
} from "../../app/index.ts";
import { validateDepositDenom, validateInitialDeposit } from "./checks.ts";
import { errInvalidProposalContent, errInvalidSigner, errInvalidVote, errNoProposalMsgs } from "./errors.ts";
import type { GovKeeper } from "./keeper.ts";
import { paramsFromProto, validateParams } from "./params.ts";
import { legacyContent, validateAbstract } from "./proposalMsgs.ts";
import {
  EXEC_LEGACY_CONTENT_TYPE,
  GOV_MODULE,
  TEXT_PROPOSAL_TYPE,
  UPDATE_PARAMS_TYPE,
  validVoteOption,
  voteOptionName,
} from "./types.ts";

const any = (typeUrl: string, value: Uint8Array): Any => ({ typeUrl, value });
const ONE = "1.000000000000000000";

interface Submit {
  readonly proposer: Uint8Array;
  readonly messages: readonly Any[];
  readonly initialDeposit: readonly Coin[];
  readonly metadata: string;
  readonly title: string;
  readonly summary: string;
  readonly expedited: boolean;
}

interface DepositMsg {
  readonly proposalId: bigint;
  readonly depositor: Uint8Array;
  readonly amount: readonly Coin[];
}

interface VoteMsg {
  readonly proposalId: bigint;
  readonly voter: Uint8Array;
  readonly options: readonly WeightedVoteOption[];
  readonly metadata: string;
}

interface SingleVoteMsg {
  readonly proposalId: bigint;
  readonly voter: Uint8Array;
  readonly option: number;
  readonly metadata: string;
}

/**
 * The recommended proposal metadata (x/gov/types/metadata.go ProposalMetadata): when the metadata is
 * JSON of that shape, its title and summary must equal the proposal's, as the SDK's msg server checks.
 */
function checkMetadata(metadata: string, title: string, summary: string): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(metadata);
  } catch {
    return; // Not the recommended format: nothing to check, as the SDK.
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return;
  const m = parsed as Record<string, unknown>;
  const strField = (k: string) => m[k] === undefined || m[k] === null || typeof m[k] === "string";
  const shapeOk =
    ["title", "summary", "details", "proposal_forum_url", "vote_option_context"].every(strField) &&
    (m.authors === undefined ||
      m.authors === null ||
      (Array.isArray(m.authors) && m.authors.every((a) => typeof a === "string")));
  if (!shapeOk) return; // json.Unmarshal would fail: unchecked.
  const mt = (m.title as string | undefined) ?? "";
  const ms = (m.summary as string | undefined) ?? "";
  if (mt !== title) {
    throw errInvalidProposalContent(`metadata title '${mt}' must equal proposal title '${title}'`);
  }
  if (ms !== summary) {
    throw errInvalidProposalContent(`metadata summary '${ms}' must equal proposal summary '${summary}'`);
  }
}

/** The v1 msg server's SubmitProposal; returns the new id. */
async function submit(keeper: GovKeeper, ctx: ModuleContext, m: Submit): Promise<bigint> {
  if (m.title === "") throw errInvalidRequest("proposal title cannot be empty");
  if (m.summary === "") throw errInvalidRequest("proposal summary cannot be empty");
  if (m.messages.length === 0 && m.metadata.length === 0) {
    throw errNoProposalMsgs("either metadata or Msgs length must be non-nil");
  }
  if (m.metadata.length !== 0) checkMetadata(m.metadata, m.title, m.summary);
  // icsd does not implement expedited proposals (their shorter period and higher threshold).
  if (m.expedited) throw errInvalidRequest("expedited proposals are not supported");
  const params = await keeper.getParams(ctx.store);
  validateInitialDeposit(params, m.initialDeposit);
  validateDepositDenom(params, m.initialDeposit);
  const proposal = await keeper.submitProposal(ctx, {
    messages: m.messages,
    metadata: m.metadata,
    title: m.title,
    summary: m.summary,
    proposer: m.proposer,
  });
  if (await keeper.addDeposit(ctx, proposal.id, m.proposer, m.initialDeposit)) {
    ctx.events.push(event("submit_proposal", [["voting_period_start", proposal.id.toString()]]));
  }
  return proposal.id;
}

async function deposit(keeper: GovKeeper, ctx: ModuleContext, m: DepositMsg): Promise<void> {
  if (await keeper.addDeposit(ctx, m.proposalId, m.depositor, m.amount)) {
    ctx.events.push(event("proposal_deposit", [["voting_period_start", m.proposalId.toString()]]));
  }
}

/** `option:VOTE_OPTION_YES weight:"0.5"`: a WeightedVoteOption as gogoproto's String prints it. */
function optionString(o: WeightedVoteOption): string {
  return `option:${voteOptionName(o.option)} weight:${JSON.stringify(o.weight)}`;
}

/** The v1 msg server's VoteWeighted checks: options present, each valid, no duplicate, weights sum to 1. */
function checkWeighted(options: readonly WeightedVoteOption[]): void {
  if (options.length === 0) throw errInvalidRequest("");
  let total: Dec = 0n;
  const used = new Set<number>();
  for (const o of options) {
    let w: Dec;
    try {
      w = decFromString(o.weight);
    } catch {
      throw errInvalidVote(optionString(o));
    }
    if (w <= 0n || w > DEC_ONE || !validVoteOption(o.option)) throw errInvalidVote(optionString(o));
    total += w;
    if (used.has(o.option)) throw errInvalidVote("duplicated vote option");
    used.add(o.option);
  }
  if (total > DEC_ONE) throw errInvalidVote("total weight overflow 1.00");
  if (total < DEC_ONE) throw errInvalidVote("total weight lower than 1.00");
}

function singleOption(option: number): WeightedVoteOption[] {
  if (!validVoteOption(option)) throw errInvalidVote(voteOptionName(option));
  return [{ option, weight: ONE }];
}

/**
 * x/gov's messages: v1 MsgSubmitProposal, MsgDeposit, MsgVote, MsgVoteWeighted, MsgUpdateParams and
 * MsgExecLegacyContent (what a v1beta1 proposal executes), plus the v1beta1 forms CosmJS signs, which
 * run through the v1 handlers as the SDK's legacy msg server does.
 */
export function govMsgRoutes(keeper: GovKeeper): MsgRoute[] {
  const submitV1: MsgRoute<Submit> = {
    typeUrl: "/cosmos.gov.v1.MsgSubmitProposal",
    module: GOV_MODULE,
    decode(value, prefix) {
      const m = decodeProto(this.typeUrl, () => v1.MsgSubmitProposal.decode(value));
      const proposer = addressBytes(m.proposer, prefix, "proposer address");
      const msg = { ...m, proposer, initialDeposit: coinsFromWire(m.initialDeposit) };
      return { signer: m.proposer, msg };
    },
    async handle(ctx, msg) {
      const proposalId = await submit(keeper, ctx, msg);
      return any(
        "/cosmos.gov.v1.MsgSubmitProposalResponse",
        v1.MsgSubmitProposalResponse.encode({ proposalId }).finish(),
      );
    },
  };
  const submitV1beta1: MsgRoute<Submit & { readonly content: Any | undefined }> = {
    typeUrl: "/cosmos.gov.v1beta1.MsgSubmitProposal",
    module: GOV_MODULE,
    decode(value, prefix) {
      const m = decodeProto(this.typeUrl, () => v1beta1.MsgSubmitProposal.decode(value));
      const proposer = addressBytes(m.proposer, prefix, "proposer address");
      // An unregistered content type fails here, as the SDK fails to unpack the Any.
      if (m.content && m.content.typeUrl !== TEXT_PROPOSAL_TYPE) legacyContent(m.content);
      const msg = {
        proposer,
        content: m.content,
        messages: [],
        initialDeposit: coinsFromWire(m.initialDeposit),
        metadata: "",
        title: "",
        summary: "",
        expedited: false,
      };
      return { signer: m.proposer, msg };
    },
    async handle(ctx, msg) {
      // The legacy msg server: the content becomes one MsgExecLegacyContent with gov as authority.
      if (!msg.content) throw errInvalidProposalContent("missing content");
      const text = legacyContent(msg.content);
      validateAbstract(text);
      const exec = v1.MsgExecLegacyContent.encode({
        content: msg.content,
        authority: keeper.authority,
      }).finish();
      const proposalId = await submit(keeper, ctx, {
        ...msg,
        messages: [any(EXEC_LEGACY_CONTENT_TYPE, exec)],
        title: text.title,
        summary: text.description,
      });
      return any(
        "/cosmos.gov.v1beta1.MsgSubmitProposalResponse",
        v1beta1.MsgSubmitProposalResponse.encode({ proposalId }).finish(),
      );
    },
  };
  const depositRoute = (version: "v1" | "v1beta1"): MsgRoute<DepositMsg> => ({
    typeUrl: `/cosmos.gov.${version}.MsgDeposit`,
    module: GOV_MODULE,
    decode(value, prefix) {
      const m = decodeProto(this.typeUrl, () =>
        version === "v1" ? v1.MsgDeposit.decode(value) : v1beta1.MsgDeposit.decode(value),
      );
      const depositor = addressBytes(m.depositor, prefix, "depositor address");
      return {
        signer: m.depositor,
        msg: { proposalId: m.proposalId, depositor, amount: positiveCoins(m.amount) },
      };
    },
    async handle(ctx, msg) {
      await deposit(keeper, ctx, msg);
      return any(`/cosmos.gov.${version}.MsgDepositResponse`, new Uint8Array());
    },
  });
  const voteRoute = (version: "v1" | "v1beta1"): MsgRoute<SingleVoteMsg> => ({
    typeUrl: `/cosmos.gov.${version}.MsgVote`,
    module: GOV_MODULE,
    decode(value, prefix) {
      const m = decodeProto(this.typeUrl, () =>
        version === "v1" ? v1.MsgVote.decode(value) : { ...v1beta1.MsgVote.decode(value), metadata: "" },
      );
      const voter = addressBytes(m.voter, prefix, "voter address");
      return {
        signer: m.voter,
        msg: { proposalId: m.proposalId, voter, option: m.option, metadata: m.metadata },
      };
    },
    async handle(ctx, msg) {
      // The msg server checks the option before AddVote checks the proposal.
      const options = singleOption(msg.option);
      await keeper.addVote(ctx, msg.proposalId, msg.voter, options, msg.metadata);
      return any(`/cosmos.gov.${version}.MsgVoteResponse`, new Uint8Array());
    },
  });
  const weightedRoute = (version: "v1" | "v1beta1"): MsgRoute<VoteMsg> => ({
    typeUrl: `/cosmos.gov.${version}.MsgVoteWeighted`,
    module: GOV_MODULE,
    decode(value, prefix) {
      let m: { proposalId: bigint; voter: string; options: WeightedVoteOption[]; metadata: string };
      if (version === "v1") {
        m = decodeProto(this.typeUrl, () => v1.MsgVoteWeighted.decode(value));
      } else {
        const b = decodeProto(this.typeUrl, () => v1beta1.MsgVoteWeighted.decode(value));
        // v1beta1 weights are LegacyDec on the wire (atomics); v1 carries them as decimal strings.
        const options = b.options.map((o) => ({
          option: o.option,
          weight: decToString(decFromAtomics(o.weight)),
        }));
        m = { proposalId: b.proposalId, voter: b.voter, options, metadata: "" };
      }
      const voter = addressBytes(m.voter, prefix, "voter address");
      return {
        signer: m.voter,
        msg: { proposalId: m.proposalId, voter, options: m.options, metadata: m.metadata },
      };
    },
    async handle(ctx, msg) {
      checkWeighted(msg.options);
      await keeper.addVote(ctx, msg.proposalId, msg.voter, msg.options, msg.metadata);
      return any(`/cosmos.gov.${version}.MsgVoteWeightedResponse`, new Uint8Array());
    },
  });
  const updateParams: MsgRoute<v1.MsgUpdateParams> = {
    typeUrl: UPDATE_PARAMS_TYPE,
    module: GOV_MODULE,
    decode(value, prefix) {
      const m = decodeProto(this.typeUrl, () => v1.MsgUpdateParams.decode(value));
      addressBytes(m.authority, prefix, "authority address");
      return { signer: m.authority, msg: m };
    },
    async handle(ctx, msg) {
      if (msg.authority !== keeper.authority) {
        throw errInvalidSigner(`invalid authority; expected ${keeper.authority}, got ${msg.authority}`);
      }
      const params = paramsFromProto(msg.params);
      validateParams(params, keeper.prefix);
      keeper.setParams(ctx.store, params);
      return any("/cosmos.gov.v1.MsgUpdateParamsResponse", new Uint8Array());
    },
  };
  const execLegacy: MsgRoute<v1.MsgExecLegacyContent> = {
    typeUrl: EXEC_LEGACY_CONTENT_TYPE,
    module: GOV_MODULE,
    decode(value, prefix) {
      const m = decodeProto(this.typeUrl, () => v1.MsgExecLegacyContent.decode(value));
      addressBytes(m.authority, prefix, "authority address");
      return { signer: m.authority, msg: m };
    },
    async handle(_ctx, msg) {
      if (msg.authority !== keeper.authority) {
        throw errInvalidSigner(`expected ${keeper.authority} got ${msg.authority}`);
      }
      // A TextProposal's legacy handler does nothing (x/gov/types/v1beta1 ProposalHandler).
      legacyContent(msg.content);
      return any("/cosmos.gov.v1.MsgExecLegacyContentResponse", new Uint8Array());
    },
  };
  return [
    msgRoute(submitV1),
    msgRoute(submitV1beta1),
    msgRoute(depositRoute("v1")),
    msgRoute(depositRoute("v1beta1")),
    msgRoute(voteRoute("v1")),
    msgRoute(voteRoute("v1beta1")),
    msgRoute(weightedRoute("v1")),
    msgRoute(weightedRoute("v1beta1")),
    msgRoute(updateParams),
    msgRoute(execLegacy),
  ];
}
