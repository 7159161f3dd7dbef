import { utf8 } from "../../utils/index.ts";

/**
 * x/gov's key layout, all under "gov/". Integers are 8-byte big-endian so keys sort numerically; the
 * queues are keyed by end time then proposal id, so an end block reads only the proposals due now.
 *
 *   gov/params                      v1 Params
 *   gov/next_id                     next proposal id (u64)
 *   gov/p/<id>                      v1 Proposal
 *   gov/vp/<id>                     marker: proposal in voting period (the SDK's VotingPeriodProposals)
 *   gov/d/<id><depositor>           v1 Deposit
 *   gov/v/<id><voter>               v1 Vote
 *   gov/iq/<deposit end><id>        inactive (deposit period) queue
 *   gov/aq/<voting end><id>         active (voting period) queue
 */
export const GOV_PREFIX = utf8("gov/");
export const PARAMS_KEY = utf8("gov/params");
export const NEXT_ID_KEY = utf8("gov/next_id");
export const PROPOSAL_PREFIX = utf8("gov/p/");
export const VOTING_PREFIX = utf8("gov/vp/");
export const DEPOSIT_PREFIX = utf8("gov/d/");
export const VOTE_PREFIX = utf8("gov/v/");
export const INACTIVE_QUEUE_PREFIX = utf8("gov/iq/");
export const ACTIVE_QUEUE_PREFIX = utf8("gov/aq/");

export function u64(n: bigint): Uint8Array {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(n);
  return new Uint8Array(b);
}

export function readU64(b: Uint8Array, offset = 0): bigint {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).readBigUInt64BE(offset);
}

function cat(...parts: Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts));
}

export const proposalKey = (id: bigint): Uint8Array => cat(PROPOSAL_PREFIX, u64(id));
export const votingKey = (id: bigint): Uint8Array => cat(VOTING_PREFIX, u64(id));
export const depositsPrefix = (id: bigint): Uint8Array => cat(DEPOSIT_PREFIX, u64(id));
export const depositKey = (id: bigint, depositor: Uint8Array): Uint8Array =>
  cat(depositsPrefix(id), depositor);
export const votesPrefix = (id: bigint): Uint8Array => cat(VOTE_PREFIX, u64(id));
export const voteKey = (id: bigint, voter: Uint8Array): Uint8Array => cat(votesPrefix(id), voter);

/** A queue entry: end time (ns, u64) then id; iterating below queueKey(prefix, t + 1, 0) gives those due at t. */
export const queueKey = (prefix: Uint8Array, endTime: bigint, id: bigint): Uint8Array =>
  cat(prefix, u64(endTime), u64(id));
