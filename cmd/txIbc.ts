import type { Command } from "commander";
import { MsgTransfer } from "cosmjs-types/ibc/applications/transfer/v1/tx";
import { validateChannelId, validatePortId } from "../ibc/index.ts";
import { formatCoins, rpcHttpUrl } from "../node/index.ts";
import { rpcCall } from "../rpc/index.ts";
import { formatRfc3339Nano, IcsdError, parseRfc3339Nano } from "../utils/index.ts";
import { withExample } from "./common.ts";
import { outputFormat } from "./keys.ts";
import {
  type FromTxFlags,
  fromTxCommand,
  parseFeePlan,
  parseOneCoin,
  signAndBroadcast,
  wireCoin,
} from "./tx.ts";

/** The largest uint64: ICS-02 heights, ICS-04 sequences and timeout timestamps are uint64. */
const MAX_UINT64 = (1n << 64n) - 1n;

/** gaiad's default relative timeout: 10 minutes after the source chain's latest block time, in ns. */
export const DEFAULT_RELATIVE_TIMEOUT_NS = 600_000_000_000n;

// ibc-go transfer types.MaximumReceiverLength and MaximumMemoLength.
const MAX_RECEIVER_LENGTH = 2048;
const MAX_MEMO_LENGTH = 32768;

function invalid(message: string): IcsdError {
  return new IcsdError("INVALID_ARGUMENT", message);
}

/**
 * Parses an ICS-02 height: "0-H" (ibc-go's "{revision}-{height}") or a bare "H". icsd chains use
 * revision 0 only, so any other revision is refused rather than silently ignored.
 */
export function parseIbcHeight(text: string, what: string): bigint {
  const m = /^(?:(\d+)-)?(\d+)$/.exec(text.trim());
  if (!m)
    throw invalid(`${what} must be a height such as 0-120 (revision-height), got ${JSON.stringify(text)}`);
  if (m[1] !== undefined && BigInt(m[1]) !== 0n)
    throw invalid(`${what}: icsd chains use revision 0 only, got ${JSON.stringify(text)}`);
  const h = BigInt(m[2]!);
  if (h > MAX_UINT64) throw invalid(`${what}: height ${m[2]} is larger than 2^64-1`);
  return h;
}

/** Parses a non-negative uint64 number of nanoseconds, naming the flag otherwise. */
export function parseNanoseconds(text: string, what: string): bigint {
  if (!/^\d+$/.test(text.trim()) || BigInt(text.trim()) > MAX_UINT64)
    throw invalid(`${what} must be a number of nanoseconds (0 to 2^64-1), got ${JSON.stringify(text)}`);
  return BigInt(text.trim());
}

/** The packet timeouts a user asked for; relative ones still need the source chain's block time. */
export interface TimeoutRequest {
  /** Revision height on the destination chain (0 = none). Only absolute heights are supported. */
  readonly height: bigint;
  /** Nanoseconds: an absolute Unix time, or an offset from the source chain's latest block time. */
  readonly timestamp: bigint;
  readonly absolute: boolean;
}

/**
 * Validates the timeout flags as ibc-go v8's `transfer` command does: at least one timeout must be set,
 * and relative timeouts are by timestamp only (a relative height would need the destination's height,
 * which the source chain only knows as of its light client's last update).
 */
export function parseTimeoutRequest(
  heightText: string,
  timestampText: string,
  absolute: boolean,
): TimeoutRequest {
  const height = parseIbcHeight(heightText, "--packet-timeout-height");
  const timestamp = parseNanoseconds(timestampText, "--packet-timeout-timestamp");
  if (height === 0n && timestamp === 0n)
    throw invalid(
      "--packet-timeout-height and --packet-timeout-timestamp cannot both be 0: the packet could never time out",
    );
  if (!absolute && height !== 0n)
    throw invalid(
      "relative timeout heights are not supported (as ibc-go): pass --absolute-timeouts with a destination-chain height, or use --packet-timeout-timestamp",
    );
  return { height, timestamp, absolute };
}

/** The absolute timeouts to put in MsgTransfer: a relative timestamp is added to `latestBlockTimeNs`. */
export function resolveTimeouts(
  req: TimeoutRequest,
  latestBlockTimeNs: bigint | undefined,
): { readonly timeoutHeight: bigint; readonly timeoutTimestamp: bigint } {
  if (req.absolute || req.timestamp === 0n)
    return { timeoutHeight: req.height, timeoutTimestamp: req.timestamp };
  if (latestBlockTimeNs === undefined) throw new Error("a relative timeout needs the latest block time");
  const timeoutTimestamp = latestBlockTimeNs + req.timestamp;
  if (timeoutTimestamp > MAX_UINT64)
    throw invalid(
      `--packet-timeout-timestamp ${req.timestamp} after the latest block time is beyond 2^64-1 ns`,
    );
  return { timeoutHeight: req.height, timeoutTimestamp };
}

