import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { doubleSigns, sleep, Testnet } from "./harness.ts";

type CommitRes = {
  signed_header: { commit: { signatures: { validator_address: string; block_id_flag: number }[] } };
};

describe("validators killed with SIGKILL", { timeout: 420_000 }, () => {
  let net: Testnet;
  before(async () => {
    net = await Testnet.create({ validators: 4, chainId: "e2e-crash" });
    net.startAll();
    await net.waitForHeight(net.nodes, 3, 60_000);
  });
  after(async () => {
    await net.cleanup();
  });

  it("one of four killed: the chain goes on; restarted, it catches up and signs again", async () => {
    const [a, b, c, d] = net.nodes as [
      (typeof net.nodes)[0],
      (typeof net.nodes)[0],
      (typeof net.nodes)[0],
      (typeof net.nodes)[0],
    ];
    await net.kill(d);
    const h0 = await net.height(a);
    await net.waitForHeight([a, b, c], h0 + 5, 60_000);
    net.start(d);
    const target = (await net.height(a)) + 3;
    await net.waitForHeight([d], target, 90_000);
    // d signs again: its address appears in a later commit.
    const addr = (await net.rpc<{ validator_info: { address: string } }>(d, "status")).validator_info.address;
    const deadline = Date.now() + 60_000;
    let signed = false;
    while (!signed && Date.now() < deadline) {
      const h = await net.height(a);
      const res = await net.rpc<CommitRes>(a, "commit", { height: String(h) });
      signed = res.signed_header.commit.signatures.some(
        (s) => s.validator_address === addr && s.block_id_flag === 2,
      );
      if (!signed) await sleep(300);
    }
    assert.ok(signed, "restarted validator never signed a commit again");
  });

  it("two of four killed: the chain halts; restarted, it resumes", async () => {
    const [a, b, c, d] = net.nodes as [
      (typeof net.nodes)[0],
      (typeof net.nodes)[0],
      (typeof net.nodes)[0],
      (typeof net.nodes)[0],
    ];
    await Promise.all([net.kill(c), net.kill(d)]);
    await sleep(1500);
    const halted = await net.height(a);
    await sleep(4000);
    assert.ok((await net.height(a)) <= halted + 1, "chain must not progress with half the power down");
    net.start(c);
    net.start(d);
    await net.waitForHeight([a, b, c, d], halted + 5, 120_000);
  });

  it("repeated kills at arbitrary instants never make an honest validator sign two votes for one h/r/type", async () => {
    // A fixed schedule (no randomness in tests): kill times spread across a block interval.
    const delays = [0, 130, 470, 260, 910, 55, 640, 330];
    for (let i = 0; i < delays.length; i++) {
      const victim = net.nodes[i % net.nodes.length]!;
      await sleep(delays[i]!);
      await net.kill(victim);
      await sleep(300);
      net.start(victim);
      await sleep(700);
    }
    const h = Math.max(...(await Promise.all(net.nodes.map((n) => net.height(n)))));
    await net.waitForHeight(net.nodes, h + 3, 120_000);
    const votes = net.votes();
    assert.ok(votes.length > 100, "vote logs should hold the votes seen");
    assert.deepEqual(doubleSigns(votes), []);
  });
});
