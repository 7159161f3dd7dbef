export * from "./application.ts";
export { verifyCommit } from "./commit.ts";
export type {
  ConsensusChain,
  ConsensusNetwork,
  ConsensusSigner,
  ConsensusWal,
  DriverComponents,
  DriverEvents,
  DriverOptions,
  ProposalWithBlock,
  Verdict,
  WalEntry,
} from "./driver.ts";
export { ConsensusDriver } from "./driver.ts";
export * from "./types.ts";
export * from "./validatorSet.ts";
