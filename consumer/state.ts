/**
 * Everything the consumer module keeps, under the "ccvconsumer/" prefix of the app state (so a restart
 * resumes exactly where it stopped): params, where the provider is, the CCV status, the current
 * consumer validator set, pending validator changes, the height → vscId map, pending slash packets,
 * the slash record, outstanding-downtime flags, signing infos and missed-block bits, and the last
 * reward transmission height. Values are fixed-order JSON or big-endian integers; every list is read
 * in key order.
 */
import { type AppStore, prefixEnd } from "../app/index.ts";
import { concatBytes, fromBase64, fromUtf8, readUint64Be, toBase64, uint64Be, utf8 } from "../utils/index.ts";
import { type ConsumerParams, consumerParamsToJson, parseConsumerParams } from "./params.ts";

// Key prefixes, one per kind of record. Never reuse a retired one.
const P = {
  params: utf8("ccvconsumer/params"),
  provider: utf8("ccvconsumer/provider"),
  established: utf8("ccvconsumer/established"),
  channelClosed: utf8("ccvconsumer/channelClosed"),
  validator: utf8("ccvconsumer/val/"),
  pendingChange: utf8("ccvconsumer/pendingChange/"),
  heightToVscId: utf8("ccvconsumer/heightVscId/"),
  pendingPacket: utf8("ccvconsumer/pendingPacket/"),
  nextPendingPacket: utf8("ccvconsumer/nextPendingPacket"),
  slashRecord: utf8("ccvconsumer/slashRecord"),
  outstandingDowntime: utf8("ccvconsumer/outstandingDowntime/"),
  signingInfo: utf8("ccvconsumer/signingInfo/"),
  missed: utf8("ccvconsumer/missed/"),
  lastTransmission: utf8("ccvconsumer/lastTransmissionHeight"),
} as const;

/** The key prefixes (for the uniqueness test). */
export const CONSUMER_KEY_PREFIXES: readonly Uint8Array[] = Object.values(P);

/** Where the provider is: chain ids, this chain's client of it, and both channel pairs. */
export interface ProviderInfo {
  readonly providerChainId: string;
  readonly consumerChainId: string;
  readonly clientId: string;
  readonly channelId: string;
  readonly providerChannelId: string;
  readonly transferChannelId: string;
  readonly providerTransferChannelId: string;
  readonly providerClientId: string;
}

/** A validator of the consumer set: its 20-byte consensus address, ed25519 key and power. */
export interface ConsumerValidator {
  readonly address: Uint8Array;
  readonly pubKey: Uint8Array;
  readonly power: bigint;
}

/** interchain-security's SlashRecord: a slash packet is in flight, and when it (last) left. */
export interface SlashRecord {
  readonly waitingOnReply: boolean;
  readonly sendTime: bigint;
}

/** A queued slash packet (its ConsumerPacketData bytes, as they will be sent) and its queue index. */
export interface PendingPacket {
  readonly index: bigint;
  readonly data: Uint8Array;
}

/** The consumer's liveness record of one validator (x/slashing's signing info, minus jailing). */
export interface SigningInfo {
  readonly startHeight: bigint;
  readonly indexOffset: bigint;
  readonly missedBlocksCounter: bigint;
}

const ONE = Uint8Array.of(1);

function json(v: unknown): Uint8Array {
  return utf8(JSON.stringify(v));
}

function parse(b: Uint8Array): Record<string, unknown> {
  return JSON.parse(fromUtf8(b)) as Record<string, unknown>;
}

async function* range(store: AppStore, prefix: Uint8Array): AsyncIterable<[Uint8Array, Uint8Array]> {
  yield* store.iterate({ gte: prefix, lt: prefixEnd(prefix) });
}

