import type * as v1 from "cosmjs-types/cosmos/gov/v1/gov";
import { MsgExecLegacyContent } from "cosmjs-types/cosmos/gov/v1/tx";
import * as v1beta1 from "cosmjs-types/cosmos/gov/v1beta1/gov";
import type { Any } from "cosmjs-types/google/protobuf/any";
import { decFromString, decToAtomics } from "../../app/index.ts";
import { utf8 } from "../../utils/index.ts";
import type { GovParams } from "./params.ts";
import { nsToDuration } from "./params.ts";
import { EXEC_LEGACY_CONTENT_TYPE, TEXT_PROPOSAL_TYPE } from "./types.ts";

const ZERO_TIME = { seconds: 0n, nanos: 0 };

/**
 * The v1beta1 content of a v1 proposal (the SDK's v3.ConvertToLegacyProposal, best-effort): one
 * MsgExecLegacyContent shows its content (a v1beta1 submission's TextProposal); one other message
 * shows as itself, as the SDK's "hack to fill up the content with the first message". Where the SDK
 * fails (no message, or several) icsd shows a TextProposal of the title and summary instead, so that
 * listing proposals through v1beta1 (CosmJS) never fails on one proposal.
 */
export function legacyContentOf(p: v1.Proposal): Any {
  if (p.messages.length === 1) {
    const m = p.messages[0]!;
    if (m.typeUrl === EXEC_LEGACY_CONTENT_TYPE) {
      try {
        const content = MsgExecLegacyContent.decode(m.value).content;
        if (content) return content;
      } catch {
        // fall through to the text form
      }
    } else {
      return m;
    }
  }
  return {
    typeUrl: TEXT_PROPOSAL_TYPE,
    value: v1beta1.TextProposal.encode({ title: p.title, description: p.summary }).finish(),
  };
}

export function legacyTally(t: v1.TallyResult | undefined): v1beta1.TallyResult {
  return {
    yes: t?.yesCount || "0",
    abstain: t?.abstainCount || "0",
    no: t?.noCount || "0",
    noWithVeto: t?.noWithVetoCount || "0",
  };
}

export function legacyProposal(p: v1.Proposal): v1beta1.Proposal {
  return {
    proposalId: p.id,
    content: legacyContentOf(p),
    status: p.status as number as v1beta1.ProposalStatus,
    finalTallyResult: legacyTally(p.finalTallyResult),
    submitTime: p.submitTime ?? ZERO_TIME,
    depositEndTime: p.depositEndTime ?? ZERO_TIME,
    totalDeposit: p.totalDeposit,
    votingStartTime: p.votingStartTime ?? ZERO_TIME,
    votingEndTime: p.votingEndTime ?? ZERO_TIME,
  };
}

/** v1beta1 weights are LegacyDec on the wire: 18-decimal atomics without a dot. */
export function legacyVote(v: v1.Vote): v1beta1.Vote {
  return {
    proposalId: v.proposalId,
    voter: v.voter,
    option: 0 as v1beta1.VoteOption,
    options: v.options.map((o) => ({
      option: o.option as number as v1beta1.VoteOption,
      weight: decToAtomics(decFromString(o.weight)),
    })),
  };
}

export function legacyDeposit(d: v1.Deposit): v1beta1.Deposit {
  return { proposalId: d.proposalId, depositor: d.depositor, amount: d.amount };
}

/** The v1beta1 params sections (tally rates as LegacyDec bytes: the atomics' decimal digits). */
export function legacyParams(p: GovParams): {
  deposit: v1beta1.DepositParams;
  voting: v1beta1.VotingParams;
  tally: v1beta1.TallyParams;
} {
  return {
    deposit: {
      minDeposit: p.minDeposit.map((c) => ({ denom: c.denom, amount: c.amount.toString() })),
      maxDepositPeriod: nsToDuration(p.maxDepositPeriod),
    },
    voting: { votingPeriod: nsToDuration(p.votingPeriod) },
    tally: {
      quorum: utf8(decToAtomics(p.quorum)),
      threshold: utf8(decToAtomics(p.threshold)),
      vetoThreshold: utf8(decToAtomics(p.vetoThreshold)),
    },
  };
}
