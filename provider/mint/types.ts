import { Minter as MinterProto, Params as ParamsProto } from "cosmjs-types/cosmos/mint/v1beta1/mint";
import {
  type AppStore,
  bech32Address,
  DEC_ONE,
  type Dec,
  decFromAtomics,
  decFromString,
  decToString,
  isValidDenom,
  moduleAddress,
  SdkError,
} from "../../app/index.ts";
import { utf8 } from "../../utils/index.ts";

export const MINT_MODULE = "mint";

/** x/mint params (SDK 0.50). */
export interface MintParams {
  readonly mintDenom: string;
  /** The most the annual inflation may move in a year. */
  readonly inflationRateChange: Dec;
  readonly inflationMax: Dec;
  readonly inflationMin: Dec;
  /** The bonded ratio inflation steers toward. */
  readonly goalBonded: Dec;
  readonly blocksPerYear: bigint;
}

/** The minter: the current annual inflation and the annual provisions it implies. */
export interface Minter {
  readonly inflation: Dec;
  readonly annualProvisions: Dec;
}

export const defaultMintParams: MintParams = {
  mintDenom: "stake",
  inflationRateChange: decFromString("0.13"),
  inflationMax: decFromString("0.20"),
  inflationMin: decFromString("0.07"),
  goalBonded: decFromString("0.67"),
  blocksPerYear: 6_311_520n, // 60 × 60 × 8766 / 5: five-second blocks
};

export const defaultMinter: Minter = { inflation: decFromString("0.13"), annualProvisions: 0n };

const PARAMS_KEY = utf8("mnt/params");
const MINTER_KEY = utf8("mnt/minter");

// Params.Validate returns plain errors in the SDK: codespace "undefined", code 1 through ABCI.
const plain = (m: string) => new SdkError("undefined", 1, m);

/** Params.Validate of x/mint/types/params.go, same checks and wording. */
export function validateMintParams(p: MintParams): void {
  const s = decToString;
  if (p.mintDenom.trim() === "") throw plain("mint denom cannot be blank");
  if (!isValidDenom(p.mintDenom)) throw plain(`invalid denom: ${p.mintDenom}`);
  if (p.inflationRateChange < 0n)
    throw plain(`inflation rate change cannot be negative: ${s(p.inflationRateChange)}`);
  if (p.inflationRateChange > DEC_ONE) throw plain(`inflation rate too large: ${s(p.inflationRateChange)}`);
  if (p.inflationMax < 0n) throw plain(`max inflation cannot be negative: ${s(p.inflationMax)}`);
  if (p.inflationMax > DEC_ONE) throw plain(`max inflation too large: ${s(p.inflationMax)}`);
  if (p.inflationMin < 0n) throw plain(`min inflation cannot be negative: ${s(p.inflationMin)}`);
  if (p.inflationMin > DEC_ONE) throw plain(`min inflation too large: ${s(p.inflationMin)}`);
  if (p.goalBonded <= 0n) throw plain(`goal bonded must be positive: ${s(p.goalBonded)}`);
  if (p.goalBonded > DEC_ONE) throw plain(`goal bonded too large: ${s(p.goalBonded)}`);
  if (p.blocksPerYear === 0n) throw plain(`blocks per year must be positive: ${p.blocksPerYear}`);
  if (p.inflationMax < p.inflationMin) {
    throw plain(
      `max inflation (${s(p.inflationMax)}) must be greater than or equal to min inflation (${s(p.inflationMin)})`,
    );
  }
}

/** ValidateMinter. */
export function validateMinter(m: Minter): void {
  if (m.inflation < 0n)
    throw plain(`mint parameter Inflation should be positive, is ${decToString(m.inflation)}`);
}

export function mintParamsToProto(p: MintParams): ParamsProto {
  return {
    mintDenom: p.mintDenom,
    inflationRateChange: p.inflationRateChange.toString(),
    inflationMax: p.inflationMax.toString(),
    inflationMin: p.inflationMin.toString(),
    goalBonded: p.goalBonded.toString(),
    blocksPerYear: p.blocksPerYear,
  };
}

export function mintParamsFromProto(p: ParamsProto): MintParams {
  return {
    mintDenom: p.mintDenom,
    inflationRateChange: decFromAtomics(p.inflationRateChange, "inflation rate change"),
    inflationMax: decFromAtomics(p.inflationMax, "max inflation"),
    inflationMin: decFromAtomics(p.inflationMin, "min inflation"),
    goalBonded: decFromAtomics(p.goalBonded, "goal bonded"),
    blocksPerYear: p.blocksPerYear,
  };
}

export async function getMintParams(store: AppStore): Promise<MintParams> {
  const raw = await store.get(PARAMS_KEY);
  return raw ? mintParamsFromProto(ParamsProto.decode(raw)) : defaultMintParams;
}

export function setMintParams(store: AppStore, p: MintParams): void {
  store.set(PARAMS_KEY, ParamsProto.encode(mintParamsToProto(p)).finish());
}

export async function getMinter(store: AppStore): Promise<Minter> {
  const raw = await store.get(MINTER_KEY);
  if (!raw) return defaultMinter;
  const m = MinterProto.decode(raw);
  return { inflation: decFromAtomics(m.inflation), annualProvisions: decFromAtomics(m.annualProvisions) };
}

export function setMinter(store: AppStore, m: Minter): void {
  store.set(
    MINTER_KEY,
    MinterProto.encode({
      inflation: m.inflation.toString(),
      annualProvisions: m.annualProvisions.toString(),
    }).finish(),
  );
}

/** The gov module account's bech32 address: the only authority for MsgUpdateParams. */
export function govAuthority(prefix: string): string {
  return bech32Address(moduleAddress("gov"), prefix);
}

/** x/gov's ErrInvalidSigner (gov 12) as SDK 0.50's x/mint UpdateParams wraps it. */
export function errInvalidAuthority(expected: string, got: string): SdkError {
  return new SdkError(
    "gov",
    12,
    `invalid authority; expected ${expected}, got ${got}: expected gov account as only signer for proposal message`,
  );
}
