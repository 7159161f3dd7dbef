/**
 * The skipping-verification signature check of CometBFT's light client (VerifyCommitLightTrusting):
 * enough of a *trusted* validator set's power signed a commit made by a possibly different, newer set.
 */
import { BlockIdFlag, type Commit, type ValidatorSet, VoteType } from "../../consensus/index.ts";
import { ed25519Verify } from "../../crypto/index.ts";
import { voteSignBytes } from "../../proto/index.ts";
import { equalBytes, toHex } from "../../utils/index.ts";
import { ClientErrorCode, clientError } from "./errors.ts";
import type { TrustLevel } from "./types.ts";

/**
 * Throws IBC_HEADER_INVALID unless more than `trustLevel` of `trusted`'s total voting power made valid
 * precommits for `blockHash` at `height` in `commit`. Signers are matched to the trusted set by address
 * (the commit is in the order of the new set, which may differ); signatures from addresses outside the
 * trusted set are ignored here (the >2/3 check against the new set covers them); an address that signs
 * twice is refused, as CometBFT does, so one validator's power cannot be counted twice.
 */
export function verifyCommitTrusting(
  chainId: string,
  trusted: ValidatorSet,
  commit: Commit,
  trustLevel: TrustLevel,
  height: number,
  blockHash: Uint8Array,
): void {
  const fail = (msg: string): never => {
    throw clientError(ClientErrorCode.HeaderInvalid, `header at height ${height}: ${msg}`, { height });
  };
  if (commit.height !== height) fail(`commit is for height ${commit.height}`);
  if (!equalBytes(commit.blockHash, blockHash)) fail("commit is not for this header's hash");

  let total = 0n;
  const byAddress = new Map<string, { pubKey: Uint8Array; power: bigint }>();
  for (const v of trusted.validators) {
    total += v.votingPower;
    byAddress.set(toHex(v.address), { pubKey: v.pubKey, power: v.votingPower });
  }

  const seen = new Set<string>();
  let tallied = 0n;
  for (let i = 0; i < commit.signatures.length; i++) {
    const sig = commit.signatures[i]!;
    // CometBFT counts only votes for the block (BlockIDFlagCommit); nil and absent votes carry no trust.
    if (sig.flag !== BlockIdFlag.Commit) continue;
    const address = toHex(sig.validatorAddress);
    const v = byAddress.get(address);
    if (v === undefined) continue;
    if (seen.has(address)) fail(`validator ${address} signed the commit twice`);
    seen.add(address);
    const bytes = voteSignBytes(chainId, {
      type: VoteType.Precommit,
      height,
      round: commit.round,
      blockHash,
      timestamp: sig.timestamp,
      validatorAddress: sig.validatorAddress,
      validatorIndex: i,
      signature: sig.signature,
    });
    if (!ed25519Verify(v.pubKey, bytes, sig.signature))
      fail(`signature ${i} (validator ${address}) is invalid`);
    tallied += v.power;
  }
  // ICS-07 / CometBFT: strictly more than trustLevel of the trusted power must have signed.
  if (tallied * trustLevel.denominator <= total * trustLevel.numerator) {
    fail(
      `only ${tallied} of ${total} trusted voting power signed; more than ` +
        `${trustLevel.numerator}/${trustLevel.denominator} is needed`,
    );
  }
}
