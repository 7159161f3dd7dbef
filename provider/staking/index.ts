export { valconsAddress, valconsBytes, valoperAddress, valoperBytes } from "./address.ts";
export {
  bondStatusName,
  pubKeyAny,
  type RedelegationRecord,
  toTimestamp,
  type UnbondingDelegationRecord,
  type ValidatorRecord,
  validatorToProto,
} from "./codec.ts";
export { StakingKeeperImpl } from "./keeper.ts";
export { stakingModule } from "./module.ts";
export { DEFAULT_STAKING_PARAMS, paramsFromJson, paramsToJson, validateParams } from "./params.ts";
export {
  delegationBalance,
  sharesFromTokens,
  tokensFromShares,
  tokensFromSharesRoundUp,
  tokensFromSharesTruncated,
} from "./shares.ts";
export * from "./types.ts";
