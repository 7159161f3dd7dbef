import type { Proposal, TallyResult, WeightedVoteOption } from "cosmjs-types/cosmos/gov/v1/gov";
import {
  type AppStore,
  addressBytes,
  type Dec,
  decFromInt,
  decFromString,
  decMul,
  decMulInt,
  decQuo,
  decTruncate,
} from "../../app/index.ts";
import { toHex } from "../../utils/index.ts";
import type { GovKeeper } from "./keeper.ts";
import { voteKey } from "./keys.ts";
import { OPTION } from "./types.ts";

/** What a tally decides: whether the proposal passes, whether its deposits burn, and the counts. */
export interface TallyOutcome {
  readonly passes: boolean;
  readonly burnDeposits: boolean;
  readonly tally: TallyResult;
}

interface ValidatorGovInfo {
  readonly tokens: bigint;
  readonly delegatorShares: Dec;
  deductions: Dec;
  vote: readonly WeightedVoteOption[];
}

/**
 * The SDK's Keeper.Tally (x/gov/keeper/tally.go). Voting power is stake in bonded validators: a
 * delegator who voted counts its delegations' tokens (shares × tokens / delegator shares, LegacyDec)
 * with its own options, and those shares are deducted from its validators; a validator that voted
 * counts what remains of its bonded tokens with its options. Then, in order: no bonded tokens fails;
 * turnout below quorum fails (deposits burn when burn_vote_quorum); everyone abstaining fails;
 * no-with-veto above veto_threshold of all power fails (deposits burn when burn_vote_veto); yes above
 * threshold of the non-abstaining power passes. Cost: the bonded set plus the voters' delegations.
 *
 * As the SDK, the votes are deleted as they are counted when `deleteVotes` (the end block); a live
 * tally (the TallyResult query) leaves them.
 */
export async function tallyProposal(
  keeper: GovKeeper,
  store: AppStore,
  proposal: Proposal,
  deleteVotes: boolean,
): Promise<TallyOutcome> {
  const results = new Map<number, Dec>([
    [OPTION.yes, 0n],
    [OPTION.abstain, 0n],
    [OPTION.no, 0n],
    [OPTION.veto, 0n],
  ]);
  const add = (options: readonly WeightedVoteOption[], power: Dec) => {
    for (const o of options) {
      const sub = decMul(power, decFromString(o.weight, "vote weight"));
      results.set(o.option, (results.get(o.option) ?? 0n) + sub);
    }
  };
  let totalVotingPower: Dec = 0n;
  const validators = new Map<string, ValidatorGovInfo>();
  for (const v of await keeper.staking.bondedValidatorsByPower(store)) {
    validators.set(toHex(v.operator), {
      tokens: v.status === "bonded" ? v.tokens : 0n,
      delegatorShares: v.delegatorShares,
      deductions: 0n,
      vote: [],
    });
  }

  for (const vote of await keeper.votes(store, proposal.id)) {
    const voter = addressBytes(vote.voter, keeper.prefix);
    const own = validators.get(toHex(voter));
    if (own) own.vote = vote.options;
    for (const d of await keeper.staking.delegatorDelegations(store, voter)) {
      const val = validators.get(toHex(d.validator));
      if (!val || val.delegatorShares === 0n) continue;
      // The voter's own stake counts with its own vote even when it is also the validator.
      val.deductions += d.shares;
      const power = decQuo(decMulInt(d.shares, val.tokens), val.delegatorShares);
      add(vote.options, power);
      totalVotingPower += power;
    }
    if (deleteVotes) store.delete(voteKey(proposal.id, voter));
  }

  for (const val of validators.values()) {
    if (val.vote.length === 0 || val.delegatorShares === 0n) continue;
    const sharesAfterDeductions = val.delegatorShares - val.deductions;
    const power = decQuo(decMulInt(sharesAfterDeductions, val.tokens), val.delegatorShares);
    add(val.vote, power);
    totalVotingPower += power;
  }

  const params = await keeper.getParams(store);
  const yes = results.get(OPTION.yes)!;
  const abstain = results.get(OPTION.abstain)!;
  const veto = results.get(OPTION.veto)!;
  const tally: TallyResult = {
    yesCount: decTruncate(yes).toString(),
    abstainCount: decTruncate(abstain).toString(),
    noCount: decTruncate(results.get(OPTION.no)!).toString(),
    noWithVetoCount: decTruncate(veto).toString(),
  };
  const outcome = (passes: boolean, burnDeposits: boolean): TallyOutcome => ({ passes, burnDeposits, tally });

  const totalBonded = await keeper.staking.totalBondedTokens(store);
  if (totalBonded === 0n) return outcome(false, false);
  if (decQuo(totalVotingPower, decFromInt(totalBonded)) < params.quorum) {
    return outcome(false, params.burnVoteQuorum);
  }
  if (totalVotingPower - abstain === 0n) return outcome(false, false);
  if (decQuo(veto, totalVotingPower) > params.vetoThreshold) return outcome(false, params.burnVoteVeto);
  if (decQuo(yes, totalVotingPower - abstain) > params.threshold) return outcome(true, false);
  return outcome(false, false);
}
