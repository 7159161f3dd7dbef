/**
 * Interchain security under kill -9 (the acceptance item "kill -9 any node or the relayer at random
 * moments: no packet lost or applied twice, no validator slashed twice for one infraction").
 *
 * One IcsNet (4 provider validators, each also running a consumer node) and its relayer. A seeded PRNG
 * (the seed is in the test name; ICSD_E2E_SEED overrides it to replay another schedule) drives rounds:
 * each SIGKILLs one or two victims among {a provider node, a consumer node, the relayer} at a random
 * moment and restarts them after a random short delay; never more than one provider node and one
 * consumer node are down at once, so both chains keep 3/4 of their power. Meanwhile the provider takes a
 * small delegation every round (a VSC packet per epoch with the new power) and a consumer account sends
 * tokens with fees (a reward transfer to the provider every 10 consumer blocks). One round is a downtime
 * episode: a consumer node stays down until the provider jails its validator (a slash packet through
 * the relayer, which is killed meanwhile), then it restarts and unjails.
 *
 * Windows: the provider's own liveness window is made very long (its validators' nodes are the ones
 * killed; provider downtime slashing is not what this tests), and the consumer's window tolerates a
 * short outage (a kill, a restart and a block sync) but not the deliberate one.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { sha256 } from "@cosmjs/crypto";
import { fromBase64, toBech32, toHex } from "@cosmjs/encoding";
import type { EncodeObject } from "@cosmjs/proto-signing";
import { BroadcastTxError, calculateFee, GasPrice, SigningStargateClient } from "@cosmjs/stargate";
import {
  QueryBalanceRequest,
  QueryBalanceResponse,
  QuerySupplyOfRequest,
  QuerySupplyOfResponse,
} from "cosmjs-types/cosmos/bank/v1beta1/query";
import {
  QueryDelegatorDelegationsRequest,
  QueryDelegatorDelegationsResponse,
  QueryValidatorRequest,
  QueryValidatorResponse,
} from "cosmjs-types/cosmos/staking/v1beta1/query";
import { TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import {
  QueryPacketCommitmentsRequest,
  QueryPacketCommitmentsResponse,
} from "cosmjs-types/ibc/core/channel/v1/query";
import { moduleAddress } from "../../app/index.ts";
import { addressFromPubKey } from "../../crypto/index.ts";
import { escrowAddress } from "../../ibc/index.ts";
import { doubleSigns, sleep, type TestNode, type Testnet } from "./harness.ts";
import { DENOM, GAS_PRICE, type User, user, waitUntil } from "./ibcHarness.ts";
import { IcsNet, registry } from "./icsHarness.ts";

type Json = Record<string, unknown>;

const SEED = Number(process.env.ICSD_E2E_SEED ?? 0x1c5c4a5);
const ROUNDS = 12;
const SELF_BOND = 100_000_000n;
const POWER = 1_000_000n;
// Consumer liveness: jailed after more than 40 - round(0.25 × 40) = 30 missed blocks of 40.
const SIGNED_BLOCKS_WINDOW = "40";
const MIN_SIGNED_PER_WINDOW = "0.25";

const hexAddr = (pubKey: Uint8Array) => toHex(addressFromPubKey(pubKey)).toUpperCase();
const valcons = (pubKey: Uint8Array) => toBech32("cosmosvalcons", addressFromPubKey(pubKey));

/** mulberry32: a small seeded PRNG, so a failing schedule can be replayed from its seed. */
function prng(seed: number): { next(): number; int(lo: number, hi: number): number } {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)) };
}

function log(msg: string): void {
  console.log(`[icsCrash] ${msg}`);
}

