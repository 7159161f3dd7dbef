/**
 * Codecs of blocks and their parts: header, evidence and the block itself. Decoders validate every
 * field; hashes in the header are not recomputed here (that is block validation, not decoding).
 */
import type { Block, Evidence, Header } from "../../consensus/types.ts";
import { icsd } from "../gen/icsd.js";
import {
  bytesField,
  chainIdField,
  decodeWith,
  fail,
  hashField,
  int64,
  newWriter,
  required,
  safeInt,
  timestampField,
  toBigint,
  toTimestamp,
} from "./fields.ts";
import { ADDRESS_LENGTH, commitFromPb, commitPb, voteFromPb, votePb } from "./vote.ts";

const pb = icsd.types;

/**
 * Block protocol version carried in every header (CometBFT 0.38's version.BlockProtocol). The domain
 * Header has no version, so the codec writes this constant and rejects any other on decode.
 */
export const BLOCK_PROTOCOL = 11;
/** App version carried in every header; fixed for the same reason as BLOCK_PROTOCOL. */
export const APP_VERSION = 0;

/** @internal */
export function headerPb(h: Header): icsd.types.Header.$Properties {
  return {
    version: { block: BLOCK_PROTOCOL, app: APP_VERSION },
    chainId: h.chainId,
    height: h.height,
    time: toTimestamp("header.time", h.time),
    lastBlockHash: h.lastBlockHash,
    lastCommitHash: h.lastCommitHash,
    dataHash: h.dataHash,
    validatorsHash: h.validatorsHash,
    nextValidatorsHash: h.nextValidatorsHash,
    consensusHash: h.consensusHash,
    appHash: h.appHash,
    lastResultsHash: h.lastResultsHash,
    evidenceHash: h.evidenceHash,
    proposerAddress: h.proposerAddress,
  };
}

/** @internal */
export function headerFromPb(path: string, m: icsd.types.Header.$Properties): Header {
  const version = required(`${path}.version`, m.version);
  const block = toBigint(version.block);
  if (block !== BigInt(BLOCK_PROTOCOL))
    fail(`${path}.version.block`, `expected ${BLOCK_PROTOCOL}, got ${block}`);
  const app = toBigint(version.app);
  if (app !== BigInt(APP_VERSION)) fail(`${path}.version.app`, `expected ${APP_VERSION}, got ${app}`);
  return {
    chainId: chainIdField(`${path}.chainId`, m.chainId),
    height: safeInt(`${path}.height`, m.height),
    time: timestampField(`${path}.time`, m.time),
    lastBlockHash: hashField(`${path}.lastBlockHash`, m.lastBlockHash),
    lastCommitHash: hashField(`${path}.lastCommitHash`, m.lastCommitHash),
    dataHash: hashField(`${path}.dataHash`, m.dataHash),
    validatorsHash: hashField(`${path}.validatorsHash`, m.validatorsHash),
    nextValidatorsHash: hashField(`${path}.nextValidatorsHash`, m.nextValidatorsHash),
    consensusHash: hashField(`${path}.consensusHash`, m.consensusHash),
    appHash: hashField(`${path}.appHash`, m.appHash),
    lastResultsHash: hashField(`${path}.lastResultsHash`, m.lastResultsHash),
    evidenceHash: hashField(`${path}.evidenceHash`, m.evidenceHash),
    proposerAddress: bytesField(`${path}.proposerAddress`, m.proposerAddress, ADDRESS_LENGTH),
  };
}

/** @internal */
export function evidencePb(e: Evidence): icsd.types.Evidence.$Properties {
  return {
    duplicateVoteEvidence: {
      voteA: votePb(e.voteA),
      voteB: votePb(e.voteB),
      totalVotingPower: int64("evidence.totalVotingPower", e.totalVotingPower),
      validatorPower: int64("evidence.validatorPower", e.validatorPower),
      timestamp: toTimestamp("evidence.timestamp", e.timestamp),
    },
  };
}