/** Checks the receiver as ibc-go's MsgTransfer.ValidateBasic does (it is an address of the other chain). */
export function parseReceiver(text: string): string {
  if (text.trim() === "" || /\s/.test(text) || text.length > MAX_RECEIVER_LENGTH)
    throw invalid(
      `receiver must be a non-empty address of the destination chain without spaces (at most ${MAX_RECEIVER_LENGTH} characters), got ${JSON.stringify(text.slice(0, 80))}`,
    );
  return text;
}

/** The send_packet attributes that identify the packet of one transfer (besides its sequence). */
export interface SentPacketKey {
  readonly port: string;
  readonly channel: string;
  readonly timeoutHeight: bigint;
  readonly timeoutTimestamp: bigint;
}

/** The tx_search query of the send_packet events of `key` (port and channel are ICS-24 ids: no quotes). */
export function sendPacketQuery(key: SentPacketKey): string {
  return [
    `send_packet.packet_src_port='${key.port}'`,
    `send_packet.packet_src_channel='${key.channel}'`,
    `send_packet.packet_timeout_height='0-${key.timeoutHeight}'`,
    `send_packet.packet_timeout_timestamp='${key.timeoutTimestamp}'`,
  ].join(" AND ");
}

interface RpcEvent {
  readonly type?: unknown;
  readonly attributes?: readonly { readonly key?: unknown; readonly value?: unknown }[];
}

function attr(e: RpcEvent, key: string): string | undefined {
  const a = e.attributes?.find((x) => x.key === key);
  return typeof a?.value === "string" ? a.value : undefined;
}

/**
 * From a `tx_search` result ordered newest first, the sequence of the packet `key` sent in the newest
 * transaction signed by `signer` (its `tx.acc_seq` or the ICS-20 `ibc_transfer.sender`), or undefined.
 */
export function sentPacketSequence(result: unknown, signer: string, key: SentPacketKey): bigint | undefined {
  const txs = (result as { txs?: unknown } | null)?.txs;
  if (!Array.isArray(txs)) return undefined;
  for (const tx of txs) {
    const events = (tx as { tx_result?: { events?: unknown } }).tx_result?.events;
    if (!Array.isArray(events)) continue;
    const evs = events as RpcEvent[];
    const signed = evs.some(
      (e) =>
        (e.type === "tx" && attr(e, "acc_seq")?.startsWith(`${signer}/`)) ||
        (e.type === "ibc_transfer" && attr(e, "sender") === signer),
    );
    if (!signed) continue;
    for (const e of evs) {
      if (
        e.type === "send_packet" &&
        attr(e, "packet_src_port") === key.port &&
        attr(e, "packet_src_channel") === key.channel &&
        attr(e, "packet_timeout_height") === `0-${key.timeoutHeight}` &&
        attr(e, "packet_timeout_timestamp") === String(key.timeoutTimestamp)
      ) {
        const seq = attr(e, "packet_sequence");
        if (seq !== undefined && /^\d+$/.test(seq)) return BigInt(seq);
      }
    }
  }
  return undefined;
}

async function latestBlockTime(url: string): Promise<bigint> {
  const status = (await rpcCall(url, "status")) as { sync_info?: { latest_block_time?: unknown } } | null;
  const t = status?.sync_info?.latest_block_time;
  try {
    return parseRfc3339Nano(String(t));
  } catch {
    throw new IcsdError(
      "RPC_BAD_RESPONSE",
      `${url} status: latest_block_time ${JSON.stringify(t)} is not an RFC3339 time`,
    );
  }
}

type TransferFlags = FromTxFlags & {
  packetTimeoutHeight: string;
  packetTimeoutTimestamp: string;
  absoluteTimeouts: boolean;
  memo: string;
};

