/**
 * Codecs of the messages nodes exchange over libp2p (package icsd.p2p): gossip of proposals, votes,
 * transactions and evidence, and the status, block-sync and catch-up request/response pairs. Every
 * decoder takes untrusted bytes and throws PROTO_DECODE naming the bad field.
 */
import type { Block, Commit, Evidence, Proposal, Vote } from "../../consensus/types.ts";
import { IcsdError } from "../../utils/index.ts";
import { icsd } from "../gen/icsd.js";
import { blockFromPb, blockPb, evidenceFromPb, evidencePb } from "./block.ts";
import {
  bytesField,
  chainIdField,
  decodeWith,
  fail,
  hashField,
  newWriter,
  PROTO_ENCODE,
  required,
  safeInt,
} from "./fields.ts";
import { commitFromPb, proposalFromPb, proposalPb, voteFromPb, votePb } from "./vote.ts";

const pb = icsd.p2p;
const pbTypes = icsd.types;

/** A signed proposal together with the block it proposes. */
export interface P2pProposal {
  readonly proposal: Proposal;
  readonly block: Block;
}

/** A node's answer to a status request: which chain it runs and which heights it can serve. */
export interface StatusResponse {
  readonly chainId: string;
  /** Last committed height (0 before the first block). */
  readonly height: number;
  /** Lowest height whose block it still holds. */
  readonly earliestHeight: number;
  readonly lastBlockHash: Uint8Array;
}

/** Most blocks one block-sync request may ask for, and one response may carry. */
export const MAX_BLOCKS_PER_REQUEST = 64;

/** A block-sync request: up to `count` (1..MAX_BLOCKS_PER_REQUEST) consecutive blocks from `height` on. */
export interface BlockRequest {
  readonly height: number;
  readonly count: number;
}

/** A block as a block store holds it: the encoded block and its encoded commit. */
export interface StoredBlock {
  readonly block: Uint8Array;
  readonly commit: Uint8Array;
}

/** A block received from a peer, decoded, with the +2/3 precommits that committed it. */
export interface SyncedBlock {
  readonly block: Block;
  readonly commit: Commit;
}

/** Everything a peer holds for a height in progress. */
export interface CatchupResponse {
  readonly proposals: readonly P2pProposal[];
  readonly votes: readonly Vote[];
}

/** @internal */
export function proposalMessagePb(p: P2pProposal): icsd.p2p.ProposalMessage.$Properties {
  return { proposal: proposalPb(p.proposal), block: blockPb(p.block) };
}

/** @internal */
export function proposalMessageFromPb(path: string, m: icsd.p2p.ProposalMessage.$Properties): P2pProposal {
  return {
    proposal: proposalFromPb(`${path}.proposal`, required(`${path}.proposal`, m.proposal)),
    block: blockFromPb(`${path}.block`, required(`${path}.block`, m.block)),
  };
}

/** Encodes a gossiped proposal with its block. */
export function encodeProposalMessage(p: P2pProposal): Uint8Array {
  return pb.ProposalMessage.encode(proposalMessagePb(p), newWriter()).finish();
}

/** Decodes and validates a gossiped proposal with its block. */
export function decodeProposalMessage(bytes: Uint8Array): P2pProposal {
  return decodeWith("proposalMessage", bytes, (b) =>
    proposalMessageFromPb("proposalMessage", pb.ProposalMessage.decode(b)),
  );
}

/** Encodes a gossiped vote. */
export function encodeVoteMessage(v: Vote): Uint8Array {
  return pb.VoteMessage.encode({ vote: votePb(v) }, newWriter()).finish();
}

/** Decodes and validates a gossiped vote. */
export function decodeVoteMessage(bytes: Uint8Array): Vote {
  return decodeWith("voteMessage", bytes, (b) => {
    const m = pb.VoteMessage.decode(b);
    return voteFromPb("voteMessage.vote", required("voteMessage.vote", m.vote));
  });
}

/** Most transactions one gossip message may carry. */
export const MAX_TXS_PER_MESSAGE = 10_000;

