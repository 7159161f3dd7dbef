import { toBech32 } from "@cosmjs/encoding";
import type { EncodeObject, GeneratedType } from "@cosmjs/proto-signing";
import type { DeliverTxResponse } from "@cosmjs/stargate";
import type { Command } from "commander";
import type { Timestamp } from "cosmjs-types/google/protobuf/timestamp";
import type {
  Header as IbcHeader,
  Misbehaviour,
} from "cosmjs-types/ibc/lightclients/tendermint/v1/tendermint";
import type { DuplicateVoteEvidence } from "cosmjs-types/tendermint/types/evidence";
import type { BlockID, Vote as CometVote, SignedHeader } from "cosmjs-types/tendermint/types/types";
import type { ValidatorSet as CometValidatorSet } from "cosmjs-types/tendermint/types/validator";
import type { ValidatorSet } from "../consensus/index.ts";
import { type ClientConfig, ED25519_PUBKEY_TYPE, valoperAddress } from "../node/index.ts";
import { decodeCommit, decodeHeader, decodeValidatorSet } from "../proto/index.ts";
import {
  createConsumerFromJson,
  generatedType,
  MsgAssignConsumerKeyCodec,
  type MsgCodec,
  MsgCreateConsumerCodec,
  MsgCreateConsumerResponseCodec,
  MsgOptInCodec,
  MsgOptOutCodec,
  MsgRemoveConsumerCodec,
  MsgSetConsumerCommissionRateCodec,
  MsgSubmitConsumerDoubleVotingCodec,
  MsgSubmitConsumerMisbehaviourCodec,
  MsgUpdateConsumerCodec,
  updateConsumerFromJson,
} from "../provider/index.ts";
import { errorMessage, fromBase64, fromHex, IcsdError, parseRfc3339Nano, toBase64 } from "../utils/index.ts";
import { withExample } from "./common.ts";
import { readJsonFile } from "./genesis.ts";
import { outputFormat } from "./keys.ts";
import { parseConsumerId } from "./queryProvider.ts";
import { type FromTxFlags, fromTxCommand, signAndBroadcast } from "./tx.ts";
import { parseConsensusPubKey } from "./txStaking.ts";

type Json = Record<string, unknown>;

/** The CosmJS registry entry of a provider message codec. */
function reg<T>(codec: MsgCodec<T>): readonly [string, GeneratedType] {
  return [codec.typeUrl, generatedType(codec) as unknown as GeneratedType];
}

function msg<T>(codec: MsgCodec<T>, value: T): EncodeObject {
  return { typeUrl: codec.typeUrl, value };
}

function invalid(what: string, e: unknown): IcsdError {
  return new IcsdError("INVALID_ARGUMENT", `${what}: ${errorMessage(e)}`);
}

/**
 * A consumer consensus key as the provider messages carry it: the reference's JSON string
 * `{"@type":"/cosmos.crypto.ed25519.PubKey","key":"<base64>"}`, from that JSON, CometBFT's
 * `{"type":"tendermint/PubKeyEd25519","value":"<base64>"}` or bare base64. INVALID_PUBKEY otherwise.
 */
export function parseConsumerKey(text: string, what = "consumer-pubkey"): string {
  let key: Uint8Array;
  try {
    key = parseConsensusPubKey(text);
  } catch (e) {
    throw new IcsdError("INVALID_PUBKEY", errorMessage(e).replace("--pubkey", what));
  }
  return JSON.stringify({ "@type": ED25519_PUBKEY_TYPE, key: toBase64(key) });
}

/** A commission rate: a decimal in [0, 1] with at most 18 places ("0.05"); INVALID_ARGUMENT otherwise. */
export function parseCommissionRate(text: string): string {
  const m = /^(\d+)(?:\.(\d{1,18}))?$/.exec(text);
  const ok = m !== null && (BigInt(m[1]!) === 0n || (BigInt(m[1]!) === 1n && /^0*$/.test(m[2] ?? "")));
  if (!ok)
    throw new IcsdError(
      "INVALID_ARGUMENT",
      `commission-rate must be a decimal between 0 and 1 such as 0.05, got ${JSON.stringify(text)}`,
    );
  return text;
}

