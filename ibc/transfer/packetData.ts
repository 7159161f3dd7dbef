/**
 * ICS-20 wire formats: `FungibleTokenPacketData` and the acknowledgement, as the JSON ibc-go produces
 * (keys sorted, UTF-8), decoded strictly field by field.
 */
import { fromBase64, fromUtf8, toBase64, utf8 } from "../../utils/index.ts";
import { validateDenomPath } from "./denom.ts";
import { TransferErrorCode, transferError } from "./errors.ts";

/** ICS-20 packet data (v1, "ics20-1"). `amount` is a decimal string of a uint256; `memo` may be "". */
export interface FungibleTokenPacketData {
  readonly denom: string;
  readonly amount: string;
  readonly sender: string;
  readonly receiver: string;
  readonly memo: string;
}

/** The channel version of ICS-20 v1. */
export const ICS20_VERSION = "ics20-1";

// ibc-go's limits (MsgTransfer.ValidateBasic / FungibleTokenPacketData.ValidateBasic).
const MAX_MEMO = 32768;
const MAX_ADDRESS = 2048;
const MAX_AMOUNT = (1n << 256n) - 1n;
const KEYS = new Set(["amount", "denom", "memo", "receiver", "sender"]);

function invalid(message: string): never {
  throw transferError(TransferErrorCode.invalidPacketData, message);
}

/** Parses an ICS-20 amount: a canonical decimal of 1 .. 2^256-1; throws IBC_TRANSFER_INVALID_PACKET_DATA. */
export function parseAmount(amount: string): bigint {
  if (typeof amount !== "string" || !/^[1-9][0-9]{0,77}$/.test(amount)) {
    invalid(`amount ${JSON.stringify(String(amount).slice(0, 90))} is not a positive decimal integer`);
  }
  const n = BigInt(amount);
  if (n > MAX_AMOUNT) invalid("amount exceeds 2^256-1");
  return n;
}

/** Throws IBC_TRANSFER_INVALID_PACKET_DATA unless every field is within ICS-20's rules. */
export function validatePacketData(d: FungibleTokenPacketData): void {
  validateDenomPath(d.denom);
  parseAmount(d.amount);
  for (const [name, v] of [
    ["sender", d.sender],
    ["receiver", d.receiver],
  ] as const) {
    if (typeof v !== "string" || v.trim() === "" || v.length > MAX_ADDRESS) {
      invalid(`${name} must be a non-blank string of at most ${MAX_ADDRESS} characters`);
    }
  }
  if (typeof d.memo !== "string" || d.memo.length > MAX_MEMO)
    invalid(`memo must be at most ${MAX_MEMO} characters`);
}

/**
 * The packet data bytes: JSON with sorted keys, memo omitted when empty (ibc-go
 * `FungibleTokenPacketData.GetBytes`, `memo` being `omitempty`).
 */
export function encodePacketData(d: FungibleTokenPacketData): Uint8Array {
  validatePacketData(d);
  const obj: Record<string, string> = { amount: d.amount, denom: d.denom };
  if (d.memo !== "") obj.memo = d.memo;
  obj.receiver = d.receiver;
  obj.sender = d.sender;
  return utf8(JSON.stringify(obj));
}

/** Decodes and validates packet data; throws IBC_TRANSFER_INVALID_PACKET_DATA. */
export function decodePacketData(bytes: Uint8Array): FungibleTokenPacketData {
  let obj: unknown;
  try {
    obj = JSON.parse(fromUtf8(bytes));
  } catch {
    invalid("packet data is not UTF-8 JSON");
  }
  if (typeof obj !== "object" || obj === null || Array.isArray(obj))
    invalid("packet data is not a JSON object");
  const rec = obj as Record<string, unknown>;
  for (const k of Object.keys(rec).sort())
    if (!KEYS.has(k)) invalid(`packet data has unknown field ${JSON.stringify(k)}`);
  for (const k of ["amount", "denom", "receiver", "sender"]) {
    if (typeof rec[k] !== "string") invalid(`packet data field ${k} must be a string`);
  }
  if (rec.memo !== undefined && typeof rec.memo !== "string")
    invalid("packet data field memo must be a string");
  const d: FungibleTokenPacketData = {
    denom: rec.denom as string,
    amount: rec.amount as string,
    sender: rec.sender as string,
    receiver: rec.receiver as string,
    memo: (rec.memo as string | undefined) ?? "",
  };
  validatePacketData(d);
  return d;
}

/** An ICS-20 acknowledgement: success, or an error with a deterministic message. */
export type TransferAck = { readonly success: true } | { readonly success: false; readonly error: string };

/** The success acknowledgement `{"result":"AQ=="}` (ibc-go NewResultAcknowledgement([]byte{1})). */
export const SUCCESS_ACK: Uint8Array = utf8(JSON.stringify({ result: toBase64(Uint8Array.of(1)) }));

/** An error acknowledgement `{"error":"..."}`; `error` must be deterministic (it is committed). */
export function errorAck(error: string): Uint8Array {
  return utf8(JSON.stringify({ error }));
}

/** Decodes an ICS-20 acknowledgement; throws IBC_TRANSFER_INVALID_ACK on anything else. */
export function decodeAck(bytes: Uint8Array): TransferAck {
  let obj: unknown;
  try {
    obj = JSON.parse(fromUtf8(bytes));
  } catch {
    throw transferError(TransferErrorCode.invalidAcknowledgement, "acknowledgement is not UTF-8 JSON");
  }
  if (typeof obj === "object" && obj !== null && !Array.isArray(obj)) {
    const keys = Object.keys(obj);
    const rec = obj as Record<string, unknown>;
    if (keys.length === 1 && typeof rec.result === "string") {
      try {
        if (fromBase64(rec.result).length > 0) return { success: true };
      } catch {
        // fall through to the error below
      }
    }
    if (keys.length === 1 && typeof rec.error === "string" && rec.error !== "") {
      return { success: false, error: rec.error };
    }
  }
  throw transferError(
    TransferErrorCode.invalidAcknowledgement,
    'acknowledgement is neither {"result":...} nor {"error":...}',
  );
}
