/**
 * The consumer's transaction filter (the reference's consumer ante decorators): before the first VSC
 * packet only packet-layer messages ("/ibc.") are accepted, so relayers can establish CCV but nobody
 * else can use the chain unsecured; evidence and slashing messages are always refused (the provider
 * handles infractions; the consumer has no x/evidence or x/slashing messages).
 */
import type { AppStore, SdkError } from "../app/index.ts";
import { ConsumerErrorCode, consumerError } from "./errors.ts";
import { consumerState as S } from "./state.ts";

const DISABLED = ["/cosmos.evidence.", "/cosmos.slashing."];

/** The error to refuse a transaction with these message type URLs, or undefined to let it through. */
export async function consumerTxFilter(
  store: AppStore,
  typeUrls: readonly string[],
): Promise<SdkError | undefined> {
  for (const url of typeUrls) {
    if (DISABLED.some((p) => url.startsWith(p)))
      return consumerError(
        ConsumerErrorCode.msgDisabled,
        `tx contains message types disabled on a consumer chain: ${url}`,
      );
  }
  if (await S.established(store)) return undefined;
  for (const url of typeUrls) {
    if (!url.startsWith("/ibc."))
      return consumerError(
        ConsumerErrorCode.preCcvMsgNotAllowed,
        `tx contains unsupported message types at height before the CCV channel is established: ${url}`,
      );
  }
  return undefined;
}
