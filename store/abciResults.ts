import {
  type Event as PbEvent,
  ExecTxResult as PbExecTxResult,
  ResponseFinalizeBlock as PbFinalizeBlock,
  TxResult as PbTxResult,
} from "cosmjs-types/tendermint/abci/types";
import type { Event, TxResult, ValidatorUpdate } from "../consensus/index.ts";
import { errorMessage, IcsdError } from "../utils/index.ts";

// Stored results use CometBFT 0.38's own protobuf messages (abci.ResponseFinalizeBlock, abci.TxResult from
// cosmjs-types), so the bytes on disk are what a CometBFT node would keep for the same results.

/** A transaction's result as stored: TxResult without the mempool-only fields (sender, sequence). */
export type StoredTxResult = Omit<TxResult, "sender" | "sequence">;

/** What finalizeBlock returned for one block, as the store keeps it for `block_results`. */
export interface BlockResults {
  readonly txResults: readonly StoredTxResult[];
  /** Block-level events (CometBFT's finalize_block_events). */
  readonly events: readonly Event[];
  readonly validatorUpdates: readonly ValidatorUpdate[];
  /** The app hash after this block (the next header's app hash). */
  readonly appHash: Uint8Array;
}

/** One indexed transaction: where it is in the chain, its bytes and its result. */
export interface IndexedTx {
  readonly height: number;
  readonly index: number;
  readonly tx: Uint8Array;
  readonly result: StoredTxResult;
}

function eventToPb(e: Event): PbEvent {
  return {
    type: e.type,
    attributes: e.attributes.map((a) => ({ key: a.key, value: a.value, index: a.index ?? true })),
  };
}

function eventFromPb(e: PbEvent): Event {
  return {
    type: e.type,
    attributes: e.attributes.map((a) => ({ key: a.key, value: a.value, index: a.index })),
  };
}

function txResultToPb(r: StoredTxResult): PbExecTxResult {
  return {
    code: r.code,
    data: r.data,
    log: r.log,
    info: "",
    gasWanted: r.gasWanted,
    gasUsed: r.gasUsed,
    events: r.events.map(eventToPb),
    codespace: r.codespace,
  };
}

function txResultFromPb(r: PbExecTxResult): StoredTxResult {
  return {
    code: r.code,
    codespace: r.codespace,
    log: r.log,
    data: r.data,
    gasWanted: r.gasWanted,
    gasUsed: r.gasUsed,
    events: r.events.map(eventFromPb),
  };
}

function decoding<T>(what: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw new IcsdError("STORE_CORRUPT", `cannot decode stored ${what}: ${errorMessage(e)}`);
  }
}

/** Encodes a block's results as abci.ResponseFinalizeBlock. */
export function encodeBlockResults(r: BlockResults): Uint8Array {
  return PbFinalizeBlock.encode({
    events: r.events.map(eventToPb),
    txResults: r.txResults.map(txResultToPb),
    validatorUpdates: r.validatorUpdates.map((u) => ({ pubKey: { ed25519: u.pubKey }, power: u.power })),
    appHash: r.appHash,
  }).finish();
}

/** Decodes what encodeBlockResults wrote; STORE_CORRUPT when the bytes are not such a message. */
export function decodeBlockResults(bytes: Uint8Array): BlockResults {
  return decoding("block results", () => {
    const m = PbFinalizeBlock.decode(bytes);
    return {
      events: m.events.map(eventFromPb),
      txResults: m.txResults.map(txResultFromPb),
      validatorUpdates: m.validatorUpdates.map((u) => ({
        pubKey: u.pubKey.ed25519 ?? new Uint8Array(),
        power: u.power,
      })),
      appHash: m.appHash,
    };
  });
}

/** Encodes an indexed transaction as abci.TxResult. */
export function encodeIndexedTx(t: IndexedTx): Uint8Array {
  return PbTxResult.encode({
    height: BigInt(t.height),
    index: t.index,
    tx: t.tx,
    result: txResultToPb(t.result),
  }).finish();
}

/** Decodes what encodeIndexedTx wrote; STORE_CORRUPT when the bytes are not such a message. */
export function decodeIndexedTx(bytes: Uint8Array): IndexedTx {
  return decoding("indexed tx", () => {
    const m = PbTxResult.decode(bytes);
    return {
      height: Number(m.height),
      index: m.index,
      tx: m.tx,
      result: txResultFromPb(m.result ?? PbExecTxResult.fromPartial({})),
    };
  });
}
