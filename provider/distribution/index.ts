export * from "./decCoins.ts";
export { DistributionKeeper } from "./keeper.ts";
export { distributionModule } from "./module.ts";
export { REWARDS_BY_SOURCE_PATH } from "./queries.ts";
export {
  DISTRIBUTION_MODULE,
  type DistributionParams,
  defaultDistributionParams,
  getDistributionParams,
} from "./types.ts";
