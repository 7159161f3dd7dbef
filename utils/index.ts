export * from "./bytes.ts";
export * from "./errors.ts";
export type { Logger } from "./logger.ts";
export { createLogger, silentLogger } from "./logger.ts";
export { formatRfc3339Nano, nowNs, parseRfc3339Nano } from "./time.ts";