/** The consumer id a MsgCreateConsumer created: its response, else a `consumer_id` event attribute. */
export function consumerIdFromResult(
  r: Pick<DeliverTxResponse, "events"> & {
    readonly msgResponses: readonly { readonly typeUrl: string; readonly value: Uint8Array }[];
  },
): string | undefined {
  for (const m of r.msgResponses) {
    if (m.typeUrl === `${MsgCreateConsumerCodec.typeUrl}Response`) {
      try {
        const id = MsgCreateConsumerResponseCodec.decode(m.value).consumerId;
        if (id !== "") return id;
      } catch {
        // fall back to the events
      }
    }
  }
  for (const e of r.events) for (const a of e.attributes) if (a.key === "consumer_id") return a.value;
  return undefined;
}

// ---- double voting and misbehaviour files ----------------------------------------------------------

const NS = 1_000_000_000n;

function timestampOf(ns: bigint): Timestamp {
  let seconds = ns / NS;
  let nanos = ns % NS;
  if (nanos < 0n) {
    nanos += NS;
    seconds -= 1n;
  }
  return { seconds, nanos: Number(nanos) };
}

function blockId(hash: Uint8Array): BlockID {
  return { hash, partSetHeader: { total: 0, hash: new Uint8Array() } };
}

function field(o: Json, name: string, what: string): unknown {
  if (o[name] === undefined) throw new IcsdError("INVALID_ARGUMENT", `${what}: missing ${name}`);
  return o[name];
}

function str(o: Json, name: string, what: string): string {
  const v = field(o, name, what);
  if (typeof v !== "string") throw new IcsdError("INVALID_ARGUMENT", `${what}: ${name} must be a string`);
  return v;
}

function objOf(v: unknown, what: string): Json {
  if (typeof v !== "object" || v === null || Array.isArray(v))
    throw new IcsdError("INVALID_ARGUMENT", `${what} must be a JSON object`);
  return v as Json;
}

/** A vote as icsd's RPC prints it (CometBFT JSON: type number, height string, hex hashes, base64 signature). */
function voteFromJson(raw: unknown, what: string): CometVote {
  const v = objOf(raw, what);
  const type = field(v, "type", what);
  if (type !== 1 && type !== 2) throw new IcsdError("INVALID_ARGUMENT", `${what}: type must be 1 or 2`);
  const height = str(v, "height", what);
  if (!/^\d{1,19}$/.test(height)) throw new IcsdError("INVALID_ARGUMENT", `${what}: height must be digits`);
  const round = field(v, "round", what);
  if (typeof round !== "number" || !Number.isInteger(round) || round < 0)
    throw new IcsdError("INVALID_ARGUMENT", `${what}: round must be a non-negative integer`);
  const index = field(v, "validator_index", what);
  if (typeof index !== "number" || !Number.isInteger(index) || index < 0)
    throw new IcsdError("INVALID_ARGUMENT", `${what}: validator_index must be a non-negative integer`);
  const id = objOf(field(v, "block_id", what), `${what}.block_id`);
  const bytes = (f: () => Uint8Array, name: string) => {
    try {
      return f();
    } catch (e) {
      throw invalid(`${what}: ${name}`, e);
    }
  };
  return {
    type,
    height: BigInt(height),
    round,
    blockId: blockId(bytes(() => fromHex(str(id, "hash", `${what}.block_id`)), "block_id.hash")),
    timestamp: timestampOf(parseTime(str(v, "timestamp", what), what)),
    validatorAddress: bytes(() => fromHex(str(v, "validator_address", what)), "validator_address"),
    validatorIndex: index,
    signature: bytes(() => fromBase64(str(v, "signature", what)), "signature"),
    extension: new Uint8Array(),
    extensionSignature: new Uint8Array(),
  };
}

