import { type Application, toDomainValidator } from "../consensus/index.ts";
import { sha256 } from "../crypto/index.ts";
import type { P2p } from "../p2p/index.ts";
import { encodeCommit, encodeHeader, encodeValidatorSet } from "../proto/index.ts";
import {
  buildStatus,
  paramBase64Bytes,
  paramBool,
  paramHexBytes,
  paramInt,
  paramString,
  type RpcMethods,
} from "../rpc/index.ts";
import { IcsdError, toBase64, toHexUpper } from "../utils/index.ts";
import type { Chain } from "./chain.ts";
import { encodeGenesis, type GenesisDoc } from "./genesis.ts";
import { cometNodeId, type NodeKey, type PrivValidatorKey } from "./keys.ts";
import type { Mempool } from "./mempool.ts";
import type { NodeNetwork } from "./network.ts";
import type { NodeConfig } from "./options.ts";
import { blockResultJson, commitJson, headerJson, partsHashOf } from "./rpcJson.ts";
import { type TxRpcSources, txRpcMethods } from "./rpcTxMethods.ts";

// types/errors: ErrTxInMempoolCache 19, ErrMempoolIsFull 20, ErrTxTooLarge 21.
const MEMPOOL_ERROR_CODES: Record<string, number> = { TX_IN_CACHE: 19, MEMPOOL_FULL: 20, TX_TOO_LARGE: 21 };

export interface RpcSources extends Omit<TxRpcSources, "chain" | "mempool" | "network"> {
  readonly config: NodeConfig;
  readonly genesis: GenesisDoc;
  readonly chain: Chain;
  readonly app: Application;
  readonly mempool: Mempool;
  readonly network: NodeNetwork;
  readonly p2p: P2p;
  readonly nodeKey: NodeKey;
  readonly validatorKey: PrivValidatorKey | null;
  readonly catchingUp: () => boolean;
}

