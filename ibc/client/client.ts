/**
 * The light client's lifecycle (ICS-02 client semantics with ICS-07 Tendermint verification):
 * createClient and updateClient, plus the read-only queries the packet layer and relayer use.
 * Every check runs before any write, so a call that throws leaves the store untouched.
 */
import { equalBytes } from "../../utils/index.ts";
import { sameConsensusState, validateClientState, validateConsensusState } from "./codec.ts";
import { ClientErrorCode, clientError } from "./errors.ts";
import { validateClientId } from "./keys.ts";
import {
  neighbours,
  readClientState,
  readConsensusState,
  readHeaderHash,
  requireClientState,
  requireConsensusState,
  type StoredConsensusState,
  writeClientState,
  writeConsensusState,
  writeFrozen,
} from "./records.ts";
import {
  type ClientHeader,
  type ClientState,
  ClientStatus,
  type ClientStore,
  type ConsensusState,
  MisbehaviourKind,
  type MisbehaviourRecord,
} from "./types.ts";
import { isExpired, verifyClientHeader } from "./verifyHeader.ts";

/** What an accepted updateClient did. */
export type UpdateResult =
  | { readonly kind: "updated"; readonly height: bigint; readonly consensusState: ConsensusState }
  /** The same header was already applied at this height. */
  | { readonly kind: "noop"; readonly height: bigint }
  /** The header verified but conflicts with stored state: the client is now frozen. */
  | { readonly kind: "frozen"; readonly misbehaviour: MisbehaviourRecord };

const EMPTY = new Uint8Array(0);

/**
 * Creates a client (ICS-02 createClient): stores `clientState` and `consensusState` at
 * clientState.latestHeight. Throws IBC_CLIENT_ID_INVALID, IBC_CLIENT_EXISTS, IBC_CLIENT_STATE_INVALID
 * (including a non-zero frozenHeight) or IBC_CONSENSUS_STATE_INVALID, writing nothing.
 */
export async function createClient(
  store: ClientStore,
  clientId: string,
  clientState: ClientState,
  consensusState: ConsensusState,
): Promise<void> {
  validateClientId(clientId);
  validateClientState(clientState);
  if (clientState.frozenHeight !== 0n) {
    throw clientError(ClientErrorCode.ClientStateInvalid, "client state: a new client must not be frozen", {
      clientId,
    });
  }
  validateConsensusState(consensusState);
  if ((await readClientState(store, clientId)) !== undefined) {
    throw clientError(ClientErrorCode.ClientExists, `client "${clientId}" already exists`, { clientId });
  }
  writeClientState(store, clientId, clientState);
  writeConsensusState(store, clientId, clientState.latestHeight, consensusState, undefined);
}

/**
 * Updates a client with a relayer's header (ICS-02 updateClient, ICS-07 verification; see
 * verifyClientHeader for what is checked). On success stores the new consensus state (and raises
 * latestHeight when the header is higher; lower heights fill in). A header that verifies but conflicts
 * with stored state freezes the client instead (ICS-07 CheckForMisbehaviour): a different header at an
 * already-stored height, or a time not strictly between the stored neighbours' times. The same header
 * again is a no-op. Throws IBC_CLIENT_NOT_FOUND, IBC_CLIENT_FROZEN, IBC_CONSENSUS_STATE_NOT_FOUND (trusted
 * height), IBC_CLIENT_EXPIRED or IBC_HEADER_INVALID, writing nothing.
 */
