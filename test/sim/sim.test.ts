import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ignoresValidity, precommitsWithoutPolka } from "./brokenCores.ts";
import { scenarioFor } from "./scenario.ts";
import { runSim, SimViolation, type StepFn } from "./simulator.ts";

const SEEDS = 500;

function failures(step: StepFn | undefined, seeds: number): Map<string, SimViolation[]> {
  const out = new Map<string, SimViolation[]>();
  for (let seed = 0; seed < seeds; seed++) {
    try {
      runSim(step ? { seed, step } : { seed });
    } catch (e) {
      if (!(e instanceof SimViolation)) throw e;
      out.set(e.property, [...(out.get(e.property) ?? []), e]);
    }
  }
  return out;
}

describe("seeded consensus simulator", () => {
  it(`keeps agreement, validity and liveness on ${SEEDS} seeds`, { timeout: 80_000 }, () => {
    const found = failures(undefined, SEEDS);
    const lines = [...found.values()].flat().map((e) => e.message);
    assert.deepEqual(lines, []);
  });

  it("covers the adversities it claims: byzantine nodes, crashes with WAL replay, 4 to 7 nodes", {
    timeout: 10_000,
  }, () => {
    const scenarios = Array.from({ length: SEEDS }, (_, seed) => scenarioFor(seed));
    assert.ok(scenarios.some((s) => s.byzantine.size >= 2));
    assert.ok(scenarios.filter((s) => s.crashes.length > 0).length >= SEEDS / 10);
    assert.deepEqual(
      [4, 5, 6, 7].map((n) => scenarios.some((s) => s.addresses.length === n)),
      [true, true, true, true],
    );
    for (const s of scenarios) {
      const total = s.validators.reduce((a, v) => a + v.power, 0n);
      const byz = s.validators.filter((_, i) =>
        s.byzantine.has(s.addresses.indexOf(s.validators[i]!.address)),
      );
      assert.ok(
        byz.reduce((a, v) => a + v.power, 0n) * 3n < total,
        `seed ${s.seed}: byzantine power below 1/3`,
      );
    }
    const stats = runSim({ seed: 8 });
    assert.ok(stats.equivocationsReported > 0, "byzantine equivocation is detected");
  });

  it("replays a seed exactly", { timeout: 10_000 }, () => {
    assert.deepEqual(runSim({ seed: 1234 }), runSim({ seed: 1234 }));
  });

  it("catches a core that precommits without a polka (agreement)", { timeout: 30_000 }, () => {
    const found = failures(precommitsWithoutPolka, 300);
    const agreement = found.get("agreement") ?? [];
    assert.ok(agreement.length > 0, `expected an agreement violation, got ${[...found.keys()].join(", ")}`);
    assert.match(agreement[0]!.message, /replay: npm run sim -- --seed \d+/);
  });

  it("catches a core that ignores valid(v) (validity)", { timeout: 30_000 }, () => {
    const found = failures(ignoresValidity, 300);
    assert.ok(
      (found.get("validity") ?? []).length > 0,
      `expected a validity violation, got ${[...found.keys()].join(", ")}`,
    );
  });
});