/** The CometBFT RPC methods the node serves (node/rpcTxMethods.ts adds tx, tx_search, block_results…). */
export function nodeRpcMethods(s: RpcSources): RpcMethods {
  const heightParam = (params: Record<string, unknown>): number => {
    const h = paramInt(params, "height", 0);
    const last = s.chain.meta.lastHeight;
    if (h === 0) return last;
    if (h < s.chain.meta.initialHeight || h > last) {
      throw new IcsdError(
        "RPC_HEIGHT",
        `height ${h} must be between ${s.chain.meta.initialHeight} and ${last}`,
      );
    }
    return h;
  };
  const loadBlock = async (height: number) => {
    const b = await s.chain.loadBlock(height);
    if (!b) throw new IcsdError("RPC_HEIGHT", `no block at height ${height}`);
    return b;
  };
  const lastPartsHash = async (height: number) => {
    if (height <= s.chain.meta.initialHeight) return new Uint8Array();
    const prev = await s.chain.loadBlock(height - 1);
    return prev ? partsHashOf(prev.block) : new Uint8Array();
  };

  return {
    ...txRpcMethods(s),
    health: async () => ({}),
    status: async () => {
      const meta = s.chain.meta;
      const first = await s.chain.loadBlock(meta.initialHeight);
      const vals = s.chain.validatorsForNext();
      const self = s.validatorKey;
      const mine = self
        ? vals.find((v) => v.address === Buffer.from(self.address).toString("hex"))
        : undefined;
      return buildStatus({
        chainId: s.genesis.chainId,
        moniker: s.config.moniker,
        nodeId: cometNodeId(s.nodeKey),
        listenAddr: s.config.p2p.laddr,
        rpcAddr: s.config.rpc.laddr,
        latest: {
          height: meta.lastHeight,
          hash: meta.lastBlockHash,
          appHash: meta.lastAppHash,
          time: meta.lastBlockTime,
        },
        earliest: first
          ? {
              height: meta.initialHeight,
              hash: sha256(),
              appHash: first.block.header.appHash,
              time: first.block.header.time,
            }
          : {
              height: meta.lastHeight,
              hash: meta.lastBlockHash,
              appHash: meta.lastAppHash,
              time: meta.lastBlockTime,
            },
        catchingUp: s.catchingUp(),
        validator: {
          address: self?.address ?? new Uint8Array(20),
          pubKey: self?.keyPair.publicKey ?? new Uint8Array(32),
          power: mine?.power ?? 0n,
        },
      });
    },
    net_info: async () => {
      const peers = s.p2p.peers();
      return {
        listening: true,
        listeners: s.p2p.listenAddrs(),
        n_peers: String(peers.length),
        peers: peers.map((p) => ({ node_info: { id: p.id }, remote_ip: p.addrs[0] ?? "", score: p.score })),
      };
    },
    abci_info: async () => {
      const info = await s.app.info();
      return {
        response: {
          data: "icsd",
          version: info.version,
          app_version: "0",
          last_block_height: String(info.lastBlockHeight),
          last_block_app_hash: toBase64(info.lastBlockAppHash),
        },
      };
    },
    abci_query: async (params) => {
      const res = await s.app.query({
        path: paramString(params, "path", ""),
        data: paramHexBytes(params, "data", new Uint8Array()),
        height: paramInt(params, "height", 0),
        prove: paramBool(params, "prove", false),
      });
      return {
        response: {
          code: res.code,
          log: res.log,
          info: "",
          index: "0",
          key: res.key.length ? toBase64(res.key) : null,
          value: res.value.length ? toBase64(res.value) : null,
          // icsd's proofs are one op: the AVL search path (store/merkle/proof.ts), against the app hash.
          proofOps: res.proof
            ? { ops: [{ type: "icsd:avl", key: toBase64(res.key), data: toBase64(res.proof) }] }
            : null,
          height: String(res.height),
          codespace: res.codespace,
        },
      };
    },
    broadcast_tx_sync: async (params) => {
      const tx = paramBase64Bytes(params, "tx");
      const hash = toHexUpper(sha256(tx));
      try {
        const res = await s.mempool.add(tx);
        if (res.code === 0) s.network.broadcastTx(tx);
        return { code: res.code, data: "", log: res.log, codespace: res.codespace, hash };
      } catch (e) {
        // The mempool's own refusals, as the SDK's codes for them (CosmJS raises BroadcastTxError).
        const err = e as IcsdError;
        const code = MEMPOOL_ERROR_CODES[err.code] ?? 1;
        return { code, data: "", log: err.message, codespace: "sdk", hash };
      }
    },
    broadcast_tx_async: async (params) => {
      const tx = paramBase64Bytes(params, "tx");
      const hash = toHexUpper(sha256(tx));
      void s.mempool
        .add(tx)
        .then((r) => r.code === 0 && s.network.broadcastTx(tx))
        .catch(() => undefined);
      return { code: 0, data: "", log: "", codespace: "", hash };
    },
    num_unconfirmed_txs: async () => ({
      n_txs: String(s.mempool.size()),
      total: String(s.mempool.size()),
      total_bytes: String(s.mempool.totalBytes()),
      txs: null,
    }),
    block: async (params) => {
      const height = heightParam(params);
      const { block } = await loadBlock(height);
      return blockResultJson(block, await lastPartsHash(height));
    },
    commit: async (params) => {
      const height = heightParam(params);
      const { block, commit } = await loadBlock(height);
      return {
        signed_header: {
          header: headerJson(block.header, await lastPartsHash(height)),
          commit: commitJson(commit, partsHashOf(block)),
        },
        canonical: true,
      };
    },
    // icsd-specific: what a relayer needs to update a light client of this chain to `height` (default
    // the latest committed height): the header, the commit that finalised it, and the set that signed it,
    // in proto/'s encodings (the bytes the ibc/ lib decodes inside a ClientHeader).
    light_block: async (params) => {
      const height = heightParam(params);
      const { block, commit } = await loadBlock(height);
      const vals = await s.chain.validatorsAt(height);
      if (!vals) throw new IcsdError("RPC_HEIGHT", `no validator set stored for height ${height}`);
      return {
        height: String(height),
        header: toBase64(encodeHeader(block.header)),
        commit: toBase64(encodeCommit(commit)),
        validator_set: toBase64(encodeValidatorSet({ validators: vals.map(toDomainValidator) })),
      };
    },
    validators: async (params) => {
      const height = paramInt(params, "height", 0) || s.chain.nextHeight() - 1 || s.chain.nextHeight();
      const vals = (await s.chain.validatorsAt(height)) ?? [];
      return {
        block_height: String(height),
        validators: vals.map((v) => ({
          address: v.address.toUpperCase(),
          pub_key: { type: "tendermint/PubKeyEd25519", value: toBase64(v.pubKey) },
          voting_power: String(v.power),
          proposer_priority: String(v.proposerPriority),
        })),
        count: String(vals.length),
        total: String(vals.length),
      };
    },
    genesis: async () => ({ genesis: JSON.parse(encodeGenesis(s.genesis)) }),
  };
}