export async function updateClient(
  store: ClientStore,
  clientId: string,
  header: ClientHeader,
  now: bigint,
): Promise<UpdateResult> {
  const clientState = await requireClientState(store, clientId);
  if (clientState.frozenHeight !== 0n) {
    throw clientError(ClientErrorCode.ClientFrozen, `client "${clientId}" is frozen and refuses updates`, {
      clientId,
    });
  }
  const trusted = await requireConsensusState(store, clientId, header.trustedHeight);
  const v = verifyClientHeader(clientState, trusted, header, now);

  const existing = await readConsensusState(store, clientId, v.height);
  if (existing !== undefined) {
    const existingHash = await readHeaderHash(store, clientId, v.height);
    const sameHeader = existingHash === undefined || equalBytes(existingHash, v.hash);
    if (sameHeader && sameConsensusState(existing, v.consensusState))
      return { kind: "noop", height: v.height };
    // ICS-07: two valid headers at one height are a fork of the counterparty.
    const misbehaviour: MisbehaviourRecord = {
      kind: MisbehaviourKind.DuplicateHeight,
      height1: v.height,
      hash1: existingHash ?? EMPTY,
      height2: v.height,
      hash2: v.hash,
    };
    writeFrozen(store, clientId, clientState, misbehaviour);
    return { kind: "frozen", misbehaviour };
  }

  // ICS-07: consensus states must have strictly increasing times in height order; a verified header that
  // breaks this proves the counterparty's validators signed conflicting histories (BFT time violation).
  const { prev, next } = await neighbours(store, clientId, header.trustedHeight, v.height);
  const t = v.consensusState.timestamp;
  const broken =
    (prev && prev.consensusState.timestamp >= t ? prev : undefined) ??
    (next && next.consensusState.timestamp <= t ? next : undefined);
  if (broken !== undefined) {
    const misbehaviour = await timeMisbehaviour(store, clientId, broken, v.height, v.hash);
    writeFrozen(store, clientId, clientState, misbehaviour);
    return { kind: "frozen", misbehaviour };
  }

  writeConsensusState(store, clientId, v.height, v.consensusState, v.hash);
  if (v.height > clientState.latestHeight)
    writeClientState(store, clientId, { ...clientState, latestHeight: v.height });
  return { kind: "updated", height: v.height, consensusState: v.consensusState };
}

async function timeMisbehaviour(
  store: ClientStore,
  clientId: string,
  neighbour: StoredConsensusState,
  height: bigint,
  hash: Uint8Array,
): Promise<MisbehaviourRecord> {
  const neighbourHash = (await readHeaderHash(store, clientId, neighbour.height)) ?? EMPTY;
  return {
    kind: MisbehaviourKind.TimeMonotonicity,
    height1: neighbour.height,
    hash1: neighbourHash,
    height2: height,
    hash2: hash,
  };
}

/** The client state, or undefined when there is no such client. */
export async function getClientState(store: ClientStore, clientId: string): Promise<ClientState | undefined> {
  return readClientState(store, clientId);
}

/** The consensus state at exactly `height`, or undefined (unknown client or height). */
export async function getConsensusState(
  store: ClientStore,
  clientId: string,
  height: bigint,
): Promise<ConsensusState | undefined> {
  validateClientId(clientId);
  return readConsensusState(store, clientId, height);
}

/** The consensus state at the client's latest height; throws IBC_CLIENT_NOT_FOUND for an unknown client. */
export async function latestConsensusState(
  store: ClientStore,
  clientId: string,
): Promise<StoredConsensusState> {
  const cs = await requireClientState(store, clientId);
  return {
    height: cs.latestHeight,
    consensusState: await requireConsensusState(store, clientId, cs.latestHeight),
  };
}

/**
 * The counterparty's block time (ns) at `height`, from the consensus state stored there (the packet
 * layer's clock for timestamp timeouts). Throws IBC_CLIENT_NOT_FOUND or IBC_CONSENSUS_STATE_NOT_FOUND.
 */
export async function consensusTimestamp(
  store: ClientStore,
  clientId: string,
  height: bigint,
): Promise<bigint> {
  await requireClientState(store, clientId);
  return (await requireConsensusState(store, clientId, height)).timestamp;
}

/**
 * ICS-02 status at host time `now`: Frozen once misbehaviour was found; Expired when the latest
 * consensus state is past the trusting period (no header can be verified any more; ICS-07 Status);
 * else Active. Throws IBC_CLIENT_NOT_FOUND.
 */
export async function clientStatus(store: ClientStore, clientId: string, now: bigint): Promise<ClientStatus> {
  const cs = await requireClientState(store, clientId);
  if (cs.frozenHeight !== 0n) return ClientStatus.Frozen;
  const latest = await requireConsensusState(store, clientId, cs.latestHeight);
  return isExpired(cs, latest.timestamp, now) ? ClientStatus.Expired : ClientStatus.Active;
}
