import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { toBech32 } from "@cosmjs/encoding";
import { MsgUnjail } from "cosmjs-types/cosmos/slashing/v1beta1/tx";
import type { Event } from "../../../consensus/index.ts";
import { consumerTxFilter } from "../../../consumer/txFilter.ts";
import { ccvErrorAck, resultAck, V1_RESULT } from "../../../ibc/ccv/wire.ts";
import { utf8 } from "../../../utils/index.ts";
import { registry, send } from "../../support/txSigner.ts";
import { testValidator } from "../ibc/client/helpers.ts";
import { ConsumerTestChain, consumerVals, T, testAccount, vscPacket } from "./helpers.ts";

registry.register("/cosmos.slashing.v1beta1.MsgUnjail", MsgUnjail);

const types = (events: readonly Event[]) => events.map((e) => e.type);

describe("consumer: VSC packets and the pre-CCV filter", () => {
  it(
    "refuses non-IBC messages until the first VSC packet, then accepts them; never evidence or slashing",
    T,
    async () => {
      const alice = await testAccount(1, 0n);
      const bob = await testAccount(2, 1n);
      const c = await ConsumerTestChain.create({ accounts: [alice, bob] });
      const refused = await c.tx(alice, [send(alice.address, bob.address, "5")]);
      assert.equal(refused.codespace, "ccvconsumer");
      assert.equal(refused.code, 2);
      assert.match(refused.log, /before the CCV channel is established: \/cosmos\.bank\.v1beta1\.MsgSend/);
      // An /ibc. message passes the filter (and fails in the ibc module, for its own reason).
      const ibcMsg = await c.tx(alice, [
        {
          typeUrl: "/ibc.core.client.v1.MsgUpdateClient",
          value: { clientId: "07-icsd-0", signer: alice.address },
        },
      ]);
      assert.notEqual(ibcMsg.codespace, "ccvconsumer");

      await c.deliver(vscPacket(1n, []));
      assert.deepEqual(c.acks.at(-1), resultAck(V1_RESULT));
      await c.ok(alice, [send(alice.address, bob.address, "5")]);
      const unjail = await c.tx(alice, [
        { typeUrl: "/cosmos.slashing.v1beta1.MsgUnjail", value: { validatorAddr: "cosmosvaloper1xyz" } },
      ]);
      // The consumer routes no slashing message, so decoding refuses it before the filter does.
      assert.notEqual(unjail.code, 0);
      // The filter itself refuses evidence and slashing messages, established or not.
      for (const url of [
        "/cosmos.slashing.v1beta1.MsgUnjail",
        "/cosmos.evidence.v1beta1.MsgSubmitEvidence",
      ]) {
        const err = await consumerTxFilter(c.store(), ["/ibc.core.client.v1.MsgUpdateClient", url]);
        assert.equal(err?.codespace, "ccvconsumer");
        assert.equal(err?.code, 3);
        assert.match(err!.message, /disabled on a consumer chain/);
      }
      assert.equal(await consumerTxFilter(c.store(), ["/cosmos.bank.v1beta1.MsgSend"]), undefined);
    },
  );

  it(
    "applies accumulated changes in EndBlock (latest power per key wins), maps height+1 to the vscId, establishes CCV",
    T,
    async () => {
      const c = await ConsumerTestChain.create();
      await c.block();
      const [v11, v12] = consumerVals().filter((v) =>
        [11, 12].map((s) => testValidator(s).validator.pubKey.join()).includes(v.validator.pubKey.join()),
      );
      const v21 = testValidator(21);
      const unknown = testValidator(99);
      c.during(async (ctx) => {
        const app = c.keeper.ibcApp(ctx);
        c.acks.push(
          await app.onRecvPacket(
            vscPacket(1n, [
              { pubKey: v21.validator.pubKey, power: 3n },
              { pubKey: v11!.validator.pubKey, power: 20n },
            ]),
          ),
        );
        c.acks.push(
          await app.onRecvPacket(
            vscPacket(2n, [
              { pubKey: v21.validator.pubKey, power: 5n },
              { pubKey: v12!.validator.pubKey, power: 0n },
              { pubKey: unknown.validator.pubKey, power: 0n },
            ]),
          ),
        );
      });
      const res = await c.block();
      const h = c.height;
      assert.deepEqual(c.acks, [resultAck(V1_RESULT), resultAck(V1_RESULT)]);
      assert.ok(types(res.events).includes("channel_established"));
      const updates = new Map(
        res.validatorUpdates.map((u) => [Buffer.from(u.pubKey).toString("hex"), u.power]),
      );
      assert.equal(updates.size, 3, "the removal of an unknown validator is not forwarded");
      assert.equal(updates.get(Buffer.from(v21.validator.pubKey).toString("hex")), 5n);
      assert.equal(updates.get(Buffer.from(v11!.validator.pubKey).toString("hex")), 20n);
      assert.equal(updates.get(Buffer.from(v12!.validator.pubKey).toString("hex")), 0n);
      const vals = (await c.query("Validators")).validators as { power: string }[];
      assert.equal(vals.length, 4);
      assert.deepEqual(vals.map((v) => v.power).sort(), ["10", "10", "20", "5"]);
      assert.equal((await c.query("ProviderInfo")).established, true);
      assert.deepEqual(await c.query("VscIdAtHeight", { height: String(h + 1n) }), {
        height: String(h + 1n),
        valset_update_id: "2",
      });
      assert.equal((await c.query("VscIdAtHeight", { height: String(h) })).valset_update_id, "0");
      // BeginBlock carries the vscId forward.
      await c.block();
      await c.block();
      assert.equal((await c.query("VscIdAtHeight", { height: String(h + 3n) })).valset_update_id, "2");
      // A second packet does not emit channel_established again; an empty one changes nothing.
      const again = await c.deliver(vscPacket(3n, []));
      assert.ok(!types(again.events).includes("channel_established"));
      assert.equal(again.validatorUpdates.length, 0);
    },
  );

  it(
    "answers invalid data, or a packet on another channel, with an error ack and writes nothing",
    T,
    async () => {
      const c = await ConsumerTestChain.create();
      const bad = { ...vscPacket(1n, []), data: utf8('{"valset_update_id":"0"}') };
      await c.deliver(bad);
      assert.match(
        new TextDecoder().decode(c.acks.at(-1)),
        /"error":"invalid VSC packet data: .*valset_update_id must be > 0"/,
      );
      await c.deliver(vscPacket(1n, [], [], { destChannel: "channel-7" }));
      assert.match(new TextDecoder().decode(c.acks.at(-1)), /not on the CCV channel/);
      const badAck = vscPacket(1n, [], ["not-bech32"]);
      await c.deliver(badAck);
      assert.match(new TextDecoder().decode(c.acks.at(-1)), /slash_acks\[0\] is not bech32/);
      assert.equal((await c.query("ProviderInfo")).established, false);
      assert.notDeepEqual(c.acks.at(-1), ccvErrorAck(""));
    },
  );

  it(
    "clears outstanding downtime for slash acks written with the provider's own valcons prefix",
    T,
    async () => {
      const c = await ConsumerTestChain.create();
      const v = consumerVals()[0]!;
      c.during(async (ctx) => {
        const { consumerState } = await import("../../../consumer/state.ts");
        consumerState.setOutstandingDowntime(ctx.store, v.validator.address);
      });
      await c.block();
      assert.equal(await c.keeper.outstandingDowntime(c.store(), v.validator.address), true);
      await c.deliver(vscPacket(1n, [], [toBech32("providervalcons", v.validator.address)]));
      assert.equal(new TextDecoder().decode(c.acks.at(-1)), new TextDecoder().decode(resultAck(V1_RESULT)));
      assert.equal(await c.keeper.outstandingDowntime(c.store(), v.validator.address), false);
    },
  );
});
