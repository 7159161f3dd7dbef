import { MsgUpdateParams, MsgUpdateParamsResponse } from "cosmjs-types/cosmos/mint/v1beta1/tx";
import { addressBytes, decodeProto, type MsgRoute, msgRoute } from "../../app/index.ts";
import {
  errInvalidAuthority,
  govAuthority,
  type MintParams,
  mintParamsFromProto,
  setMintParams,
  validateMintParams,
} from "./types.ts";

/** x/mint's MsgUpdateParams: only the gov module account may set new (valid) params. */
export function mintMsgRoutes(prefix: string): MsgRoute[] {
  const updateParams: MsgRoute<{ authority: string; params: MintParams }> = {
    typeUrl: "/cosmos.mint.v1beta1.MsgUpdateParams",
    module: "mint",
    decode(value, pfx) {
      const m = decodeProto(this.typeUrl, () => MsgUpdateParams.decode(value));
      addressBytes(m.authority, pfx, "authority address");
      const params = mintParamsFromProto(
        m.params ?? {
          mintDenom: "",
          inflationRateChange: "",
          inflationMax: "",
          inflationMin: "",
          goalBonded: "",
          blocksPerYear: 0n,
        },
      );
      return { signer: m.authority, msg: { authority: m.authority, params } };
    },
    async handle(ctx, msg) {
      const expected = govAuthority(prefix);
      if (msg.authority !== expected) throw errInvalidAuthority(expected, msg.authority);
      validateMintParams(msg.params);
      setMintParams(ctx.store, msg.params);
      return {
        typeUrl: "/cosmos.mint.v1beta1.MsgUpdateParamsResponse",
        value: MsgUpdateParamsResponse.encode({}).finish(),
      };
    },
  };
  return [msgRoute(updateParams)];
}
