/** The consumer module's errors (codespace "ccvconsumer"), returned as data to refused transactions. */
import { SdkError } from "../app/index.ts";

export const CONSUMER_CODESPACE = "ccvconsumer";

/** Stable codes of the consumer module's SdkErrors. */
export const ConsumerErrorCode = {
  /** A message other than /ibc.* before the first VSC packet (the reference's pre-CCV ante filter). */
  preCcvMsgNotAllowed: 2,
  /** A message type a consumer chain never accepts (evidence, slashing: the provider handles them). */
  msgDisabled: 3,
  /** A query request that is not a JSON object or names a bad field. */
  invalidQuery: 4,
} as const;

export function consumerError(code: number, message: string): SdkError {
  return new SdkError(CONSUMER_CODESPACE, code, message);
}
