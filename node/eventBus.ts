import type { Block, Event } from "../consensus/index.ts";
import { sha256 } from "../crypto/index.ts";
import { type BlockResults, type EventMap, type StoredTxResult, txEventMap } from "../store/index.ts";
import { errorMessage, type Logger } from "../utils/index.ts";
import { matchesEvents, type Query } from "./txQuery.ts";

/** A committed block (CometBFT's EventDataNewBlock). */
export interface NewBlockEvent {
  readonly type: "NewBlock";
  readonly block: Block;
  readonly hash: Uint8Array;
  readonly results: BlockResults;
  /** `tm.event` and the block events' `type.key` -> values. */
  readonly events: EventMap;
}

/** One committed transaction (CometBFT's EventDataTx). */
export interface TxEvent {
  readonly type: "Tx";
  readonly height: number;
  readonly index: number;
  readonly tx: Uint8Array;
  readonly hash: Uint8Array;
  readonly result: StoredTxResult;
  /** `tm.event`, `tx.hash`, `tx.height` and the tx events' `type.key` -> values. */
  readonly events: EventMap;
}

/** What the bus carries. */
export type BusEvent = NewBlockEvent | TxEvent;

/** Receives matching events synchronously; it must not block (queue and return). */
export type BusListener = (ev: BusEvent) => void;

interface Subscription {
  readonly query: Query;
  readonly listener: BusListener;
}

function blockEventMap(events: readonly Event[]): EventMap {
  const out: EventMap = { "tm.event": ["NewBlock"] };
  for (const ev of events) {
    for (const a of ev.attributes) {
      if (ev.type === "" || a.key === "") continue;
      const ck = `${ev.type}.${a.key}`;
      const list = out[ck];
      if (list) list.push(a.value);
      else out[ck] = [a.value];
    }
  }
  return out;
}

/**
 * In-process publish/subscribe of committed blocks and transactions, as CometBFT's event bus: a
 * subscriber gives a query (`tm.event='Tx' AND transfer.recipient='cosmos1…'`) and receives every event
 * whose composite keys satisfy it. Publishing is synchronous and in commit order: a block's NewBlock
 * event, then one Tx event per transaction in block order.
 */
export class EventBus {
  private readonly subs = new Set<Subscription>();
  private readonly log: Logger | undefined;

  constructor(modules: { logger?: Logger } = {}) {
    this.log = modules.logger;
  }

  /** Number of live subscriptions. */
  get size(): number {
    return this.subs.size;
  }

  /** Delivers every later event matching `query` to `listener` until the returned function is called. */
  subscribe(query: Query, listener: BusListener): () => void {
    const sub: Subscription = { query, listener };
    this.subs.add(sub);
    return () => {
      this.subs.delete(sub);
    };
  }

  /** Publishes a committed block and its transactions (called once the block's batch is on disk). */
  publishBlock(block: Block, hash: Uint8Array, results: BlockResults): void {
    if (this.subs.size === 0) return;
    const height = block.header.height;
    this.publish({ type: "NewBlock", block, hash, results, events: blockEventMap(results.events) });
    block.txs.forEach((tx, index) => {
      const result = results.txResults[index];
      if (!result) return;
      const txHash = sha256(tx);
      const events = txEventMap(height, txHash, result.events);
      events["tm.event"] = ["Tx"];
      this.publish({ type: "Tx", height, index, tx, hash: txHash, result, events });
    });
  }

  private publish(ev: BusEvent): void {
    for (const sub of [...this.subs]) {
      if (!this.subs.has(sub) || !matchesEvents(sub.query, ev.events)) continue;
      try {
        sub.listener(ev);
      } catch (e) {
        // One faulty subscriber must not stop delivery to the others, nor the commit that published.
        this.log?.warn({ err: errorMessage(e), query: sub.query.text }, "event listener failed");
      }
    }
  }
}
