import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  QueryParamsResponse,
  QuerySigningInfoRequest,
  QuerySigningInfoResponse,
  QuerySigningInfosRequest,
  QuerySigningInfosResponse,
} from "cosmjs-types/cosmos/slashing/v1beta1/query";
import { MsgUpdateParams } from "cosmjs-types/cosmos/slashing/v1beta1/tx";
import { bech32Address, type ModuleContext, moduleAddress, SdkError } from "../../../../app/index.ts";
import {
  defaultSlashingParams,
  paramsFromJson,
  paramsToJson,
  slashingModule,
  slashingMsgRoutes,
  validateSlashingParams,
} from "../../../../provider/slashing/index.ts";
import { paramsToProto } from "../../../../provider/slashing/params.ts";
import { IcsdError } from "../../../../utils/index.ts";
import { ModuleTestChain, memoryStore, moduleContext } from "../helpers.ts";
import { commit, fakeChain, SECOND } from "./setup.ts";

const GOV = bech32Address(moduleAddress("gov"), "cosmos");

describe("slashing params, genesis and queries", () => {
  it("has the SDK's defaults and JSON shapes", () => {
    assert.deepEqual(paramsToJson(defaultSlashingParams), {
      signed_blocks_window: "100",
      min_signed_per_window: "0.500000000000000000",
      downtime_jail_duration: "600s",
      slash_fraction_double_sign: "0.050000000000000000",
      slash_fraction_downtime: "0.010000000000000000",
    });
    assert.deepEqual(paramsFromJson(paramsToJson(defaultSlashingParams)), defaultSlashingParams);
    assert.deepEqual(paramsFromJson(undefined), defaultSlashingParams);
    assert.equal(paramsFromJson({ downtime_jail_duration: "1.5s" }).downtimeJailDuration, 1_500_000_000n);
    assert.equal(
      validateSlashingParams({ ...defaultSlashingParams, signedBlocksWindow: 0n }),
      "signed blocks window must be positive: 0",
    );
    assert.equal(
      validateSlashingParams({ ...defaultSlashingParams, slashFractionDowntime: 2n * 10n ** 18n }),
      "downtime slash fraction too large: 2.000000000000000000",
    );
  });

  it("rejects invalid genesis params", async () => {
    await assert.rejects(fakeChain(1, { signed_blocks_window: "0" }), (e: unknown) => {
      assert.ok(e instanceof IcsdError);
      assert.match(e.message, /app_state\.slashing\.params: signed blocks window must be positive/);
      return true;
    });
    await assert.rejects(fakeChain(1, { min_signed_per_window: "x" }), /min_signed_per_window/);
  });

  it("serves Params, SigningInfo and SigningInfos", async () => {
    const f = await fakeChain(3, { signed_blocks_window: "20" });
    await f.chain.block({ lastCommit: commit([[f.vals[0]!, 10n, false]]) });
    const params = await f.chain.query("/cosmos.slashing.v1beta1.Query/Params", new Uint8Array());
    assert.equal(params.code, 0, params.log);
    assert.deepEqual(
      QueryParamsResponse.decode(params.value).params,
      paramsToProto({ ...defaultSlashingParams, signedBlocksWindow: 20n }),
    );

    const consAddress = f.keeper.consAddrString(f.vals[0]!.consAddr);
    assert.match(consAddress, /^cosmosvalcons1/);
    const one = await f.chain.query(
      "/cosmos.slashing.v1beta1.Query/SigningInfo",
      QuerySigningInfoRequest.encode({ consAddress }).finish(),
    );
    assert.equal(one.code, 0, one.log);
    assert.deepEqual(QuerySigningInfoResponse.decode(one.value).valSigningInfo, {
      address: consAddress,
      startHeight: 0n,
      indexOffset: 1n,
      jailedUntil: { seconds: 0n, nanos: 0 },
      tombstoned: false,
      missedBlocksCounter: 1n,
    });

    const unknown = bech32Address(new Uint8Array(20), "cosmosvalcons");
    const nf = await f.chain.query(
      "/cosmos.slashing.v1beta1.Query/SigningInfo",
      QuerySigningInfoRequest.encode({ consAddress: unknown }).finish(),
    );
    assert.equal(nf.code, 22);
    assert.match(nf.log, /NotFound desc = SigningInfo not found for validator/);
    const empty = await f.chain.query(
      "/cosmos.slashing.v1beta1.Query/SigningInfo",
      QuerySigningInfoRequest.encode({ consAddress: "" }).finish(),
    );
    assert.equal(empty.code, 18);

    const page1 = await f.chain.query(
      "/cosmos.slashing.v1beta1.Query/SigningInfos",
      QuerySigningInfosRequest.encode({
        pagination: { key: new Uint8Array(), offset: 0n, limit: 2n, countTotal: true, reverse: false },
      }).finish(),
    );
    const r1 = QuerySigningInfosResponse.decode(page1.value);
    assert.equal(r1.info.length, 2);
    assert.equal(r1.pagination?.total, 3n);
    const page2 = await f.chain.query(
      "/cosmos.slashing.v1beta1.Query/SigningInfos",
      QuerySigningInfosRequest.encode({
        pagination: {
          key: r1.pagination?.nextKey ?? new Uint8Array(),
          offset: 0n,
          limit: 2n,
          countTotal: false,
          reverse: false,
        },
      }).finish(),
    );
    const r2 = QuerySigningInfosResponse.decode(page2.value);
    assert.equal(r2.info.length, 1);
    const addrs = [...r1.info, ...r2.info].map((i) => i.address);
    assert.equal(new Set(addrs).size, 3);
  });

  it("imports signing infos and missed blocks from genesis", async () => {
    const f = await fakeChain(1);
    const addr = f.keeper.consAddrString(f.vals[0]!.consAddr);
    const staking = f.staking;
    const chain = await ModuleTestChain.create((base) => [slashingModule(base, staking).module], {
      slashing: {
        params: { signed_blocks_window: "10" },
        signing_infos: [
          {
            address: addr,
            validator_signing_info: {
              address: addr,
              start_height: "5",
              index_offset: "3",
              jailed_until: "2030-01-01T00:00:00Z",
              tombstoned: false,
              missed_blocks_counter: "2",
            },
          },
        ],
        missed_blocks: [
          {
            address: addr,
            missed_blocks: [
              { index: "0", missed: true },
              { index: "2", missed: true },
            ],
          },
        ],
      },
    });
    await chain.block();
    const q = await chain.query(
      "/cosmos.slashing.v1beta1.Query/SigningInfo",
      QuerySigningInfoRequest.encode({ consAddress: addr }).finish(),
    );
    assert.equal(q.code, 0, q.log);
    const info = QuerySigningInfoResponse.decode(q.value).valSigningInfo;
    assert.equal(info.startHeight, 5n);
    assert.equal(info.indexOffset, 3n);
    assert.equal(info.missedBlocksCounter, 2n);
    assert.equal(info.jailedUntil.seconds, 1_893_456_000n);
    assert.deepEqual(await chain.app.checkInvariants(), []);
  });

  it("MsgUpdateParams: only the gov module account, only valid params", async () => {
    const f = await fakeChain(1);
    const [, update] = slashingMsgRoutes(f.keeper);
    assert.ok(update);
    const store = memoryStore();
    const ctx: ModuleContext = moduleContext(store);
    const next = { ...defaultSlashingParams, signedBlocksWindow: 500n, downtimeJailDuration: 30n * SECOND };
    const encode = (authority: string, p = next) =>
      MsgUpdateParams.encode({ authority, params: paramsToProto(p) }).finish();

    const wrong = update.decode(encode(f.vals[0]!.account.address), "cosmos");
    await assert.rejects(update.handle(ctx, wrong.msg), (e: unknown) => {
      assert.ok(e instanceof SdkError);
      assert.deepEqual([e.codespace, e.code], ["gov", 15]);
      assert.match(e.message, /invalid authority; expected cosmos1/);
      return true;
    });
    const bad = update.decode(encode(GOV, { ...next, minSignedPerWindow: -1n }), "cosmos");
    await assert.rejects(update.handle(ctx, bad.msg), /min signed per window cannot be negative/);

    const ok = update.decode(encode(GOV), "cosmos");
    assert.equal(ok.signer, GOV);
    await update.handle(ctx, ok.msg);
    assert.deepEqual(await f.keeper.params(store), next);
  });

  it("reports broken invariants", async () => {
    const f = await fakeChain(1);
    const a = f.vals[0]!;
    f.keeper.signingInfos.setMissed(f.store, a.consAddr, 3n, true);
    await f.keeper.tombstone(f.store, a.consAddr);
    const broken = await f.chain.app.checkInvariants();
    assert.equal(broken.length, 2);
    assert.match(broken[0]!, /tombstoned validator cosmosvalcons1.* is not jailed/);
    assert.match(broken[1]!, /missed_blocks_counter 0 != 1/);
  });
});
