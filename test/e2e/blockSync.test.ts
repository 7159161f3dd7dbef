import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Testnet } from "./harness.ts";

describe("a fifth, non-validator node started late", { timeout: 420_000 }, () => {
  let net: Testnet;
  before(async () => {
    net = await Testnet.create({ validators: 4, fullNodes: 1, chainId: "e2e-sync", timeoutCommitMs: 50 });
    for (const n of net.nodes.filter((x) => x.validator)) net.start(n);
  });
  after(async () => {
    await net.cleanup();
  });

  it("syncs to the tip after 200 heights and follows it", async () => {
    const validators = net.nodes.filter((n) => n.validator);
    await net.waitForHeight(validators, 200, 300_000);
    const late = net.nodes[4]!;
    net.start(late);
    const tip = await net.height(validators[0]!);
    // Its first status answer (RPC starts before the catch-up) says it is catching up, far below the tip.
    type Status = { sync_info: { catching_up: boolean; latest_block_height: string } };
    let first: Status | undefined;
    const deadline = Date.now() + 60_000;
    while (!first) {
      first = await net.rpc<Status>(late, "status").catch(() => undefined);
      if (!first && Date.now() > deadline) assert.fail("the late node's RPC never answered");
      if (!first) await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(first.sync_info.catching_up, true, JSON.stringify(first.sync_info));
    assert.ok(Number(first.sync_info.latest_block_height) < tip);
    await net.waitForHeight([late], tip, 90_000);
    const followed = (await net.height(validators[0]!)) + 5;
    await net.waitForHeight([late], followed, 60_000);
    const caughtUp = await net.rpc<Status>(late, "status");
    assert.equal(caughtUp.sync_info.catching_up, false);
    const h = followed;
    const [x, y] = await Promise.all([
      net.rpc<{ block_id: { hash: string } }>(late, "block", { height: String(h) }),
      net.rpc<{ block_id: { hash: string } }>(validators[0]!, "block", { height: String(h) }),
    ]);
    assert.equal(x.block_id.hash, y.block_id.hash);
  });
});