describe(`interchain security under kill -9 of nodes and the relayer (seed ${SEED})`, {
  timeout: 900_000,
}, () => {
  let net: IcsNet;
  let delegator: User;
  let sender: User;
  let receiver: User;
  const rand = prng(SEED);
  // The episode's side kills draw from their own stream: how many there are depends on timing, and the
  // rounds' schedule must not.
  const sideRand = prng(SEED ^ 0x5eed);
  /** Nodes killed and not yet back in step, per chain; the relayer's state. */
  const down = { provider: new Set<number>(), consumer: new Set<number>() };
  /** Nodes this round is about to kill: the load keeps away from them. */
  const doomed = { provider: new Set<number>(), consumer: new Set<number>() };
  /** Nodes killed at least once during the run. */
  const everKilled = { provider: new Set<number>(), consumer: new Set<number>() };
  /** Delegations per validator: committed for sure, and of unknown outcome (a lost broadcast). */
  const delegated = [0n, 0n, 0n, 0n];
  const uncertain = [0n, 0n, 0n, 0n];
  /** Provider Rewards totals for the consumer, by height: cumulative amounts must only grow. */
  const totals: { height: number; values: Map<string, bigint> }[] = [];
  let episodeVictim = -1;
  let episodeTokens = "";
  let sends = { ok: 0, failed: 0 };
  let load: Promise<void> | undefined;
  let stopLoad = false;
  let relayerKills = 0;

  const chainOf = (kind: "provider" | "consumer"): Testnet =>
    kind === "provider" ? net.provider : net.consumer;

  /** A node of `kind` that is up, in step and not about to be killed (the lowest index first). */
  function safeNode(kind: "provider" | "consumer"): TestNode {
    const nodes = chainOf(kind).nodes;
    for (let i = 0; i < nodes.length; i++) {
      if (!down[kind].has(i) && !doomed[kind].has(i)) return nodes[i]!;
    }
    throw new Error(`no safe ${kind} node`);
  }

  async function abci(
    chain: Testnet,
    node: TestNode,
    path: string,
    data: Uint8Array,
    height = 0,
  ): Promise<{ value: Uint8Array; height: number }> {
    const r = await chain.rpc<{
      response: { code: number; log: string; value: string | null; height: string };
    }>(node, "abci_query", { path, data: toHex(data), height: String(height) });
    if (r.response.code !== 0) throw new Error(`${path}: ${r.response.log}`);
    return {
      value: r.response.value ? fromBase64(r.response.value) : new Uint8Array(),
      height: Number(r.response.height),
    };
  }

  async function jsonAt<T = Json>(kind: "provider" | "consumer", path: string, req: Json = {}) {
    const r = await abci(chainOf(kind), safeNode(kind), path, new TextEncoder().encode(JSON.stringify(req)));
    return { value: JSON.parse(new TextDecoder().decode(r.value)) as T, height: r.height };
  }

  /** A u64 big-endian counter of the packet layer read raw from `/store/ibc/key` (0 when absent). */
  async function sequence(kind: "provider" | "consumer", which: string, port: string, channel: string) {
    const key = new TextEncoder().encode(`ibc/${which}/ports/${port}/channels/${channel}`);
    const r = await abci(chainOf(kind), safeNode(kind), "/store/ibc/key", key);
    return r.value.length === 8 ? Buffer.from(r.value).readBigUInt64BE(0) : 0n;
  }

  async function validator(i: number) {
    const op = await net.operator(i);
    const r = await abci(
      net.provider,
      safeNode("provider"),
      "/cosmos.staking.v1beta1.Query/Validator",
      QueryValidatorRequest.encode({ validatorAddr: op.valoper }).finish(),
    );
    return QueryValidatorResponse.decode(r.value).validator!;
  }

  async function balance(kind: "provider" | "consumer", address: string, denom: string, height = 0) {
    const r = await abci(
      chainOf(kind),
      safeNode(kind),
      "/cosmos.bank.v1beta1.Query/Balance",
      QueryBalanceRequest.encode({ address, denom }).finish(),
      height,
    );
    return BigInt(QueryBalanceResponse.decode(r.value).balance?.amount ?? "0");
  }

  /** Signs and broadcasts through `node`; "ok", "failed" (certainly not committed) or "unknown". */
  async function txVia(
    node: TestNode,
    wallet: User["wallet"] | Awaited<ReturnType<IcsNet["operator"]>>["wallet"],
    msgs: EncodeObject[],
  ): Promise<{ result: "ok" | "failed" | "unknown"; error?: string }> {
    let client: SigningStargateClient | undefined;
    let broadcasting = false;
    try {
      client = await SigningStargateClient.connectWithSigner(`http://127.0.0.1:${node.rpcPort}`, wallet, {
        registry,
        gasPrice: GasPrice.fromString(GAS_PRICE),
      });
      const [acc] = await wallet.getAccounts();
      const gas = await client.simulate(acc!.address, msgs, "");
      const fee = calculateFee(Math.round(gas * 2), GasPrice.fromString(GAS_PRICE));
      const signed = TxRaw.encode(await client.sign(acc!.address, msgs, fee, "")).finish();
      broadcasting = true;
      const hash = await client.broadcastTxSync(signed);
      const deadline = Date.now() + 20_000;
      while (Date.now() < deadline) {
        const t = await client.getTx(hash);
        if (t)
          return t.code === 0 ? { result: "ok" } : { result: "failed", error: `code ${t.code}: ${t.rawLog}` };
        await sleep(300);
      }
      return { result: "unknown", error: `${hash} not committed within 20 s` };
    } catch (e) {
      const error = e instanceof Error ? e.message : String(e);
      // Before the broadcast, or refused at CheckTx: it never reached a mempool.
      return { result: !broadcasting || e instanceof BroadcastTxError ? "failed" : "unknown", error };
    } finally {
      client?.disconnect();
    }
  }

  /** Waits until `node` answers and is within a block of the highest running node of its chain. */
  async function caughtUp(chain: Testnet, i: number): Promise<void> {
    const node = chain.nodes[i]!;
    await waitUntil(
      `${chain.chainId}/${node.name} to catch up after its restart`,
      async () => {
        const others = chain.nodes.filter((_, j) => j !== i);
        const top = Math.max(...(await Promise.all(others.map((n) => chain.height(n)))));
        const h = await chain.height(node);
        return h > 0 && h >= top - 1;
      },
      90_000,
      () => chain.logTails([node]),
    );
  }

  async function killNode(kind: "provider" | "consumer", i: number): Promise<void> {
    down[kind].add(i);
    everKilled[kind].add(i);
    await chainOf(kind).kill(chainOf(kind).nodes[i]!);
  }

  async function restartNode(kind: "provider" | "consumer", i: number): Promise<void> {
    const chain = chainOf(kind);
    chain.start(chain.nodes[i]!);
    await caughtUp(chain, i);
    down[kind].delete(i);
  }

  /** A victim's life in one round: alive for `killAfterMs`, dead for `downMs`, then back in step. */
  async function chaos(victim: Victim): Promise<void> {
    await sleep(victim.killAfterMs);
    if (victim.kind === "relayer") {
      relayerKills++;
      await net.relayer!.kill("SIGKILL");
      await sleep(victim.downMs);
      net.relayer!.start();
      return;
    }
    await killNode(victim.kind, victim.index);
    await sleep(victim.downMs);
    const t = Date.now();
    await restartNode(victim.kind, victim.index);
    log(`  ${victim.kind}/${victim.index} back in step ${Date.now() - t} ms after its restart`);
  }

  type Victim =
    | { kind: "relayer"; killAfterMs: number; downMs: number }
    | { kind: "provider" | "consumer"; index: number; killAfterMs: number; downMs: number };

  function pickVictims(): Victim[] {
    const kinds = ["provider", "consumer", "relayer"] as const;
    const first = kinds[rand.int(0, 2)]!;
    const chosen: (typeof kinds)[number][] = [first];
    if (rand.next() < 0.4) {
      const rest = kinds.filter((k) => k !== first);
      chosen.push(rest[rand.int(0, 1)]!);
    }
    return chosen.map((kind) => {
      const killAfterMs = rand.int(500, 5000);
      const downMs = rand.int(300, 3500);
      return kind === "relayer"
        ? { kind, killAfterMs, downMs }
        : { kind, index: rand.int(0, 3), killAfterMs, downMs };
    });
  }

  async function delegate(v: number, amount: bigint): Promise<void> {
    const op = await net.operator(v);
    const msg = {
      typeUrl: "/cosmos.staking.v1beta1.MsgDelegate",
      value: {
        delegatorAddress: delegator.address,
        validatorAddress: op.valoper,
        amount: { denom: DENOM, amount: amount.toString() },
      },
    };
    for (let attempt = 0; attempt < 3; attempt++) {
      const r = await txVia(safeNode("provider"), delegator.wallet, [msg]);
      if (r.result === "ok") {
        delegated[v]! += amount;
        return;
      }
      if (r.result === "unknown") {
        // It may still commit: no retry (it could commit twice); the end check allows either.
        uncertain[v]! += amount;
        log(`delegation to ${v} of unknown outcome: ${r.error}`);
        return;
      }
      log(`delegation to ${v} refused (attempt ${attempt + 1}): ${r.error}`);
      await sleep(1000);
    }
  }

  async function sampleTotals(): Promise<void> {
    try {
      const r = await jsonAt<{
        totals: {
          consumer_id: string;
          received: Coin[];
          paid_to_validators: Coin[];
          community_pool: Coin[];
        }[];
      }>("provider", "/icsd.provider.v1.Query/Rewards", { address: delegator.address });
      const t = r.value.totals.find((x) => x.consumer_id === net.consumerId);
      const values = new Map<string, bigint>();
      for (const [field, coins] of [
        ["received", t?.received ?? []],
        ["paid_to_validators", t?.paid_to_validators ?? []],
        ["community_pool", t?.community_pool ?? []],
      ] as const) {
        for (const c of coins) values.set(`${field}/${c.denom}`, BigInt(c.amount));
      }
      totals.push({ height: r.height, values });
    } catch (e) {
      log(`rewards sample failed: ${(e as Error).message}`);
    }
  }

  type Coin = { denom: string; amount: string };

  /** Consumer bank sends with fees, through a consumer node that is up and not about to die. */
  async function consumerLoad(): Promise<void> {
    while (!stopLoad) {
      let node: TestNode | undefined;
      try {
        node = safeNode("consumer");
      } catch {
        node = undefined;
      }
      if (node) {
        const r = await txVia(node, sender.wallet, [
          {
            typeUrl: "/cosmos.bank.v1beta1.MsgSend",
            value: {
              fromAddress: sender.address,
              toAddress: receiver.address,
              amount: [{ denom: DENOM, amount: "1000" }],
            },
          },
        ]);
        if (r.result === "ok") sends.ok++;
        else sends.failed++;
      }
      await sleep(1000);
    }
  }

  before(async () => {
    delegator = await user("ics-crash-delegator");
    sender = await user("ics-crash-sender");
    receiver = await user("ics-crash-receiver");
    net = await IcsNet.create({
      validators: 4,
      funded: [delegator.address, sender.address, receiver.address],
      providerAppState: { slashing: { params: { signed_blocks_window: "100000" } } },
    });
    await net.launch({
      initialization: {
        signed_blocks_window: SIGNED_BLOCKS_WINDOW,
        min_signed_per_window: MIN_SIGNED_PER_WINDOW,
      },
    });
    log(`seed ${SEED}: consumer ${net.consumerId} launched`);
  });

  after(async () => {
    stopLoad = true;
    await load?.catch(() => undefined);
    await net?.cleanup();
  });

  it(`runs ${ROUNDS} rounds of random kill -9 under load, with one downtime jail and unjail`, async () => {
    const start = Date.now();
    sends = { ok: 0, failed: 0 };
    load = consumerLoad();
    const episodeRound = rand.int(3, 5);
    for (let round = 0; round < ROUNDS; round++) {
      const v = rand.int(0, 3);
      const amount = BigInt(rand.int(1, 3)) * POWER;
      if (round === episodeRound) {
        await downtimeEpisode();
      } else {
        const victims = pickVictims();
        for (const x of victims) if (x.kind !== "relayer") doomed[x.kind].add(x.index);
        log(
          `round ${round}: delegate ${amount} to ${v}; ${victims
            .map(
              (x) =>
                `${x.kind}${x.kind === "relayer" ? "" : `/${x.index}`} killed after ${x.killAfterMs} ms for ${x.downMs} ms`,
            )
            .join(", ")}`,
        );
        await Promise.all([
          ...victims.map((x) =>
            chaos(x).finally(() => {
              if (x.kind !== "relayer") doomed[x.kind].delete(x.index);
            }),
          ),
          delegate(v, amount),
        ]);
      }
      await sampleTotals();
    }
    stopLoad = true;
    await load;
    log(
      `chaos done in ${Math.round((Date.now() - start) / 1000)} s: ${sends.ok} consumer sends ok, ${sends.failed} failed; delegated ${delegated.join(",")}, unknown ${uncertain.join(",")}`,
    );
    assert.ok(sends.ok >= 10, `only ${sends.ok} consumer sends went through`);
    assert.ok(episodeVictim >= 0, "the downtime episode ran");
    assert.ok(
      everKilled.provider.size > 0 && everKilled.consumer.size > 0 && relayerKills > 0,
      "the schedule killed provider nodes, consumer nodes and the relayer",
    );
  });

  /**
   * A consumer node down until the provider jails its validator; meanwhile the relayer (which carries
   * the slash packet and the VSC packet with its removal) and the validator's own provider node are
   * killed at random. Then the node restarts, the jail ends, and an unjail brings the validator back.
   */
  async function downtimeEpisode(): Promise<void> {
    const v = rand.int(1, 3);
    episodeVictim = v;
    const op = await net.operator(v);
    episodeTokens = (await validator(v)).tokens;
    const addr = hexAddr(net.providerKey(v));
    log(`downtime episode: consumer node ${v} down until its validator is jailed`);
    const began = Date.now();
    await killNode("consumer", v);
    // Its provider node may die any time in this episode: queries keep away from it.
    doomed.provider.add(v);
    let jailed = false;
    const side = (async () => {
      while (!jailed) {
        await sleep(sideRand.int(1000, 4000));
        if (jailed) break;
        const relayer = sideRand.next() < 0.7;
        const downMs = sideRand.int(300, 3000);
        log(`  episode: kill ${relayer ? "the relayer" : `provider/${v}`} for ${downMs} ms`);
        if (relayer) await chaos({ kind: "relayer", killAfterMs: 0, downMs });
        else await chaos({ kind: "provider", index: v, killAfterMs: 0, downMs });
      }
    })();
    try {
      await waitUntil(
        `the provider to jail validator ${v} for downtime on the consumer`,
        async () => (await validator(v)).jailed,
        180_000,
        () => net.describe(),
      );
    } finally {
      jailed = true;
      await side;
      doomed.provider.delete(v);
    }
    const jailedAt = Date.now();
    assert.equal((await validator(v)).tokens, episodeTokens, "downtime must not slash");
    await waitUntil(
      `the consumer to drop validator ${v}`,
      async () => !(await net.consumerValidators(safeIndex("consumer"))).has(addr),
      90_000,
      () => net.describe(),
    );
    await restartNode("consumer", v);
    await sleep(Math.max(0, jailedAt + 11_000 - Date.now()));
    await waitUntil(
      `validator ${v} to unjail`,
      async () => {
        const r = await txVia(safeNode("provider"), op.wallet, [
          { typeUrl: "/cosmos.slashing.v1beta1.MsgUnjail", value: { validatorAddr: op.valoper } },
        ]);
        if (r.result !== "ok") log(`  unjail: ${r.result} ${r.error ?? ""}`);
        return !(await validator(v)).jailed;
      },
      60_000,
      () => net.describe(),
    );
    await waitUntil(
      `the consumer to take validator ${v} back`,
      async () => (await net.consumerValidators(safeIndex("consumer"))).has(addr),
      90_000,
      () => net.describe(),
    );
    log(
      `downtime episode: validator ${v} jailed, unjailed and back on the consumer (${Date.now() - began} ms)`,
    );
  }

  function safeIndex(kind: "provider" | "consumer"): number {
    return chainOf(kind).nodes.indexOf(safeNode(kind));
  }

  it("delivers every VSC packet exactly once and the consumer's set is the provider's", async () => {
    const ch = net.consumerGenesis.ccv_channel as Json;
    const pch = String(ch.provider_channel_id);
    const cch = String(ch.consumer_channel_id);
    let last = "";
    await waitUntil(
      "quiescence of the CCV channel with equal validator sets",
      async () => {
        const sent = await sequence("provider", "nextSequenceSend", "provider", pch);
        const acked = await sequence("provider", "nextSequenceAck", "provider", pch);
        const recv = await sequence("consumer", "nextSequenceRecv", "consumer", cch);
        const commitments = QueryPacketCommitmentsResponse.decode(
          (
            await abci(
              net.provider,
              safeNode("provider"),
              "/ibc.core.channel.v1.Query/PacketCommitments",
              QueryPacketCommitmentsRequest.encode({ portId: "provider", channelId: pch }).finish(),
            )
          ).value,
        ).commitments.map((c) => c.sequence);
        const pv = await net.providerQuery<{
          validators: { consumer_key: { ed25519: string }; power: string }[];
        }>("ConsumerValidators", { consumer_id: net.consumerId });
        const want = new Map(
          pv.validators.map((x) => [hexAddr(fromBase64(x.consumer_key.ed25519)), BigInt(x.power)]),
        );
        const have = await net.consumerValidators(safeIndex("consumer"));
        const same = want.size === have.size && [...want].every(([a, p]) => have.get(a) === p);
        last = `sent<${sent} acked<${acked} recv<${recv} commitments [${commitments.join(",")}] provider set ${[
          ...want,
        ]
          .map(([a, p]) => `${a.slice(0, 8)}=${p}`)
          .join(" ")} consumer set ${[...have].map(([a, p]) => `${a.slice(0, 8)}=${p}`).join(" ")}`;
        return sent > 1n && recv === sent && acked === sent && commitments.length === 0 && same;
      },
      120_000,
      async () => `${last}\n${await net.describe()}`,
    );
    log(`CCV: ${last}`);
    // The consumer's sets match in keys and powers, and every validator is in with its stake.
    const have = await net.consumerValidators(safeIndex("consumer"));
    assert.equal(have.size, 4, `all four validators are back on the consumer: ${last}`);
    for (let i = 0; i < 4; i++) {
      const v = await validator(i);
      assert.equal(
        have.get(hexAddr(net.providerKey(i))),
        BigInt(v.tokens) / POWER,
        `validator ${i}'s consumer power`,
      );
    }
    // Each sequence was received once (a replay after a relayer crash must be refused, not re-applied).
    const sent = await sequence("provider", "nextSequenceSend", "provider", pch);
    for (let i = 0; i < net.consumer.nodes.length; i++) {
      if (down.consumer.has(i)) continue;
      const seqs = await eventValues(
        net.consumer,
        i,
        "recv_packet.packet_dst_port='consumer'",
        "recv_packet",
        "packet_sequence",
      );
      const counts = new Map<string, number>();
      for (const s of seqs) counts.set(s, (counts.get(s) ?? 0) + 1);
      const twice = [...counts].filter(([, n]) => n > 1);
      assert.deepEqual(twice, [], `consumer node ${i}: VSC packets received more than once`);
      const expected = Array.from({ length: Number(sent) - 1 }, (_, k) => String(k + 1));
      assert.deepEqual(
        [...counts.keys()].sort((a, b) => Number(a) - Number(b)),
        expected,
        `consumer node ${i}: recv_packet sequences`,
      );
    }
  });

  /** Every value of `attr` in `type` events of the successful txs matching `query` on node `i`. */
  async function eventValues(
    chain: Testnet,
    i: number,
    query: string,
    type: string,
    attr: string,
  ): Promise<string[]> {
    const out: string[] = [];
    for (let page = 1; ; page++) {
      const r = await chain.rpc<{
        total_count: string;
        txs: {
          tx_result: {
            code: number;
            events: { type: string; attributes: { key: string; value: string }[] }[];
          };
        }[];
      }>(chain.nodes[i]!, "tx_search", { query, page: String(page), per_page: "100" });
      for (const t of r.txs) {
        if (t.tx_result.code !== 0) continue;
        for (const e of t.tx_result.events) {
          if (e.type !== type) continue;
          for (const a of e.attributes) if (a.key === attr) out.push(a.value);
        }
      }
      if (page * 100 >= Number(r.total_count)) return out;
    }
  }

  it("handles the downtime slash packet once, leaves none pending, and slashes nobody", async () => {
    const v = episodeVictim;
    assert.ok(v >= 0, "the downtime episode ran");
    await waitUntil(
      "the consumer to have no pending slash packets",
      async () => {
        const p = await jsonAt<{ packets: unknown[] }>("consumer", "/icsd.consumer.v1.Query/PendingPackets");
        const r = await jsonAt<{ slash_record: unknown }>("consumer", "/icsd.consumer.v1.Query/SlashRecord");
        return p.value.packets.length === 0 && r.value.slash_record === null;
      },
      60_000,
      () => net.describe(),
    );
    // One slash packet handled for the victim, none for anyone else (provider events, every node's index).
    const victim = valcons(net.providerKey(v));
    for (let i = 0; i < net.provider.nodes.length; i++) {
      const received = await eventValues(
        net.provider,
        i,
        "slash_packet_received.infraction_type='downtime'",
        "slash_packet_received",
        "validator_address",
      );
      const executed = await eventValues(
        net.provider,
        i,
        "execute_consumer_chain_slash.infraction_type='downtime'",
        "execute_consumer_chain_slash",
        "validator_address",
      );
      assert.deepEqual(received, [victim], `provider node ${i}: slash packets handled`);
      assert.deepEqual(executed, [victim], `provider node ${i}: downtime jailings`);
    }
    const acks = await eventValues(
      net.consumer,
      safeIndex("consumer"),
      "slash_packet_ack.result='handled'",
      "slash_packet_ack",
      "validator_address",
    );
    assert.deepEqual(acks, [hexAddr(net.providerKey(v))], "the consumer got one handled ack, for the victim");
    // Nobody slashed: every validator's tokens are its self-bond plus what was delegated to it.
    const r = await abci(
      net.provider,
      safeNode("provider"),
      "/cosmos.staking.v1beta1.Query/DelegatorDelegations",
      QueryDelegatorDelegationsRequest.encode({ delegatorAddr: delegator.address }).finish(),
    );
    const actual = new Map(
      QueryDelegatorDelegationsResponse.decode(r.value).delegationResponses.map((d) => [
        d.delegation!.validatorAddress,
        BigInt(d.balance!.amount),
      ]),
    );
    for (let i = 0; i < 4; i++) {
      const op = await net.operator(i);
      const got = actual.get(op.valoper) ?? 0n;
      assert.ok(
        got >= delegated[i]! && got <= delegated[i]! + uncertain[i]!,
        `validator ${i}: delegated ${got}, committed ${delegated[i]} (+${uncertain[i]} unknown)`,
      );
      const val = await validator(i);
      assert.equal(BigInt(val.tokens), SELF_BOND + got, `validator ${i} was slashed`);
      assert.equal(val.jailed, false, `validator ${i} is jailed`);
    }
    // The unjailed validator is back in the provider's own set too.
    const pset = await net.provider.rpc<{ validators: { address: string }[] }>(
      safeNode("provider"),
      "validators",
      {
        per_page: "100",
      },
    );
    assert.ok(pset.validators.some((x) => x.address.toUpperCase() === hexAddr(net.providerKey(v))));
  });

  it("sends the consumer's rewards once: voucher supply = consumer escrow = provider's received total", async () => {
    const ch = net.consumerGenesis.ccv_channel as Json;
    const ptc = String(ch.provider_transfer_channel_id);
    const ctc = String(ch.consumer_transfer_channel_id);
    const voucher = `ibc/${toHex(sha256(new TextEncoder().encode(`transfer/${ptc}/${DENOM}`))).toUpperCase()}`;
    const escrow = toBech32("cosmos", escrowAddress("transfer", ctc));
    const toSend = toBech32("cosmos", moduleAddress("cons_to_send_to_provider"));
    const chaosEnd = await net.consumer.height(safeNode("consumer"));
    let last = "";
    await waitUntil(
      "the consumer's reward transfers to arrive once each",
      async () => {
        const escrowed = await balance("consumer", escrow, DENOM);
        const supply = BigInt(
          QuerySupplyOfResponse.decode(
            (
              await abci(
                net.provider,
                safeNode("provider"),
                "/cosmos.bank.v1beta1.Query/SupplyOf",
                QuerySupplyOfRequest.encode({ denom: voucher }).finish(),
              )
            ).value,
          ).amount?.amount ?? "0",
        );
        await sampleTotals();
        const received = totals.at(-1)?.values.get(`received/${voucher}`) ?? 0n;
        // The last distribution after the chaos emptied cons_to_send_to_provider.
        const next = await jsonAt<{ last_height: string }>(
          "consumer",
          "/icsd.consumer.v1.Query/NextFeeDistribution",
        );
        const lastDist = Number(next.value.last_height);
        const leftAtDist = lastDist > chaosEnd ? await balance("consumer", toSend, DENOM, lastDist) : -1n;
        last = `escrow ${escrowed} voucher supply ${supply} received ${received}; last distribution ${lastDist} (chaos ended at ${chaosEnd}) left ${leftAtDist}`;
        return escrowed > 0n && supply === escrowed && received === supply && leftAtDist === 0n;
      },
      90_000,
      async () => `${last}\n${await net.describe()}`,
    );
    log(`rewards: ${last}`);
    // Cumulative totals only grew.
    const byHeight = [...totals].sort((a, b) => a.height - b.height);
    for (let k = 1; k < byHeight.length; k++) {
      for (const [key, prev] of byHeight[k - 1]!.values) {
        const cur = byHeight[k]!.values.get(key) ?? 0n;
        assert.ok(
          cur >= prev,
          `${key} went from ${prev} at ${byHeight[k - 1]!.height} to ${cur} at ${byHeight[k]!.height}`,
        );
      }
    }
    assert.ok(byHeight.length >= ROUNDS, `only ${byHeight.length} rewards samples`);
  });

  it("no validator double signed on either chain", () => {
    assert.deepEqual(doubleSigns(net.provider.votes()), [], "provider");
    assert.deepEqual(doubleSigns(net.consumer.votes()), [], "consumer");
    log(`killed provider nodes ${[...everKilled.provider]}, consumer nodes ${[...everKilled.consumer]}`);
  });
});
