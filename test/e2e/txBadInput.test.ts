import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { QueryClient, StargateClient, setupAuthExtension, setupBankExtension } from "@cosmjs/stargate";
import { connectComet } from "@cosmjs/tendermint-rpc";
import { fundedAppState, send, signTx, type TestAccount, testAccount } from "../support/txSigner.ts";
import { Testnet } from "./harness.ts";

const CHAIN = "e2e-badtx";
type Broadcast = { code: number; codespace: string; log: string; hash: string };

describe("bad transactions against a running node", { timeout: 180_000 }, () => {
  let net: Testnet;
  let a: TestAccount;
  let b: TestAccount;

  before(async () => {
    a = await testAccount(0);
    b = await testAccount(1);
    net = await Testnet.create({
      validators: 1,
      chainId: CHAIN,
      proxyApp: "icsd",
      minimumGasPrices: "0.0025stake",
      appState: fundedAppState([a.address, b.address], 1_000_000n),
    });
    net.startAll();
    await net.waitForHeight(net.nodes, 2, 60_000);
  });
  after(async () => {
    await net?.cleanup();
  });

  const base64 = (tx: Uint8Array) => Buffer.from(tx).toString("base64");
  const broadcast = (tx: Uint8Array) =>
    net.rpc<Broadcast>(net.nodes[0]!, "broadcast_tx_sync", { tx: base64(tx) });

  async function state() {
    const comet = await connectComet(`http://127.0.0.1:${net.nodes[0]!.rpcPort}`);
    const q = QueryClient.withExtensions(comet, setupAuthExtension, setupBankExtension);
    const out = {
      a: (await q.bank.balance(a.address, "stake")).amount,
      b: (await q.bank.balance(b.address, "stake")).amount,
      seqA: (await StargateClient.create(comet).getSequence(a.address)).sequence,
    };
    comet.disconnect();
    return out;
  }

  it("rejects each with the SDK's code and a clear log, changes nothing, and keeps producing blocks", async () => {
    const flip = (sig: Uint8Array) => {
      const out = Uint8Array.from(sig);
      out[5]! ^= 0xff;
      return out;
    };
    const opts = { sequence: 0n, chainId: CHAIN };
    const cases: [string, number, Uint8Array, RegExp][] = [
      [
        "bad signature",
        4,
        await signTx(a, [send(a.address, b.address, "1")], { ...opts, mutateSignature: flip }),
        /signature verification failed/,
      ],
      [
        "wrong sequence",
        32,
        await signTx(a, [send(a.address, b.address, "1")], { ...opts, sequence: 9n }),
        /account sequence mismatch, expected 0, got 9/,
      ],
      [
        "wrong chain id",
        4,
        await signTx(a, [send(a.address, b.address, "1")], { ...opts, chainId: "other-1" }),
        /chain-id \(e2e-badtx\)/,
      ],
      [
        "fee above the balance",
        5,
        await signTx(a, [send(a.address, b.address, "1")], {
          ...opts,
          fee: [{ denom: "stake", amount: "2000000" }],
        }),
        /insufficient funds/,
      ],
      [
        "insufficient fee",
        13,
        await signTx(a, [send(a.address, b.address, "1")], {
          ...opts,
          fee: [{ denom: "stake", amount: "1" }],
        }),
        /insufficient fees; got: 1stake required: 500stake/,
      ],
      ["undecodable bytes", 2, Uint8Array.of(0x0a, 0xff, 0xff, 0x01), /tx parse error/],
      [
        "unknown message type",
        2,
        await signTx(
          a,
          [
            {
              typeUrl: "/cosmos.vesting.v1beta1.MsgCreateVestingAccount",
              value: {
                fromAddress: a.address,
                toAddress: b.address,
                amount: [{ denom: "stake", amount: "1" }],
                endTime: 1n,
                delayed: false,
              },
            },
          ],
          opts,
        ),
        /unable to resolve type URL \/cosmos.vesting.v1beta1.MsgCreateVestingAccount/,
      ],
      ["negative amount", 10, await signTx(a, [send(a.address, b.address, "-5")], opts), /invalid coins/],
      [
        "overflowing amount",
        10,
        await signTx(a, [send(a.address, b.address, "9".repeat(80))], opts),
        /invalid coins/,
      ],
    ];
    const before = await state();
    for (const [what, code, tx, log] of cases) {
      const res = await broadcast(tx);
      assert.equal(res.code, code, `${what}: ${res.log}`);
      assert.match(res.log, log, what);
      assert.ok(res.codespace.length > 0, what);
    }
    // Oversized: refused before it reaches the mempool, as a JSON-RPC error.
    await assert.rejects(broadcast(new Uint8Array(2 * 1024 * 1024)), /exceeds/);
    const h = await net.height(net.nodes[0]!);
    await net.waitForHeight(net.nodes, h + 2, 30_000);
    assert.deepEqual(await state(), before);
    // The account is untouched: its sequence-0 tx still goes through.
    const okTx = await signTx(a, [send(a.address, b.address, "1")], opts);
    const ok = await broadcast(okTx);
    assert.equal(ok.code, 0, ok.log);
    // The same bytes again: the mempool cache refuses them (the SDK's ErrTxInMempoolCache).
    const again = await broadcast(okTx);
    assert.equal(again.code, 19, again.log);
    assert.match(again.log, /tx already exists in cache/);
  });

  it("answers malformed JSON-RPC with a JSON-RPC error and an unknown method with -32601", async () => {
    const url = `http://127.0.0.1:${net.nodes[0]!.rpcPort}/`;
    const post = async (body: string) => {
      const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body });
      assert.equal(res.status, 200);
      return (await res.json()) as { error?: { code: number; message: string } };
    };
    assert.equal((await post("{not json")).error?.code, -32700);
    assert.equal(
      (await post(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "no_such_method", params: {} }))).error
        ?.code,
      -32601,
    );
    assert.equal(
      (await post(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "broadcast_tx_sync", params: { tx: 5 } })))
        .error?.code,
      -32602,
    );
  });
});
