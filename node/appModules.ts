import type { AppModule, BaseKeepers } from "../app/index.ts";
import { consumerModules } from "../consumer/index.ts";
import { providerModules } from "../provider/index.ts";
import { assertConsumerGenesisSet, isConsumerAppState } from "./consumerGenesis.ts";

/** Which chain a genesis makes of a node. */
export type ChainKind = "provider" | "consumer";

/** "consumer" iff the genesis `app_state` has a `ccvconsumer` section (the ICS convention). */
export function chainKindOf(appState: Record<string, unknown>): ChainKind {
  return isConsumerAppState(appState) ? "consumer" : "provider";
}

/**
 * The application modules a genesis calls for: the consumer's when `app_state.ccvconsumer` is present,
 * the provider's otherwise. Refuses (CONSUMER_GENESIS_NOT_SET) a consumer genesis still holding the
 * placeholder `icsd init --mode consumer` writes without a consumer genesis.
 */
export function appModulesFor(appState: Record<string, unknown>): (base: BaseKeepers) => AppModule[] {
  if (chainKindOf(appState) === "consumer") {
    assertConsumerGenesisSet(appState);
    return consumerModules;
  }
  return providerModules;
}
