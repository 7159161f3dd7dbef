/**
 * Consumer infractions with real processes: slash throttling of downtime packets (ADR-002: a small slash
 * meter jails the first validator, bounces the second's packet, and handles it after the meter refills
 * and the consumer retries) and double signing on the consumer (one key on two consumer nodes: the
 * evidence reaches the provider through the relayer and the CLI; the validator is slashed once by the
 * double-sign fraction, tombstoned, and leaves the consumer's set).
 *
 * Four provider validators of 100 power each; validators 0 and 1 get 150 more delegated before the
 * launch, so the consumer (same powers) keeps committing with 2 and 3 down (500/700 > 2/3), and after
 * they leave, 0 and 1 both stay needed for a commit (so 1's votes are always in the consumer's commits).
 *
 * icsd builds a block's LastCommit from the precommits its proposer held when it decided (CometBFT also
 * adds precommits that arrive during timeout_commit), so with 0 and 1 holding 5/7, validators 2 and 3
 * often look absent: the provider's own liveness window is made very long, and the consumer's tolerant
 * (19 of 20 missed), so that only the killed nodes are reported.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { toBech32, toHex } from "@cosmjs/encoding";
import { QueryClient, setupSlashingExtension, setupStakingExtension } from "@cosmjs/stargate";
import { Comet38Client } from "@cosmjs/tendermint-rpc";
import { addressFromPubKey } from "../../crypto/index.ts";
import { GAS_PRICE, user, waitUntil } from "./ibcHarness.ts";
import { IcsNet } from "./icsHarness.ts";

const MAIN = new URL("../../cmd/main.ts", import.meta.url).pathname;
const hexAddr = (pubKey: Uint8Array) => toHex(addressFromPubKey(pubKey)).toUpperCase();
const valcons = (pubKey: Uint8Array) => toBech32("cosmosvalcons", addressFromPubKey(pubKey));

/** `icsd <args>` without blocking the event loop; never throws on a non-zero exit. */
function icsdRun(args: string[], input?: string): Promise<{ code: number; out: string }> {
  return new Promise((res) => {
    const child = execFile(
      process.execPath,
      ["--disable-warning=ExperimentalWarning", MAIN, ...args],
      { encoding: "utf8", timeout: 120_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === "number" ? err.code : 1) : 0;
        res({ code, out: `${stdout}\n${stderr}` });
      },
    );
    if (input !== undefined) child.stdin?.end(input);
  });
}

