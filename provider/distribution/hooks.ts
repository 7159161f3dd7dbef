import type { StakingHooks } from "../staking/types.ts";
import {
  incrementValidatorPeriod,
  initializeDelegation,
  initializeValidator,
  updateValidatorSlashFraction,
} from "./f1.ts";
import type { DistributionKeeper } from "./keeper.ts";

/**
 * x/distribution's staking hooks (keeper/hooks.go, SDK 0.50): they keep F1 consistent with every
 * stake change. BeforeDelegationRemoved is a no-op (the rewards were withdrawn by
 * BeforeDelegationSharesModified); bonding and unbonding hooks do not concern distribution.
 */
export function distributionHooks(k: DistributionKeeper): StakingHooks {
  return {
    async afterValidatorCreated(ctx, val) {
      initializeValidator(ctx.store, val);
    },
    async afterValidatorRemoved(ctx, _consAddr, val) {
      await k.afterValidatorRemoved(ctx, val);
    },
    async beforeDelegationCreated(ctx, _del, val) {
      await incrementValidatorPeriod(ctx.store, await k.validator(ctx.store, val));
    },
    async beforeDelegationSharesModified(ctx, del, val) {
      const v = await k.validator(ctx.store, val);
      const d = await k.delegation(ctx.store, del, val);
      await k.withdrawRewards(ctx, v, d);
    },
    async afterDelegationModified(ctx, del, val) {
      const v = await k.validator(ctx.store, val);
      const d = await k.delegation(ctx.store, del, val);
      await initializeDelegation(ctx.store, v, d, ctx.block.height);
    },
    async beforeValidatorSlashed(ctx, val, fraction) {
      await updateValidatorSlashFraction(
        ctx.store,
        await k.validator(ctx.store, val),
        fraction,
        ctx.block.height,
      );
    },
  };
}
