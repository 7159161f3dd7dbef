import { TxMsgData } from "cosmjs-types/cosmos/base/abci/v1beta1/abci";
import type { Any } from "cosmjs-types/google/protobuf/any";
import type { Event, TxResult } from "../consensus/index.ts";
import { type AnteContext, type ExecMode, runAnte, type SigCache } from "./ante.ts";
import type { DecCoin } from "./coins.ts";
import { SdkError, toSdkError } from "./errors.ts";
import { event, withMsgIndex } from "./events.ts";
import { GasMeter } from "./gas.ts";
import type { ModuleContext } from "./module.ts";
import type { AuthKeeper } from "./modules/auth.ts";
import type { BankKeeper } from "./modules/bank.ts";
import type { MsgRouter } from "./msgs.ts";
import { type AppStore, CacheStore, GasStore } from "./store.ts";
import { type DecodedTx, decodeTx } from "./tx.ts";

/** Everything runTx needs besides the transaction. */
export interface RunTxEnv {
  readonly mode: ExecMode;
  readonly chainId: string;
  readonly height: number;
  /** The block's time (ns); in CheckTx the last block's. */
  readonly time: bigint;
  readonly router: MsgRouter;
  readonly auth: AuthKeeper;
  readonly bank: BankKeeper;
  readonly feeCollector: Uint8Array;
  readonly minGasPrices: readonly DecCoin[];
  readonly sigCache: SigCache;
  /** The modules' transaction filters (AppModule.txFilter); the first error refuses the transaction. */
  readonly txFilter?: (store: AppStore, typeUrls: readonly string[]) => Promise<SdkError | undefined>;
}

/** A transaction's outcome plus the message responses (Simulate returns them separately). */
export interface RunTxOutcome {
  readonly result: TxResult;
  readonly msgResponses: readonly Any[];
}

function failure(
  e: unknown,
  gasWanted: bigint,
  gasUsed: number,
  events: readonly Event[] = [],
  signer: { sender?: string; sequence?: bigint } = {},
): RunTxOutcome {
  const err = toSdkError(e);
  return {
    result: {
      ...signer,
      code: err.code,
      codespace: err.codespace,
      log: err.message,
      data: new Uint8Array(),
      gasWanted,
      gasUsed: BigInt(gasUsed),
      events,
    },
    msgResponses: [],
  };
}

/**
 * Runs one transaction against `base` as the SDK's runTx: decode, ante handler in its own branch
 * (written only if it passes), then the messages in a second branch written only if all pass. A failed
 * message therefore keeps the fee and the sequence increment but none of the message's writes.
 */
export async function runTx(env: RunTxEnv, base: AppStore, bytes: Uint8Array): Promise<RunTxOutcome> {
  let tx: DecodedTx;
  try {
    tx = decodeTx(bytes, env.router);
  } catch (e) {
    return failure(e, 0n, 0);
  }
  const gasWanted = tx.authInfo.fee!.gasLimit;
  if (env.txFilter) {
    const refused = await env.txFilter(
      base,
      tx.msgs.map((m) => m.typeUrl),
    );
    if (refused) return failure(refused, gasWanted, 0);
  }
  const limit =
    env.mode === "simulate" || env.mode === "genesis"
      ? Number.MAX_SAFE_INTEGER
      : Number(gasWanted > 2n ** 53n ? 2n ** 53n : gasWanted);
  const gas = new GasMeter(limit);
  const anteBranch = new CacheStore(base);
  const anteEvents: Event[] = [];
  const ctx: AnteContext = {
    ...env,
    store: new GasStore(anteBranch, gas),
    gas,
    events: anteEvents,
  };
  let sender: string;
  let sequence: bigint;
  try {
    ({ sender, sequence } = await runAnte(ctx, tx));
  } catch (e) {
    return failure(e, gasWanted, gas.consumed);
  }
  anteBranch.write();
  // As the SDK's runTx: CheckTx stops after the ante handler; messages run only in blocks and simulation.
  if (env.mode === "check" || env.mode === "recheck") {
    return {
      result: {
        code: 0,
        codespace: "",
        log: "",
        data: new Uint8Array(),
        gasWanted,
        gasUsed: BigInt(gas.consumed),
        events: anteEvents,
        sender,
        sequence,
      },
      msgResponses: [],
    };
  }

  const msgBranch = new CacheStore(base);
  const msgStore = new GasStore(msgBranch, gas);
  const msgEvents: Event[] = [];
  const responses: Any[] = [];
  // Relay messages (MsgRoute.redundantRelay): how many ran, and the first no-op's error while all were.
  let relays = 0;
  let redundant: SdkError | undefined;
  try {
    for (let i = 0; i < tx.msgs.length; i++) {
      const msg = tx.msgs[i]!;
      const events: Event[] = [
        event("message", [
          ["action", msg.typeUrl],
          ["sender", msg.signer],
          ["module", msg.module],
        ]),
      ];
      try {
        const mctx: ModuleContext = {
          store: msgStore,
          events,
          block: { chainId: env.chainId, height: env.height, time: env.time },
          runMsg(any, signer) {
            return env.router.run(this, any, signer);
          },
        };
        const response = await msg.route.handle(mctx, msg.msg);
        responses.push(response);
        if (msg.route.redundantRelay) {
          const noop = msg.route.redundantRelay(response);
          redundant = relays++ === 0 ? noop : noop === undefined ? undefined : redundant;
        }
      } catch (e) {
        const err = toSdkError(e);
        throw new SdkError(
          err.codespace,
          err.code,
          `failed to execute message; message index: ${i}: ${err.message}`,
        );
      }
      msgEvents.push(...withMsgIndex(events, i));
    }
    if (redundant !== undefined) throw redundant;
  } catch (e) {
    // The ante handler's events stay: its fee and sequence changes were kept.
    return failure(e, gasWanted, gas.consumed, anteEvents, { sender, sequence });
  }
  msgBranch.write();
  const data = TxMsgData.encode(TxMsgData.fromPartial({ msgResponses: responses })).finish();
  return {
    result: {
      code: 0,
      codespace: "",
      log: "",
      data,
      gasWanted,
      gasUsed: BigInt(gas.consumed),
      events: [...anteEvents, ...msgEvents],
      sender,
      sequence,
    },
    msgResponses: responses,
  };
}
