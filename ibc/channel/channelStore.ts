/**
 * Channel ends and their sequence counters in state: the channel-end encoding, reads that fail with a
 * clear error, and opening a channel from genesis (no ICS-04 handshake: both chains' genesis carry
 * matching records, so each side starts OPEN with every counter at 1).
 */
import { readUint64Be, uint64Be, utf8 } from "../../utils/index.ts";
import { ByteReader, ByteWriter } from "./codec.ts";
import { ChannelErrorCode, channelError } from "./errors.ts";
import {
  channelKey,
  nextSequenceAckKey,
  nextSequenceRecvKey,
  nextSequenceSendKey,
  validateChannelId,
  validatePortId,
} from "./keys.ts";
import { type ChannelEnd, ChannelOrder, ChannelState, type IbcStore } from "./types.ts";

/** A channel as genesis describes it: everything but the state, which is OPEN. */
export type GenesisChannel = Omit<ChannelEnd, "state">;

const CHANNEL_FORMAT = 1;
// The numbers of ibc-go's channeltypes.State / Order enums, so the bytes read the same way.
const STATE_CODE: Record<ChannelState, number> = { INIT: 1, OPEN: 3, CLOSED: 4 };
const ORDER_CODE: Record<ChannelOrder, number> = { unordered: 1, ordered: 2 };
const MAX_VERSION = 256;
const CLIENT_ID = /^[a-zA-Z0-9._+\-#[\]<>]{2,64}$/;

function byCode<T extends string>(table: Record<T, number>, code: number): T | undefined {
  for (const k of Object.keys(table).sort() as T[]) if (table[k] === code) return k;
  return undefined;
}

/** Deterministic encoding of a channel end (format byte, state, ordering, then the strings in order). */
export function encodeChannelEnd(c: ChannelEnd): Uint8Array {
  return new ByteWriter()
    .u8(CHANNEL_FORMAT)
    .u8(STATE_CODE[c.state])
    .u8(ORDER_CODE[c.ordering])
    .string(c.portId)
    .string(c.channelId)
    .string(c.counterpartyPortId)
    .string(c.counterpartyChannelId)
    .string(c.clientId)
    .string(c.version)
    .finish();
}

/** Decodes a channel end; throws IBC_CHANNEL_INVALID on anything but a valid encoding. */
export function decodeChannelEnd(bytes: Uint8Array): ChannelEnd {
  const r = new ByteReader(bytes, "channel end", ChannelErrorCode.channelInvalid);
  if (r.u8() !== CHANNEL_FORMAT) r.fail("unknown format");
  const state = byCode(STATE_CODE, r.u8()) ?? r.fail("unknown state");
  const ordering = byCode(ORDER_CODE, r.u8()) ?? r.fail("unknown ordering");
  const c: ChannelEnd = {
    state,
    ordering,
    portId: r.string(128),
    channelId: r.string(64),
    counterpartyPortId: r.string(128),
    counterpartyChannelId: r.string(64),
    clientId: r.string(64),
    version: r.string(MAX_VERSION),
  };
  r.end();
  return c;
}

/** The channel end at (port, channel), or undefined. */
export async function getChannel(
  store: IbcStore,
  port: string,
  channel: string,
): Promise<ChannelEnd | undefined> {
  const b = await store.get(channelKey(port, channel));
  return b === undefined ? undefined : decodeChannelEnd(b);
}

/** The channel end at (port, channel); throws IBC_CHANNEL_NOT_FOUND when there is none. */
export async function mustGetChannel(store: IbcStore, port: string, channel: string): Promise<ChannelEnd> {
  const c = await getChannel(store, port, channel);
  if (c === undefined) {
    throw channelError(ChannelErrorCode.channelNotFound, `channel ${port}/${channel} does not exist`, {
      port,
      channel,
    });
  }
  return c;
}

/** Throws IBC_CHANNEL_NOT_OPEN unless the channel is OPEN. */
export function requireOpen(c: ChannelEnd): void {
  if (c.state !== ChannelState.open) {
    throw channelError(
      ChannelErrorCode.channelNotOpen,
      `channel ${c.portId}/${c.channelId} is ${c.state}, not OPEN`,
      { port: c.portId, channel: c.channelId, state: c.state },
    );
  }
}

/** Writes a channel end. */
export function setChannel(store: IbcStore, c: ChannelEnd): void {
  store.set(channelKey(c.portId, c.channelId), encodeChannelEnd(c));
}

/** Which sequence counter of a channel. */
export type SequenceCounter = "send" | "recv" | "ack";

function counterKey(which: SequenceCounter, port: string, channel: string): Uint8Array {
  if (which === "send") return nextSequenceSendKey(port, channel);
  if (which === "recv") return nextSequenceRecvKey(port, channel);
  return nextSequenceAckKey(port, channel);
}

/** The next sequence of a counter; throws IBC_CHANNEL_NOT_FOUND when the channel has none. */
export async function getNextSequence(
  store: IbcStore,
  which: SequenceCounter,
  port: string,
  channel: string,
): Promise<bigint> {
  const b = await store.get(counterKey(which, port, channel));
  if (b === undefined || b.length !== 8) {
    throw channelError(
      ChannelErrorCode.channelNotFound,
      `channel ${port}/${channel} has no nextSequence ${which}`,
      {
        port,
        channel,
      },
    );
  }
  return readUint64Be(b);
}

/** Writes a counter as u64 BE (the encoding the counterparty proves for nextSequenceRecv). */
export function setNextSequence(
  store: IbcStore,
  which: SequenceCounter,
  port: string,
  channel: string,
  seq: bigint,
): void {
  store.set(counterKey(which, port, channel), uint64Be(seq));
}

/** Throws IBC_CHANNEL_INVALID (or IBC_INVALID_IDENTIFIER) unless a genesis channel record is well formed. */
export function validateGenesisChannel(g: GenesisChannel): void {
  validatePortId(g.portId);
  validateChannelId(g.channelId);
  validatePortId(g.counterpartyPortId);
  validateChannelId(g.counterpartyChannelId);
  if (g.ordering !== ChannelOrder.ordered && g.ordering !== ChannelOrder.unordered) {
    throw channelError(
      ChannelErrorCode.channelInvalid,
      `channel ordering ${String(g.ordering)} is not ordered|unordered`,
    );
  }
  if (typeof g.clientId !== "string" || !CLIENT_ID.test(g.clientId)) {
    throw channelError(
      ChannelErrorCode.channelInvalid,
      `channel client id ${JSON.stringify(g.clientId)} is invalid`,
    );
  }
  if (typeof g.version !== "string" || utf8(g.version).length > MAX_VERSION) {
    throw channelError(
      ChannelErrorCode.channelInvalid,
      `channel version must be a string of at most ${MAX_VERSION} bytes`,
    );
  }
}

/**
 * Opens a channel from a genesis record: stores an OPEN channel end and sets nextSequenceSend,
 * nextSequenceRecv and nextSequenceAck to 1. Throws IBC_CHANNEL_EXISTS if the channel exists (and
 * writes nothing). The counterparty's genesis must carry the mirror record; nothing here can check that.
 */
export async function openChannelFromGenesis(store: IbcStore, record: GenesisChannel): Promise<ChannelEnd> {
  validateGenesisChannel(record);
  if ((await getChannel(store, record.portId, record.channelId)) !== undefined) {
    throw channelError(
      ChannelErrorCode.channelExists,
      `channel ${record.portId}/${record.channelId} already exists`,
      {
        port: record.portId,
        channel: record.channelId,
      },
    );
  }
  const c: ChannelEnd = {
    state: ChannelState.open,
    ordering: record.ordering,
    portId: record.portId,
    channelId: record.channelId,
    counterpartyPortId: record.counterpartyPortId,
    counterpartyChannelId: record.counterpartyChannelId,
    clientId: record.clientId,
    version: record.version,
  };
  setChannel(store, c);
  for (const which of ["send", "recv", "ack"] as const)
    setNextSequence(store, which, c.portId, c.channelId, 1n);
  return c;
}
