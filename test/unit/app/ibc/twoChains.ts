/**
 * Two SdkApp chains with the ibc module, connected from genesis by a transfer channel and by light
 * clients of each other, and a relayer that does what the real one does through abci_query and
 * transactions: it signs headers of the source chain (with test validators, as consensus signs them,
 * carrying the source's real app hashes), updates the destination's client, and proves packet-layer keys
 * with `/store/ibc/key` proofs of the source's state tree.
 */
import assert from "node:assert/strict";
import type { EncodeObject } from "@cosmjs/proto-signing";
import type { Any } from "cosmjs-types/google/protobuf/any";
import {
  type AppModule,
  type AppStore,
  addressBytes,
  type IbcAppFactory,
  type IbcKeeper,
  ibcModule,
} from "../../../../app/index.ts";
import type { Event, TxResult } from "../../../../consensus/index.ts";
import {
  encodeClientHeader,
  type Packet,
  packetAckKey,
  packetCommitmentKey,
  packetReceiptKey,
} from "../../../../ibc/index.ts";
import { validatorSetHash } from "../../../../proto/index.ts";
import { fromHex, toHexUpper } from "../../../../utils/index.ts";
import { clientHeader, makeSet, setOf, signedHeader, type TestValidator } from "../../ibc/client/helpers.ts";
import { ModuleTestChain, signTx, type TestAccount, testAccount } from "../../provider/helpers.ts";

export const SECOND = 1_000_000_000n;
/** Genesis time of both chains (ns); each block is one second later than the previous one. */
export const GENESIS_TIME = 1_700_000_000n * SECOND;
export const T = { timeout: 60_000 };
/** What genesis funds every test account with, in "stake". */
export const FUNDS = 1_000_000n;
export const TRANSFER = "transfer";

/** The ends of the genesis transfer channel (distinct ids catch mix-ups of the two sides). */
export const A_CHANNEL = "channel-0";
export const B_CHANNEL = "channel-1";
/** Each chain's genesis client of the other. */
export const CLIENT = "07-icsd-0";

const PERIODS = {
  trusting_period: String(10_000n * SECOND),
  unbonding_period: String(20_000n * SECOND),
  max_clock_drift: String(1_000n * SECOND),
};

/** One chain: the app, its ibc keeper, the validators that sign its light-client headers, its history. */
export class IbcTestChain {
  readonly name: string;
  readonly chain: ModuleTestChain;
  readonly keeper: IbcKeeper;
  readonly vals: readonly TestValidator[];
  /** appHashes[h]: the app hash after block h (0: genesis), i.e. the app hash in header h + 1. */
  readonly appHashes: Uint8Array[] = [];
  /** The height of this chain's client of the counterparty (what the relayer trusts next). */
  trustedHeight = 0n;
  private readonly sequences = new Map<string, bigint>();

  private constructor(
    name: string,
    chain: ModuleTestChain,
    keeper: IbcKeeper,
    vals: readonly TestValidator[],
  ) {
    this.name = name;
    this.chain = chain;
    this.keeper = keeper;
    this.vals = vals;
  }

  static async create(
    name: string,
    vals: readonly TestValidator[],
    ibcState: unknown,
    accounts: readonly TestAccount[],
    apps: Record<string, IbcAppFactory> = {},
    extraModules: (k: IbcKeeper) => AppModule[] = () => [],
  ): Promise<IbcTestChain> {
    let keeper: IbcKeeper | undefined;
    const chain = await ModuleTestChain.create(
      (base): AppModule[] => {
        const m = ibcModule(base, { apps });
        keeper = m.keeper;
        return [m.module, ...extraModules(m.keeper)];
      },
      { ...fundedState(accounts), ibc: ibcState },
      { genesisTime: GENESIS_TIME },
    );
    const c = new IbcTestChain(name, chain, keeper!, vals);
    c.appHashes.push(await chain.tree.workingHash());
    return c;
  }

  /** Last committed height. */
  get height(): bigint {
    return BigInt(this.chain.height);
  }

  /** Commits a block of `txs`; returns the tx results. */
  async block(txs: Uint8Array[] = []): Promise<readonly TxResult[]> {
    const res = await this.chain.block({ txs });
    this.appHashes.push(res.appHash);
    return res.txResults;
  }

