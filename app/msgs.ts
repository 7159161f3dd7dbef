import {
  MsgMultiSend,
  MsgMultiSendResponse,
  MsgSend,
  MsgSendResponse,
} from "cosmjs-types/cosmos/bank/v1beta1/tx";
import type { Any } from "cosmjs-types/google/protobuf/any";
import type { Event } from "../consensus/index.ts";
import { addressBytes } from "./address.ts";
import { addCoins, type Coin, coinsFromWire } from "./coins.ts";
import {
  errInputOutputMismatch,
  errInvalidCoins,
  errNoInputs,
  errNoOutputs,
  errTxDecode,
  SdkError,
} from "./errors.ts";
import type { BankKeeper } from "./modules/bank.ts";
import type { AppStore } from "./store.ts";

/** A message decoded and validated statelessly (the SDK's ValidateBasic), ready to route. */
export type DecodedMsg =
  | {
      readonly typeUrl: "/cosmos.bank.v1beta1.MsgSend";
      readonly module: "bank";
      readonly signer: string;
      readonly from: Uint8Array;
      readonly to: Uint8Array;
      readonly amount: readonly Coin[];
    }
  | {
      readonly typeUrl: "/cosmos.bank.v1beta1.MsgMultiSend";
      readonly module: "bank";
      readonly signer: string;
      readonly input: { readonly address: Uint8Array; readonly coins: readonly Coin[] };
      readonly outputs: readonly { readonly address: Uint8Array; readonly coins: readonly Coin[] }[];
    };

/** What executing a message needs. */
export interface MsgContext {
  readonly store: AppStore;
  readonly bank: BankKeeper;
  readonly events: Event[];
}

function decodeProto<T>(typeUrl: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw errTxDecode(`invalid ${typeUrl}: ${(e as Error).message}`);
  }
}

function positiveCoins(wire: readonly { denom: string; amount: string }[]): Coin[] {
  const coins = coinsFromWire(wire);
  if (coins.length === 0) throw errInvalidCoins("coins must not be empty");
  return coins;
}

/** Decodes one message by type URL; an unregistered type is a decode error (code 2), as in the SDK. */
export function decodeMsg(any: Any, prefix: string): DecodedMsg {
  switch (any.typeUrl) {
    case "/cosmos.bank.v1beta1.MsgSend": {
      const m = decodeProto(any.typeUrl, () => MsgSend.decode(any.value));
      const from = addressBytes(m.fromAddress, prefix, "from address");
      const to = addressBytes(m.toAddress, prefix, "to address");
      return {
        typeUrl: any.typeUrl,
        module: "bank",
        signer: m.fromAddress,
        from,
        to,
        amount: positiveCoins(m.amount),
      };
    }
    case "/cosmos.bank.v1beta1.MsgMultiSend": {
      const m = decodeProto(any.typeUrl, () => MsgMultiSend.decode(any.value));
      if (m.inputs.length === 0) throw errNoInputs();
      if (m.inputs.length !== 1) throw new SdkError("bank", 9, "multiple senders not allowed");
      if (m.outputs.length === 0) throw errNoOutputs();
      const inWire = m.inputs[0]!;
      const input = {
        address: addressBytes(inWire.address, prefix, "input address"),
        coins: positiveCoins(inWire.coins),
      };
      const outputs = m.outputs.map((o) => ({
        address: addressBytes(o.address, prefix, "output address"),
        coins: positiveCoins(o.coins),
      }));
      const total = outputs.reduce<Coin[]>((acc, o) => addCoins(acc, o.coins), []);
      const sameTotal =
        total.length === input.coins.length &&
        total.every((c, i) => c.denom === input.coins[i]!.denom && c.amount === input.coins[i]!.amount);
      if (!sameTotal) throw errInputOutputMismatch();
      return { typeUrl: any.typeUrl, module: "bank", signer: inWire.address, input, outputs };
    }
    default:
      throw errTxDecode(`unable to resolve type URL ${any.typeUrl || "(empty)"}`);
  }
}

/** Runs a message, returning its response as an Any (for TxMsgData.msg_responses). */
export async function handleMsg(ctx: MsgContext, msg: DecodedMsg): Promise<Any> {
  switch (msg.typeUrl) {
    case "/cosmos.bank.v1beta1.MsgSend":
      ctx.bank.checkNotBlocked(msg.to);
      await ctx.bank.send(ctx.store, msg.from, msg.to, msg.amount, ctx.events);
      return { typeUrl: "/cosmos.bank.v1beta1.MsgSendResponse", value: MsgSendResponse.encode({}).finish() };
    case "/cosmos.bank.v1beta1.MsgMultiSend":
      for (const o of msg.outputs) ctx.bank.checkNotBlocked(o.address);
      await ctx.bank.multiSend(ctx.store, msg.input, msg.outputs, ctx.events);
      return {
        typeUrl: "/cosmos.bank.v1beta1.MsgMultiSendResponse",
        value: MsgMultiSendResponse.encode({}).finish(),
      };
  }
}
