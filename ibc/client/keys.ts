/**
 * Where the light client keeps its records, under the "ibc/" prefix of the host's state (ICS-24 paths,
 * with heights as 8-byte big-endian so consensus states iterate in height order):
 *   ibc/clients/{clientId}/clientState                    -> ClientState
 *   ibc/clients/{clientId}/consensusStates/{height BE8}   -> ConsensusState
 *   ibc/clients/{clientId}/headerHashes/{height BE8}      -> hash of the header that gave the state
 *   ibc/clients/{clientId}/misbehaviour                   -> MisbehaviourRecord (once frozen)
 * Client ids are ICS-24 identifiers without "/", so one client's keys never prefix another's.
 */
import { concatBytes, readUint64Be, uint64Be, utf8 } from "../../utils/index.ts";
import { ClientErrorCode, clientError } from "./errors.ts";

// ICS-24: identifiers use [a-zA-Z0-9.\_+\-#[\]<>]; client ids are 9..64 characters in ibc-go, icsd
// accepts 1..64 so genesis can name short clients ("07-tendermint-0" is fine either way).
const CLIENT_ID = /^[a-zA-Z0-9._+\-#[\]<>]{1,64}$/;

/** Throws IBC_CLIENT_ID_INVALID unless `clientId` is an ICS-24 identifier of 1..64 characters. */
export function validateClientId(clientId: string): void {
  if (typeof clientId !== "string" || !CLIENT_ID.test(clientId)) {
    throw clientError(
      ClientErrorCode.ClientIdInvalid,
      `client id "${String(clientId).slice(0, 80)}" is not an ICS-24 identifier of 1..64 characters`,
      { clientId },
    );
  }
}

function clientPrefix(clientId: string): string {
  return `ibc/clients/${clientId}/`;
}

/** Key of the client state. */
export function clientStateKey(clientId: string): Uint8Array {
  return utf8(`${clientPrefix(clientId)}clientState`);
}

/** Key of the evidence record of a frozen client. */
export function misbehaviourKey(clientId: string): Uint8Array {
  return utf8(`${clientPrefix(clientId)}misbehaviour`);
}

/** Prefix of all consensus-state keys of a client. */
export function consensusStatePrefix(clientId: string): Uint8Array {
  return utf8(`${clientPrefix(clientId)}consensusStates/`);
}

/** Key of the consensus state at `height`. */
export function consensusStateKey(clientId: string, height: bigint): Uint8Array {
  return concatBytes(consensusStatePrefix(clientId), uint64Be(height));
}

/** Key of the hash of the header that produced the consensus state at `height`. */
export function headerHashKey(clientId: string, height: bigint): Uint8Array {
  return concatBytes(utf8(`${clientPrefix(clientId)}headerHashes/`), uint64Be(height));
}

/** The height encoded in a consensus-state key (the last 8 bytes). */
export function heightOfConsensusKey(key: Uint8Array): bigint {
  return readUint64Be(key, key.length - 8);
}

/** The first key after every key starting with `prefix` (for an iteration's exclusive `lt`). */
export function prefixEnd(prefix: Uint8Array): Uint8Array {
  const out = prefix.slice();
  for (let i = out.length - 1; i >= 0; i--) {
    if (out[i]! < 0xff) {
      out[i]! += 1;
      return out.slice(0, i + 1);
    }
  }
  return new Uint8Array(0);
}
