import { SdkError } from "../../app/index.ts";

/** x/slashing's registered errors (x/slashing/types/errors.go, codespace "slashing"), same codes and text. */

function slashing(code: number, desc: string) {
  return (detail?: string): SdkError =>
    new SdkError("slashing", code, detail === undefined || detail === "" ? desc : `${detail}: ${desc}`);
}

export const errNoValidatorForAddress = slashing(2, "address is not associated with any known validator");
export const errBadValidatorAddr = slashing(3, "validator does not exist for that address");
export const errValidatorJailed = slashing(4, "validator still jailed; cannot be unjailed");
export const errValidatorNotJailed = slashing(5, "validator not jailed; cannot be unjailed");
export const errMissingSelfDelegation = slashing(6, "validator has no self-delegation; cannot be unjailed");
export const errSelfDelegationTooLowToUnjail = slashing(
  7,
  "validator's self delegation less than minimum; cannot be unjailed",
);
export const errNoSigningInfoFound = slashing(8, "no validator signing info found");
export const errValidatorTombstoned = slashing(9, "validator already tombstoned");

/** x/gov's ErrInvalidSigner (gov code 15): what SDK 0.50's slashing UpdateParams returns for a wrong authority. */
export function errInvalidAuthority(expected: string, got: string): SdkError {
  return new SdkError(
    "gov",
    15,
    `invalid authority; expected ${expected}, got ${got}: expected gov account as only signer for proposal message`,
  );
}

/** An error the SDK returns unregistered (fmt.Errorf): ABCI reports it as codespace "undefined", code 1. */
export function errUndefined(message: string): SdkError {
  return new SdkError("undefined", 1, message);
}
