/**
 * The domain types of the packet layer (ICS-04): channel ends, packets, the key-value store the layer
 * reads and writes, the light-client interface proofs are checked through, and the application hooks.
 */

/** Channel states (ICS-04 `ChannelState`; TRYOPEN is absent: channels are opened from genesis). */
export const ChannelState = { init: "INIT", open: "OPEN", closed: "CLOSED" } as const;
/** A channel state. */
export type ChannelState = (typeof ChannelState)[keyof typeof ChannelState];

/** Channel orderings (ICS-04 `ChannelOrder`). */
export const ChannelOrder = { ordered: "ordered", unordered: "unordered" } as const;
/** A channel ordering. */
export type ChannelOrder = (typeof ChannelOrder)[keyof typeof ChannelOrder];

/**
 * One end of a channel as this chain stores it. `clientId` names this chain's light client of the
 * counterparty chain: every proof from the counterparty is checked through it. (ICS-04 routes through a
 * connection; with no handshake the channel points at the client directly.)
 */
export interface ChannelEnd {
  readonly state: ChannelState;
  readonly ordering: ChannelOrder;
  readonly portId: string;
  readonly channelId: string;
  readonly counterpartyPortId: string;
  readonly counterpartyChannelId: string;
  readonly clientId: string;
  readonly version: string;
}

/**
 * An IBC packet (ICS-04 `Packet`). `timeoutHeight` is a height of the destination chain and
 * `timeoutTimestamp` a destination block time in ns since the Unix epoch; 0 means "no timeout" for
 * either, and at least one is set. Revision numbers are always 0.
 */
export interface Packet {
  readonly sequence: bigint;
  readonly sourcePort: string;
  readonly sourceChannel: string;
  readonly destPort: string;
  readonly destChannel: string;
  readonly data: Uint8Array;
  readonly timeoutHeight: bigint;
  readonly timeoutTimestamp: bigint;
}

/** Key range of an ascending iteration: `gte` inclusive, `lt` exclusive. */
export interface IbcKeyRange {
  readonly gte?: Uint8Array;
  readonly lt?: Uint8Array;
}

/**
 * The key-value state the packet layer uses. Structurally identical to the app's AppStore (reads see
 * the caller's own writes; `iterate` is ascending by raw key), so the app passes its store straight in.
 */
export interface IbcStore {
  get(key: Uint8Array): Promise<Uint8Array | undefined>;
  set(key: Uint8Array, value: Uint8Array): void;
  delete(key: Uint8Array): void;
  iterate(range: IbcKeyRange): AsyncIterable<[Uint8Array, Uint8Array]>;
}

/**
 * What the packet layer needs from the light client of the counterparty (ICS-02 `verifyMembership`,
 * `verifyNonMembership` and the consensus state's timestamp). Implementations throw an IcsdError with a
 * clear code ("IBC_PROOF_INVALID", or a client code for an unknown client or height) and never return
 * normally for a proof that does not hold.
 */
export interface ProofVerifier {
  /** Throws a clear IBC error unless `proof` shows key -> value in the counterparty state at `proofHeight`. */
  verifyMembership(
    clientId: string,
    proofHeight: bigint,
    key: Uint8Array,
    value: Uint8Array,
    proof: Uint8Array,
  ): Promise<void>;
  /** Throws a clear IBC error unless `proof` shows `key` absent from the counterparty state at `proofHeight`. */
  verifyNonMembership(
    clientId: string,
    proofHeight: bigint,
    key: Uint8Array,
    proof: Uint8Array,
  ): Promise<void>;
  /** The counterparty block time (ns) at a height the client has a consensus state for; throws otherwise. */
  consensusTimestamp(clientId: string, height: bigint): Promise<bigint>;
}

/**
 * The callbacks an application bound to a port implements (ICS-26 module callbacks).
 *
 * Contract: a callback either succeeds, or throws before it writes anything (the packet handler then
 * writes nothing either, so the whole message is refused with no state change). `onRecvPacket` reports
 * an application-level failure as an error acknowledgement, not by throwing: the packet is then still
 * received exactly once and the sender is told (ICS-04 `writeAcknowledgement`).
 */
export interface IbcApp {
  /** Handles a proven incoming packet; returns the (non-empty) acknowledgement bytes to commit. */
  onRecvPacket(packet: Packet): Promise<Uint8Array>;
  /** Handles the counterparty's proven acknowledgement of a packet this chain sent. */
  onAcknowledgementPacket(packet: Packet, acknowledgement: Uint8Array): Promise<void>;
  /** Handles a packet this chain sent that is proven never to be received (refunds and the like). */
  onTimeoutPacket(packet: Packet): Promise<void>;
  /** Called once when the channel closes (an ordered channel closes on its first timeout). */
  onChanClose(channel: ChannelEnd): Promise<void>;
}
