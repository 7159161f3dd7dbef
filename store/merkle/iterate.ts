/**
 * Ordered iteration over the state tree: an in-order walk of one version bounded by a key range, and the
 * merge of that walk with a set of uncommitted changes (which win over the tree; a null value hides the
 * key).
 */
import { compareBytes } from "../../utils/index.ts";
import type { KeyRange } from "../kvStore.ts";
import type { Resolve } from "./avl.ts";
import type { Link, TreeNode } from "./node.ts";

/** Nodes with keys in `range` (reverse when asked), loading only the nodes on the way. */
export async function* walkRange(resolve: Resolve, root: Link, range: KeyRange): AsyncIterable<TreeNode> {
  const stack: TreeNode[] = [];
  let cur: Link = root;
  const rev = range.reverse === true;
  while (cur !== null || stack.length > 0) {
    while (cur !== null) {
      const n: TreeNode = await resolve(cur);
      // Skip a node outside the range together with the subtree on its far side.
      if (!rev && range.gte && compareBytes(n.key, range.gte) < 0) cur = n.right;
      else if (rev && range.lt && compareBytes(n.key, range.lt) >= 0) cur = n.left;
      else {
        stack.push(n);
        cur = rev ? n.right : n.left;
      }
    }
    // Every node left on the way down was outside the range (a range beyond the last key).
    const n = stack.pop();
    if (n === undefined) return;
    if (!rev && range.lt && compareBytes(n.key, range.lt) >= 0) return;
    if (rev && range.gte && compareBytes(n.key, range.gte) < 0) return;
    yield n;
    cur = rev ? n.left : n.right;
  }
}

/** True when `key` lies in [gte, lt). */
export function inRange(key: Uint8Array, range: KeyRange): boolean {
  if (range.gte && compareBytes(key, range.gte) < 0) return false;
  if (range.lt && compareBytes(key, range.lt) >= 0) return false;
  return true;
}

/**
 * Entries of `tree` (already bounded by `range`, in its direction) overlaid with `changes`, honouring
 * `range.limit`. Keys and values are copies.
 */
export async function* mergeChanges(
  changes: readonly { key: Uint8Array; value: Uint8Array | null }[],
  tree: AsyncIterable<TreeNode>,
  range: KeyRange,
): AsyncIterable<[Uint8Array, Uint8Array]> {
  const dir = range.reverse ? -1 : 1;
  const sorted = changes
    .filter((c) => inRange(c.key, range))
    .sort((a, b) => dir * compareBytes(a.key, b.key));
  const limit = range.limit !== undefined && range.limit >= 0 ? range.limit : Number.POSITIVE_INFINITY;
  const it = tree[Symbol.asyncIterator]();
  let next = await it.next();
  let ci = 0;
  let count = 0;
  while (count < limit) {
    const c = sorted[ci];
    if (next.done && c === undefined) break;
    const cmp = c === undefined ? 1 : next.done ? -1 : dir * compareBytes(c.key, next.value.key);
    if (cmp <= 0) {
      ci++;
      if (cmp === 0) next = await it.next();
      if (c!.value !== null) {
        count++;
        yield [c!.key.slice(), c!.value.slice()];
      }
    } else if (!next.done) {
      count++;
      yield [next.value.key.slice(), next.value.value.slice()];
      next = await it.next();
    }
  }
}
