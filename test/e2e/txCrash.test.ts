import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { QueryClient, setupBankExtension } from "@cosmjs/stargate";
import { connectComet } from "@cosmjs/tendermint-rpc";
import { bech32Address, moduleAddress } from "../../app/index.ts";
import { fundedAppState, send, signTx, type TestAccount, testAccount } from "../support/txSigner.ts";
import { sleep, type TestNode, Testnet } from "./harness.ts";

const CHAIN = "e2e-txcrash";
const FEE_COLLECTOR = "cosmos17xpfvakm2amg962yls6f84z3kell8c5lserqta";
// Fees reach the distribution module (here its community pool: these validators have no stake).
const DISTRIBUTION = bech32Address(moduleAddress("distribution"), "cosmos");
const SENDERS = 8;

type TxRes = {
  hash: string;
  height: string;
  index: number;
  tx_result: { code: number; data: string; gas_used: string; log: string };
};

describe("kill -9 of a validator during a stream of transactions", { timeout: 300_000 }, () => {
  let net: Testnet;
  const accounts: TestAccount[] = [];

  before(async () => {
    for (let i = 0; i < SENDERS + 4; i++) accounts.push(await testAccount(100 + i, BigInt(i)));
    const funded = accounts.slice(0, SENDERS);
    net = await Testnet.create({
      validators: 4,
      chainId: CHAIN,
      proxyApp: "icsd",
      minimumGasPrices: "0.0025stake",
      appState: {
        ...fundedAppState(
          funded.map((x) => x.address),
          100_000_000n,
        ),
        // No inflation: the supply must stay what genesis funded.
        mint: {
          minter: { inflation: "0.000000000000000000", annual_provisions: "0.000000000000000000" },
          params: { inflation_min: "0.000000000000000000", inflation_max: "0.000000000000000000" },
        },
      },
    });
    net.startAll();
    await net.waitForHeight(net.nodes, 2, 60_000);
  });
  after(async () => {
    await net?.cleanup();
  });

  it("keeps every committed transaction, with the same result on every node, and supply equals balances", async () => {
    const victim = net.nodes[2]!;
    const entry = net.nodes.filter((n) => n !== victim);
    const accepted: string[] = [];
    let streaming = true;
    const stream = async (i: number) => {
      const from = accounts[i]!;
      const to = accounts[SENDERS + (i % 4)]!;
      const node = entry[i % entry.length]!;
      let sequence = 0n;
      while (streaming) {
        const tx = await signTx(from, [send(from.address, to.address, String(1 + (Number(sequence) % 7)))], {
          sequence,
          chainId: CHAIN,
        });
        try {
          const res = await net.rpc<{ code: number; hash: string }>(node, "broadcast_tx_sync", {
            tx: Buffer.from(tx).toString("base64"),
          });
          if (res.code === 0) {
            accepted.push(res.hash);
            sequence++;
          }
        } catch {
          // The entry node is busy or restarting; try again.
        }
        await sleep(40);
      }
    };
    const streams = accounts.slice(0, SENDERS).map((_, i) => stream(i));
    await sleep(3000);
    await net.kill(victim);
    await sleep(3000);
    net.start(victim);
    await sleep(3000);
    streaming = false;
    await Promise.all(streams);
    assert.ok(accepted.length > 50, `only ${accepted.length} txs accepted`);

    const top = Math.max(...(await Promise.all(entry.map((n) => net.height(n)))));
    await net.waitForHeight(net.nodes, top + 3, 90_000);

    const lookup = async (n: TestNode, hash: string) =>
      net.rpc<TxRes>(n, "tx", { hash: Buffer.from(hash, "hex").toString("base64") });
    for (const hash of accepted) {
      const results = await Promise.all(net.nodes.map((n) => lookup(n, hash)));
      const first = results[0]!;
      assert.equal(first.tx_result.code, 0, first.tx_result.log);
      for (const r of results) {
        assert.deepEqual(
          [r.height, r.index, r.tx_result.code, r.tx_result.data, r.tx_result.gas_used],
          [first.height, first.index, first.tx_result.code, first.tx_result.data, first.tx_result.gas_used],
        );
      }
    }

    const addresses = [...accounts.map((a) => a.address), FEE_COLLECTOR, DISTRIBUTION];
    for (const n of net.nodes) {
      const comet = await connectComet(`http://127.0.0.1:${n.rpcPort}`);
      try {
        const q = QueryClient.withExtensions(comet, setupBankExtension);
        let sum = 0n;
        for (const a of addresses) sum += BigInt((await q.bank.balance(a, "stake")).amount);
        const supply = BigInt((await q.bank.supplyOf("stake")).amount);
        assert.equal(sum, supply, `${n.name}: balances ${sum} != supply ${supply}`);
        assert.equal(supply, BigInt(SENDERS) * 100_000_000n);
      } finally {
        comet.disconnect();
      }
    }
  });
});
