/**
 * Domain types of the light client of another icsd chain (ICS-07 Tendermint client semantics, adapted
 * to icsd's headers and commits). Heights are bigint (ICS-02 heights are uint64; icsd uses revision 0
 * only, so a height is its revision height); times and periods are bigint nanoseconds.
 */
import type { Commit, Header, ValidatorSet } from "../../consensus/index.ts";

/** A fraction of voting power; ICS-07 / CometBFT require 1/3 <= numerator/denominator <= 1. */
export interface TrustLevel {
  readonly numerator: bigint;
  readonly denominator: bigint;
}

/** The trust level CometBFT's light client and ibc-go use by default: 1/3. */
export const DEFAULT_TRUST_LEVEL: TrustLevel = { numerator: 1n, denominator: 3n };

/** ICS-07 ClientState: what the client trusts and for how long. */
export interface ClientState {
  /** Chain id of the counterparty; every header and vote must carry it. */
  readonly chainId: string;
  readonly trustLevel: TrustLevel;
  /** How long (ns) a consensus state may be used to verify a new header; < unbondingPeriod. */
  readonly trustingPeriod: bigint;
  /** The counterparty's unbonding period (ns). */
  readonly unbondingPeriod: bigint;
  /** How far (ns) a header's time may be ahead of the host's time. */
  readonly maxClockDrift: bigint;
  /** Highest height with a stored consensus state. */
  readonly latestHeight: bigint;
  /** 0 while the client is live; non-zero once misbehaviour froze it (ICS-07 FrozenHeight). */
  readonly frozenHeight: bigint;
}

/** ICS-07 ConsensusState: what a verified header says about the counterparty at its height. */
export interface ConsensusState {
  /** The header's time (ns since the Unix epoch). */
  readonly timestamp: bigint;
  /** The header's app hash: the root of the counterparty's state after the previous block. */
  readonly root: Uint8Array;
  /** The hash of the validator set that signs the next block; it is trusted to sign headers above. */
  readonly nextValidatorsHash: Uint8Array;
}

/** A header and the commit that finalised it. */
export interface SignedHeader {
  readonly header: Header;
  readonly commit: Commit;
}

/**
 * What a relayer submits to update the client (ICS-07 Header): a signed header, the set that signed it,
 * and the trusted height (and that height's next validator set) it is verified from.
 */
export interface ClientHeader {
  readonly signedHeader: SignedHeader;
  /** The validator set at the header's height; its hash must be header.validatorsHash. */
  readonly validatorSet: ValidatorSet;
  /** A height with a stored consensus state, below the header's height. */
  readonly trustedHeight: bigint;
  /** The set whose hash is the trusted consensus state's nextValidatorsHash. */
  readonly trustedValidators: ValidatorSet;
}

/** Why a client was frozen. */
export const MisbehaviourKind = {
  /** Two valid headers for one height with different hashes. */
  DuplicateHeight: "duplicate_height",
  /** A valid header whose time is not strictly between its stored neighbours' times. */
  TimeMonotonicity: "time_monotonicity",
} as const;
export type MisbehaviourKind = (typeof MisbehaviourKind)[keyof typeof MisbehaviourKind];

/** The evidence stored with a frozen client: the two conflicting headers, by height and hash. */
export interface MisbehaviourRecord {
  readonly kind: MisbehaviourKind;
  readonly height1: bigint;
  /** Header hash; empty when the conflicting state came from createClient (no header known). */
  readonly hash1: Uint8Array;
  readonly height2: bigint;
  readonly hash2: Uint8Array;
}

/** ICS-02 client status. */
export const ClientStatus = {
  Active: "Active",
  Frozen: "Frozen",
  Expired: "Expired",
} as const;
export type ClientStatus = (typeof ClientStatus)[keyof typeof ClientStatus];

/**
 * The key-value view the client works on, structurally identical to the app's AppStore so the app can
 * pass its (branched, gas-metered) store straight in. `iterate` yields gte <= key < lt in ascending order.
 */
export interface ClientStore {
  get(key: Uint8Array): Promise<Uint8Array | undefined>;
  set(key: Uint8Array, value: Uint8Array): void;
  delete(key: Uint8Array): void;
  iterate(range: {
    readonly gte?: Uint8Array;
    readonly lt?: Uint8Array;
  }): AsyncIterable<[Uint8Array, Uint8Array]>;
}
