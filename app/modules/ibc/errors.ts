/**
 * The ibc module's errors as the app reports them: every refusal of the packet layer (an IcsdError with
 * a stable code from ibc/) becomes an SdkError in codespace "ibc" with a fixed number per code, and a
 * log that starts with the library's code and carries its message, so relayers and tests can match on
 * either.
 */
import { ChannelErrorCode, ClientErrorCode, TransferErrorCode } from "../../../ibc/index.ts";
import { IcsdError } from "../../../utils/index.ts";
import { SdkError } from "../../errors.ts";

/** The codespace of every ibc module error. */
export const IBC_CODESPACE = "ibc";

/** Codes of the module's own refusals (the library has no code for them). */
export const IbcModuleErrorCode = {
  /** A message fails stateless validation (missing field, wrong Any type, oversized proof, bad height). */
  invalidMessage: "IBC_INVALID_MESSAGE",
  /** A packet names a port no application is bound to. */
  portNotBound: "IBC_PORT_NOT_BOUND",
  /** Every packet message of a transaction was already relayed. */
  redundantRelay: "IBC_REDUNDANT_RELAY",
} as const;

// Numbers are part of the chain's interface (clients match on code + codespace): never renumber, only add.
const CODES: Readonly<Record<string, number>> = {
  [ChannelErrorCode.invalidIdentifier]: 2,
  [ChannelErrorCode.channelNotFound]: 3,
  [ChannelErrorCode.channelExists]: 4,
  [ChannelErrorCode.channelNotOpen]: 5,
  [ChannelErrorCode.channelInvalid]: 6,
  [ChannelErrorCode.counterpartyMismatch]: 7,
  [ChannelErrorCode.packetInvalid]: 8,
  [ChannelErrorCode.packetTimedOut]: 9,
  [ChannelErrorCode.packetAlreadyReceived]: 10,
  [ChannelErrorCode.packetOutOfOrder]: 11,
  [ChannelErrorCode.commitmentNotFound]: 12,
  [ChannelErrorCode.commitmentMismatch]: 13,
  [ChannelErrorCode.timeoutNotReached]: 14,
  [ChannelErrorCode.timeoutPacketReceived]: 15,
  [ChannelErrorCode.ackInvalid]: 16,
  [ChannelErrorCode.proofInvalid]: 17,
  [ChannelErrorCode.channelAlreadyClosed]: 18,
  [ClientErrorCode.ClientIdInvalid]: 20,
  [ClientErrorCode.ClientExists]: 21,
  [ClientErrorCode.ClientNotFound]: 22,
  [ClientErrorCode.ClientStateInvalid]: 23,
  [ClientErrorCode.ConsensusStateInvalid]: 24,
  [ClientErrorCode.ConsensusStateNotFound]: 25,
  [ClientErrorCode.HeaderInvalid]: 26,
  [ClientErrorCode.ClientExpired]: 27,
  [ClientErrorCode.ClientFrozen]: 28,
  [ClientErrorCode.MisbehaviourInvalid]: 29,
  [TransferErrorCode.invalidPacketData]: 30,
  [TransferErrorCode.denomTraceNotFound]: 31,
  [TransferErrorCode.insufficientFunds]: 32,
  [TransferErrorCode.invalidReceiver]: 33,
  [TransferErrorCode.invalidAcknowledgement]: 34,
  [IbcModuleErrorCode.invalidMessage]: 40,
  [IbcModuleErrorCode.portNotBound]: 41,
  [IbcModuleErrorCode.redundantRelay]: 42,
};

/** The ABCI code of an ibc error code (1, "internal", for a code this table does not know). */
export function ibcAbciCode(code: string): number {
  return Object.hasOwn(CODES, code) ? CODES[code]! : 1;
}

/** An SdkError in codespace "ibc" for an ibc code; the log is "<CODE>: <message>". */
export function ibcSdkError(code: string, message: string): SdkError {
  return new SdkError(IBC_CODESPACE, ibcAbciCode(code), `${code}: ${message}`);
}

/**
 * Converts what the packet layer threw into what the app reports: an IcsdError becomes an "ibc"
 * SdkError, an SdkError (the bank's, the module's) stays as it is, anything else is rethrown unchanged
 * (runTx reports it as an internal error).
 */
export function toIbcError(e: unknown): unknown {
  if (e instanceof SdkError) return e;
  if (e instanceof IcsdError) return ibcSdkError(e.code, e.message);
  return e;
}

/** Runs `f`, converting a packet-layer IcsdError into its SdkError. */
export async function ibcCall<T>(f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    throw toIbcError(e);
  }
}

/** Runs a synchronous `f`, converting a packet-layer IcsdError into its SdkError. */
export function ibcCallSync<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw toIbcError(e);
  }
}

/** A message that fails stateless validation. */
export function errInvalidIbcMessage(message: string): SdkError {
  return ibcSdkError(IbcModuleErrorCode.invalidMessage, message);
}

/** The log of a transaction whose packet messages were all redundant (the contract's wording). */
export const REDUNDANT_RELAY_LOG =
  "redundant relay: every packet message in this transaction was already relayed";

/** ibc-go's RedundantRelayDecorator refusal: every packet message of the tx was a no-op. */
export function errRedundantRelay(): SdkError {
  return new SdkError(IBC_CODESPACE, ibcAbciCode(IbcModuleErrorCode.redundantRelay), REDUNDANT_RELAY_LOG);
}
