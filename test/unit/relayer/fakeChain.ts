/**
 * A counterparty chain for relayer tests: real signed headers (ibc client test helpers) at heights
 * 1..n, with an optional validator set change, served as `light_block` RPC results encoded with proto/'s
 * codecs, exactly as node/rpcMethods.ts serves them.
 */
import type { SignedHeader } from "../../../ibc/index.ts";
import { encodeCommit, encodeHeader, encodeValidatorSet } from "../../../proto/index.ts";
import { toBase64 } from "../../../utils/index.ts";
import {
  CHAIN_ID,
  makeSet,
  SECOND,
  setOf,
  signedHeader,
  T0,
  type TestValidator,
} from "../ibc/client/helpers.ts";

export interface FakeChainOptions {
  readonly heights: number;
  /** From this height on the set is `after` (the header before names it as next). */
  readonly changeAt?: number;
  readonly before?: readonly TestValidator[];
  readonly after?: readonly TestValidator[];
}

export interface FakeChain {
  readonly chainId: string;
  readonly headers: readonly SignedHeader[];
  setAt(height: number): readonly TestValidator[];
  /** The `light_block` result for `height` (default: the latest). */
  lightBlockJson(height?: number): Record<string, string>;
}

/** Block time of height h: T0 + 5 s * h. */
export function timeAt(h: number): bigint {
  return T0 + 5n * SECOND * BigInt(h);
}

export function fakeChain(o: FakeChainOptions): FakeChain {
  const before = o.before ?? makeSet([1, 2, 3, 4]);
  const after = o.after ?? makeSet([5, 6, 7]);
  const setAt = (h: number): readonly TestValidator[] =>
    o.changeAt !== undefined && h >= o.changeAt ? after : before;
  const headers: SignedHeader[] = [];
  for (let h = 1; h <= o.heights; h++) {
    headers.push(signedHeader({ height: h, time: timeAt(h), vals: setAt(h), nextVals: setAt(h + 1) }));
  }
  return {
    chainId: CHAIN_ID,
    headers,
    setAt,
    lightBlockJson(height = o.heights) {
      const sh = headers[height - 1]!;
      return {
        height: String(height),
        header: toBase64(encodeHeader(sh.header)),
        commit: toBase64(encodeCommit(sh.commit)),
        validator_set: toBase64(encodeValidatorSet(setOf(setAt(height)))),
      };
    },
  };
}