/** Typed reads and writes of the consumer module's records (see the file comment). */
export const consumerState = {
  async params(store: AppStore): Promise<ConsumerParams> {
    const b = await store.get(P.params);
    if (b === undefined) throw new Error("ccvconsumer params are not set (no consumer genesis)");
    return parseConsumerParams(JSON.parse(fromUtf8(b)));
  },
  setParams(store: AppStore, p: ConsumerParams): void {
    store.set(P.params, json(consumerParamsToJson(p)));
  },

  async provider(store: AppStore): Promise<ProviderInfo | undefined> {
    const b = await store.get(P.provider);
    return b === undefined ? undefined : (parse(b) as unknown as ProviderInfo);
  },
  setProvider(store: AppStore, p: ProviderInfo): void {
    store.set(
      P.provider,
      json({
        providerChainId: p.providerChainId,
        consumerChainId: p.consumerChainId,
        clientId: p.clientId,
        channelId: p.channelId,
        providerChannelId: p.providerChannelId,
        transferChannelId: p.transferChannelId,
        providerTransferChannelId: p.providerTransferChannelId,
        providerClientId: p.providerClientId,
      }),
    );
  },

  /** True once the first VSC packet arrived (the reference's provider channel is set). */
  async established(store: AppStore): Promise<boolean> {
    return (await store.get(P.established)) !== undefined;
  },
  setEstablished(store: AppStore): void {
    store.set(P.established, ONE);
  },

  async channelClosed(store: AppStore): Promise<boolean> {
    return (await store.get(P.channelClosed)) !== undefined;
  },
  setChannelClosed(store: AppStore): void {
    store.set(P.channelClosed, ONE);
  },

  // ---- the consumer validator set ------------------------------------------------------------

  async validator(store: AppStore, address: Uint8Array): Promise<ConsumerValidator | undefined> {
    const b = await store.get(concatBytes(P.validator, address));
    if (b === undefined) return undefined;
    const o = parse(b);
    return { address, pubKey: fromBase64(o.pubKey as string), power: BigInt(o.power as string) };
  },
  setValidator(store: AppStore, v: ConsumerValidator): void {
    store.set(
      concatBytes(P.validator, v.address),
      json({ pubKey: toBase64(v.pubKey), power: v.power.toString() }),
    );
  },
  deleteValidator(store: AppStore, address: Uint8Array): void {
    store.delete(concatBytes(P.validator, address));
  },
  /** The current set, in address order. */
  async validators(store: AppStore): Promise<ConsumerValidator[]> {
    const out: ConsumerValidator[] = [];
    for await (const [k, v] of range(store, P.validator)) {
      const o = parse(v);
      out.push({
        address: k.slice(P.validator.length),
        pubKey: fromBase64(o.pubKey as string),
        power: BigInt(o.power as string),
      });
    }
    return out;
  },

  // ---- validator changes received, applied in EndBlock ----------------------------------------

  setPendingChange(store: AppStore, pubKey: Uint8Array, power: bigint): void {
    store.set(concatBytes(P.pendingChange, pubKey), uint64Be(power));
  },
  /** Pending changes in public-key order; `clear` deletes them. */
  async pendingChanges(store: AppStore): Promise<{ pubKey: Uint8Array; power: bigint }[]> {
    const out: { pubKey: Uint8Array; power: bigint }[] = [];
    for await (const [k, v] of range(store, P.pendingChange)) {
      out.push({ pubKey: k.slice(P.pendingChange.length), power: readUint64Be(v) });
    }
    return out;
  },
  deletePendingChange(store: AppStore, pubKey: Uint8Array): void {
    store.delete(concatBytes(P.pendingChange, pubKey));
  },

  // ---- height → vscId -------------------------------------------------------------------------

  async vscIdAtHeight(store: AppStore, height: bigint): Promise<bigint> {
    if (height < 0n) return 0n;
    const b = await store.get(concatBytes(P.heightToVscId, uint64Be(height)));
    return b === undefined ? 0n : readUint64Be(b);
  },
  setVscIdAtHeight(store: AppStore, height: bigint, vscId: bigint): void {
    store.set(concatBytes(P.heightToVscId, uint64Be(height)), uint64Be(vscId));
  },
  /** Deletes every entry below `height` (ascending; usually one per block). */
  async pruneVscIdsBelow(store: AppStore, height: bigint): Promise<void> {
    if (height <= 0n) return;
    const doomed: Uint8Array[] = [];
    for await (const [k] of store.iterate({
      gte: P.heightToVscId,
      lt: concatBytes(P.heightToVscId, uint64Be(height)),
    }))
      doomed.push(k);
    for (const k of doomed) store.delete(k);
  },
  /** Every entry in height order (genesis export, queries). */
  async vscIds(store: AppStore): Promise<{ height: bigint; vscId: bigint }[]> {
    const out: { height: bigint; vscId: bigint }[] = [];
    for await (const [k, v] of range(store, P.heightToVscId)) {
      out.push({ height: readUint64Be(k, P.heightToVscId.length), vscId: readUint64Be(v) });
    }
    return out;
  },

  // ---- pending packets (FIFO) -----------------------------------------------------------------

  async appendPendingPacket(store: AppStore, data: Uint8Array): Promise<bigint> {
    const b = await store.get(P.nextPendingPacket);
    const index = b === undefined ? 0n : readUint64Be(b);
    store.set(concatBytes(P.pendingPacket, uint64Be(index)), data);
    store.set(P.nextPendingPacket, uint64Be(index + 1n));
    return index;
  },
  async pendingPackets(store: AppStore): Promise<PendingPacket[]> {
    const out: PendingPacket[] = [];
    for await (const [k, v] of range(store, P.pendingPacket)) {
      out.push({ index: readUint64Be(k, P.pendingPacket.length), data: v });
    }
    return out;
  },
  async headPendingPacket(store: AppStore): Promise<PendingPacket | undefined> {
    for await (const [k, v] of range(store, P.pendingPacket)) {
      return { index: readUint64Be(k, P.pendingPacket.length), data: v };
    }
    return undefined;
  },
  deletePendingPacket(store: AppStore, index: bigint): void {
    store.delete(concatBytes(P.pendingPacket, uint64Be(index)));
  },

  // ---- slash record ---------------------------------------------------------------------------

  async slashRecord(store: AppStore): Promise<SlashRecord | undefined> {
    const b = await store.get(P.slashRecord);
    if (b === undefined) return undefined;
    const o = parse(b);
    return { waitingOnReply: o.waiting_on_reply === true, sendTime: BigInt(o.send_time as string) };
  },
  setSlashRecord(store: AppStore, r: SlashRecord): void {
    store.set(P.slashRecord, json({ waiting_on_reply: r.waitingOnReply, send_time: r.sendTime.toString() }));
  },
  clearSlashRecord(store: AppStore): void {
    store.delete(P.slashRecord);
  },

  // ---- outstanding downtime -------------------------------------------------------------------

  async outstandingDowntime(store: AppStore, address: Uint8Array): Promise<boolean> {
    return (await store.get(concatBytes(P.outstandingDowntime, address))) !== undefined;
  },
  setOutstandingDowntime(store: AppStore, address: Uint8Array): void {
    store.set(concatBytes(P.outstandingDowntime, address), ONE);
  },
  deleteOutstandingDowntime(store: AppStore, address: Uint8Array): void {
    store.delete(concatBytes(P.outstandingDowntime, address));
  },
  async outstandingDowntimes(store: AppStore): Promise<Uint8Array[]> {
    const out: Uint8Array[] = [];
    for await (const [k] of range(store, P.outstandingDowntime))
      out.push(k.slice(P.outstandingDowntime.length));
    return out;
  },

  // ---- liveness -------------------------------------------------------------------------------

  async signingInfo(store: AppStore, address: Uint8Array): Promise<SigningInfo | undefined> {
    const b = await store.get(concatBytes(P.signingInfo, address));
    if (b === undefined) return undefined;
    const o = parse(b);
    return {
      startHeight: BigInt(o.start_height as string),
      indexOffset: BigInt(o.index_offset as string),
      missedBlocksCounter: BigInt(o.missed_blocks_counter as string),
    };
  },
  setSigningInfo(store: AppStore, address: Uint8Array, i: SigningInfo): void {
    store.set(
      concatBytes(P.signingInfo, address),
      json({
        start_height: i.startHeight.toString(),
        index_offset: i.indexOffset.toString(),
        missed_blocks_counter: i.missedBlocksCounter.toString(),
      }),
    );
  },
  deleteSigningInfo(store: AppStore, address: Uint8Array): void {
    store.delete(concatBytes(P.signingInfo, address));
  },
  async missed(store: AppStore, address: Uint8Array, index: bigint): Promise<boolean> {
    return (await store.get(concatBytes(P.missed, address, uint64Be(index)))) !== undefined;
  },
  setMissed(store: AppStore, address: Uint8Array, index: bigint, missed: boolean): void {
    const k = concatBytes(P.missed, address, uint64Be(index));
    if (missed) store.set(k, ONE);
    else store.delete(k);
  },
  /** Clears one validator's missed-block bits (at most one window's worth). */
  async clearMissed(store: AppStore, address: Uint8Array): Promise<void> {
    const prefix = concatBytes(P.missed, address);
    const doomed: Uint8Array[] = [];
    for await (const [k] of range(store, prefix)) doomed.push(k);
    for (const k of doomed) store.delete(k);
  },

  // ---- rewards --------------------------------------------------------------------------------

  async lastTransmissionHeight(store: AppStore): Promise<bigint> {
    const b = await store.get(P.lastTransmission);
    return b === undefined ? 0n : readUint64Be(b);
  },
  setLastTransmissionHeight(store: AppStore, height: bigint): void {
    store.set(P.lastTransmission, uint64Be(height));
  },
};
