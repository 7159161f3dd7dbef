import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { QueryAccountRequest, QueryAccountResponse } from "cosmjs-types/cosmos/auth/v1beta1/query";
import {
  QueryAllBalancesRequest,
  QueryAllBalancesResponse,
  QueryBalanceRequest,
  QueryBalanceResponse,
  QueryTotalSupplyResponse,
} from "cosmjs-types/cosmos/bank/v1beta1/query";
import { TxMsgData } from "cosmjs-types/cosmos/base/abci/v1beta1/abci";
import { SimulateRequest, SimulateResponse } from "cosmjs-types/cosmos/tx/v1beta1/service";
import { TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import { SigCache } from "../../../app/ante.ts";
import { newApp, runBlock, send, signTx, type TestChain, testAccount } from "./helpers.ts";

async function balance(c: TestChain, address: string, denom = "stake"): Promise<string> {
  const res = await c.app.query({
    path: "/cosmos.bank.v1beta1.Query/Balance",
    data: QueryBalanceRequest.encode({ address, denom }).finish(),
    height: 0,
    prove: false,
  });
  assert.equal(res.code, 0, res.log);
  return QueryBalanceResponse.decode(res.value).balance!.amount;
}

async function supply(c: TestChain): Promise<bigint> {
  const res = await c.app.query({
    path: "/cosmos.bank.v1beta1.Query/TotalSupply",
    data: new Uint8Array(),
    height: 0,
    prove: false,
  });
  return BigInt(QueryTotalSupplyResponse.decode(res.value).supply.find((s) => s.denom === "stake")!.amount);
}

async function setup() {
  const a = await testAccount(0);
  const b = await testAccount(1);
  const c = await newApp([
    { address: a.address, amount: 1_000_000n },
    { address: b.address, amount: 1_000n },
  ]);
  return { a, b, c };
}

describe("SdkApp", () => {
  it("moves funds with MsgSend, takes the fee and increments the sequence", async () => {
    const { a, b, c } = await setup();
    const tx = await signTx(a, [send(a.address, b.address, "250")], { sequence: 0n });
    const check = await c.app.checkTx(tx, "new");
    assert.equal(check.code, 0, check.log);
    assert.equal(check.sender, a.address);
    assert.equal(check.sequence, 0n);
    const res = await runBlock(c, 1, [tx]);
    const r = res.txResults[0]!;
    assert.equal(r.code, 0, r.log);
    assert.ok(r.gasUsed > 0n && r.gasUsed <= r.gasWanted);
    assert.equal(await balance(c, a.address), String(1_000_000 - 250 - 500));
    assert.equal(await balance(c, b.address), "1250");
    assert.equal(await supply(c), 1_001_000n);
    const data = TxMsgData.decode(r.data);
    assert.equal(data.msgResponses[0]!.typeUrl, "/cosmos.bank.v1beta1.MsgSendResponse");
    const types = r.events.map((e) => e.type);
    assert.deepEqual(types.slice(0, 7), [
      "coin_spent",
      "coin_received",
      "transfer",
      "message",
      "tx",
      "tx",
      "tx",
    ]);
    const action = r.events.find((e) => e.attributes.some((x) => x.key === "action"))!;
    assert.deepEqual(
      action.attributes.map((x) => [x.key, x.value]),
      [
        ["action", "/cosmos.bank.v1beta1.MsgSend"],
        ["sender", a.address],
        ["module", "bank"],
        ["msg_index", "0"],
      ],
    );
    const acc = await c.app.query({
      path: "/cosmos.auth.v1beta1.Query/Account",
      data: QueryAccountRequest.encode({ address: a.address }).finish(),
      height: 0,
      prove: false,
    });
    assert.equal(acc.code, 0);
    assert.equal(QueryAccountResponse.decode(acc.value).account!.typeUrl, "/cosmos.auth.v1beta1.BaseAccount");
  });

  it("remembers a checked tx's verified signature until the tx is delivered", async () => {
    const { a, b, c } = await setup();
    const cache = (c.app as unknown as { sigCache: SigCache }).sigCache;
    const tx = await signTx(a, [send(a.address, b.address, "1")], { sequence: 0n });
    assert.equal((await c.app.checkTx(tx, "new")).code, 0);
    assert.equal(cache.size, 1);
    const res = await runBlock(c, 1, [tx]);
    assert.equal(res.txResults[0]!.code, 0, res.txResults[0]!.log);
    assert.equal(cache.size, 0, "a delivered tx is forgotten");
  });

  it("bounds the signature cache, evicting the oldest tx", () => {
    const cache = new SigCache(2);
    cache.add("aa", "0:1");
    cache.add("aa", "1:2");
    cache.add("bb", "0:1");
    assert.ok(cache.has("aa", "1:2") && !cache.has("aa", "0:9"));
    cache.add("cc", "0:1");
    assert.equal(cache.size, 2);
    assert.ok(!cache.has("aa", "0:1") && cache.has("bb", "0:1") && cache.has("cc", "0:1"));
    cache.forget("bb");
    assert.ok(!cache.has("bb", "0:1"));
  });

  it("accepts consecutive sequences in CheckTx before they are committed", async () => {
    const { a, b, c } = await setup();
    for (let s = 0n; s < 3n; s++) {
      const tx = await signTx(a, [send(a.address, b.address, "1")], { sequence: s });
      assert.equal((await c.app.checkTx(tx, "new")).code, 0);
    }
    const gap = await signTx(a, [send(a.address, b.address, "1")], { sequence: 5n });
    assert.equal((await c.app.checkTx(gap, "new")).code, 32);
  });

  const rejects: [string, number, (s: Awaited<ReturnType<typeof setup>>) => Promise<Uint8Array>][] = [
    [
      "a bad signature",
      4,
      async ({ a, b }) =>
        signTx(a, [send(a.address, b.address, "1")], {
          sequence: 0n,
          mutateSignature: (sig) => {
            const out = Uint8Array.from(sig);
            out[10]! ^= 1;
            return out;
          },
        }),
    ],
    [
      "a wrong chain id",
      4,
      async ({ a, b }) => signTx(a, [send(a.address, b.address, "1")], { sequence: 0n, chainId: "other-1" }),
    ],
    [
      "a wrong sequence",
      32,
      async ({ a, b }) => signTx(a, [send(a.address, b.address, "1")], { sequence: 7n }),
    ],
    [
      "a fee the payer cannot pay (insufficient funds)",
      5,
      async ({ a, b }) =>
        signTx(b, [send(b.address, a.address, "1")], {
          sequence: 0n,
          fee: [{ denom: "stake", amount: "5000" }],
        }),
    ],
    [
      "an insufficient fee",
      13,
      async ({ a, b }) =>
        signTx(a, [send(a.address, b.address, "1")], {
          sequence: 0n,
          fee: [{ denom: "stake", amount: "1" }],
        }),
    ],
    ["undecodable bytes", 2, async () => Uint8Array.of(0xff, 0xff, 0xff)],
    [
      "an unknown message type",
      2,
      async ({ a }) =>
        signTx(
          a,
          [
            {
              typeUrl: "/cosmos.gov.v1.MsgVote",
              value: { proposalId: 1n, voter: a.address, option: 1, metadata: "" },
            },
          ],
          { sequence: 0n },
        ),
    ],
    [
      "a negative amount",
      10,
      async ({ a, b }) => signTx(a, [send(a.address, b.address, "-5")], { sequence: 0n }),
    ],
    [
      "an overflowing amount",
      10,
      async ({ a, b }) => signTx(a, [send(a.address, b.address, "1".padEnd(80, "0"))], { sequence: 0n }),
    ],
    [
      "a memo that is too long",
      12,
      async ({ a, b }) =>
        signTx(a, [send(a.address, b.address, "1")], { sequence: 0n, memo: "x".repeat(300) }),
    ],
    [
      "an out-of-gas limit",
      11,
      async ({ a, b }) => signTx(a, [send(a.address, b.address, "1")], { sequence: 0n, gas: 100n, fee: [] }),
    ],
  ];
  for (const [what, code, make] of rejects) {
    it(`rejects ${what} with code ${code} and changes nothing`, async () => {
      const s = await setup();
      const tx = await make(s);
      const check = await s.c.app.checkTx(tx, "new");
      assert.equal(check.code, code, check.log);
      assert.ok(check.log.length > 0);
      // The rejected tx consumed nothing: the senders' sequence-0 txs are still acceptable.
      for (const who of [s.a, s.b]) {
        const other = who === s.a ? s.b : s.a;
        const ok = await signTx(who, [send(who.address, other.address, "1")], { sequence: 0n });
        assert.equal((await s.c.app.checkTx(ok, "new")).code, 0);
      }
      // In a block (no min-gas-price check there) it fails the same way and leaves no trace.
      const res = await runBlock(s.c, 1, [tx]);
      assert.equal(res.txResults[0]!.code, code === 13 ? 0 : code, res.txResults[0]!.log);
      if (code !== 13) {
        assert.equal(await balance(s.c, s.a.address), "1000000");
        assert.equal(await balance(s.c, s.b.address), "1000");
      }
    });
  }

  it("keeps the fee and sequence but reverts the messages when a message fails", async () => {
    const { a, b, c } = await setup();
    const tx = await signTx(a, [send(a.address, b.address, "10"), send(a.address, b.address, "9999999")], {
      sequence: 0n,
    });
    const res = await runBlock(c, 1, [tx]);
    assert.equal(res.txResults[0]!.code, 5);
    assert.match(res.txResults[0]!.log, /message index: 1/);
    assert.equal(await balance(c, a.address), String(1_000_000 - 500));
    assert.equal(await balance(c, b.address), "1000");
    const next = await signTx(a, [send(a.address, b.address, "1")], { sequence: 1n });
    assert.equal((await runBlock(c, 2, [next])).txResults[0]!.code, 0);
  });

  it("simulates without a signature and reports gas that covers the real tx", async () => {
    const { a, b, c } = await setup();
    await runBlock(c, 1, []);
    const signed = await signTx(a, [send(a.address, b.address, "10")], { sequence: 0n });
    // As CosmJS simulates: no fee, no gas limit, an empty signature.
    const draft = TxRaw.decode(
      await signTx(a, [send(a.address, b.address, "10")], { sequence: 0n, fee: [], gas: 0n }),
    );
    const unsigned = TxRaw.encode({ ...draft, signatures: [new Uint8Array()] }).finish();
    const res = await c.app.query({
      path: "/cosmos.tx.v1beta1.Service/Simulate",
      data: SimulateRequest.encode({ txBytes: unsigned }).finish(),
      height: 0,
      prove: false,
    });
    assert.equal(res.code, 0, res.log);
    assert.ok(res.height > 0);
    const sim = SimulateResponse.decode(res.value);
    const used = sim.gasInfo!.gasUsed;
    assert.equal(sim.result!.msgResponses[0]!.typeUrl, "/cosmos.bank.v1beta1.MsgSendResponse");
    const real = await runBlock(c, 2, [signed]);
    const realGas = real.txResults[0]!.gasUsed;
    // The estimate covers the real tx with a margin (it charges the fee transfer the signed tx will
    // pay), and is not wildly above it.
    assert.ok((used * 11n) / 10n >= realGas, `${used} x 1.1 < ${realGas}`);
    assert.ok(used <= (realGas * 13n) / 10n, `${used} > 1.3 x ${realGas}`);
    assert.equal(await balance(c, b.address), "1010");
  });

  it("answers NotFound for an unknown account and lists all balances", async () => {
    const { a, c } = await setup();
    await runBlock(c, 1, []);
    const stranger = (await testAccount(9)).address;
    const res = await c.app.query({
      path: "/cosmos.auth.v1beta1.Query/Account",
      data: QueryAccountRequest.encode({ address: stranger }).finish(),
      height: 0,
      prove: false,
    });
    assert.equal(res.code, 22);
    assert.match(res.log, /rpc error: code = NotFound/);
    const all = await c.app.query({
      path: "/cosmos.bank.v1beta1.Query/AllBalances",
      data: QueryAllBalancesRequest.encode({ address: a.address, resolveDenom: false }).finish(),
      height: 0,
      prove: false,
    });
    assert.deepEqual(QueryAllBalancesResponse.decode(all.value).balances, [
      { denom: "stake", amount: "1000000" },
    ]);
    assert.equal(await balance(c, stranger), "0");
  });
});
