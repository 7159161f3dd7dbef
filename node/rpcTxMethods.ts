import type { Block, Commit } from "../consensus/index.ts";
import { sha256 } from "../crypto/index.ts";
import {
  paramBase64Bytes,
  paramBool,
  paramInt,
  paramString,
  RpcInvalidParamsError,
  type RpcMethods,
} from "../rpc/index.ts";
import type { BlockStore, TxIndex } from "../store/index.ts";
import { errorMessage, fromBase64, fromHex, IcsdError, toBase64, toHexUpper } from "../utils/index.ts";
import type { ChainMeta } from "./chain.ts";
import type { EventBus, TxEvent } from "./eventBus.ts";
import type { Mempool } from "./mempool.ts";
import {
  blockIdJson,
  blockMetaJson,
  blockResultJson,
  blockResultsJson,
  EMPTY_TX_RESULT_JSON,
  headerJson,
  partsHashOf,
  txResponseJson,
  txResultJson,
} from "./rpcJson.ts";
import { parseQuery, toIndexQuery } from "./txQuery.ts";

/** The parts of the chain the transaction methods read. */
export interface ChainReader {
  readonly meta: ChainMeta;
  loadBlock(height: number): Promise<{ block: Block; commit: Commit } | undefined>;
}

/** What the transaction and block-results methods need from the node. */
export interface TxRpcSources {
  readonly chain: ChainReader;
  readonly blocks: BlockStore;
  readonly txIndex: TxIndex;
  readonly eventBus: EventBus;
  readonly mempool: Pick<Mempool, "add" | "txs" | "size" | "totalBytes">;
  readonly network: { broadcastTx(tx: Uint8Array): void };
  /** How long broadcast_tx_commit waits for the block (CometBFT's timeout_broadcast_tx_commit). */
  readonly broadcastTxCommitTimeoutMs?: number;
}

/** CometBFT's default timeout_broadcast_tx_commit. */
export const DEFAULT_BROADCAST_TX_COMMIT_TIMEOUT_MS = 10_000;
/** Subscriptions the bus may hold before broadcast_tx_commit refuses (CometBFT's max_subscription_clients). */
const MAX_BUS_SUBSCRIPTIONS = 1000;
const DEFAULT_PER_PAGE = 30;
const MAX_PER_PAGE = 100;
const BLOCKCHAIN_LIMIT = 20;

/** CometBFT's validatePerPage: absent or < 1 gives the default, larger than the maximum is capped. */
function perPageParam(params: Record<string, unknown>, name: string): number {
  const n = paramInt(params, name, DEFAULT_PER_PAGE);
  return n < 1 ? DEFAULT_PER_PAGE : Math.min(n, MAX_PER_PAGE);
}

/** A 32-byte hash given as base64 (what CosmJS sends) or hex (what curl users type). */
function hashParam(params: Record<string, unknown>, name: string): Uint8Array {
  const v = paramString(params, name);
  const hex = v.startsWith("0x") || v.startsWith("0X") ? v.slice(2) : v;
  if (/^[0-9a-fA-F]{64}$/.test(hex)) return fromHex(hex);
  let bytes: Uint8Array | undefined;
  try {
    bytes = fromBase64(v);
  } catch {
    bytes = undefined;
  }
  if (bytes?.length !== 32) throw new RpcInvalidParamsError(name, "must be a 32-byte hash in base64 or hex");
  return bytes;
}

/** Subscribes before the tx is submitted, so its commit cannot be missed. */
function waitForTx(bus: EventBus, hash: string, timeoutMs: number) {
  let cancel = () => {};
  const promise = new Promise<TxEvent>((resolve, reject) => {
    const timer = setTimeout(() => {
      cancel();
      reject(new IcsdError("BROADCAST_TIMEOUT", "timed out waiting for tx to be included in a block"));
    }, timeoutMs);
    timer.unref();
    const unsubscribe = bus.subscribe(parseQuery(`tm.event='Tx' AND tx.hash='${hash}'`), (ev) => {
      if (ev.type !== "Tx") return;
      cancel();
      resolve(ev);
    });
    cancel = () => {
      clearTimeout(timer);
      unsubscribe();
    };
  });
  return { promise, cancel: () => cancel() };
}

/**
 * The CometBFT 0.38 methods over committed transactions and results: tx, tx_search, block_results,
 * blockchain, header, header_by_hash, block_by_hash, unconfirmed_txs and broadcast_tx_commit.
 */
