import type { Proposal } from "cosmjs-types/cosmos/gov/v1/gov";
import * as q1 from "cosmjs-types/cosmos/gov/v1/query";
import * as qb from "cosmjs-types/cosmos/gov/v1beta1/query";
import {
  type AppStore,
  addressBytes,
  CacheStore,
  decodeQueryRequest as decodeRequest,
  decToString,
  errInvalidRequest,
  grpcNotFound as notFound,
  paginate,
  type QueryHandler,
  type SdkError,
} from "../../app/index.ts";
import { EMPTY_TALLY, type GovKeeper } from "./keeper.ts";
import { legacyDeposit, legacyParams, legacyProposal, legacyTally, legacyVote } from "./legacy.ts";
import { nsToDuration, paramsToProto } from "./params.ts";
import { tallyProposal } from "./tally.ts";
import { STATUS } from "./types.ts";

/** gRPC InvalidArgument as the SDK reports it through ABCI (sdk code 18). */
const invalidArgument = (desc: string): SdkError =>
  errInvalidRequest(`rpc error: code = InvalidArgument desc = ${desc}`);

/** gRPC NotFound as the SDK reports it through ABCI (sdk code 22). */
function nonZeroId(id: bigint): void {
  if (id === 0n) throw invalidArgument("proposal id can not be 0");
}

function address(keeper: GovKeeper, a: string, what: string): Uint8Array {
  if (a === "") throw invalidArgument(`empty ${what} address`);
  try {
    return addressBytes(a, keeper.prefix);
  } catch (e) {
    throw invalidArgument((e as Error).message);
  }
}

/**
 * The x/gov v1 query service logic shared by both versions; results are v1 types. Errors follow the
 * SDK's grpc_query.go (InvalidArgument for a zero id or a missing vote/deposit, NotFound for a missing
 * proposal).
 */
class GovQueries {
  private readonly k: GovKeeper;

  constructor(keeper: GovKeeper) {
    this.k = keeper;
  }

  async proposal(store: AppStore, id: bigint): Promise<Proposal> {
    nonZeroId(id);
    const p = await this.k.getProposal(store, id);
    if (!p) throw notFound(`proposal ${id} doesn't exist`);
    return p;
  }

  /** Proposals by id, filtered by status (0: any), voter and depositor, then paginated. */
  async proposals(store: AppStore, req: q1.QueryProposalsRequest) {
    const voter = req.voter ? address(this.k, req.voter, "voter") : undefined;
    const depositor = req.depositor ? address(this.k, req.depositor, "depositor") : undefined;
    const out: Proposal[] = [];
    for (const p of await this.k.proposals(store)) {
      if (req.proposalStatus !== 0 && p.status !== req.proposalStatus) continue;
      if (voter && !(await this.k.getVote(store, p.id, voter))) continue;
      if (depositor && !(await this.k.getDeposit(store, p.id, depositor))) continue;
      out.push(p);
    }
    return paginate(out, req.pagination);
  }

  async vote(store: AppStore, id: bigint, voterStr: string) {
    nonZeroId(id);
    const voter = address(this.k, voterStr, "voter");
    const v = await this.k.getVote(store, id, voter);
    if (!v) throw invalidArgument(`voter: ${voterStr} not found for proposal: ${id}`);
    return v;
  }

  async votes(store: AppStore, id: bigint, req: q1.QueryVotesRequest["pagination"]) {
    nonZeroId(id);
    return paginate(await this.k.votes(store, id), req);
  }

  async deposit(store: AppStore, id: bigint, depositorStr: string) {
    nonZeroId(id);
    const depositor = address(this.k, depositorStr, "depositor");
    const d = await this.k.getDeposit(store, id, depositor);
    if (!d) throw invalidArgument(`depositer: ${depositorStr} not found for proposal: ${id}`);
    return d;
  }

