import { addressBytes, type ModuleContext } from "../../app/index.ts";
import { formatRfc3339Nano, IcsdError, parseRfc3339Nano } from "../../utils/index.ts";
import type { SlashingKeeper } from "./keeper.ts";
import { paramsFromJson, paramsToJson, validateSlashingParams } from "./params.ts";
import type { SigningInfo } from "./signingInfo.ts";

type Json = Record<string, unknown>;

function fail(field: string, msg: string): never {
  throw new IcsdError("GENESIS_INVALID", `genesis app_state.slashing.${field}: ${msg}`, { field });
}

function obj(v: unknown, field: string): Json {
  if (v === undefined || v === null) return {};
  if (typeof v !== "object" || Array.isArray(v)) fail(field, "must be an object");
  return v as Json;
}

function arr(v: unknown, field: string): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) fail(field, "must be an array");
  return v;
}

function int(v: unknown, field: string): bigint {
  if (v === undefined || v === null) return 0n;
  if ((typeof v !== "string" && typeof v !== "number") || !/^-?\d{1,19}$/.test(String(v))) {
    fail(field, "must be an integer string");
  }
  return BigInt(v);
}

function wrap<T>(field: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    return fail(field, (e as Error).message);
  }
}

/**
 * The SDK's x/slashing InitGenesis: params (absent → defaults; they must pass Params.Validate),
 * signing infos and missed-block bits by `<prefix>valcons` address, and the pubkey relation of every
 * validator staking already knows.
 */
export async function initSlashingGenesis(
  ctx: ModuleContext,
  k: SlashingKeeper,
  state: unknown,
): Promise<void> {
  const root = obj(state, "");
  const params = wrap("params", () => paramsFromJson(root.params));
  const bad = validateSlashingParams(params);
  if (bad) fail("params", bad);
  k.setParams(ctx.store, params);

  const valcons = `${k.prefix}valcons`;
  const consAddr = (v: unknown, field: string): Uint8Array => {
    if (typeof v !== "string") fail(field, "must be a bech32 string");
    return wrap(field, () => addressBytes(v, valcons, "consensus address"));
  };

  const infos = arr(root.signing_infos, "signing_infos");
  for (let i = 0; i < infos.length; i++) {
    const f = `signing_infos[${i}]`;
    const e = obj(infos[i], f);
    const address = consAddr(e.address, `${f}.address`);
    const s = obj(e.validator_signing_info, `${f}.validator_signing_info`);
    const until = s.jailed_until;
    const info: SigningInfo = {
      address,
      startHeight: int(s.start_height, `${f}.validator_signing_info.start_height`),
      indexOffset: int(s.index_offset, `${f}.validator_signing_info.index_offset`),
      jailedUntil:
        until === undefined || until === null
          ? 0n
          : wrap(`${f}.validator_signing_info.jailed_until`, () => parseRfc3339Nano(String(until))),
      tombstoned: s.tombstoned === true,
      missedBlocksCounter: int(s.missed_blocks_counter, `${f}.validator_signing_info.missed_blocks_counter`),
    };
    k.setSigningInfo(ctx.store, info);
  }

  const missed = arr(root.missed_blocks, "missed_blocks");
  for (let i = 0; i < missed.length; i++) {
    const f = `missed_blocks[${i}]`;
    const e = obj(missed[i], f);
    const address = consAddr(e.address, `${f}.address`);
    const bits = arr(e.missed_blocks, `${f}.missed_blocks`);
    for (let j = 0; j < bits.length; j++) {
      const b = obj(bits[j], `${f}.missed_blocks[${j}]`);
      const index = int(b.index, `${f}.missed_blocks[${j}].index`);
      if (index < 0n) fail(`${f}.missed_blocks[${j}].index`, "must not be negative");
      k.signingInfos.setMissed(ctx.store, address, index, b.missed === true);
    }
  }

  // As the SDK: the pubkey relation of every validator known at this point (none when slashing's
  // genesis runs before staking's; gen-tx validators get theirs from the hooks).
  for (const v of await k.staking.validators(ctx.store)) k.addPubkey(ctx.store, v.consPubKey);
}

/** The module's state in the SDK's genesis JSON (ExportGenesis). */
export async function exportSlashingGenesis(ctx: ModuleContext, k: SlashingKeeper): Promise<Json> {
  const infos = await k.signingInfos.all(ctx.store);
  const signingInfos: Json[] = [];
  const missedBlocks: Json[] = [];
  for (const info of infos) {
    const address = k.consAddrString(info.address);
    signingInfos.push({
      address,
      validator_signing_info: {
        address,
        start_height: info.startHeight.toString(),
        index_offset: info.indexOffset.toString(),
        jailed_until: formatRfc3339Nano(info.jailedUntil),
        tombstoned: info.tombstoned,
        missed_blocks_counter: info.missedBlocksCounter.toString(),
      },
    });
    const indexes = await k.signingInfos.missedIndexes(ctx.store, info.address);
    missedBlocks.push({
      address,
      missed_blocks: indexes.map((index) => ({ index: index.toString(), missed: true })),
    });
  }
  return {
    params: paramsToJson(await k.params(ctx.store)),
    signing_infos: signingInfos,
    missed_blocks: missedBlocks,
  };
}
