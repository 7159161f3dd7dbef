import { ed25519Verify } from "../crypto/index.ts";
import { voteSignBytes } from "../proto/index.ts";
import { equalBytes, IcsdError, toHex } from "../utils/index.ts";
import type { Commit } from "./types.ts";
import { BlockIdFlag, VoteType } from "./types.ts";
import type { ShellValidator } from "./validatorSet.ts";

/**
 * Verifies that `commit` carries valid precommits for `blockHash` at `height` from more than 2/3 of
 * the voting power of `validators` (the set at that height), as CometBFT's VerifyCommit does.
 * Throws IcsdError COMMIT_INVALID naming what is wrong.
 */
export function verifyCommit(
  chainId: string,
  validators: readonly ShellValidator[],
  commit: Commit,
  height: number,
  blockHash: Uint8Array,
): void {
  const fail = (msg: string): never => {
    throw new IcsdError("COMMIT_INVALID", `commit for height ${height}: ${msg}`, { height });
  };
  if (commit.height !== height) fail(`height is ${commit.height}`);
  if (!equalBytes(commit.blockHash, blockHash)) fail("block hash does not match the block");
  if (commit.signatures.length !== validators.length) {
    fail(`has ${commit.signatures.length} signatures for ${validators.length} validators`);
  }
  let total = 0n;
  let signed = 0n;
  for (let i = 0; i < validators.length; i++) {
    const v = validators[i]!;
    const sig = commit.signatures[i]!;
    total += v.power;
    if (sig.flag !== BlockIdFlag.Commit) continue;
    if (toHex(sig.validatorAddress) !== v.address) fail(`signature ${i} is not from validator ${v.address}`);
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
    if (!ed25519Verify(v.pubKey, bytes, sig.signature)) fail(`signature ${i} is invalid`);
    signed += v.power;
  }
  if (signed * 3n <= total * 2n) fail(`only ${signed} of ${total} voting power signed`);
}
