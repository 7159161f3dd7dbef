import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { QueryInflationResponse, QueryParamsResponse } from "cosmjs-types/cosmos/mint/v1beta1/query";
import { MsgUpdateParams } from "cosmjs-types/cosmos/mint/v1beta1/tx";
import {
  bech32Address,
  decFromString,
  FEE_COLLECTOR,
  moduleAddress,
  type SdkError,
} from "../../../../app/index.ts";
import {
  blockProvision,
  bondedRatio,
  defaultMintParams,
  getMinter,
  mintModule,
  nextAnnualProvisions,
  nextInflationRate,
} from "../../../../provider/mint/index.ts";
import { utf8 } from "../../../../utils/index.ts";
import { baseKeepers, FakeStaking } from "../distribution/fakeStaking.ts";
import { memoryStore, moduleContext } from "../helpers.ts";

const attrs = (e: { attributes: readonly { key: string; value: string }[] }) =>
  Object.fromEntries(e.attributes.map((a) => [a.key, a.value]));

async function setup(bonded: bigint, supply: bigint) {
  const base = baseKeepers();
  const staking = new FakeStaking();
  const { module, keeper } = mintModule(base, staking);
  const store = memoryStore();
  const ctx = moduleContext(store, 1);
  await module.initGenesis!(ctx, undefined);
  await base.bank.mint(store, new Uint8Array(20).fill(7), [{ denom: "stake", amount: supply }]);
  await staking.createValidator(ctx, new Uint8Array(20).fill(1), new Uint8Array(32).fill(1), bonded, 0n);
  return { base, staking, module, keeper, store };
}

describe("x/mint", () => {
  it("one block's inflation math matches hand-computed SDK values", () => {
    // bonded ratio 0.5: (1 − 0.5/0.67) × 0.13 = 0.032985074626865672 a year (Quo and Mul round half even),
    // / 6311520 = 0.000000005226169707 a block.
    const ratio = bondedRatio(500_000_000n, 1_000_000_000n);
    assert.equal(ratio, decFromString("0.5"));
    const inflation = nextInflationRate(
      { inflation: decFromString("0.13"), annualProvisions: 0n },
      defaultMintParams,
      ratio,
    );
    assert.equal(inflation, decFromString("0.130000005226169707"));
    const annual = nextAnnualProvisions({ inflation, annualProvisions: 0n }, 1_000_000_000n);
    assert.equal(annual, decFromString("130000005.226169707"));
    assert.deepEqual(blockProvision({ inflation, annualProvisions: annual }, defaultMintParams), {
      denom: "stake",
      amount: 20n,
    });
    // Above the goal inflation falls: 0.9 bonded gives −0.000000007070700191 a block.
    const down = nextInflationRate(
      { inflation: decFromString("0.13"), annualProvisions: 0n },
      defaultMintParams,
      decFromString("0.9"),
    );
    assert.equal(down, decFromString("0.129999992929299809"));
  });

  it("clamps inflation to [min, max]", () => {
    const p = defaultMintParams;
    assert.equal(
      nextInflationRate({ inflation: decFromString("0.2"), annualProvisions: 0n }, p, 0n),
      p.inflationMax,
    );
    assert.equal(
      nextInflationRate({ inflation: decFromString("0.07"), annualProvisions: 0n }, p, decFromString("1")),
      p.inflationMin,
    );
  });

  it("BeginBlock mints the provision into the fee collector and emits mint", async () => {
    const { base, module, store } = await setup(500_000_000n, 500_000_000n);
    // supply = 500M minted + 500M delegated (the fake does not move coins, so mint the bonded part too).
    const ctx = moduleContext(store, 2);
    await base.bank.mint(store, new Uint8Array(20).fill(8), [{ denom: "stake", amount: 500_000_000n }]);
    await module.beginBlock!(ctx, {
      proposer: new Uint8Array(20),
      lastCommit: { round: 0, votes: [] },
      misbehavior: [],
    });
    const minter = await getMinter(store);
    assert.equal(minter.inflation, decFromString("0.130000005226169707"));
    assert.equal(minter.annualProvisions, decFromString("130000005.226169707"));
    assert.equal(await base.bank.balance(store, moduleAddress(FEE_COLLECTOR), "stake"), 20n);
    assert.equal(await base.bank.balance(store, moduleAddress("mint"), "stake"), 0n);
    assert.equal(await base.bank.supplyOf(store, "stake"), 1_000_000_020n);
    const mint = ctx.events.find((e) => e.type === "mint")!;
    assert.deepEqual(attrs(mint), {
      bonded_ratio: "0.500000000000000000",
      inflation: "0.130000005226169707",
      annual_provisions: "130000005.226169707000000000",
      amount: "20",
    });
    // Queries: Inflation is the atomics' digits as bytes, as the SDK's LegacyDec Marshal.
    const q = module.queries!;
    const inf = QueryInflationResponse.decode(
      await q["/cosmos.mint.v1beta1.Query/Inflation"]!({ store, height: 2 }, new Uint8Array()),
    );
    assert.equal(Buffer.from(inf.inflation).toString(), "130000005226169707");
    const params = QueryParamsResponse.decode(
      await q["/cosmos.mint.v1beta1.Query/Params"]!({ store, height: 2 }, new Uint8Array()),
    );
    assert.equal(params.params.goalBonded, "670000000000000000");
    assert.equal(params.params.blocksPerYear, 6_311_520n);
  });

  it("genesis reads the SDK's JSON and refuses invalid params", async () => {
    const base = baseKeepers();
    const { module } = mintModule(base, new FakeStaking());
    const store = memoryStore();
    await module.initGenesis!(moduleContext(store), {
      minter: { inflation: "0.100000000000000000", annual_provisions: "0.000000000000000000" },
      params: { mint_denom: "uatom", inflation_max: "0.5", blocks_per_year: "100" },
    });
    assert.equal((await getMinter(store)).inflation, decFromString("0.1"));
    await assert.rejects(
      module.initGenesis!(moduleContext(memoryStore()), {
        params: { inflation_min: "0.3", inflation_max: "0.2" },
      }),
      /max inflation \(0.200000000000000000\) must be greater than or equal to min inflation/,
    );
  });

  it("MsgUpdateParams: only the gov account, only valid params", async () => {
    const { module, store } = await setup(1n, 1n);
    const route = module.msgs![0]!;
    const gov = bech32Address(moduleAddress("gov"), "cosmos");
    const params = {
      mintDenom: "stake",
      inflationRateChange: "100000000000000000",
      inflationMax: "200000000000000000",
      inflationMin: "0",
      goalBonded: "500000000000000000",
      blocksPerYear: 1000n,
    };
    const run = (authority: string, p = params) => {
      const { signer, msg } = route.decode(
        MsgUpdateParams.encode({ authority, params: p }).finish(),
        "cosmos",
      );
      assert.equal(signer, authority);
      return route.handle(moduleContext(store), msg);
    };
    const other = bech32Address(new Uint8Array(20).fill(9), "cosmos");
    await assert.rejects(run(other), (e: SdkError) => e.codespace === "gov" && e.code === 12);
    await assert.rejects(run(gov, { ...params, goalBonded: "0" }), /goal bonded must be positive/);
    await run(gov);
    const q = module.queries!["/cosmos.mint.v1beta1.Query/Params"]!;
    assert.equal(
      QueryParamsResponse.decode(await q({ store, height: 1 }, utf8(""))).params.blocksPerYear,
      1000n,
    );
  });
});
