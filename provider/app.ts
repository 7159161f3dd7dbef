import type { AppModule, BaseKeepers } from "../app/index.ts";

/**
 * The provider chain's modules, in the order their begin and end blocks run (the SDK's order: mint,
 * distribution, slashing, evidence, gov, staking).
 */
export function providerModules(_base: BaseKeepers): AppModule[] {
  return [];
}
