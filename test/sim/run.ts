/**
 * CLI of the seeded simulator.
 *   npm run sim                      100 seeds from 0
 *   npm run sim -- --seeds 500 --start 1000 --heights 10
 *   npm run sim -- --seed 42         replay one seed (prints its statistics)
 * Prints one line per failing seed and a total; exits 1 on any failure.
 */
import { runSim, SimViolation } from "./simulator.ts";

function intArg(args: readonly string[], name: string, fallback: number): number {
  const i = args.indexOf(name);
  if (i < 0) return fallback;
  const v = Number(args[i + 1]);
  if (!Number.isSafeInteger(v) || v < 0) throw new Error(`${name} needs a non-negative integer`);
  return v;
}

function main(args: readonly string[]): number {
  const heights = intArg(args, "--heights", 10);
  const single = args.includes("--seed");
  const start = single ? intArg(args, "--seed", 0) : intArg(args, "--start", 0);
  const count = single ? 1 : intArg(args, "--seeds", 100);
  let passed = 0;
  let failed = 0;
  for (let seed = start; seed < start + count; seed++) {
    try {
      const stats = runSim({ seed, heights });
      passed++;
      if (single) console.log(JSON.stringify(stats));
    } catch (e) {
      failed++;
      if (e instanceof SimViolation) console.log(`FAIL ${e.message}`);
      else
        console.log(`FAIL seed ${seed}: crashed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    }
  }
  console.log(`${passed} seeds passed, ${failed} failed`);
  return failed > 0 ? 1 : 0;
}

process.exitCode = main(process.argv.slice(2));
