import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { FileSigner } from "../../../consensus/signer.ts";
import { ed25519Verify } from "../../../crypto/index.ts";
import { generateValidatorKey } from "../../../node/index.ts";
import { IcsdError, toHex, utf8 } from "../../../utils/index.ts";

describe("FileSigner", { timeout: 20_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), "icsd-signer-"));
  after(() => rmSync(dir, { recursive: true, force: true }));
  let n = 0;
  async function fresh(): Promise<{ signer: FileSigner; keyPath: string; statePath: string }> {
    n++;
    const keyPath = join(dir, `key${n}.json`);
    const statePath = join(dir, `state${n}.json`);
    generateValidatorKey(keyPath);
    return { signer: await FileSigner.load(keyPath, statePath), keyPath, statePath };
  }
  async function code(p: Promise<unknown>): Promise<string> {
    try {
      await p;
    } catch (e) {
      assert.ok(e instanceof IcsdError);
      return e.code;
    }
    return "OK";
  }

  it("signs valid signatures and treats a missing state file as nothing signed", async () => {
    const { signer } = await fresh();
    assert.deepEqual(signer.lastSignState, { height: 0, round: 0, step: 0 });
    const sig = await signer.sign({ height: 1, round: 0, step: 1, signBytes: utf8("proposal") });
    assert.ok(ed25519Verify(signer.pubKey, utf8("proposal"), sig));
  });

  it("refuses to go back in height, round or step", async () => {
    const { signer } = await fresh();
    await signer.sign({ height: 5, round: 2, step: 2, signBytes: utf8("a") });
    assert.equal(
      await code(signer.sign({ height: 4, round: 9, step: 3, signBytes: utf8("b") })),
      "SIGNER_REGRESSION",
    );
    assert.equal(
      await code(signer.sign({ height: 5, round: 1, step: 3, signBytes: utf8("b") })),
      "SIGNER_REGRESSION",
    );
    assert.equal(
      await code(signer.sign({ height: 5, round: 2, step: 1, signBytes: utf8("b") })),
      "SIGNER_REGRESSION",
    );
    assert.equal(await code(signer.sign({ height: 5, round: 2, step: 3, signBytes: utf8("b") })), "OK");
    assert.equal(await code(signer.sign({ height: 5, round: 3, step: 1, signBytes: utf8("c") })), "OK");
    assert.equal(await code(signer.sign({ height: 6, round: 0, step: 1, signBytes: utf8("d") })), "OK");
  });

  it("returns the stored signature for identical bytes and refuses different bytes at the same step", async () => {
    const { signer } = await fresh();
    const first = await signer.sign({ height: 3, round: 0, step: 2, signBytes: utf8("vote-A") });
    const again = await signer.sign({ height: 3, round: 0, step: 2, signBytes: utf8("vote-A") });
    assert.deepEqual(again, first);
    assert.equal(
      await code(signer.sign({ height: 3, round: 0, step: 2, signBytes: utf8("vote-B") })),
      "DOUBLE_SIGN_REFUSED",
    );
  });

  it("has the state on disk when sign() resolves, and keeps the rules across a reload", async () => {
    const { signer, keyPath, statePath } = await fresh();
    const sig = await signer.sign({ height: 7, round: 1, step: 3, signBytes: utf8("precommit") });
    const onDisk = JSON.parse(readFileSync(statePath, "utf8"));
    assert.deepEqual(onDisk, {
      height: "7",
      round: 1,
      step: 3,
      signature: Buffer.from(sig).toString("base64"),
      signbytes: toHex(utf8("precommit")),
    });
    const reloaded = await FileSigner.load(keyPath, statePath);
    assert.deepEqual(
      await reloaded.sign({ height: 7, round: 1, step: 3, signBytes: utf8("precommit") }),
      sig,
    );
    assert.equal(
      await code(reloaded.sign({ height: 7, round: 1, step: 3, signBytes: utf8("other") })),
      "DOUBLE_SIGN_REFUSED",
    );
    assert.equal(
      await code(reloaded.sign({ height: 7, round: 1, step: 2, signBytes: utf8("x") })),
      "SIGNER_REGRESSION",
    );
  });

  it("serialises concurrent requests so only one of two conflicting signs succeeds", async () => {
    const { signer } = await fresh();
    const results = await Promise.all([
      code(signer.sign({ height: 2, round: 0, step: 2, signBytes: utf8("x") })),
      code(signer.sign({ height: 2, round: 0, step: 2, signBytes: utf8("y") })),
    ]);
    assert.deepEqual(results.sort(), ["DOUBLE_SIGN_REFUSED", "OK"]);
  });

  it("refuses to load a corrupt state file instead of resetting it", async () => {
    const { keyPath, statePath } = await fresh();
    writeFileSync(statePath, "{ not json");
    assert.equal(await code(FileSigner.load(keyPath, statePath)), "SIGNER_STATE_CORRUPT");
    writeFileSync(statePath, JSON.stringify({ height: "x", round: 0, step: 0 }));
    assert.equal(await code(FileSigner.load(keyPath, statePath)), "SIGNER_STATE_CORRUPT");
  });
});
