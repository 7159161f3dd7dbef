/**
 * The ibc module's keeper: runs the packet layer (ibc/) on a message's or block's context with the
 * block's height and time, binds applications to ports, numbers new clients, and emits the events
 * relayers follow. Every operation runs on a branch of the context's store and keeps its writes and
 * events only when it succeeds, so a refusal (or a redundant relay) changes nothing.
 */
import type { Event } from "../../../consensus/index.ts";
import {
  acknowledgePacket,
  type ChannelEnd,
  ChannelErrorCode,
  ChannelState,
  type ClientHeader,
  type ClientState,
  type ConsensusState,
  channelKey,
  clientProofVerifier,
  closeChannelConfirm,
  createClient,
  encodeChannelEnd,
  getChannel,
  type IbcApp,
  type MisbehaviourRecord,
  openChannelFromGenesis,
  type Packet,
  pruneExpired,
  recvPacket,
  type SendPacketMsg,
  sendPacket,
  sendTransfer,
  submitMisbehaviour,
  TRANSFER_PORT,
  type TransferMsg,
  timeoutPacket,
  type UpdateResult,
  updateClient,
} from "../../../ibc/index.ts";
import { IcsdError, readUint64Be, uint64Be, utf8 } from "../../../utils/index.ts";
import { bech32Address } from "../../address.ts";
import type { ModuleContext } from "../../module.ts";
import type { BaseKeepers } from "../../sdkApp.ts";
import { type AppStore, CacheStore } from "../../store.ts";
import type { AuthKeeper } from "../auth.ts";
import type { BankKeeper } from "../bank.ts";
import { IbcModuleErrorCode, ibcSdkError, toIbcError } from "./errors.ts";
import {
  acknowledgePacketEvent,
  channelCloseEvent,
  clientMisbehaviourEvent,
  createClientEvent,
  ibcTransferEvent,
  recvPacketEvent,
  sendPacketEvent,
  timeoutPacketEvent,
  updateClientEvent,
  writeAckEvent,
} from "./events.ts";
import { AppTransferBank, TRANSFER_MODULE, TRANSFER_MODULE_PERMISSIONS } from "./transferBank.ts";
import { TransferPortApp, type TransferReceiveHook } from "./transferPort.ts";

/** Builds the application bound to a port, for one context (its store and events). */
export type IbcAppFactory = (ctx: ModuleContext) => IbcApp;

/** The prefix of new client ids: "07-icsd-<n>". */
export const CLIENT_ID_PREFIX = "07-icsd-";
const NEXT_CLIENT_SEQUENCE_KEY = utf8("ibc/nextClientSequence");
const NEXT_CHANNEL_SEQUENCE_KEY = utf8("ibc/nextChannelSequence");

/** What a module asks `openChannel` for (the channel id is chosen by the keeper). */
export interface OpenChannelRequest {
  readonly portId: string;
  readonly counterpartyPortId: string;
  readonly counterpartyChannelId: string;
  readonly clientId: string;
  readonly ordering: ChannelEnd["ordering"];
  readonly version: string;
}

/** What a packet message did: a new relay (with the ack written, for a receive) or a no-op. */
export type RelayResult =
  | { readonly kind: "relayed"; readonly acknowledgement?: Uint8Array }
  | { readonly kind: "noop" };

const NOOP: RelayResult = { kind: "noop" };

/**
 * Runs `f` on a branch of `ctx` (its own store branch and event list): writes and events reach `ctx`
 * only if `f` succeeds. A packet-layer refusal whose code is `noopCode` (a redundant relay) returns
 * NOOP; any other comes out as an "ibc" SdkError.
 */
async function branched<T>(
  ctx: ModuleContext,
  f: (c: ModuleContext) => Promise<T>,
  noopCode?: string,
): Promise<T | typeof NOOP> {
  const store = new CacheStore(ctx.store);
  const events: Event[] = [];
  let out: T;
  try {
    out = await f({ ...ctx, store, events });
  } catch (e) {
    if (noopCode !== undefined && e instanceof IcsdError && e.code === noopCode) return NOOP;
    throw toIbcError(e);
  }
  store.write();
  ctx.events.push(...events);
  return out;
}

/** `branched` for operations that have no no-op outcome. */
async function run<T>(ctx: ModuleContext, f: (c: ModuleContext) => Promise<T>): Promise<T> {
  return (await branched(ctx, f)) as T;
}

