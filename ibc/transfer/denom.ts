/**
 * ICS-20 denominations: denom traces, voucher denoms, escrow addresses, and the "who is the source"
 * rule that decides between escrow/unescrow and mint/burn.
 *
 * A token that left its origin chain through channels (p1, c1), (p2, c2), ... is known on the chain
 * it reached by its full path "pN/cN/.../p1/c1/base" (the trace) and held as the voucher denom
 * "ibc/" + uppercase hex sha256(full path) (ibc-go `DenomTrace.IBCDenom`). Packets carry the full path.
 */
import { sha256 } from "../../crypto/index.ts";
import { toHexUpper, utf8 } from "../../utils/index.ts";
import { TransferErrorCode, transferError } from "./errors.ts";

/** A denom trace: `path` is "port/channel/..." (empty for a native denom), `baseDenom` the origin denom. */
export interface DenomTrace {
  readonly path: string;
  readonly baseDenom: string;
}

const MAX_DENOM = 2048;
// ibc-go `channeltypes.IsValidChannelID`: trace parsing recognises a (port, channel) hop by it.
const CHANNEL_HOP = /^channel-(0|[1-9][0-9]{0,19})$/;

/** Throws IBC_TRANSFER_INVALID_PACKET_DATA unless `denom` is a plausible (prefixed) denom: non-blank, no empty segments, no whitespace. */
export function validateDenomPath(denom: string): void {
  if (
    typeof denom !== "string" ||
    denom.length === 0 ||
    denom.length > MAX_DENOM ||
    /\s/.test(denom) ||
    denom.split("/").some((s) => s === "")
  ) {
    throw transferError(
      TransferErrorCode.invalidPacketData,
      `denom ${JSON.stringify(String(denom).slice(0, 80))} is invalid: it must be non-blank, without whitespace or empty path segments`,
    );
  }
}

/** The full path of a trace: "path/baseDenom", or just baseDenom when the path is empty. */
export function fullDenomPath(t: DenomTrace): string {
  return t.path === "" ? t.baseDenom : `${t.path}/${t.baseDenom}`;
}

/** The uppercase hex sha256 of a full denom path: the hash in "ibc/{hash}" and the trace store key. */
export function denomHash(fullPath: string): string {
  return toHexUpper(sha256(utf8(fullPath)));
}

/** The voucher denom "ibc/{HASH}" of a full denom path. */
export function voucherDenom(fullPath: string): string {
  return `ibc/${denomHash(fullPath)}`;
}

/**
 * Splits a full denom path into its trace (ibc-go `ParseDenomTrace`): leading (port, "channel-N") pairs
 * form the path, the rest (which may itself contain "/") is the base denom.
 */
export function parseDenomTrace(fullPath: string): DenomTrace {
  validateDenomPath(fullPath);
  const segs = fullPath.split("/");
  let i = 0;
  while (i + 2 < segs.length && CHANNEL_HOP.test(segs[i + 1]!)) i += 2;
  return { path: segs.slice(0, i).join("/"), baseDenom: segs.slice(i).join("/") };
}

/** The denom prefix "port/channel/" a hop through (port, channel) adds. */
export function denomPrefix(port: string, channel: string): string {
  return `${port}/${channel}/`;
}

/**
 * ICS-20 source rule, on the chain sending over its channel end (port, channel): the sender chain is
 * the source (escrow) unless the denom's path starts with that same hop, i.e. the token came in over
 * this channel and now goes back (burn the voucher).
 */
export function senderChainIsSource(port: string, channel: string, fullPath: string): boolean {
  return !fullPath.startsWith(denomPrefix(port, channel));
}

/**
 * ICS-20 source rule, on the receiving chain: the receiver chain is the source (unescrow) when the
 * denom starts with the packet's source hop (the sender prefixed it when the token came from here).
 */
export function receiverChainIsSource(sourcePort: string, sourceChannel: string, fullPath: string): boolean {
  return fullPath.startsWith(denomPrefix(sourcePort, sourceChannel));
}

/**
 * The escrow account of a channel end (ibc-go `GetEscrowAddress`, ADR-028 style):
 * sha256("ics20-1" || 0x00 || port + "/" + channel)[:20]. No key controls it; only this module moves
 * funds out of it, and only for a proven packet or a refund.
 */
export function escrowAddress(port: string, channel: string): Uint8Array {
  return sha256(utf8("ics20-1"), Uint8Array.of(0), utf8(`${port}/${channel}`)).slice(0, 20);
}