function parseTime(text: string, what: string): bigint {
  try {
    return parseRfc3339Nano(text);
  } catch (e) {
    throw invalid(`${what}: timestamp`, e);
  }
}

function validatorSetOf(set: ValidatorSet): CometValidatorSet {
  const validators = set.validators.map((v) => ({
    address: v.address,
    pubKey: { ed25519: v.pubKey },
    votingPower: v.votingPower,
    proposerPriority: v.proposerPriority,
  }));
  return {
    validators,
    totalVotingPower: set.validators.reduce((s, v) => s + v.votingPower, 0n),
  } as CometValidatorSet;
}

function decodeB64<T>(o: Json, name: string, what: string, decode: (b: Uint8Array) => T): T {
  try {
    return decode(fromBase64(str(o, name, what)));
  } catch (e) {
    if (e instanceof IcsdError && e.code === "INVALID_ARGUMENT") throw e;
    throw invalid(`${what}: ${name}`, e);
  }
}

/**
 * An ibc-go Tendermint Header from a light block as icsd's RPC `light_block` route returns it
 * ({height, header, commit, validator_set}: base64 of icsd's proto encodings), optionally with
 * `trusted_height` and `trusted_validator_set` (same encoding; default: height 0 and the block's own set).
 * icsd block ids have no part sets: a block id is its hash with an empty part-set header.
 */
export function ibcHeaderFromLightBlock(raw: unknown, what = "header file"): IbcHeader {
  const o = objOf(raw, what);
  const header = decodeB64(o, "header", what, decodeHeader);
  const commit = decodeB64(o, "commit", what, decodeCommit);
  const vals = decodeB64(o, "validator_set", what, decodeValidatorSet);
  const trustedVals =
    o.trusted_validator_set === undefined
      ? vals
      : decodeB64(o, "trusted_validator_set", what, decodeValidatorSet);
  const th = o.trusted_height === undefined ? "0" : str(o, "trusted_height", what);
  if (!/^\d{1,19}$/.test(th))
    throw new IcsdError("INVALID_ARGUMENT", `${what}: trusted_height must be digits`);
  const signedHeader: SignedHeader = {
    header: {
      version: { block: 11n, app: 0n },
      chainId: header.chainId,
      height: BigInt(header.height),
      time: timestampOf(header.time),
      lastBlockId: blockId(header.lastBlockHash),
      lastCommitHash: header.lastCommitHash,
      dataHash: header.dataHash,
      validatorsHash: header.validatorsHash,
      nextValidatorsHash: header.nextValidatorsHash,
      consensusHash: header.consensusHash,
      appHash: header.appHash,
      lastResultsHash: header.lastResultsHash,
      evidenceHash: header.evidenceHash,
      proposerAddress: header.proposerAddress,
    },
    commit: {
      height: BigInt(commit.height),
      round: commit.round,
      blockId: blockId(commit.blockHash),
      signatures: commit.signatures.map((s) => ({
        blockIdFlag: s.flag,
        validatorAddress: s.validatorAddress,
        timestamp: timestampOf(s.timestamp),
        signature: s.signature,
      })),
    },
  };
  return {
    signedHeader,
    validatorSet: validatorSetOf(vals),
    trustedHeight: { revisionNumber: 0n, revisionHeight: BigInt(th) },
    trustedValidators: validatorSetOf(trustedVals),
  };
}

/**
 * The two files of `submit-consumer-double-voting`, parsed: the evidence file is JSON `{vote_a, vote_b}`
 * of CometBFT votes as icsd's RPC prints them (the `value` of a `block`'s DuplicateVoteEvidence, whose
 * envelope `{type, value}` is accepted too, as are its TotalVotingPower/ValidatorPower/Timestamp); the
 * header file is the consumer's `light_block` at the infraction height (see ibcHeaderFromLightBlock).
 * PROVISIONAL: the lead documents the final formats; only this function changes with them.
 */
