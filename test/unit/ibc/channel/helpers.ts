/**
 * Two in-memory chains for packet-layer tests. Each chain keeps its packet-layer state in a real
 * store/ MerkleTree; its light client of the other chain (TestVerifier) stores, per height, the other
 * tree's committed root and block time, and checks proofs with store/'s verifyMembership /
 * verifyNonMembership. As with the real client, the root at client height H is the app hash in header
 * H: the counterparty's state after block H-1, so a write made in block N is proven at height N+1.
 */
import assert from "node:assert/strict";
import { createWriteBatch } from "../../../../consensus/application.ts";
import {
  acknowledgePacket,
  type ChannelEnd,
  ChannelOrder,
  getChannel,
  getNextSequence,
  type IbcApp,
  type IbcStore,
  nextSequenceRecvKey,
  openChannelFromGenesis,
  type Packet,
  type ProofVerifier,
  packetAckKey,
  packetCommitmentKey,
  packetReceiptKey,
  recvPacket,
  timeoutPacket,
} from "../../../../ibc/index.ts";
import {
  encodeProof,
  MemoryKvStore,
  MerkleTree,
  verifyMembership,
  verifyNonMembership,
} from "../../../../store/index.ts";
import { IcsdError, utf8 } from "../../../../utils/index.ts";

/** Genesis time of the test chains (ns) and their block interval (5 s). */
export const GENESIS_TIME = 1_700_000_000_000_000_000n;
export const BLOCK_NS = 5_000_000_000n;

/** The block time of height `h` on every test chain. */
export function blockTime(h: bigint): bigint {
  return GENESIS_TIME + h * BLOCK_NS;
}

/** A light client of one chain as the other sees it: consensus states by height. */
export class TestVerifier implements ProofVerifier {
  readonly clientId: string;
  private readonly states = new Map<bigint, { root: Uint8Array; timestamp: bigint }>();

  constructor(clientId: string) {
    this.clientId = clientId;
  }

  /** Records the header after `chain`'s last committed block; returns its height. */
  update(chain: TestChain): bigint {
    const height = chain.committedHeight + 1n;
    this.states.set(height, { root: chain.tree.hash, timestamp: blockTime(height) });
    return height;
  }

  private state(clientId: string, height: bigint): { root: Uint8Array; timestamp: bigint } {
    if (clientId !== this.clientId) throw new IcsdError("IBC_CLIENT_NOT_FOUND", `no client ${clientId}`);
    const s = this.states.get(height);
    if (s === undefined) {
      throw new IcsdError(
        "IBC_CONSENSUS_STATE_NOT_FOUND",
        `client ${clientId} has no consensus state at ${height}`,
      );
    }
    return s;
  }

  async verifyMembership(
    clientId: string,
    h: bigint,
    key: Uint8Array,
    value: Uint8Array,
    proof: Uint8Array,
  ): Promise<void> {
    if (!verifyMembership(this.state(clientId, h).root, key, value, proof)) {
      throw new IcsdError("IBC_PROOF_INVALID", `membership proof does not verify at height ${h}`);
    }
  }

  async verifyNonMembership(clientId: string, h: bigint, key: Uint8Array, proof: Uint8Array): Promise<void> {
    if (!verifyNonMembership(this.state(clientId, h).root, key, proof)) {
      throw new IcsdError("IBC_PROOF_INVALID", `non-membership proof does not verify at height ${h}`);
    }
  }

  async consensusTimestamp(clientId: string, h: bigint): Promise<bigint> {
    return this.state(clientId, h).timestamp;
  }
}

/** One chain: its state tree, and its light client of the counterparty. */
export class TestChain {
  readonly db: MemoryKvStore;
  readonly tree: MerkleTree;
  readonly verifier: TestVerifier;

  private constructor(db: MemoryKvStore, tree: MerkleTree, counterpartyClientId: string) {
    this.db = db;
    this.tree = tree;
    this.verifier = new TestVerifier(counterpartyClientId);
  }

  static async create(counterpartyClientId: string): Promise<TestChain> {
    const db = new MemoryKvStore();
    return new TestChain(db, await MerkleTree.open(db), counterpartyClientId);
  }

  /** The packet-layer view of the state (the tree has exactly the AppStore shape). */
  get store(): IbcStore {
    return this.tree;
  }

  /** Height of the last committed block (0 before the first). */
  get committedHeight(): bigint {
    return BigInt(this.tree.version);
  }

  /** Height and time of the block being executed. */
  get hostHeight(): bigint {
    return this.committedHeight + 1n;
  }
  get hostTime(): bigint {
    return blockTime(this.hostHeight);
  }

  /** Ends the current block: commits the working set. */
  async commit(): Promise<void> {
    const batch = createWriteBatch();
    await this.tree.commit(batch);
    await this.db.batch(batch.ops);
    this.tree.onBatchWritten();
  }

  /** Commits empty blocks until the committed height is `h`. */
  async advanceTo(h: bigint): Promise<void> {
    while (this.committedHeight < h) await this.commit();
  }

  /** A real, encoded proof of `key` against the root a client holds at `proofHeight`. */
  async prove(key: Uint8Array, proofHeight: bigint): Promise<Uint8Array> {
    return encodeProof((await this.tree.prove(key, Number(proofHeight - 1n))).proof);
  }
}

