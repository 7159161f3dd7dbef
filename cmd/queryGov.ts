import type { Command } from "commander";
import {
  QueryParamsRequest,
  QueryParamsResponse,
  QueryProposalRequest,
  QueryProposalResponse,
  QueryProposalsRequest,
  QueryProposalsResponse,
  QueryTallyResultRequest,
  QueryTallyResultResponse,
  QueryVotesRequest,
  QueryVotesResponse,
} from "cosmjs-types/cosmos/gov/v1/query";
import { parseAccountAddress } from "../node/index.ts";
import { IcsdError } from "../utils/index.ts";
import { withExample } from "./common.ts";
import { pageRequest, parseProposalId, printProto, queryCommand } from "./query.ts";
import { decodeProposalAny } from "./txGov.ts";

const Q = "/cosmos.gov.v1.Query/";
/** gov v1 ProposalStatus numbers by CLI name. */
const STATUS: Record<string, number> = {
  deposit_period: 1,
  voting_period: 2,
  passed: 3,
  rejected: 4,
  failed: 5,
};

/** `icsd query gov proposals|proposal|votes|tally|params` (gov v1). */
export function registerGovQuery(query: Command): void {
  const gov = query.command("gov").description("Query the governance module (gov v1)");
  withExample(gov, "icsd query gov proposals", "icsd query gov tally 1");

  const proposals = queryCommand(
    gov,
    "proposals",
    "Proposals (one page), optionally filtered",
    true,
    (_a, o, cfg) => {
      const opts = o as typeof o & { status?: string; voter?: string; depositor?: string };
      const proposalStatus = opts.status === undefined ? 0 : STATUS[opts.status.toLowerCase()];
      if (proposalStatus === undefined)
        throw new IcsdError(
          "INVALID_ARGUMENT",
          `--status must be one of ${Object.keys(STATUS).join(", ")}, got ${JSON.stringify(opts.status)}`,
        );
      const voter = opts.voter === undefined ? "" : parseAccountAddress(opts.voter, cfg.bech32Prefix);
      const depositor =
        opts.depositor === undefined ? "" : parseAccountAddress(opts.depositor, cfg.bech32Prefix);
      const pagination = pageRequest(opts);
      return async (q) => {
        const req = QueryProposalsRequest.fromPartial({ proposalStatus, voter, depositor, pagination });
        const res = await q(`${Q}Proposals`, QueryProposalsRequest, req, QueryProposalsResponse);
        printProto(opts, cfg, QueryProposalsResponse, res, decodeProposalAny);
      };
    },
  );
  proposals
    .option("--status <status>", `only proposals in this status: ${Object.keys(STATUS).join(", ")}`)
    .option("--voter <addr>", "only proposals this address voted on")
    .option("--depositor <addr>", "only proposals this address deposited on");
  withExample(proposals, "icsd query gov proposals --status voting_period --output json");

  const proposal = queryCommand(gov, "proposal", "One proposal", false, ([id], opts, cfg) => {
    const proposalId = parseProposalId(id!);
    return async (q) => {
      const req = QueryProposalRequest.fromPartial({ proposalId });
      const res = await q(`${Q}Proposal`, QueryProposalRequest, req, QueryProposalResponse);
      printProto(opts, cfg, QueryProposalResponse, res, decodeProposalAny);
    };
  });
  proposal.argument("<proposal-id>", "the proposal's id");
  withExample(proposal, "icsd query gov proposal 1");

  const votes = queryCommand(gov, "votes", "The votes on a proposal (one page)", true, ([id], opts, cfg) => {
    const proposalId = parseProposalId(id!);
    const pagination = pageRequest(opts);
    return async (q) => {
      const req = QueryVotesRequest.fromPartial({ proposalId, pagination });
      const res = await q(`${Q}Votes`, QueryVotesRequest, req, QueryVotesResponse);
      printProto(opts, cfg, QueryVotesResponse, res);
    };
  });
  votes.argument("<proposal-id>", "the proposal's id");
  withExample(votes, "icsd query gov votes 1");

  const tally = queryCommand(
    gov,
    "tally",
    "The current (or final) tally of a proposal",
    false,
    ([id], opts, cfg) => {
      const proposalId = parseProposalId(id!);
      return async (q) => {
        const req = QueryTallyResultRequest.fromPartial({ proposalId });
        const res = await q(`${Q}TallyResult`, QueryTallyResultRequest, req, QueryTallyResultResponse);
        printProto(opts, cfg, QueryTallyResultResponse, res);
      };
    },
  );
  tally.argument("<proposal-id>", "the proposal's id");
  withExample(tally, "icsd query gov tally 1 --output json");

  const params = queryCommand(gov, "params", "The gov module's parameters", false, (_a, opts, cfg) => {
    return async (q) => {
      const req = QueryParamsRequest.fromPartial({ paramsType: "" });
      const res = await q(`${Q}Params`, QueryParamsRequest, req, QueryParamsResponse);
      printProto(opts, cfg, QueryParamsResponse, res);
    };
  });
  withExample(params, "icsd query gov params");
}
