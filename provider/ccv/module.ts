/**
 * The provider module ("provider", genesis app_state.provider): BeginBlock launches due consumers,
 * deletes the state of stopped ones whose time has come and refills the slash meter; EndBlock prunes
 * replaced consumer keys and, at epoch boundaries, sends VSC packets. Its IbcApp is bound to the
 * "provider" port of the ibc module (see `providerIbcApps`).
 */
import type { AppModule, BaseKeepers, IbcAppFactory, IbcKeeper } from "../../app/index.ts";
import { PROVIDER_PORT } from "../../ibc/ccv/wire.ts";
import type { SlashingKeeper } from "../slashing/index.ts";
import type { StakingKeeper } from "../staking/index.ts";
import { ProviderIbcApp } from "./ibcApp.ts";
import { PROVIDER_MODULE, ProviderKeeper } from "./keeper.ts";
import { providerMsgRoutes } from "./msgs.ts";
import { providerQueries } from "./queries.ts";
import { ConsumerPhase, paramsFromJson, paramsToJson } from "./state.ts";

/** Reads app_state.provider ({params}); unknown fields are refused. */
export function parseProviderGenesis(state: unknown) {
  if (state === undefined || state === null) return { params: paramsFromJson(undefined) };
  if (typeof state !== "object" || Array.isArray(state))
    throw new Error("app_state.provider: must be an object");
  const o = state as Record<string, unknown>;
  for (const k of Object.keys(o))
    if (k !== "params") throw new Error(`app_state.provider: unknown field ${k}`);
  return { params: paramsFromJson(o.params) };
}

/**
 * The provider module and its keeper. `ibc` is a getter because the ibc module is built after this
 * one (it needs the provider's IbcApp factory).
 */
export function providerModule(
  base: BaseKeepers,
  staking: StakingKeeper,
  slashing: SlashingKeeper,
  ibc: () => IbcKeeper,
): { module: AppModule; keeper: ProviderKeeper; ibcApps: Record<string, IbcAppFactory> } {
  const keeper = new ProviderKeeper(staking, slashing, base.auth.prefix, ibc);
  const module: AppModule = {
    name: PROVIDER_MODULE,
    msgs: providerMsgRoutes(keeper),
    queries: providerQueries(keeper),
    async initGenesis(ctx, state) {
      keeper.setParams(ctx.store, parseProviderGenesis(state).params);
    },
    async beginBlock(ctx) {
      await keeper.launchDueConsumers(ctx);
      await keeper.removeDueConsumers(ctx);
      await keeper.replenishSlashMeter(ctx);
    },
    async endBlock(ctx) {
      await keeper.endBlock(ctx);
      return undefined;
    },
    async invariants(store) {
      const broken: string[] = [];
      const next = await keeper.nextConsumerId(store);
      for (const r of await keeper.consumers(store)) {
        if (r.consumerId >= next)
          broken.push(`provider: consumer ${r.consumerId} is not below the next id ${next}`);
        if (r.phase === ConsumerPhase.launched && (r.clientId === "" || r.channelId === "")) {
          broken.push(`provider: launched consumer ${r.consumerId} has no client or channel`);
        }
        if (r.phase !== ConsumerPhase.launched && r.phase !== ConsumerPhase.stopped) {
          if (
            (await keeper.consumerValidators(store, r.consumerId)).length > 0 &&
            r.phase !== ConsumerPhase.deleted
          ) {
            // A consumer that went back to REGISTERED after a failed launch keeps no set.
            broken.push(`provider: consumer ${r.consumerId} in ${r.phase} has a validator set`);
          }
        }
      }
      return broken;
    },
  };
  return { module, keeper, ibcApps: { [PROVIDER_PORT]: (ctx) => new ProviderIbcApp(keeper, ctx) } };
}

/** app_state.provider of a store (genesis export of the params). */
export async function exportProviderGenesis(
  keeper: ProviderKeeper,
  store: Parameters<ProviderKeeper["params"]>[0],
) {
  return { params: paramsToJson(await keeper.params(store)) };
}
