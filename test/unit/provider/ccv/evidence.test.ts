/**
 * Consumer double voting and misbehaviour on a real SdkApp ([slashing, staking, ibc, evidence]) over an
 * in-memory tree: three provider validators from gen_txs whose consensus keys also sign on the consumer
 * (no key assignment, except consumer "2" below), a light client of the consumer created at genesis, and
 * votes/headers signed exactly as icsd's consensus signs them.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fromBech32 } from "@cosmjs/encoding";
import type { EncodeObject } from "@cosmjs/proto-signing";
import { PubKey } from "cosmjs-types/cosmos/crypto/ed25519/keys";
import type { AppModule, AppStore } from "../../../../app/index.ts";
import { bech32Address, ibcModule } from "../../../../app/index.ts";
import { type DuplicateVoteEvidence, type Vote, VoteType } from "../../../../consensus/index.ts";
import { ed25519FromSeed, ed25519Sign } from "../../../../crypto/index.ts";
import { createClient, getClientState } from "../../../../ibc/index.ts";
import { voteSignBytes } from "../../../../proto/index.ts";
import {
  generatedType,
  MsgSubmitConsumerDoubleVotingCodec,
  MsgSubmitConsumerMisbehaviourCodec,
} from "../../../../provider/ccv/codec.ts";
import {
  byzantineValidators,
  clientHeaderFromProto,
  clientHeaderToProto,
  duplicateVoteEvidenceFromProto,
  duplicateVoteEvidenceToProto,
  type EvidenceConsumer,
  evidenceMsgRoutes,
} from "../../../../provider/ccv/evidence.ts";
import {
  DOUBLE_SIGN_JAIL_END_TIME,
  type SlashingKeeper,
  slashingModule,
} from "../../../../provider/slashing/index.ts";
import { consAddress, type StakingKeeperImpl, stakingModule } from "../../../../provider/staking/index.ts";
import { utf8 } from "../../../../utils/index.ts";
import { fundedAppState, registry, signTx } from "../../../support/txSigner.ts";
import {
  type TestValidator as ClientVal,
  clientHeader,
  signedHeader,
  testClientState,
} from "../../ibc/client/helpers.ts";
import { ModuleTestChain, type TestAccount, testAccount } from "../helpers.ts";
import { chainStore, SECOND } from "../slashing/setup.ts";

for (const c of [MsgSubmitConsumerDoubleVotingCodec, MsgSubmitConsumerMisbehaviourCodec]) {
  if (!registry.lookupType(c.typeUrl)) registry.register(c.typeUrl, generatedType(c as never) as never);
}

const STAKE = 1_000_000n;
const CONSUMER_CHAIN = "consumer-1";
const CLIENT = "07-icsd-0";
const MAX_DURATION = 9223372036854775807n;

/** Provider validator i's consensus key pair (the fakeStaking/consKey seed), which it also uses on the consumer. */
function consKeyPair(i: number) {
  return ed25519FromSeed(utf8(`cons-key-${i}`.padEnd(32, ".")));
}

function clientVal(key: ReturnType<typeof consKeyPair>, power = 10n): ClientVal {
  return {
    key,
    validator: {
      address: consAddress(key.publicKey),
      pubKey: key.publicKey,
      votingPower: power,
      proposerPriority: 0n,
    },
  };
}

function createValidatorMsg(acc: TestAccount, i: number): EncodeObject {
  return {
    typeUrl: "/cosmos.staking.v1beta1.MsgCreateValidator",
    value: {
      description: { moniker: `val-${i}`, identity: "", website: "", securityContact: "", details: "" },
      commission: {
        rate: "100000000000000000",
        maxRate: "200000000000000000",
        maxChangeRate: "10000000000000000",
      },
      minSelfDelegation: "1",
      delegatorAddress: "",
      validatorAddress: bech32Address(fromAcc(acc), "cosmosvaloper"),
      pubkey: {
        typeUrl: "/cosmos.crypto.ed25519.PubKey",
        value: PubKey.encode({ key: consKeyPair(i).publicKey }).finish(),
      },
      value: { denom: "stake", amount: (10n * STAKE).toString() },
    },
  };
}