describe("consumer infractions with real processes", { timeout: 900_000 }, () => {
  let net: IcsNet;
  let comet: Comet38Client;
  let q: ReturnType<typeof queryClient>;
  const keyring = mkdtempSync(join(tmpdir(), "icsd-e2e-keyring-"));

  function queryClient(c: Comet38Client) {
    return QueryClient.withExtensions(c, setupStakingExtension, setupSlashingExtension);
  }

  before(async () => {
    const delegator = await user("ics-slash-delegator");
    net = await IcsNet.create({
      validators: 4,
      funded: [delegator.address],
      providerAppState: { slashing: { params: { signed_blocks_window: "100000" } } },
      // Allowance round(0.03 × 700) = 21 < one validator's 100: one handled downtime packet drives the
      // meter to -79, and it takes about five 3 s replenishments (18 each once 600 is left) to reach 0.
      providerParams: { slash_meter_replenish_fraction: "0.03", slash_meter_replenish_period: "3s" },
    });
    comet = await Comet38Client.connect(net.url());
    q = queryClient(comet);
    await net.launch({
      initialization: { signed_blocks_window: "20", min_signed_per_window: "0.1" },
      consumerParams: { retry_delay_period: "2s" },
    });
    const delegations = [];
    for (const i of [0, 1]) {
      delegations.push({
        typeUrl: "/cosmos.staking.v1beta1.MsgDelegate",
        value: {
          delegatorAddress: delegator.address,
          validatorAddress: (await net.operator(i)).valoper,
          amount: { denom: "stake", amount: "150000000" },
        },
      });
    }
    await net.tx(delegator.wallet, delegations);
    // The first VSC packet establishes CCV on the consumer (icsd has no handshake); before it, slash
    // packets stay queued. This delegation makes one.
    await waitUntil(
      "the consumer to take the delegations",
      async () => (await net.consumerValidators()).get(hexAddr(net.providerKey(1))) === 250n,
      90_000,
      () => net.describe(),
    );
  });

  after(async () => {
    comet?.disconnect();
    await net?.cleanup();
    if (!process.env.ICSD_KEEP_E2E) rmSync(keyring, { recursive: true, force: true });
  });

  async function validator(i: number) {
    const op = await net.operator(i);
    return (await q.staking.validator(op.valoper)).validator!;
  }

  /** Consumer txs whose events match `query` (tx_search total_count). */
  async function consumerTxCount(query: string): Promise<number> {
    const r = await net.consumer.rpc<{ total_count: string }>(net.consumer.nodes[0]!, "tx_search", {
      query,
      per_page: "1",
    });
    return Number(r.total_count);
  }

  it("launches with validators 0 and 1 at 250 and the others at 100", async () => {
    const vals = await net.consumerValidators();
    const expected = [250n, 250n, 100n, 100n];
    for (const i of [0, 1, 2, 3]) {
      assert.equal(vals.get(hexAddr(net.providerKey(i))), expected[i], await net.describe());
    }
  });

  it("throttles two downtime packets: the first jails at once, the second bounces and jails after the refill and retry", async () => {
    const params = await net.providerQuery<{ params: Record<string, string> }>("Params");
    assert.equal(params.params.slash_meter_replenish_fraction, "0.03");
    const tokensBefore = [await validator(2), await validator(3)].map((v) => v.tokens);
    await Promise.all([2, 3].map((i) => net.consumer.kill(net.consumer.nodes[i]!)));
    // The consumer keeps committing with 500 of 700.
    const h = await net.consumer.height(net.consumer.nodes[0]!);
    await net.consumer.waitForHeight([net.consumer.nodes[0]!], h + 3, 30_000);

    let first = -1;
    let minMeter = 0n;
    await waitUntil(
      "the provider to jail one of the two validators",
      async () => {
        const jailed = [(await validator(2)).jailed, (await validator(3)).jailed];
        if (jailed[0] && jailed[1]) {
          throw new Error("both validators jailed at once: the meter did not throttle the second packet");
        }
        first = jailed[0] ? 2 : jailed[1] ? 3 : -1;
        return first !== -1;
      },
      120_000,
      () => net.describe(),
    );
    const second = first === 2 ? 3 : 2;
    const jailedAt = Date.now();
    // The meter went negative with the first packet; the second's packet bounces until it refills.
    await waitUntil(
      "the second validator's slash packet to bounce",
      async () => {
        const t = await net.providerQuery<{ slash_meter: string }>("ThrottleState");
        const m = BigInt(t.slash_meter);
        if (m < minMeter) minMeter = m;
        return (await consumerTxCount("slash_packet_ack.result='bounced'")) > 0;
      },
      60_000,
      () => net.describe(),
    );
    assert.ok(minMeter < 0n, `the meter never went negative (lowest seen ${minMeter})`);
    assert.equal((await validator(second)).jailed, false, "the bounced validator is not jailed yet");
    const bounced = await net.consumer.rpc<{
      txs: { tx_result: { events: { type: string; attributes: { key: string; value: string }[] }[] } }[];
    }>(net.consumer.nodes[0]!, "tx_search", { query: "slash_packet_ack.result='bounced'", per_page: "1" });
    const ack = bounced.txs[0]!.tx_result.events.find((e) => e.type === "slash_packet_ack")!;
    assert.equal(
      ack.attributes.find((a) => a.key === "validator_address")?.value,
      hexAddr(net.providerKey(second)),
      "the bounced packet is the second validator's",
    );
    // The consumer keeps it queued and retries after retry_delay_period; the refilled meter takes it.
    await waitUntil(
      "the provider to jail the second validator after the refill",
      async () => (await validator(second)).jailed,
      120_000,
      () => net.describe(),
    );
    const throttledMs = Date.now() - jailedAt;
    assert.ok(throttledMs > 3_000, `the second packet was handled only ${throttledMs} ms after the first`);
    // Both acks (handled) reach the consumer, which then has nothing queued.
    await waitUntil(
      "two handled slash acks on the consumer and an empty queue",
      async () =>
        (await consumerTxCount("slash_packet_ack.result='handled'")) >= 2 &&
        (await net.consumerQuery<{ packets: unknown[] }>("PendingPackets")).packets.length === 0,
      60_000,
      () => net.describe(),
    );
    // Downtime jails without slashing (slash_fraction 0).
    assert.deepEqual([(await validator(2)).tokens, (await validator(3)).tokens], tokensBefore);
    // Both leave the consumer's set.
    await waitUntil(
      "the consumer to drop both validators",
      async () => {
        const vals = await net.consumerValidators();
        return !vals.has(hexAddr(net.providerKey(2))) && !vals.has(hexAddr(net.providerKey(3)));
      },
      90_000,
      () => net.describe(),
    );
  });

  it("slashes and tombstones a validator that double signs on the consumer, once, through the relayer and the CLI", async () => {
    const victim = 1;
    const key = net.providerKey(victim);
    const cons = valcons(key);
    const { params: sp } = await q.slashing.params();
    // CosmJS decodes the Dec as its 18-decimal integer text.
    const fraction = BigInt(new TextDecoder().decode(sp!.slashFractionDoubleSign));
    assert.equal(fraction, 50_000_000_000_000_000n, "the default double-sign fraction 0.05");
    const tokensBefore = BigInt((await validator(victim)).tokens);
    const expected = tokensBefore - (tokensBefore * fraction) / 10n ** 18n;

    const startHeight = await net.consumer.height(net.consumer.nodes[0]!);
    const twin = await net.addConsumerNode(victim);
    net.consumer.start(twin);

    // A consumer block commits the duplicate vote evidence.
    let evidenceHeight = 0;
    let scanned = startHeight;
    await waitUntil(
      "a consumer block with duplicate vote evidence",
      async () => {
        const tip = await net.consumer.height(net.consumer.nodes[0]!);
        for (; scanned < tip && evidenceHeight === 0; ) {
          scanned++;
          const b = await net.consumer.rpc<{
            block: {
              evidence: { evidence: { type: string; value: { vote_a: { validator_address: string } } }[] };
            };
          }>(net.consumer.nodes[0]!, "block", { height: String(scanned) });
          const ev = b.block.evidence?.evidence ?? [];
          if (ev.some((e) => e.type === "tendermint/DuplicateVoteEvidence")) {
            assert.equal(ev[0]!.value.vote_a.validator_address.toUpperCase(), hexAddr(key));
            evidenceHeight = scanned;
          }
        }
        return evidenceHeight > 0;
      },
      150_000,
      () => net.describe(),
    );

    // The relayer submits it: slashed by the fraction, jailed, tombstoned.
    await waitUntil(
      "the provider to tombstone the double signer",
      async () => {
        const info = await q.slashing.signingInfo(cons).catch(() => undefined);
        return info?.valSigningInfo?.tombstoned === true;
      },
      90_000,
      () => net.describe(),
    );
    const v = await validator(victim);
    assert.equal(v.jailed, true);
    assert.equal(BigInt(v.tokens), expected, "slashed by the double-sign fraction");

    // The same evidence through the CLI: exported from the consumer, submitted by hand. The relayer (the
    // only other submitter) already got it tombstoned, so the provider refuses it; one slash only.
    const out = join(keyring, "ev");
    const exp = await icsdRun([
      "evidence",
      "export",
      "--node",
      net.url(net.consumer),
      "--height",
      String(evidenceHeight),
      "--out-dir",
      out,
      "--provider-node",
      net.url(),
      "--client-id",
      String((net.consumerGenesis.ccv_channel as Record<string, unknown>).provider_client_id),
    ]);
    assert.equal(exp.code, 0, exp.out);
    const add = await icsdRun(
      ["keys", "add", "cli", "--recover", "--keyring-backend", "test", "--home", keyring],
      `${net.owner.mnemonic}\n`,
    );
    assert.equal(add.code, 0, add.out);
    const sub = await icsdRun([
      "tx",
      "provider",
      "submit-consumer-double-voting",
      net.consumerId,
      join(out, "evidence.json"),
      join(out, "header.json"),
      "--from",
      "cli",
      "--keyring-backend",
      "test",
      "--home",
      keyring,
      "--node",
      net.url(),
      "--chain-id",
      net.provider.chainId,
      "--gas",
      "auto",
      "--gas-prices",
      GAS_PRICE,
      "--yes",
    ]);
    assert.notEqual(sub.code, 0, `the second submission must be refused:\n${sub.out}`);
    assert.match(sub.out, /tombstoned|already|handled/i, sub.out);
    const h = await net.provider.height(net.p0);
    await net.provider.waitForHeight([net.p0], h + 2, 30_000);
    assert.equal(BigInt((await validator(victim)).tokens), expected, "slashed exactly once");

    // The consumer's set follows at the next epoch.
    await waitUntil(
      "the consumer to drop the double signer",
      async () => !(await net.consumerValidators()).has(hexAddr(key)),
      90_000,
      () => net.describe(),
    );
  });
});
