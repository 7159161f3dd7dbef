import { Params as ParamsProto } from "cosmjs-types/cosmos/distribution/v1beta1/distribution";
import {
  type AppStore,
  bech32Address,
  DEC_ONE,
  type Dec,
  decFromAtomics,
  decFromString,
  decToString,
  moduleAddress,
  SdkError,
} from "../../app/index.ts";
import { PARAMS_KEY } from "./state.ts";

export const DISTRIBUTION_MODULE = "distribution";

/** x/distribution params (SDK 0.50; the proposer rewards are deprecated and always zero). */
export interface DistributionParams {
  readonly communityTax: Dec;
  readonly baseProposerReward: Dec;
  readonly bonusProposerReward: Dec;
  readonly withdrawAddrEnabled: boolean;
}

export const defaultDistributionParams: DistributionParams = {
  communityTax: decFromString("0.02"),
  baseProposerReward: 0n,
  bonusProposerReward: 0n,
  withdrawAddrEnabled: true,
};

// x/distribution/types/errors.go (codespace "distribution").
const distrErr = (code: number, desc: string) => (detail?: string) =>
  new SdkError(DISTRIBUTION_MODULE, code, detail ? `${detail}: ${desc}` : desc);
export const errEmptyDelegationDistInfo = distrErr(5, "no delegation distribution info");
export const errNoValidatorDistInfo = distrErr(6, "no validator distribution info");
export const errNoValidatorCommission = distrErr(7, "no validator commission to withdraw");
export const errSetWithdrawAddrDisabled = distrErr(8, "set withdraw address disabled");
export const errNoValidatorExists = distrErr(12, "validator does not exist");
export const errNoDelegationExists = distrErr(13, "delegation does not exist");

// x/staking's errors as SDK 0.50's stakingKeeper.Validator / Delegation return them.
export const errNoValidatorFound = () => new SdkError("staking", 3, "validator does not exist");
export const errNoDelegation = () =>
  new SdkError("staking", 19, "no delegation for (address, validator) tuple");

/** x/gov's ErrInvalidSigner wrapping, as every SDK 0.50 MsgUpdateParams reports a wrong authority. */
export function errInvalidAuthority(expected: string, got: string): SdkError {
  return new SdkError(
    "gov",
    12,
    `invalid authority; expected ${expected}, got ${got}: expected gov account as only signer for proposal message`,
  );
}

/** The gov module account's bech32 address: the only authority for MsgUpdateParams. */
export function govAuthority(prefix: string): string {
  return bech32Address(moduleAddress("gov"), prefix);
}

/** Params.ValidateBasic (plain errors in the SDK, hence codespace "undefined", code 1). */
export function validateDistributionParams(p: DistributionParams): void {
  const fail = (m: string) => new SdkError("undefined", 1, m);
  if (p.communityTax < 0n) throw fail(`community tax must be positive: ${decToString(p.communityTax)}`);
  if (p.communityTax > DEC_ONE) throw fail(`community tax too large: ${decToString(p.communityTax)}`);
  // The deprecated proposer rewards are still checked as the SDK does.
  if (p.baseProposerReward < 0n)
    throw fail(`base proposer reward must be positive: ${decToString(p.baseProposerReward)}`);
  if (p.bonusProposerReward < 0n)
    throw fail(`bonus proposer reward must be positive: ${decToString(p.bonusProposerReward)}`);
}

export function paramsToProto(p: DistributionParams): ParamsProto {
  return {
    communityTax: p.communityTax.toString(),
    baseProposerReward: p.baseProposerReward.toString(),
    bonusProposerReward: p.bonusProposerReward.toString(),
    withdrawAddrEnabled: p.withdrawAddrEnabled,
  };
}

export function paramsFromProto(p: ParamsProto): DistributionParams {
  return {
    communityTax: decFromAtomics(p.communityTax, "community tax"),
    baseProposerReward: decFromAtomics(p.baseProposerReward, "base proposer reward"),
    bonusProposerReward: decFromAtomics(p.bonusProposerReward, "bonus proposer reward"),
    withdrawAddrEnabled: p.withdrawAddrEnabled,
  };
}

export async function getDistributionParams(store: AppStore): Promise<DistributionParams> {
  const raw = await store.get(PARAMS_KEY);
  return raw ? paramsFromProto(ParamsProto.decode(raw)) : defaultDistributionParams;
}

export function setDistributionParams(store: AppStore, p: DistributionParams): void {
  store.set(PARAMS_KEY, ParamsProto.encode(paramsToProto(p)).finish());
}
