import {
  MsgBeginRedelegate,
  MsgBeginRedelegateResponse,
  MsgCancelUnbondingDelegation,
  MsgCancelUnbondingDelegationResponse,
  MsgDelegate,
  MsgDelegateResponse,
  MsgUndelegate,
  MsgUndelegateResponse,
  MsgUpdateParams,
  MsgUpdateParamsResponse,
} from "cosmjs-types/cosmos/staking/v1beta1/tx";
import {
  addressBytes,
  bech32Address,
  type Dec,
  decodeProto,
  decToString,
  errInvalidRequest,
  event,
  type ModuleContext,
  type MsgRoute,
  moduleAddress,
  msgRoute,
} from "../../app/index.ts";
import { valoperBytes } from "./address.ts";
import { paramsFromProto, toTimestamp } from "./codec.ts";
import { beginRedelegation, delegate, undelegate } from "./delegation.ts";
import {
  errDelegatorShareExRateInvalid,
  errGovInvalidSigner,
  errNoDelegation,
  errNotFound,
  errValidatorJailed,
} from "./errors.ts";
import type { StakingKeeperImpl } from "./keeper.ts";
import { checkDenom, response, rfc3339, STAKING_TYPE, wireCoin } from "./msgUtil.ts";
import { validateParams } from "./params.ts";
import { invalidExRate, sharesFromTokens, sharesFromTokensTruncated } from "./shares.ts";

/**
 * MsgDelegate, MsgUndelegate, MsgBeginRedelegate, MsgCancelUnbondingDelegation and MsgUpdateParams
 * (x/staking msg_server.go, SDK 0.50): addresses are checked when decoding (they name the signer),
 * everything else when the message runs, as the SDK 0.50 msg server does.
 */

interface DelegatorMsg<T> {
  readonly del: Uint8Array;
  readonly val: Uint8Array;
  readonly raw: T;
}

/**
 * ValidateUnbondAmount: the shares worth `amt` tokens, capped at the delegation's shares; more than
 * the delegation holds (by the truncated share count) is "invalid shares amount".
 */
export async function validateUnbondAmount(
  k: StakingKeeperImpl,
  ctx: ModuleContext,
  del: Uint8Array,
  val: Uint8Array,
  amt: bigint,
): Promise<Dec> {
  const v = await k.mustGetValidator(ctx.store, val);
  const d = await k.getDelegation(ctx.store, del, val);
  if (!d) throw errNoDelegation();
  let shares = sharesFromTokens(v, amt);
  const truncated = sharesFromTokensTruncated(v, amt);
  if (truncated > d.shares) throw errInvalidRequest("invalid shares amount");
  if (shares > d.shares) shares = d.shares;
  return shares;
}

function decodeDelegatorMsg<T extends { delegatorAddress: string; validatorAddress: string }>(
  raw: T,
  prefix: string,
): { signer: string; msg: DelegatorMsg<T> } {
  const del = addressBytes(raw.delegatorAddress, prefix, "delegator address");
  const val = valoperBytes(raw.validatorAddress, prefix);
  return { signer: raw.delegatorAddress, msg: { del, val, raw } };
}

