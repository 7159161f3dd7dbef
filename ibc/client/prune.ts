/**
 * Pruning of expired consensus states (ibc-go 07-tendermint PruneAllExpiredConsensusStates): a state
 * past the trusting period can no longer verify headers, so only proofs at its height would be lost.
 */
import { consensusStatesInRange, deleteConsensusState, requireClientState } from "./records.ts";
import type { ClientStore } from "./types.ts";
import { isExpired } from "./verifyHeader.ts";

/**
 * Deletes the client's consensus states (and their header hashes) whose trusting period has passed at
 * `now`, oldest first, never the one at the latest height. Returns the deleted heights, ascending.
 * Consensus-state times increase with height (updateClient freezes the client on any header that would
 * break that), so the scan stops at the first unexpired state: the cost is proportional to what is
 * deleted. Throws IBC_CLIENT_NOT_FOUND for an unknown client.
 */
export async function pruneExpired(store: ClientStore, clientId: string, now: bigint): Promise<bigint[]> {
  const cs = await requireClientState(store, clientId);
  const expired: bigint[] = [];
  for await (const s of consensusStatesInRange(store, clientId, 0n, cs.latestHeight)) {
    if (!isExpired(cs, s.consensusState.timestamp, now)) break;
    expired.push(s.height);
  }
  // Deletes are staged after the scan so no store sees writes during its own iteration.
  for (const h of expired) deleteConsensusState(store, clientId, h);
  return expired;
}
