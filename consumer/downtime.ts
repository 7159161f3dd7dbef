/**
 * Downtime detection on the consumer (x/slashing's HandleValidatorSignature with the CCV keeper as its
 * staking keeper): a signed-blocks window per validator of the current consumer set, fed by the last
 * commit's votes. A validator that misses too many queues one DOWNTIME slash packet for the provider
 * and gets an outstanding-downtime flag: until the provider's slash ack clears it the validator counts
 * as jailed (its votes are not tracked and no second packet is queued). The consumer never jails.
 */
import { event, type ModuleContext } from "../app/index.ts";
import type { CommitInfo } from "../consensus/index.ts";
import { encodeConsumerPacket } from "../ibc/ccv/wire.ts";
import { toHexUpper } from "../utils/index.ts";
import { maxMissedPerWindow } from "./params.ts";
import { MODULE } from "./relay.ts";
import { consumerState as S } from "./state.ts";

/**
 * CometBFT's ValidatorUpdateDelay (1) plus one: the votes of the last commit were cast by the set of
 * height − 1, decided at height − 2, which is the infraction height whose vscId the packet carries (the
 * SDK's distributionHeight).
 */
export const INFRACTION_HEIGHT_LAG = 2n;

/**
 * Queues a DOWNTIME slash packet for `address` (power at the time, vscId at the infraction height) and
 * sets its outstanding-downtime flag (QueueSlashPacket / SlashWithInfractionReason).
 */
export async function queueDowntimeSlash(
  ctx: ModuleContext,
  address: Uint8Array,
  power: bigint,
  infractionHeight: bigint,
): Promise<void> {
  const { store } = ctx;
  const vscId = await S.vscIdAtHeight(store, infractionHeight);
  const data = encodeConsumerPacket({
    type: "slash",
    slash: { validator: { address, power }, valsetUpdateId: vscId, infraction: "downtime" },
  });
  await S.appendPendingPacket(store, data);
  S.setOutstandingDowntime(store, address);
  ctx.events.push(
    event("consumer_slash_request", [
      ["module", MODULE],
      ["validator_address", toHexUpper(address)],
      ["power", power.toString()],
      ["infraction_height", infractionHeight.toString()],
      ["valset_update_id", vscId.toString()],
      ["infraction", "downtime"],
    ]),
  );
}

/**
 * One vote of the last commit. O(1) reads and writes, except on a downtime detection (it then clears the
 * validator's missed bits, at most one window's worth). Votes of addresses outside the current consumer
 * set are ignored.
 */
export async function handleVote(
  ctx: ModuleContext,
  vote: { readonly address: Uint8Array; readonly power: bigint; readonly signed: boolean },
): Promise<void> {
  const { store } = ctx;
  const height = BigInt(ctx.block.height);
  const val = await S.validator(store, vote.address);
  if (val === undefined) return;
  // IsValidatorJailed on the consumer is the outstanding-downtime flag.
  if (await S.outstandingDowntime(store, vote.address)) return;
  const params = await S.params(store);
  const window = params.signedBlocksWindow;
  const info = (await S.signingInfo(store, vote.address)) ?? {
    startHeight: height,
    indexOffset: 0n,
    missedBlocksCounter: 0n,
  };
  const index = info.indexOffset % window;
  let counter = info.missedBlocksCounter;
  const previous = await S.missed(store, vote.address, index);
  const missed = !vote.signed;
  if (!previous && missed) {
    S.setMissed(store, vote.address, index, true);
    counter++;
  } else if (previous && !missed) {
    S.setMissed(store, vote.address, index, false);
    counter--;
  }
  if (missed) {
    ctx.events.push(
      event("liveness", [
        ["address", toHexUpper(vote.address)],
        ["missed_blocks", counter.toString()],
        ["height", height.toString()],
      ]),
    );
  }
  let next = { ...info, indexOffset: info.indexOffset + 1n, missedBlocksCounter: counter };
  if (height > info.startHeight + window && counter > maxMissedPerWindow(params)) {
    // The power that signed (the vote's); the set's power if consensus reported none.
    const power = vote.power > 0n ? vote.power : val.power;
    await queueDowntimeSlash(ctx, vote.address, power, height - INFRACTION_HEIGHT_LAG);
    next = { ...next, indexOffset: 0n, missedBlocksCounter: 0n };
    await S.clearMissed(store, vote.address);
  }
  S.setSigningInfo(store, vote.address, next);
}

/** Every vote of the last commit, in the order consensus reports them. */
export async function handleLastCommit(ctx: ModuleContext, lastCommit: CommitInfo): Promise<void> {
  for (const v of lastCommit.votes) await handleVote(ctx, v);
}
