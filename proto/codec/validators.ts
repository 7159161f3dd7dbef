/**
 * Codec of validator sets. Decoding checks each validator as CometBFT's Validator.ValidateBasic does:
 * a 32-byte ed25519 key, the 20-byte address derived from it, and a non-negative voting power; and
 * no address appears twice in a set.
 */
import type { Validator, ValidatorSet } from "../../consensus/types.ts";
import { addressFromPubKey } from "../../crypto/index.ts";
import { equalBytes, toHex } from "../../utils/index.ts";
import { icsd } from "../gen/icsd.js";
import { bytesField, decodeWith, fail, int64, newWriter, toBigint } from "./fields.ts";
import { ADDRESS_LENGTH } from "./vote.ts";

const pb = icsd.types;

/** Length of a raw ed25519 public key. */
export const PUBKEY_LENGTH = 32;

/** @internal */
export function validatorPb(v: Validator): icsd.types.Validator.$Properties {
  return {
    address: v.address,
    pubKey: v.pubKey,
    votingPower: int64("validator.votingPower", v.votingPower),
    proposerPriority: int64("validator.proposerPriority", v.proposerPriority),
  };
}

/** @internal */
export function validatorFromPb(path: string, m: icsd.types.Validator.$Properties): Validator {
  const pubKey = bytesField(`${path}.pubKey`, m.pubKey, PUBKEY_LENGTH);
  const address = bytesField(`${path}.address`, m.address, ADDRESS_LENGTH);
  if (!equalBytes(address, addressFromPubKey(pubKey))) fail(`${path}.address`, "does not match pubKey");
  const votingPower = toBigint(m.votingPower);
  if (votingPower < 0n) fail(`${path}.votingPower`, `must be >= 0, got ${votingPower}`);
  return { address, pubKey, votingPower, proposerPriority: toBigint(m.proposerPriority) };
}

/** Protobuf encoding of a validator set (icsd.types.ValidatorSet), in the set's order; deterministic. */
export function encodeValidatorSet(set: ValidatorSet): Uint8Array {
  const validators: icsd.types.Validator.$Properties[] = new Array(set.validators.length);
  for (let i = 0; i < set.validators.length; i++) validators[i] = validatorPb(set.validators[i]!);
  return pb.ValidatorSet.encode({ validators }, newWriter()).finish();
}

/** Decodes and validates a validator set, keeping the encoded order; throws PROTO_DECODE naming the bad field. */
export function decodeValidatorSet(bytes: Uint8Array): ValidatorSet {
  return decodeWith("validatorSet", bytes, (b) => {
    const raw = pb.ValidatorSet.decode(b).validators ?? [];
    const validators: Validator[] = new Array(raw.length);
    const seen = new Set<string>();
    for (let i = 0; i < raw.length; i++) {
      const path = `validatorSet.validators[${i}]`;
      const v = validatorFromPb(path, raw[i]!);
      const key = toHex(v.address);
      if (seen.has(key)) fail(`${path}.address`, "duplicate validator");
      seen.add(key);
      validators[i] = v;
    }
    return { validators };
  });
}
