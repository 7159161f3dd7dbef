/**
 * The consumer module's keeper: the CCV validator set (initial set from genesis, changes from VSC
 * packets applied in EndBlock), the vscId-per-height map, downtime detection, slash packet sending and
 * reward transmission, all over the app state (see state.ts), so a restarted node resumes as it was.
 */

import type { AppStore } from "../app/index.ts";
import {
  type BankKeeper,
  type BaseKeepers,
  type BeginBlockInfo,
  event,
  type IbcKeeper,
  type ModuleContext,
} from "../app/index.ts";
import type { ValidatorUpdate } from "../consensus/index.ts";
import { addressFromPubKey } from "../crypto/index.ts";
import { CONSUMER_PORT } from "../ibc/ccv/wire.ts";
import { ChannelState, getChannel, type IbcApp } from "../ibc/index.ts";
import { handleLastCommit } from "./downtime.ts";
import type { ConsumerParams } from "./params.ts";
import { consumerIbcApp, MODULE } from "./relay.ts";
import { CONS_REDISTRIBUTE, CONS_TO_SEND_TO_PROVIDER, endBlockRewards } from "./rewards.ts";
import {
  type ConsumerValidator,
  type PendingPacket,
  type ProviderInfo,
  consumerState as S,
  type SlashRecord,
} from "./state.ts";
import { sendPendingPackets } from "./throttle.ts";

/**
 * How many heights beyond the signed-blocks window the height → vscId map keeps (a downtime infraction
 * looks up height − 2; the margin serves queries and a later, larger lookback).
 */
export const VSC_ID_RETENTION_MARGIN = 1000n;

/** The consumer module's keeper (see the file comment). */
export class ConsumerKeeper {
  readonly bank: BankKeeper;
  readonly ibc: IbcKeeper;

  /** Registers the two reward module accounts on the bank (call at app assembly). */
  constructor(base: BaseKeepers, ibc: IbcKeeper) {
    this.bank = base.bank;
    this.ibc = ibc;
    base.bank.registerModule(CONS_REDISTRIBUTE);
    base.bank.registerModule(CONS_TO_SEND_TO_PROVIDER);
  }

  /** The application bound to the "consumer" port, for one context. */
  ibcApp(ctx: ModuleContext): IbcApp {
    return consumerIbcApp(ctx);
  }

  // ---- reads ------------------------------------------------------------------------------------

  params(store: AppStore): Promise<ConsumerParams> {
    return S.params(store);
  }
  providerInfo(store: AppStore): Promise<ProviderInfo | undefined> {
    return S.provider(store);
  }
  /** True once the first VSC packet was received. */
  established(store: AppStore): Promise<boolean> {
    return S.established(store);
  }
  /** True once the CCV channel closed (timeout or error acknowledgement). */
  async channelClosed(store: AppStore): Promise<boolean> {
    if (await S.channelClosed(store)) return true;
    const p = await S.provider(store);
    if (p === undefined) return false;
    return (await getChannel(store, CONSUMER_PORT, p.channelId))?.state === ChannelState.closed;
  }
  /** The current consumer validator set, in address order. */
  validators(store: AppStore): Promise<ConsumerValidator[]> {
    return S.validators(store);
  }
  pendingPackets(store: AppStore): Promise<PendingPacket[]> {
    return S.pendingPackets(store);
  }
  slashRecord(store: AppStore): Promise<SlashRecord | undefined> {
    return S.slashRecord(store);
  }
  vscIdAtHeight(store: AppStore, height: bigint): Promise<bigint> {
    return S.vscIdAtHeight(store, height);
  }
  outstandingDowntime(store: AppStore, address: Uint8Array): Promise<boolean> {
    return S.outstandingDowntime(store, address);
  }

  // ---- blocks -----------------------------------------------------------------------------------

  /**
   * BeginBlock: reports a closed CCV channel (every block, as the reference logs it), carries the
   * vscId of this height to the next, prunes the map past its retention, then tracks liveness.
   */
  async beginBlock(ctx: ModuleContext, info: BeginBlockInfo): Promise<void> {
    const { store } = ctx;
    const height = BigInt(ctx.block.height);
    if ((await S.established(store)) && (await this.channelClosed(store))) {
      if (!(await S.channelClosed(store))) S.setChannelClosed(store);
      ctx.events.push(
        event("ccv_channel_closed", [
          ["module", MODULE],
          ["height", height.toString()],
          ["reason", "the CCV channel is closed; the chain runs on with its last validator set"],
        ]),
      );
    }
    S.setVscIdAtHeight(store, height + 1n, await S.vscIdAtHeight(store, height));
    const params = await S.params(store);
    await S.pruneVscIdsBelow(store, height - params.signedBlocksWindow - VSC_ID_RETENTION_MARGIN);
    await handleLastCommit(ctx, info.lastCommit);
  }

  /** EndBlock: rewards, slash packet sending, then the accumulated validator changes (effective H+2). */
  async endBlock(ctx: ModuleContext): Promise<ValidatorUpdate[]> {
    await endBlockRewards(ctx, this.bank, this.ibc);
    await sendPendingPackets(ctx, this.ibc);
    return this.applyPendingChanges(ctx);
  }

  /**
   * ApplyCCValidatorChanges: each pending change (public-key order) updates, adds or removes a
   * validator of the consumer set; a removal of an unknown validator is dropped, not forwarded. A new
   * validator's liveness window starts at this height (the slashing hook AfterValidatorBonded).
   */
  async applyPendingChanges(ctx: ModuleContext): Promise<ValidatorUpdate[]> {
    const { store } = ctx;
    const height = BigInt(ctx.block.height);
    const out: ValidatorUpdate[] = [];
    for (const c of await S.pendingChanges(store)) {
      S.deletePendingChange(store, c.pubKey);
      const address = addressFromPubKey(c.pubKey);
      const existing = await S.validator(store, address);
      if (existing !== undefined) {
        if (c.power < 1n) S.deleteValidator(store, address);
        else S.setValidator(store, { address, pubKey: c.pubKey, power: c.power });
      } else if (c.power > 0n) {
        S.setValidator(store, { address, pubKey: c.pubKey, power: c.power });
        const info = await S.signingInfo(store, address);
        S.setSigningInfo(
          store,
          address,
          info === undefined
            ? { startHeight: height, indexOffset: 0n, missedBlocksCounter: 0n }
            : { ...info, startHeight: height },
        );
      } else {
        continue;
      }
      out.push({ pubKey: c.pubKey, power: c.power });
    }
    return out;
  }

  /** Invariants: no change is left pending after a block; a waiting slash record has a packet in flight. */
  async invariants(store: AppStore): Promise<string[]> {
    if ((await store.get(new TextEncoder().encode("ccvconsumer/params"))) === undefined) return [];
    const broken: string[] = [];
    if ((await S.pendingChanges(store)).length > 0)
      broken.push("ccvconsumer: validator changes left pending after EndBlock");
    const record = await S.slashRecord(store);
    if (record?.waitingOnReply && (await S.headPendingPacket(store)) === undefined)
      broken.push("ccvconsumer: slash record waits on a reply but no slash packet is pending");
    if ((await S.validators(store)).length === 0)
      broken.push("ccvconsumer: the consumer validator set is empty");
    return broken;
  }
}