export function parseDoubleVotingFiles(
  evidenceJson: unknown,
  headerJson: unknown,
): { duplicateVoteEvidence: DuplicateVoteEvidence; infractionBlockHeader: IbcHeader } {
  let ev = objOf(evidenceJson, "evidence file");
  if (ev.vote_a === undefined && typeof ev.value === "object") ev = objOf(ev.value, "evidence file value");
  const voteA = voteFromJson(field(ev, "vote_a", "evidence file"), "evidence file vote_a");
  const voteB = voteFromJson(field(ev, "vote_b", "evidence file"), "evidence file vote_b");
  const int = (name: string): bigint => {
    const v = ev[name];
    if (v === undefined) return 0n;
    if (typeof v !== "string" || !/^\d{1,19}$/.test(v))
      throw new IcsdError("INVALID_ARGUMENT", `evidence file: ${name} must be an integer string`);
    return BigInt(v);
  };
  const ts =
    typeof ev.Timestamp === "string" ? parseTime(ev.Timestamp, "evidence file Timestamp") : undefined;
  return {
    duplicateVoteEvidence: {
      voteA,
      voteB,
      totalVotingPower: int("TotalVotingPower"),
      validatorPower: int("ValidatorPower"),
      timestamp: ts === undefined ? voteA.timestamp : timestampOf(ts),
    },
    infractionBlockHeader: ibcHeaderFromLightBlock(headerJson),
  };
}

/**
 * The file of `submit-consumer-misbehaviour`: JSON `{client_id?, header_1, header_2}`, each header a
 * consumer light block (see ibcHeaderFromLightBlock) of the same height with different contents.
 * PROVISIONAL, like parseDoubleVotingFiles.
 */
export function parseMisbehaviourFile(json: unknown): Misbehaviour {
  const o = objOf(json, "misbehaviour file");
  const clientId = o.client_id === undefined ? "" : str(o, "client_id", "misbehaviour file");
  return {
    clientId,
    header1: ibcHeaderFromLightBlock(field(o, "header_1", "misbehaviour file"), "misbehaviour file header_1"),
    header2: ibcHeaderFromLightBlock(field(o, "header_2", "misbehaviour file"), "misbehaviour file header_2"),
  };
}

// ---- commands -------------------------------------------------------------------------------------

/** A placeholder signer address: builds every message once before the keyring or node is touched. */
function dryAddress(cfg: ClientConfig): string {
  return toBech32(cfg.bech32Prefix, new Uint8Array(20));
}

function fromJsonFile<T>(file: string, what: string, build: (json: unknown) => T): T {
  const json = readJsonFile(file, what);
  try {
    return build(json);
  } catch (e) {
    if (e instanceof IcsdError) throw e;
    throw invalid(`${what} ${file}`, e);
  }
}

async function broadcast(
  opts: FromTxFlags,
  cfg: ClientConfig,
  build: (address: string) => { msgs: EncodeObject[]; summary: string[] },
  types: readonly (readonly [string, GeneratedType])[],
): Promise<DeliverTxResponse | undefined> {
  build(dryAddress(cfg));
  return signAndBroadcast(opts, cfg, opts.from, build, types);
}

