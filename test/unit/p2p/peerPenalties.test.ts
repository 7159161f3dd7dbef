import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { PeerPenalties } from "../../../p2p/peerPenalties.ts";

function setup() {
  const clock = { t: 1_000 };
  const p = new PeerPenalties({
    threshold: 100,
    banDurationMs: 5_000,
    halfLifeMs: 10_000,
    now: () => clock.t,
  });
  return { clock, p };
}

describe("PeerPenalties", { timeout: 5_000 }, () => {
  it("accumulates penalties and asks for a drop at the threshold", () => {
    const { p } = setup();
    for (let i = 0; i < 9; i++) assert.equal(p.penalize("a", 10).drop, false);
    assert.equal(p.penalty("a"), 90);
    assert.equal(p.score("a"), -90);
    assert.deepEqual(p.penalize("a", 10), { total: 100, drop: true });
    assert.equal(p.penalty("b"), 0);
  });

  it("halves penalties every half-life", () => {
    const { clock, p } = setup();
    p.penalize("a", 80);
    clock.t += 10_000;
    assert.ok(Math.abs(p.penalty("a") - 40) < 1e-9);
    assert.equal(p.penalize("a", 50).drop, false);
  });

  it("ignores non-positive or non-finite weights", () => {
    const { p } = setup();
    p.penalize("a", -50);
    p.penalize("a", Number.NaN);
    assert.equal(p.penalty("a"), 0);
  });

  it("bans for the cool-down, then forgets the ban", () => {
    const { clock, p } = setup();
    p.penalize("a", 100);
    p.ban("a", "too many invalid messages");
    assert.equal(p.isBanned("a"), true);
    assert.equal(p.penalty("a"), 0);
    assert.equal(p.bannedCount(), 1);
    clock.t += 4_999;
    assert.equal(p.isBanned("a"), true);
    clock.t += 1;
    assert.equal(p.isBanned("a"), false);
    assert.equal(p.bannedCount(), 0);
  });

  it("never shortens an existing ban", () => {
    const { clock, p } = setup();
    p.ban("a", "long", 60_000);
    p.ban("a", "short", 1_000);
    clock.t += 2_000;
    assert.equal(p.isBanned("a"), true);
  });
});
