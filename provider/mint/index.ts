export { MintKeeper } from "./keeper.ts";
export { blockProvision, bondedRatio, nextAnnualProvisions, nextInflationRate } from "./minter.ts";
export { mintModule } from "./module.ts";
export {
  defaultMinter,
  defaultMintParams,
  getMinter,
  getMintParams,
  MINT_MODULE,
  type Minter,
  type MintParams,
} from "./types.ts";
