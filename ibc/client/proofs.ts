/**
 * Proof verification for the packet layer (ICS-02 verifyMembership / verifyNonMembership, ICS-23-style
 * proofs of icsd's state tree): a key/value is in (or absent from) the counterparty's state whose root
 * is the app hash of a verified consensus state. Note the root stored at height H is header H's app
 * hash, i.e. the counterparty's state after block H-1: the relayer proves a write made in block N at
 * proof height N+1.
 */
import { verifyMembership, verifyNonMembership } from "../../store/index.ts";
import { toHex } from "../../utils/index.ts";
import { consensusTimestamp } from "./client.ts";
import { ClientErrorCode, clientError } from "./errors.ts";
import { requireClientState, requireConsensusState } from "./records.ts";
import type { ClientStore, ConsensusState } from "./types.ts";
import { isExpired } from "./verifyHeader.ts";

/** The light-client operations the packet layer needs, bound to a store and the host's block time. */
export interface ClientProofVerifier {
  /** Throws a clear IBC error unless `proof` shows key -> value in the counterparty state at `proofHeight`. */
  verifyMembership(
    clientId: string,
    proofHeight: bigint,
    key: Uint8Array,
    value: Uint8Array,
    proof: Uint8Array,
  ): Promise<void>;
  /** Throws a clear IBC error unless `proof` shows `key` absent from the counterparty state at `proofHeight`. */
  verifyNonMembership(
    clientId: string,
    proofHeight: bigint,
    key: Uint8Array,
    proof: Uint8Array,
  ): Promise<void>;
  /** The counterparty block time (ns) at a height the client has a consensus state for. */
  consensusTimestamp(clientId: string, height: bigint): Promise<bigint>;
}

function describeKey(key: Uint8Array): string {
  // Packet-layer keys are printable paths; show them as text, anything else as hex.
  for (const b of key) if (b < 0x20 || b > 0x7e) return `0x${toHex(key)}`;
  return `"${new TextDecoder().decode(key)}"`;
}

/**
 * The consensus state at exactly `height` of a client that is neither frozen (IBC_CLIENT_FROZEN) nor
 * expired at `now` (IBC_CLIENT_EXPIRED: its latest consensus state is past the trusting period, ICS-07
 * status); throws IBC_CLIENT_NOT_FOUND or IBC_CONSENSUS_STATE_NOT_FOUND when missing.
 */
async function provingState(
  store: ClientStore,
  clientId: string,
  height: bigint,
  now: bigint,
): Promise<ConsensusState> {
  const cs = await requireClientState(store, clientId);
  if (cs.frozenHeight !== 0n) {
    throw clientError(ClientErrorCode.ClientFrozen, `client "${clientId}" is frozen and refuses proofs`, {
      clientId,
    });
  }
  const latest = await requireConsensusState(store, clientId, cs.latestHeight);
  if (isExpired(cs, latest.timestamp, now)) {
    throw clientError(
      ClientErrorCode.ClientExpired,
      `client "${clientId}" is expired: its latest consensus state (height ${cs.latestHeight}) is past the trusting period`,
      { clientId, now },
    );
  }
  return requireConsensusState(store, clientId, height);
}

/**
 * Succeeds only if `proof` (store/'s encoded proof) shows `key` -> `value` under the root of the
 * consensus state at exactly `height`, of an active client. Throws IBC_PROOF_INVALID naming the key
 * and height otherwise (or the errors of an unusable client, see above). Reads only.
 */
export async function verifyMembershipAt(
  store: ClientStore,
  clientId: string,
  height: bigint,
  key: Uint8Array,
  value: Uint8Array,
  proof: Uint8Array,
  now: bigint,
): Promise<void> {
  const cs = await provingState(store, clientId, height, now);
  if (!verifyMembership(cs.root, key, value, proof)) {
    throw clientError(
      ClientErrorCode.ProofInvalid,
      `membership proof of key ${describeKey(key)} with the given value does not verify against client ` +
        `"${clientId}" at height ${height}`,
      { clientId, height },
    );
  }
}

/**
 * Succeeds only if `proof` shows `key` absent under the root of the consensus state at exactly
 * `height`, of an active client. Throws IBC_PROOF_INVALID otherwise. Reads only.
 */
export async function verifyNonMembershipAt(
  store: ClientStore,
  clientId: string,
  height: bigint,
  key: Uint8Array,
  proof: Uint8Array,
  now: bigint,
): Promise<void> {
  const cs = await provingState(store, clientId, height, now);
  if (!verifyNonMembership(cs.root, key, proof)) {
    throw clientError(
      ClientErrorCode.ProofInvalid,
      `non-membership proof of key ${describeKey(key)} does not verify against client "${clientId}" at ` +
        `height ${height}`,
      { clientId, height },
    );
  }
}

/** The packet layer's view of the light clients in `store`, at host block time `now`. */
export function clientProofVerifier(store: ClientStore, now: bigint): ClientProofVerifier {
  return {
    verifyMembership: (clientId, height, key, value, proof) =>
      verifyMembershipAt(store, clientId, height, key, value, proof, now),
    verifyNonMembership: (clientId, height, key, proof) =>
      verifyNonMembershipAt(store, clientId, height, key, proof, now),
    consensusTimestamp: (clientId, height) => consensusTimestamp(store, clientId, height),
  };
}
