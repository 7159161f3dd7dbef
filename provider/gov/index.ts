export { govEndBlock } from "./endBlock.ts";
export * from "./errors.ts";
export { EMPTY_TALLY, GovKeeper, type NewProposal } from "./keeper.ts";
export { govModule } from "./module.ts";
export { govMsgRoutes } from "./msgs.ts";
export {
  defaultGovParams,
  type GovParams,
  paramsFromJson,
  paramsFromProto,
  paramsToProto,
  validateParams,
} from "./params.ts";
export type { MsgDecoder } from "./proposalMsgs.ts";
export { govQueries } from "./queries.ts";
export { type TallyOutcome, tallyProposal } from "./tally.ts";
export * from "./types.ts";
