import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Bip39, EnglishMnemonic, sha256 } from "@cosmjs/crypto";
import { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing";
import { GasPrice, SigningStargateClient, StargateClient } from "@cosmjs/stargate";
import { fundedAppState } from "../support/txSigner.ts";
import { type TestNode, Testnet } from "./harness.ts";

const DENOM = "stake";
const GAS_PRICE = GasPrice.fromString(`0.0025${DENOM}`);

/** A fixed mnemonic per index, so failures are reproducible. */
function mnemonic(i: number): string {
  return Bip39.encode(sha256(new TextEncoder().encode(`e2e-cosmjs-${i}`))).toString();
}

async function wallet(i: number): Promise<{ wallet: DirectSecp256k1HdWallet; address: string }> {
  const w = await DirectSecp256k1HdWallet.fromMnemonic(new EnglishMnemonic(mnemonic(i)).toString(), {
    prefix: "cosmos",
  });
  return { wallet: w, address: (await w.getAccounts())[0]!.address };
}

describe("unmodified CosmJS 0.39 against 4 validator processes", { timeout: 420_000 }, () => {
  let net: Testnet;
  let url: string;
  const accounts: { wallet: DirectSecp256k1HdWallet; address: string }[] = [];
  let rpcNode: TestNode;

  before(async () => {
    for (let i = 0; i < 3; i++) accounts.push(await wallet(i));
    net = await Testnet.create({
      validators: 4,
      chainId: "e2e-cosmjs",
      proxyApp: "icsd",
      minimumGasPrices: `0.0025${DENOM}`,
      appState: fundedAppState(
        accounts.slice(0, 2).map((a) => a.address),
        1_000_000_000n,
      ),
    });
    net.startAll();
    rpcNode = net.nodes[1]!;
    url = `http://127.0.0.1:${rpcNode.rpcPort}`;
    await net.waitForHeight(net.nodes, 2, 60_000);
  });
  after(async () => {
    await net?.cleanup();
  });

  it("serves every StargateClient read", async () => {
    const client = await StargateClient.connect(url);
    try {
      assert.equal(await client.getChainId(), "e2e-cosmjs");
      const height = await client.getHeight();
      assert.ok(height >= 2);
      const [a] = accounts;
      assert.deepEqual(await client.getBalance(a!.address, DENOM), { denom: DENOM, amount: "1000000000" });
      assert.deepEqual(await client.getAllBalances(a!.address), [{ denom: DENOM, amount: "1000000000" }]);
      const acc = await client.getAccount(a!.address);
      assert.equal(acc?.address, a!.address);
      assert.equal(acc?.accountNumber, 0n);
      assert.equal(await client.getAccount(accounts[2]!.address), null);
      assert.deepEqual(await client.getBalance(accounts[2]!.address, DENOM), { denom: DENOM, amount: "0" });
      const block = await client.getBlock(height);
      assert.equal(block.header.height, height);
      assert.equal(block.header.chainId, "e2e-cosmjs");
      assert.match(block.id, /^[0-9A-F]{64}$/);
      assert.deepEqual(await client.searchTx("tx.height=1"), []);
    } finally {
      client.disconnect();
    }
  });

  it("sends tokens with an 'auto' fee and finds the tx with getTx and searchTx", async () => {
    const [a, , c] = accounts;
    const client = await SigningStargateClient.connectWithSigner(url, a!.wallet, {
      gasPrice: GAS_PRICE,
      broadcastPollIntervalMs: 300,
    });
    try {
      const res = await client.sendTokens(
        a!.address,
        c!.address,
        [{ denom: DENOM, amount: "12345" }],
        "auto",
        "hello",
      );
      assert.equal(res.code, 0, res.rawLog);
      assert.ok(res.gasUsed <= res.gasWanted);
      assert.equal(res.msgResponses[0]?.typeUrl, "/cosmos.bank.v1beta1.MsgSendResponse");
      assert.deepEqual(await client.getBalance(c!.address, DENOM), { denom: DENOM, amount: "12345" });
      const found = await client.getTx(res.transactionHash);
      assert.equal(found?.height, res.height);
      assert.equal(found?.code, 0);
      const byRecipient = await client.searchTx(`transfer.recipient='${c!.address}'`);
      assert.ok(byRecipient.some((t) => t.hash === res.transactionHash));
      const byHeight = await client.searchTx(`tx.height=${res.height}`);
      assert.ok(byHeight.some((t) => t.hash === res.transactionHash));
      // The recipient now exists and can be read back as an account.
      assert.ok((await client.getAccount(c!.address))?.accountNumber !== undefined);
    } finally {
      client.disconnect();
    }
  });

  it("handles 20 back-to-back signAndBroadcast calls from one account", async () => {
    const [, b, c] = accounts;
    const client = await SigningStargateClient.connectWithSigner(url, b!.wallet, {
      gasPrice: GAS_PRICE,
      broadcastPollIntervalMs: 200,
    });
    try {
      const before = BigInt((await client.getBalance(c!.address, DENOM)).amount);
      const seqBefore = (await client.getSequence(b!.address)).sequence;
      for (let i = 0; i < 20; i++) {
        const res = await client.sendTokens(b!.address, c!.address, [{ denom: DENOM, amount: "1" }], "auto");
        assert.equal(res.code, 0, `tx ${i}: ${res.rawLog}`);
      }
      assert.equal((await client.getSequence(b!.address)).sequence, seqBefore + 20);
      assert.equal(BigInt((await client.getBalance(c!.address, DENOM)).amount), before + 20n);
    } finally {
      client.disconnect();
    }
  });

  it("executes a multi-message transaction", async () => {
    const [a, b, c] = accounts;
    const client = await SigningStargateClient.connectWithSigner(url, a!.wallet, {
      gasPrice: GAS_PRICE,
      broadcastPollIntervalMs: 300,
    });
    try {
      const before = BigInt((await client.getBalance(c!.address, DENOM)).amount);
      const msgs = [b!.address, c!.address].map((to) => ({
        typeUrl: "/cosmos.bank.v1beta1.MsgSend",
        value: { fromAddress: a!.address, toAddress: to, amount: [{ denom: DENOM, amount: "7" }] },
      }));
      const res = await client.signAndBroadcast(a!.address, msgs, "auto");
      assert.equal(res.code, 0, res.rawLog);
      assert.equal(res.msgResponses.length, 2);
      const indexes = res.events.filter(
        (e) => e.type === "message" && e.attributes.some((x) => x.key === "action"),
      );
      assert.deepEqual(
        indexes.map((e) => e.attributes.find((x) => x.key === "msg_index")?.value),
        ["0", "1"],
      );
      assert.equal(BigInt((await client.getBalance(c!.address, DENOM)).amount), before + 7n);
    } finally {
      client.disconnect();
    }
  });
});
