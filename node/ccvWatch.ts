import { Gauge, type Registry } from "prom-client";
import type { Application } from "../consensus/index.ts";
import { errorMessage, fromUtf8, type Logger } from "../utils/index.ts";

/** The consumer module's ProviderInfo query (JSON). */
const PROVIDER_INFO_PATH = "/icsd.consumer.v1.Query/ProviderInfo";
/** While the CCV channel is closed, the warning repeats at most once per this many blocks. */
export const CCV_CLOSED_WARN_EVERY_BLOCKS = 10;

/** What `status` shows of a consumer's CCV channel. */
export interface CcvChannelStatus {
  readonly provider_chain_id: string;
  readonly channel_id: string;
  readonly established: boolean;
  readonly channel_closed: boolean;
  /** The height of the last check. */
  readonly checked_height: string;
}

/**
 * Watches a consumer chain's CCV channel after each block: once it is closed (a packet timed out or the
 * provider stopped the chain) the consumer no longer gets validator set updates, so the node says so
 * loudly (an error log on the change, then a warning every CCV_CLOSED_WARN_EVERY_BLOCKS blocks), sets the
 * gauge `icsd_consumer_ccv_channel_closed` and reports it in `status`.
 */
export class CcvChannelWatch {
  readonly #app: Pick<Application, "query">;
  readonly #log: Logger;
  readonly #gauge: Gauge;
  #status: CcvChannelStatus | undefined;
  #lastWarn = -Infinity;
  #busy = false;

  constructor(deps: {
    app: Pick<Application, "query">;
    logger: Logger;
    registry: Registry;
    prefix?: string;
  }) {
    this.#app = deps.app;
    this.#log = deps.logger;
    this.#gauge = new Gauge({
      name: `${deps.prefix ?? "icsd_"}consumer_ccv_channel_closed`,
      help: "1 when this consumer chain's CCV channel to the provider is closed",
      registers: [deps.registry],
    });
  }

  /** The last known state of the channel (undefined before the first check). */
  status(): CcvChannelStatus | undefined {
    return this.#status;
  }

  /** Checks the channel after block `height` committed (a check still running is not doubled). */
  async onBlock(height: number): Promise<void> {
    if (this.#busy) return;
    this.#busy = true;
    try {
      const res = await this.#app.query({
        path: PROVIDER_INFO_PATH,
        data: new Uint8Array(),
        height: 0,
        prove: false,
      });
      if (res.code !== 0) {
        this.#log.debug({ code: res.code, log: res.log }, "ProviderInfo query failed");
        return;
      }
      const info = JSON.parse(fromUtf8(res.value)) as Record<string, unknown>;
      const closed = info.channel_closed === true;
      const was = this.#status?.channel_closed ?? false;
      this.#status = {
        provider_chain_id: String(info.provider_chain_id ?? ""),
        channel_id: String(info.channel_id ?? ""),
        established: info.established === true,
        channel_closed: closed,
        checked_height: String(height),
      };
      this.#gauge.set(closed ? 1 : 0);
      if (!closed) return;
      const fields = {
        height,
        providerChainId: this.#status.provider_chain_id,
        channel: this.#status.channel_id,
      };
      if (!was) {
        this.#log.error(
          fields,
          "CCV channel to the provider is CLOSED: this consumer gets no more validator set updates",
        );
        this.#lastWarn = height;
      } else if (height - this.#lastWarn >= CCV_CLOSED_WARN_EVERY_BLOCKS) {
        this.#log.warn(fields, "CCV channel to the provider is still closed");
        this.#lastWarn = height;
      }
    } catch (e) {
      this.#log.debug({ err: errorMessage(e) }, "cannot check the CCV channel");
    } finally {
      this.#busy = false;
    }
  }
}
