import type { Block, Commit, Event, Evidence, Header, ValidatorUpdate, Vote } from "../consensus/index.ts";
import { sha256 } from "../crypto/index.ts";
import { blockHash, encodeBlock } from "../proto/index.ts";
import type { BlockResults, IndexedTx, StoredTxResult } from "../store/index.ts";
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
      evidence: { evidence: block.evidence.map(evidenceJson) },
      last_commit: commitJson(block.lastCommit, lastPartsHash),
    },
  };
}

/** A vote as CometBFT's JSON shows it (type a number, height a string, block id with empty parts). */
function voteJson(v: Vote) {
  return {
    type: v.type,
    height: String(v.height),
    round: v.round,
    block_id: { hash: toHexUpper(v.blockHash), parts: { total: 0, hash: "" } },
    timestamp: formatRfc3339Nano(v.timestamp),
    validator_address: toHexUpper(v.validatorAddress),
    validator_index: v.validatorIndex,
    signature: toBase64(v.signature),
  };
}

/** Duplicate-vote evidence in CometBFT's amino-JSON envelope, as `block` returns it. */
export function evidenceJson(e: Evidence) {
  return {
    type: "tendermint/DuplicateVoteEvidence",
    value: {
      vote_a: voteJson(e.voteA),
      vote_b: voteJson(e.voteB),
      TotalVotingPower: String(e.totalVotingPower),
      ValidatorPower: String(e.validatorPower),
      Timestamp: formatRfc3339Nano(e.timestamp),
    },
  };
}

/** An ABCI event: attributes as plain strings (CometBFT 0.37+), with their index flag. */
export function eventJson(e: Event) {
  return {
    type: e.type,
    attributes: e.attributes.map((a) => ({ key: a.key, value: a.value, index: a.index ?? true })),
  };
}

/** An ExecTxResult (also the shape of ResponseCheckTx): code a number, gas as strings, data base64. */
export function txResultJson(r: StoredTxResult) {
  return {
    code: r.code,
    data: toBase64(r.data),
    log: r.log,
    info: "",
    gas_wanted: String(r.gasWanted),
    gas_used: String(r.gasUsed),
    events: r.events.map(eventJson),
    codespace: r.codespace,
  };
}

/** The empty ExecTxResult CometBFT sends for a transaction that never ran. */
export const EMPTY_TX_RESULT_JSON = txResultJson({
  code: 0,
  codespace: "",
  log: "",
  data: new Uint8Array(),
  gasWanted: 0n,
  gasUsed: 0n,
  events: [],
});

/** One element of `tx_search`'s txs, and the `tx` result (ResultTx). */
export function txResponseJson(t: IndexedTx, hash: Uint8Array) {
  return {
    hash: toHexUpper(hash),
    height: String(t.height),
    index: t.index,
    tx_result: txResultJson(t.result),
    tx: toBase64(t.tx),
  };
}

/** An abci.ValidatorUpdate as cmtjson writes the proto oneof (CosmJS reads the `Sum` form). */
export function validatorUpdateJson(u: ValidatorUpdate) {
  return {
    pub_key: { Sum: { type: "tendermint.crypto.PublicKey_Ed25519", value: { ed25519: toBase64(u.pubKey) } } },
    power: String(u.power),
  };
}

/** `block_results` for the block at `height`. */
export function blockResultsJson(height: number, r: BlockResults) {
  return {
    height: String(height),
    txs_results: r.txResults.map(txResultJson),
    finalize_block_events: r.events.map(eventJson),
    validator_updates: r.validatorUpdates.map(validatorUpdateJson),
    consensus_param_updates: null,
    app_hash: toHexUpper(r.appHash),
  };
}

/** abci.ResponseFinalizeBlock as the NewBlock event carries it (proto JSON: app_hash is base64). */
export function finalizeBlockJson(r: BlockResults) {
  return {
    events: r.events.map(eventJson),
    tx_results: r.txResults.map(txResultJson),
    validator_updates: r.validatorUpdates.map(validatorUpdateJson),
    consensus_param_updates: null,
    app_hash: toBase64(r.appHash),
  };
}

/** One `blockchain` entry (BlockMeta); the block is sent whole, so its size is its encoding's. */
export function blockMetaJson(block: Block, lastPartsHash: Uint8Array) {
  const bytes = encodeBlock(block);
  return {
    block_id: blockIdJson(blockHash(block), sha256(bytes)),
    block_size: String(bytes.length),
    header: headerJson(block.header, lastPartsHash),
    num_txs: String(block.txs.length),
  };
}
