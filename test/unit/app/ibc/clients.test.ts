import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { TxMsgData } from "cosmjs-types/cosmos/base/abci/v1beta1/abci";
import type { Any } from "cosmjs-types/google/protobuf/any";
import {
  QueryClientStateRequest,
  QueryClientStateResponse,
  QueryClientStatesRequest,
  QueryClientStatesResponse,
  QueryClientStatusRequest,
  QueryClientStatusResponse,
  QueryConsensusStateHeightsRequest,
  QueryConsensusStateHeightsResponse,
  QueryConsensusStateRequest,
  QueryConsensusStateResponse,
} from "cosmjs-types/ibc/core/client/v1/query";
import { MsgCreateClientResponse } from "cosmjs-types/ibc/core/client/v1/tx";
import {
  type ClientState,
  DEFAULT_TRUST_LEVEL,
  decodeClientState,
  decodeConsensusState,
  encodeClientHeader,
  encodeClientState,
  encodeConsensusState,
  encodeMisbehaviour,
} from "../../../../ibc/index.ts";
import { validatorSetHash } from "../../../../proto/index.ts";
import { clientHeader, setOf, signedHeader } from "../../ibc/client/helpers.ts";
import {
  eventsOf,
  GENESIS_TIME,
  type IbcTestChain,
  SECOND,
  setupChains,
  T,
  updateClientMsg,
} from "./twoChains.ts";

const STATUS = "/ibc.core.client.v1.Query/ClientStatus";

function clientStateOf(b: IbcTestChain, latestHeight: bigint): ClientState {
  return {
    chainId: b.name,
    trustLevel: DEFAULT_TRUST_LEVEL,
    trustingPeriod: 10_000n * SECOND,
    unbondingPeriod: 20_000n * SECOND,
    maxClockDrift: 1_000n * SECOND,
    latestHeight,
    frozenHeight: 0n,
  };
}

/** B's header at `height` with an app hash of choice (a fork when it differs from B's real one). */
function forkHeader(b: IbcTestChain, height: bigint, trusted: bigint, appHash: Uint8Array): Any {
  const sh = signedHeader({
    chainId: b.name,
    height: Number(height),
    time: GENESIS_TIME + height * SECOND,
    vals: b.vals,
    appHash,
  });
  return {
    typeUrl: "/icsd.lightclient.v1.Header",
    value: encodeClientHeader(clientHeader(sh, b.vals, trusted, b.vals)),
  };
}

async function status(a: IbcTestChain, clientId: string): Promise<string> {
  const data = QueryClientStatusRequest.encode({ clientId }).finish();
  return QueryClientStatusResponse.decode(await a.query(STATUS, data)).status;
}

async function heights(a: IbcTestChain, clientId: string): Promise<bigint[]> {
  const data = QueryConsensusStateHeightsRequest.encode({ clientId }).finish();
  const res = QueryConsensusStateHeightsResponse.decode(
    await a.query("/ibc.core.client.v1.Query/ConsensusStateHeights", data),
  );
  return res.consensusStateHeights.map((h) => h.revisionHeight);
}