/** The ibc module's keeper (see the file comment). */
export class IbcKeeper {
  readonly auth: AuthKeeper;
  readonly bank: BankKeeper;
  private readonly apps = new Map<string, IbcAppFactory>();
  private readonly transferReceiveHooks: TransferReceiveHook[] = [];
  private readonly transferReceivers = new Set<string>();
  /**
   * The time (ns) of the last block this process began: the "now" of ClientStatus queries (a query
   * has no block). 0 until the first block after a start, when an unfrozen client reads as Active.
   */
  lastBlockTime = 0n;

  constructor(base: BaseKeepers, apps: Readonly<Record<string, IbcAppFactory>> = {}) {
    this.auth = base.auth;
    this.bank = base.bank;
    base.bank.registerModule(TRANSFER_MODULE, TRANSFER_MODULE_PERMISSIONS);
    this.apps.set(
      TRANSFER_PORT,
      (ctx) =>
        new TransferPortApp(
          this.transferBank(ctx),
          ctx.events,
          ctx,
          this.transferReceiveHooks,
          this.transferReceivers,
        ),
    );
    for (const port of Object.keys(apps).sort()) {
      if (port === TRANSFER_PORT)
        throw new Error(`port ${TRANSFER_PORT} is bound to ICS-20 and cannot be rebound`);
      this.apps.set(port, apps[port]!);
    }
  }

  /**
   * Registers a hook run after every successful ICS-20 receive (the provider's consumer-rewards
   * middleware), in registration order; register at app construction only (hooks are not state).
   */
  addTransferReceiveHook(hook: TransferReceiveHook): void {
    this.transferReceiveHooks.push(hook);
  }

  /**
   * Lets a module account receive ICS-20 transfers (the provider's consumer rewards pool, which the
   * reference removes from the blocked addresses); register at app construction only.
   */
  allowTransferReceiver(address: Uint8Array): void {
    this.transferReceivers.add(bech32Address(address, this.prefix));
  }

  /** The bech32 prefix of this chain's accounts. */
  get prefix(): string {
    return this.auth.prefix;
  }

  /** The ports an application is bound to, sorted. */
  boundPorts(): string[] {
    return [...this.apps.keys()].sort();
  }

  /** True when an application is bound to `port`. */
  isBound(port: string): boolean {
    return this.apps.has(port);
  }

  private app(ctx: ModuleContext, port: string): IbcApp {
    const factory = this.apps.get(port);
    if (factory === undefined) {
      throw ibcSdkError(IbcModuleErrorCode.portNotBound, `no application is bound to port ${port}`);
    }
    return factory(ctx);
  }

  /** ICS-20's bank on a context's store, its events going to the context's list. */
  transferBank(ctx: ModuleContext): AppTransferBank {
    return new AppTransferBank(this.auth, this.bank, ctx.store, ctx.events);
  }

  // ---- clients --------------------------------------------------------------------------------------

  /** The number the next created client gets ("07-icsd-<n>"). */
  async nextClientSequence(store: AppStore): Promise<bigint> {
    const b = await store.get(NEXT_CLIENT_SEQUENCE_KEY);
    return b === undefined ? 0n : readUint64Be(b);
  }

  /** Sets the next client number (genesis). */
  setNextClientSequence(store: AppStore, n: bigint): void {
    store.set(NEXT_CLIENT_SEQUENCE_KEY, uint64Be(n));
  }

  /** ICS-02 createClient under the next "07-icsd-<n>" id; emits create_client and returns the id. */
  async createClient(
    ctx: ModuleContext,
    clientState: ClientState,
    consensus: ConsensusState,
  ): Promise<string> {
    return run(ctx, async (c) => {
      const n = await this.nextClientSequence(c.store);
      const clientId = `${CLIENT_ID_PREFIX}${n}`;
      await createClient(c.store, clientId, clientState, consensus);
      this.setNextClientSequence(c.store, n + 1n);
      c.events.push(createClientEvent(clientId, clientState.latestHeight));
      return clientId;
    });
  }

  /**
   * ICS-02 updateClient at the block's time. "updated" stores the consensus state (emits update_client)
   * and prunes consensus states past their trusting period, as ibc-go's 07-tendermint; "noop" (the same
   * header again) writes nothing; "frozen" freezes the client (emits client_misbehaviour).
   */
  async updateClient(ctx: ModuleContext, clientId: string, header: ClientHeader): Promise<UpdateResult> {
    return run(ctx, async (c) => {
      const now = c.block.time;
      const r = await updateClient(c.store, clientId, header, now);
      if (r.kind === "frozen") {
        c.events.push(clientMisbehaviourEvent(clientId));
      } else {
        c.events.push(updateClientEvent(clientId, r.height));
        if (r.kind === "updated") await pruneExpired(c.store, clientId, now);
      }
      return r;
    });
  }

