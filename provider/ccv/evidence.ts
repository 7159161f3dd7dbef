/**
 * Consumer infractions proven on the provider (interchain-security `keeper/consumer_equivocation.go`,
 * `msg_server.go`; ADR-005, ADR-013): MsgSubmitConsumerDoubleVoting (two votes of one consumer validator
 * at the same height, round and type for different blocks) and MsgSubmitConsumerMisbehaviour (two
 * conflicting headers of the consumer at one height, a light client attack). Both punish the provider
 * validator behind the consumer key with the consumer's double-sign parameters: slash counting its
 * unbonding and redelegated stake, jail, tombstone.
 *
 * Messages carry CometBFT protobufs (cosmjs-types' tendermint/ibc types, as the reference); they are
 * converted here into icsd's domain types (consensus/types.ts, ibc ClientHeader), whose signatures and
 * hashes are icsd's (proto/hashing.ts), so a consumer icsd chain's evidence verifies exactly as its own
 * consensus checked it.
 *
 * Deviations from the reference, each stricter: the infraction header must be at the votes' height and
 * verify against the provider's light client of the consumer (the reference only reads its validator
 * set); evidence older than the consumer's unbonding period (by the verified header's time) is refused
 * (the reference uses a minimum height set at launch); handled evidence is remembered by hash, so the same
 * evidence is refused even when the double-sign parameters do not tombstone; misbehaviour counts only
 * validators that signed *for the block* in both commits (BlockIDFlagCommit).
 */
import type { Any } from "cosmjs-types/google/protobuf/any";
import type { Timestamp } from "cosmjs-types/google/protobuf/timestamp";
import {
  type Header as ProtoClientHeader,
  Misbehaviour as ProtoMisbehaviour,
} from "cosmjs-types/ibc/lightclients/tendermint/v1/tendermint";
import { DuplicateVoteEvidence as ProtoDuplicateVoteEvidence } from "cosmjs-types/tendermint/types/evidence";
import type {
  Commit as ProtoCommit,
  Header as ProtoHeader,
  Vote as ProtoVote,
} from "cosmjs-types/tendermint/types/types";
import type { ValidatorSet as ProtoValidatorSet } from "cosmjs-types/tendermint/types/validator";
import {
  type AppStore,
  addressBytes,
  CacheStore,
  type Dec,
  decFromString,
  decodeProto,
  event,
  type IbcKeeper,
  type ModuleContext,
  type MsgRoute,
  msgRoute,
  SdkError,
} from "../../app/index.ts";
import {
  BlockIdFlag,
  type Commit,
  type DuplicateVoteEvidence,
  type Header,
  type Validator,
  type ValidatorSet,
  type Vote,
  VoteType,
} from "../../consensus/index.ts";
import { addressFromPubKey, ed25519Verify, sha256 } from "../../crypto/index.ts";
import {
  type ClientHeader,
  getClientState,
  getConsensusState,
  MisbehaviourKind,
  verifyClientHeader,
} from "../../ibc/index.ts";
import { headerHash, voteSignBytes } from "../../proto/index.ts";
import { concatBytes, equalBytes, errorMessage, toHex, toHexUpper, utf8 } from "../../utils/index.ts";
import type { SlashingKeeper } from "../slashing/index.ts";
import {
  DOUBLE_SIGN_JAIL_END_TIME,
  errNoValidatorForAddress,
  errValidatorTombstoned,
} from "../slashing/index.ts";
import type { RedelegationRecord, UnbondingDelegationRecord } from "../staking/index.ts";
import { POWER_REDUCTION, type Validator as StakingValidator } from "../staking/index.ts";
import {
  MsgSubmitConsumerDoubleVotingCodec,
  MsgSubmitConsumerMisbehaviourCodec,
  type SlashJailParameters,
} from "./codec.ts";
import type { ProviderKeeper } from "./keeper.ts";

const NS = 1_000_000_000n;
/** Go's largest time.Duration (ns): the reference's default double-sign jail duration. */
const MAX_DURATION = 9223372036854775807n;

// Math.min does not take bigints.
function minBig(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}

// ---- errors ---------------------------------------------------------------------------------------

/** x/ccv's ErrInvalidDoubleVotingEvidence (codespace "ccv", code 16). */
export function errInvalidDoubleVotingEvidence(detail: string): SdkError {
  return new SdkError("ccv", 16, `${detail}: invalid consumer double voting evidence`);
}

/** x/ccv/provider's ErrInvalidMsgSubmitConsumerMisbehaviour (47). */
export function errInvalidMsgSubmitConsumerMisbehaviour(detail: string): SdkError {
  return new SdkError("provider", 47, `${detail}: invalid submit consumer misbehaviour message`);
}

/** x/ccv/provider's ErrInvalidMsgSubmitConsumerDoubleVoting (48). */
export function errInvalidMsgSubmitConsumerDoubleVoting(detail: string): SdkError {
  return new SdkError("provider", 48, `${detail}: invalid submit consumer double voting message`);
}