describe("ibc module: light-client messages and queries", () => {
  it("creates a client as 07-icsd-<n>, updates it, and serves it through the client queries", T, async () => {
    const { a, b, relayer } = await setupChains();
    await b.block();
    const h = b.height + 1n;
    const create = await a.ok(relayer, [
      {
        typeUrl: "/ibc.core.client.v1.MsgCreateClient",
        value: {
          clientState: {
            typeUrl: "/icsd.lightclient.v1.ClientState",
            value: encodeClientState(clientStateOf(b, h)),
          },
          consensusState: {
            typeUrl: "/icsd.lightclient.v1.ConsensusState",
            value: encodeConsensusState({
              timestamp: GENESIS_TIME + h * SECOND,
              root: b.appHashes[Number(h) - 1]!,
              nextValidatorsHash: validatorSetHash(setOf(b.vals)),
            }),
          },
          signer: relayer.address,
        },
      },
    ]);
    const { clientId } = MsgCreateClientResponse.decode(TxMsgData.decode(create.data).msgResponses[0]!.value);
    assert.equal(clientId, "07-icsd-1");
    assert.deepEqual(eventsOf(create.events, "create_client")[0], {
      client_id: "07-icsd-1",
      client_type: "07-icsd",
      consensus_height: `0-${h}`,
      msg_index: "0",
    });

    const cs = QueryClientStateResponse.decode(
      await a.query(
        "/ibc.core.client.v1.Query/ClientState",
        QueryClientStateRequest.encode({ clientId }).finish(),
      ),
    );
    assert.equal(cs.clientState!.typeUrl, "/icsd.lightclient.v1.ClientState");
    assert.deepEqual(decodeClientState(cs.clientState!.value), clientStateOf(b, h));
    const all = QueryClientStatesResponse.decode(
      await a.query("/ibc.core.client.v1.Query/ClientStates", QueryClientStatesRequest.encode({}).finish()),
    );
    assert.deepEqual(
      all.clientStates.map((c) => c.clientId),
      ["07-icsd-0", "07-icsd-1"],
    );

    // Two blocks later, an update (skipping one height).
    await b.block();
    await b.block();
    const h2 = b.height + 1n;
    const up = await a.ok(relayer, [updateClientMsg(relayer.address, b.header(h2, h), clientId)]);
    assert.equal(eventsOf(up.events, "update_client")[0]!.consensus_height, `0-${h2}`);
    assert.deepEqual(await heights(a, clientId), [h, h2]);
    const latest = QueryConsensusStateResponse.decode(
      await a.query(
        "/ibc.core.client.v1.Query/ConsensusState",
        QueryConsensusStateRequest.encode({
          clientId,
          revisionNumber: 0n,
          revisionHeight: 0n,
          latestHeight: true,
        }).finish(),
      ),
    );
    assert.deepEqual(decodeConsensusState(latest.consensusState!.value).root, b.appHashes[Number(h2) - 1]);
    const atH = QueryConsensusStateResponse.decode(
      await a.query(
        "/ibc.core.client.v1.Query/ConsensusState",
        QueryConsensusStateRequest.encode({
          clientId,
          revisionNumber: 0n,
          revisionHeight: h,
          latestHeight: false,
        }).finish(),
      ),
    );
    assert.equal(decodeConsensusState(atH.consensusState!.value).timestamp, GENESIS_TIME + h * SECOND);

    // The same header again is accepted and changes nothing.
    const again = await a.ok(relayer, [updateClientMsg(relayer.address, b.header(h2, h), clientId)]);
    assert.equal(again.code, 0);
    assert.deepEqual(await heights(a, clientId), [h, h2]);
    assert.equal(await status(a, clientId), "Active");

    // Unknown clients and heights are gRPC NotFound.
    const missing = await a.chain.query(
      "/ibc.core.client.v1.Query/ClientState",
      QueryClientStateRequest.encode({ clientId: "07-icsd-9" }).finish(),
    );
    assert.equal(missing.code, 22);
    assert.match(missing.log, /NotFound/);
  });

  it("freezes a client on a conflicting header and on submitted misbehaviour", T, async () => {
    const { a, b, relayer } = await setupChains();
    await b.block();
    const h = b.height + 1n;
    // A header that verifies but conflicts with the one stored at the same height freezes the client.
    assert.equal((await a.ok(relayer, [updateClientMsg(relayer.address, b.header(h, 0n))])).code, 0);
    const fork = forkHeader(b, h, 0n, new Uint8Array(32).fill(9));
    const frozen = await a.ok(relayer, [updateClientMsg(relayer.address, fork)]);
    assert.deepEqual(eventsOf(frozen.events, "client_misbehaviour")[0]!.client_id, "07-icsd-0");
    assert.equal(await status(a, "07-icsd-0"), "Frozen");
    const refused = await a.tx(relayer, [updateClientMsg(relayer.address, b.header(h + 1n, h))]);
    assert.equal(refused.codespace, "ibc");
    assert.equal(refused.code, 28);
    assert.match(refused.log, /IBC_CLIENT_FROZEN/);

    // MsgSubmitMisbehaviour: two different headers at one height, on chain B's client of A.
    await a.block();
    const ha = a.height + 1n;
    const h1 = signedHeader({
      chainId: a.name,
      height: Number(ha),
      time: GENESIS_TIME + ha * SECOND,
      vals: a.vals,
    });
    const h2 = signedHeader({
      chainId: a.name,
      height: Number(ha),
      time: GENESIS_TIME + ha * SECOND,
      vals: a.vals,
      appHash: new Uint8Array(32).fill(1),
    });
    const evidence = encodeMisbehaviour(
      clientHeader(h1, a.vals, 0n, a.vals),
      clientHeader(h2, a.vals, 0n, a.vals),
    );
    const sub = await b.ok(relayer, [
      {
        typeUrl: "/ibc.core.client.v1.MsgSubmitMisbehaviour",
        value: {
          clientId: "07-icsd-0",
          misbehaviour: { typeUrl: "/icsd.lightclient.v1.Misbehaviour", value: evidence },
          signer: relayer.address,
        },
      },
    ]);
    assert.equal(eventsOf(sub.events, "client_misbehaviour").length, 1);
    assert.equal(await status(b, "07-icsd-0"), "Frozen");

    // A light-client Any of the wrong type is refused before anything runs.
    const notMisbehaviour = await a.tx(relayer, [
      {
        typeUrl: "/ibc.core.client.v1.MsgCreateClient",
        value: {
          clientState: { typeUrl: "/icsd.lightclient.v1.Misbehaviour", value: evidence },
          signer: relayer.address,
        },
      },
    ]);
    assert.equal(notMisbehaviour.codespace, "ibc");
    assert.match(notMisbehaviour.log, /IBC_INVALID_MESSAGE: client state has type/);
  });
});
