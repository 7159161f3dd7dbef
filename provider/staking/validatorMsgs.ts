import { PubKey as Ed25519PubKey } from "cosmjs-types/cosmos/crypto/ed25519/keys";
import {
  MsgCreateValidator,
  MsgCreateValidatorResponse,
  MsgEditValidator,
  MsgEditValidatorResponse,
} from "cosmjs-types/cosmos/staking/v1beta1/tx";
import {
  addressBytes,
  bech32Address,
  type Coin,
  DEC_ONE,
  type Dec,
  decFromAtomics,
  decodeProto,
  decToString,
  errInvalidPubKey,
  errInvalidRequest,
  event,
  type MsgRoute,
  msgRoute,
} from "../../app/index.ts";
import { equalBytes } from "../../utils/index.ts";
import { valoperBytes } from "./address.ts";
import { ED25519_PUBKEY_TYPE, type ValidatorRecord } from "./codec.ts";
import { updateCommission, validateCommissionRates } from "./commission.ts";
import { delegate } from "./delegation.ts";
import {
  errCommissionLTMinRate,
  errEmptyValidatorPubKey,
  errMinSelfDelegationDecreased,
  errSelfDelegationBelowMinimum,
  errValidatorOwnerExists,
  errValidatorPubKeyExists,
  errValidatorPubKeyTypeNotSupported,
} from "./errors.ts";
import type { StakingKeeperImpl } from "./keeper.ts";
import {
  checkDenom,
  ensureDescriptionLength,
  isEmptyDescription,
  response,
  STAKING_TYPE,
  updateDescription,
  wireCoin,
  wireInt,
} from "./msgUtil.ts";
import { consAddress, type Description } from "./types.ts";

/** MsgCreateValidator and MsgEditValidator (x/staking msg_server.go, SDK 0.50). */

interface CreateValidator {
  readonly operator: Uint8Array;
  readonly raw: MsgCreateValidator;
}

interface EditValidator {
  readonly operator: Uint8Array;
  readonly raw: MsgEditValidator;
}

function description(d: MsgCreateValidator["description"] | undefined): Description {
  return {
    moniker: d?.moniker ?? "",
    identity: d?.identity ?? "",
    website: d?.website ?? "",
    securityContact: d?.securityContact ?? "",
    details: d?.details ?? "",
  };
}

/** MsgCreateValidator.Validate plus the ed25519 key it carries. */
function validateCreate(m: MsgCreateValidator): {
  key: Uint8Array;
  value: Coin;
  minSelf: bigint;
  rates: Dec[];
} {
  if (!m.pubkey) throw errEmptyValidatorPubKey();
  const value = wireCoin(m.value);
  if (!value || value.amount === 0n) throw errInvalidRequest("invalid delegation amount");
  if (isEmptyDescription(description(m.description))) throw errInvalidRequest("empty description");
  const c = m.commission;
  if (!c || (c.rate === "" && c.maxRate === "" && c.maxChangeRate === "")) {
    throw errInvalidRequest("empty commission");
  }
  const rates = [
    decFromAtomics(c.rate, "commission rate"),
    decFromAtomics(c.maxRate, "commission max rate"),
    decFromAtomics(c.maxChangeRate, "commission max change rate"),
  ];
  validateCommissionRates(rates[0]!, rates[1]!, rates[2]!);
  const minSelf = wireInt(m.minSelfDelegation || "0", "minimum self delegation");
  if (minSelf <= 0n) throw errInvalidRequest("minimum self delegation must be a positive integer");
  if (value.amount < minSelf) throw errSelfDelegationBelowMinimum();
  if (m.pubkey.typeUrl !== ED25519_PUBKEY_TYPE) {
    const t = m.pubkey.typeUrl.replace(/^\/cosmos\.crypto\.([a-z0-9]+)\.PubKey$/, "$1");
    throw errValidatorPubKeyTypeNotSupported(`got: ${t}, expected: [ed25519]`);
  }
  let key: Uint8Array;
  try {
    key = Ed25519PubKey.decode(m.pubkey.value).key;
  } catch (e) {
    throw errInvalidPubKey(`invalid ed25519 pubkey: ${(e as Error).message}`);
  }
  if (key.length !== 32) throw errInvalidPubKey(`ed25519 pubkey must be 32 bytes, got ${key.length}`);
  return { key, value, minSelf, rates };
}

