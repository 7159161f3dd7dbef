import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  createClient,
  decodeClientHeader,
  decodeClientState,
  decodeConsensusState,
  decodeMisbehaviour,
  decodeMisbehaviourRecord,
  encodeClientHeader,
  encodeClientState,
  encodeConsensusState,
  encodeMisbehaviour,
  encodeMisbehaviourRecord,
  MAX_CLIENT_HEADER_BYTES,
  MisbehaviourKind,
  updateClient,
} from "../../../../ibc/index.ts";
import { IcsdError } from "../../../../utils/index.ts";
import { prng } from "../../store/helpers.ts";
import {
  CLIENT,
  clientHeader,
  consensusOf,
  MemStore,
  makeSet,
  SECOND,
  signedHeader,
  T,
  T0,
  testClientState,
} from "./helpers.ts";

const A = makeSet([1, 2, 3, 4]);

/** Asserts that `f` throws an IcsdError of `code` (and nothing else) whose message matches `re`. */
function throwsCode(f: () => unknown, code: string, re?: RegExp): void {
  assert.throws(f, (e: unknown) => {
    assert.ok(e instanceof IcsdError, `expected an IcsdError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    if (re) assert.match(e.message, re);
    return true;
  });
}

function update(): ReturnType<typeof clientHeader> {
  const sh = signedHeader({ height: 2, time: T0 + SECOND, vals: A, signers: [0, 1, 2] });
  return clientHeader(sh, A, 1n, A);
}

describe("light client codecs", () => {
  it("round-trips client and consensus states and misbehaviour records", T, () => {
    const cs = testClientState(42n, { trustLevel: { numerator: 2n, denominator: 3n }, frozenHeight: 0n });
    assert.deepEqual(decodeClientState(encodeClientState(cs)), cs);
    const cons = consensusOf(signedHeader({ height: 1, time: T0, vals: A }));
    assert.deepEqual(decodeConsensusState(encodeConsensusState(cons)), cons);
    const rec = {
      kind: MisbehaviourKind.DuplicateHeight,
      height1: 7n,
      hash1: new Uint8Array(32).fill(1),
      height2: 7n,
      hash2: new Uint8Array(0),
    };
    assert.deepEqual(decodeMisbehaviourRecord(encodeMisbehaviourRecord(rec)), rec);
  });

  it("refuses invalid states on encode and decode", T, () => {
    throwsCode(
      () => encodeClientState(testClientState(1n, { trustLevel: { numerator: 3n, denominator: 2n } })),
      "IBC_CLIENT_STATE_INVALID",
      /trust level/,
    );
    throwsCode(() => encodeClientState(testClientState(-1n)), "IBC_CLIENT_STATE_INVALID", /latest height/);
    throwsCode(
      () => encodeClientState(testClientState(1n, { latestHeight: 1n << 63n })),
      "IBC_CLIENT_STATE_INVALID",
      /2\^63/,
    );
    const good = encodeClientState(testClientState(1n));
    throwsCode(() => decodeClientState(new Uint8Array([...good, 0])), "IBC_CLIENT_STATE_INVALID");
    throwsCode(() => decodeClientState(new Uint8Array(600)), "IBC_CLIENT_STATE_INVALID", /exceeds the limit/);
  });

  it("turns every truncation and random garbage into a clear client error", T, () => {
    const cs = encodeClientState(testClientState(9n));
    const cons = encodeConsensusState(consensusOf(signedHeader({ height: 1, time: T0, vals: A })));
    for (let n = 0; n < cs.length; n++)
      throwsCode(() => decodeClientState(cs.subarray(0, n)), "IBC_CLIENT_STATE_INVALID");
    for (let n = 0; n < cons.length; n++) {
      throwsCode(() => decodeConsensusState(cons.subarray(0, n)), "IBC_CONSENSUS_STATE_INVALID");
    }
    const r = prng(7);
    for (let i = 0; i < 300; i++) {
      const junk = r.bytes(1 + r.int(120));
      throwsCode(() => decodeClientState(junk), "IBC_CLIENT_STATE_INVALID");
      throwsCode(() => decodeConsensusState(junk), "IBC_CONSENSUS_STATE_INVALID");
      throwsCode(() => decodeClientHeader(junk), "IBC_HEADER_INVALID", /cannot decode client header/);
    }
  });

  it("round-trips a client header, and the decoded header updates a client", T, async () => {
    const u = update();
    const bytes = encodeClientHeader(u);
    const back = decodeClientHeader(bytes);
    assert.deepEqual(encodeClientHeader(back), bytes);
    const store = new MemStore();
    await createClient(
      store,
      CLIENT,
      testClientState(1n),
      consensusOf(signedHeader({ height: 1, time: T0, vals: A })),
    );
    assert.equal((await updateClient(store, CLIENT, back, T0 + 2n * SECOND)).kind, "updated");
  });

  it("gives a clear error for malformed header bytes", T, () => {
    const bytes = encodeClientHeader(update());
    for (const n of [0, 1, 5, 100, bytes.length - 1]) {
      throwsCode(
        () => decodeClientHeader(bytes.subarray(0, n)),
        "IBC_HEADER_INVALID",
        /cannot decode client header/,
      );
    }
    // Corrupt the inner header's first byte (its version field tag): proto/'s decoder names the field.
    const corrupt = bytes.slice();
    corrupt[3]! ^= 0xff;
    throwsCode(
      () => decodeClientHeader(corrupt),
      "IBC_HEADER_INVALID",
      /cannot decode client header: header/,
    );
    throwsCode(
      () => decodeClientHeader(new Uint8Array(MAX_CLIENT_HEADER_BYTES + 1)),
      "IBC_HEADER_INVALID",
      /exceeds the limit/,
    );
    throwsCode(() => decodeClientHeader("not bytes" as unknown as Uint8Array), "IBC_HEADER_INVALID");
  });

  it("round-trips a misbehaviour submission", T, () => {
    const a = update();
    const b = clientHeader(
      signedHeader({ height: 2, time: T0 + SECOND, vals: A, appHash: new Uint8Array(32) }),
      A,
      1n,
      A,
    );
    const m = decodeMisbehaviour(encodeMisbehaviour(a, b));
    assert.deepEqual(encodeClientHeader(m.header1), encodeClientHeader(a));
    assert.deepEqual(encodeClientHeader(m.header2), encodeClientHeader(b));
    throwsCode(() => decodeMisbehaviour(new Uint8Array([1, 2, 3])), "IBC_MISBEHAVIOUR_INVALID");
  });
});
