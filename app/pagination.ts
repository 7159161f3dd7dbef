import type { PageRequest, PageResponse } from "cosmjs-types/cosmos/base/query/v1beta1/pagination";
import { errInvalidRequest } from "./errors.ts";

const DEFAULT_LIMIT = 100;

/**
 * One page of `items` (already in key order) for a PageRequest, with a PageResponse whose `nextKey` is
 * non-empty exactly when more items follow (CosmJS loops on it). icsd's next key is the 8-byte offset of
 * the next item; a request may page by that key or by offset, as the SDK allows one or the other.
 */
export function paginate<T>(
  items: readonly T[],
  req: PageRequest | undefined,
): { page: T[]; pagination: PageResponse } {
  const limit = Number(req?.limit || BigInt(DEFAULT_LIMIT));
  let start = Number(req?.offset ?? 0n);
  if (req?.key && req.key.length > 0) {
    if (req.offset && req.offset > 0n) throw errInvalidRequest("either offset or key is expected, got both");
    if (req.key.length !== 8) throw errInvalidRequest("invalid pagination key");
    start = Number(Buffer.from(req.key).readBigUInt64BE(0));
  }
  const list = req?.reverse ? [...items].reverse() : items;
  const page = list.slice(start, start + limit);
  const end = start + page.length;
  const nextKey = end < list.length ? Buffer.alloc(8) : new Uint8Array();
  if (nextKey.length > 0) (nextKey as Buffer).writeBigUInt64BE(BigInt(end));
  return {
    page,
    pagination: {
      nextKey: new Uint8Array(nextKey),
      total: req?.countTotal || !req?.key?.length ? BigInt(list.length) : 0n,
    },
  };
}
