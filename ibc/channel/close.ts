/**
 * Closing a channel end because its counterparty closed (ICS-04 `chanCloseConfirm`): the counterparty's
 * channel end is proven CLOSED at a height this chain's client holds, and this end closes too, so both
 * applications learn of the close.
 *
 * ibc-go proves the counterparty's end against the record it expects, whose connection hops name the
 * counterparty's connection. icsd channels have no connection: the counterparty's record names the
 * counterparty's own client of this chain, which this end does not store. The proof therefore carries
 * that client id next to the Merkle proof (`ChannelCloseProof`), and the expected record is built from
 * it; everything else in the record comes from this end.
 */

import { encodeChannelEnd, mustGetChannel, setChannel } from "./channelStore.ts";
import { ByteReader, ByteWriter } from "./codec.ts";
import { ChannelErrorCode, channelError } from "./errors.ts";
import { channelKey } from "./keys.ts";
import { type ChannelEnd, ChannelState, type IbcApp, type IbcStore, type ProofVerifier } from "./types.ts";

/** What `proofInit` of a close confirmation holds (see the file comment). */
export interface ChannelCloseProof {
  /** The counterparty's client of this chain, as its channel end records it. */
  readonly counterpartyClientId: string;
  /** store/'s encoded membership proof of the counterparty's channel key. */
  readonly proof: Uint8Array;
}

const CLOSE_PROOF_FORMAT = 1;
const MAX_CLIENT_ID = 64;
const MAX_PROOF = 64 * 1024;

/** Deterministic encoding of a close proof: format byte, client id, proof (u32-length-prefixed). */
export function encodeChannelCloseProof(p: ChannelCloseProof): Uint8Array {
  return new ByteWriter().u8(CLOSE_PROOF_FORMAT).string(p.counterpartyClientId).bytes(p.proof).finish();
}

/** Decodes a close proof; throws IBC_PROOF_INVALID on anything but a valid encoding. */
export function decodeChannelCloseProof(bytes: Uint8Array): ChannelCloseProof {
  const r = new ByteReader(bytes, "channel close proof", ChannelErrorCode.proofInvalid);
  if (r.u8() !== CLOSE_PROOF_FORMAT) r.fail("unknown format");
  const counterpartyClientId = r.string(MAX_CLIENT_ID);
  const proof = r.bytes(MAX_PROOF);
  r.end();
  return { counterpartyClientId, proof };
}

/**
 * The record the counterparty stores for its end of `ours` once CLOSED, given its client id: its port
 * and channel are our counterparty, its counterparty is us, ordering and version are the channel's.
 */
export function expectedCounterpartyClosed(ours: ChannelEnd, counterpartyClientId: string): ChannelEnd {
  return {
    state: ChannelState.closed,
    ordering: ours.ordering,
    portId: ours.counterpartyPortId,
    channelId: ours.counterpartyChannelId,
    counterpartyPortId: ours.portId,
    counterpartyChannelId: ours.channelId,
    clientId: counterpartyClientId,
    version: ours.version,
  };
}

/**
 * Closes this end of a channel whose counterparty end is CLOSED (ICS-04 chanCloseConfirm).
 *
 * `proofInit` is an encoded ChannelCloseProof; `proofHeight` a counterparty height this end's client
 * holds a consensus state for. Refused, with nothing written, when: the channel is missing
 * (IBC_CHANNEL_NOT_FOUND); it is already CLOSED (IBC_CHANNEL_ALREADY_CLOSED, which a relay layer may
 * treat as a redundant relay); the proof is malformed or does not show the counterparty's channel key
 * holding the expected CLOSED record at `proofHeight` (IBC_PROOF_INVALID, or the client's error for an
 * unknown height or an unusable client); or the application throws. On success the application's
 * onChanClose ran once and the end is CLOSED; the returned end is the closed one.
 */
export async function closeChannelConfirm(
  store: IbcStore,
  verifier: ProofVerifier,
  port: string,
  channel: string,
  proofInit: Uint8Array,
  proofHeight: bigint,
  app: IbcApp,
): Promise<ChannelEnd> {
  const ours = await mustGetChannel(store, port, channel);
  if (ours.state === ChannelState.closed) {
    throw channelError(
      ChannelErrorCode.channelAlreadyClosed,
      `channel ${port}/${channel} is already CLOSED`,
      {
        port,
        channel,
      },
    );
  }
  const { counterpartyClientId, proof } = decodeChannelCloseProof(proofInit);
  const expected = expectedCounterpartyClosed(ours, counterpartyClientId);
  await verifier.verifyMembership(
    ours.clientId,
    proofHeight,
    channelKey(ours.counterpartyPortId, ours.counterpartyChannelId),
    encodeChannelEnd(expected),
    proof,
  );
  const closed: ChannelEnd = { ...ours, state: ChannelState.closed };
  await app.onChanClose(closed);
  setChannel(store, closed);
  return closed;
}