  /** Signs `msgs` as `from` (tracking its sequence) and commits them in one block. */
  async tx(from: TestAccount, msgs: EncodeObject[]): Promise<TxResult> {
    const seq = this.sequences.get(from.address) ?? 0n;
    const tx = await signTx(from, msgs, { sequence: seq, fee: [], gas: 50_000_000n });
    this.sequences.set(from.address, seq + 1n);
    const [r] = await this.block([tx]);
    return r!;
  }

  /** Like `tx`, asserting success. */
  async ok(from: TestAccount, msgs: EncodeObject[]): Promise<TxResult> {
    const r = await this.tx(from, msgs);
    assert.equal(r.code, 0, `tx failed: ${r.codespace} ${r.code} ${r.log}`);
    return r;
  }

  /** This chain's signed header at `height` (app hash after block height - 1), as `counterparty` trusts it. */
  header(height: bigint, trustedHeight: bigint): Any {
    const sh = signedHeader({
      chainId: this.name,
      height: Number(height),
      time: GENESIS_TIME + height * SECOND,
      vals: this.vals,
      appHash: this.appHashes[Number(height) - 1]!,
    });
    return {
      typeUrl: "/icsd.lightclient.v1.Header",
      value: encodeClientHeader(clientHeader(sh, this.vals, trustedHeight, this.vals)),
    };
  }

  /** A proof of `key` in the state after block `height`, to be checked at proof height `height + 1`. */
  async prove(
    key: Uint8Array,
    height: bigint = this.height,
  ): Promise<{ proof: Uint8Array; value: Uint8Array }> {
    const res = await this.chain.app.query({
      path: "/store/ibc/key",
      data: key,
      height: Number(height),
      prove: true,
    });
    assert.equal(res.code, 0, res.log);
    return { proof: res.proof!, value: res.value };
  }

  /** abci_query at the latest height; asserts success and returns the value. */
  async query(path: string, data: Uint8Array): Promise<Uint8Array> {
    const res = await this.chain.query(path, data);
    assert.equal(res.code, 0, `${path}: ${res.log}`);
    return res.value;
  }

  async balance(account: string, denom: string): Promise<bigint> {
    return this.keeper.bank.balance(this.store(), addressBytes(account, "cosmos"), denom);
  }

  async supply(denom: string): Promise<bigint> {
    return this.keeper.bank.supplyOf(this.store(), denom);
  }

  /** The committed state as an AppStore (reads only). */
  store(): AppStore {
    const tree = this.chain.tree;
    return {
      get: (k: Uint8Array) => tree.get(k),
      set: () => {
        throw new Error("read-only");
      },
      delete: () => {
        throw new Error("read-only");
      },
      iterate: (r) => tree.iterate(r),
    };
  }
}

function fundedState(accounts: readonly TestAccount[]): Record<string, unknown> {
  return {
    auth: {
      accounts: accounts.map((a, i) => ({
        "@type": "/cosmos.auth.v1beta1.BaseAccount",
        address: a.address,
        account_number: String(i),
        sequence: "0",
      })),
    },
    bank: {
      balances: accounts.map((a) => ({
        address: a.address,
        coins: [{ denom: "stake", amount: String(FUNDS) }],
      })),
    },
  };
}

/** app_state.ibc of a chain whose client of `counterparty` starts at its genesis (height 0). */
export function ibcGenesis(
  counterpartyChainId: string,
  counterpartyVals: readonly TestValidator[],
  channelId: string,
  counterpartyChannelId: string,
  extraChannels: readonly Record<string, string>[] = [],
): Record<string, unknown> {
  return {
    clients: [
      {
        client_id: CLIENT,
        client_state: {
          chain_id: counterpartyChainId,
          trust_level: { numerator: "1", denominator: "3" },
          ...PERIODS,
          latest_height: "0",
          frozen_height: "0",
        },
        consensus_state: {
          height: "0",
          timestamp: String(GENESIS_TIME - 1n),
          root: "",
          next_validators_hash: toHexUpper(validatorSetHash(setOf(counterpartyVals))),
        },
      },
    ],
    channels: [
      {
        port_id: TRANSFER,
        channel_id: channelId,
        counterparty_port_id: TRANSFER,
        counterparty_channel_id: counterpartyChannelId,
        client_id: CLIENT,
        ordering: "unordered",
        version: "ics20-1",
      },
      ...extraChannels,
    ],
    next_client_sequence: "1",
  };
}

