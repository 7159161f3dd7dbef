import { pino } from "pino";

export type Logger = pino.Logger;

/** A JSON logger to stderr (or a file descriptor); modules take `logger.child({ module })`. */
export function createLogger(opts: { level?: string; name?: string } = {}): Logger {
  return pino(
    { level: opts.level ?? "info", base: opts.name ? { node: opts.name } : {} },
    pino.destination(2),
  );
}

/** A logger that drops everything, for unit tests. */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}
