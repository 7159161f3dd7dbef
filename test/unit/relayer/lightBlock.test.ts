import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MsgUpdateClient } from "cosmjs-types/ibc/core/client/v1/tx";
import { createClient, decodeClientHeader, getClientState, updateClient } from "../../../ibc/index.ts";
import { headerHash } from "../../../proto/index.ts";
import {
  buildClientHeader,
  ChainQueries,
  decodeLightBlock,
  HEADER_TYPE_URL,
  updateClientMsg,
} from "../../../relayer/index.ts";
import { IcsdError, toBase64 } from "../../../utils/index.ts";
import { consensusOf, MemStore, SECOND, testClientState } from "../ibc/client/helpers.ts";
import { fakeChain, timeAt } from "./fakeChain.ts";

const T = { timeout: 30_000 };
const CLIENT = "07-icsd-0";

function rejectsCode(fn: () => unknown, code: string, re: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof IcsdError, String(e));
    assert.equal(e.code, code);
    assert.match(e.message, re);
    return true;
  });
}

describe("light_block decoding", T, () => {
  it("decodes header, commit and validator set", () => {
    const chain = fakeChain({ heights: 3 });
    const lb = decodeLightBlock(chain.lightBlockJson(2));
    assert.equal(lb.height, 2n);
    assert.equal(lb.signedHeader.header.height, 2);
    assert.deepEqual(headerHash(lb.signedHeader.header), headerHash(chain.headers[1]!.header));
    assert.deepEqual(lb.signedHeader.commit, chain.headers[1]!.commit);
    assert.equal(lb.validatorSet.validators.length, 4);
  });

  it("refuses malformed results, naming the field", () => {
    const good = fakeChain({ heights: 3 }).lightBlockJson(2);
    rejectsCode(() => decodeLightBlock(null), "RELAYER_LIGHT_BLOCK", /object/);
    rejectsCode(() => decodeLightBlock({ ...good, height: 2 }), "RELAYER_LIGHT_BLOCK", /height/);
    rejectsCode(
      () => decodeLightBlock({ ...good, height: "3" }),
      "RELAYER_LIGHT_BLOCK",
      /header height 2 is not 3/,
    );
    rejectsCode(() => decodeLightBlock({ ...good, commit: "" }), "RELAYER_LIGHT_BLOCK", /commit/);
    rejectsCode(
      () => decodeLightBlock({ ...good, validator_set: toBase64(new Uint8Array([0xff, 0xff])) }),
      "RELAYER_LIGHT_BLOCK",
      /validator_set/,
    );
  });

  it("asks for the given height, or none for the latest", async () => {
    const chain = fakeChain({ heights: 4 });
    const calls: unknown[] = [];
    const q = new ChainQueries("chain-b", async (method, params) => {
      calls.push([method, params]);
      const h = (params as { height?: string }).height;
      return chain.lightBlockJson(h === undefined ? undefined : Number(h));
    });
    assert.equal((await q.lightBlock()).height, 4n);
    assert.equal((await q.lightBlock(2n)).height, 2n);
    assert.deepEqual(calls, [
      ["light_block", {}],
      ["light_block", { height: "2" }],
    ]);
  });
});

describe("ClientHeader assembly", T, () => {
  it("builds an update the light client accepts across a validator set change", async () => {
    // Set A signs 1..3, set B from 4 on: header 3 names B as next, so trusting 3 needs B (the set at 4).
    const chain = fakeChain({ heights: 8, changeAt: 4 });
    const store = new MemStore();
    await createClient(store, CLIENT, testClientState(3n), consensusOf(chain.headers[2]!));
    const target = decodeLightBlock(chain.lightBlockJson(7));
    const trustedNext = decodeLightBlock(chain.lightBlockJson(4));
    const header = buildClientHeader(target, 3n, trustedNext);
    assert.equal(header.trustedHeight, 3n);
    assert.deepEqual(header.trustedValidators, trustedNext.validatorSet);
    assert.deepEqual(header.validatorSet, target.validatorSet);

    // Through the message and back, as the chain decodes it.
    const msg = updateClientMsg(CLIENT, header, "cosmos1relayer").value as MsgUpdateClient;
    const wire = MsgUpdateClient.decode(MsgUpdateClient.encode(msg).finish());
    assert.equal(wire.clientMessage?.typeUrl, HEADER_TYPE_URL);
    const decoded = decodeClientHeader(wire.clientMessage!.value);

    // The set at T itself (A) is not what consensus state 3 trusts next: the client refuses it.
    const wrong = { ...decoded, trustedValidators: decodeLightBlock(chain.lightBlockJson(3)).validatorSet };
    await assert.rejects(updateClient(store, CLIENT, wrong, timeAt(7) + SECOND), IcsdError);

    const res = await updateClient(store, CLIENT, decoded, timeAt(7) + SECOND);
    assert.equal(res.kind, "updated");
    assert.equal((await getClientState(store, CLIENT))?.latestHeight, 7n);
  });

  it("builds the adjacent update from the target itself", async () => {
    const chain = fakeChain({ heights: 3 });
    const store = new MemStore();
    await createClient(store, CLIENT, testClientState(1n), consensusOf(chain.headers[0]!));
    const target = decodeLightBlock(chain.lightBlockJson(2));
    const res = await updateClient(store, CLIENT, buildClientHeader(target, 1n, target), timeAt(2) + SECOND);
    assert.equal(res.kind, "updated");
  });

  it("refuses a trusted set from the wrong height and a target not above the trusted height", () => {
    const chain = fakeChain({ heights: 5 });
    const lb = (h: number) => decodeLightBlock(chain.lightBlockJson(h));
    rejectsCode(() => buildClientHeader(lb(5), 3n, lb(3)), "RELAYER_HEADER", /from height 4, got height 3/);
    rejectsCode(() => buildClientHeader(lb(3), 3n, lb(4)), "RELAYER_HEADER", /trusting height 3 to height 3/);
  });
});
