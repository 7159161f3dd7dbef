/**
 * Persistent (path-copying) AVL insert and delete over the tree's links. Nodes are never mutated: every
 * change builds new nodes along the search path (plus the few a rotation touches) and records each
 * persisted node it replaces as an orphan, so the previous version stays readable. Work per change is
 * O(log n) nodes, as the AVL invariant bounds the height by 1.44 log2(n + 2).
 */
import { compareBytes, equalBytes } from "../../utils/index.ts";
import { heightOf, type Link, makeNode, type TreeNode } from "./node.ts";

/** Loads the node behind a non-null link. */
export type Resolve = (link: NonNullable<Link>) => Promise<TreeNode>;

/** One change set applied to a root; collects the node keys of persisted nodes it replaced. */
export class AvlEditor {
  private readonly resolve: Resolve;
  /** Node keys (hex) of persisted nodes no longer reachable from the new root. */
  readonly orphans = new Set<string>();

  constructor(resolve: Resolve) {
    this.resolve = resolve;
  }

  private orphan(node: TreeNode): void {
    if (node.nk !== undefined) this.orphans.add(node.nk);
  }

  /** The root after setting `key` to `value`; returns `link` itself when nothing changed. */
  async set(link: Link, key: Uint8Array, value: Uint8Array): Promise<Link> {
    if (link === null) return makeNode(key, value, null, null);
    const n = await this.resolve(link);
    const c = compareBytes(key, n.key);
    if (c === 0) {
      if (equalBytes(value, n.value)) return link;
      this.orphan(n);
      return makeNode(n.key, value, n.left, n.right);
    }
    if (c < 0) {
      const l = await this.set(n.left, key, value);
      if (l === n.left) return link;
      this.orphan(n);
      return this.balance(makeNode(n.key, n.value, l, n.right));
    }
    const r = await this.set(n.right, key, value);
    if (r === n.right) return link;
    this.orphan(n);
    return this.balance(makeNode(n.key, n.value, n.left, r));
  }

  /** The root after deleting `key`; returns `link` itself when the key was absent. */
  async delete(link: Link, key: Uint8Array): Promise<Link> {
    if (link === null) return null;
    const n = await this.resolve(link);
    const c = compareBytes(key, n.key);
    if (c < 0) {
      const l = await this.delete(n.left, key);
      if (l === n.left) return link;
      this.orphan(n);
      return this.balance(makeNode(n.key, n.value, l, n.right));
    }
    if (c > 0) {
      const r = await this.delete(n.right, key);
      if (r === n.right) return link;
      this.orphan(n);
      return this.balance(makeNode(n.key, n.value, n.left, r));
    }
    this.orphan(n);
    if (n.left === null) return n.right;
    if (n.right === null) return n.left;
    // Two children: the in-order successor takes this node's place.
    const { min, rest } = await this.removeMin(n.right);
    return this.balance(makeNode(min.key, min.value, n.left, rest));
  }

  private async removeMin(link: NonNullable<Link>): Promise<{ min: TreeNode; rest: Link }> {
    const n = await this.resolve(link);
    this.orphan(n);
    if (n.left === null) return { min: n, rest: n.right };
    const { min, rest } = await this.removeMin(n.left);
    return { min, rest: await this.balance(makeNode(n.key, n.value, rest, n.right)) };
  }

  /** Restores the AVL invariant at a fresh node whose subtrees differ in height by at most 2. */
  private async balance(n: TreeNode): Promise<TreeNode> {
    const bf = heightOf(n.left) - heightOf(n.right);
    if (bf > 1) {
      const l = await this.resolve(n.left!);
      this.orphan(l);
      if (heightOf(l.left) < heightOf(l.right)) {
        const lr = await this.resolve(l.right!);
        this.orphan(lr);
        return makeNode(
          lr.key,
          lr.value,
          makeNode(l.key, l.value, l.left, lr.left),
          makeNode(n.key, n.value, lr.right, n.right),
        );
      }
      return makeNode(l.key, l.value, l.left, makeNode(n.key, n.value, l.right, n.right));
    }
    if (bf < -1) {
      const r = await this.resolve(n.right!);
      this.orphan(r);
      if (heightOf(r.right) < heightOf(r.left)) {
        const rl = await this.resolve(r.left!);
        this.orphan(rl);
        return makeNode(
          rl.key,
          rl.value,
          makeNode(n.key, n.value, n.left, rl.left),
          makeNode(r.key, r.value, rl.right, r.right),
        );
      }
      return makeNode(r.key, r.value, makeNode(n.key, n.value, n.left, r.left), r.right);
    }
    return n;
  }
}