function registerOwnerCommands(provider: Command): void {
  const create = fromTxCommand(
    provider,
    "create-consumer",
    "Create a consumer chain from a JSON file (the signer becomes its owner) and print its consumer id",
    async ([file], opts, cfg) => {
      const parse = (address: string) =>
        fromJsonFile(file!, "create-consumer file", (j) => createConsumerFromJson(address, j));
      const first = parse(dryAddress(cfg));
      // The reference CLI requires both (its ValidateBasic): say so before signing anything.
      if (first.chainId === "")
        throw new IcsdError("INVALID_ARGUMENT", `create-consumer file ${file}: chain_id is required`);
      if (first.metadata.name === "")
        throw new IcsdError("INVALID_ARGUMENT", `create-consumer file ${file}: metadata.name is required`);
      const r = await broadcast(
        opts,
        cfg,
        (address) => ({
          msgs: [msg(MsgCreateConsumerCodec, parse(address))],
          summary: [`create consumer: ${first.chainId} (${first.metadata.name})`],
        }),
        [reg(MsgCreateConsumerCodec)],
      );
      const id = r ? consumerIdFromResult(r) : undefined;
      if (id !== undefined) {
        // stdout stays one JSON document with --output json.
        if (outputFormat(opts, cfg) === "json") process.stderr.write(`consumer_id: ${id}\n`);
        else process.stdout.write(`consumer_id: ${id}\n`);
      }
    },
  );
  create.argument("<file>", "the consumer's parameters, JSON (see docs/ics-cli.md)");
  withExample(create, "icsd tx provider create-consumer consumer.json --from alice --gas auto --yes");
  create.addHelpText(
    "after",
    `
The file (as the reference's; chain_id and metadata are required, the rest optional):
  {
    "chain_id": "consumer-1",
    "metadata": {"name": "consumer", "description": "a consumer chain", "metadata": "{}"},
    "initialization_parameters": {
      "spawn_time": "2025-01-01T00:00:00Z", "unbonding_period": "1728000s",
      "ccv_timeout_period": "2419200s", "transfer_timeout_period": "3600s",
      "consumer_redistribution_fraction": "0.75", "blocks_per_distribution_transmission": "1000",
      "historical_entries": "10000", "signed_blocks_window": "100", "min_signed_per_window": "0.5",
      "downtime_jail_duration": "600s"
    },
    "power_shaping_parameters": {"top_N": 0, "validators_power_cap": 0, "validator_set_cap": 0,
      "allowlist": [], "denylist": [], "min_stake": "0", "allow_inactive_vals": false, "prioritylist": []},
    "infraction_parameters": {...}, "allowlisted_reward_denoms": {"denoms": []}
  }`,
  );

  const update = fromTxCommand(
    provider,
    "update-consumer",
    "Update a consumer chain's owner, metadata or parameters from a JSON file (owner only)",
    async ([file], opts, cfg) => {
      const parse = (address: string) =>
        fromJsonFile(file!, "update-consumer file", (j) => updateConsumerFromJson(address, j));
      const first = parse(dryAddress(cfg));
      if (first.consumerId === "")
        throw new IcsdError("INVALID_ARGUMENT", `update-consumer file ${file}: consumer_id is required`);
      parseConsumerId(first.consumerId);
      await broadcast(
        opts,
        cfg,
        (address) => ({
          msgs: [msg(MsgUpdateConsumerCodec, parse(address))],
          summary: [`update consumer: ${first.consumerId}`],
        }),
        [reg(MsgUpdateConsumerCodec)],
      );
    },
  );
  update.argument("<file>", 'JSON with "consumer_id" and the parts to change (see docs/ics-cli.md)');
  withExample(update, "icsd tx provider update-consumer update.json --from alice --yes");

  const remove = fromTxCommand(
    provider,
    "remove-consumer",
    "Stop and remove a consumer chain (owner only)",
    async ([id], opts, cfg) => {
      const consumerId = parseConsumerId(id!);
      await broadcast(
        opts,
        cfg,
        (owner) => ({
          msgs: [msg(MsgRemoveConsumerCodec, { consumerId, owner })],
          summary: [`remove consumer: ${consumerId}`],
        }),
        [reg(MsgRemoveConsumerCodec)],
      );
    },
  );
  remove.argument("<consumer-id>", "the consumer id");
  withExample(remove, "icsd tx provider remove-consumer 0 --from alice --yes");
}

