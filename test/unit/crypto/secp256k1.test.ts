/** secp256k1 verification as the SDK does it: r‖s signatures over sha256, low s only. */
import assert from "node:assert/strict";
import { createHash, generateKeyPairSync, sign } from "node:crypto";
import { describe, it } from "node:test";
import { verifySecp256k1 } from "../../../crypto/index.ts";

const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

function keyPair() {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "secp256k1" });
  const spki = publicKey.export({ format: "der", type: "spki" });
  // The uncompressed point is the last 65 bytes of the SPKI; the SDK uses the 33-byte compressed form.
  const point = spki.subarray(spki.length - 65);
  const compressed = new Uint8Array(33);
  compressed[0] = (point[64]! & 1) === 1 ? 3 : 2;
  compressed.set(point.subarray(1, 33), 1);
  return { privateKey, pubKey: compressed };
}

function toBytes32(x: bigint): Uint8Array {
  return Uint8Array.from(Buffer.from(x.toString(16).padStart(64, "0"), "hex"));
}

function fromBytes(b: Uint8Array): bigint {
  return BigInt(`0x${Buffer.from(b).toString("hex")}`);
}

/** A low-s r‖s signature of `msg` (node:crypto signs either half; the SDK accepts only the low one). */
function signLowS(privateKey: ReturnType<typeof keyPair>["privateKey"], msg: Uint8Array): Uint8Array {
  const sig = new Uint8Array(sign("sha256", msg, { key: privateKey, dsaEncoding: "ieee-p1363" }));
  const s = fromBytes(sig.subarray(32));
  if (s > N / 2n) sig.set(toBytes32(N - s), 32);
  return sig;
}

describe("verifySecp256k1", () => {
  it("accepts low-s signatures whatever the leading bytes of r and s", () => {
    const { privateKey, pubKey } = keyPair();
    // Sign until both DER shapes came up: r with its high bit set (a 0 byte is prepended) and r or s
    // with a leading 0 byte (shorter than 32 bytes). About 1 in 2 and 1 in 128 signatures.
    let highBit = 0;
    let leadingZero = 0;
    for (let i = 0; i < 20_000 && (highBit < 3 || leadingZero < 3); i++) {
      const msg = createHash("sha256").update(`message ${i}`).digest();
      const sig = signLowS(privateKey, msg);
      if (sig[0]! >= 0x80) highBit++;
      if (sig[0] === 0 || sig[32] === 0) leadingZero++;
      assert.ok(verifySecp256k1(pubKey, msg, sig), `signature ${i}`);
    }
    assert.ok(highBit >= 3 && leadingZero >= 3, `${highBit} high-bit, ${leadingZero} leading-zero`);
  });

  it("refuses high s, a wrong key, a changed message and malformed input", () => {
    const { privateKey, pubKey } = keyPair();
    const other = keyPair().pubKey;
    const msg = Buffer.from("transfer 1stake");
    const sig = signLowS(privateKey, msg);
    assert.ok(verifySecp256k1(pubKey, msg, sig));
    const high = sig.slice();
    high.set(toBytes32(N - fromBytes(sig.subarray(32))), 32);
    assert.equal(verifySecp256k1(pubKey, msg, high), false, "the malleated (high-s) twin");
    assert.equal(verifySecp256k1(other, msg, sig), false, "another key");
    assert.equal(verifySecp256k1(pubKey, Buffer.from("transfer 2stake"), sig), false, "another message");
    assert.equal(verifySecp256k1(pubKey, msg, sig.subarray(0, 63)), false, "63 bytes");
    assert.equal(verifySecp256k1(pubKey, msg, new Uint8Array(64)), false, "zero r and s");
    const zeroR = sig.slice();
    zeroR.fill(0, 0, 32);
    assert.equal(verifySecp256k1(pubKey, msg, zeroR), false, "zero r");
    const badKey = pubKey.slice();
    badKey[0] = 4;
    assert.equal(verifySecp256k1(badKey, msg, sig), false, "not a compressed key");
    assert.equal(verifySecp256k1(new Uint8Array(33).fill(2, 0, 1), msg, sig), false, "not a curve point");
  });
});
