/**
 * Test helpers for the light client: a sorted in-memory ClientStore, validators with real ed25519 keys,
 * and signed headers built exactly as consensus builds and signs blocks (proto's headerHash,
 * validatorSetHash and voteSignBytes), so the client verifies what real blocks carry.
 */
import assert from "node:assert/strict";
import {
  BlockIdFlag,
  type CommitSig,
  type Header,
  type Validator,
  type ValidatorSet,
  VoteType,
} from "../../../../consensus/index.ts";
import {
  addressFromPubKey,
  type Ed25519KeyPair,
  ed25519FromSeed,
  ed25519Sign,
} from "../../../../crypto/index.ts";
import {
  type ClientHeader,
  type ClientState,
  type ClientStore,
  type ConsensusState,
  DEFAULT_TRUST_LEVEL,
  type SignedHeader,
} from "../../../../ibc/index.ts";
import { headerHash, validatorSetHash, voteSignBytes } from "../../../../proto/index.ts";
import { compareBytes, IcsdError } from "../../../../utils/index.ts";

export const CHAIN_ID = "consumer-1";
export const SECOND = 1_000_000_000n;
/** A fixed epoch for tests: 2023-11-14T22:13:20Z in ns. */
export const T0 = 1_700_000_000n * SECOND;
export const T = { timeout: 30_000 };
export const CLIENT = "07-tendermint-0";

