import { event, type ModuleContext } from "../../app/index.ts";
import type { SlashingKeeper } from "./keeper.ts";
import { maxMissedPerWindow } from "./params.ts";

/**
 * CometBFT's ValidatorUpdateDelay: an update returned at the end of block H takes effect at H+2, so
 * the set that signed block H was decided one block earlier than its stake distribution.
 */
export const VALIDATOR_UPDATE_DELAY = 1;

/**
 * The SDK's HandleValidatorSignature (x/slashing/keeper/infractions.go, v0.50), for one vote of the
 * last commit. O(1) reads and writes, except when it jails (it then clears the validator's bits).
 *
 * - A jailed validator's votes are not counted.
 * - index = index_offset % window; index_offset += 1; the bit at index and the counter follow `signed`.
 * - A missed vote emits "liveness" {address, missed_blocks, height}.
 * - height > start_height + window and missed > window − round(min_signed × window), validator not
 *   jailed: slash slash_fraction_downtime at height − ValidatorUpdateDelay − 1 with the vote's power,
 *   emit "slash" {address, power, reason missing_signature, jailed, burned_coins}, jail, jailed_until =
 *   block time + downtime_jail_duration, and reset the counter, index offset and bitmap.
 *
 * Where the SDK returns an error (no validator for the address, no signing info) this skips the vote:
 * consensus only reports votes of validators staking put in the set, which have both.
 */
export async function handleValidatorSignature(
  ctx: ModuleContext,
  k: SlashingKeeper,
  consAddr: Uint8Array,
  power: bigint,
  signed: boolean,
): Promise<void> {
  const { store } = ctx;
  const height = BigInt(ctx.block.height);
  const validator = await k.staking.getValidatorByConsAddr(store, consAddr);
  if (!validator) return;
  // Don't update missed blocks while the validator is jailed.
  if (validator.jailed) return;
  const info = await k.getSigningInfo(store, consAddr);
  if (!info) return;
  const params = await k.params(store);
  const window = params.signedBlocksWindow;

  const index = info.indexOffset % window;
  const indexOffset = info.indexOffset + 1n;
  let counter = info.missedBlocksCounter;
  const previous = await k.signingInfos.missed(store, consAddr, index);
  const missed = !signed;
  if (!previous && missed) {
    k.signingInfos.setMissed(store, consAddr, index, true);
    counter++;
  } else if (previous && !missed) {
    k.signingInfos.setMissed(store, consAddr, index, false);
    counter--;
  }

  if (missed) {
    ctx.events.push(
      event("liveness", [
        ["address", k.consAddrString(consAddr)],
        ["missed_blocks", counter.toString()],
        ["height", height.toString()],
      ]),
    );
  }

  const minHeight = info.startHeight + window;
  const maxMissed = maxMissedPerWindow(params);
  let next = { ...info, indexOffset, missedBlocksCounter: counter };
  if (height > minHeight && counter > maxMissed) {
    // The validator was found and is not jailed (checked above), so downtime is confirmed. The stake
    // distribution that signed the block is the one from ValidatorUpdateDelay + 1 blocks ago (this is
    // the last commit); it may be negative near genesis, which only filters unbondings.
    const distributionHeight = ctx.block.height - VALIDATOR_UPDATE_DELAY - 1;
    const burned = await k.staking.slash(
      ctx,
      consAddr,
      distributionHeight,
      power,
      params.slashFractionDowntime,
    );
    const addr = k.consAddrString(consAddr);
    ctx.events.push(
      event("slash", [
        ["address", addr],
        ["power", power.toString()],
        ["reason", "missing_signature"],
        ["jailed", addr],
        ["burned_coins", burned.toString()],
      ]),
    );
    await k.staking.jail(ctx, consAddr);
    // Reset the counter and bitmap so the validator is not slashed again right after re-bonding; the
    // start height is reset by the AfterValidatorBonded hook when it bonds again.
    next = {
      ...next,
      jailedUntil: ctx.block.time + params.downtimeJailDuration,
      missedBlocksCounter: 0n,
      indexOffset: 0n,
    };
    await k.signingInfos.deleteMissedBlocks(store, consAddr);
  }
  k.setSigningInfo(store, next);
}