export function txRpcMethods(s: TxRpcSources): RpcMethods {
  const lastHeight = () => s.chain.meta.lastHeight;
  const baseHeight = () => s.chain.meta.initialHeight;
  const heightParam = (params: Record<string, unknown>): number => {
    const h = paramInt(params, "height", 0);
    if (h === 0) return lastHeight();
    if (h < baseHeight() || h > lastHeight()) {
      throw new IcsdError("RPC_HEIGHT", `height ${h} must be between ${baseHeight()} and ${lastHeight()}`);
    }
    return h;
  };
  const lastPartsHash = async (height: number): Promise<Uint8Array> => {
    if (height <= baseHeight()) return new Uint8Array();
    const prev = await s.chain.loadBlock(height - 1);
    return prev ? partsHashOf(prev.block) : new Uint8Array();
  };
  const blockAt = async (height: number): Promise<Block> => {
    const b = await s.chain.loadBlock(height);
    if (!b) throw new IcsdError("RPC_HEIGHT", `no block at height ${height}`);
    return b.block;
  };
  const blockByHash = async (hash: Uint8Array): Promise<{ height: number; block: Block } | undefined> => {
    const height = await s.blocks.heightOfHash(hash);
    const b = height === undefined ? undefined : await s.chain.loadBlock(height);
    return b && height !== undefined ? { height, block: b.block } : undefined;
  };

  return {
    tx: async (params) => {
      const hash = hashParam(params, "hash");
      paramBool(params, "prove", false);
      const t = await s.txIndex.get(hash);
      if (!t) throw new IcsdError("TX_NOT_FOUND", `tx (${toHexUpper(hash)}) not found`);
      return txResponseJson(t, hash);
    },
    tx_search: async (params) => {
      const query = parseQuery(paramString(params, "query"));
      paramBool(params, "prove", false);
      const order = paramString(params, "order_by", "asc");
      if (order !== "asc" && order !== "desc" && order !== "") {
        throw new RpcInvalidParamsError(
          "order_by",
          "expected order_by to be either `asc` or `desc` or empty",
        );
      }
      const iq = toIndexQuery(query);
      const found = iq ? await s.txIndex.search(iq) : [];
      if (order === "desc") found.reverse();
      const perPage = perPageParam(params, "per_page");
      const pages = Math.max(1, Math.ceil(found.length / perPage));
      const page = paramInt(params, "page", 1);
      if (page < 1 || page > pages) {
        throw new RpcInvalidParamsError("page", `page should be within [1, ${pages}] range, given ${page}`);
      }
      const txs = [];
      for (const p of found.slice((page - 1) * perPage, page * perPage)) {
        const t = await s.txIndex.get(p.hash);
        if (t) txs.push(txResponseJson(t, p.hash));
      }
      return { txs, total_count: String(found.length) };
    },
    block_results: async (params) => {
      const height = heightParam(params);
      const r = await s.blocks.loadBlockResults(height);
      if (!r) throw new IcsdError("RPC_NO_RESULTS", `could not find results for height #${height}`);
      return blockResultsJson(height, r);
    },
    blockchain: async (params) => {
      // CometBFT's filterMinMax: defaults to the last 20 blocks, clamped to [base, height].
      const last = lastHeight();
      let min = paramInt(params, "minHeight", 0) || 1;
      let max = paramInt(params, "maxHeight", 0) || last;
      max = Math.min(last, max);
      min = Math.max(baseHeight(), min, max - BLOCKCHAIN_LIMIT + 1);
      if (last < baseHeight()) return { last_height: String(last), block_metas: [] };
      if (min > max) {
        throw new RpcInvalidParamsError(
          "minHeight",
          `min height ${min} can't be greater than max height ${max}`,
        );
      }
      const metas = [];
      for (let h = max; h >= min; h--) {
        const b = await s.chain.loadBlock(h);
        if (b) metas.push(blockMetaJson(b.block, await lastPartsHash(h)));
      }
      return { last_height: String(last), block_metas: metas };
    },
    header: async (params) => {
      const height = heightParam(params);
      return { header: headerJson((await blockAt(height)).header, await lastPartsHash(height)) };
    },
    header_by_hash: async (params) => {
      const found = await blockByHash(hashParam(params, "hash"));
      if (!found) return { header: null };
      return { header: headerJson(found.block.header, await lastPartsHash(found.height)) };
    },
    block_by_hash: async (params) => {
      const found = await blockByHash(hashParam(params, "hash"));
      if (!found) return { block_id: blockIdJson(new Uint8Array(), new Uint8Array()), block: null };
      return blockResultJson(found.block, await lastPartsHash(found.height));
    },
    unconfirmed_txs: async (params) => {
      const txs = s.mempool.txs(perPageParam(params, "limit"));
      return {
        n_txs: String(txs.length),
        total: String(s.mempool.size()),
        total_bytes: String(s.mempool.totalBytes()),
        txs: txs.map(toBase64),
      };
    },
    broadcast_tx_commit: async (params) => {
      const tx = paramBase64Bytes(params, "tx");
      const hash = toHexUpper(sha256(tx));
      if (s.eventBus.size >= MAX_BUS_SUBSCRIPTIONS) {
        throw new IcsdError("RPC_BUSY", `max_subscription_clients ${MAX_BUS_SUBSCRIPTIONS} reached`);
      }
      const timeoutMs = s.broadcastTxCommitTimeoutMs ?? DEFAULT_BROADCAST_TX_COMMIT_TIMEOUT_MS;
      const waiter = waitForTx(s.eventBus, hash, timeoutMs);
      // A rejection caught below must not surface as an unhandled one when we return early.
      waiter.promise.catch(() => undefined);
      try {
        let check: Awaited<ReturnType<Mempool["add"]>>;
        try {
          check = await s.mempool.add(tx);
        } catch (e) {
          throw new IcsdError("BROADCAST_FAILED", `error on broadcastTxCommit: ${errorMessage(e)}`);
        }
        const checkJson = txResultJson(check);
        if (check.code !== 0) {
          return { check_tx: checkJson, tx_result: EMPTY_TX_RESULT_JSON, hash, height: "0" };
        }
        s.network.broadcastTx(tx);
        const ev = await waiter.promise;
        return { check_tx: checkJson, tx_result: txResultJson(ev.result), hash, height: String(ev.height) };
      } finally {
        waiter.cancel();
      }
    },
  };
}
