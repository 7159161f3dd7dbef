/**
 * The chain-id check run on every new connection. Two layers:
 * 1. the protocol id `/icsd/<chainId>/status/1` embeds the chain id, so a peer of another chain (or a
 *    libp2p node that is not icsd) fails protocol negotiation;
 * 2. inside it, a tiny fixed format the node never touches: the request is our chain id in UTF-8; the
 *    response body is one length byte, the responder's chain id in UTF-8, then the node's opaque status
 *    (from `setStatusProvider`). The requester checks the echoed chain id equals its own.
 */
import { fromUtf8, utf8 } from "../utils/index.ts";
import { p2pError } from "./errors.ts";

/** Chain ids longer than this are refused (Cosmos caps them at 50 characters). */
export const MAX_CHAIN_ID_BYTES = 255;

/** The status request: our chain id. */
export function encodeStatusRequest(chainId: string): Uint8Array {
  const b = utf8(chainId);
  if (b.length > MAX_CHAIN_ID_BYTES) throw p2pError("P2P_INVALID_ARGUMENT", "chain id too long");
  return b;
}

/** Decodes a status request; throws P2P_WRONG_CHAIN when it is malformed. */
export function decodeStatusRequest(req: Uint8Array): string {
  try {
    return fromUtf8(req);
  } catch {
    throw p2pError("P2P_WRONG_CHAIN", "status request is not a UTF-8 chain id");
  }
}

/** The status response body: length byte, chain id, node status. */
export function encodeStatusResponse(chainId: string, status: Uint8Array): Uint8Array {
  const id = encodeStatusRequest(chainId);
  const out = new Uint8Array(1 + id.length + status.length);
  out[0] = id.length;
  out.set(id, 1);
  out.set(status, 1 + id.length);
  return out;
}

/** Decodes a status response; throws P2P_WRONG_CHAIN when it is malformed or names another chain. */
export function decodeStatusResponse(expectedChainId: string, body: Uint8Array): Uint8Array {
  const n = body[0];
  if (n === undefined || body.length < 1 + n) throw p2pError("P2P_WRONG_CHAIN", "malformed status response");
  let chainId: string;
  try {
    chainId = fromUtf8(body.subarray(1, 1 + n));
  } catch {
    throw p2pError("P2P_WRONG_CHAIN", "status response chain id is not UTF-8");
  }
  if (chainId !== expectedChainId) {
    throw p2pError("P2P_WRONG_CHAIN", `peer is on chain ${chainId}`, { chainId, expectedChainId });
  }
  return body.subarray(1 + n);
}