/** ibc-go's 02-client ErrInvalidMisbehaviour (codespace "client", code 13). */
export function errInvalidMisbehaviour(detail: string): SdkError {
  return new SdkError("client", 13, `${detail}: invalid misbehaviour`);
}

/** An unregistered error of the reference (fmt.Errorf): codespace "undefined", code 1. */
function errUndefined(message: string): SdkError {
  return new SdkError("undefined", 1, message);
}

// ---- protobuf <-> domain --------------------------------------------------------------------------

const EMPTY = new Uint8Array(0);

function tsToNs(t: Timestamp | undefined, field: string): bigint {
  if (t === undefined) throw new Error(`${field} is missing`);
  return t.seconds * NS + BigInt(t.nanos);
}

function nsToTs(ns: bigint): Timestamp {
  let seconds = ns / NS;
  let nanos = ns % NS;
  if (nanos < 0n) {
    nanos += NS;
    seconds -= 1n;
  }
  return { seconds, nanos: Number(nanos) };
}

function safeHeight(h: bigint, field: string): number {
  if (h < 0n || h > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error(`${field} ${h} is out of range`);
  return Number(h);
}

/** A CometBFT Vote as icsd's Vote (block id = its hash; icsd has no part sets). Throws naming the field. */
export function voteFromProto(v: ProtoVote | undefined, field: string): Vote {
  if (v === undefined) throw new Error(`${field} is missing`);
  if (v.type !== VoteType.Prevote && v.type !== VoteType.Precommit) {
    throw new Error(`${field}.type ${v.type} is not a prevote or precommit`);
  }
  if (v.round < 0) throw new Error(`${field}.round is negative`);
  if (v.validatorAddress.length !== 20) throw new Error(`${field}.validator_address must be 20 bytes`);
  if (v.signature.length === 0) throw new Error(`${field}.signature is empty`);
  return {
    type: v.type,
    height: safeHeight(v.height, `${field}.height`),
    round: v.round,
    blockHash: v.blockId?.hash ?? EMPTY,
    timestamp: tsToNs(v.timestamp, `${field}.timestamp`),
    validatorAddress: v.validatorAddress,
    validatorIndex: v.validatorIndex,
    signature: v.signature,
  };
}

const noParts = () => ({ total: 0, hash: EMPTY });

/** icsd's Vote as a CometBFT Vote. */
export function voteToProto(v: Vote): ProtoVote {
  return {
    type: v.type,
    height: BigInt(v.height),
    round: v.round,
    blockId: { hash: v.blockHash, partSetHeader: noParts() },
    timestamp: nsToTs(v.timestamp),
    validatorAddress: v.validatorAddress,
    validatorIndex: v.validatorIndex,
    signature: v.signature,
    extension: EMPTY,
    extensionSignature: EMPTY,
  };
}

/** A CometBFT DuplicateVoteEvidence as icsd's. Throws naming the bad field. */
export function duplicateVoteEvidenceFromProto(
  e: ProtoDuplicateVoteEvidence | undefined,
): DuplicateVoteEvidence {
  if (e === undefined) throw new Error("duplicate_vote_evidence is missing");
  return {
    voteA: voteFromProto(e.voteA, "vote_a"),
    voteB: voteFromProto(e.voteB, "vote_b"),
    totalVotingPower: e.totalVotingPower,
    validatorPower: e.validatorPower,
    timestamp: tsToNs(e.timestamp, "timestamp"),
  };
}

/** icsd's DuplicateVoteEvidence as CometBFT's protobuf. */
export function duplicateVoteEvidenceToProto(e: DuplicateVoteEvidence): ProtoDuplicateVoteEvidence {
  return {
    voteA: voteToProto(e.voteA),
    voteB: voteToProto(e.voteB),
    totalVotingPower: e.totalVotingPower,
    validatorPower: e.validatorPower,
    timestamp: nsToTs(e.timestamp),
  };
}

function headerFromProto(h: ProtoHeader | undefined, field: string): Header {
  if (h === undefined) throw new Error(`${field} is missing`);
  return {
    chainId: h.chainId,
    height: safeHeight(h.height, `${field}.height`),
    time: tsToNs(h.time, `${field}.time`),
    lastBlockHash: h.lastBlockId?.hash ?? EMPTY,
    lastCommitHash: h.lastCommitHash,
    dataHash: h.dataHash,
    validatorsHash: h.validatorsHash,
    nextValidatorsHash: h.nextValidatorsHash,
    consensusHash: h.consensusHash,
    appHash: h.appHash,
    lastResultsHash: h.lastResultsHash,
    evidenceHash: h.evidenceHash,
    proposerAddress: h.proposerAddress,
  };
}

function headerToProto(h: Header): ProtoHeader {
  return {
    version: { block: 11n, app: 0n },
    chainId: h.chainId,
    height: BigInt(h.height),
    time: nsToTs(h.time),
    lastBlockId: { hash: h.lastBlockHash, partSetHeader: noParts() },
    lastCommitHash: h.lastCommitHash,
    dataHash: h.dataHash,
    validatorsHash: h.validatorsHash,
    nextValidatorsHash: h.nextValidatorsHash,
    consensusHash: h.consensusHash,
    appHash: h.appHash,
    lastResultsHash: h.lastResultsHash,
    evidenceHash: h.evidenceHash,
    proposerAddress: h.proposerAddress,
  };
}

function commitFromProto(c: ProtoCommit | undefined, field: string): Commit {
  if (c === undefined) throw new Error(`${field} is missing`);
  return {
    height: safeHeight(c.height, `${field}.height`),
    round: c.round,
    blockHash: c.blockId?.hash ?? EMPTY,
    signatures: c.signatures.map((s, i) => {
      if (
        s.blockIdFlag !== BlockIdFlag.Absent &&
        s.blockIdFlag !== BlockIdFlag.Commit &&
        s.blockIdFlag !== BlockIdFlag.Nil
      ) {
        throw new Error(`${field}.signatures[${i}].block_id_flag ${s.blockIdFlag} is invalid`);
      }
      return {
        flag: s.blockIdFlag as BlockIdFlag,
        validatorAddress: s.validatorAddress,
        timestamp: s.timestamp === undefined ? 0n : tsToNs(s.timestamp, "timestamp"),
        signature: s.signature,
      };
    }),
  };
}

function commitToProto(c: Commit): ProtoCommit {
  return {
    height: BigInt(c.height),
    round: c.round,
    blockId: { hash: c.blockHash, partSetHeader: noParts() },
    signatures: c.signatures.map((s) => ({
      blockIdFlag: s.flag,
      validatorAddress: s.validatorAddress,
      timestamp: nsToTs(s.timestamp),
      signature: s.signature,
    })),
  };
}

function validatorSetFromProto(s: ProtoValidatorSet | undefined, field: string): ValidatorSet {
  if (s === undefined) throw new Error(`${field} is missing`);
  const validators: Validator[] = s.validators.map((v, i) => {
    const pubKey = v.pubKey?.ed25519;
    if (pubKey === undefined || pubKey.length !== 32) {
      throw new Error(`${field}.validators[${i}].pub_key must be a 32-byte ed25519 key`);
    }
    // The address is derived, never trusted: the set's hash commits to keys and powers only.
    const address = addressFromPubKey(pubKey);
    if (v.address.length > 0 && !equalBytes(v.address, address)) {
      throw new Error(`${field}.validators[${i}].address is not its key's address`);
    }
    if (v.votingPower <= 0n) throw new Error(`${field}.validators[${i}].voting_power must be positive`);
    return { address, pubKey, votingPower: v.votingPower, proposerPriority: v.proposerPriority };
  });
  return { validators };
}

function validatorSetToProto(s: ValidatorSet): ProtoValidatorSet {
  const validators = s.validators.map((v) => ({
    address: v.address,
    pubKey: { ed25519: v.pubKey },
    votingPower: v.votingPower,
    proposerPriority: v.proposerPriority,
  }));
  return {
    validators,
    totalVotingPower: s.validators.reduce((t, v) => t + v.votingPower, 0n),
  };
}

/** An ibc-go 07-tendermint Header as icsd's ClientHeader. Throws naming the bad field. */
export function clientHeaderFromProto(h: ProtoClientHeader | undefined, field = "header"): ClientHeader {
  if (h === undefined) throw new Error(`${field} is missing`);
  return {
    signedHeader: {
      header: headerFromProto(h.signedHeader?.header, `${field}.signed_header.header`),
      commit: commitFromProto(h.signedHeader?.commit, `${field}.signed_header.commit`),
    },
    validatorSet: validatorSetFromProto(h.validatorSet, `${field}.validator_set`),
    trustedHeight: h.trustedHeight?.revisionHeight ?? 0n,
    trustedValidators: validatorSetFromProto(h.trustedValidators, `${field}.trusted_validators`),
  };
}

/** icsd's ClientHeader as an ibc-go 07-tendermint Header. */
export function clientHeaderToProto(h: ClientHeader): ProtoClientHeader {
  return {
    signedHeader: {
      header: headerToProto(h.signedHeader.header),
      commit: commitToProto(h.signedHeader.commit),
    },
    validatorSet: validatorSetToProto(h.validatorSet),
    trustedHeight: { revisionNumber: 0n, revisionHeight: h.trustedHeight },
    trustedValidators: validatorSetToProto(h.trustedValidators),
  };
}

// ---- pure checks ----------------------------------------------------------------------------------

/**
 * The reference's VerifyDoubleVotingEvidence over icsd's sign bytes: `pubKey` is the votes' signer; both
 * votes have one height, round, type and validator, different block hashes, and valid signatures over
 * `chainId`. Throws ErrInvalidDoubleVotingEvidence naming the first check that failed.
 */
export function verifyDoubleVote(chainId: string, ev: DuplicateVoteEvidence, pubKey: Uint8Array): void {
  const a = ev.voteA;
  const b = ev.voteB;
  if (!equalBytes(addressFromPubKey(pubKey), a.validatorAddress)) {
    throw errInvalidDoubleVotingEvidence(
      `public key does not correspond to the validator address ${toHexUpper(a.validatorAddress)}`,
    );
  }
  if (a.height !== b.height || a.round !== b.round || a.type !== b.type) {
    throw errInvalidDoubleVotingEvidence(
      `height/round/type are not the same: ${a.height}/${a.round}/${a.type} vs ${b.height}/${b.round}/${b.type}`,
    );
  }
  if (!equalBytes(a.validatorAddress, b.validatorAddress)) {
    throw errInvalidDoubleVotingEvidence(
      `validator addresses do not match: ${toHexUpper(a.validatorAddress)} vs ${toHexUpper(b.validatorAddress)}`,
    );
  }
  if (equalBytes(a.blockHash, b.blockHash)) {
    throw errInvalidDoubleVotingEvidence(
      `block IDs are the same (${toHexUpper(a.blockHash)}) - not a real duplicate vote`,
    );
  }
  if (!ed25519Verify(pubKey, voteSignBytes(chainId, a), a.signature)) {
    throw errInvalidDoubleVotingEvidence(`verifying VoteA: invalid signature over chain id ${chainId}`);
  }
  if (!ed25519Verify(pubKey, voteSignBytes(chainId, b), b.signature)) {
    throw errInvalidDoubleVotingEvidence(`verifying VoteB: invalid signature over chain id ${chainId}`);
  }
}

function signerSig(chainId: string, h: ClientHeader, index: number): Validator | undefined {
  const commit = h.signedHeader.commit;
  const sig = commit.signatures[index]!;
  const v = h.validatorSet.validators.find((x) => equalBytes(x.address, sig.validatorAddress));
  if (v === undefined) return undefined;
  const bytes = voteSignBytes(chainId, {
    type: VoteType.Precommit,
    height: commit.height,
    round: commit.round,
    blockHash: commit.blockHash,
    timestamp: sig.timestamp,
    validatorAddress: sig.validatorAddress,
    validatorIndex: index,
    signature: sig.signature,
  });
  return ed25519Verify(v.pubKey, bytes, sig.signature) ? v : undefined;
}

function stateTransitionsConflict(a: Header, b: Header): boolean {
  return (
    !equalBytes(a.validatorsHash, b.validatorsHash) ||
    !equalBytes(a.nextValidatorsHash, b.nextValidatorsHash) ||
    !equalBytes(a.consensusHash, b.consensusHash) ||
    !equalBytes(a.appHash, b.appHash) ||
    !equalBytes(a.lastResultsHash, b.lastResultsHash)
  );
}

/**
 * The reference's GetByzantineValidators for two conflicting headers at one height: the validators
 * (of header1's set) with a valid precommit for the block in both commits, in header1's set order.
 * None when the headers agree on the state transition and were committed in different rounds (a
 * possible amnesia attack, which cannot be attributed).
 */
export function byzantineValidators(chainId: string, h1: ClientHeader, h2: ClientHeader): Validator[] {
  const a = h1.signedHeader;
  const b = h2.signedHeader;
  if (!stateTransitionsConflict(a.header, b.header) && a.commit.round !== b.commit.round) return [];
  const inB = new Map<string, number>();
  b.commit.signatures.forEach((s, i) => {
    if (s.flag === BlockIdFlag.Commit) inB.set(toHex(s.validatorAddress), i);
  });
  const out: Validator[] = [];
  a.commit.signatures.forEach((s, i) => {
    if (s.flag !== BlockIdFlag.Commit) return;
    const j = inB.get(toHex(s.validatorAddress));
    if (j === undefined) return;
    const va = signerSig(chainId, h1, i);
    const vb = signerSig(chainId, h2, j);
    if (va !== undefined && vb !== undefined) out.push(va);
  });
  return out;
}

// ---- what the handlers need from the provider module ---------------------------------------------

/** A consumer chain as evidence handling sees it. */
export interface EvidenceConsumer {
  readonly chainId: string;
  /** The reference's phase name: "CONSUMER_PHASE_LAUNCHED", "CONSUMER_PHASE_STOPPED", ... */
  readonly phase: string;
  /** The provider's light client of the consumer (set at launch). */
  readonly clientId: string | undefined;
  /** The consumer's unbonding period (ns): evidence older than this is refused. */
  readonly unbondingPeriod: bigint;
  /** The consumer's double-sign parameters, defaults resolved (provider slash_fraction_double_sign, jail forever, tombstone). */
  readonly doubleSign: SlashJailParameters;
}

/** The provider module's state that evidence handling reads (the module's keeper implements it). */
export interface EvidenceConsumers {
  /** The consumer, or undefined for an unknown id. */
  consumer(store: AppStore, consumerId: string): Promise<EvidenceConsumer | undefined>;
  /**
   * The provider consensus address behind a consumer consensus address: the validator that assigned
   * the key (including keys kept mapped after a reassignment), else the address itself (the default
   * key is the provider key), as the reference's GetProviderAddrFromConsumerAddr.
   */
  providerConsAddr(store: AppStore, consumerId: string, consumerConsAddr: Uint8Array): Promise<Uint8Array>;
}

/** The staking reads punishment needs (StakingKeeperImpl has them). */
export interface EvidenceStaking {
  getValidatorByConsAddr(store: AppStore, consAddr: Uint8Array): Promise<StakingValidator | undefined>;
  lastValidatorPower(store: AppStore, operator: Uint8Array): Promise<bigint>;
  validatorUnbondingDelegations(store: AppStore, operator: Uint8Array): Promise<UnbondingDelegationRecord[]>;
  redelegationsFromSrc(store: AppStore, operator: Uint8Array): Promise<RedelegationRecord[]>;
}

/** Everything the evidence handlers use. */
export interface EvidenceKeepers {
  readonly consumers: EvidenceConsumers;
  readonly staking: EvidenceStaking;
  readonly slashing: SlashingKeeper;
  /** The ibc keeper: the light client of each consumer (misbehaviour freezes it, as ibc-go). */
  readonly ibc: IbcKeeper;
}

const PHASE_LAUNCHED = "CONSUMER_PHASE_LAUNCHED";
const PHASE_STOPPED = "CONSUMER_PHASE_STOPPED";

// Evidence already handled: pev/<sha256 of the message's evidence bytes> -> 0x01. "pev/" is this file's
// own prefix, apart from the provider module's records.
const HANDLED_PREFIX = utf8("pev/");

function handledKey(hash: Uint8Array): Uint8Array {
  return concatBytes(HANDLED_PREFIX, hash);
}

// ---- punishment -----------------------------------------------------------------------------------

function isMatureFree(e: { completionTime: bigint; unbondingOnHoldRefCount: bigint }, now: bigint): boolean {
  return e.completionTime <= now && e.unbondingOnHoldRefCount === 0n;
}

/**
 * The reference's ComputePowerToSlash (ADR-013): the validator's last power plus, in power, every token
 * still unbonding from it or redelegated away from it (entries not yet matured), so a slash at
 * infraction height 0 reaches the stake that was bonded at the infraction.
 */
export async function powerToSlash(
  staking: EvidenceStaking,
  store: AppStore,
  operator: Uint8Array,
  now: bigint,
): Promise<bigint> {
  let tokens = 0n;
  for (const u of await staking.validatorUnbondingDelegations(store, operator)) {
    for (const e of u.entries) if (!isMatureFree(e, now)) tokens += e.initialBalance;
  }
  for (const r of await staking.redelegationsFromSrc(store, operator)) {
    for (const e of r.entries) if (!isMatureFree(e, now)) tokens += e.initialBalance;
  }
  return (await staking.lastValidatorPower(store, operator)) + tokens / POWER_REDUCTION;
}

/**
 * The reference's SlashValidator + JailAndTombstoneValidator for one provider validator: slash
 * `params.slashFraction` of its power to slash (infraction height 0, reason double_sign), jail it
 * unless jailed, jail it until block time + jail duration (at most the SDK's double-sign end time),
 * tombstone it when the parameters say so. Refuses (SdkError) an unknown, unbonded or tombstoned
 * validator before writing anything.
 */
export async function punishDoubleSign(
  ctx: ModuleContext,
  k: Pick<EvidenceKeepers, "staking" | "slashing">,
  providerConsAddr: Uint8Array,
  params: SlashJailParameters,
): Promise<void> {
  const store = ctx.store;
  const shown = k.slashing.consAddrString(providerConsAddr);
  const v = await k.staking.getValidatorByConsAddr(store, providerConsAddr);
  if (v === undefined) throw errNoValidatorForAddress(`provider consensus address: ${shown}`);
  if (v.status === "unbonded")
    throw errUndefined(`validator is unbonded. provider consensus address: ${shown}`);
  if (await k.slashing.isTombstoned(store, providerConsAddr)) {
    throw errValidatorTombstoned(`provider consensus address: ${shown}`);
  }
  let fraction: Dec;
  try {
    fraction = decFromString(params.slashFraction || "0", "slash_fraction");
  } catch (e) {
    throw errUndefined(`invalid double-sign slash fraction: ${errorMessage(e)}`);
  }
  const power = await powerToSlash(k.staking, store, v.operator, ctx.block.time);
  await k.slashing.slash(ctx, providerConsAddr, fraction, power, 0, "double_sign");
  if (!v.jailed) await k.slashing.jail(ctx, providerConsAddr);
  // The largest Duration is the reference's "forever": the SDK's double-sign jail end (year 9999).
  const end =
    params.jailDuration >= MAX_DURATION ? DOUBLE_SIGN_JAIL_END_TIME : ctx.block.time + params.jailDuration;
  await k.slashing.jailUntil(store, providerConsAddr, minBig(end, DOUBLE_SIGN_JAIL_END_TIME));
  if (params.tombstone) await k.slashing.tombstone(store, providerConsAddr);
}

// ---- handlers -------------------------------------------------------------------------------------

/** Decoded MsgSubmitConsumerDoubleVoting. */
export interface DoubleVotingSubmission {
  readonly submitter: string;
  readonly consumerId: string;
  readonly evidence: DuplicateVoteEvidence;
  readonly header: ClientHeader;
  /** sha256 of the evidence's protobuf bytes: the identity of this evidence. */
  readonly hash: Uint8Array;
}

/** Decoded MsgSubmitConsumerMisbehaviour. */
export interface MisbehaviourSubmission {
  readonly submitter: string;
  readonly consumerId: string;
  readonly clientId: string;
  readonly header1: ClientHeader;
  readonly header2: ClientHeader;
  readonly hash: Uint8Array;
}

async function launchedConsumer(
  store: AppStore,
  k: EvidenceKeepers,
  consumerId: string,
  err: (d: string) => SdkError,
): Promise<EvidenceConsumer & { clientId: string }> {
  const c = await k.consumers.consumer(store, consumerId);
  if (c === undefined) throw err(`cannot find consumer chain ${consumerId}`);
  if (c.phase !== PHASE_LAUNCHED && c.phase !== PHASE_STOPPED) {
    throw new SdkError(
      "provider",
      27,
      `consumer chain ${consumerId} is in phase ${c.phase}: cannot perform action in the current phase of consumer chain`,
    );
  }
  if (c.clientId === undefined || c.clientId === "") throw err(`consumer chain ${consumerId} has no client`);
  return { ...c, clientId: c.clientId };
}

/**
 * Verifies `header` against the provider's client of the consumer at block time `now` (clock drift not
 * checked: evidence headers are old). Throws `err` with the light client's reason.
 */
async function verifyAgainstClient(
  store: AppStore,
  clientId: string,
  header: ClientHeader,
  now: bigint,
  err: (d: string) => SdkError,
): Promise<void> {
  const cs = await getClientState(store, clientId);
  if (cs === undefined) throw err(`client ${clientId} does not exist`);
  const trusted = await getConsensusState(store, clientId, header.trustedHeight);
  if (trusted === undefined) {
    throw err(`client ${clientId} has no consensus state at the trusted height ${header.trustedHeight}`);
  }
  try {
    verifyClientHeader(cs, trusted, header, now, { checkClockDrift: false });
  } catch (e) {
    throw err(`infraction block header does not verify against client ${clientId}: ${errorMessage(e)}`);
  }
}

function refuseOld(
  consumer: EvidenceConsumer,
  headerTime: bigint,
  now: bigint,
  err: (d: string) => SdkError,
): void {
  // Stake that signed longer than an unbonding period ago may have left: such evidence is too old.
  if (headerTime + consumer.unbondingPeriod <= now) {
    throw err(
      `evidence is too old: infraction time ${headerTime} plus the consumer's unbonding period ` +
        `${consumer.unbondingPeriod}ns is not after the block time ${now}`,
    );
  }
}

async function refuseHandled(store: AppStore, hash: Uint8Array, err: (d: string) => SdkError): Promise<void> {
  if ((await store.get(handledKey(hash))) !== undefined) {
    throw err(`evidence ${toHexUpper(hash)} was already handled`);
  }
}

/**
 * MsgSubmitConsumerDoubleVoting: checks everything (consumer launched or stopped, header of the
 * consumer's chain at the votes' height verifying against the provider's client, not older than the
 * consumer's unbonding period, the voter in that header's set, the votes a real double vote signed over
 * the consumer chain id, the evidence not handled before), then punishes the provider validator behind
 * the voter's key. Throws an SdkError, having written nothing, when any check fails.
 */
export async function handleConsumerDoubleVoting(
  ctx: ModuleContext,
  k: EvidenceKeepers,
  m: DoubleVotingSubmission,
): Promise<void> {
  const store = ctx.store;
  const bad = errInvalidDoubleVotingEvidence;
  const consumer = await launchedConsumer(store, k, m.consumerId, bad);
  const h = m.header.signedHeader.header;
  if (h.chainId !== consumer.chainId) {
    throw bad(
      `infraction block header is for chain ${h.chainId}, not the consumer chain ${consumer.chainId}`,
    );
  }
  if (h.height !== m.evidence.voteA.height) {
    throw bad(`infraction block header is at height ${h.height}, the votes at ${m.evidence.voteA.height}`);
  }
  await refuseHandled(store, m.hash, bad);
  refuseOld(consumer, h.time, ctx.block.time, bad);
  await verifyAgainstClient(store, consumer.clientId, m.header, ctx.block.time, bad);
  const signer = m.header.validatorSet.validators.find((v) =>
    equalBytes(v.address, m.evidence.voteA.validatorAddress),
  );
  if (signer === undefined) {
    throw bad(
      `misbehaving validator ${toHexUpper(m.evidence.voteA.validatorAddress)} cannot be found in the infraction block header validator set`,
    );
  }
  verifyDoubleVote(consumer.chainId, m.evidence, signer.pubKey);
  const providerAddr = await k.consumers.providerConsAddr(store, m.consumerId, signer.address);
  await punishDoubleSign(ctx, k, providerAddr, consumer.doubleSign);
  store.set(handledKey(m.hash), Uint8Array.of(1));
  ctx.events.push(
    event("submit_consumer_double_voting", [
      ["module", "provider"],
      ["consumer_id", m.consumerId],
      ["consumer_chain_id", consumer.chainId],
      ["validator_address", k.slashing.consAddrString(providerAddr)],
      ["submitter", m.submitter],
    ]),
  );
}

/**
 * MsgSubmitConsumerMisbehaviour: two headers of the consumer at one height with different hashes, both
 * verifying against the provider's client of the consumer (which this freezes, as ibc-go's
 * MsgSubmitMisbehaviour; an already frozen client is only verified against), not older than the
 * consumer's unbonding period; then every validator that signed both blocks is punished. Validators that
 * cannot be punished (tombstoned already, unbonded, unknown) are skipped; when none can, it fails and
 * writes nothing.
 */
export async function handleConsumerMisbehaviour(
  ctx: ModuleContext,
  k: EvidenceKeepers,
  m: MisbehaviourSubmission,
): Promise<void> {
  const store = ctx.store;
  const consumer = await launchedConsumer(store, k, m.consumerId, errInvalidMsgSubmitConsumerMisbehaviour);
  const h1 = m.header1.signedHeader.header;
  const h2 = m.header2.signedHeader.header;
  if (h1.chainId !== consumer.chainId || h2.chainId !== consumer.chainId) {
    throw errUndefined(
      `incorrect misbehaviour for a different chain id (${h1.chainId}) than that of the consumer chain ${consumer.chainId} (consumerId: ${m.consumerId})`,
    );
  }
  if (m.clientId !== consumer.clientId) {
    throw errUndefined(
      `incorrect misbehaviour: expected client ID for consumer chain with id ${m.consumerId} is ${consumer.clientId} got ${m.clientId}`,
    );
  }
  if (h1.height !== h2.height) throw errInvalidMisbehaviour("headers are not at same height");
  if (equalBytes(headerHash(h1), headerHash(h2))) {
    throw errInvalidMisbehaviour(`both headers are the same block at height ${h1.height}`);
  }
  await refuseHandled(store, m.hash, errInvalidMisbehaviour);
  refuseOld(consumer, minBig(h1.time, h2.time), ctx.block.time, errInvalidDoubleVotingEvidence);
  const cs = await getClientState(store, consumer.clientId);
  if (cs === undefined) throw errInvalidMisbehaviour(`client ${consumer.clientId} does not exist`);
  if (cs.frozenHeight === 0n) {
    let kind: string;
    try {
      kind = (await k.ibc.submitMisbehaviour(ctx, consumer.clientId, m.header1, m.header2)).kind;
    } catch (e) {
      throw errInvalidMisbehaviour(
        `invalid misbehaviour for client-id ${consumer.clientId}: ${errorMessage(e)}`,
      );
    }
    if (kind !== MisbehaviourKind.DuplicateHeight)
      throw errInvalidMisbehaviour("headers are not at same height");
  } else {
    for (const h of [m.header1, m.header2]) {
      await verifyAgainstClient(store, consumer.clientId, h, ctx.block.time, errInvalidMisbehaviour);
    }
  }
  const byzantine = byzantineValidators(consumer.chainId, m.header1, m.header2);
  const punished: string[] = [];
  for (const v of byzantine) {
    const providerAddr = await k.consumers.providerConsAddr(store, m.consumerId, v.address);
    // Each validator on its own branch: one that cannot be punished leaves no partial writes.
    const branch = new CacheStore(store);
    const events: typeof ctx.events = [];
    try {
      await punishDoubleSign({ ...ctx, store: branch, events }, k, providerAddr, consumer.doubleSign);
    } catch {
      continue;
    }
    branch.write();
    ctx.events.push(...events);
    punished.push(k.slashing.consAddrString(providerAddr));
  }
  if (punished.length === 0) {
    throw errUndefined(
      `failed to slash, jail, or tombstone all validators: [${byzantine.map((v) => toHexUpper(v.address)).join(" ")}]`,
    );
  }
  store.set(handledKey(m.hash), Uint8Array.of(1));
  ctx.events.push(
    event("submit_consumer_misbehaviour", [
      ["module", "provider"],
      ["consumer_id", m.consumerId],
      ["consumer_chain_id", consumer.chainId],
      ["validator_addresses", punished.join(",")],
      ["submitter", m.submitter],
    ]),
  );
}

// ---- message routes -------------------------------------------------------------------------------

const CONSUMER_ID = /^(0|[1-9][0-9]{0,19})$/;

function basic<T>(err: (d: string) => SdkError, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof SdkError) throw e;
    throw err(errorMessage(e));
  }
}