/** The staking validator messages, bound to a keeper. */
export function validatorMsgRoutes(k: StakingKeeperImpl): MsgRoute[] {
  const create: MsgRoute<CreateValidator> = {
    typeUrl: `${STAKING_TYPE}MsgCreateValidator`,
    module: "staking",
    decode(value, prefix) {
      const raw = decodeProto(this.typeUrl, () => MsgCreateValidator.decode(value));
      const operator = valoperBytes(raw.validatorAddress, prefix);
      // SDK 0.50 ignores the deprecated delegator_address; icsd still refuses a mismatching one.
      if (raw.delegatorAddress !== "" && !equalBytes(addressBytes(raw.delegatorAddress, prefix), operator)) {
        throw errInvalidRequest("delegator address does not match the validator operator address");
      }
      return { signer: bech32Address(operator, prefix), msg: { operator, raw } };
    },
    async handle(ctx, { operator, raw }) {
      const { key, value, minSelf, rates } = validateCreate(raw);
      const params = await k.params(ctx.store);
      if (rates[0]! < params.minCommissionRate) {
        throw errCommissionLTMinRate(
          `cannot set validator commission to less than minimum rate of ${decToString(params.minCommissionRate)}`,
        );
      }
      if (await k.getValidator(ctx.store, operator)) throw errValidatorOwnerExists();
      if (await k.getValidatorByConsAddr(ctx.store, consAddress(key))) throw errValidatorPubKeyExists();
      checkDenom(value.denom, params.bondDenom);
      const desc = ensureDescriptionLength(description(raw.description));
      // NewValidator, SetInitialCommission, then the min self delegation.
      const v: ValidatorRecord = {
        operator,
        consPubKey: key,
        jailed: false,
        status: "unbonded",
        tokens: 0n,
        delegatorShares: 0n,
        description: desc,
        unbondingHeight: 0,
        unbondingTime: 0n,
        commission: {
          rate: rates[0]!,
          maxRate: rates[1]!,
          maxChangeRate: rates[2]!,
          updateTime: ctx.block.time,
        },
        minSelfDelegation: minSelf,
        unbondingIds: [],
        unbondingOnHoldRefCount: 0n,
      };
      k.setValidator(ctx.store, v);
      k.setValidatorByConsAddr(ctx.store, v);
      k.setPowerIndex(ctx.store, v);
      await k.hooks((h) => h.afterValidatorCreated?.(ctx, operator));
      await delegate(k, ctx, operator, value.amount, "unbonded", v, true);
      ctx.events.push(
        event("create_validator", [
          ["validator", raw.validatorAddress],
          ["amount", `${value.amount}${value.denom}`],
        ]),
      );
      return response("MsgCreateValidatorResponse", MsgCreateValidatorResponse.encode({}).finish());
    },
  };

  const edit: MsgRoute<EditValidator> = {
    typeUrl: `${STAKING_TYPE}MsgEditValidator`,
    module: "staking",
    decode(value, prefix) {
      const raw = decodeProto(this.typeUrl, () => MsgEditValidator.decode(value));
      const operator = valoperBytes(raw.validatorAddress, prefix);
      return { signer: bech32Address(operator, prefix), msg: { operator, raw } };
    },
    async handle(ctx, { operator, raw }) {
      if (isEmptyDescription(description(raw.description))) throw errInvalidRequest("empty description");
      const minSelf =
        raw.minSelfDelegation === "" ? undefined : wireInt(raw.minSelfDelegation, "minimum self delegation");
      if (minSelf !== undefined && minSelf <= 0n) {
        throw errInvalidRequest("minimum self delegation must be a positive integer");
      }
      const params = await k.params(ctx.store);
      const newRate =
        raw.commissionRate === "" ? undefined : decFromAtomics(raw.commissionRate, "commission rate");
      if (newRate !== undefined) {
        if (newRate > DEC_ONE || newRate < 0n) {
          throw errInvalidRequest("commission rate must be between 0 and 1 (inclusive)");
        }
        if (newRate < params.minCommissionRate) {
          throw errInvalidRequest(
            `commission rate cannot be less than the min commission rate ${decToString(params.minCommissionRate)}`,
          );
        }
      }
      let v = await k.mustGetValidator(ctx.store, operator);
      v = { ...v, description: updateDescription(v.description, description(raw.description)) };
      if (newRate !== undefined) {
        const commission = updateCommission(v.commission, newRate, ctx.block.time, params.minCommissionRate);
        // Before the commission changes, so distribution can settle the period.
        await k.hooks((h) => h.beforeValidatorModified?.(ctx, operator));
        v = { ...v, commission };
      }
      if (minSelf !== undefined) {
        if (minSelf <= v.minSelfDelegation) throw errMinSelfDelegationDecreased();
        if (minSelf > v.tokens) throw errSelfDelegationBelowMinimum();
        v = { ...v, minSelfDelegation: minSelf };
      }
      k.setValidator(ctx.store, v);
      ctx.events.push(
        event("edit_validator", [
          ["commission_rate", commissionString(v)],
          ["min_self_delegation", v.minSelfDelegation.toString()],
        ]),
      );
      return response("MsgEditValidatorResponse", MsgEditValidatorResponse.encode({}).finish());
    },
  };
  return [msgRoute(create), msgRoute(edit)];
}

/** Commission.String() (the yaml form the SDK puts in the edit_validator event). */
function commissionString(v: ValidatorRecord): string {
  const c = v.commission;
  return `rate: ${decToString(c.rate)}\nmax_rate: ${decToString(c.maxRate)}\nmax_change_rate: ${decToString(c.maxChangeRate)}\nupdate_time: ${new Date(Number(c.updateTime / 1_000_000n)).toISOString()}\n`;
}
