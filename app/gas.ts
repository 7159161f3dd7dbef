import { errOutOfGas } from "./errors.ts";

/** The SDK's KVGasConfig (store/types/gas.go): what reads, writes and iteration cost. */
export const KV_GAS = {
  hasCost: 1000,
  deleteCost: 1000,
  readCostFlat: 1000,
  readCostPerByte: 3,
  writeCostFlat: 2000,
  writeCostPerByte: 30,
  iterNextCostFlat: 30,
} as const;

/**
 * Counts gas against a limit, deterministically. Exceeding the limit throws ErrOutOfGas (code 11), as
 * the SDK's out-of-gas panic recovered in runTx; the consumed amount then reads as the limit.
 */
export class GasMeter {
  readonly limit: number;
  private used = 0;

  constructor(limit: number) {
    this.limit = limit;
  }

  get consumed(): number {
    return Math.min(this.used, this.limit);
  }

  consume(amount: number, descriptor: string): void {
    this.used += amount;
    if (this.used > this.limit) {
      throw errOutOfGas(
        `out of gas in location: ${descriptor}; gasWanted: ${this.limit}, gasUsed: ${this.used}`,
      );
    }
  }
}

/** A meter that never runs out, for genesis and block-level logic (the SDK's infinite gas meter). */
export function infiniteGasMeter(): GasMeter {
  return new GasMeter(Number.MAX_SAFE_INTEGER);
}
