/**
 * Typed reads and writes of one client's records in a ClientStore (the repository of the light client).
 * Reads decode and validate what they find; a corrupt record surfaces as the decoder's client error.
 */
import {
  decodeClientState,
  decodeConsensusState,
  decodeMisbehaviourRecord,
  encodeClientState,
  encodeConsensusState,
  encodeMisbehaviourRecord,
} from "./codec.ts";
import { ClientErrorCode, clientError } from "./errors.ts";
import {
  clientStateKey,
  consensusStateKey,
  consensusStatePrefix,
  headerHashKey,
  heightOfConsensusKey,
  misbehaviourKey,
  prefixEnd,
  validateClientId,
} from "./keys.ts";
import type { ClientState, ClientStore, ConsensusState, MisbehaviourRecord } from "./types.ts";

/** A consensus state and its height. */
export interface StoredConsensusState {
  readonly height: bigint;
  readonly consensusState: ConsensusState;
}

/** The client state, or undefined when no client has this id. */
export async function readClientState(
  store: ClientStore,
  clientId: string,
): Promise<ClientState | undefined> {
  validateClientId(clientId);
  const raw = await store.get(clientStateKey(clientId));
  return raw === undefined ? undefined : decodeClientState(raw);
}

/** The client state; throws IBC_CLIENT_NOT_FOUND when there is none. */
export async function requireClientState(store: ClientStore, clientId: string): Promise<ClientState> {
  const cs = await readClientState(store, clientId);
  if (cs === undefined) {
    throw clientError(ClientErrorCode.ClientNotFound, `client "${clientId}" does not exist`, { clientId });
  }
  return cs;
}

/** Stages the client state. */
export function writeClientState(store: ClientStore, clientId: string, cs: ClientState): void {
  store.set(clientStateKey(clientId), encodeClientState(cs));
}

/** The consensus state at exactly `height`, or undefined. */
export async function readConsensusState(
  store: ClientStore,
  clientId: string,
  height: bigint,
): Promise<ConsensusState | undefined> {
  if (height < 0n || height >= 1n << 64n) return undefined;
  const raw = await store.get(consensusStateKey(clientId, height));
  return raw === undefined ? undefined : decodeConsensusState(raw);
}

/** The consensus state at exactly `height`; throws IBC_CONSENSUS_STATE_NOT_FOUND when there is none. */
export async function requireConsensusState(
  store: ClientStore,
  clientId: string,
  height: bigint,
): Promise<ConsensusState> {
  const cs = await readConsensusState(store, clientId, height);
  if (cs === undefined) {
    throw clientError(
      ClientErrorCode.ConsensusStateNotFound,
      `client "${clientId}" has no consensus state at height ${height}`,
      { clientId, height },
    );
  }
  return cs;
}

/** Stages a consensus state and, when known, the hash of the header it came from. */
export function writeConsensusState(
  store: ClientStore,
  clientId: string,
  height: bigint,
  cs: ConsensusState,
  headerHash: Uint8Array | undefined,
): void {
  store.set(consensusStateKey(clientId, height), encodeConsensusState(cs));
  if (headerHash !== undefined) store.set(headerHashKey(clientId, height), headerHash);
}

/** Stages the deletion of the consensus state at `height` and its header hash. */
export function deleteConsensusState(store: ClientStore, clientId: string, height: bigint): void {
  store.delete(consensusStateKey(clientId, height));
  store.delete(headerHashKey(clientId, height));
}

/** Hash of the header that produced the consensus state at `height` (undefined for createClient's). */
export async function readHeaderHash(
  store: ClientStore,
  clientId: string,
  height: bigint,
): Promise<Uint8Array | undefined> {
  return store.get(headerHashKey(clientId, height));
}

/**
 * Consensus states with from <= height < to (to undefined: no upper bound), ascending, as an async
 * iterable, so a caller pays only for what it reads.
 */
export async function* consensusStatesInRange(
  store: ClientStore,
  clientId: string,
  from: bigint,
  to?: bigint,
): AsyncIterable<StoredConsensusState> {
  const prefix = consensusStatePrefix(clientId);
  const gte = consensusStateKey(clientId, from < 0n ? 0n : from);
  const lt = to === undefined ? prefixEnd(prefix) : consensusStateKey(clientId, to);
  for await (const [key, value] of store.iterate({ gte, lt })) {
    yield { height: heightOfConsensusKey(key), consensusState: decodeConsensusState(value) };
  }
}

/**
 * The stored neighbours of `height`: the highest consensus state in [from, height) and the lowest above
 * `height`. `from` bounds the downward scan (the trusted height, which is below `height`), so the cost
 * is the number of states between the trusted height and `height`, plus one.
 */
export async function neighbours(
  store: ClientStore,
  clientId: string,
  from: bigint,
  height: bigint,
): Promise<{ prev?: StoredConsensusState; next?: StoredConsensusState }> {
  let prev: StoredConsensusState | undefined;
  for await (const s of consensusStatesInRange(store, clientId, from, height)) prev = s;
  let next: StoredConsensusState | undefined;
  for await (const s of consensusStatesInRange(store, clientId, height + 1n)) {
    next = s;
    break;
  }
  return { ...(prev ? { prev } : {}), ...(next ? { next } : {}) };
}

/** The evidence record of a frozen client, or undefined. */
export async function readMisbehaviour(
  store: ClientStore,
  clientId: string,
): Promise<MisbehaviourRecord | undefined> {
  validateClientId(clientId);
  const raw = await store.get(misbehaviourKey(clientId));
  return raw === undefined ? undefined : decodeMisbehaviourRecord(raw);
}

/** Stages a frozen client state (frozenHeight 1, as ibc-go's FrozenHeight) and its evidence. */
export function writeFrozen(
  store: ClientStore,
  clientId: string,
  cs: ClientState,
  record: MisbehaviourRecord,
): void {
  writeClientState(store, clientId, { ...cs, frozenHeight: 1n });
  store.set(misbehaviourKey(clientId), encodeMisbehaviourRecord(record));
}
