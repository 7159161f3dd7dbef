import { addressFromPubKey } from "../crypto/index.ts";
import { toHex } from "../utils/index.ts";
import { incrementProposerPriority, proposerOf, updateValidatorSet } from "./core/index.ts";
import type { Validator, ValidatorUpdate } from "./types.ts";

/**
 * A validator as the shell keeps it: hex address for the core, the raw key for signature checks.
 * Satisfies the core's proposer-selection shape, so sets move between the two without copies.
 */
export interface ShellValidator {
  readonly address: string;
  readonly pubKey: Uint8Array;
  readonly power: bigint;
  readonly proposerPriority: bigint;
}

export function toShellValidator(v: Validator): ShellValidator {
  return {
    address: toHex(v.address),
    pubKey: v.pubKey,
    power: v.votingPower,
    proposerPriority: v.proposerPriority,
  };
}

export function toDomainValidator(v: ShellValidator): Validator {
  return {
    address: addressFromPubKey(v.pubKey),
    pubKey: v.pubKey,
    votingPower: v.power,
    proposerPriority: v.proposerPriority,
  };
}

export function totalPower(vals: readonly ShellValidator[]): bigint {
  let t = 0n;
  for (const v of vals) t += v.power;
  return t;
}

/** The proposer of `round` for a height whose set (as stored for that height) is `vals`. */
export function proposerFor(vals: readonly ShellValidator[], round: number): ShellValidator {
  return proposerOf(vals, round);
}

/**
 * Applies application updates to a set, as CometBFT's state transition does: new set = updates applied
 * (new validators enter with a low priority), then priorities incremented once for the next height.
 */
export function nextValidatorSet(
  vals: readonly ShellValidator[],
  updates: readonly ValidatorUpdate[],
): ShellValidator[] {
  const changes = updates.map((u) => ({
    address: toHex(addressFromPubKey(u.pubKey)),
    pubKey: u.pubKey,
    power: u.power,
    proposerPriority: 0n,
  }));
  const updated = changes.length > 0 ? updateValidatorSet(vals, changes) : [...vals];
  return incrementProposerPriority(updated, 1).validators;
}

/** The genesis set for the initial height: updates applied to the empty set, incremented once. */
export function genesisValidatorSet(updates: readonly ValidatorUpdate[]): ShellValidator[] {
  return nextValidatorSet([], updates);
}

export function findValidator(
  vals: readonly ShellValidator[],
  address: string,
): { index: number; validator: ShellValidator } | undefined {
  const index = vals.findIndex((v) => v.address === address);
  return index < 0 ? undefined : { index, validator: vals[index]! };
}
