import { SdkError } from "../../app/index.ts";

/**
 * x/staking's registered errors (x/staking/types/errors.go, codespace "staking"): code and description
 * as the SDK's, so clients matching on them behave as against an SDK chain. A detail is prepended as
 * errorsmod.Wrap does ("detail: description").
 */
function staking(code: number, desc: string) {
  return (detail?: string): SdkError =>
    new SdkError("staking", code, detail === undefined || detail === "" ? desc : `${detail}: ${desc}`);
}

export const errEmptyValidatorAddr = staking(2, "empty validator address");
export const errNoValidatorFound = staking(3, "validator does not exist");
export const errValidatorOwnerExists = staking(
  4,
  "validator already exist for this operator address; must use new validator operator address",
);
export const errValidatorPubKeyExists = staking(
  5,
  "validator already exist for this pubkey; must use new validator pubkey",
);
export const errValidatorPubKeyTypeNotSupported = staking(6, "validator pubkey type is not supported");
export const errValidatorJailed = staking(7, "validator for this address is currently jailed");
export const errBadRemoveValidator = staking(8, "failed to remove validator");
export const errCommissionNegative = staking(9, "commission must be positive");
export const errCommissionHuge = staking(10, "commission cannot be more than 100%");
export const errCommissionGTMaxRate = staking(11, "commission cannot be more than the max rate");
export const errCommissionUpdateTime = staking(12, "commission cannot be changed more than once in 24h");
export const errCommissionChangeRateNegative = staking(13, "commission change rate must be positive");
export const errCommissionChangeRateGTMaxRate = staking(
  14,
  "commission change rate cannot be more than the max rate",
);
export const errCommissionGTMaxChangeRate = staking(
  15,
  "commission cannot be changed more than max change rate",
);
export const errSelfDelegationBelowMinimum = staking(
  16,
  "validator's self delegation must be greater than their minimum self delegation",
);
export const errMinSelfDelegationDecreased = staking(17, "minimum self delegation cannot be decrease");
export const errNoDelegation = staking(19, "no delegation for (address, validator) tuple");
export const errNoDelegatorForAddress = staking(21, "delegator does not contain delegation");
export const errInsufficientShares = staking(22, "insufficient delegation shares");
export const errNotEnoughDelegationShares = staking(24, "not enough delegation shares");
export const errNoUnbondingDelegation = staking(26, "no unbonding delegation found");
export const errMaxUnbondingDelegationEntries = staking(
  27,
  "too many unbonding delegation entries for (delegator, validator) tuple",
);
export const errNoRedelegation = staking(28, "no redelegation found");
export const errSelfRedelegation = staking(29, "cannot redelegate to the same validator");
export const errTinyRedelegationAmount = staking(
  30,
  "too few tokens to redelegate (truncates to zero tokens)",
);
export const errBadRedelegationDst = staking(31, "redelegation destination validator not found");
export const errTransitiveRedelegation = staking(
  32,
  "redelegation to this validator already in progress; first redelegation to this validator must complete before next redelegation",
);
export const errMaxRedelegationEntries = staking(
  33,
  "too many redelegation entries for (delegator, src-validator, dst-validator) tuple",
);
export const errDelegatorShareExRateInvalid = staking(
  34,
  "cannot delegate to validators with invalid (zero) ex-rate",
);
export const errEmptyValidatorPubKey = staking(39, "empty validator public key");
export const errCommissionLTMinRate = staking(40, "commission cannot be less than min rate");
export const errUnbondingNotFound = staking(41, "unbonding operation not found");
export const errUnbondingOnHoldRefCountNegative = staking(
  42,
  "cannot un-hold unbonding operation that is not on hold",
);

/** The SDK's sdkerrors.ErrNotFound (code 38), which staking's msg server wraps for missing entries. */
export const errNotFound = (detail: string): SdkError => new SdkError("sdk", 38, `${detail}: not found`);

/** x/gov's ErrInvalidSigner (gov code 13), returned by MsgUpdateParams for a wrong authority. */
export const errGovInvalidSigner = (detail: string): SdkError =>
  new SdkError("gov", 13, `${detail}: expected authority account as only signer for proposal message`);