/** Encodes a batch of gossiped transactions. */
export function encodeTxMessage(txs: readonly Uint8Array[]): Uint8Array {
  return pb.TxMessage.encode({ txs: [...txs] }, newWriter()).finish();
}

/** Decodes a batch of gossiped transactions (views into `bytes`); an empty batch or tx is rejected. */
export function decodeTxMessage(bytes: Uint8Array): Uint8Array[] {
  return decodeWith("txMessage", bytes, (b) => {
    const raw = pb.TxMessage.decode(b).txs ?? [];
    if (raw.length === 0) fail("txMessage.txs", "empty");
    if (raw.length > MAX_TXS_PER_MESSAGE) fail("txMessage.txs", `more than ${MAX_TXS_PER_MESSAGE}`);
    return raw.map((t, i) => {
      const tx = bytesField(`txMessage.txs[${i}]`, t);
      if (tx.length === 0) fail(`txMessage.txs[${i}]`, "empty");
      return tx;
    });
  });
}

/** Encodes gossiped evidence. */
export function encodeEvidenceMessage(e: Evidence): Uint8Array {
  return pb.EvidenceMessage.encode({ evidence: evidencePb(e) }, newWriter()).finish();
}

/** Decodes and validates gossiped evidence. */
export function decodeEvidenceMessage(bytes: Uint8Array): Evidence {
  return decodeWith("evidenceMessage", bytes, (b) => {
    const m = pb.EvidenceMessage.decode(b);
    return evidenceFromPb("evidenceMessage.evidence", required("evidenceMessage.evidence", m.evidence));
  });
}

/** Encodes a status request (an empty message). */
export function encodeStatusRequest(): Uint8Array {
  return pb.StatusRequest.encode({}, newWriter()).finish();
}

/** Checks that `bytes` is a well-formed status request. */
export function decodeStatusRequest(bytes: Uint8Array): void {
  decodeWith("statusRequest", bytes, (b) => pb.StatusRequest.decode(b));
}

/** Encodes a status response. */
export function encodeStatusResponse(s: StatusResponse): Uint8Array {
  return pb.StatusResponse.encode(
    {
      chainId: s.chainId,
      height: s.height,
      earliestHeight: s.earliestHeight,
      lastBlockHash: s.lastBlockHash,
    },
    newWriter(),
  ).finish();
}

/** Decodes and validates a status response. */
export function decodeStatusResponse(bytes: Uint8Array): StatusResponse {
  return decodeWith("statusResponse", bytes, (b) => {
    const m = pb.StatusResponse.decode(b);
    return {
      chainId: chainIdField("statusResponse.chainId", m.chainId),
      height: safeInt("statusResponse.height", m.height),
      earliestHeight: safeInt("statusResponse.earliestHeight", m.earliestHeight),
      lastBlockHash: hashField("statusResponse.lastBlockHash", m.lastBlockHash),
    };
  });
}

/** Throws PROTO_ENCODE naming `path`. */
function encodeFail(path: string, what: string): never {
  throw new IcsdError(PROTO_ENCODE, `${path}: ${what}`, { field: path });
}

/** Encodes a block-sync request. Throws PROTO_ENCODE for a height below 1 or a count out of range. */
export function encodeBlockRequest(r: BlockRequest): Uint8Array {
  if (!Number.isSafeInteger(r.height) || r.height < 1)
    encodeFail("blockRequest.height", `${r.height} is not a height`);
  if (!Number.isInteger(r.count) || r.count < 1 || r.count > MAX_BLOCKS_PER_REQUEST) {
    encodeFail("blockRequest.count", `${r.count} is not in 1..${MAX_BLOCKS_PER_REQUEST}`);
  }
  return pb.BlockRequest.encode({ height: r.height, count: r.count }, newWriter()).finish();
}

/**
 * Decodes a block-sync request. A count of 0 (or absent) reads as 1; a height below 1, a count above
 * MAX_BLOCKS_PER_REQUEST or a range past the largest safe integer throws PROTO_DECODE.
 */