function fromAcc(acc: TestAccount): Uint8Array {
  return fromBech32(acc.address, 1023).data;
}

/** A prevote or precommit of `key` at consumer height `height` for `blockHash`, signed for `chainId`. */
function vote(
  key: ReturnType<typeof consKeyPair>,
  height: number,
  blockHash: Uint8Array,
  chainId = CONSUMER_CHAIN,
  round = 0,
): Vote {
  const unsigned: Vote = {
    type: VoteType.Prevote,
    height,
    round,
    blockHash,
    timestamp: 5n,
    validatorAddress: consAddress(key.publicKey),
    validatorIndex: 0,
    signature: new Uint8Array(),
  };
  return { ...unsigned, signature: ed25519Sign(key, voteSignBytes(chainId, unsigned)) };
}

function doubleVote(
  key: ReturnType<typeof consKeyPair>,
  height: number,
  opts: { chainId?: string; same?: boolean; round?: number } = {},
): DuplicateVoteEvidence {
  const a = vote(key, height, new Uint8Array(32).fill(1), opts.chainId, opts.round);
  const b = vote(key, height, new Uint8Array(32).fill(opts.same ? 1 : 2), opts.chainId, opts.round);
  return { voteA: a, voteB: b, totalVotingPower: 30n, validatorPower: 10n, timestamp: 7n };
}

class Net {
  readonly chain: ModuleTestChain;
  readonly staking: StakingKeeperImpl;
  readonly slashing: SlashingKeeper;
  readonly accounts: TestAccount[];
  readonly submitter: TestAccount;
  readonly consumerVals: ClientVal[];
  readonly consumers: Map<string, EvidenceConsumer>;
  /** Consumer consensus address (hex) -> provider consensus address: the stub's key assignment. */
  readonly keyMap: Map<string, Uint8Array>;
  /** Consumer time of the trusted consensus state at height 10. */
  readonly t10: bigint;
  private readonly seqs = new Map<string, bigint>();

  private constructor(init: {
    chain: ModuleTestChain;
    staking: StakingKeeperImpl;
    slashing: SlashingKeeper;
    accounts: TestAccount[];
    submitter: TestAccount;
    consumerVals: ClientVal[];
    consumers: Map<string, EvidenceConsumer>;
    keyMap: Map<string, Uint8Array>;
    t10: bigint;
  }) {
    this.chain = init.chain;
    this.staking = init.staking;
    this.slashing = init.slashing;
    this.accounts = init.accounts;
    this.submitter = init.submitter;
    this.consumerVals = init.consumerVals;
    this.consumers = init.consumers;
    this.keyMap = init.keyMap;
    this.t10 = init.t10;
    // The gen_txs used sequence 0 of each validator account.
    for (const a of init.accounts) this.seqs.set(a.address, 1n);
  }

