/**
 * The figures around the load: the signature-verification bound measured on this machine, latency
 * percentiles, process memory and its trend.
 */
import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { verifySecp256k1 } from "../../crypto/index.ts";
import type { SignedTx } from "./accounts.ts";

/** The bound: single-core secp256k1 verifications per second, times cores, shared by the validators. */
export interface SigBound {
  readonly verificationsPerSecPerCore: number;
  readonly cores: number;
  readonly validators: number;
  readonly txPerSec: number;
}

/**
 * Times `verifySecp256k1` (the node's own verification, node:crypto) on a real signed tx for about
 * `ms` milliseconds on this thread. Every validator verifies every tx, and the cores are shared by the
 * validators on this machine, hence cores / validators.
 */
export function measureSigBound(
  sample: SignedTx,
  pubkey: Uint8Array,
  validators: number,
  ms = 1000,
): SigBound {
  if (!verifySecp256k1(pubkey, sample.signBytes, sample.signature)) {
    throw new Error("the bench's own signature does not verify: signing and verification disagree");
  }
  // Warm up (key object cache, JIT) before timing.
  for (let i = 0; i < 200; i++) verifySecp256k1(pubkey, sample.signBytes, sample.signature);
  let n = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < ms) {
    for (let i = 0; i < 100; i++) verifySecp256k1(pubkey, sample.signBytes, sample.signature);
    n += 100;
    elapsed = performance.now() - start;
  }
  const perCore = (n / elapsed) * 1000;
  const cores = availableParallelism();
  return { verificationsPerSecPerCore: perCore, cores, validators, txPerSec: (perCore * cores) / validators };
}

/** The q-quantile (0..1) of `xs`, nearest rank. */
export function quantile(xs: readonly number[], q: number): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!;
}

/** Resident set size of a process in MB, from /proc (NaN when it is gone). */
export function rssMb(pid: number | undefined): number {
  if (!pid) return Number.NaN;
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) / 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/** Least-squares slope of y over x (units of y per unit of x); NaN with fewer than two points. */
export function slope(points: readonly { x: number; y: number }[]): number {
  const pts = points.filter((p) => Number.isFinite(p.y));
  if (pts.length < 2) return Number.NaN;
  const mx = pts.reduce((a, p) => a + p.x, 0) / pts.length;
  const my = pts.reduce((a, p) => a + p.y, 0) / pts.length;
  let num = 0;
  let den = 0;
  for (const p of pts) {
    num += (p.x - mx) * (p.y - my);
    den += (p.x - mx) ** 2;
  }
  return den === 0 ? Number.NaN : num / den;
}
