import {
  MsgUnjail,
  MsgUnjailResponse,
  MsgUpdateParams,
  MsgUpdateParamsResponse,
} from "cosmjs-types/cosmos/slashing/v1beta1/tx";
import {
  addressBytes,
  bech32Address,
  decodeProto,
  errInvalidAddress,
  type MsgRoute,
  moduleAddress,
  msgRoute,
  SdkError,
} from "../../app/index.ts";
import { errInvalidAuthority, errUndefined } from "./errors.ts";
import type { SlashingKeeper } from "./keeper.ts";
import { paramsFromProto, type SlashingParams, validateSlashingParams } from "./params.ts";

interface UnjailMsg {
  readonly operator: Uint8Array;
}

interface UpdateParamsMsg {
  readonly authority: string;
  readonly params: SlashingParams;
}

/**
 * x/slashing's messages: MsgUnjail (signed by the operator's account, i.e. the valoper bytes under the
 * account prefix) and MsgUpdateParams (only the gov module account may send it).
 */
export function slashingMsgRoutes(k: SlashingKeeper): MsgRoute[] {
  const unjail: MsgRoute<UnjailMsg> = {
    typeUrl: "/cosmos.slashing.v1beta1.MsgUnjail",
    module: "slashing",
    decode(value, prefix) {
      const m = decodeProto(this.typeUrl, () => MsgUnjail.decode(value));
      let operator: Uint8Array;
      try {
        operator = addressBytes(m.validatorAddr, `${prefix}valoper`, "validator address");
      } catch (e) {
        throw errInvalidAddress(`validator input address: ${(e as Error).message}`);
      }
      return { signer: bech32Address(operator, prefix), msg: { operator } };
    },
    async handle(ctx, msg) {
      await k.unjail(ctx, msg.operator);
      return {
        typeUrl: "/cosmos.slashing.v1beta1.MsgUnjailResponse",
        value: MsgUnjailResponse.encode({}).finish(),
      };
    },
  };
  const updateParams: MsgRoute<UpdateParamsMsg> = {
    typeUrl: "/cosmos.slashing.v1beta1.MsgUpdateParams",
    module: "slashing",
    decode(value, prefix) {
      const m = decodeProto(this.typeUrl, () => MsgUpdateParams.decode(value));
      addressBytes(m.authority, prefix, "authority");
      let params: SlashingParams;
      try {
        params = paramsFromProto(m.params);
      } catch (e) {
        throw e instanceof SdkError ? e : errUndefined((e as Error).message);
      }
      return { signer: m.authority, msg: { authority: m.authority, params } };
    },
    async handle(ctx, msg) {
      const gov = bech32Address(moduleAddress("gov"), k.prefix);
      if (msg.authority !== gov) throw errInvalidAuthority(gov, msg.authority);
      const bad = validateSlashingParams(msg.params);
      if (bad) throw errUndefined(bad);
      k.setParams(ctx.store, msg.params);
      return {
        typeUrl: "/cosmos.slashing.v1beta1.MsgUpdateParamsResponse",
        value: MsgUpdateParamsResponse.encode({}).finish(),
      };
    },
  };
  return [msgRoute(unjail), msgRoute(updateParams)];
}
