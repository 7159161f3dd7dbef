import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  type Block,
  type Commit,
  type ConsensusChain,
  ConsensusDriver,
  genesisValidatorSet,
  type Proposal,
  proposerFor,
  type ShellValidator,
  type Vote,
  VoteType,
  type WalEntry,
} from "../../../consensus/index.ts";
import { addressFromPubKey, ed25519FromSeed, ed25519Sign } from "../../../crypto/index.ts";
import {
  blockHash,
  commitHash,
  dataHash,
  evidenceHash,
  proposalSignBytes,
  voteSignBytes,
} from "../../../proto/index.ts";
import { silentLogger, toHex } from "../../../utils/index.ts";

const CHAIN = "driver-test";
const keys = [1, 2, 3, 4, 5].map((i) => ed25519FromSeed(new Uint8Array(32).fill(i)));
const validators: ShellValidator[] = genesisValidatorSet(
  keys.slice(0, 4).map((k) => ({ pubKey: k.publicKey, power: 10n })),
);
const keyOf = (address: string) => keys.find((k) => toHex(addressFromPubKey(k.publicKey)) === address)!;

const emptyCommit: Commit = { height: 0, round: 0, blockHash: new Uint8Array(), signatures: [] };

function makeBlock(height: number, proposer: Uint8Array): Block {
  const z = new Uint8Array(32);
  return {
    header: {
      chainId: CHAIN,
      height,
      time: 1_000_000_000n * BigInt(height),
      lastBlockHash: new Uint8Array(),
      lastCommitHash: commitHash(emptyCommit),
      dataHash: dataHash([]),
      validatorsHash: z,
      nextValidatorsHash: z,
      consensusHash: z,
      appHash: z,
      lastResultsHash: z,
      evidenceHash: evidenceHash([]),
      proposerAddress: proposer,
    },
    txs: [],
    evidence: [],
    lastCommit: emptyCommit,
  };
}

function signedVote(signerIdx: number, type: 1 | 2, block: Uint8Array, tamper = false): Vote {
  const key = keys[signerIdx]!;
  const address = addressFromPubKey(key.publicKey);
  const index = validators.findIndex((v) => v.address === toHex(address));
  const unsigned: Vote = {
    type,
    height: 1,
    round: 0,
    blockHash: block,
    timestamp: 0n,
    validatorAddress: address,
    validatorIndex: Math.max(index, 0),
    signature: new Uint8Array(64),
  };
  const sig = ed25519Sign(key, voteSignBytes(tamper ? "other-chain" : CHAIN, unsigned));
  return { ...unsigned, signature: sig };
}

function setup(selfIdx: number | null) {
  const committed: { block: Block; commit: Commit }[] = [];
  const invalid: string[] = [];
  const wal: WalEntry[] = [];
  const chain: ConsensusChain = {
    buildBlock: async (height, _r, proposer) => makeBlock(height, proposer),
    validateBlock: async () => true,
    commitBlock: async (block, commit) => {
      committed.push({ block, commit });
      return { height: block.header.height + 1, validators };
    },
    onEvidence: () => undefined,
  };
  const self = selfIdx === null ? null : toHex(addressFromPubKey(keys[selfIdx]!.publicKey));
  const driver = new ConsensusDriver(
    {
      chainId: CHAIN,
      self,
      timeoutCommitMs: 10_000,
      timeouts: {
        proposeMs: 10_000,
        proposeDeltaMs: 0,
        prevoteMs: 10_000,
        prevoteDeltaMs: 0,
        precommitMs: 10_000,
        precommitDeltaMs: 0,
      },
    },
    {
      signer: selfIdx === null ? null : { sign: async (r) => ed25519Sign(keys[selfIdx]!, r.signBytes) },
      network: {
        broadcastProposal: () => undefined,
        broadcastVote: () => undefined,
        requestCatchup: () => undefined,
      },
      wal: { write: async (e) => void wal.push(e), endHeight: async () => undefined },
      chain,
      logger: silentLogger(),
      events: { onInvalid: (r) => invalid.push(r) },
    },
  );
  return { driver, committed, invalid, wal };
}