  static async create(): Promise<Net> {
    const accounts = await Promise.all([0, 1, 2].map((i) => testAccount(i)));
    const submitter = await testAccount(3);
    const appState = fundedAppState([...accounts.map((a) => a.address), submitter.address], 1_000n * STAKE);
    appState.staking = { params: { unbonding_time: "1000s" } };
    appState.genutil = {
      gen_txs: await Promise.all(
        accounts.map(async (a, i) =>
          Buffer.from(
            await signTx(a, [createValidatorMsg(a, i)], {
              sequence: 0n,
              fee: [],
              gas: 5_000_000n,
              accountNumber: 0n,
            }),
          ).toString("base64"),
        ),
      ),
    };
    const consumerVals = [0, 1, 2].map((i) => clientVal(consKeyPair(i)));
    const consumers = new Map<string, EvidenceConsumer>();
    const doubleSign = { slashFraction: "0.05", jailDuration: MAX_DURATION, tombstone: true };
    const launched = "CONSUMER_PHASE_LAUNCHED";
    consumers.set("0", {
      chainId: CONSUMER_CHAIN,
      phase: launched,
      clientId: CLIENT,
      unbondingPeriod: 200n * SECOND,
      doubleSign,
    });
    // Same client, a tiny unbonding period: all its evidence is too old.
    consumers.set("1", {
      chainId: CONSUMER_CHAIN,
      phase: launched,
      clientId: CLIENT,
      unbondingPeriod: 1n,
      doubleSign,
    });
    consumers.set("3", {
      chainId: CONSUMER_CHAIN,
      phase: "CONSUMER_PHASE_INITIALIZED",
      clientId: "",
      unbondingPeriod: 200n * SECOND,
      doubleSign,
    });
    const genesisTime = 1_000_000_000_000n;
    const t10 = genesisTime - 5n * SECOND;
    let st: StakingKeeperImpl | undefined;
    let sl: SlashingKeeper | undefined;
    const keyMap = new Map<string, Uint8Array>();
    const chain = await ModuleTestChain.create(
      (base) => {
        const s = stakingModule(base);
        const sm = slashingModule(base, s.keeper);
        const ibc = ibcModule(base);
        st = s.keeper;
        sl = sm.keeper;
        const evidence: AppModule = {
          name: "evidencetest",
          msgs: evidenceMsgRoutes({
            consumers: {
              consumer: async (_store: AppStore, id: string) => consumers.get(id),
              providerConsAddr: async (_store, _id, addr) =>
                keyMap.get(Buffer.from(addr).toString("hex")) ?? addr,
            },
            staking: s.keeper,
            slashing: sm.keeper,
            ibc: ibc.keeper,
          }),
          async initGenesis(ctx) {
            // The provider's client of the consumer, trusting consumer height 10 (whose next set is the consumer set).
            const sh = signedHeader({ chainId: CONSUMER_CHAIN, height: 10, time: t10, vals: consumerVals });
            await createClient(ctx.store, CLIENT, testClientState(10n, { chainId: CONSUMER_CHAIN }), {
              timestamp: t10,
              root: sh.header.appHash,
              nextValidatorsHash: sh.header.nextValidatorsHash,
            });
          },
        };
        return [sm.module, s.module, ibc.module, evidence];
      },
      appState,
      { genesisTime },
    );
    if (!st || !sl) throw new Error("keepers not built");
    const net = new Net({
      chain,
      staking: st,
      slashing: sl,
      accounts,
      submitter,
      consumerVals,
      consumers,
      keyMap,
      t10,
    });
    await net.block();
    return net;
  }

  get store() {
    return chainStore(this.chain);
  }

  async block(txs: Uint8Array[] = []) {
    const votes = this.accounts.map((_, i) => ({
      address: consAddress(consKeyPair(i).publicKey),
      power: 10n,
      signed: true,
    }));
    const res = await this.chain.block({ txs, lastCommit: { round: 0, votes } });
    assert.deepEqual(await this.chain.app.checkInvariants(), []);
    return res;
  }

  async tx(from: TestAccount, msgs: EncodeObject[]) {
    const seq = this.seqs.get(from.address) ?? 0n;
    const raw = await signTx(from, msgs, { sequence: seq, fee: [], gas: 10_000_000n });
    const res = await this.block([raw]);
    this.seqs.set(from.address, seq + 1n);
    return res.txResults[0]!;
  }

  async validator(i: number) {
    const v = await this.staking.getValidatorByConsAddr(this.store, consAddress(consKeyPair(i).publicKey));
    assert.ok(v);
    return v;
  }

  /** A consumer header at `height` (after the trusted height 10) verifying from height 10. */
  header(
    height: number,
    opts: { chainId?: string; vals?: ClientVal[]; appHash?: Uint8Array; trusted?: bigint } = {},
  ) {
    const vals = opts.vals ?? this.consumerVals;
    const sh = signedHeader({
      chainId: opts.chainId ?? CONSUMER_CHAIN,
      height,
      time: this.t10 + BigInt(height - 10) * SECOND,
      vals,
      ...(opts.appHash ? { appHash: opts.appHash } : {}),
    });
    return clientHeader(sh, vals, opts.trusted ?? 10n, this.consumerVals);
  }