export function delegationMsgRoutes(k: StakingKeeperImpl): MsgRoute[] {
  const del: MsgRoute<DelegatorMsg<MsgDelegate>> = {
    typeUrl: `${STAKING_TYPE}MsgDelegate`,
    module: "staking",
    decode(value, prefix) {
      return decodeDelegatorMsg(
        decodeProto(this.typeUrl, () => MsgDelegate.decode(value)),
        prefix,
      );
    },
    async handle(ctx, { del, val, raw }) {
      const amount = wireCoin(raw.amount);
      if (!amount || amount.amount === 0n) throw errInvalidRequest("invalid delegation amount");
      const v = await k.mustGetValidator(ctx.store, val);
      checkDenom(amount.denom, await k.bondDenom(ctx.store));
      const shares = await delegate(k, ctx, del, amount.amount, "unbonded", v, true);
      ctx.events.push(
        event("delegate", [
          ["validator", raw.validatorAddress],
          ["delegator", raw.delegatorAddress],
          ["amount", `${amount.amount}${amount.denom}`],
          ["new_shares", decToString(shares)],
        ]),
      );
      return response("MsgDelegateResponse", MsgDelegateResponse.encode({}).finish());
    },
  };

  const undel: MsgRoute<DelegatorMsg<MsgUndelegate>> = {
    typeUrl: `${STAKING_TYPE}MsgUndelegate`,
    module: "staking",
    decode(value, prefix) {
      return decodeDelegatorMsg(
        decodeProto(this.typeUrl, () => MsgUndelegate.decode(value)),
        prefix,
      );
    },
    async handle(ctx, { del, val, raw }) {
      const amount = wireCoin(raw.amount);
      if (!amount || amount.amount === 0n) throw errInvalidRequest("invalid shares amount");
      const shares = await validateUnbondAmount(k, ctx, del, val, amount.amount);
      checkDenom(amount.denom, await k.bondDenom(ctx.store));
      const out = await undelegate(k, ctx, del, val, shares);
      const coin = { denom: amount.denom, amount: out.amount.toString() };
      ctx.events.push(
        event("unbond", [
          ["validator", raw.validatorAddress],
          ["delegator", raw.delegatorAddress],
          ["amount", `${out.amount}${amount.denom}`],
          ["completion_time", rfc3339(out.completionTime)],
        ]),
      );
      return response(
        "MsgUndelegateResponse",
        MsgUndelegateResponse.encode({
          completionTime: toTimestamp(out.completionTime),
          amount: coin,
        }).finish(),
      );
    },
  };

  const redel: MsgRoute<{ del: Uint8Array; src: Uint8Array; dst: Uint8Array; raw: MsgBeginRedelegate }> = {
    typeUrl: `${STAKING_TYPE}MsgBeginRedelegate`,
    module: "staking",
    decode(value, prefix) {
      const raw = decodeProto(this.typeUrl, () => MsgBeginRedelegate.decode(value));
      const d = addressBytes(raw.delegatorAddress, prefix, "delegator address");
      const src = valoperBytes(raw.validatorSrcAddress, prefix, "source validator address");
      const dst = valoperBytes(raw.validatorDstAddress, prefix, "destination validator address");
      return { signer: raw.delegatorAddress, msg: { del: d, src, dst, raw } };
    },
    async handle(ctx, { del: d, src, dst, raw }) {
      const amount = wireCoin(raw.amount);
      if (!amount || amount.amount === 0n) throw errInvalidRequest("invalid shares amount");
      const shares = await validateUnbondAmount(k, ctx, d, src, amount.amount);
      checkDenom(amount.denom, await k.bondDenom(ctx.store));
      const completionTime = await beginRedelegation(k, ctx, d, src, dst, shares);
      ctx.events.push(
        event("redelegate", [
          ["source_validator", raw.validatorSrcAddress],
          ["destination_validator", raw.validatorDstAddress],
          ["delegator", raw.delegatorAddress],
          ["amount", `${amount.amount}${amount.denom}`],
          ["completion_time", rfc3339(completionTime)],
        ]),
      );
      return response(
        "MsgBeginRedelegateResponse",
        MsgBeginRedelegateResponse.encode({ completionTime: toTimestamp(completionTime) }).finish(),
      );
    },
  };

  const cancel: MsgRoute<DelegatorMsg<MsgCancelUnbondingDelegation>> = {
    typeUrl: `${STAKING_TYPE}MsgCancelUnbondingDelegation`,
    module: "staking",
    decode(value, prefix) {
      return decodeDelegatorMsg(
        decodeProto(this.typeUrl, () => MsgCancelUnbondingDelegation.decode(value)),
        prefix,
      );
    },
    async handle(ctx, { del: d, val, raw }) {
      const amount = wireCoin(raw.amount);
      if (!amount || amount.amount === 0n) throw errInvalidRequest("invalid amount");
      if (raw.creationHeight <= 0n) throw errInvalidRequest("invalid height");
      checkDenom(amount.denom, await k.bondDenom(ctx.store));
      const v = await k.mustGetValidator(ctx.store, val);
      if (invalidExRate(v)) throw errDelegatorShareExRateInvalid();
      if (v.jailed) throw errValidatorJailed();
      const ubd = await k.getUnbondingDelegation(ctx.store, d, val);
      if (!ubd) {
        throw errNotFound(
          `unbonding delegation with delegator ${raw.delegatorAddress} not found for validator ${raw.validatorAddress}`,
        );
      }
      const i = ubd.entries.findIndex((e) => BigInt(e.creationHeight) === raw.creationHeight);
      if (i < 0)
        throw errNotFound(`unbonding delegation entry is not found at block height ${raw.creationHeight}`);
      const entry = ubd.entries[i]!;
      if (entry.balance < amount.amount) {
        throw errInvalidRequest("amount is greater than the unbonding delegation entry balance");
      }
      if (entry.completionTime < ctx.block.time)
        throw errInvalidRequest("unbonding delegation is already processed");
      // Delegate back from the not-bonded pool (source "unbonding").
      await delegate(k, ctx, d, amount.amount, "unbonding", v, false);
      const left = entry.balance - amount.amount;
      const entries = [...ubd.entries];
      if (left === 0n) entries.splice(i, 1);
      else entries[i] = { ...entry, balance: left, initialBalance: entry.initialBalance - amount.amount };
      if (entries.length === 0) k.removeUnbondingDelegation(ctx.store, ubd);
      else k.setUnbondingDelegation(ctx.store, { ...ubd, entries });
      ctx.events.push(
        event("cancel_unbonding_delegation", [
          ["validator", raw.validatorAddress],
          ["delegator", raw.delegatorAddress],
          ["amount", `${amount.amount}${amount.denom}`],
          ["creation_height", raw.creationHeight.toString()],
        ]),
      );
      return response(
        "MsgCancelUnbondingDelegationResponse",
        MsgCancelUnbondingDelegationResponse.encode({}).finish(),
      );
    },
  };

  const updateParams: MsgRoute<MsgUpdateParams> = {
    typeUrl: `${STAKING_TYPE}MsgUpdateParams`,
    module: "staking",
    decode(value, prefix) {
      const raw = decodeProto(this.typeUrl, () => MsgUpdateParams.decode(value));
      addressBytes(raw.authority, prefix, "authority");
      return { signer: raw.authority, msg: raw };
    },
    async handle(ctx, raw) {
      const authority = bech32Address(moduleAddress("gov"), k.prefix);
      if (raw.authority !== authority) {
        throw errGovInvalidSigner(`invalid authority; expected ${authority}, got ${raw.authority}`);
      }
      const p = paramsFromProto(raw.params);
      validateParams(p);
      k.setParams(ctx.store, p);
      return response("MsgUpdateParamsResponse", MsgUpdateParamsResponse.encode({}).finish());
    },
  };

  return [msgRoute(del), msgRoute(undel), msgRoute(redel), msgRoute(cancel), msgRoute(updateParams)];
}
