import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Bip39, EnglishMnemonic, sha256 } from "@cosmjs/crypto";
import { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing";
import {
  GasPrice,
  QueryClient,
  SigningStargateClient,
  setupDistributionExtension,
  setupStakingExtension,
} from "@cosmjs/stargate";
import { connectComet } from "@cosmjs/tendermint-rpc";
import { loadConfig, saveConfig } from "../../node/config.ts";
import { homePaths } from "../../node/home.ts";
import { loadValidatorKey } from "../../node/keys.ts";
import { toHexUpper } from "../../utils/index.ts";
import { fundedAppState } from "../support/txSigner.ts";
import { icsd, sleep, type TestNode, Testnet } from "./harness.ts";
import { operatorAccount, valoperOf } from "./stakingGenesis.ts";

const DENOM = "stake";
const GAS_PRICE = GasPrice.fromString(`0.0025${DENOM}`);
const SELF_BOND = 100_000_000n;
const UNBONDING_S = 8;

async function wallet(i: number): Promise<{ wallet: DirectSecp256k1HdWallet; address: string }> {
  const m = Bip39.encode(sha256(new TextEncoder().encode(`e2e-staking-${i}`))).toString();
  const w = await DirectSecp256k1HdWallet.fromMnemonic(new EnglishMnemonic(m).toString(), {
    prefix: "cosmos",
  });
  return { wallet: w, address: (await w.getAccounts())[0]!.address };
}

/** Staking and distribution through unmodified CosmJS against validators created by gentxs. */
describe("CosmJS staking and distribution against a staking chain", { timeout: 420_000 }, () => {
  let net: Testnet;
  let url: string;
  let rpcNode: TestNode;
  const users: { wallet: DirectSecp256k1HdWallet; address: string }[] = [];
  const valopers: string[] = [];

  before(async () => {
    for (let i = 0; i < 2; i++) users.push(await wallet(i));
    for (let i = 0; i < 4; i++) valopers.push(valoperOf((await operatorAccount(i)).address));
    const base = fundedAppState(
      users.map((u) => u.address),
      10_000_000_000n,
    );
    net = await Testnet.create({
      validators: 4,
      fullNodes: 1,
      chainId: "e2e-staking",
      proxyApp: "icsd",
      minimumGasPrices: `0.0025${DENOM}`,
      staking: { selfBond: SELF_BOND },
      checkInvariants: true,
      appState: {
        ...base,
        staking: { params: { unbonding_time: `${UNBONDING_S}s`, bond_denom: DENOM, max_validators: 10 } },
      },
    });
    // The fifth node runs with a validator key but is in no set until it creates its validator.
    const fifth = homePaths(net.nodes[4]!.home);
    saveConfig(fifth.configToml, { ...loadConfig(fifth.configToml), mode: "validator" });
    net.startAll();
    rpcNode = net.nodes[1]!;
    url = `http://127.0.0.1:${rpcNode.rpcPort}`;
    await net.waitForHeight(net.nodes, 3, 60_000);
  });
  after(async () => {
    await net?.cleanup();
  });

  async function queries() {
    const comet = await connectComet(url);
    return {
      comet,
      qc: QueryClient.withExtensions(comet, setupStakingExtension, setupDistributionExtension),
    };
  }

  it("starts with the gentx validators bonded, power = tokens / 10^6", async () => {
    const { comet, qc } = await queries();
    try {
      const { validators } = await qc.staking.validators("BOND_STATUS_BONDED");
      assert.deepEqual(validators.map((v) => v.operatorAddress).sort(), [...valopers].sort());
      for (const v of validators) assert.equal(v.tokens, SELF_BOND.toString());
      const vals = await net.rpc<{ validators: { voting_power: string }[] }>(rpcNode, "validators");
      assert.deepEqual(
        vals.validators.map((v) => v.voting_power),
        ["100", "100", "100", "100"],
      );
      const pool = await qc.staking.pool();
      assert.equal(pool.pool?.bondedTokens, (SELF_BOND * 4n).toString());
      const params = await qc.staking.params();
      assert.equal(params.params?.bondDenom, DENOM);
    } finally {
      comet.disconnect();
    }
  });

  it("delegates, earns rewards, withdraws them and undelegates with CosmJS", async () => {
    const u = users[0]!;
    const client = await SigningStargateClient.connectWithSigner(url, u.wallet, {
      gasPrice: GAS_PRICE,
      broadcastPollIntervalMs: 300,
    });
    const { comet, qc } = await queries();
    try {
      const val = valopers[0]!;
      const d = await client.delegateTokens(u.address, val, { denom: DENOM, amount: "50000000" }, "auto");
      assert.equal(d.code, 0, d.rawLog);
      const del = await qc.staking.delegation(u.address, val);
      assert.equal(del.delegationResponse?.balance?.amount, "50000000");
      assert.equal(await client.getBalanceStaked(u.address).then((c) => c?.amount), "50000000");
      const dels = await qc.staking.delegatorDelegations(u.address);
      assert.equal(dels.delegationResponses.length, 1);

      // Fees and inflation accrue to the delegation block by block.
      await sleep(3000);
      const rewards = await qc.distribution.delegationRewards(u.address, val);
      assert.ok(rewards.rewards.length > 0, "no rewards accrued");
      const total = await qc.distribution.delegationTotalRewards(u.address);
      assert.equal(total.rewards.length, 1);
      const commission = await qc.distribution.validatorCommission(val);
      assert.ok((commission.commission?.commission.length ?? 0) > 0, "no commission accrued");
      assert.equal((await qc.distribution.delegatorWithdrawAddress(u.address)).withdrawAddress, u.address);
      const pool = await qc.distribution.communityPool();
      assert.ok(pool.pool.length > 0, "community pool is empty");
      assert.ok((await qc.distribution.params()).params);

      const before = BigInt((await client.getBalance(u.address, DENOM)).amount);
      const w = await client.withdrawRewards(u.address, val, "auto");
      assert.equal(w.code, 0, w.rawLog);
      const after = BigInt((await client.getBalance(u.address, DENOM)).amount);
      const fee = BigInt(
        w.events
          .find((e) => e.type === "tx" && e.attributes.some((a) => a.key === "fee"))
          ?.attributes.find((a) => a.key === "fee")
          ?.value.replace(DENOM, "") ?? "0",
      );
      assert.ok(after + fee > before, `withdrawing paid nothing: ${before} -> ${after} (fee ${fee})`);

      const un = await client.undelegateTokens(u.address, val, { denom: DENOM, amount: "20000000" }, "auto");
      assert.equal(un.code, 0, un.rawLog);
      const ubd = await qc.staking.unbondingDelegation(u.address, val);
      assert.equal(ubd.unbond?.entries.length, 1);
      assert.equal(ubd.unbond?.entries[0]?.balance, "20000000");
      assert.equal(
        (await qc.staking.delegation(u.address, val)).delegationResponse?.balance?.amount,
        "30000000",
      );
    } finally {
      comet.disconnect();
      client.disconnect();
    }
  });

  it("completes an unbonding and a redelegation after the unbonding period", async () => {
    const u = users[1]!;
    const client = await SigningStargateClient.connectWithSigner(url, u.wallet, {
      gasPrice: GAS_PRICE,
      broadcastPollIntervalMs: 300,
    });
    const { comet, qc } = await queries();
    try {
      const [a, b] = valopers;
      assert.equal(
        (await client.delegateTokens(u.address, a!, { denom: DENOM, amount: "40000000" }, "auto")).code,
        0,
      );
      const redel = await client.signAndBroadcast(
        u.address,
        [
          {
            typeUrl: "/cosmos.staking.v1beta1.MsgBeginRedelegate",
            value: {
              delegatorAddress: u.address,
              validatorSrcAddress: a,
              validatorDstAddress: b,
              amount: { denom: DENOM, amount: "15000000" },
            },
          },
        ],
        "auto",
      );
      assert.equal(redel.code, 0, redel.rawLog);
      const un = await client.undelegateTokens(u.address, a!, { denom: DENOM, amount: "10000000" }, "auto");
      assert.equal(un.code, 0, un.rawLog);
      const balanceBefore = BigInt((await client.getBalance(u.address, DENOM)).amount);
      const reds = await qc.staking.redelegations(u.address, a!, b!);
      assert.equal(reds.redelegationResponses.length, 1);
      // Nothing is paid before the period ends.
      assert.equal((await qc.staking.unbondingDelegation(u.address, a!)).unbond?.entries.length, 1);

      await sleep((UNBONDING_S + 3) * 1000);
      await assert.rejects(qc.staking.unbondingDelegation(u.address, a!), /not found/i);
      const reds2 = await qc.staking
        .redelegations(u.address, a!, b!)
        .catch(() => ({ redelegationResponses: [] }));
      assert.equal(reds2.redelegationResponses.length, 0);
      const balanceAfter = BigInt((await client.getBalance(u.address, DENOM)).amount);
      assert.ok(
        balanceAfter >= balanceBefore + 10_000_000n,
        `unbonded tokens not paid: ${balanceBefore} -> ${balanceAfter}`,
      );
      assert.equal(
        (await qc.staking.delegation(u.address, b!)).delegationResponse?.balance?.amount,
        "15000000",
      );
      assert.equal(
        (await qc.staking.delegation(u.address, a!)).delegationResponse?.balance?.amount,
        "15000000",
      );
    } finally {
      comet.disconnect();
      client.disconnect();
    }
  });

  it("a validator created with `icsd tx staking create-validator` on the running chain joins consensus", async () => {
    const node = net.nodes[4]!;
    const home = node.home;
    const common = ["--home", home, "--keyring-backend", "test"];
    const added = JSON.parse(icsd(["keys", "add", "operator", ...common, "--output", "json"])) as {
      address: string;
    };
    const funder = await SigningStargateClient.connectWithSigner(url, users[0]!.wallet, {
      gasPrice: GAS_PRICE,
      broadcastPollIntervalMs: 300,
    });
    try {
      const r = await funder.sendTokens(
        users[0]!.address,
        added.address,
        [{ denom: DENOM, amount: "200000000" }],
        "auto",
      );
      assert.equal(r.code, 0, r.rawLog);
    } finally {
      funder.disconnect();
    }
    const out = icsd([
      "tx",
      "staking",
      "create-validator",
      "--amount",
      "150000000stake",
      "--moniker",
      "node4",
      "--commission-rate",
      "0.05",
      "--from",
      "operator",
      ...common,
      "--node",
      `tcp://127.0.0.1:${node.rpcPort}`,
      "--chain-id",
      "e2e-staking",
      "--gas",
      "auto",
      "--gas-prices",
      `0.0025${DENOM}`,
      "--yes",
      "--output",
      "json",
    ]);
    assert.equal((JSON.parse(out) as { code: number }).code, 0, out);
    const address = toHexUpper(loadValidatorKey(homePaths(home).privValidatorKey).address);
    // In the consensus set two blocks after the create, with power 150, and signing blocks.
    const deadline = Date.now() + 30_000;
    let power: string | undefined;
    while (Date.now() < deadline && power === undefined) {
      const vals = await net.rpc<{ validators: { address: string; voting_power: string }[] }>(
        rpcNode,
        "validators",
      );
      power = vals.validators.find((v) => v.address === address)?.voting_power;
      if (power === undefined) await sleep(300);
    }
    assert.equal(power, "150");
    // Signing: its precommit is in a block's last commit within a few heights (a freshly started node may
    // miss the first ones while it connects).
    const h = await net.height(rpcNode);
    let signed = false;
    for (let k = h + 1; k <= h + 10 && !signed; k++) {
      await net.waitForHeight([rpcNode], k, 30_000);
      const block = await net.rpc<{
        block: { last_commit: { signatures: { validator_address: string }[] } };
      }>(rpcNode, "block", { height: String(k) });
      signed = block.block.last_commit.signatures.some((s) => s.validator_address === address);
    }
    assert.ok(signed, `the new validator signed none of blocks ${h + 1}..${h + 10}`);
  });
});
