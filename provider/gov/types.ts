import { ProposalStatus, VoteOption } from "cosmjs-types/cosmos/gov/v1/gov";
import type { Timestamp } from "cosmjs-types/google/protobuf/timestamp";

/** The module's name: its store prefix, its module account ("burner") and the `module` of its messages. */
export const GOV_MODULE = "gov";

export const TEXT_PROPOSAL_TYPE = "/cosmos.gov.v1beta1.TextProposal";
export const EXEC_LEGACY_CONTENT_TYPE = "/cosmos.gov.v1.MsgExecLegacyContent";
export const UPDATE_PARAMS_TYPE = "/cosmos.gov.v1.MsgUpdateParams";

/** The SDK keeper config defaults (x/gov/types/config.go): metadata and title 255 bytes, summary 10200. */
export const MAX_METADATA_LEN = 255;
export const MAX_SUMMARY_LEN = 10_200;
/** v1beta1 content limits (x/gov/types/v1beta1/content.go). */
export const MAX_TITLE_LENGTH = 140;
export const MAX_DESCRIPTION_LENGTH = 10_000;

export const STATUS = {
  deposit: ProposalStatus.PROPOSAL_STATUS_DEPOSIT_PERIOD,
  voting: ProposalStatus.PROPOSAL_STATUS_VOTING_PERIOD,
  passed: ProposalStatus.PROPOSAL_STATUS_PASSED,
  rejected: ProposalStatus.PROPOSAL_STATUS_REJECTED,
  failed: ProposalStatus.PROPOSAL_STATUS_FAILED,
} as const;

export const OPTION = {
  yes: VoteOption.VOTE_OPTION_YES,
  abstain: VoteOption.VOTE_OPTION_ABSTAIN,
  no: VoteOption.VOTE_OPTION_NO,
  veto: VoteOption.VOTE_OPTION_NO_WITH_VETO,
} as const;

/** v1.ValidVoteOption: yes, abstain, no or no-with-veto. */
export function validVoteOption(o: number): boolean {
  return o === OPTION.yes || o === OPTION.abstain || o === OPTION.no || o === OPTION.veto;
}

const OPTION_NAMES: Record<number, string> = {
  0: "VOTE_OPTION_UNSPECIFIED",
  1: "VOTE_OPTION_YES",
  2: "VOTE_OPTION_ABSTAIN",
  3: "VOTE_OPTION_NO",
  4: "VOTE_OPTION_NO_WITH_VETO",
};

/** VoteOption.String() (an unknown number prints as itself, as protobuf enums do). */
export function voteOptionName(o: number): string {
  return OPTION_NAMES[o] ?? String(o);
}

const NS = 1_000_000_000n;

export function timestampFromNs(ns: bigint): Timestamp {
  return { seconds: ns / NS, nanos: Number(ns % NS) };
}

export function nsFromTimestamp(t: Timestamp | undefined): bigint {
  return t ? t.seconds * NS + BigInt(t.nanos) : 0n;
}
