import { IcsdError } from "../utils/index.ts";

/** Stable codes of the errors p2p throws; callers match on these, never on messages. */
export const P2pErrorCode = {
  /** The request did not complete (stream opened, sent, response read) within its timeout. */
  ReqRespTimeout: "REQRESP_TIMEOUT",
  /** A request or response frame exceeded the protocol's size limit. */
  ReqRespTooLarge: "REQRESP_TOO_LARGE",
  /** Anything else: no handler, handler threw, peer unreachable, stream reset, malformed frame. */
  ReqRespFailed: "REQRESP_FAILED",
  /** The remote peer serves another chain (or is not an icsd node). */
  WrongChain: "P2P_WRONG_CHAIN",
  /** A gossip payload exceeded `maxGossipBytes`. */
  GossipTooLarge: "P2P_GOSSIP_TOO_LARGE",
  /** An argument (multiaddr, key seed, protocol) is malformed or not allowed. */
  InvalidArgument: "P2P_INVALID_ARGUMENT",
  /** The host is not started. */
  NotStarted: "P2P_NOT_STARTED",
} as const;
export type P2pErrorCode = (typeof P2pErrorCode)[keyof typeof P2pErrorCode];

/** An IcsdError whose code is one of `P2pErrorCode`. */
export function p2pError(code: P2pErrorCode, message: string, meta?: Record<string, unknown>): IcsdError {
  return new IcsdError(code, message, meta);
}
