export * from "./errors.ts";
export {
  allEvidence,
  DOUBLE_SIGN_JAIL_END_TIME,
  defaultEvidenceParams,
  EQUIVOCATION_TYPE_URL,
  type EvidenceParams,
  getEvidence,
  handleEquivocation,
} from "./evidence.ts";
export { exportSlashingGenesis, initSlashingGenesis } from "./genesis.ts";
export { slashingInvariants } from "./invariants.ts";
export { type InfractionReason, SlashingKeeper } from "./keeper.ts";
export { handleValidatorSignature, VALIDATOR_UPDATE_DELAY } from "./liveness.ts";
export { type SlashingModuleOptions, slashingModule } from "./module.ts";
export { slashingMsgRoutes } from "./msgs.ts";
export {
  defaultSlashingParams,
  maxMissedPerWindow,
  minSignedPerWindow,
  paramsFromJson,
  paramsToJson,
  type SlashingParams,
  validateSlashingParams,
} from "./params.ts";
export { slashingQueries } from "./queries.ts";
export { newSigningInfo, type SigningInfo, SigningInfoStore } from "./signingInfo.ts";
