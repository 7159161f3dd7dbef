/**
 * Explicit misbehaviour submission (ICS-02 submitMisbehaviour, ICS-07 Misbehaviour): a relayer shows
 * two headers of the counterparty that cannot both be honest, each verified from a trusted consensus
 * state, and the client freezes. updateClient also freezes on its own when a new header conflicts with
 * stored state (see client.ts); this path catches forks the client has not stored.
 */
import { headerHash } from "../../proto/index.ts";
import { equalBytes } from "../../utils/index.ts";
import { ClientErrorCode, clientError } from "./errors.ts";
import { requireClientState, requireConsensusState, writeFrozen } from "./records.ts";
import { type ClientHeader, type ClientStore, MisbehaviourKind, type MisbehaviourRecord } from "./types.ts";
import { verifyClientHeader } from "./verifyHeader.ts";

/**
 * Freezes the client if `header1` and `header2` are misbehaviour: both for the client's chain, both
 * verifying from stored, unexpired trusted consensus states (clock drift is not checked: a fork's header
 * from the future is still evidence, as in ibc-go), and either
 *   - the same height with different header hashes (a fork), or
 *   - different heights where the higher header's time is not after the lower's (BFT time violation).
 * The two may be given in either order. Returns the stored evidence record. Throws IBC_CLIENT_NOT_FOUND,
 * IBC_CLIENT_FROZEN, IBC_MISBEHAVIOUR_INVALID (not misbehaviour), IBC_CONSENSUS_STATE_NOT_FOUND,
 * IBC_CLIENT_EXPIRED or IBC_HEADER_INVALID, writing nothing.
 */
export async function submitMisbehaviour(
  store: ClientStore,
  clientId: string,
  header1: ClientHeader,
  header2: ClientHeader,
  now: bigint,
): Promise<MisbehaviourRecord> {
  const clientState = await requireClientState(store, clientId);
  if (clientState.frozenHeight !== 0n) {
    throw clientError(ClientErrorCode.ClientFrozen, `client "${clientId}" is already frozen`, { clientId });
  }
  // ICS-07 orders the pair so header1 is at least as high as header2.
  const [hi, lo] =
    header1.signedHeader.header.height >= header2.signedHeader.header.height
      ? [header1, header2]
      : [header2, header1];
  const hiHeader = hi.signedHeader.header;
  const loHeader = lo.signedHeader.header;
  const hiHash = headerHash(hiHeader);
  const loHash = headerHash(loHeader);
  const invalid = (msg: string): never => {
    throw clientError(ClientErrorCode.MisbehaviourInvalid, `misbehaviour for client "${clientId}": ${msg}`, {
      clientId,
      height1: BigInt(hiHeader.height),
      height2: BigInt(loHeader.height),
    });
  };
  let kind: MisbehaviourKind;
  if (hiHeader.height === loHeader.height) {
    if (equalBytes(hiHash, loHash)) invalid(`both headers are the same block at height ${hiHeader.height}`);
    kind = MisbehaviourKind.DuplicateHeight;
  } else {
    if (hiHeader.time > loHeader.time) {
      invalid(
        `header at height ${hiHeader.height} is later than the one at ${loHeader.height}: times are in order`,
      );
    }
    kind = MisbehaviourKind.TimeMonotonicity;
  }

  // Both headers must be genuine signed headers of the counterparty, or anyone could freeze the client.
  for (const h of [hi, lo]) {
    const trusted = await requireConsensusState(store, clientId, h.trustedHeight);
    verifyClientHeader(clientState, trusted, h, now, { checkClockDrift: false });
  }

  const record: MisbehaviourRecord = {
    kind,
    height1: BigInt(hiHeader.height),
    hash1: hiHash,
    height2: BigInt(loHeader.height),
    hash2: loHash,
  };
  writeFrozen(store, clientId, clientState, record);
  return record;
}
