import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { AppModule } from "../../../app/index.ts";
import { decodeProof, verifyMembership, verifyNonMembership } from "../../../store/index.ts";
import { utf8 } from "../../../utils/index.ts";
import { ModuleTestChain } from "../provider/helpers.ts";

/** A module that writes `ibc/height` = the block height in every end block. */
const writer: AppModule = {
  name: "writer",
  async endBlock(ctx) {
    ctx.store.set(utf8("ibc/height"), utf8(String(ctx.block.height)));
    return [];
  },
};

describe("abci_query /store/ibc/key", () => {
  it("returns a value with a proof against the app hash of the next header, and proves absence", async () => {
    const chain = await ModuleTestChain.create(() => [writer], {});
    const r1 = await chain.block();
    await chain.block();
    const res = await chain.app.query({
      path: "/store/ibc/key",
      data: utf8("ibc/height"),
      height: 1,
      prove: true,
    });
    assert.equal(res.code, 0, res.log);
    assert.equal(Buffer.from(res.value).toString(), "1");
    // Block 1's app hash (in header 2) is the root of version 1.
    assert.ok(verifyMembership(r1.appHash, utf8("ibc/height"), res.value, decodeProof(res.proof!)));
    assert.ok(!verifyMembership(r1.appHash, utf8("ibc/height"), utf8("2"), decodeProof(res.proof!)));
    const absent = await chain.app.query({
      path: "/store/ibc/key",
      data: utf8("ibc/none"),
      height: 1,
      prove: true,
    });
    assert.equal(absent.code, 0);
    assert.equal(absent.value.length, 0);
    assert.ok(verifyNonMembership(r1.appHash, utf8("ibc/none"), decodeProof(absent.proof!)));
  });

  it("refuses keys outside ibc/ and heights with no committed state", async () => {
    const chain = await ModuleTestChain.create(() => [writer], {});
    await chain.block();
    const outside = await chain.app.query({
      path: "/store/ibc/key",
      data: utf8("bal/x"),
      height: 1,
      prove: true,
    });
    assert.equal(outside.code, 18);
    const future = await chain.app.query({
      path: "/store/ibc/key",
      data: utf8("ibc/height"),
      height: 5,
      prove: true,
    });
    assert.notEqual(future.code, 0);
  });
});