  submitDoubleVote(ev: DuplicateVoteEvidence, header = this.header(ev.voteA.height), consumerId = "0") {
    return this.tx(this.submitter, [
      {
        typeUrl: MsgSubmitConsumerDoubleVotingCodec.typeUrl,
        value: {
          submitter: this.submitter.address,
          duplicateVoteEvidence: duplicateVoteEvidenceToProto(ev),
          infractionBlockHeader: clientHeaderToProto(header),
          consumerId,
        },
      },
    ]);
  }

  submitMisbehaviour(
    h1: ReturnType<Net["header"]>,
    h2: ReturnType<Net["header"]>,
    consumerId = "0",
    clientId = CLIENT,
  ) {
    return this.tx(this.submitter, [
      {
        typeUrl: MsgSubmitConsumerMisbehaviourCodec.typeUrl,
        value: {
          submitter: this.submitter.address,
          misbehaviour: { clientId, header1: clientHeaderToProto(h1), header2: clientHeaderToProto(h2) },
          consumerId,
        },
      },
    ]);
  }
}

/** The app hash (state) as a fingerprint: refused messages must leave only the fee/sequence changes. */
async function stakingFingerprint(n: Net): Promise<string> {
  const parts: string[] = [];
  for (let i = 0; i < 3; i++) {
    const v = await n.validator(i);
    const info = await n.slashing.getSigningInfo(n.store, consAddress(consKeyPair(i).publicKey));
    parts.push(`${v.tokens}/${v.jailed}/${info?.tombstoned}/${info?.jailedUntil}`);
  }
  return parts.join(" ");
}

const T = { timeout: 60_000 };

