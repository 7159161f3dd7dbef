import {
  MsgFundCommunityPool,
  MsgFundCommunityPoolResponse,
  MsgSetWithdrawAddress,
  MsgSetWithdrawAddressResponse,
  MsgUpdateParams,
  MsgUpdateParamsResponse,
  MsgWithdrawDelegatorReward,
  MsgWithdrawDelegatorRewardResponse,
  MsgWithdrawValidatorCommission,
  MsgWithdrawValidatorCommissionResponse,
} from "cosmjs-types/cosmos/distribution/v1beta1/tx";
import {
  addressBytes,
  bech32Address,
  type Coin,
  coinsFromWire,
  coinsToWire,
  decodeProto,
  errInvalidCoins,
  errInvalidRequest,
  type MsgRoute,
  msgRoute,
} from "../../app/index.ts";
import type { DistributionKeeper } from "./keeper.ts";
import {
  type DistributionParams,
  errInvalidAuthority,
  govAuthority,
  paramsFromProto,
  setDistributionParams,
  validateDistributionParams,
} from "./types.ts";

const MODULE = "distribution";
const T = "/cosmos.distribution.v1beta1.";

/** A validator operator address (`<prefix>valoper…`) as bytes; errors are ErrInvalidAddress. */
export function valoperBytes(address: string, prefix: string, field = "validator address"): Uint8Array {
  return addressBytes(address, `${prefix}valoper`, field);
}

/** x/distribution's messages (SDK 0.50 msg_server.go). */
export function distributionMsgRoutes(k: DistributionKeeper): MsgRoute[] {
  const setWithdraw: MsgRoute<{ del: Uint8Array; to: Uint8Array }> = {
    typeUrl: `${T}MsgSetWithdrawAddress`,
    module: MODULE,
    decode(value, prefix) {
      const m = decodeProto(this.typeUrl, () => MsgSetWithdrawAddress.decode(value));
      const del = addressBytes(m.delegatorAddress, prefix, "delegator address");
      const to = addressBytes(m.withdrawAddress, prefix, "withdraw address");
      return { signer: m.delegatorAddress, msg: { del, to } };
    },
    async handle(ctx, msg) {
      await k.setWithdrawAddr(ctx, msg.del, msg.to);
      return {
        typeUrl: `${T}MsgSetWithdrawAddressResponse`,
        value: MsgSetWithdrawAddressResponse.encode({}).finish(),
      };
    },
  };
  const withdrawReward: MsgRoute<{ del: Uint8Array; val: Uint8Array }> = {
    typeUrl: `${T}MsgWithdrawDelegatorReward`,
    module: MODULE,
    decode(value, prefix) {
      const m = decodeProto(this.typeUrl, () => MsgWithdrawDelegatorReward.decode(value));
      const del = addressBytes(m.delegatorAddress, prefix, "delegator address");
      const val = valoperBytes(m.validatorAddress, prefix);
      return { signer: m.delegatorAddress, msg: { del, val } };
    },
    async handle(ctx, msg) {
      const amount = await k.withdrawDelegationRewards(ctx, msg.del, msg.val);
      return {
        typeUrl: `${T}MsgWithdrawDelegatorRewardResponse`,
        value: MsgWithdrawDelegatorRewardResponse.encode({ amount: coinsToWire(amount) }).finish(),
      };
    },
  };
  const withdrawCommission: MsgRoute<{ val: Uint8Array }> = {
    typeUrl: `${T}MsgWithdrawValidatorCommission`,
    module: MODULE,
    decode(value, prefix) {
      const m = decodeProto(this.typeUrl, () => MsgWithdrawValidatorCommission.decode(value));
      const val = valoperBytes(m.validatorAddress, prefix);
      // The signer is the operator's account (the validator address's bytes).
      return { signer: bech32Address(val, prefix), msg: { val } };
    },
    async handle(ctx, msg) {
      const amount = await k.withdrawValidatorCommission(ctx, msg.val);
      return {
        typeUrl: `${T}MsgWithdrawValidatorCommissionResponse`,
        value: MsgWithdrawValidatorCommissionResponse.encode({ amount: coinsToWire(amount) }).finish(),
      };
    },
  };
  const fund: MsgRoute<{ depositor: Uint8Array; amount: Coin[] }> = {
    typeUrl: `${T}MsgFundCommunityPool`,
    module: MODULE,
    decode(value, prefix) {
      const m = decodeProto(this.typeUrl, () => MsgFundCommunityPool.decode(value));
      const depositor = addressBytes(m.depositor, prefix, "depositor address");
      if (m.amount.length === 0) throw errInvalidCoins("amount cannot be nil");
      return { signer: m.depositor, msg: { depositor, amount: coinsFromWire(m.amount) } };
    },
    async handle(ctx, msg) {
      await k.fundCommunityPool(ctx, msg.amount, msg.depositor);
      return {
        typeUrl: `${T}MsgFundCommunityPoolResponse`,
        value: MsgFundCommunityPoolResponse.encode({}).finish(),
      };
    },
  };
  const updateParams: MsgRoute<{ authority: string; params: DistributionParams }> = {
    typeUrl: `${T}MsgUpdateParams`,
    module: MODULE,
    decode(value, prefix) {
      const m = decodeProto(this.typeUrl, () => MsgUpdateParams.decode(value));
      addressBytes(m.authority, prefix, "authority address");
      const params = paramsFromProto(
        m.params ?? {
          communityTax: "",
          baseProposerReward: "",
          bonusProposerReward: "",
          withdrawAddrEnabled: false,
        },
      );
      return { signer: m.authority, msg: { authority: m.authority, params } };
    },
    async handle(ctx, msg) {
      const expected = govAuthority(k.prefix);
      if (msg.authority !== expected) throw errInvalidAuthority(expected, msg.authority);
      if (msg.params.baseProposerReward !== 0n || msg.params.bonusProposerReward !== 0n) {
        throw errInvalidRequest(
          "cannot update base or bonus proposer reward because these are deprecated fields",
        );
      }
      validateDistributionParams(msg.params);
      setDistributionParams(ctx.store, msg.params);
      return { typeUrl: `${T}MsgUpdateParamsResponse`, value: MsgUpdateParamsResponse.encode({}).finish() };
    },
  };
  return [
    msgRoute(setWithdraw),
    msgRoute(withdrawReward),
    msgRoute(withdrawCommission),
    msgRoute(fund),
    msgRoute(updateParams),
  ];
}
