import type { Block, Commit, Header } from "../consensus/index.ts";
import { sha256 } from "../crypto/index.ts";
import { blockHash, encodeBlock } from "../proto/index.ts";
import { formatRfc3339Nano, toBase64, toHexUpper } from "../utils/index.ts";

// CometBFT 0.38 JSON shapes (rpc/core/types): int64 as strings, uint32 as numbers, hashes as uppercase
// hex, bytes as base64. icsd blocks travel whole, so a block id's part set is one part: the block's
// encoding hashed.

export function blockIdJson(hash: Uint8Array, partsHash: Uint8Array) {
  if (hash.length === 0) return { hash: "", parts: { total: 0, hash: "" } };
  return { hash: toHexUpper(hash), parts: { total: 1, hash: toHexUpper(partsHash) } };
}

export function headerJson(h: Header, lastPartsHash: Uint8Array) {
  return {
    version: { block: "11", app: "0" },
    chain_id: h.chainId,
    height: String(h.height),
    time: formatRfc3339Nano(h.time),
    last_block_id: blockIdJson(h.lastBlockHash, lastPartsHash),
    last_commit_hash: toHexUpper(h.lastCommitHash),
    data_hash: toHexUpper(h.dataHash),
    validators_hash: toHexUpper(h.validatorsHash),
    next_validators_hash: toHexUpper(h.nextValidatorsHash),
    consensus_hash: toHexUpper(h.consensusHash),
    app_hash: toHexUpper(h.appHash),
    last_results_hash: toHexUpper(h.lastResultsHash),
    evidence_hash: toHexUpper(h.evidenceHash),
    proposer_address: toHexUpper(h.proposerAddress),
  };
}

export function commitJson(c: Commit, partsHash: Uint8Array) {
  return {
    height: String(c.height),
    round: c.round,
    block_id: blockIdJson(c.blockHash, partsHash),
    signatures: c.signatures.map((s) => ({
      block_id_flag: s.flag,
      validator_address: s.signature.length === 0 && s.flag === 1 ? "" : toHexUpper(s.validatorAddress),
      timestamp: formatRfc3339Nano(s.timestamp),
      signature: s.signature.length === 0 ? null : toBase64(s.signature),
    })),
  };
}

export function partsHashOf(block: Block): Uint8Array {
  return sha256(encodeBlock(block));
}

/** `block` method result for a block whose predecessor's part-set hash is `lastPartsHash`. */
export function blockResultJson(block: Block, lastPartsHash: Uint8Array) {
  const hash = blockHash(block);
  return {
    block_id: blockIdJson(hash, partsHashOf(block)),
    block: {
      header: headerJson(block.header, lastPartsHash),
      data: { txs: block.txs.map(toBase64) },
      evidence: { evidence: [] as unknown[] },
      last_commit: commitJson(block.lastCommit, lastPartsHash),
    },
  };
}