function registerValidatorCommands(provider: Command): void {
  const optIn = fromTxCommand(
    provider,
    "opt-in",
    "Opt the --from key's validator in to validate a consumer chain (optionally with a consumer key)",
    async ([id, key], opts, cfg) => {
      const consumerId = parseConsumerId(id!);
      const consumerKey = key === "" ? "" : parseConsumerKey(key!);
      await broadcast(
        opts,
        cfg,
        (signer) => ({
          msgs: [
            msg(MsgOptInCodec, {
              chainId: "",
              providerAddr: valoperAddress(signer),
              consumerKey,
              signer,
              consumerId,
            }),
          ],
          summary: [
            `opt in: ${valoperAddress(signer)} to consumer ${consumerId}`,
            ...(consumerKey ? [`consumer key: ${consumerKey}`] : []),
          ],
        }),
        [reg(MsgOptInCodec)],
      );
    },
  );
  optIn
    .argument("<consumer-id>", "the consumer id")
    .argument(
      "[consumer-pubkey]",
      'the consumer consensus key: {"@type":"/cosmos.crypto.ed25519.PubKey","key":"..."}',
    );
  withExample(
    optIn,
    "icsd tx provider opt-in 0 --from alice --yes",
    `icsd tx provider opt-in 0 '{"@type":"/cosmos.crypto.ed25519.PubKey","key":"A6DoBUypNtUAyEHWtQ9bFjfNg8Bo9CrnkUGl6k6OHN4="}' --from alice --yes`,
  );

  const optOut = fromTxCommand(
    provider,
    "opt-out",
    "Opt the --from key's validator out of a consumer chain",
    async ([id], opts, cfg) => {
      const consumerId = parseConsumerId(id!);
      await broadcast(
        opts,
        cfg,
        (signer) => ({
          msgs: [
            msg(MsgOptOutCodec, { chainId: "", providerAddr: valoperAddress(signer), signer, consumerId }),
          ],
          summary: [`opt out: ${valoperAddress(signer)} from consumer ${consumerId}`],
        }),
        [reg(MsgOptOutCodec)],
      );
    },
  );
  optOut.argument("<consumer-id>", "the consumer id");
  withExample(optOut, "icsd tx provider opt-out 0 --from alice --yes");

  const assign = fromTxCommand(
    provider,
    "assign-consensus-key",
    "Assign the consensus key the --from key's validator uses on a consumer chain",
    async ([id, key], opts, cfg) => {
      const consumerId = parseConsumerId(id!);
      const consumerKey = parseConsumerKey(key!);
      await broadcast(
        opts,
        cfg,
        (signer) => ({
          msgs: [
            msg(MsgAssignConsumerKeyCodec, {
              chainId: "",
              providerAddr: valoperAddress(signer),
              consumerKey,
              signer,
              consumerId,
            }),
          ],
          summary: [
            `assign consumer key: ${consumerKey} to ${valoperAddress(signer)} on consumer ${consumerId}`,
          ],
        }),
        [reg(MsgAssignConsumerKeyCodec)],
      );
    },
  );
  assign
    .argument("<consumer-id>", "the consumer id")
    .argument(
      "<consumer-pubkey>",
      'the key: {"@type":"/cosmos.crypto.ed25519.PubKey","key":"..."} (as `icsd init` prints)',
    );
  withExample(
    assign,
    `icsd tx provider assign-consensus-key 0 '{"@type":"/cosmos.crypto.ed25519.PubKey","key":"A6DoBUypNtUAyEHWtQ9bFjfNg8Bo9CrnkUGl6k6OHN4="}' --from alice --yes`,
  );

  const rate = fromTxCommand(
    provider,
    "set-consumer-commission-rate",
    "Set the commission rate the --from key's validator charges on a consumer chain's rewards",
    async ([id, r], opts, cfg) => {
      const consumerId = parseConsumerId(id!);
      const value = parseCommissionRate(r!);
      await broadcast(
        opts,
        cfg,
        (signer) => ({
          msgs: [
            msg(MsgSetConsumerCommissionRateCodec, {
              providerAddr: valoperAddress(signer),
              chainId: "",
              rate: value,
              signer,
              consumerId,
            }),
          ],
          summary: [`consumer ${consumerId} commission rate: ${value} for ${valoperAddress(signer)}`],
        }),
        [reg(MsgSetConsumerCommissionRateCodec)],
      );
    },
  );
  rate
    .argument("<consumer-id>", "the consumer id")
    .argument("<commission-rate>", "a decimal in [0, 1], e.g. 0.05");
  withExample(rate, "icsd tx provider set-consumer-commission-rate 0 0.05 --from alice --yes");
}

