export { bech32PrefixOf, parseSdkGenesis, type SdkGenesis } from "./genesis.ts";
export { KvApp } from "./kvApp.ts";
export { SdkApp, type SdkAppOptions } from "./sdkApp.ts";
export type { StateTree } from "./stateTree.ts";