  /** ICS-02 submitMisbehaviour: freezes the client on proven misbehaviour (emits client_misbehaviour). */
  async submitMisbehaviour(
    ctx: ModuleContext,
    clientId: string,
    header1: ClientHeader,
    header2: ClientHeader,
  ): Promise<MisbehaviourRecord> {
    return run(ctx, async (c) => {
      const record = await submitMisbehaviour(c.store, clientId, header1, header2, c.block.time);
      c.events.push(clientMisbehaviourEvent(clientId));
      return record;
    });
  }

  // ---- channels (opened by modules, no handshake) ----------------------------------------------------

  /** The number the next channel opened by `openChannel` gets ("channel-<n>"). */
  async nextChannelSequence(store: AppStore): Promise<bigint> {
    const b = await store.get(NEXT_CHANNEL_SEQUENCE_KEY);
    return b === undefined ? 0n : readUint64Be(b);
  }

  /** Sets the next channel number (genesis: past every genesis "channel-<n>"). */
  setNextChannelSequence(store: AppStore, n: bigint): void {
    store.set(NEXT_CHANNEL_SEQUENCE_KEY, uint64Be(n));
  }

  /**
   * Opens a channel end from state, as genesis does (no handshake: the counterparty's record is made
   * from the same facts), under the next free "channel-<n>", and returns its id. For the provider
   * module, which opens a consumer's CCV and transfer channels at launch. Throws an "ibc" SdkError
   * (writing nothing) when the port is unbound or the record is invalid.
   */
  async openChannel(ctx: ModuleContext, req: OpenChannelRequest): Promise<string> {
    return run(ctx, async (c) => {
      if (!this.isBound(req.portId)) {
        throw ibcSdkError(IbcModuleErrorCode.portNotBound, `no application is bound to port ${req.portId}`);
      }
      let n = await this.nextChannelSequence(c.store);
      while ((await this.channelEnd(c.store, req.portId, `channel-${n}`)) !== undefined) n++;
      const channelId = `channel-${n}`;
      await openChannelFromGenesis(c.store, { ...req, channelId });
      this.setNextChannelSequence(c.store, n + 1n);
      return channelId;
    });
  }

  /**
   * Closes an OPEN channel end from this chain's side (the provider stopping a consumer): the end
   * becomes CLOSED, so no packet is sent or received on it again; emits channel_close_confirm. A
   * missing or already closed end is left as it is.
   */
  async closeChannel(ctx: ModuleContext, port: string, channel: string): Promise<void> {
    const end = await this.channelEnd(ctx.store, port, channel);
    if (end === undefined || end.state === ChannelState.closed) return;
    const closed: ChannelEnd = { ...end, state: ChannelState.closed };
    ctx.store.set(channelKey(port, channel), encodeChannelEnd(closed));
    ctx.events.push(channelCloseEvent(closed));
  }

  /**
   * ICS-04 chanCloseConfirm: the counterparty's end of (port, channel) is proven CLOSED, so this end
   * closes too and the bound application's onChanClose runs (emits the app's events, then
   * channel_close_confirm). An end already CLOSED is a no-op (a redundant relay), writing nothing; any
   * other refusal is an "ibc" SdkError and writes nothing.
   */
  async channelCloseConfirm(
    ctx: ModuleContext,
    port: string,
    channel: string,
    proofInit: Uint8Array,
    proofHeight: bigint,
  ): Promise<RelayResult> {
    return branched(
      ctx,
      async (c) => {
        const verifier = clientProofVerifier(c.store, c.block.time);
        const app = this.app(c, port);
        const closed = await closeChannelConfirm(
          c.store,
          verifier,
          port,
          channel,
          proofInit,
          proofHeight,
          app,
        );
        c.events.push(channelCloseEvent(closed));
        return { kind: "relayed" } as const;
      },
      ChannelErrorCode.channelAlreadyClosed,
    );
  }

  // ---- packets --------------------------------------------------------------------------------------

  private async channelEnd(store: AppStore, port: string, channel: string): Promise<ChannelEnd | undefined> {
    try {
      return await getChannel(store, port, channel);
    } catch {
      return undefined;
    }
  }

  /**
   * Sends a packet on an OPEN channel (for modules: ICS-20 and the interchain-security module) and emits
   * send_packet. Throws an "ibc" SdkError, writing nothing, when the channel is missing or not OPEN, the
   * timeouts are invalid or already passed, or the data is empty.
   */
  async sendPacket(ctx: ModuleContext, msg: SendPacketMsg): Promise<Packet> {
    return run(ctx, async (c) => {
      const packet = await sendPacket(c.store, msg, c.block.time);
      await this.emitSend(c, packet);
      return packet;
    });
  }