/** `icsd tx ibc-transfer transfer`: an ICS-20 MsgTransfer, with gaiad's arguments and timeout flags. */
export function registerIbcTransferTx(tx: Command): void {
  const ibcTransfer = tx
    .command("ibc-transfer")
    .description("IBC fungible token transfer (ICS-20) transactions");
  withExample(
    ibcTransfer,
    "icsd tx ibc-transfer transfer transfer channel-0 cosmos1... 1000stake --from alice --yes",
  );
  const cmd = fromTxCommand(
    ibcTransfer,
    "transfer",
    "Send tokens over an IBC channel; the timeout defaults to 10 minutes after the source chain's latest block time",
    async ([port, channel, receiverText, amountText], o, cfg) => {
      const opts = o as TransferFlags;
      validatePortId(port!);
      validateChannelId(channel!);
      const receiver = parseReceiver(receiverText!);
      const amount = parseOneCoin(amountText!);
      if (opts.memo.length > MAX_MEMO_LENGTH)
        throw invalid(`--memo must be at most ${MAX_MEMO_LENGTH} characters, got ${opts.memo.length}`);
      const req = parseTimeoutRequest(
        opts.packetTimeoutHeight,
        opts.packetTimeoutTimestamp,
        opts.absoluteTimeouts,
      );
      parseFeePlan(opts, cfg);
      const url = rpcHttpUrl(opts.node ?? cfg.node);
      const relative = !req.absolute && req.timestamp > 0n;
      const { timeoutHeight, timeoutTimestamp } = resolveTimeouts(
        req,
        relative ? await latestBlockTime(url) : undefined,
      );
      let sender = "";
      await signAndBroadcast(opts, cfg, opts.from, (from) => {
        sender = from;
        const timeoutText = [
          timeoutHeight === 0n ? "" : `height 0-${timeoutHeight}`,
          timeoutTimestamp === 0n
            ? ""
            : `time ${formatRfc3339Nano(timeoutTimestamp)} (${timeoutTimestamp} ns)`,
        ].filter((s) => s !== "");
        return {
          msgs: [
            {
              typeUrl: "/ibc.applications.transfer.v1.MsgTransfer",
              value: MsgTransfer.fromPartial({
                sourcePort: port!,
                sourceChannel: channel!,
                token: wireCoin(amount),
                sender: from,
                receiver,
                timeoutHeight: { revisionNumber: 0n, revisionHeight: timeoutHeight },
                timeoutTimestamp,
                memo: opts.memo,
              }),
            },
          ],
          summary: [
            `transfer: ${formatCoins([amount])} over ${port}/${channel} to ${receiver}`,
            `timeout: ${timeoutText.join(", ")}`,
            ...(opts.memo ? [`packet memo: ${opts.memo}`] : []),
          ],
        };
      });
      // The JSON result already carries the send_packet event; the text one has no events, so look the
      // packet up (signAndBroadcast prints the result but does not return it).
      if (opts.broadcastMode === "sync" || outputFormat(opts, cfg) === "json") return;
      const key = { port: port!, channel: channel!, timeoutHeight, timeoutTimestamp };
      let seq: bigint | undefined;
      try {
        const found = await rpcCall(url, "tx_search", {
          query: sendPacketQuery(key),
          order_by: "desc",
          per_page: "30",
        });
        seq = sentPacketSequence(found, sender, key);
      } catch {
        seq = undefined;
      }
      process.stdout.write(
        seq === undefined
          ? "packet_sequence: unknown (see the send_packet event: icsd query tx <txhash> --output json)\n"
          : `packet_sequence: ${seq}\n`,
      );
    },
  );
  cmd
    .argument("<src-port>", "the source port, e.g. transfer")
    .argument("<src-channel>", "the source channel, e.g. channel-0")
    .argument("<receiver>", "the recipient's address on the destination chain")
    .argument("<amount>", "one coin, e.g. 1000stake or 5ibc/27394FB0...")
    .option(
      "--packet-timeout-height <0-H>",
      "timeout height on the destination chain, revision-height (0-0 = none; needs --absolute-timeouts)",
      "0-0",
    )
    .option(
      "--packet-timeout-timestamp <ns>",
      "timeout in nanoseconds: after the source chain's latest block time, or a Unix time with --absolute-timeouts (0 = none)",
      DEFAULT_RELATIVE_TIMEOUT_NS.toString(),
    )
    .option("--absolute-timeouts", "the timeout flags are absolute (a height and a Unix time in ns)", false)
    .option("--memo <text>", "the ICS-20 packet memo (--note is the transaction's memo)", "");
  withExample(
    cmd,
    "icsd tx ibc-transfer transfer transfer channel-0 cosmos1... 1000stake --from alice --yes",
    "icsd tx ibc-transfer transfer transfer channel-0 cosmos1... 5stake --packet-timeout-timestamp 60000000000 --from alice --gas auto --yes --output json",
    "icsd tx ibc-transfer transfer transfer channel-0 cosmos1... 5stake --absolute-timeouts --packet-timeout-height 0-500 --packet-timeout-timestamp 0 --from alice --yes",
  );
}
