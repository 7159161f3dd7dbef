export { KvApp } from "./kvApp.ts";
export type { StateTree } from "./stateTree.ts";
