export { P2pErrorCode } from "./errors.ts";
export type { GossipHandler, GossipVerdict } from "./gossip.ts";
export { REJECT_PENALTY } from "./gossip.ts";
export {
  generateNodeKey,
  NODE_KEY_SEED_BYTES,
  peerIdFromNodeKeySeed,
  privateKeyFromNodeKeySeed,
} from "./nodeKey.ts";
export type { GossipTopic, P2pOptions, P2pOptionsInput, ReqRespLimits, ReqRespProtocol } from "./options.ts";
export {
  defaultP2pOptions,
  GOSSIP_TOPICS,
  gossipTopicId,
  MAX_GOSSIP_BYTES_LIMIT,
  REQRESP_PROTOCOLS,
  reqRespProtocolId,
  resolveP2pOptions,
} from "./options.ts";
export { createP2p, DEFAULT_PENALTY_WEIGHT } from "./p2p.ts";
export { parsePeerAddr } from "./persistentPeers.ts";
export type { ReqRespHandler } from "./reqResp.ts";
export type { P2p, P2pStats, PeerSummary } from "./types.ts";
