import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { bech32Address, FEE_COLLECTOR, moduleAddress } from "../../../app/index.ts";
import { CONS_REDISTRIBUTE, CONS_TO_SEND_TO_PROVIDER } from "../../../consumer/index.ts";
import { decodePacketData, escrowAddress } from "../../../ibc/index.ts";
import {
  ConsumerTestChain,
  consumerGenesis,
  eventsOf,
  PROVIDER_FEE_POOL,
  SECOND,
  sentPackets,
  T,
  vscPacket,
} from "./helpers.ts";

async function balance(c: ConsumerTestChain, addr: Uint8Array, denom: string): Promise<bigint> {
  return c.keeper.bank.balance(c.store(), addr, denom);
}

function fees(c: ConsumerTestChain, coins: { denom: string; amount: bigint }[]): void {
  c.during(async (ctx) => c.keeper.bank.mint(ctx.store, moduleAddress(FEE_COLLECTOR), coins));
}

describe("consumer: rewards", () => {
  it(
    "keeps the redistribution fraction, buffers the rest, and sends it to the provider every period once established",
    T,
    async () => {
      const c = await ConsumerTestChain.create({
        genesis: consumerGenesis({ blocks_per_distribution_transmission: "3" }),
      });
      fees(c, [
        { denom: "stake", amount: 1001n },
        { denom: "atom", amount: 4n },
      ]);
      await c.block(); // 1
      assert.equal(await balance(c, moduleAddress(FEE_COLLECTOR), "stake"), 0n);
      assert.equal(await balance(c, moduleAddress(CONS_REDISTRIBUTE), "stake"), 750n); // 1001 × 0.75 truncated
      assert.equal(await balance(c, moduleAddress(CONS_TO_SEND_TO_PROVIDER), "stake"), 251n);
      assert.equal(await balance(c, moduleAddress(CONS_REDISTRIBUTE), "atom"), 3n);
      assert.equal(await balance(c, moduleAddress(CONS_TO_SEND_TO_PROVIDER), "atom"), 1n);
      await c.block(); // 2
      let res = await c.block(); // 3: due, but CCV is not established
      const [skipped] = eventsOf(res.events, "fee_distribution");
      assert.equal(skipped!.result, "skipped");
      assert.equal(sentPackets(res.events).length, 0);
      assert.equal((await c.query("NextFeeDistribution")).next_height, "6");

      await c.deliver(vscPacket(1n, [])); // 4
      await c.block(); // 5
      res = await c.block(); // 6
      assert.equal(eventsOf(res.events, "fee_distribution")[0]!.result, "sent");
      const packets = sentPackets(res.events);
      assert.deepEqual(
        packets.map((p) => [p.sourcePort, p.sourceChannel, p.destChannel]),
        [
          ["transfer", "channel-1", "channel-2"],
          ["transfer", "channel-1", "channel-2"],
        ],
      );
      const data = packets.map((p) => decodePacketData(p.data));
      assert.deepEqual(
        data.map((d) => [d.denom, d.amount]),
        [
          ["atom", "1"],
          ["stake", "251"],
        ],
      );
      assert.equal(data[0]!.receiver, PROVIDER_FEE_POOL);
      assert.equal(data[0]!.sender, bech32Address(moduleAddress(CONS_TO_SEND_TO_PROVIDER), "cosmos"));
      assert.equal(data[0]!.memo, '{"provider":{"consumerId":"0","chainId":"unit-1","memo":"ICS rewards"}}');
      assert.equal(packets[0]!.timeoutTimestamp, c.chain.time + 3600n * SECOND);
      assert.equal(await balance(c, moduleAddress(CONS_TO_SEND_TO_PROVIDER), "stake"), 0n);
      assert.equal(await balance(c, escrowAddress("transfer", "channel-1"), "stake"), 251n);
      assert.equal(await balance(c, moduleAddress(CONS_REDISTRIBUTE), "stake"), 750n);
    },
  );

  it("keeps the tokens for the next period when a send fails", T, async () => {
    const c = await ConsumerTestChain.create({
      genesis: consumerGenesis({ blocks_per_distribution_transmission: "2", provider_fee_pool_addr_str: "" }),
    });
    fees(c, [{ denom: "stake", amount: 100n }]);
    await c.deliver(vscPacket(1n, [])); // 1
    const res = await c.block(); // 2: due
    const [ev] = eventsOf(res.events, "fee_distribution");
    assert.equal(ev!.result, "failed");
    assert.ok(ev!.error!.length > 0);
    assert.equal(sentPackets(res.events).length, 0);
    assert.equal(await balance(c, moduleAddress(CONS_TO_SEND_TO_PROVIDER), "stake"), 25n);
    assert.equal((await c.query("NextFeeDistribution")).last_height, "2");
  });
});