function checkConsumerId(id: string, err: (d: string) => SdkError): void {
  if (!CONSUMER_ID.test(id)) throw err(`ConsumerId: invalid consumer id ${JSON.stringify(id)}`);
}

const response = (typeUrl: string): Any => ({ typeUrl: `${typeUrl}Response`, value: new Uint8Array() });

/**
 * The provider module's routes of MsgSubmitConsumerDoubleVoting and MsgSubmitConsumerMisbehaviour
 * (decode = the reference's ValidateBasic; handle = the handlers above). The submitter signs.
 */
export function evidenceMsgRoutes(k: EvidenceKeepers): MsgRoute[] {
  const doubleVoting: MsgRoute<DoubleVotingSubmission> = {
    typeUrl: MsgSubmitConsumerDoubleVotingCodec.typeUrl,
    module: "provider",
    decode(value, prefix) {
      const m = decodeProto(this.typeUrl, () => MsgSubmitConsumerDoubleVotingCodec.decode(value));
      const err = errInvalidMsgSubmitConsumerDoubleVoting;
      addressBytes(m.submitter, prefix, "submitter");
      checkConsumerId(m.consumerId, err);
      const evidence = basic(err, () => duplicateVoteEvidenceFromProto(m.duplicateVoteEvidence));
      const header = basic(err, () =>
        clientHeaderFromProto(m.infractionBlockHeader, "infraction_block_header"),
      );
      const bytes = ProtoDuplicateVoteEvidence.encode(m.duplicateVoteEvidence!).finish();
      return {
        signer: m.submitter,
        msg: { submitter: m.submitter, consumerId: m.consumerId, evidence, header, hash: sha256(bytes) },
      };
    },
    async handle(ctx, msg) {
      await handleConsumerDoubleVoting(ctx, k, msg);
      return response(this.typeUrl);
    },
  };
  const misbehaviour: MsgRoute<MisbehaviourSubmission> = {
    typeUrl: MsgSubmitConsumerMisbehaviourCodec.typeUrl,
    module: "provider",
    decode(value, prefix) {
      const m = decodeProto(this.typeUrl, () => MsgSubmitConsumerMisbehaviourCodec.decode(value));
      const err = errInvalidMsgSubmitConsumerMisbehaviour;
      addressBytes(m.submitter, prefix, "submitter");
      checkConsumerId(m.consumerId, err);
      const mb = m.misbehaviour;
      if (mb === undefined) throw err("Misbehaviour: missing");
      const header1 = basic(err, () => clientHeaderFromProto(mb.header1, "header_1"));
      const header2 = basic(err, () => clientHeaderFromProto(mb.header2, "header_2"));
      const hash = sha256(ProtoMisbehaviour.encode(mb).finish());
      return {
        signer: m.submitter,
        msg: {
          submitter: m.submitter,
          consumerId: m.consumerId,
          clientId: mb.clientId,
          header1,
          header2,
          hash,
        },
      };
    },
    async handle(ctx, msg) {
      await handleConsumerMisbehaviour(ctx, k, msg);
      return response(this.typeUrl);
    },
  };
  return [msgRoute(doubleVoting), msgRoute(misbehaviour)];
}

const DEFAULT_CONSUMER_UNBONDING = 20n * 24n * 3600n * NS;

/**
 * The EvidenceKeepers of the provider module: consumers read from the ProviderKeeper's records (phase,
 * client, unbonding period, resolved double-sign parameters) and key assignment; `staking` is the
 * staking keeper (StakingKeeperImpl: the provider keeper's StakingKeeper interface lacks the unbonding
 * and redelegation scans ADR-013 needs).
 */
export function evidenceKeepersOf(p: ProviderKeeper, staking: EvidenceStaking): EvidenceKeepers {
  const consumers: EvidenceConsumers = {
    async consumer(store, consumerId) {
      const r = await p.getConsumer(store, consumerId);
      if (r === undefined) return undefined;
      return {
        chainId: r.chainId,
        phase: r.phase,
        clientId: r.clientId,
        unbondingPeriod: r.init?.unbondingPeriod || DEFAULT_CONSUMER_UNBONDING,
        doubleSign: r.infraction.doubleSign,
      };
    },
    providerConsAddr: (store, consumerId, addr) => p.providerAddrOf(store, BigInt(consumerId), addr),
  };
  return {
    consumers,
    staking,
    slashing: p.slashing,
    get ibc() {
      return p.ibc;
    },
  };
}
