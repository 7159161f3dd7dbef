/**
 * Consumer double-vote evidence, carried to the provider: a consumer's consensus commits each
 * DuplicateVoteEvidence into a block (RPC `block`, amino-JSON `tendermint/DuplicateVoteEvidence`); the
 * relayer reads new consumer blocks, and for each evidence not yet handled submits
 * MsgSubmitConsumerDoubleVoting with the consumer's header at the infraction height, verifiable from a
 * height the provider's client of the consumer trusts. Nothing here is trusted by the provider: it
 * verifies the votes' signatures and the header against its light client.
 */
import type { EncodeObject } from "@cosmjs/proto-signing";
import { DuplicateVoteEvidence as DuplicateVoteEvidenceProto } from "cosmjs-types/tendermint/types/evidence";
import type { DuplicateVoteEvidence, Vote } from "../consensus/index.ts";
import { VoteType } from "../consensus/index.ts";
import { sha256 } from "../crypto/index.ts";
import type { ClientHeader } from "../ibc/index.ts";
import { MsgSubmitConsumerDoubleVotingCodec } from "../provider/ccv/codec.ts";
import { clientHeaderToProto, duplicateVoteEvidenceToProto } from "../provider/ccv/evidence.ts";
import {
  errorMessage,
  fromBase64,
  fromHex,
  IcsdError,
  type Logger,
  parseRfc3339Nano,
  toHex,
} from "../utils/index.ts";
import type { ChainQueries, RpcCaller } from "./chainQueries.ts";
import type { TxSender } from "./txSender.ts";

function bad(message: string): never {
  throw new IcsdError("RELAYER_EVIDENCE", `block evidence: ${message}`);
}

function obj(v: unknown, what: string): Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v)) bad(`${what} must be an object`);
  return v as Record<string, unknown>;
}

function blockIdHash(raw: unknown, what: string): string {
  const hash = obj(raw, `${what}.block_id`).hash;
  if (typeof hash !== "string") bad(`${what}.block_id.hash must be a hex string`);
  return hash;
}

function voteJson(raw: unknown, what: string): Vote {
  const v = obj(raw, what);
  const s = (k: string): string => {
    if (typeof v[k] !== "string") bad(`${what}.${k} must be a string`);
    return v[k] as string;
  };
  const n = (k: string): number => {
    if (typeof v[k] !== "number" || !Number.isInteger(v[k]) || (v[k] as number) < 0) {
      bad(`${what}.${k} must be a non-negative integer`);
    }
    return v[k] as number;
  };
  const type = n("type");
  if (type !== VoteType.Prevote && type !== VoteType.Precommit) bad(`${what}.type must be 1 or 2`);
  if (!/^\d{1,15}$/.test(s("height"))) bad(`${what}.height must be a decimal string`);
  try {
    return {
      type,
      height: Number(s("height")),
      round: n("round"),
      blockHash: fromHex(blockIdHash(v.block_id, what)),
      timestamp: parseRfc3339Nano(s("timestamp")),
      validatorAddress: fromHex(s("validator_address")),
      validatorIndex: n("validator_index"),
      signature: fromBase64(s("signature")),
    };
  } catch (e) {
    if (e instanceof IcsdError) throw e;
    return bad(`${what}: ${errorMessage(e)}`);
  }
}

/**
 * The duplicate-vote evidence of a `block` RPC result (icsd's node/rpcJson.ts evidenceJson shape),
 * checked field by field. Other evidence types are skipped.
 */
export function decodeBlockEvidence(blockResult: unknown): DuplicateVoteEvidence[] {
  const block = obj(obj(blockResult, "result").block, "result.block");
  const list = (obj(block.evidence ?? { evidence: [] }, "block.evidence").evidence ?? []) as unknown;
  if (!Array.isArray(list)) bad("block.evidence.evidence must be a list");
  const out: DuplicateVoteEvidence[] = [];
  list.forEach((raw, i) => {
    const e = obj(raw, `evidence[${i}]`);
    if (e.type !== "tendermint/DuplicateVoteEvidence") return;
    const v = obj(e.value, `evidence[${i}].value`);
    const int = (k: string) =>
      typeof v[k] === "string" && /^\d+$/.test(v[k] as string) ? BigInt(v[k] as string) : 0n;
    const voteA = voteJson(v.vote_a, `evidence[${i}].vote_a`);
    out.push({
      voteA,
      voteB: voteJson(v.vote_b, `evidence[${i}].vote_b`),
      totalVotingPower: int("TotalVotingPower"),
      validatorPower: int("ValidatorPower"),
      timestamp: typeof v.Timestamp === "string" ? parseRfc3339Nano(v.Timestamp) : voteA.timestamp,
    });
  });
  return out;
}

/** The identity of a piece of evidence: hex sha256 of its CometBFT protobuf (what the provider dedupes by). */
export function evidenceHash(ev: DuplicateVoteEvidence): string {
  return toHex(sha256(DuplicateVoteEvidenceProto.encode(duplicateVoteEvidenceToProto(ev)).finish()));
}

/**
 * The consumer header at the evidence's height, verifiable by the provider's client from
 * `trustedHeight` (< the infraction height): the light block there, with the validator set of
 * trustedHeight + 1 as the trusted validators (ICS-07).
 */
