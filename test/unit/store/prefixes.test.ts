import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Prefix, prefixEnd } from "../../../store/index.ts";

describe("store prefixes", () => {
  it("are unique single bytes", { timeout: 5_000 }, () => {
    const values = Object.values(Prefix);
    assert.ok(values.length > 5);
    for (const v of values)
      assert.ok(Number.isInteger(v) && v >= 0 && v <= 0xff, `prefix ${v} is not a byte`);
    assert.equal(new Set(values).size, values.length, "two prefixes share a byte");
  });

  it("prefixEnd is the first key past the prefix", { timeout: 5_000 }, () => {
    assert.deepEqual(prefixEnd(new Uint8Array([1, 2])), new Uint8Array([1, 3]));
    assert.deepEqual(prefixEnd(new Uint8Array([1, 0xff])), new Uint8Array([2]));
    assert.equal(prefixEnd(new Uint8Array([0xff, 0xff])), undefined);
  });
});
