import { type AppStore, decToString } from "../../app/index.ts";
import type { StakingKeeperImpl } from "./keeper.ts";

/**
 * x/staking's invariants (keeper/invariants.go): module accounts match the validators and unbonding
 * entries they back, delegator shares add up, nothing is negative. They scan all state (tests, debug).
 */
export async function stakingInvariants(k: StakingKeeperImpl, store: AppStore): Promise<string[]> {
  const broken: string[] = [];
  const validators = await k.validators(store);
  let bonded = 0n;
  let notBonded = 0n;
  for (const v of validators) {
    if (v.status === "bonded") bonded += v.tokens;
    else notBonded += v.tokens;
    if (v.tokens < 0n) broken.push(`staking: validator ${hex(v.operator)} has negative tokens ${v.tokens}`);
    if (v.delegatorShares < 0n) {
      broken.push(
        `staking: validator ${hex(v.operator)} has negative shares ${decToString(v.delegatorShares)}`,
      );
    }
  }
  for (const u of await k.allUnbondingDelegations(store)) {
    if (u.entries.length === 0) broken.push(`staking: unbonding delegation with no entries`);
    for (const e of u.entries) {
      if (e.balance < 0n) broken.push(`staking: unbonding entry ${e.unbondingId} has negative balance`);
      notBonded += e.balance;
    }
  }
  const bondedPool = await k.totalBondedTokens(store);
  const notBondedPool = await k.notBondedTokens(store);
  if (bondedPool !== bonded) {
    broken.push(
      `staking: module-accounts: bonded pool balance ${bondedPool} != bonded validators' tokens ${bonded}`,
    );
  }
  if (notBondedPool !== notBonded) {
    broken.push(
      `staking: module-accounts: not-bonded pool balance ${notBondedPool} != not-bonded tokens ${notBonded}`,
    );
  }
  // delegator-shares and positive-delegation
  const sums = new Map<string, bigint>();
  for (const d of await k.allDelegations(store)) {
    if (d.shares <= 0n) {
      broken.push(`staking: delegation ${hex(d.delegator)}/${hex(d.validator)} has non-positive shares`);
    }
    sums.set(hex(d.validator), (sums.get(hex(d.validator)) ?? 0n) + d.shares);
  }
  for (const v of validators) {
    const sum = sums.get(hex(v.operator)) ?? 0n;
    if (sum !== v.delegatorShares) {
      broken.push(
        `staking: delegator-shares: validator ${hex(v.operator)} has ${decToString(v.delegatorShares)} shares, its delegations ${decToString(sum)}`,
      );
    }
    sums.delete(hex(v.operator));
  }
  for (const op of sums.keys()) broken.push(`staking: delegations to missing validator ${op}`);
  for (const r of await k.allRedelegations(store)) {
    if (r.entries.length === 0) broken.push(`staking: redelegation with no entries`);
  }
  return broken;
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");