/** The test accounts: alice (A's user), bob (B's user), relayer (both). */
export interface Accounts {
  readonly alice: TestAccount;
  readonly bob: TestAccount;
  readonly relayer: TestAccount;
}

/** Two chains A and B at height 1, a transfer channel A/channel-0 <-> B/channel-1, funded accounts. */
export async function setupChains(
  apps: { a?: Record<string, IbcAppFactory>; b?: Record<string, IbcAppFactory> } = {},
  extra: { a?: Record<string, string>[]; b?: Record<string, string>[] } = {},
  modules: { a?: (k: IbcKeeper) => AppModule[]; b?: (k: IbcKeeper) => AppModule[] } = {},
): Promise<{ a: IbcTestChain; b: IbcTestChain } & Accounts> {
  const alice = await testAccount(1, 0n);
  const bob = await testAccount(2, 1n);
  const relayer = await testAccount(3, 2n);
  const accounts = [alice, bob, relayer];
  const aVals = makeSet([1, 2, 3]);
  const bVals = makeSet([11, 12, 13, 14]);
  const a = await IbcTestChain.create(
    "chain-a",
    aVals,
    ibcGenesis("chain-b", bVals, A_CHANNEL, B_CHANNEL, extra.a),
    accounts,
    apps.a,
    modules.a,
  );
  const b = await IbcTestChain.create(
    "chain-b",
    bVals,
    ibcGenesis("chain-a", aVals, B_CHANNEL, A_CHANNEL, extra.b),
    accounts,
    apps.b,
    modules.b,
  );
  // One empty block each, so every later write has a committed version before it to prove against.
  await a.block();
  await b.block();
  return { a, b, alice, bob, relayer };
}

// ---- messages ------------------------------------------------------------------------------------

const height = (h: bigint) => ({ revisionNumber: 0n, revisionHeight: h });

/** ibc/'s Packet as the ibc-go proto object CosmJS encodes. */
export function packetProto(p: Packet) {
  return {
    sequence: p.sequence,
    sourcePort: p.sourcePort,
    sourceChannel: p.sourceChannel,
    destinationPort: p.destPort,
    destinationChannel: p.destChannel,
    data: p.data,
    timeoutHeight: height(p.timeoutHeight),
    timeoutTimestamp: p.timeoutTimestamp,
  };
}

export function transferMsg(
  sender: string,
  receiver: string,
  denom: string,
  amount: bigint,
  o: { channel?: string; timeoutHeight?: bigint; timeoutTimestamp?: bigint; memo?: string } = {},
): EncodeObject {
  return {
    typeUrl: "/ibc.applications.transfer.v1.MsgTransfer",
    value: {
      sourcePort: TRANSFER,
      sourceChannel: o.channel ?? A_CHANNEL,
      token: { denom, amount: amount.toString() },
      sender,
      receiver,
      timeoutHeight: height(o.timeoutHeight ?? 0n),
      timeoutTimestamp:
        o.timeoutTimestamp ?? (o.timeoutHeight === undefined ? GENESIS_TIME + 10_000n * SECOND : 0n),
      memo: o.memo ?? "",
    },
  };
}

export function updateClientMsg(signer: string, header: Any, clientId = CLIENT): EncodeObject {
  return {
    typeUrl: "/ibc.core.client.v1.MsgUpdateClient",
    value: { clientId, clientMessage: header, signer },
  };
}

export function recvMsg(signer: string, p: Packet, proof: Uint8Array, proofHeight: bigint): EncodeObject {
  return {
    typeUrl: "/ibc.core.channel.v1.MsgRecvPacket",
    value: { packet: packetProto(p), proofCommitment: proof, proofHeight: height(proofHeight), signer },
  };
}

export function ackMsg(
  signer: string,
  p: Packet,
  ack: Uint8Array,
  proof: Uint8Array,
  proofHeight: bigint,
): EncodeObject {
  return {
    typeUrl: "/ibc.core.channel.v1.MsgAcknowledgement",
    value: {
      packet: packetProto(p),
      acknowledgement: ack,
      proofAcked: proof,
      proofHeight: height(proofHeight),
      signer,
    },
  };
}