/** @internal */
export function evidenceFromPb(path: string, m: icsd.types.Evidence.$Properties): Evidence {
  const d = m.duplicateVoteEvidence;
  if (d == null) fail(path, "no evidence kind set");
  const p = `${path}.duplicateVoteEvidence`;
  const totalVotingPower = toBigint(d.totalVotingPower);
  if (totalVotingPower < 0n) fail(`${p}.totalVotingPower`, `must be >= 0, got ${totalVotingPower}`);
  const validatorPower = toBigint(d.validatorPower);
  if (validatorPower < 0n) fail(`${p}.validatorPower`, `must be >= 0, got ${validatorPower}`);
  return {
    voteA: voteFromPb(`${p}.voteA`, required(`${p}.voteA`, d.voteA)),
    voteB: voteFromPb(`${p}.voteB`, required(`${p}.voteB`, d.voteB)),
    totalVotingPower,
    validatorPower,
    timestamp: timestampField(`${p}.timestamp`, d.timestamp),
  };
}

/** @internal */
export function blockPb(b: Block): icsd.types.Block.$Properties {
  const evidence: icsd.types.Evidence.$Properties[] = new Array(b.evidence.length);
  for (let i = 0; i < b.evidence.length; i++) evidence[i] = evidencePb(b.evidence[i]!);
  return {
    header: headerPb(b.header),
    data: { txs: b.txs as Uint8Array[] },
    evidence: { evidence },
    lastCommit: commitPb(b.lastCommit),
  };
}

/** @internal */
export function blockFromPb(path: string, m: icsd.types.Block.$Properties): Block {
  const rawTxs = m.data?.txs ?? [];
  const txs: Uint8Array[] = new Array(rawTxs.length);
  for (let i = 0; i < rawTxs.length; i++) txs[i] = bytesField(`${path}.txs[${i}]`, rawTxs[i]);
  const rawEv = m.evidence?.evidence ?? [];
  const evidence: Evidence[] = new Array(rawEv.length);
  for (let i = 0; i < rawEv.length; i++) evidence[i] = evidenceFromPb(`${path}.evidence[${i}]`, rawEv[i]!);
  return {
    header: headerFromPb(`${path}.header`, required(`${path}.header`, m.header)),
    txs,
    evidence,
    lastCommit: commitFromPb(`${path}.lastCommit`, required(`${path}.lastCommit`, m.lastCommit)),
  };
}

/** Protobuf encoding of a header (icsd.types.Header); deterministic. */
export function encodeHeader(h: Header): Uint8Array {
  return pb.Header.encode(headerPb(h), newWriter()).finish();
}

/** Decodes and validates a header; throws PROTO_DECODE naming the bad field. */
export function decodeHeader(bytes: Uint8Array): Header {
  return decodeWith("header", bytes, (b) => headerFromPb("header", pb.Header.decode(b)));
}

/** Protobuf encoding of one piece of evidence (icsd.types.Evidence, the oneof wrapper); deterministic. */
export function encodeEvidence(e: Evidence): Uint8Array {
  return pb.Evidence.encode(evidencePb(e), newWriter()).finish();
}

/** Decodes and validates evidence; throws PROTO_DECODE naming the bad field. */
export function decodeEvidence(bytes: Uint8Array): Evidence {
  return decodeWith("evidence", bytes, (b) => evidenceFromPb("evidence", pb.Evidence.decode(b)));
}

/** Protobuf encoding of a block (icsd.types.Block); deterministic. */
export function encodeBlock(b: Block): Uint8Array {
  return pb.Block.encode(blockPb(b), newWriter()).finish();
}

/** Decodes and validates a block; throws PROTO_DECODE naming the bad field. Tx bytes are views into `bytes`. */
export function decodeBlock(bytes: Uint8Array): Block {
  return decodeWith("block", bytes, (b) => blockFromPb("block", pb.Block.decode(b)));
}
