/**
 * Verification of one ClientHeader against a trusted consensus state, as ICS-07 (ibc-go's
 * 07-tendermint verifyHeader) and CometBFT's light client (light/verifier.go) do. Pure: no store, no
 * clock (the host's block time is passed in).
 */
import { toShellValidator, verifyCommit } from "../../consensus/index.ts";
import { headerHash, validatorSetHash } from "../../proto/index.ts";
import { equalBytes, IcsdError } from "../../utils/index.ts";
import { validateConsensusState } from "./codec.ts";
import { ClientErrorCode, clientError } from "./errors.ts";
import { verifyCommitTrusting } from "./trustedCommit.ts";
import type { ClientHeader, ClientState, ConsensusState } from "./types.ts";

/** A header that verified: its height, its hash, and the consensus state it yields. */
export interface VerifiedHeader {
  readonly height: bigint;
  readonly hash: Uint8Array;
  readonly consensusState: ConsensusState;
}

/** Options of verifyClientHeader. */
export interface VerifyHeaderOptions {
  /**
   * Check that the header's time is before now + maxClockDrift (default true). Misbehaviour headers skip
   * it, as ibc-go does: a fork's header from the future is still evidence.
   */
  readonly checkClockDrift?: boolean;
}

/** Whether the consensus state with `timestamp` is past the client's trusting period at `now`. */
export function isExpired(clientState: ClientState, timestamp: bigint, now: bigint): boolean {
  // CometBFT HeaderExpired: expired unless timestamp + trustingPeriod is strictly after now.
  return timestamp + clientState.trustingPeriod <= now;
}

/**
 * Verifies `header` against `trusted` (the consensus state at header.trustedHeight) at host time `now`.
 * Guarantees, when it returns: the chain id is the client's; the trusted state is within its trusting
 * period (else IBC_CLIENT_EXPIRED); trustedHeight < height; trusted time < header time < now +
 * maxClockDrift; validatorSet hashes to header.validatorsHash and trustedValidators to the trusted
 * nextValidatorsHash; for an adjacent header (height = trusted + 1) the signing set is the trusted next
 * set, otherwise more than trustLevel of the trusted set signed the commit; and more than 2/3 of
 * validatorSet's power signed a commit for exactly this header's hash. Throws IBC_HEADER_INVALID
 * naming the first check that failed.
 */
export function verifyClientHeader(
  clientState: ClientState,
  trusted: ConsensusState,
  header: ClientHeader,
  now: bigint,
  opts: VerifyHeaderOptions = {},
): VerifiedHeader {
  const h = header.signedHeader.header;
  const commit = header.signedHeader.commit;
  const height = BigInt(h.height);
  const fail = (msg: string): never => {
    throw clientError(ClientErrorCode.HeaderInvalid, `header at height ${height}: ${msg}`, {
      height,
      trustedHeight: header.trustedHeight,
    });
  };

  if (h.chainId !== clientState.chainId) {
    fail(`chain id "${h.chainId}" is not the client's chain id "${clientState.chainId}"`);
  }
  // ICS-07: a header is verified from a strictly lower trusted height.
  if (height <= header.trustedHeight) fail(`must be above the trusted height ${header.trustedHeight}`);
  if (isExpired(clientState, trusted.timestamp, now)) {
    throw clientError(
      ClientErrorCode.ClientExpired,
      `trusted consensus state at height ${header.trustedHeight} (time ${trusted.timestamp}) is past the ` +
        `trusting period of ${clientState.trustingPeriod}ns at ${now}`,
      { trustedHeight: header.trustedHeight, now },
    );
  }
  // CometBFT verifyNewHeaderAndVals: the new header's time is after the trusted header's ...
  if (h.time <= trusted.timestamp) {
    fail(`time ${h.time} is not after the trusted time ${trusted.timestamp}`);
  }
  // ... and not beyond now + maxClockDrift.
  if ((opts.checkClockDrift ?? true) && h.time >= now + clientState.maxClockDrift) {
    fail(
      `time ${h.time} is too far in the future (now ${now}, max clock drift ${clientState.maxClockDrift}ns)`,
    );
  }
  if (!equalBytes(validatorSetHash(header.validatorSet), h.validatorsHash)) {
    fail("validator set does not hash to the header's validators hash");
  }
  // ICS-07 checkTrustedHeader: the relayer's trusted validators are the ones the trusted state committed to.
  if (!equalBytes(validatorSetHash(header.trustedValidators), trusted.nextValidatorsHash)) {
    fail(`trusted validators do not hash to the next validators hash at height ${header.trustedHeight}`);
  }

  const hash = headerHash(h);
  if (height === header.trustedHeight + 1n) {
    // CometBFT VerifyAdjacent: the trusted header named this header's validator set.
    if (!equalBytes(h.validatorsHash, trusted.nextValidatorsHash)) {
      fail(`validators hash is not the next validators hash of the trusted height ${header.trustedHeight}`);
    }
  } else {
    // CometBFT VerifyNonAdjacent: enough of the trusted set vouches for the new one.
    verifyCommitTrusting(
      clientState.chainId,
      header.trustedValidators,
      commit,
      clientState.trustLevel,
      h.height,
      hash,
    );
  }
  try {
    // Both cases: +2/3 of the header's own set signed exactly this header (CometBFT VerifyCommitLight).
    verifyCommit(
      clientState.chainId,
      header.validatorSet.validators.map(toShellValidator),
      commit,
      h.height,
      hash,
    );
  } catch (e) {
    // COMMIT_INVALID names the bad signature or the missing power; anything else is a malformed header.
    fail(e instanceof IcsdError ? e.message : `commit does not verify: ${String(e)}`);
  }

  const consensusState: ConsensusState = {
    timestamp: h.time,
    root: h.appHash,
    nextValidatorsHash: h.nextValidatorsHash,
  };
  try {
    validateConsensusState(consensusState);
  } catch (e) {
    fail(e instanceof Error ? e.message : String(e));
  }
  return { height, hash, consensusState };
}