export function timeoutMsg(
  signer: string,
  p: Packet,
  proof: Uint8Array,
  proofHeight: bigint,
  nextSequenceRecv = 0n,
): EncodeObject {
  return {
    typeUrl: "/ibc.core.channel.v1.MsgTimeout",
    value: {
      packet: packetProto(p),
      proofUnreceived: proof,
      proofHeight: height(proofHeight),
      nextSequenceRecv,
      signer,
    },
  };
}

// ---- events --------------------------------------------------------------------------------------

/** The attributes of every event of `type`, as plain records. */
export function eventsOf(events: readonly Event[], type: string): Record<string, string>[] {
  return events
    .filter((e) => e.type === type)
    .map((e) => Object.fromEntries(e.attributes.map((a) => [a.key, a.value])));
}

/** The packets of the send_packet events of a tx, as a relayer reads them. */
export function sentPacketsOf(r: TxResult): Packet[] {
  return eventsOf(r.events, "send_packet").map((e) => ({
    sequence: BigInt(e.packet_sequence!),
    sourcePort: e.packet_src_port!,
    sourceChannel: e.packet_src_channel!,
    destPort: e.packet_dst_port!,
    destChannel: e.packet_dst_channel!,
    data: fromHex(e.packet_data_hex!),
    timeoutHeight: BigInt(e.packet_timeout_height!.split("-")[1]!),
    timeoutTimestamp: BigInt(e.packet_timeout_timestamp!),
  }));
}

/** The acknowledgement bytes of the write_acknowledgement events of a tx. */
export function acksOf(r: TxResult): Uint8Array[] {
  return eventsOf(r.events, "write_acknowledgement").map((e) => fromHex(e.packet_ack_hex!));
}

// ---- relaying ------------------------------------------------------------------------------------

/**
 * Updates `dst`'s client of `src` to src's last committed state: header src.height + 1, whose app hash
 * is the root of src's state after its last block. Returns that proof height.
 */
export async function updateClient(
  dst: IbcTestChain,
  src: IbcTestChain,
  relayer: TestAccount,
): Promise<bigint> {
  const h = src.height + 1n;
  if (h <= dst.trustedHeight) return h;
  await dst.ok(relayer, [updateClientMsg(relayer.address, src.header(h, dst.trustedHeight))]);
  dst.trustedHeight = h;
  return h;
}

/** Proves `p`'s commitment on `src` and receives it on `dst`; returns the receive tx result. */
export async function relayRecv(
  src: IbcTestChain,
  dst: IbcTestChain,
  p: Packet,
  relayer: TestAccount,
): Promise<TxResult> {
  const proofHeight = await updateClient(dst, src, relayer);
  const { proof } = await src.prove(
    packetCommitmentKey(p.sourcePort, p.sourceChannel, p.sequence),
    proofHeight - 1n,
  );
  return dst.tx(relayer, [recvMsg(relayer.address, p, proof, proofHeight)]);
}

/** Proves `dst`'s acknowledgement of `p` and hands it back to `src`; returns the ack tx result. */
export async function relayAck(
  src: IbcTestChain,
  dst: IbcTestChain,
  p: Packet,
  ack: Uint8Array,
  relayer: TestAccount,
): Promise<TxResult> {
  const proofHeight = await updateClient(src, dst, relayer);
  const { proof } = await dst.prove(packetAckKey(p.destPort, p.destChannel, p.sequence), proofHeight - 1n);
  return src.tx(relayer, [ackMsg(relayer.address, p, ack, proof, proofHeight)]);
}

/** Proves on `src` that `dst` never received `p` (unordered channel); returns the timeout tx result. */
export async function relayTimeout(
  src: IbcTestChain,
  dst: IbcTestChain,
  p: Packet,
  relayer: TestAccount,
): Promise<TxResult> {
  const proofHeight = await updateClient(src, dst, relayer);
  const { proof } = await dst.prove(
    packetReceiptKey(p.destPort, p.destChannel, p.sequence),
    proofHeight - 1n,
  );
  return src.tx(relayer, [timeoutMsg(relayer.address, p, proof, proofHeight)]);
}
