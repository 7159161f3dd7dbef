import { type AppStore, addCoins, type Coin, coinsFromWire, formatCoins } from "../../app/index.ts";
import type { GovKeeper } from "./keeper.ts";
import { STATUS } from "./types.ts";

const same = (a: readonly Coin[], b: readonly Coin[]): boolean =>
  a.length === b.length && a.every((c, i) => c.denom === b[i]!.denom && c.amount === b[i]!.amount);

/**
 * x/gov's invariants. module-account: the gov account holds exactly the deposits on record (the SDK
 * checks >=; module accounts cannot receive user sends here, so equality must hold). Deposits exist
 * only for proposals in their deposit or voting period, and each such proposal's total_deposit is the
 * sum of its deposits.
 */
export async function govInvariants(keeper: GovKeeper, store: AppStore): Promise<string[]> {
  const broken: string[] = [];
  let expected: Coin[] = [];
  const byProposal = new Map<bigint, Coin[]>();
  for (const d of await keeper.allDeposits(store)) {
    const amount = coinsFromWire(d.amount, { allowZero: true });
    expected = addCoins(expected, amount);
    byProposal.set(d.proposalId, addCoins(byProposal.get(d.proposalId) ?? [], amount));
  }
  const balance = await keeper.base.bank.allBalances(store, keeper.address);
  if (!same(balance, expected)) {
    broken.push(
      `gov: module-account invariant: deposits amount ${formatCoins(expected)}, module account balance ${formatCoins(balance)}`,
    );
  }
  for (const p of await keeper.proposals(store)) {
    const open = p.status === STATUS.deposit || p.status === STATUS.voting;
    const sum = byProposal.get(p.id) ?? [];
    byProposal.delete(p.id);
    if (!open) {
      if (sum.length > 0)
        broken.push(`gov: proposal ${p.id} is closed but holds deposits ${formatCoins(sum)}`);
      continue;
    }
    const total = coinsFromWire(p.totalDeposit, { allowZero: true });
    if (!same(total, sum)) {
      broken.push(
        `gov: proposal ${p.id} total_deposit ${formatCoins(total)} differs from its deposits ${formatCoins(sum)}`,
      );
    }
  }
  for (const [id, sum] of byProposal)
    broken.push(`gov: deposits ${formatCoins(sum)} for unknown proposal ${id}`);
  return broken;
}