  async deposits(store: AppStore, id: bigint, req: q1.QueryDepositsRequest["pagination"]) {
    nonZeroId(id);
    return paginate(await this.k.deposits(store, id), req);
  }

  /** The final tally of a closed proposal, zeros in the deposit period, a live tally while voting. */
  async tally(store: AppStore, id: bigint) {
    const p = await this.proposal(store, id);
    if (p.status === STATUS.deposit) return EMPTY_TALLY;
    if (p.status === STATUS.passed || p.status === STATUS.rejected || p.status === STATUS.failed) {
      return p.finalTallyResult ?? EMPTY_TALLY;
    }
    // The SDK's Tally deletes the votes it counts; on a scratch branch of the query state that is a no-op.
    return (await tallyProposal(this.k, new CacheStore(store), p, true)).tally;
  }
}

/** x/gov's gRPC queries, v1 and the v1beta1 surface CosmJS's GovExtension uses. */
export function govQueries(keeper: GovKeeper): Record<string, QueryHandler> {
  const q = new GovQueries(keeper);
  const V1 = "/cosmos.gov.v1.Query/";
  const VB = "/cosmos.gov.v1beta1.Query/";
  return {
    [`${V1}Constitution`]: async () => q1.QueryConstitutionResponse.encode({ constitution: "" }).finish(),
    [`${V1}Proposal`]: async (ctx, data) => {
      const req = decodeRequest("Proposal", () => q1.QueryProposalRequest.decode(data));
      return q1.QueryProposalResponse.encode({
        proposal: await q.proposal(ctx.store, req.proposalId),
      }).finish();
    },
    [`${V1}Proposals`]: async (ctx, data) => {
      const req = decodeRequest("Proposals", () => q1.QueryProposalsRequest.decode(data));
      const { page, pagination } = await q.proposals(ctx.store, req);
      return q1.QueryProposalsResponse.encode({ proposals: page, pagination }).finish();
    },
    [`${V1}Vote`]: async (ctx, data) => {
      const req = decodeRequest("Vote", () => q1.QueryVoteRequest.decode(data));
      return q1.QueryVoteResponse.encode({
        vote: await q.vote(ctx.store, req.proposalId, req.voter),
      }).finish();
    },
    [`${V1}Votes`]: async (ctx, data) => {
      const req = decodeRequest("Votes", () => q1.QueryVotesRequest.decode(data));
      const { page, pagination } = await q.votes(ctx.store, req.proposalId, req.pagination);
      return q1.QueryVotesResponse.encode({ votes: page, pagination }).finish();
    },
    [`${V1}Deposit`]: async (ctx, data) => {
      const req = decodeRequest("Deposit", () => q1.QueryDepositRequest.decode(data));
      const deposit = await q.deposit(ctx.store, req.proposalId, req.depositor);
      return q1.QueryDepositResponse.encode({ deposit }).finish();
    },
    [`${V1}Deposits`]: async (ctx, data) => {
      const req = decodeRequest("Deposits", () => q1.QueryDepositsRequest.decode(data));
      const { page, pagination } = await q.deposits(ctx.store, req.proposalId, req.pagination);
      return q1.QueryDepositsResponse.encode({ deposits: page, pagination }).finish();
    },
    [`${V1}TallyResult`]: async (ctx, data) => {
      const req = decodeRequest("TallyResult", () => q1.QueryTallyResultRequest.decode(data));
      return q1.QueryTallyResultResponse.encode({ tally: await q.tally(ctx.store, req.proposalId) }).finish();
    },
    [`${V1}Params`]: async (ctx, data) => {
      // v1 always returns `params`; a params_type also fills the deprecated section.
      const req = decodeRequest("Params", () => q1.QueryParamsRequest.decode(data));
      const p = await keeper.getParams(ctx.store);
      const res: q1.QueryParamsResponse = { params: paramsToProto(p) };
      switch (req.paramsType) {
        case "deposit":
          res.depositParams = {
            minDeposit: paramsToProto(p).minDeposit,
            maxDepositPeriod: nsToDuration(p.maxDepositPeriod),
          };
          break;
        case "voting":
          res.votingParams = { votingPeriod: nsToDuration(p.votingPeriod) };
          break;
        case "tallying":
          res.tallyParams = {
            quorum: decToString(p.quorum),
            threshold: decToString(p.threshold),
            vetoThreshold: decToString(p.vetoThreshold),
          };
          break;
        case "":
          break;
        default:
          throw invalidArgument(`unknown params type: ${req.paramsType}`);
      }
      return q1.QueryParamsResponse.encode(res).finish();
    },

    [`${VB}Proposal`]: async (ctx, data) => {
      const req = decodeRequest("Proposal", () => qb.QueryProposalRequest.decode(data));
      const proposal = legacyProposal(await q.proposal(ctx.store, req.proposalId));
      return qb.QueryProposalResponse.encode({ proposal }).finish();
    },
    [`${VB}Proposals`]: async (ctx, data) => {
      const req = decodeRequest("Proposals", () => qb.QueryProposalsRequest.decode(data));
      const { page, pagination } = await q.proposals(ctx.store, {
        ...req,
        proposalStatus: req.proposalStatus as number as q1.QueryProposalsRequest["proposalStatus"],
      });
      return qb.QueryProposalsResponse.encode({ proposals: page.map(legacyProposal), pagination }).finish();
    },
    [`${VB}Vote`]: async (ctx, data) => {
      const req = decodeRequest("Vote", () => qb.QueryVoteRequest.decode(data));
      const vote = legacyVote(await q.vote(ctx.store, req.proposalId, req.voter));
      return qb.QueryVoteResponse.encode({ vote }).finish();
    },
    [`${VB}Votes`]: async (ctx, data) => {
      const req = decodeRequest("Votes", () => qb.QueryVotesRequest.decode(data));
      const { page, pagination } = await q.votes(ctx.store, req.proposalId, req.pagination);
      return qb.QueryVotesResponse.encode({ votes: page.map(legacyVote), pagination }).finish();
    },
    [`${VB}Deposit`]: async (ctx, data) => {
      const req = decodeRequest("Deposit", () => qb.QueryDepositRequest.decode(data));
      const deposit = legacyDeposit(await q.deposit(ctx.store, req.proposalId, req.depositor));
      return qb.QueryDepositResponse.encode({ deposit }).finish();
    },
    [`${VB}Deposits`]: async (ctx, data) => {
      const req = decodeRequest("Deposits", () => qb.QueryDepositsRequest.decode(data));
      const { page, pagination } = await q.deposits(ctx.store, req.proposalId, req.pagination);
      return qb.QueryDepositsResponse.encode({ deposits: page.map(legacyDeposit), pagination }).finish();
    },
    [`${VB}TallyResult`]: async (ctx, data) => {
      const req = decodeRequest("TallyResult", () => qb.QueryTallyResultRequest.decode(data));
      const tally = legacyTally(await q.tally(ctx.store, req.proposalId));
      return qb.QueryTallyResultResponse.encode({ tally }).finish();
    },
    [`${VB}Params`]: async (ctx, data) => {
      // v1beta1 answers one section; the others stay at their zero values, as the SDK's legacy server.
      const req = decodeRequest("Params", () => qb.QueryParamsRequest.decode(data));
      const l = legacyParams(await keeper.getParams(ctx.store));
      const res = qb.QueryParamsResponse.fromPartial({});
      if (req.paramsType === "deposit") res.depositParams = l.deposit;
      else if (req.paramsType === "voting") res.votingParams = l.voting;
      else if (req.paramsType === "tallying") res.tallyParams = l.tally;
      else if (req.paramsType !== "") throw invalidArgument(`unknown params type: ${req.paramsType}`);
      return qb.QueryParamsResponse.encode(res).finish();
    },
  };
}