/** A test application: records every callback, writes no state, acks "ok:<data>" (or an error ack). */
export class RecordingApp implements IbcApp {
  readonly received: Packet[] = [];
  readonly acks: [Packet, Uint8Array][] = [];
  readonly timeouts: Packet[] = [];
  readonly closed: ChannelEnd[] = [];

  async onRecvPacket(p: Packet): Promise<Uint8Array> {
    this.received.push(p);
    const text = new TextDecoder().decode(p.data);
    return utf8(text.startsWith("fail") ? `error:${text}` : `ok:${text}`);
  }
  async onAcknowledgementPacket(p: Packet, ack: Uint8Array): Promise<void> {
    this.acks.push([p, ack]);
  }
  async onTimeoutPacket(p: Packet): Promise<void> {
    this.timeouts.push(p);
  }
  async onChanClose(c: ChannelEnd): Promise<void> {
    this.closed.push(c);
  }
}

/** Chain A's channel-0 on port "mock" is connected to chain B's channel-7 (distinct ids catch mix-ups). */
export const A_END = { port: "mock", channel: "channel-0" } as const;
export const B_END = { port: "mock", channel: "channel-7" } as const;

/** Two chains with a genesis-opened channel between them, both committed at height 1. */
export async function setupPair(
  ordering: ChannelEnd["ordering"] = ChannelOrder.unordered,
  ends: { a: { port: string; channel: string }; b: { port: string; channel: string } } = {
    a: A_END,
    b: B_END,
  },
  version = "mock-1",
): Promise<{ a: TestChain; b: TestChain }> {
  const a = await TestChain.create("client-of-b");
  const b = await TestChain.create("client-of-a");
  const common = { ordering, version };
  await openChannelFromGenesis(a.store, {
    ...common,
    portId: ends.a.port,
    channelId: ends.a.channel,
    counterpartyPortId: ends.b.port,
    counterpartyChannelId: ends.b.channel,
    clientId: "client-of-b",
  });
  await openChannelFromGenesis(b.store, {
    ...common,
    portId: ends.b.port,
    channelId: ends.b.channel,
    counterpartyPortId: ends.a.port,
    counterpartyChannelId: ends.a.channel,
    clientId: "client-of-a",
  });
  await a.commit();
  await b.commit();
  return { a, b };
}

/**
 * Asserts `fn` is refused with `code` (and a message matching `message`, when given) and that the
 * working state of every chain in `chains` is exactly what it was before.
 */
export async function assertRefused(
  chains: readonly TestChain[],
  fn: () => Promise<unknown>,
  code: string,
  message?: RegExp,
): Promise<void> {
  const before = await Promise.all(chains.map((c) => c.tree.workingHash()));
  await assert.rejects(fn, (e: unknown) => {
    assert.ok(e instanceof IcsdError, `expected an IcsdError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    if (message) assert.match(e.message, message);
    return true;
  });
  const after = await Promise.all(chains.map((c) => c.tree.workingHash()));
  assert.deepEqual(after, before, "a refused message must not change state");
}

/** Relays `p` from `src` (committed) to `dst`: updates dst's client, proves the commitment, receives. */
export async function deliver(src: TestChain, dst: TestChain, p: Packet, app: IbcApp): Promise<Uint8Array> {
  const h = dst.verifier.update(src);
  const proof = await src.prove(packetCommitmentKey(p.sourcePort, p.sourceChannel, p.sequence), h);
  const ack = await recvPacket(dst.store, dst.verifier, p, proof, h, dst.hostHeight, dst.hostTime, app);
  await dst.commit();
  return ack;
}

/** Relays the acknowledgement of `p` (sent by `src`, received by the committed `dst`) back to `src`. */
export async function deliverAck(
  src: TestChain,
  dst: TestChain,
  p: Packet,
  ack: Uint8Array,
  app: IbcApp,
): Promise<void> {
  const h = src.verifier.update(dst);
  const proof = await dst.prove(packetAckKey(p.destPort, p.destChannel, p.sequence), h);
  await acknowledgePacket(src.store, src.verifier, p, ack, proof, h, app);
  await src.commit();
}

/**
 * Proves to `src` that `p` timed out on `dst` (committed): a non-membership proof of the receipt
 * (unordered) or a membership proof of dst's nextSequenceRecv (ordered), then times it out.
 */
export async function deliverTimeout(src: TestChain, dst: TestChain, p: Packet, app: IbcApp): Promise<void> {
  const h = src.verifier.update(dst);
  const channel = await getChannel(src.store, p.sourcePort, p.sourceChannel);
  let proof: Uint8Array;
  let nextRecv = 0n;
  if (channel?.ordering === ChannelOrder.ordered) {
    nextRecv = await getNextSequence(dst.store, "recv", p.destPort, p.destChannel);
    proof = await dst.prove(nextSequenceRecvKey(p.destPort, p.destChannel), h);
  } else {
    proof = await dst.prove(packetReceiptKey(p.destPort, p.destChannel, p.sequence), h);
  }
  await timeoutPacket(src.store, src.verifier, p, proof, h, nextRecv, app);
  await src.commit();
}