export function decodeBlockRequest(bytes: Uint8Array): BlockRequest {
  return decodeWith("blockRequest", bytes, (b) => {
    const m = pb.BlockRequest.decode(b);
    const height = safeInt("blockRequest.height", m.height);
    if (height < 1) fail("blockRequest.height", `${height} is not a height`);
    const count = m.count || 1;
    if (count > MAX_BLOCKS_PER_REQUEST) fail("blockRequest.count", `more than ${MAX_BLOCKS_PER_REQUEST}`);
    if (!Number.isSafeInteger(height + count)) fail("blockRequest.height", "range overflows");
    return { height, count };
  });
}

/** Encodes a block-sync response from the blocks as stored (no decoding and encoding again). */
export function encodeBlockResponse(blocks: readonly StoredBlock[]): Uint8Array {
  if (blocks.length > MAX_BLOCKS_PER_REQUEST) {
    encodeFail("blockResponse.blocks", `more than ${MAX_BLOCKS_PER_REQUEST}`);
  }
  return pb.BlockResponse.encode(
    { blocks: blocks.map((x) => ({ block: x.block, commit: x.commit })) },
    newWriter(),
  ).finish();
}

/**
 * Decodes and validates a block-sync response: at most MAX_BLOCKS_PER_REQUEST blocks, each a valid
 * block with a valid commit. Whether they are the blocks that were asked for is the caller's check.
 */
export function decodeBlockResponse(bytes: Uint8Array): SyncedBlock[] {
  return decodeWith("blockResponse", bytes, (b) => {
    const raw = pb.BlockResponse.decode(b).blocks ?? [];
    if (raw.length > MAX_BLOCKS_PER_REQUEST)
      fail("blockResponse.blocks", `more than ${MAX_BLOCKS_PER_REQUEST}`);
    const out: SyncedBlock[] = new Array(raw.length);
    for (let i = 0; i < raw.length; i++) {
      const path = `blockResponse.blocks[${i}]`;
      const blockBytes = bytesField(`${path}.block`, raw[i]!.block);
      const commitBytes = bytesField(`${path}.commit`, raw[i]!.commit);
      if (blockBytes.length === 0) fail(`${path}.block`, "missing");
      if (commitBytes.length === 0) fail(`${path}.commit`, "missing");
      out[i] = {
        block: decodeWith(`${path}.block`, blockBytes, (x) =>
          blockFromPb(`${path}.block`, pbTypes.Block.decode(x)),
        ),
        commit: decodeWith(`${path}.commit`, commitBytes, (x) =>
          commitFromPb(`${path}.commit`, pbTypes.Commit.decode(x)),
        ),
      };
    }
    return out;
  });
}

/** Encodes a catch-up request for the height in progress. */
export function encodeCatchupRequest(height: number): Uint8Array {
  return pb.CatchupRequest.encode({ height }, newWriter()).finish();
}

/** Decodes a catch-up request: the requested height. */
export function decodeCatchupRequest(bytes: Uint8Array): number {
  return decodeWith("catchupRequest", bytes, (b) =>
    safeInt("catchupRequest.height", pb.CatchupRequest.decode(b).height),
  );
}

/** Encodes a catch-up response. */
export function encodeCatchupResponse(r: CatchupResponse): Uint8Array {
  return pb.CatchupResponse.encode(
    { proposals: r.proposals.map(proposalMessagePb), votes: r.votes.map(votePb) },
    newWriter(),
  ).finish();
}

/** Decodes and validates a catch-up response. */
export function decodeCatchupResponse(bytes: Uint8Array): CatchupResponse {
  return decodeWith("catchupResponse", bytes, (b) => {
    const m = pb.CatchupResponse.decode(b);
    const rawP = m.proposals ?? [];
    const proposals: P2pProposal[] = new Array(rawP.length);
    for (let i = 0; i < rawP.length; i++) {
      proposals[i] = proposalMessageFromPb(`catchupResponse.proposals[${i}]`, rawP[i]!);
    }
    const rawV = m.votes ?? [];
    const votes: Vote[] = new Array(rawV.length);
    for (let i = 0; i < rawV.length; i++) votes[i] = voteFromPb(`catchupResponse.votes[${i}]`, rawV[i]!);
    return { proposals, votes };
  });
}
