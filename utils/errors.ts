/**
 * Base error: every failure carries a stable `code` (SCREAMING_SNAKE) and typed metadata, as Lodestar
 * does, so callers and logs can match on the code rather than on the message.
 */
export class IcsdError<M extends Record<string, unknown> = Record<string, unknown>> extends Error {
  readonly code: string;
  readonly meta: M;
  constructor(code: string, message: string, meta?: M) {
    super(message);
    this.name = "IcsdError";
    this.code = code;
    this.meta = (meta ?? {}) as M;
  }
}

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
