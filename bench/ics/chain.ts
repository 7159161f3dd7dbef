/**
 * What the interchain-security benchmark reads of the two chains over JSON-RPC: the events of each
 * block (`block_results`, where BeginBlock/EndBlock events such as a VSC or slash packet's send_packet
 * land), the transaction that received a packet (`tx_search`), and the validator set consensus uses at a
 * height (`validators?height=`).
 */
import { sleep } from "../../test/e2e/harness.ts";
import type { RpcClient } from "../throughput/rpc.ts";

/** An ABCI event as the RPC prints it. */
export interface EventJson {
  readonly type: string;
  readonly attributes: readonly { readonly key: string; readonly value: string }[];
}

interface BlockResultsJson {
  readonly txs_results: readonly { readonly code: number; readonly events: readonly EventJson[] }[] | null;
  readonly finalize_block_events: readonly EventJson[] | null;
}

interface TxSearchJson {
  readonly txs: readonly {
    readonly height: string;
    readonly tx_result: { readonly code: number; readonly events: readonly EventJson[] };
  }[];
}

const SCAN_POLL_MS = 50;

/** The value of attribute `key` of `e` (undefined when absent). */
export function attr(e: EventJson, key: string): string | undefined {
  return e.attributes.find((a) => a.key === key)?.value;
}

/** Every event of block `h`: the block's own (BeginBlock, EndBlock) and those of its successful txs. */
export async function blockEvents(rpc: RpcClient, port: number, h: number): Promise<EventJson[]> {
  const r = await rpc.call<BlockResultsJson>(port, "block_results", { height: String(h) });
  const out = [...(r.finalize_block_events ?? [])];
  for (const tx of r.txs_results ?? []) if (tx.code === 0) out.push(...tx.events);
  return out;
}

/**
 * Scans the chain's blocks from `from` upwards (waiting for new ones) for the first event matching
 * `match`; its height and the event. Throws after `timeoutMs` with the last height scanned.
 */
export async function scanFor(
  rpc: RpcClient,
  port: number,
  from: number,
  match: (e: EventJson) => boolean,
  timeoutMs: number,
  what: string,
): Promise<{ height: number; event: EventJson }> {
  const deadline = performance.now() + timeoutMs;
  let h = from;
  for (;;) {
    const tip = await rpc.height(port);
    for (; h <= tip; h++) {
      const event = (await blockEvents(rpc, port, h)).find(match);
      if (event) return { height: h, event };
    }
    if (performance.now() > deadline) {
      throw new Error(`timed out waiting for ${what} (scanned heights ${from}..${h - 1})`);
    }
    await sleep(SCAN_POLL_MS);
  }
}

/** A `send_packet` from `port` (the chain's CCV end). */
export const sendPacketFrom =
  (srcPort: string) =>
  (e: EventJson): boolean =>
    e.type === "send_packet" && attr(e, "packet_src_port") === srcPort;

/**
 * The height of the successful transaction that received packet `seq` on `dstPort`, with that
 * transaction's events, waiting for it up to `timeoutMs`.
 */
export async function recvTx(
  rpc: RpcClient,
  port: number,
  dstPort: string,
  seq: string,
  timeoutMs: number,
): Promise<{ height: number; events: readonly EventJson[] }> {
  const query = `recv_packet.packet_sequence='${seq}' AND recv_packet.packet_dst_port='${dstPort}'`;
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const r = await rpc.call<TxSearchJson>(port, "tx_search", { query, per_page: "50", order_by: "asc" });
    const ok = r.txs.find((t) => t.tx_result.code === 0);
    if (ok) return { height: Number(ok.height), events: ok.tx_result.events };
    if (performance.now() > deadline) {
      throw new Error(`timed out waiting for packet ${seq} to be received on port ${dstPort}`);
    }
    await sleep(SCAN_POLL_MS);
  }
}

/** The power of validator `address` (hex, upper case) in the set that signs block `h` (0n if absent). */
export async function powerAt(rpc: RpcClient, port: number, h: number, address: string): Promise<bigint> {
  const r = await rpc.call<{ validators: readonly { address: string; voting_power: string }[] }>(
    port,
    "validators",
    { height: String(h), per_page: "100" },
  );
  const v = r.validators.find((x) => x.address.toUpperCase() === address);
  return v === undefined ? 0n : BigInt(v.voting_power);
}

/**
 * The first height from `from` upwards (waiting for new blocks) whose validator set gives `address`
 * a power for which `want` holds.
 */
export async function firstHeightWithPower(
  rpc: RpcClient,
  port: number,
  from: number,
  address: string,
  want: (power: bigint) => boolean,
  timeoutMs: number,
  what: string,
): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  let h = from;
  for (;;) {
    const tip = await rpc.height(port);
    for (; h <= tip; h++) if (want(await powerAt(rpc, port, h, address))) return h;
    if (performance.now() > deadline)
      throw new Error(`timed out waiting for ${what} (scanned ${from}..${h - 1})`);
    await sleep(SCAN_POLL_MS);
  }
}
