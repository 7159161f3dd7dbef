/**
 * Request/response framing: one request and one response per stream, each a single length-prefixed
 * frame (it-length-prefixed, unsigned varint length). The response frame starts with a result byte
 * (0 ok, 1 failed, 2 too large) followed by the body, so the requester learns why a request failed
 * instead of seeing a reset stream. Size limits are checked on the length prefix, before the body is
 * buffered.
 */
import type { Stream } from "@libp2p/interface";
import * as lp from "it-length-prefixed";
import { IcsdError } from "../utils/index.ts";
import { p2pError } from "./errors.ts";
import type { ReqRespLimits } from "./options.ts";

/** Longest failure reason sent back to a requester. */
const MAX_REASON_CHARS = 300;

/** The result byte that opens every response frame. */
export const ResponseCode = { Ok: 0, Failed: 1, TooLarge: 2 } as const;
export type ResponseCode = (typeof ResponseCode)[keyof typeof ResponseCode];

/** Serves one request: (request bytes, remote peer id) -> response bytes; a throw becomes "failed". */
export type ReqRespHandler = (req: Uint8Array, from: string) => Promise<Uint8Array>;

/** Wraps a stream so that it is aborted when `signal` fires; returns the detach function. */
function abortOn(stream: Stream, signal: AbortSignal): () => void {
  const onAbort = (): void => stream.abort(new Error("request timed out"));
  if (signal.aborted) onAbort();
  signal.addEventListener("abort", onAbort, { once: true });
  return () => signal.removeEventListener("abort", onAbort);
}

/**
 * Reads exactly one frame of at most `maxBytes` payload bytes. Throws REQRESP_TOO_LARGE when the
 * length prefix announces more, REQRESP_FAILED when the stream ends or breaks first.
 */
export async function readFrame(stream: Stream, maxBytes: number): Promise<Uint8Array> {
  try {
    for await (const frame of lp.decode(stream, { maxDataLength: maxBytes })) return frame.subarray();
  } catch (e) {
    if (e instanceof Error && e.name === "InvalidDataLengthError") {
      throw p2pError("REQRESP_TOO_LARGE", `frame exceeds ${maxBytes} bytes`, { maxBytes });
    }
    throw p2pError("REQRESP_FAILED", `stream broke: ${e instanceof Error ? e.message : String(e)}`);
  }
  throw p2pError("REQRESP_FAILED", "stream ended before a frame was read");
}

/** Writes one frame and closes our write side once it is flushed. */
async function writeFrameAndClose(stream: Stream, payload: Uint8Array, signal?: AbortSignal): Promise<void> {
  // it-length-prefixed refuses frames above 4 MiB by default; our limits are checked before this.
  stream.send(lp.encode.single(payload, { maxDataLength: payload.length }));
  await stream.close({ signal });
}

/**
 * Client side of one exchange on an already opened stream: send `req`, read and decode the response.
 * Resolves with the response body, or throws an IcsdError: REQRESP_TIMEOUT when `signal` fires first,
 * REQRESP_TOO_LARGE when either side's limit is exceeded, REQRESP_FAILED otherwise.
 */
export async function exchange(
  stream: Stream,
  req: Uint8Array,
  limits: ReqRespLimits,
  signal: AbortSignal,
): Promise<Uint8Array> {
  if (req.length > limits.maxRequestBytes) {
    stream.abort(new Error("request too large"));
    throw p2pError("REQRESP_TOO_LARGE", `request of ${req.length} bytes exceeds ${limits.maxRequestBytes}`, {
      maxBytes: limits.maxRequestBytes,
    });
  }
  const detach = abortOn(stream, signal);
  try {
    await writeFrameAndClose(stream, req, signal);
    const frame = await readFrame(stream, limits.maxResponseBytes + 1);
    const code = frame[0];
    const body = frame.subarray(1);
    if (code === ResponseCode.Ok) return body;
    const reason = new TextDecoder().decode(body);
    if (code === ResponseCode.TooLarge) throw p2pError("REQRESP_TOO_LARGE", `remote: ${reason}`);
    throw p2pError("REQRESP_FAILED", `remote: ${reason}`);
  } catch (e) {
    if (signal.aborted) throw p2pError("REQRESP_TIMEOUT", "request timed out");
    if (e instanceof IcsdError) throw e;
    throw p2pError("REQRESP_FAILED", e instanceof Error ? e.message : String(e));
  } finally {
    detach();
  }
}

/**
 * Server side of one exchange: read the request (within `limits.maxRequestBytes`), run `handler`
 * (absent: "failed"), send its response or a failure code, close. Never throws; returns the error
 * that made the exchange fail, if any, for logging.
 */
export async function serve(
  stream: Stream,
  from: string,
  limits: ReqRespLimits,
  handler: ReqRespHandler | undefined,
  timeoutMs: number,
): Promise<Error | undefined> {
  const signal = AbortSignal.timeout(timeoutMs);
  const detach = abortOn(stream, signal);
  try {
    let req: Uint8Array;
    try {
      req = await readFrame(stream, limits.maxRequestBytes);
    } catch (e) {
      // A malformed or oversized request gets no answer: the requester broke the protocol.
      stream.abort(e instanceof Error ? e : new Error(String(e)));
      return e instanceof Error ? e : new Error(String(e));
    }
    let code: ResponseCode = ResponseCode.Ok;
    let body: Uint8Array;
    let failure: Error | undefined;
    if (handler === undefined) {
      code = ResponseCode.Failed;
      body = new TextEncoder().encode("no handler for this protocol");
    } else {
      try {
        body = await handler(req, from);
        if (body.length > limits.maxResponseBytes) {
          failure = new Error(`response of ${body.length} bytes exceeds ${limits.maxResponseBytes}`);
          code = ResponseCode.TooLarge;
          body = new TextEncoder().encode(failure.message);
        }
      } catch (e) {
        failure = e instanceof Error ? e : new Error(String(e));
        code = ResponseCode.Failed;
        // A refused request (IcsdError: bad input) tells the requester why; anything else is our bug.
        const reason =
          failure instanceof IcsdError
            ? `${failure.code}: ${failure.message}`.slice(0, MAX_REASON_CHARS)
            : "handler failed";
        body = new TextEncoder().encode(reason);
      }
    }
    const frame = new Uint8Array(body.length + 1);
    frame[0] = code;
    frame.set(body, 1);
    await writeFrameAndClose(stream, frame, signal);
    return failure;
  } catch (e) {
    stream.abort(e instanceof Error ? e : new Error(String(e)));
    return e instanceof Error ? e : new Error(String(e));
  } finally {
    detach();
  }
}