describe("provider evidence: protobuf conversions", () => {
  it("round-trips evidence and client headers through the reference's protobufs", () => {
    const ev = doubleVote(consKeyPair(0), 12);
    assert.deepEqual(duplicateVoteEvidenceFromProto(duplicateVoteEvidenceToProto(ev)), ev);
    const vals = [0, 1, 2].map((i) => clientVal(consKeyPair(i)));
    const h = clientHeader(signedHeader({ height: 12, time: 5n * SECOND, vals }), vals, 10n, vals);
    assert.deepEqual(clientHeaderFromProto(clientHeaderToProto(h)), h);
  });

  it("refuses a validator entry whose address is not its key's", () => {
    const vals = [clientVal(consKeyPair(0))];
    const p = clientHeaderToProto(
      clientHeader(signedHeader({ height: 12, time: 5n, vals }), vals, 10n, vals),
    );
    p.validatorSet!.validators[0]!.address = new Uint8Array(20).fill(9);
    assert.throws(() => clientHeaderFromProto(p), /address is not its key's address/);
  });

  it("attributes nobody for an amnesia pair (same state transition, different rounds)", () => {
    const vals = [0, 1, 2].map((i) => clientVal(consKeyPair(i)));
    const a = clientHeader(signedHeader({ height: 12, time: 5n, vals, round: 0 }), vals, 10n, vals);
    const b = clientHeader(signedHeader({ height: 12, time: 6n, vals, round: 1 }), vals, 10n, vals);
    assert.deepEqual(byzantineValidators("consumer-1", a, b), []);
    const c = clientHeader(
      signedHeader({ height: 12, time: 6n, vals, signers: [1], appHash: new Uint8Array(32).fill(7) }),
      vals,
      10n,
      vals,
    );
    assert.deepEqual(
      byzantineValidators("consumer-1", a, c).map((v) => v.address),
      [vals[1]!.validator.address],
    );
  });
});

describe("MsgSubmitConsumerDoubleVoting", () => {
  it(
    "slashes (counting unbonding stake), jails forever and tombstones the double voter; the same evidence is refused after",
    T,
    async () => {
      const n = await Net.create();
      // Validator 0 undelegates 2 of its 10 stake: power 8, and 2 STAKE still unbonding (ADR-013 counts it).
      const undel = await n.tx(n.accounts[0]!, [
        {
          typeUrl: "/cosmos.staking.v1beta1.MsgUndelegate",
          value: {
            delegatorAddress: n.accounts[0]!.address,
            validatorAddress: bech32Address(fromAcc(n.accounts[0]!), "cosmosvaloper"),
            amount: { denom: "stake", amount: (2n * STAKE).toString() },
          },
        },
      ]);
      assert.equal(undel.code, 0, undel.log);
      await n.block();
      assert.equal((await n.validator(0)).tokens, 8n * STAKE);

      const ev = doubleVote(consKeyPair(0), 12);
      const res = await n.submitDoubleVote(ev);
      assert.equal(res.code, 0, res.log);
      const v = await n.validator(0);
      // 5% of (8 + 2) power = 0.5 STAKE: 0.4 from the validator, 0.1 from the unbonding entry.
      assert.equal(v.tokens, 8n * STAKE - 400_000n);
      assert.equal(v.jailed, true);
      const ubds = await n.staking.validatorUnbondingDelegations(n.store, v.operator);
      assert.equal(ubds[0]!.entries[0]!.balance, 2n * STAKE - 100_000n);
      const info = await n.slashing.getSigningInfo(n.store, consAddress(consKeyPair(0).publicKey));
      assert.equal(info?.tombstoned, true);
      assert.equal(info?.jailedUntil, DOUBLE_SIGN_JAIL_END_TIME);
      const evType = res.events.find((e) => e.type === "submit_consumer_double_voting");
      assert.ok(evType, "submit_consumer_double_voting event");
      assert.ok(
        res.events.some(
          (e) =>
            e.type === "slash" && e.attributes.some((a) => a.key === "reason" && a.value === "double_sign"),
        ),
      );

      const before = await stakingFingerprint(n);
      const again = await n.submitDoubleVote(ev);
      assert.deepEqual([again.codespace, again.code], ["ccv", 16]);
      assert.match(again.log, /already handled/);
      // Other evidence (another round) of the tombstoned validator: refused as tombstoned.
      const other = await n.submitDoubleVote(doubleVote(consKeyPair(0), 12, { round: 1 }));
      assert.deepEqual([other.codespace, other.code], ["slashing", 9], other.log);
      assert.equal(await stakingFingerprint(n), before);
    },
  );

  it(
    "refuses wrong chain id, identical votes, a signer outside the header's set, a bad header and old evidence, changing nothing",
    T,
    async () => {
      const n = await Net.create();
      const before = await stakingFingerprint(n);
      const cases: [string, () => ReturnType<Net["submitDoubleVote"]>, string, number, RegExp][] = [
        [
          "votes signed for another chain",
          () => n.submitDoubleVote(doubleVote(consKeyPair(1), 12, { chainId: "other-1" })),
          "ccv",
          16,
          /invalid signature over chain id consumer-1/,
        ],
        [
          "identical votes",
          () => n.submitDoubleVote(doubleVote(consKeyPair(1), 12, { same: true })),
          "ccv",
          16,
          /block IDs are the same/,
        ],
        [
          "a key that is not in the header's set",
          () => n.submitDoubleVote(doubleVote(ed25519FromSeed(new Uint8Array(32).fill(42)), 12)),
          "ccv",
          16,
          /cannot be found in the infraction block header validator set/,
        ],
        [
          "a header of another chain",
          () => n.submitDoubleVote(doubleVote(consKeyPair(1), 12), n.header(12, { chainId: "other-1" })),
          "ccv",
          16,
          /not the consumer chain consumer-1/,
        ],
        [
          "a header at another height",
          () => n.submitDoubleVote(doubleVote(consKeyPair(1), 12), n.header(13)),
          "ccv",
          16,
          /at height 13, the votes at 12/,
        ],
        [
          "a header from an unknown trusted height",
          () => n.submitDoubleVote(doubleVote(consKeyPair(1), 12), n.header(12, { trusted: 9n })),
          "ccv",
          16,
          /no consensus state at the trusted height 9/,
        ],
        [
          "a header signed by another set",
          () =>
            n.submitDoubleVote(
              doubleVote(consKeyPair(1), 12),
              n.header(12, {
                vals: [clientVal(consKeyPair(1)), clientVal(ed25519FromSeed(new Uint8Array(32).fill(43)))],
              }),
            ),
          "ccv",
          16,
          /does not verify against client/,
        ],
        [
          "evidence older than the consumer's unbonding period",
          () => n.submitDoubleVote(doubleVote(consKeyPair(1), 12), undefined, "1"),
          "ccv",
          16,
          /too old/,
        ],
        [
          "a consumer that is not launched",
          () => n.submitDoubleVote(doubleVote(consKeyPair(1), 12), undefined, "3"),
          "provider",
          27,
          /phase CONSUMER_PHASE_INITIALIZED/,
        ],
        [
          "an unknown consumer",
          () => n.submitDoubleVote(doubleVote(consKeyPair(1), 12), undefined, "9"),
          "ccv",
          16,
          /cannot find consumer chain 9/,
        ],
      ];
      for (const [what, run, codespace, code, re] of cases) {
        const r = await run();
        assert.deepEqual([r.codespace, r.code], [codespace, code], `${what}: ${r.log}`);
        assert.match(r.log, re, what);
      }
      assert.equal(await stakingFingerprint(n), before);
    },
  );

  it("punishes the provider validator behind an assigned consumer key", T, async () => {
    const n = await Net.create();
    const assigned = ed25519FromSeed(new Uint8Array(32).fill(77));
    n.keyMap.set(
      Buffer.from(consAddress(assigned.publicKey)).toString("hex"),
      consAddress(consKeyPair(2).publicKey),
    );
    const vals = [clientVal(consKeyPair(0)), clientVal(consKeyPair(1)), clientVal(assigned)];
    // The consumer's set at 12 must be the trusted next set to verify adjacently... use the non-adjacent path:
    // 2 of 3 trusted validators (0 and 1) sign, more than 1/3 of the trusted power.
    const header = clientHeader(
      signedHeader({ chainId: CONSUMER_CHAIN, height: 12, time: n.t10 + 2n * SECOND, vals }),
      vals,
      10n,
      n.consumerVals,
    );
    const res = await n.submitDoubleVote(doubleVote(assigned, 12), header);
    assert.equal(res.code, 0, res.log);
    assert.equal((await n.validator(2)).jailed, true);
    assert.equal((await n.validator(0)).jailed, false);
  });
});

describe("MsgSubmitConsumerMisbehaviour", () => {
  it(
    "freezes the consumer's client and punishes every validator that signed both headers, skipping the tombstoned",
    T,
    async () => {
      const n = await Net.create();
      const first = await n.submitDoubleVote(doubleVote(consKeyPair(0), 11));
      assert.equal(first.code, 0, first.log);
      const h1 = n.header(13);
      const h2 = n.header(13, { appHash: new Uint8Array(32).fill(0xee) });
      const res = await n.submitMisbehaviour(h1, h2);
      assert.equal(res.code, 0, res.log);
      assert.equal((await n.validator(1)).jailed, true);
      assert.equal((await n.validator(2)).jailed, true);
      const cs = await getClientState(n.store, CLIENT);
      assert.equal(cs?.frozenHeight, 1n);
      const mb = res.events.find((e) => e.type === "submit_consumer_misbehaviour");
      assert.ok(mb);
      assert.equal(mb.attributes.find((a) => a.key === "validator_addresses")?.value.split(",").length, 2);
    },
  );

  it(
    "refuses the same header twice, headers at different heights and a wrong client id, changing nothing",
    T,
    async () => {
      const n = await Net.create();
      const before = await stakingFingerprint(n);
      const h = n.header(13);
      const same = await n.submitMisbehaviour(h, h);
      assert.deepEqual([same.codespace, same.code], ["client", 13], same.log);
      const heights = await n.submitMisbehaviour(n.header(13), n.header(14));
      assert.deepEqual([heights.codespace, heights.code], ["client", 13], heights.log);
      const wrong = await n.submitMisbehaviour(
        h,
        n.header(13, { appHash: new Uint8Array(32).fill(1) }),
        "0",
        "07-icsd-5",
      );
      assert.equal(wrong.code, 1);
      assert.match(wrong.log, /expected client ID/);
      assert.equal(await stakingFingerprint(n), before);
      assert.equal((await getClientState(n.store, CLIENT))?.frozenHeight, 0n);
    },
  );
});