function signedProposal(signerIdx: number, block: Block): { proposal: Proposal; block: Block } {
  const unsigned: Proposal = {
    height: 1,
    round: 0,
    polRound: -1,
    blockHash: blockHash(block),
    timestamp: block.header.time,
    signature: new Uint8Array(64),
  };
  return {
    proposal: { ...unsigned, signature: ed25519Sign(keys[signerIdx]!, proposalSignBytes(CHAIN, unsigned)) },
    block,
  };
}

const settle = () => new Promise((r) => setTimeout(r, 20));

describe("consensus driver: untrusted input", { timeout: 10_000 }, () => {
  const proposer = proposerFor(validators, 0);
  const proposerIdx = keys.indexOf(keyOf(proposer.address));
  const block = makeBlock(1, addressFromPubKey(keys[proposerIdx]!.publicKey));
  const hash = blockHash(block);

  it("decides when a valid proposal and +2/3 valid votes arrive (control)", async () => {
    const { driver, committed, invalid } = setup(null);
    await driver.start(1, validators);
    assert.equal(driver.handleProposal(signedProposal(proposerIdx, block)), "accept");
    for (const i of [0, 1, 2])
      assert.equal(driver.handleVote(signedVote(i, VoteType.Prevote, hash)), "accept");
    for (const i of [0, 1, 2])
      assert.equal(driver.handleVote(signedVote(i, VoteType.Precommit, hash)), "accept");
    await settle();
    assert.equal(committed.length, 1);
    assert.equal(committed[0]!.commit.signatures.filter((s) => s.flag === 2).length, 3);
    assert.deepEqual(invalid, []);
    driver.stop();
  });

  it("rejects a vote with a bad signature and does not count it", async () => {
    const { driver, committed, invalid } = setup(null);
    await driver.start(1, validators);
    driver.handleProposal(signedProposal(proposerIdx, block));
    for (const i of [0, 1]) driver.handleVote(signedVote(i, VoteType.Precommit, hash));
    assert.equal(driver.handleVote(signedVote(2, VoteType.Precommit, hash, true)), "reject");
    await settle();
    assert.deepEqual(invalid, ["vote signature invalid"]);
    assert.equal(committed.length, 0, "two valid precommits of four are not a commit");
    driver.stop();
  });

  it("rejects a vote from a key outside the validator set", async () => {
    const { driver, invalid } = setup(null);
    await driver.start(1, validators);
    assert.equal(driver.handleVote(signedVote(4, VoteType.Prevote, hash)), "reject");
    assert.deepEqual(invalid, ["vote from a non-validator"]);
    driver.stop();
  });

  it("rejects a proposal signed by a validator that is not the round's proposer", async () => {
    const { driver, invalid, wal } = setup(null);
    await driver.start(1, validators);
    const wrong = (proposerIdx + 1) % 4;
    assert.equal(
      driver.handleProposal(signedProposal(wrong, makeBlock(1, addressFromPubKey(keys[wrong]!.publicKey)))),
      "reject",
    );
    assert.deepEqual(invalid, ["proposal not signed by the round's proposer"]);
    await settle();
    assert.equal(wal.length, 0, "a rejected proposal never reaches the WAL");
    driver.stop();
  });

  it("rejects a proposal whose block body does not match its signed header", async () => {
    const { driver, invalid } = setup(null);
    await driver.start(1, validators);
    const p = signedProposal(proposerIdx, block);
    const other = { ...block, txs: [new Uint8Array([1])] };
    assert.equal(driver.handleProposal({ proposal: p.proposal, block: other }), "reject");
    assert.deepEqual(invalid, ["proposal block data does not match its header"]);
    driver.stop();
  });

  it("ignores messages of past heights and buffers future ones", async () => {
    const { driver } = setup(null);
    await driver.start(1, validators);
    const future = { ...signedVote(0, VoteType.Prevote, hash), height: 2 };
    assert.equal(driver.handleVote(future), "ignore");
    driver.stop();
  });
});
