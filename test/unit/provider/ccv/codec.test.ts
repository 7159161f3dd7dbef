import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { BinaryWriter } from "cosmjs-types/binary";
import {
  createConsumerFromJson,
  decShort,
  generatedType,
  MsgAssignConsumerKeyCodec,
  type MsgCreateConsumer,
  MsgCreateConsumerCodec,
  MsgOptInCodec,
  MsgOptOutCodec,
  MsgRemoveConsumerCodec,
  MsgSetConsumerCommissionRateCodec,
  MsgSubmitConsumerDoubleVotingCodec,
  MsgSubmitConsumerMisbehaviourCodec,
  MsgUpdateConsumerCodec,
  providerMsgCodecs,
} from "../../../../provider/ccv/codec.ts";

const SECOND = 1_000_000_000n;

const create: MsgCreateConsumer = {
  submitter: "cosmos1submitter",
  chainId: "consumer-1",
  metadata: { name: "c", description: "d", metadata: "m" },
  initializationParameters: {
    initialHeight: { revisionNumber: 0n, revisionHeight: 1n },
    genesisHash: Uint8Array.of(1, 2),
    binaryHash: Uint8Array.of(3),
    spawnTime: 1_700_000_000n * SECOND + 5n,
    unbondingPeriod: 1728000n * SECOND,
    ccvTimeoutPeriod: 2419200n * SECOND,
    transferTimeoutPeriod: 3600n * SECOND,
    consumerRedistributionFraction: "0.75",
    blocksPerDistributionTransmission: 1000n,
    historicalEntries: 10000n,
    distributionTransmissionChannel: "",
    connectionId: "",
    signedBlocksWindow: 10n,
    minSignedPerWindow: "0.5",
    downtimeJailDuration: 10n * SECOND,
  },
  powerShapingParameters: {
    topN: 0,
    validatorsPowerCap: 30,
    validatorSetCap: 4,
    allowlist: ["a", "b"],
    denylist: ["c"],
    minStake: 7n,
    allowInactiveVals: true,
    prioritylist: ["p"],
  },
  allowlistedRewardDenoms: { denoms: ["stake"] },
  infractionParameters: {
    doubleSign: { slashFraction: "0.05", jailDuration: 9223372036854775807n, tombstone: true },
    downtime: { slashFraction: "0", jailDuration: 600n * SECOND, tombstone: false },
  },
};