/** Asserts that `p` rejects with an IcsdError of `code` whose message matches `re`. */
export async function rejectsWith(p: Promise<unknown>, code: string, re?: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof IcsdError, `expected an IcsdError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    if (re) assert.match(e.message, re);
    return true;
  });
}

const keyId = (k: Uint8Array): string => Buffer.from(k).toString("latin1");
const idKey = (id: string): Uint8Array => new Uint8Array(Buffer.from(id, "latin1"));

/** An in-memory ClientStore, iterating in byte order, with a snapshot for "nothing changed" checks. */
export class MemStore implements ClientStore {
  readonly map = new Map<string, Uint8Array>();
  /** Entries yielded by iterate so far (to check that scans cost what they should). */
  iterated = 0;
  async get(key: Uint8Array): Promise<Uint8Array | undefined> {
    return this.map.get(keyId(key))?.slice();
  }
  set(key: Uint8Array, value: Uint8Array): void {
    this.map.set(keyId(key), value.slice());
  }
  delete(key: Uint8Array): void {
    this.map.delete(keyId(key));
  }
  async *iterate(range: { gte?: Uint8Array; lt?: Uint8Array }): AsyncIterable<[Uint8Array, Uint8Array]> {
    const gte = range.gte ? keyId(range.gte) : undefined;
    const lt = range.lt ? keyId(range.lt) : undefined;
    const ids = [...this.map.keys()]
      .filter((id) => (gte === undefined || id >= gte) && (lt === undefined || id < lt))
      .sort();
    for (const id of ids) {
      this.iterated++;
      yield [idKey(id), this.map.get(id)!.slice()];
    }
  }
  /** Every entry, as a sorted list of hex pairs. */
  snapshot(): string[] {
    return [...this.map.entries()]
      .map(([k, v]) => `${Buffer.from(k, "latin1").toString("hex")}=${Buffer.from(v).toString("hex")}`)
      .sort();
  }
}

/** A validator with its signing key. */
export interface TestValidator {
  readonly key: Ed25519KeyPair;
  readonly validator: Validator;
}

/** The validator whose key is derived from `seed`. */
export function testValidator(seed: number, power = 10n): TestValidator {
  const s = new Uint8Array(32);
  s[0] = seed & 0xff;
  s[1] = seed >> 8;
  s[31] = 0x5a;
  const key = ed25519FromSeed(s);
  return {
    key,
    validator: {
      address: addressFromPubKey(key.publicKey),
      pubKey: key.publicKey,
      votingPower: power,
      proposerPriority: 0n,
    },
  };
}

/** Validators of the given seeds in CometBFT set order (power descending, then address ascending). */
export function makeSet(seeds: readonly number[], power = 10n): TestValidator[] {
  return seeds
    .map((s) => testValidator(s, power))
    .sort(
      (a, b) =>
        Number(b.validator.votingPower - a.validator.votingPower) ||
        compareBytes(a.validator.address, b.validator.address),
    );
}

/** The domain ValidatorSet of test validators. */
export function setOf(vals: readonly TestValidator[]): ValidatorSet {
  return { validators: vals.map((v) => v.validator) };
}

function fill(n: number, b: number): Uint8Array {
  return new Uint8Array(n).fill(b);
}

/** Options of a signed header. */
export interface HeaderOptions {
  readonly chainId?: string;
  readonly height: number;
  readonly time: bigint;
  readonly vals: readonly TestValidator[];
  readonly nextVals?: readonly TestValidator[];
  readonly appHash?: Uint8Array;
  /** Indexes into `vals` of the validators that sign (default: all). */
  readonly signers?: readonly number[];
  /** Chain id the votes are signed for (default: the header's). */
  readonly signChainId?: string;
  readonly round?: number;
}

/** A header at `height` and a commit of `vals` (by default all signing) for its hash, as consensus makes them. */
export function signedHeader(o: HeaderOptions): SignedHeader {
  const chainId = o.chainId ?? CHAIN_ID;
  const header: Header = {
    chainId,
    height: o.height,
    time: o.time,
    lastBlockHash: fill(32, o.height & 0xff),
    lastCommitHash: fill(32, 2),
    dataHash: fill(32, 3),
    validatorsHash: validatorSetHash(setOf(o.vals)),
    nextValidatorsHash: validatorSetHash(setOf(o.nextVals ?? o.vals)),
    consensusHash: fill(32, 4),
    appHash: o.appHash ?? fill(32, 0xa0 + (o.height & 0x0f)),
    lastResultsHash: fill(32, 5),
    evidenceHash: fill(32, 6),
    proposerAddress: o.vals[0]!.validator.address,
  };
  const hash = headerHash(header);
  const round = o.round ?? 0;
  const signers = new Set(o.signers ?? o.vals.map((_, i) => i));
  const signatures: CommitSig[] = o.vals.map((v, i) => {
    if (!signers.has(i)) {
      return {
        flag: BlockIdFlag.Absent,
        validatorAddress: new Uint8Array(0),
        timestamp: 0n,
        signature: new Uint8Array(0),
      };
    }
    const timestamp = o.time + 1n;
    const bytes = voteSignBytes(o.signChainId ?? chainId, {
      type: VoteType.Precommit,
      height: o.height,
      round,
      blockHash: hash,
      timestamp,
      validatorAddress: v.validator.address,
      validatorIndex: i,
      signature: new Uint8Array(0),
    });
    return {
      flag: BlockIdFlag.Commit,
      validatorAddress: v.validator.address,
      timestamp,
      signature: ed25519Sign(v.key, bytes),
    };
  });
  return { header, commit: { height: o.height, round, blockHash: hash, signatures } };
}

/** A relayer's update: the signed header, its set, and the trusted height and set it verifies from. */
export function clientHeader(
  sh: SignedHeader,
  vals: readonly TestValidator[],
  trustedHeight: bigint,
  trustedVals: readonly TestValidator[],
): ClientHeader {
  return {
    signedHeader: sh,
    validatorSet: setOf(vals),
    trustedHeight,
    trustedValidators: setOf(trustedVals),
  };
}

/** A client state for CHAIN_ID: trusting period 100s, unbonding 200s, clock drift 10s. */
export function testClientState(latestHeight: bigint, over: Partial<ClientState> = {}): ClientState {
  return {
    chainId: CHAIN_ID,
    trustLevel: DEFAULT_TRUST_LEVEL,
    trustingPeriod: 100n * SECOND,
    unbondingPeriod: 200n * SECOND,
    maxClockDrift: 10n * SECOND,
    latestHeight,
    frozenHeight: 0n,
    ...over,
  };
}

/** The consensus state a header yields (what createClient is given by genesis). */
export function consensusOf(sh: SignedHeader): ConsensusState {
  return {
    timestamp: sh.header.time,
    root: sh.header.appHash,
    nextValidatorsHash: sh.header.nextValidatorsHash,
  };
}