  private async emitSend(ctx: ModuleContext, packet: Packet): Promise<void> {
    const channel = await getChannel(ctx.store, packet.sourcePort, packet.sourceChannel);
    ctx.events.push(sendPacketEvent(packet, channel!.ordering));
  }

  /** ICS-20 MsgTransfer: escrows or burns, sends the packet; emits send_packet and ibc_transfer. */
  async transfer(ctx: ModuleContext, msg: TransferMsg): Promise<Packet> {
    return run(ctx, async (c) => {
      const packet = await sendTransfer(c.store, this.transferBank(c), msg, c.block.time);
      await this.emitSend(c, packet);
      c.events.push(ibcTransferEvent(msg.sender, msg.receiver, msg.amount, msg.denom, msg.memo ?? ""));
      return packet;
    });
  }

  /**
   * ICS-04 recvPacket with the block's height and time and the light clients' proofs; the bound
   * application writes the acknowledgement (emits recv_packet, write_acknowledgement and the app's
   * events). A packet already received is a no-op (ibc-go's ErrNoOpMsg), writing nothing.
   */
  async recvPacket(
    ctx: ModuleContext,
    packet: Packet,
    proof: Uint8Array,
    proofHeight: bigint,
  ): Promise<RelayResult> {
    return branched(
      ctx,
      async (c) => {
        const verifier = clientProofVerifier(c.store, c.block.time);
        const app = this.app(c, packet.destPort);
        const height = BigInt(c.block.height);
        const ack = await recvPacket(
          c.store,
          verifier,
          packet,
          proof,
          proofHeight,
          height,
          c.block.time,
          app,
        );
        const channel = await getChannel(c.store, packet.destPort, packet.destChannel);
        // The app's own events were pushed while it ran; ibc-go emits recv_packet before them.
        const appEvents = c.events.splice(0);
        c.events.push(recvPacketEvent(packet, channel!.ordering), ...appEvents);
        c.events.push(writeAckEvent(packet, channel!.ordering, ack));
        return { kind: "relayed", acknowledgement: ack } as const;
      },
      ChannelErrorCode.packetAlreadyReceived,
    );
  }

  /**
   * ICS-04 acknowledgePacket; the application sees the acknowledgement (emits acknowledge_packet and
   * the app's events). A packet with no commitment left (already acknowledged or timed out) is a no-op.
   */
  async acknowledgePacket(
    ctx: ModuleContext,
    packet: Packet,
    acknowledgement: Uint8Array,
    proof: Uint8Array,
    proofHeight: bigint,
  ): Promise<RelayResult> {
    return branched(
      ctx,
      async (c) => {
        const verifier = clientProofVerifier(c.store, c.block.time);
        const app = this.app(c, packet.sourcePort);
        await acknowledgePacket(c.store, verifier, packet, acknowledgement, proof, proofHeight, app);
        const channel = await getChannel(c.store, packet.sourcePort, packet.sourceChannel);
        const appEvents = c.events.splice(0);
        c.events.push(acknowledgePacketEvent(packet, channel!.ordering), ...appEvents);
        return { kind: "relayed" } as const;
      },
      ChannelErrorCode.commitmentNotFound,
    );
  }

  /**
   * ICS-04 timeoutPacket; the application refunds (emits timeout_packet, the app's events and, when an
   * ordered channel closes, channel_close_confirm). A packet with no commitment left is a no-op.
   */
  async timeoutPacket(
    ctx: ModuleContext,
    packet: Packet,
    proof: Uint8Array,
    proofHeight: bigint,
    nextSequenceRecv: bigint,
  ): Promise<RelayResult> {
    return branched(
      ctx,
      async (c) => {
        const verifier = clientProofVerifier(c.store, c.block.time);
        const app = this.app(c, packet.sourcePort);
        const before = await this.channelEnd(c.store, packet.sourcePort, packet.sourceChannel);
        await timeoutPacket(c.store, verifier, packet, proof, proofHeight, nextSequenceRecv, app);
        const after = await getChannel(c.store, packet.sourcePort, packet.sourceChannel);
        const appEvents = c.events.splice(0);
        c.events.push(timeoutPacketEvent(packet, after!.ordering), ...appEvents);
        if (before?.state !== ChannelState.closed && after?.state === ChannelState.closed) {
          c.events.push(channelCloseEvent(after));
        }
        return { kind: "relayed" } as const;
      },
      ChannelErrorCode.commitmentNotFound,
    );
  }
}
