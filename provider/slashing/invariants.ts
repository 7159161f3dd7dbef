import type { AppStore } from "../../app/index.ts";
import type { SlashingKeeper } from "./keeper.ts";

/**
 * x/slashing's invariants over a state: a tombstoned validator that still exists is jailed, and every
 * signing info's missed_blocks_counter equals the number of missed bits recorded for it. Walks every
 * signing info and bit, so it is meant for tests and the crisis-style check, not for every block.
 */
export async function slashingInvariants(store: AppStore, k: SlashingKeeper): Promise<string[]> {
  const broken: string[] = [];
  for (const info of await k.signingInfos.all(store)) {
    const addr = k.consAddrString(info.address);
    if (info.tombstoned) {
      const v = await k.staking.getValidatorByConsAddr(store, info.address);
      if (v && !v.jailed) broken.push(`slashing: tombstoned validator ${addr} is not jailed`);
    }
    const bits = BigInt((await k.signingInfos.missedIndexes(store, info.address)).length);
    if (bits !== info.missedBlocksCounter) {
      broken.push(
        `slashing: validator ${addr} missed_blocks_counter ${info.missedBlocksCounter} != ${bits} missed blocks in its bitmap`,
      );
    }
  }
  return broken;
}