function registerEvidenceCommands(provider: Command): void {
  const dv = fromTxCommand(
    provider,
    "submit-consumer-double-voting",
    "Submit a consumer validator's double vote (evidence and the consumer header at that height) to slash it on the provider",
    async ([id, evidenceFile, headerFile], opts, cfg) => {
      const consumerId = parseConsumerId(id!);
      const evidence = readJsonFile(evidenceFile!, "evidence file");
      const header = readJsonFile(headerFile!, "header file");
      const parsed = parseDoubleVotingFiles(evidence, header);
      await broadcast(
        opts,
        cfg,
        (submitter) => ({
          msgs: [msg(MsgSubmitConsumerDoubleVotingCodec, { submitter, consumerId, ...parsed })],
          summary: [
            `double voting on consumer ${consumerId} at height ${parsed.duplicateVoteEvidence.voteA?.height}`,
          ],
        }),
        [reg(MsgSubmitConsumerDoubleVotingCodec)],
      );
    },
  );
  dv.argument("<consumer-id>", "the consumer id")
    .argument("<evidence-file>", "JSON {vote_a, vote_b}: the two votes as the consumer's RPC prints them")
    .argument("<header-file>", "JSON: the consumer's light_block at the infraction height (RPC light_block)");
  withExample(
    dv,
    "icsd tx provider submit-consumer-double-voting 0 evidence.json header.json --from alice --yes",
  );

  const mb = fromTxCommand(
    provider,
    "submit-consumer-misbehaviour",
    "Submit a light client attack on a consumer chain (two conflicting headers) to slash the signers on the provider",
    async ([id, file], opts, cfg) => {
      const consumerId = parseConsumerId(id!);
      const misbehaviour = parseMisbehaviourFile(readJsonFile(file!, "misbehaviour file"));
      await broadcast(
        opts,
        cfg,
        (submitter) => ({
          msgs: [msg(MsgSubmitConsumerMisbehaviourCodec, { submitter, misbehaviour, consumerId })],
          summary: [`misbehaviour on consumer ${consumerId}`],
        }),
        [reg(MsgSubmitConsumerMisbehaviourCodec)],
      );
    },
  );
  mb.argument("<consumer-id>", "the consumer id").argument(
    "<misbehaviour-file>",
    "JSON {header_1, header_2}: two consumer light blocks of one height",
  );
  withExample(mb, "icsd tx provider submit-consumer-misbehaviour 0 misbehaviour.json --from alice --yes");
}

/**
 * `icsd tx provider create-consumer|update-consumer|remove-consumer|opt-in|opt-out|assign-consensus-key|
 * set-consumer-commission-rate|submit-consumer-double-voting|submit-consumer-misbehaviour`.
 */
export function registerProviderTx(tx: Command): void {
  const provider = tx
    .command("provider")
    .description(
      "Provider module transactions (interchain security): consumer chains, opt-in, keys, evidence",
    );
  withExample(
    provider,
    "icsd tx provider create-consumer consumer.json --from alice --yes",
    "icsd tx provider opt-in 0 --from alice --yes",
  );
  registerOwnerCommands(provider);
  registerValidatorCommands(provider);
  registerEvidenceCommands(provider);
}