export async function infractionHeader(
  consumer: ChainQueries,
  ev: DuplicateVoteEvidence,
  trustedHeight: bigint,
): Promise<ClientHeader> {
  const height = BigInt(ev.voteA.height);
  if (trustedHeight >= height) {
    throw new IcsdError(
      "RELAYER_EVIDENCE",
      `trusted height ${trustedHeight} is not below the infraction height ${height}`,
    );
  }
  const target = await consumer.lightBlock(height);
  const trustedNext = await consumer.lightBlock(trustedHeight + 1n);
  return {
    signedHeader: target.signedHeader,
    validatorSet: target.validatorSet,
    trustedHeight,
    trustedValidators: trustedNext.validatorSet,
  };
}

/** MsgSubmitConsumerDoubleVoting, as a CosmJS EncodeObject (register generatedType of the codec). */
export function doubleVotingMsg(
  consumerId: string,
  ev: DuplicateVoteEvidence,
  header: ClientHeader,
  submitter: string,
): EncodeObject {
  return {
    typeUrl: MsgSubmitConsumerDoubleVotingCodec.typeUrl,
    value: MsgSubmitConsumerDoubleVotingCodec.fromPartial({
      submitter,
      duplicateVoteEvidence: duplicateVoteEvidenceToProto(ev),
      infractionBlockHeader: clientHeaderToProto(header),
      consumerId,
    }),
  };
}

/**
 * A height below `height` at which the provider's client of the consumer holds a consensus state: the
 * client's latest height when it is lower, else the first stored height found scanning down (at most
 * `maxScan` heights). Undefined when none is found.
 */
export async function trustedHeightBelow(
  provider: ChainQueries,
  clientId: string,
  height: bigint,
  maxScan = 64,
): Promise<bigint | undefined> {
  const latest = (await provider.clientState(clientId)).latestHeight;
  if (latest < height) return latest;
  for (let h = height - 1n; h > 0n && h >= height - BigInt(maxScan); h--) {
    if (await provider.hasConsensusState(clientId, h)) return h;
  }
  return undefined;
}

/** Outcome of a provider refusal that means the evidence needs no further submission. */
export function isSettledRefusal(log: string): boolean {
  return /tombstoned|already handled/i.test(log);
}

/** Where an EvidenceSubmitter reads and writes. */
export interface EvidenceSubmitterOptions {
  /** The consumer's RPC (for `block`). */
  readonly consumerRpc: RpcCaller;
  readonly consumer: ChainQueries;
  readonly provider: ChainQueries;
  /** Signs on the provider. */
  readonly providerTx: TxSender;
  readonly consumerId: string;
  /** The provider's client of the consumer. */
  readonly clientId: string;
  readonly logger: Logger;
  /** First consumer height to scan (default 1). */
  readonly fromHeight?: bigint;
  /** Blocks read per round at most (default 100). */
  readonly maxBlocksPerRound?: number;
}

/** What one round did. */
export interface EvidenceRound {
  readonly scannedTo: bigint;
  readonly submitted: number;
  readonly failed: number;
}

/**
 * Submits each consumer double vote once: `round()` scans the consumer blocks not yet scanned (up to the
 * latest, at most maxBlocksPerRound), and submits every new evidence; a submission the provider accepts,
 * or refuses because it is settled (tombstoned, already handled), is not retried; any other failure is
 * retried next round. Evidence is deduplicated by hash across rounds.
 */
export class EvidenceSubmitter {
  private readonly o: EvidenceSubmitterOptions;
  private next: bigint;
  private readonly done = new Set<string>();
  private readonly pending = new Map<string, DuplicateVoteEvidence>();

  constructor(o: EvidenceSubmitterOptions) {
    this.o = o;
    this.next = o.fromHeight ?? 1n;
  }

  /** Evidence hashes settled so far. */
  settled(): string[] {
    return [...this.done].sort();
  }

  async round(): Promise<EvidenceRound> {
    const latest = (await this.o.consumer.lightBlock()).height;
    const last = BigInt(this.o.maxBlocksPerRound ?? 100) + this.next - 1n;
    const to = latest < last ? latest : last;
    for (let h = this.next; h <= to; h++) {
      const block = await this.o.consumerRpc("block", { height: String(h) });
      for (const ev of decodeBlockEvidence(block)) {
        const hash = evidenceHash(ev);
        if (!this.done.has(hash)) this.pending.set(hash, ev);
      }
      this.next = h + 1n;
    }
    let submitted = 0;
    let failed = 0;
    for (const [hash, ev] of [...this.pending.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      try {
        const trusted = await trustedHeightBelow(this.o.provider, this.o.clientId, BigInt(ev.voteA.height));
        if (trusted === undefined) throw new Error(`no trusted height below ${ev.voteA.height}`);
        const header = await infractionHeader(this.o.consumer, ev, trusted);
        const submitter = await this.o.providerTx.address();
        const out = await this.o.providerTx.submit(
          [doubleVotingMsg(this.o.consumerId, ev, header, submitter)],
          "",
        );
        if (out.ok || isSettledRefusal(out.log)) {
          this.pending.delete(hash);
          this.done.add(hash);
          if (out.ok) submitted++;
          this.o.logger.info(
            { hash, height: ev.voteA.height, ok: out.ok, log: out.log },
            "double vote evidence settled",
          );
        } else {
          failed++;
          this.o.logger.warn(
            { hash, code: out.code, log: out.log },
            "double vote evidence refused; will retry",
          );
        }
      } catch (e) {
        failed++;
        this.o.logger.warn({ hash, err: errorMessage(e) }, "double vote evidence not submitted; will retry");
      }
    }
    return { scannedTo: this.next - 1n, submitted, failed };
  }
}
