import { SdkError } from "../../app/index.ts";

/**
 * x/gov's registered errors (x/gov/types/errors.go, SDK 0.50), codespace "gov". Each factory wraps an
 * optional detail the way errors.Wrap does: "<detail>: <description>".
 */
function gov(code: number, desc: string) {
  return (detail?: string): SdkError =>
    new SdkError("gov", code, detail === undefined || detail === "" ? desc : `${detail}: ${desc}`);
}

export const errUnknownProposal = gov(2, "unknown proposal");
export const errInactiveProposal = gov(3, "inactive proposal");
export const errAlreadyActiveProposal = gov(4, "proposal already active");
export const errInvalidProposalContent = gov(5, "invalid proposal content");
export const errInvalidProposalType = gov(6, "invalid proposal type");
export const errInvalidVote = gov(7, "invalid vote option");
export const errInvalidGenesis = gov(8, "invalid genesis state");
export const errNoProposalHandlerExists = gov(9, "no handler exists for proposal type");
export const errUnroutableProposalMsg = gov(10, "proposal message not recognized by router");
export const errNoProposalMsgs = gov(11, "no messages proposed");
export const errInvalidProposalMsg = gov(12, "invalid proposal message");
export const errInvalidSigner = gov(13, "expected gov account as only signer for proposal message");
export const errMetadataTooLong = gov(15, "metadata too long");
export const errMinDepositTooSmall = gov(16, "minimum deposit is too small");
export const errProposalNotFound = gov(17, "proposal is not found");
export const errInvalidProposer = gov(18, "invalid proposer");
export const errVotingPeriodEnded = gov(20, "voting period already ended");
export const errInvalidProposal = gov(21, "invalid proposal");
export const errSummaryTooLong = gov(22, "summary too long");
export const errInvalidDepositDenom = gov(23, "invalid deposit denom");

/** An unregistered Go error (fmt.Errorf), which the SDK reports as code 1 in codespace "undefined". */
export function errUndefined(message: string): SdkError {
  return new SdkError("undefined", 1, message);
}
