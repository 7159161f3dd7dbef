import { type BaseKeepers, type Dec, decFromString, type ModuleContext, SdkError } from "../../app/index.ts";
import {
  defaultMinter,
  defaultMintParams,
  MINT_MODULE,
  type Minter,
  type MintParams,
  setMinter,
  setMintParams,
  validateMinter,
  validateMintParams,
} from "./types.ts";

const fail = (m: string) => new SdkError(MINT_MODULE, 1, `app_state.mint: ${m}`);

function dec(v: unknown, what: string, dflt: Dec): Dec {
  if (v === undefined || v === null) return dflt;
  if (typeof v !== "string") throw fail(`${what} must be a decimal string`);
  return decFromString(v, what);
}

function parseParams(raw: unknown): MintParams {
  if (raw === undefined || raw === null) return defaultMintParams;
  const p = raw as Record<string, unknown>;
  const d = defaultMintParams;
  const bpy = p.blocks_per_year;
  if (bpy !== undefined && !(typeof bpy === "string" && /^\d{1,20}$/.test(bpy)) && typeof bpy !== "number") {
    throw fail("blocks_per_year must be an unsigned integer string");
  }
  if (p.mint_denom !== undefined && typeof p.mint_denom !== "string")
    throw fail("mint_denom must be a string");
  return {
    mintDenom: (p.mint_denom as string | undefined) ?? d.mintDenom,
    inflationRateChange: dec(p.inflation_rate_change, "inflation_rate_change", d.inflationRateChange),
    inflationMax: dec(p.inflation_max, "inflation_max", d.inflationMax),
    inflationMin: dec(p.inflation_min, "inflation_min", d.inflationMin),
    goalBonded: dec(p.goal_bonded, "goal_bonded", d.goalBonded),
    blocksPerYear: bpy === undefined ? d.blocksPerYear : BigInt(bpy),
  };
}

function parseMinter(raw: unknown): Minter {
  if (raw === undefined || raw === null) return defaultMinter;
  const m = raw as Record<string, unknown>;
  return {
    inflation: dec(m.inflation, "minter.inflation", defaultMinter.inflation),
    annualProvisions: dec(m.annual_provisions, "minter.annual_provisions", defaultMinter.annualProvisions),
  };
}

/**
 * InitGenesis from `app_state.mint` {minter, params} in the SDK's JSON (decimals as strings,
 * blocks_per_year as a string); an absent object or field takes the SDK default. Creates the module
 * account, as the SDK's GetModuleAccount call in InitGenesis does.
 */
export async function initMintGenesis(base: BaseKeepers, ctx: ModuleContext, state: unknown): Promise<void> {
  const g = (state ?? {}) as Record<string, unknown>;
  const params = parseParams(g.params);
  const minter = parseMinter(g.minter);
  validateMintParams(params);
  validateMinter(minter);
  setMintParams(ctx.store, params);
  setMinter(ctx.store, minter);
  await base.auth.moduleAccount(ctx.store, MINT_MODULE, ["minter"]);
}
