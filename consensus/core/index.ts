/** The pure Tendermint core: state machine, vote keeper and proposer selection. No I/O. */

export type { PowerUpdate, PrioritizedValidator } from "./proposer.ts";
export {
  compareByPower,
  incrementProposerPriority,
  MAX_TOTAL_VOTING_POWER,
  PRIORITY_WINDOW_SIZE_FACTOR,
  proposerOf,
  totalPower,
  updateValidatorSet,
} from "./proposer.ts";
export type { CoreState, RoundValue } from "./state.ts";
export { heightState, initialState } from "./state.ts";
export type { StepResult } from "./step.ts";
export { MAX_ROUND_LOOKAHEAD, step, timeoutDuration } from "./step.ts";
export type * from "./types.ts";
export type { AddVoteResult, IgnoreReason, RoundVotes, VoteKeeper, VoteTally } from "./voteKeeper.ts";
export {
  addVote,
  createVoteKeeper,
  hasQuorumAny,
  hasQuorumFor,
  hasQuorumNil,
  hasSkip,
  isQuorum,
  isSkip,
  quorumValue,
  votedRounds,
  votesOf,
} from "./voteKeeper.ts";
