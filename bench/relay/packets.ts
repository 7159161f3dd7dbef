/**
 * What the relay benchmark reads of the two chains over JSON-RPC: where each packet was received or
 * acknowledged (tx_search on the packet events, which every icsd node indexes), how many packets a
 * channel still holds unacknowledged (icsd's SentPackets query), and the MsgTransfer it sends.
 */
import type { EncodeObject } from "@cosmjs/proto-signing";
import type { RpcClient } from "../throughput/rpc.ts";

/** The ICS-20 port the benchmark's channel is bound to on both chains. */
export const PORT = "transfer";

interface TxSearchJson {
  readonly txs: readonly {
    readonly height: string;
    readonly hash: string;
    readonly tx_result: {
      readonly code: number;
      readonly log: string;
      readonly events: readonly {
        readonly type: string;
        readonly attributes: readonly { readonly key: string; readonly value: string }[];
      }[];
    };
  }[];
  readonly total_count: string;
}

const PER_PAGE = 50;

/** A transfer of `amount` `denom` from `sender` to `receiver` over `channel`, timing out in an hour. */
export function transferMsg(
  sender: string,
  receiver: string,
  channel: string,
  amount: string,
  denom: string,
): EncodeObject {
  return {
    typeUrl: "/ibc.applications.transfer.v1.MsgTransfer",
    value: {
      sourcePort: PORT,
      sourceChannel: channel,
      token: { denom, amount },
      sender,
      receiver,
      timeoutHeight: { revisionNumber: 0n, revisionHeight: 0n },
      timeoutTimestamp: BigInt(Date.now() + 3_600_000) * 1_000_000n,
      memo: "",
    },
  };
}

/**
 * The first height at which each packet sequence appears in an event `eventType` of a successful
 * transaction matching `query`, and how many such events there were (a packet counted twice would be
 * a duplicate delivery).
 */
export async function packetEventHeights(
  rpc: RpcClient,
  port: number,
  query: string,
  eventType: string,
): Promise<{ heights: Map<bigint, number>; events: number }> {
  const heights = new Map<bigint, number>();
  let events = 0;
  for (let page = 1; ; page++) {
    const r = await rpc.call<TxSearchJson>(
      port,
      "tx_search",
      { query, page: String(page), per_page: String(PER_PAGE), order_by: "asc" },
      30_000,
    );
    for (const tx of r.txs) {
      if (tx.tx_result.code !== 0) continue;
      const height = Number(tx.height);
      for (const ev of tx.tx_result.events) {
        if (ev.type !== eventType) continue;
        const seq = ev.attributes.find((a) => a.key === "packet_sequence")?.value;
        if (seq === undefined) continue;
        events++;
        const s = BigInt(seq);
        const prev = heights.get(s);
        if (prev === undefined || height < prev) heights.set(s, height);
      }
    }
    if (page * PER_PAGE >= Number(r.total_count)) return { heights, events };
  }
}

/** The height of the successful transaction holding event `eventType` for packet `seq`, if any yet. */
export async function packetEventHeight(
  rpc: RpcClient,
  port: number,
  eventType: "recv_packet" | "acknowledge_packet",
  channelKey: "packet_dst_channel" | "packet_src_channel",
  channel: string,
  seq: bigint,
): Promise<number | undefined> {
  const query = `${eventType}.packet_sequence='${seq}' AND ${eventType}.${channelKey}='${channel}'`;
  const { heights } = await packetEventHeights(rpc, port, query, eventType);
  return heights.get(seq);
}

/** How many packets sent on `channel` still hold a commitment (not yet acknowledged or timed out). */
export async function unackedCount(rpc: RpcClient, port: number, channel: string): Promise<number> {
  let count = 0;
  let after = "0";
  for (;;) {
    const data = Buffer.from(
      JSON.stringify({ port_id: PORT, channel_id: channel, after_sequence: after, limit: "500" }),
    ).toString("hex");
    const r = await rpc.call<{ response: { code: number; value: string | null; log: string } }>(
      port,
      "abci_query",
      { path: "/icsd.ibc.v1.Query/SentPackets", data },
    );
    if (r.response.code !== 0) throw new Error(`SentPackets: ${r.response.log}`);
    const body = JSON.parse(Buffer.from(r.response.value ?? "", "base64").toString("utf8")) as {
      packets?: { sequence: string }[];
    };
    const packets = body.packets ?? [];
    count += packets.length;
    if (packets.length < 500) return count;
    after = packets.at(-1)!.sequence;
  }
}

/** The `packet_sequence`s of the `send_packet` events of a transaction result. */
export function sentSequences(
  events: readonly { type: string; attributes: readonly { key: string; value: string }[] }[],
): bigint[] {
  return events
    .filter((e) => e.type === "send_packet")
    .flatMap((e) => e.attributes.filter((a) => a.key === "packet_sequence").map((a) => BigInt(a.value)));
}
