import type { Any } from "cosmjs-types/google/protobuf/any";
import type { CommitInfo, Event, Misbehavior, ValidatorUpdate } from "../consensus/index.ts";
import type { SdkError } from "./errors.ts";
import type { AppStore } from "./store.ts";

/** The block being executed, as modules see it: time is the header's (nanoseconds), never the clock. */
export interface BlockInfo {
  readonly chainId: string;
  readonly height: number;
  readonly time: bigint;
  /**
   * The block header's hashes, in blocks only (absent at genesis and in transactions' CheckTx): the
   * chain's own consensus state for this height (what a counterparty's light client of this chain stores:
   * time, root = appHash, nextValidatorsHash), which the provider puts in a consumer's genesis.
   */
  readonly header?: { readonly appHash: Uint8Array; readonly nextValidatorsHash: Uint8Array };
}

/** What message handlers and block hooks run with. */
export interface ModuleContext {
  readonly store: AppStore;
  readonly events: Event[];
  readonly block: BlockInfo;
  /**
   * Decodes and runs a message on this context's store as if `signer` had signed it (gov executes a
   * passed proposal's messages with its module address). Throws the message's SdkError. It runs on the
   * context it is called on, so `{ ...ctx, store: branch }.runMsg(...)` writes to the branch.
   */
  runMsg(msg: Any, signer: string): Promise<Any>;
}

/** What a module's BeginBlock learns from consensus about the previous block. */
export interface BeginBlockInfo {
  readonly proposer: Uint8Array;
  /** Who signed the previous block (liveness, fee distribution). */
  readonly lastCommit: CommitInfo;
  /** Duplicate votes committed as evidence in this block. */
  readonly misbehavior: readonly Misbehavior[];
}

/** One message type: stateless decode and validation (the SDK's ValidateBasic), then execution. */
export interface MsgRoute<T = unknown> {
  readonly typeUrl: string;
  /** The module name in the `message` event (`bank`, `staking`, ...). */
  readonly module: string;
  /** Decodes and validates; throws an SdkError. `signer` is the bech32 address that must sign. */
  decode(value: Uint8Array, prefix: string): { readonly signer: string; readonly msg: T };
  /** Executes; returns the response for TxMsgData.msg_responses. Throws an SdkError on failure. */
  handle(ctx: ModuleContext, msg: T): Promise<Any>;
  /**
   * Only on relay messages (ibc-go's RedundantRelayDecorator): given the message's response, the error
   * to fail the transaction with when the message was a no-op (already relayed), else undefined. A
   * transaction in which at least one message has this hook and every such message was a no-op fails
   * with the first one's error and keeps none of its messages' writes (the fee and sequence stay, as for
   * any failed transaction); one new relay among them lets the transaction succeed.
   */
  redundantRelay?(response: Any): SdkError | undefined;
}

/** Erases a route's message type so routes of different messages can share one list. */
export function msgRoute<T>(route: MsgRoute<T>): MsgRoute {
  return route as unknown as MsgRoute;
}

/** A gRPC-style query handler over committed state at one height. */
export type QueryHandler = (
  ctx: { readonly store: AppStore; readonly height: number },
  data: Uint8Array,
) => Promise<Uint8Array>;

/**
 * A module of the SDK-style application. Begin and end blocks run in the order the app lists its
 * modules (the SDK's SetOrderBeginBlockers/SetOrderEndBlockers; the provider lists mint, distribution,
 * slashing, evidence, gov, staking), genesis too.
 */
export interface AppModule {
  readonly name: string;
  readonly msgs?: readonly MsgRoute[];
  readonly queries?: Readonly<Record<string, QueryHandler>>;
  /** Reads `app_state[name]` (absent means the module's defaults) and writes the module's genesis. */
  initGenesis?(ctx: ModuleContext, state: unknown): Promise<void>;
  /** After every module's genesis and the genesis transactions: the initial validator set. */
  initChainValidators?(ctx: ModuleContext): Promise<readonly ValidatorUpdate[]>;
  beginBlock?(ctx: ModuleContext, info: BeginBlockInfo): Promise<void>;
  /** Validator updates returned here take effect at H+2. */
  endBlock?(ctx: ModuleContext): Promise<readonly ValidatorUpdate[] | undefined>;
  /**
   * A transaction filter run before the ante handler, in CheckTx and in blocks (the consumer's pre-CCV
   * filter): given the store and the transaction's message type URLs, the error to refuse it with.
   */
  txFilter?(store: AppStore, typeUrls: readonly string[]): Promise<SdkError | undefined>;
  /** Invariants over a state (the SDK's crisis module): a description of each one that is broken. */
  invariants?(store: AppStore): Promise<readonly string[]>;
}
