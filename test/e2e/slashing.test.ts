import assert from "node:assert/strict";
import { copyFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { toBech32 } from "@cosmjs/encoding";
import { Registry } from "@cosmjs/proto-signing";
import {
  defaultRegistryTypes,
  GasPrice,
  QueryClient,
  SigningStargateClient,
  setupSlashingExtension,
  setupStakingExtension,
} from "@cosmjs/stargate";
import { connectComet } from "@cosmjs/tendermint-rpc";
import { MsgUnjail } from "cosmjs-types/cosmos/slashing/v1beta1/tx";
import { TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import { loadConfig, saveConfig } from "../../node/config.ts";
import { homePaths } from "../../node/home.ts";
import { loadValidatorKey } from "../../node/keys.ts";
import { toHexUpper } from "../../utils/index.ts";
import { fundedAppState, testAccount } from "../support/txSigner.ts";
import { sleep, type TestNode, Testnet } from "./harness.ts";
import { operatorAccount, valoperOf } from "./stakingGenesis.ts";

const DENOM = "stake";
const GAS_PRICE = GasPrice.fromString(`0.0025${DENOM}`);
const SELF_BOND = 100_000_000n;
const JAIL_S = 6;
const registry = new Registry([...defaultRegistryTypes, ["/cosmos.slashing.v1beta1.MsgUnjail", MsgUnjail]]);

type ValidatorsRpc = { validators: { address: string; voting_power: string }[] };

/** Downtime jailing and double-sign tombstoning with real validator processes. */
describe("slashing with real processes", { timeout: 600_000 }, () => {
  let net: Testnet;
  let rpcNode: TestNode;
  let url: string;
  const valopers: string[] = [];
  const consAddr: string[] = [];

  before(async () => {
    for (let i = 0; i < 4; i++) valopers.push(valoperOf((await operatorAccount(i)).address));
    const user = await testAccount(7);
    net = await Testnet.create({
      validators: 4,
      fullNodes: 1,
      chainId: "e2e-slashing",
      proxyApp: "icsd",
      minimumGasPrices: `0.0025${DENOM}`,
      staking: { selfBond: SELF_BOND },
      checkInvariants: true,
      appState: {
        ...fundedAppState([user.address], 10_000_000_000n),
        staking: {
          params: { unbonding_time: "300s", bond_denom: DENOM, max_validators: 10, max_entries: 1000 },
        },
        slashing: {
          params: {
            signed_blocks_window: "10",
            min_signed_per_window: "0.500000000000000000",
            downtime_jail_duration: `${JAIL_S}s`,
            slash_fraction_double_sign: "0.050000000000000000",
            slash_fraction_downtime: "0.010000000000000000",
          },
        },
      },
    });
    for (const n of net.nodes.slice(0, 4)) {
      consAddr.push(toHexUpper(loadValidatorKey(homePaths(n.home).privValidatorKey).address));
    }
    for (const n of net.nodes.slice(0, 4)) net.start(n);
    rpcNode = net.nodes[0]!;
    url = `http://127.0.0.1:${rpcNode.rpcPort}`;
    await net.waitForHeight(net.nodes.slice(0, 4), 3, 60_000);
  });
  after(async () => {
    await net?.cleanup();
  });

  async function staking() {
    const comet = await connectComet(url);
    return { comet, qc: QueryClient.withExtensions(comet, setupStakingExtension, setupSlashingExtension) };
  }

  async function setAt(height: number): Promise<Map<string, string>> {
    const r = await net.rpc<ValidatorsRpc>(rpcNode, "validators", { height: String(height) });
    return new Map(r.validators.map((v) => [v.address, v.voting_power]));
  }

  /** The first height from `from` whose end block sent power 0 for `pubKeyB64`. */
  async function removalHeight(from: number, to: number, pubKeyB64: string): Promise<number> {
    for (let h = from; h <= to; h++) {
      const r = await net.rpc<{
        validator_updates: { pub_key: { Sum?: { value?: { ed25519?: string } } }; power: string }[];
      }>(rpcNode, "block_results", { height: String(h) });
      if (
        (r.validator_updates ?? []).some(
          (u) => u.pub_key.Sum?.value?.ed25519 === pubKeyB64 && u.power === "0",
        )
      )
        return h;
    }
    throw new Error(`no power-0 update for ${pubKeyB64} in ${from}..${to}`);
  }

  async function waitFor<T>(what: string, f: () => Promise<T | undefined>, ms: number): Promise<T> {
    const deadline = Date.now() + ms;
    for (;;) {
      const v = await f().catch(() => undefined);
      if (v !== undefined) return v;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${net.logTails(net.nodes)}`);
      await sleep(300);
    }
  }

  it("jails a validator that stops signing (out of the set at H+2), then unjail brings it back slashed", async () => {
    const down = net.nodes[3]!;
    const start = await net.height(rpcNode);
    await net.stop(down);
    const { comet, qc } = await staking();
    try {
      await waitFor(
        "validator 3 jailed",
        async () => ((await qc.staking.validator(valopers[3]!)).validator?.jailed ? true : undefined),
        60_000,
      );
      const now = await net.height(rpcNode);
      const pub = Buffer.from(
        loadValidatorKey(homePaths(down.home).privValidatorKey).keyPair.publicKey,
      ).toString("base64");
      const h = await removalHeight(start, now, pub);
      await net.waitForHeight([rpcNode], h + 3, 30_000);
      assert.ok((await setAt(h + 1)).has(consAddr[3]!), `still in the set at H+1 (H=${h})`);
      assert.ok(!(await setAt(h + 2)).has(consAddr[3]!), `gone from the set at H+2 (H=${h})`);
      // The others go on.
      await net.waitForHeight(net.nodes.slice(0, 3), h + 6, 30_000);
      const v = (await qc.staking.validator(valopers[3]!)).validator!;
      assert.equal(v.tokens, (SELF_BOND - SELF_BOND / 100n).toString(), "downtime slash of 1%");
      const info = await qc.slashing.signingInfo(toValcons(consAddr[3]!));
      assert.equal(info.valSigningInfo?.tombstoned, false);

      // Unjailing before the jail time ends fails; after it, the validator is back with 99 power.
      net.start(down);
      const op = await operatorAccount(3);
      const client = await SigningStargateClient.connectWithSigner(url, op.wallet, {
        gasPrice: GAS_PRICE,
        registry,
        broadcastPollIntervalMs: 300,
      });
      try {
        const unjail = () =>
          client.signAndBroadcast(
            op.address,
            [{ typeUrl: "/cosmos.slashing.v1beta1.MsgUnjail", value: { validatorAddr: valopers[3] } }],
            { amount: [{ denom: DENOM, amount: "1000" }], gas: "400000" },
          );
        const early = await unjail();
        assert.notEqual(early.code, 0, "unjail inside the jail period must fail");
        assert.match(early.rawLog ?? "", /jailed/);
        await sleep(JAIL_S * 1000 + 1000);
        const ok = await unjail();
        assert.equal(ok.code, 0, ok.rawLog);
        await waitFor(
          "validator 3 back in the consensus set",
          async () =>
            (await setAt(await net.height(rpcNode))).get(consAddr[3]!) === "99" ? true : undefined,
          30_000,
        );
        const again = await unjail();
        assert.notEqual(again.code, 0, "unjailing a validator that is not jailed must fail");
        assert.match(again.rawLog ?? "", /not jailed/);
      } finally {
        client.disconnect();
      }
    } finally {
      comet.disconnect();
    }
  });

  it("tombstones and slashes a double signer, unbonding entries included", async () => {
    const victim = net.nodes[2]!;
    const twin = net.nodes[4]!;
    const twinPaths = homePaths(twin.home);
    copyFileSync(homePaths(victim.home).privValidatorKey, twinPaths.privValidatorKey);
    saveConfig(twinPaths.configToml, { ...loadConfig(twinPaths.configToml), mode: "validator" });

    const user = await testAccount(7);
    const client = await SigningStargateClient.connectWithSigner(url, user.wallet, {
      gasPrice: GAS_PRICE,
      broadcastPollIntervalMs: 300,
    });
    const { comet, qc } = await staking();
    try {
      const d = await client.delegateTokens(
        user.address,
        valopers[2]!,
        { denom: DENOM, amount: "100000000" },
        "auto",
      );
      assert.equal(d.code, 0, d.rawLog);
      const tokensBefore = BigInt((await qc.staking.validator(valopers[2]!)).validator!.tokens);
      // Validator 2 now has 200 of 500 power: not enough to commit alone when it equivocates.
      // Undelegate a little every ~150 ms, so some entries start after the infraction.
      const acc = await client.getAccount(user.address);
      let sequence = acc!.sequence;
      let stop = false;
      const loop = (async () => {
        while (!stop) {
          const signed = await client.sign(
            user.address,
            [
              {
                typeUrl: "/cosmos.staking.v1beta1.MsgUndelegate",
                value: {
                  delegatorAddress: user.address,
                  validatorAddress: valopers[2],
                  amount: { denom: DENOM, amount: "100000" },
                },
              },
            ],
            { amount: [{ denom: DENOM, amount: "1000" }], gas: "400000" },
            "",
            { accountNumber: acc!.accountNumber, sequence, chainId: "e2e-slashing" },
          );
          try {
            await client.broadcastTxSync(TxRaw.encode(signed).finish());
            sequence++;
          } catch {
            // Rejected (e.g. a full mempool): resend the same sequence.
          }
          await sleep(150);
        }
      })();
      net.start(twin);
      try {
        await waitFor(
          "validator 2 tombstoned",
          async () => {
            const info = await qc.slashing.signingInfo(toValcons(consAddr[2]!));
            return info.valSigningInfo?.tombstoned ? info : undefined;
          },
          120_000,
        );
        await sleep(1500);
      } finally {
        stop = true;
        await loop;
        await net.stop(twin);
      }

      const v = (await qc.staking.validator(valopers[2]!)).validator!;
      assert.equal(v.jailed, true);
      assert.ok(
        BigInt(v.tokens) < (tokensBefore * 96n) / 100n,
        `not slashed 5%: ${tokensBefore} -> ${v.tokens}`,
      );
      const ubd = await qc.staking.unbondingDelegation(user.address, valopers[2]!);
      const entries = ubd.unbond?.entries ?? [];
      const slashed = entries.filter((e) => e.balance !== e.initialBalance);
      assert.ok(slashed.length >= 1, `no unbonding entry was slashed among ${entries.length}`);
      for (const e of slashed) {
        const initial = BigInt(e.initialBalance);
        assert.equal(BigInt(e.balance), initial - (initial * 5n) / 100n);
      }
      // The evidence is in a block.
      let found = false;
      const last = await net.height(rpcNode);
      for (let h = Math.max(1, last - 60); h <= last && !found; h++) {
        const b = await net.rpc<{ block: { evidence: { evidence: unknown[] } } }>(rpcNode, "block", {
          height: String(h),
        });
        found = b.block.evidence.evidence.length > 0;
      }
      assert.ok(found, "no block carries the duplicate-vote evidence");
      // Tombstoned: unjail is refused forever.
      const op = await operatorAccount(2);
      const opClient = await SigningStargateClient.connectWithSigner(url, op.wallet, { registry });
      try {
        const r = await opClient.signAndBroadcast(
          op.address,
          [{ typeUrl: "/cosmos.slashing.v1beta1.MsgUnjail", value: { validatorAddr: valopers[2] } }],
          { amount: [{ denom: DENOM, amount: "1000" }], gas: "400000" },
        );
        assert.notEqual(r.code, 0);
      } finally {
        opClient.disconnect();
      }
    } finally {
      comet.disconnect();
      client.disconnect();
    }
  });
});

function toValcons(hexAddr: string): string {
  return toBech32("cosmosvalcons", Buffer.from(hexAddr, "hex"));
}