describe("provider ccv codec", () => {
  it("type URLs are the reference's", () => {
    assert.deepEqual(
      providerMsgCodecs.map((c) => c.typeUrl),
      [
        "MsgCreateConsumer",
        "MsgUpdateConsumer",
        "MsgRemoveConsumer",
        "MsgAssignConsumerKey",
        "MsgOptIn",
        "MsgOptOut",
        "MsgSetConsumerCommissionRate",
        "MsgSubmitConsumerDoubleVoting",
        "MsgSubmitConsumerMisbehaviour",
      ].map((n) => `/interchain_security.ccv.provider.v1.${n}`),
    );
  });

  it("MsgCreateConsumer round-trips with every sub-message and the icsd extensions", () => {
    assert.deepEqual(MsgCreateConsumerCodec.decode(MsgCreateConsumerCodec.encode(create)), create);
  });

  it("MsgCreateConsumer puts chain_id at field 2 and the spawn time as a Timestamp at init field 4", () => {
    const b = MsgCreateConsumerCodec.encode({ ...create, submitter: "" });
    // field 2, wire type 2, length 10, "consumer-1"
    assert.deepEqual([...b.slice(0, 2)], [0x12, 10]);
    const noSpawn = MsgCreateConsumerCodec.encode({
      ...create,
      initializationParameters: { ...create.initializationParameters!, spawnTime: undefined },
    });
    assert.equal(MsgCreateConsumerCodec.decode(noSpawn).initializationParameters?.spawnTime, undefined);
  });

  it("MsgUpdateConsumer round-trips; absent sub-messages stay undefined", () => {
    const m = MsgUpdateConsumerCodec.fromPartial({
      owner: "o",
      consumerId: "3",
      newOwnerAddress: "n",
      newChainId: "x",
    });
    assert.deepEqual(MsgUpdateConsumerCodec.decode(MsgUpdateConsumerCodec.encode(m)), m);
    const full = { ...m, metadata: create.metadata, powerShapingParameters: create.powerShapingParameters };
    assert.deepEqual(MsgUpdateConsumerCodec.decode(MsgUpdateConsumerCodec.encode(full)), full);
  });

  it("the small messages round-trip", () => {
    const key =
      '{"@type":"/cosmos.crypto.ed25519.PubKey","key":"Ui5Gf1+mtWUdH8u3xlmzdKID+F3PK0sfXZ73GZ6q6is="}';
    const cases: [{ encode(m: never): Uint8Array; decode(b: Uint8Array): unknown }, unknown][] = [
      [MsgRemoveConsumerCodec, { consumerId: "1", owner: "o" }],
      [
        MsgAssignConsumerKeyCodec,
        { chainId: "", providerAddr: "v", consumerKey: key, signer: "s", consumerId: "0" },
      ],
      [MsgOptInCodec, { chainId: "", providerAddr: "v", consumerKey: "", signer: "s", consumerId: "0" }],
      [MsgOptOutCodec, { chainId: "", providerAddr: "v", signer: "s", consumerId: "2" }],
      [
        MsgSetConsumerCommissionRateCodec,
        { providerAddr: "v", chainId: "", rate: "0.05", signer: "s", consumerId: "0" },
      ],
      [MsgSubmitConsumerMisbehaviourCodec, { submitter: "s", misbehaviour: undefined, consumerId: "0" }],
      [
        MsgSubmitConsumerDoubleVotingCodec,
        {
          submitter: "s",
          duplicateVoteEvidence: undefined,
          infractionBlockHeader: undefined,
          consumerId: "0",
        },
      ],
    ];
    for (const [c, m] of cases) assert.deepEqual(c.decode(c.encode(m as never)), m);
  });

  it("the commission rate goes on the wire as LegacyDec atomics", () => {
    const b = MsgSetConsumerCommissionRateCodec.encode(
      MsgSetConsumerCommissionRateCodec.fromPartial({ rate: "0.05" }),
    );
    const expect = new BinaryWriter().uint32(26).string("50000000000000000").finish();
    assert.deepEqual(b, expect);
    assert.equal(decShort(10n ** 18n), "1");
  });

  it("partial messages (as CosmJS passes them) encode with defaults", () => {
    const t = generatedType(MsgOptInCodec);
    const b = t.encode({ consumerId: "0", providerAddr: "v", signer: "s" } as never).finish();
    assert.equal(MsgOptInCodec.decode(b).consumerKey, "");
  });

  it("createConsumerFromJson reads the CLI JSON with defaults for missing init fields", () => {
    const m = createConsumerFromJson("cosmos1x", {
      chain_id: "c-1",
      metadata: { name: "n" },
      initialization_parameters: {
        spawn_time: "2024-01-01T00:00:00Z",
        unbonding_period: "100s",
        signed_blocks_window: "10",
      },
      power_shaping_parameters: { top_N: 0, allowlist: ["a"] },
      infraction_parameters: { downtime: { slash_fraction: "0.01", jail_duration: "60s" } },
    });
    assert.equal(m.initializationParameters?.spawnTime, 1704067200n * SECOND);
    assert.equal(m.initializationParameters?.unbondingPeriod, 100n * SECOND);
    assert.equal(m.initializationParameters?.historicalEntries, 10000n);
    assert.equal(m.initializationParameters?.signedBlocksWindow, 10n);
    assert.deepEqual(m.powerShapingParameters?.allowlist, ["a"]);
    assert.equal(m.infractionParameters?.downtime?.jailDuration, 60n * SECOND);
    assert.deepEqual(MsgCreateConsumerCodec.decode(MsgCreateConsumerCodec.encode(m)), {
      ...m,
      infractionParameters: m.infractionParameters,
    });
    assert.throws(() => createConsumerFromJson("x", { chain_id: 5 }), /chain_id/);
  });
});
