import type { WsEvent, WsEventSource } from "../rpc/index.ts";
import { toBase64 } from "../utils/index.ts";
import type { BusEvent, EventBus } from "./eventBus.ts";
import { blockResultJson, finalizeBlockJson, partsHashOf, txResultJson } from "./rpcJson.ts";
import type { ChainReader } from "./rpcTxMethods.ts";
import { parseQuery } from "./txQuery.ts";

/**
 * The websocket's event source: parses subscription queries and turns bus events into CometBFT 0.38's
 * event JSON (`tendermint/event/NewBlock` with block, block_id and result_finalize_block;
 * `tendermint/event/Tx` with the TxResult). Each event is converted once for all subscribers, and
 * every subscriber receives its events in commit order.
 */
export function wsEventSource(bus: EventBus, chain: ChainReader): WsEventSource {
  const converted = new WeakMap<BusEvent, Promise<WsEvent>>();
  // The part-set hash of the last block converted: the next block's last_block_id needs it.
  let last: { height: number; partsHash: Uint8Array } | undefined;

  const lastPartsHash = async (height: number): Promise<Uint8Array> => {
    if (height <= chain.meta.initialHeight) return new Uint8Array();
    if (last?.height === height - 1) return last.partsHash;
    const prev = await chain.loadBlock(height - 1);
    return prev ? partsHashOf(prev.block) : new Uint8Array();
  };

  const convert = async (ev: BusEvent): Promise<WsEvent> => {
    if (ev.type === "Tx") {
      return {
        data: {
          type: "tendermint/event/Tx",
          value: {
            TxResult: {
              height: String(ev.height),
              index: ev.index,
              tx: toBase64(ev.tx),
              result: txResultJson(ev.result),
            },
          },
        },
        events: ev.events,
      };
    }
    const height = ev.block.header.height;
    const { block, block_id } = blockResultJson(ev.block, await lastPartsHash(height));
    const partsHash = partsHashOf(ev.block);
    if (!last || last.height < height) last = { height, partsHash };
    return {
      data: {
        type: "tendermint/event/NewBlock",
        value: {
          block,
          block_id,
          result_finalize_block: finalizeBlockJson(ev.results),
        },
      },
      events: ev.events,
    };
  };

  const convertOnce = (ev: BusEvent): Promise<WsEvent> => {
    let p = converted.get(ev);
    if (!p) {
      p = convert(ev);
      converted.set(ev, p);
    }
    return p;
  };

  return {
    subscribe(query, push) {
      const q = parseQuery(query);
      let active = true;
      let queue: Promise<void> = Promise.resolve();
      const unsubscribe = bus.subscribe(q, (ev) => {
        const next = convertOnce(ev);
        queue = queue
          .then(() => next)
          .then((msg) => {
            if (active) push(msg);
          })
          .catch(() => undefined);
      });
      return () => {
        active = false;
        unsubscribe();
      };
    },
  };
}
