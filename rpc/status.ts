import { formatRfc3339Nano, toBase64, toHexUpper } from "../utils/index.ts";

/** A block reference as `status` reports it. */
export interface StatusBlockRef {
  readonly height: number;
  readonly hash: Uint8Array;
  readonly appHash: Uint8Array;
  /** Nanoseconds since the Unix epoch. */
  readonly time: bigint;
}

/** What the node provides for the `status` method; read at each call. */
export interface StatusSource {
  readonly chainId: string;
  readonly moniker: string;
  /** Lowercase hex of the first 20 bytes of sha256 of the node key's public key (`cometNodeId`). */
  readonly nodeId: string;
  /** p2p listen address as shown to clients. */
  readonly listenAddr: string;
  /** `tcp://host:port` of the RPC server. */
  readonly rpcAddr: string;
  readonly latest: StatusBlockRef;
  readonly earliest: StatusBlockRef;
  readonly catchingUp: boolean;
  /** This node's consensus key; power 0 when it is not in the validator set. */
  readonly validator: { readonly address: Uint8Array; readonly pubKey: Uint8Array; readonly power: bigint };
}

/** The CometBFT 0.38 `status` result (rpc/core/types ResultStatus), as JSON. */
export interface StatusResult {
  node_info: {
    protocol_version: { p2p: string; block: string; app: string };
    id: string;
    listen_addr: string;
    network: string;
    version: string;
    channels: string;
    moniker: string;
    other: { tx_index: string; rpc_address: string };
  };
  sync_info: {
    latest_block_hash: string;
    latest_app_hash: string;
    latest_block_height: string;
    latest_block_time: string;
    earliest_block_hash: string;
    earliest_app_hash: string;
    earliest_block_height: string;
    earliest_block_time: string;
    catching_up: boolean;
  };
  validator_info: {
    address: string;
    pub_key: { type: string; value: string };
    voting_power: string;
  };
}

/** The CometBFT version icsd reports, so CosmJS picks its Comet38 client. */
export const COMET_VERSION = "0.38.17";

/** CosmJS rejects an empty app hash; before the first block CometBFT's would be the empty state's. */
function appHashHex(h: Uint8Array): string {
  return toHexUpper(h.length === 0 ? new Uint8Array(32) : h);
}

/**
 * Builds the `status` result exactly as CometBFT 0.38 shapes it: int64 as decimal strings, hashes as
 * uppercase hex, times as RFC3339 with nanoseconds, `other` with string values only.
 */
export function buildStatus(src: StatusSource): StatusResult {
  return {
    node_info: {
      protocol_version: { p2p: "8", block: "11", app: "0" },
      id: src.nodeId,
      listen_addr: src.listenAddr,
      network: src.chainId,
      version: COMET_VERSION,
      channels: "",
      moniker: src.moniker,
      other: { tx_index: "on", rpc_address: src.rpcAddr },
    },
    sync_info: {
      latest_block_hash: toHexUpper(src.latest.hash),
      latest_app_hash: appHashHex(src.latest.appHash),
      latest_block_height: String(src.latest.height),
      latest_block_time: formatRfc3339Nano(src.latest.time),
      earliest_block_hash: toHexUpper(src.earliest.hash),
      earliest_app_hash: appHashHex(src.earliest.appHash),
      earliest_block_height: String(src.earliest.height),
      earliest_block_time: formatRfc3339Nano(src.earliest.time),
      catching_up: src.catchingUp,
    },
    validator_info: {
      address: toHexUpper(src.validator.address),
      pub_key: { type: "tendermint/PubKeyEd25519", value: toBase64(src.validator.pubKey) },
      voting_power: String(src.validator.power),
    },
  };
}
