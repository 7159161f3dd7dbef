/**
 * Interchain security with real processes: a 4-validator provider, a consumer launched through
 * MsgCreateConsumer whose nodes are run by the same operators (validator 3 under an assigned key), and a
 * relayer on the CCV and transfer channels.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { toHex } from "@cosmjs/encoding";
import { QueryClient, setupStakingExtension } from "@cosmjs/stargate";
import { Comet38Client } from "@cosmjs/tendermint-rpc";
import { addressFromPubKey } from "../../crypto/index.ts";
import { user, waitUntil } from "./ibcHarness.ts";
import { IcsNet } from "./icsHarness.ts";

const hexAddr = (pubKey: Uint8Array) => toHex(addressFromPubKey(pubKey)).toUpperCase();

describe("interchain security with real processes", { timeout: 900_000 }, () => {
  let net: IcsNet;
  let delegator: Awaited<ReturnType<typeof user>>;

  before(async () => {
    delegator = await user("ics-delegator");
    net = await IcsNet.create({ validators: 4, funded: [delegator.address] });
    await net.launch({ assignedKeys: [3] });
  });

  after(async () => {
    await net?.cleanup();
  });

  async function stakingQuery() {
    const comet = await Comet38Client.connect(net.url());
    return { q: QueryClient.withExtensions(comet, setupStakingExtension), comet };
  }

  it("launches with the provider's validators, one of them under its assigned key", async () => {
    const expected = [0, 1, 2].map((i) => hexAddr(net.providerKey(i)));
    expected.push(hexAddr(net.consumerOwnKey(3)));
    const vals = await net.consumerValidators();
    assert.deepEqual([...vals.keys()].sort(), [...expected].sort(), await net.describe());
    // Blocks are signed by those keys: the assigned key signs consumer commits (it may miss the first
    // ones while its node connects).
    await net.consumer.waitForHeight(net.consumer.nodes, 4, 60_000);
    const assigned = hexAddr(net.consumerOwnKey(3));
    await waitUntil(
      "the assigned key to sign a consumer commit",
      async () => {
        const commit = await net.consumer.rpc<{
          signed_header: {
            commit: { signatures: { validator_address: string; signature: string | null }[] };
          };
        }>(net.consumer.nodes[0]!, "commit");
        return commit.signed_header.commit.signatures.some(
          (s) => s.signature && s.validator_address.toUpperCase() === assigned,
        );
      },
      60_000,
      () => net.describe(),
    );
    // The provider's record maps the assigned key to validator 3.
    const op = await net.operator(3);
    const key = await net
      .providerQuery<{ consumer_address: string }>("ValidatorConsumerKey", {
        consumer_id: net.consumerId,
        provider_address: op.valoper,
      })
      .catch(() => undefined);
    if (key) assert.ok(key.consumer_address.length > 0);
  });

  it("follows a delegation on the provider after the next epoch and relay", async () => {
    const target = hexAddr(net.providerKey(1));
    const before = (await net.consumerValidators()).get(target);
    assert.equal(before, 100n);
    const op = await net.operator(1);
    await net.tx(delegator.wallet, [
      {
        typeUrl: "/cosmos.staking.v1beta1.MsgDelegate",
        value: {
          delegatorAddress: delegator.address,
          validatorAddress: op.valoper,
          amount: { denom: "stake", amount: "50000000" },
        },
      },
    ]);
    await waitUntil(
      "the consumer to use the new power",
      async () => (await net.consumerValidators()).get(target) === 150n,
      90_000,
      () => net.describe(),
    );
  });

  it("jails a validator whose consumer node is down (not slashed), removes it there, and unjail brings it back", async () => {
    const victim = 2;
    const op = await net.operator(victim);
    const addr = hexAddr(net.providerKey(victim));
    const { q, comet } = await stakingQuery();
    try {
      const tokensBefore = (await q.staking.validator(op.valoper)).validator!.tokens;
      await net.consumer.kill(net.consumer.nodes[victim]!);
      await waitUntil(
        "the provider to jail the validator",
        async () => (await q.staking.validator(op.valoper)).validator!.jailed,
        120_000,
        () => net.describe(),
      );
      assert.equal(
        (await q.staking.validator(op.valoper)).validator!.tokens,
        tokensBefore,
        "downtime must not slash",
      );
      await waitUntil(
        "the consumer to drop the validator",
        async () => !(await net.consumerValidators()).has(addr),
        90_000,
        () => net.describe(),
      );
      // Back up, wait out the jail (10 s), unjail: the validator returns on both chains.
      net.consumer.start(net.consumer.nodes[victim]!);
      await new Promise((r) => setTimeout(r, 11_000));
      await net.tx(op.wallet, [
        { typeUrl: "/cosmos.slashing.v1beta1.MsgUnjail", value: { validatorAddr: op.valoper } },
      ]);
      await waitUntil(
        "the consumer to take the validator back",
        async () => (await net.consumerValidators()).get(addr) === 100n,
        90_000,
        () => net.describe(),
      );
      assert.equal((await q.staking.validator(op.valoper)).validator!.jailed, false);
    } finally {
      comet.disconnect();
    }
  });
});
