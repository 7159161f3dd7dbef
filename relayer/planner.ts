/**
 * What to relay in one direction of a path, as pure functions of state queried from both chains. The
 * relayer keeps nothing between rounds: every round queries again and plans again, so a restart of
 * either chain or of the relayer loses and duplicates nothing (a duplicate that races another relayer
 * is a no-op on chain).
 */
import { hasTimedOut, type Packet } from "../ibc/index.ts";

/** Where proofs of a chain's state come from, and whether the counterparty's client must move first. */
export interface ProofPoint {
  /** Proof height to put in messages; proofs are of state version height - 1. */
  readonly height: bigint;
  /** True when the counterparty's client must be updated to `height` first (in the same transaction). */
  readonly needsUpdate: boolean;
}

/**
 * Chooses the proof height for a chain whose latest committed height is `latest`, given the latest
 * height of the counterparty's client of it. A client already at or past `latest` needs no update and
 * its own latest height is used (it has a consensus state there); otherwise the client moves to `latest`.
 */
export function chooseProofPoint(latest: bigint, clientLatest: bigint): ProofPoint {
  if (clientLatest >= latest) return { height: clientLatest, needsUpdate: false };
  return { height: latest, needsUpdate: true };
}

/** State of one direction src -> dst of a path, queried for one round. */
export interface DirectionState {
  /** Whether the channel is ordered (ICS-04: receive, ack and timeout in sequence order). */
  readonly ordered: boolean;
  /** Whether the destination channel end is OPEN (a CLOSED one receives nothing). */
  readonly dstOpen: boolean;
  /** Packets with a commitment on src at the src proof height, any order. */
  readonly packets: readonly Packet[];
  /** Sequences dst has not received, in the state proven at the dst proof height. */
  readonly unreceived: ReadonlySet<bigint>;
  /** Acknowledgements written on dst (sequence -> ack bytes) in the state proven at the dst proof height. */
  readonly acks: ReadonlyMap<bigint, Uint8Array>;
  /** Of the acknowledged sequences, those whose commitment src still holds (UnreceivedAcks on src). */
  readonly ackPending: ReadonlySet<bigint>;
  /** Dst proof height and its block time: a timeout is proven against these. */
  readonly dstProofHeight: bigint;
  readonly dstProofTime: bigint;
  /** Dst latest height and block time: a receive that may land after its timeout is held back. */
  readonly dstLatestHeight: bigint;
  readonly dstLatestTime: bigint;
}

/** How close to its timeout a packet may be and still be sent for receiving. */
export interface PlanOptions {
  /** A packet whose timeout height is within this many blocks of dst's latest height is not received. */
  readonly recvMarginBlocks: bigint;
  /** A packet whose timeout timestamp is within this many ns of dst's latest time is not received. */
  readonly recvMarginNs: bigint;
}

/** The default margins: a receive takes a block or two to land (update, then inclusion). */
export const DEFAULT_PLAN_OPTIONS: PlanOptions = { recvMarginBlocks: 2n, recvMarginNs: 10_000_000_000n };

/** An acknowledgement to relay back to the packet's source. */
export interface AckWork {
  readonly packet: Packet;
  readonly acknowledgement: Uint8Array;
}

/** The work of one direction: receives go to dst; acks and timeouts go back to src. All ascending. */
export interface DirectionPlan {
  readonly recv: readonly Packet[];
  readonly ack: readonly AckWork[];
  readonly timeout: readonly Packet[];
  /** Unreceived packets neither received nor timed out this round (too close to their timeout). */
  readonly deferred: readonly Packet[];
}

/**
 * Plans one direction. A packet dst has not received is timed out (on src) once its timeout has passed
 * at the dst proof height, else received (on dst) unless its timeout is within the margin of dst's
 * latest height/time (the receive would fail in DeliverTx and take the whole batch with it; it waits
 * to be timed out instead). On an ordered channel receives stop at the first packet that cannot be
 * received, since later ones cannot be received before it. Acks are relayed for packets dst
 * acknowledged and src still holds.
 */
export function planDirection(s: DirectionState, opts: PlanOptions = DEFAULT_PLAN_OPTIONS): DirectionPlan {
  const packets = [...s.packets].sort((x, y) =>
    x.sequence < y.sequence ? -1 : x.sequence > y.sequence ? 1 : 0,
  );
  const recv: Packet[] = [];
  const ack: AckWork[] = [];
  const timeout: Packet[] = [];
  const deferred: Packet[] = [];
  let recvBlocked = !s.dstOpen;
  for (const p of packets) {
    if (s.unreceived.has(p.sequence)) {
      if (hasTimedOut(p, s.dstProofHeight, s.dstProofTime)) {
        timeout.push(p);
        recvBlocked ||= s.ordered;
      } else if (
        recvBlocked ||
        hasTimedOut(p, s.dstLatestHeight + opts.recvMarginBlocks, s.dstLatestTime + opts.recvMarginNs)
      ) {
        deferred.push(p);
        recvBlocked ||= s.ordered;
      } else {
        recv.push(p);
      }
      continue;
    }
    const a = s.acks.get(p.sequence);
    if (a !== undefined && s.ackPending.has(p.sequence)) ack.push({ packet: p, acknowledgement: a });
  }
  return { recv, ack, timeout, deferred };
}

/** Splits `items` into consecutive batches of at most `max`, keeping order. */
export function batches<T>(items: readonly T[], max: number): T[][] {
  if (!Number.isInteger(max) || max < 1)
    throw new RangeError(`batch size must be a positive integer, got ${max}`);
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += max) out.push(items.slice(i, i + max));
  return out;
}

/** One message destined for the source chain: an ack or a timeout (acks first, as ICS-04 closes an ordered channel on timeout). */
export type SrcWork =
  | { readonly kind: "ack"; readonly work: AckWork }
  | { readonly kind: "timeout"; readonly packet: Packet };

/** The messages for the source chain in submission order: acks ascending, then timeouts ascending. */
export function srcWork(plan: DirectionPlan): SrcWork[] {
  return [
    ...plan.ack.map((work): SrcWork => ({ kind: "ack", work })),
    ...plan.timeout.map((packet): SrcWork => ({ kind: "timeout", packet })),
  ];
}
