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
export {
  decodePrivValidatorKey,
  FileSigner,
  type PrivValidatorKey,
  PUB_KEY_TYPE_ED25519,
  SignStep,
} from "./signer.ts";
export * from "./types.ts";
export * from "./validatorSet.ts";
