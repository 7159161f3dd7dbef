import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { runProviderSim } from "./providerSim.ts";

describe("provider simulation (staking, slashing, distribution, mint)", () => {
  it("keeps every invariant after every block over 10,000 random messages", {
    timeout: 900_000,
  }, async () => {
    const r = await runProviderSim({ seed: 1, messages: 10_000 });
    assert.deepEqual(r.brokenInvariants, []);
    assert.ok(r.messages >= 10_000, `ran ${r.messages} messages`);
    // Each operation must have happened for real, or the run proves little.
    for (const op of [
      "delegate",
      "undelegate",
      "redelegate",
      "withdraw",
      "createValidator",
      "editValidator",
      "unjail",
    ]) {
      assert.ok((r.ops[op]?.[0] ?? 0) > 0, `no successful ${op}: ${JSON.stringify(r.ops)}`);
    }
    assert.ok(r.evidence > 0 && r.downtime > 0, "no slashing exercised");
  });

  it("gives the same result for the same seed (determinism)", { timeout: 300_000 }, async () => {
    const a = await runProviderSim({ seed: 7, messages: 600 });
    const b = await runProviderSim({ seed: 7, messages: 600 });
    assert.deepEqual(a, b);
    assert.deepEqual(a.brokenInvariants, []);
  });
});
