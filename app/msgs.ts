import {
  MsgMultiSend,
  MsgMultiSendResponse,
  MsgSend,
  MsgSendResponse,
} from "cosmjs-types/cosmos/bank/v1beta1/tx";
import type { Any } from "cosmjs-types/google/protobuf/any";
import { addressBytes } from "./address.ts";
import { addCoins, type Coin, coinsFromWire } from "./coins.ts";
import {
  errInputOutputMismatch,
  errInvalidCoins,
  errNoInputs,
  errNoOutputs,
  errTxDecode,
  errUnauthorized,
  SdkError,
} from "./errors.ts";
import { type ModuleContext, type MsgRoute, msgRoute } from "./module.ts";
import type { BankKeeper } from "./modules/bank.ts";

/** A message decoded and validated statelessly (the SDK's ValidateBasic), ready to route. */
export interface DecodedMsg {
  readonly typeUrl: string;
  readonly module: string;
  /** The bech32 address that must sign. */
  readonly signer: string;
  readonly msg: unknown;
  readonly route: MsgRoute;
}

/** Decodes a protobuf message, turning a decode failure into the SDK's tx parse error (code 2). */
export function decodeProto<T>(typeUrl: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw errTxDecode(`invalid ${typeUrl}: ${(e as Error).message}`);
  }
}

/** Wire coins that must be valid, sorted and positive (a send's amount). */
export function positiveCoins(wire: readonly { denom: string; amount: string }[]): Coin[] {
  const coins = coinsFromWire(wire);
  if (coins.length === 0) throw errInvalidCoins("coins must not be empty");
  return coins;
}

/** The SDK's message router: type URL to route, for decoding transactions and running messages. */
export class MsgRouter {
  private readonly routes = new Map<string, MsgRoute>();
  readonly prefix: string;

  constructor(prefix: string, routes: readonly MsgRoute[]) {
    this.prefix = prefix;
    for (const r of routes) {
      if (this.routes.has(r.typeUrl)) throw new Error(`duplicate message route ${r.typeUrl}`);
      this.routes.set(r.typeUrl, r);
    }
  }

  /** Decodes one message by type URL; an unregistered type is a decode error (code 2), as in the SDK. */
  decode(any: Any): DecodedMsg {
    const route = this.routes.get(any.typeUrl);
    if (!route) throw errTxDecode(`unable to resolve type URL ${any.typeUrl || "(empty)"}`);
    const { signer, msg } = route.decode(any.value, this.prefix);
    return { typeUrl: any.typeUrl, module: route.module, signer, msg, route };
  }

  /** Decodes and runs `any` as signed by `signer` (a module's authority, for gov proposals). */
  async run(ctx: ModuleContext, any: Any, signer: string): Promise<Any> {
    const m = this.decode(any);
    if (m.signer !== signer) {
      throw errUnauthorized(`expected ${signer} as the message signer, got ${m.signer}`);
    }
    return m.route.handle(ctx, m.msg);
  }
}

interface SendMsg {
  readonly from: Uint8Array;
  readonly to: Uint8Array;
  readonly amount: readonly Coin[];
}

interface MultiSendMsg {
  readonly input: { readonly address: Uint8Array; readonly coins: readonly Coin[] };
  readonly outputs: readonly { readonly address: Uint8Array; readonly coins: readonly Coin[] }[];
}

/** x/bank's messages: MsgSend and MsgMultiSend (one input). */
export function bankMsgRoutes(bank: BankKeeper): MsgRoute[] {
  const send: MsgRoute<SendMsg> = {
    typeUrl: "/cosmos.bank.v1beta1.MsgSend",
    module: "bank",
    decode(value, prefix) {
      const m = decodeProto(this.typeUrl, () => MsgSend.decode(value));
      const from = addressBytes(m.fromAddress, prefix, "from address");
      const to = addressBytes(m.toAddress, prefix, "to address");
      return { signer: m.fromAddress, msg: { from, to, amount: positiveCoins(m.amount) } };
    },
    async handle(ctx, msg) {
      bank.checkNotBlocked(msg.to);
      await bank.send(ctx.store, msg.from, msg.to, msg.amount, ctx.events);
      return { typeUrl: "/cosmos.bank.v1beta1.MsgSendResponse", value: MsgSendResponse.encode({}).finish() };
    },
  };
  const multiSend: MsgRoute<MultiSendMsg> = {
    typeUrl: "/cosmos.bank.v1beta1.MsgMultiSend",
    module: "bank",
    decode(value, prefix) {
      const m = decodeProto(this.typeUrl, () => MsgMultiSend.decode(value));
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
      return { signer: inWire.address, msg: { input, outputs } };
    },
    async handle(ctx, msg) {
      for (const o of msg.outputs) bank.checkNotBlocked(o.address);
      await bank.multiSend(ctx.store, msg.input, msg.outputs, ctx.events);
      return {
        typeUrl: "/cosmos.bank.v1beta1.MsgMultiSendResponse",
        value: MsgMultiSendResponse.encode({}).finish(),
      };
    },
  };
  return [msgRoute(send), msgRoute(multiSend)];
}
