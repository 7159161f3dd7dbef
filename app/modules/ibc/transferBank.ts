/**
 * ICS-20's bank over the app's BankKeeper: user accounts are this chain's bech32 addresses, escrow
 * accounts the plain 20-byte addresses of ibc/'s `escrowAddress`, vouchers are minted into and burned
 * from the "transfer" module account (permissions minter and burner), and denom traces live in state
 * under "ibc/transfer/denomTraces/<HASH>" (provable, like the rest of the packet layer).
 */
import { DenomTrace as DenomTraceProto } from "cosmjs-types/ibc/applications/transfer/v1/denomtrace";
import type { Event } from "../../../consensus/index.ts";
import { type DenomTrace, denomHash, fullDenomPath, type TransferBank } from "../../../ibc/index.ts";
import { utf8 } from "../../../utils/index.ts";
import { addressBytes } from "../../address.ts";
import type { Coin } from "../../coins.ts";
import type { AppStore } from "../../store.ts";
import type { AuthKeeper } from "../auth.ts";
import { type BankKeeper, prefixEnd } from "../bank.ts";
import { denominationTraceEvent } from "./events.ts";

/** The module account that mints and burns vouchers (ibc-go's transfer module account). */
export const TRANSFER_MODULE = "transfer";
/** Its permissions. */
export const TRANSFER_MODULE_PERMISSIONS: readonly string[] = ["minter", "burner"];

const TRACE_PREFIX = "ibc/transfer/denomTraces/";

/** The state key of the denom trace whose hash (uppercase hex) is `hash`. */
export function denomTraceKey(hash: string): Uint8Array {
  return utf8(`${TRACE_PREFIX}${hash}`);
}

/** Every recorded denom trace, in hash order. */
export async function allDenomTraces(store: AppStore): Promise<DenomTrace[]> {
  const gte = utf8(TRACE_PREFIX);
  const out: DenomTrace[] = [];
  for await (const [, v] of store.iterate({ gte, lt: prefixEnd(gte) })) out.push(decodeTrace(v));
  return out;
}

/** The trace recorded under `hash`, or undefined. */
export async function readDenomTrace(store: AppStore, hash: string): Promise<DenomTrace | undefined> {
  const v = await store.get(denomTraceKey(hash));
  return v === undefined ? undefined : decodeTrace(v);
}

function decodeTrace(v: Uint8Array): DenomTrace {
  const t = DenomTraceProto.decode(v);
  return { path: t.path, baseDenom: t.baseDenom };
}

/**
 * A TransferBank bound to one message's store and event list (the TransferApp it serves is built per
 * message). Moves go through the BankKeeper, so they emit the SDK's coin events and keep supply right.
 */
export class AppTransferBank implements TransferBank {
  private readonly auth: AuthKeeper;
  private readonly bank: BankKeeper;
  private readonly store: AppStore;
  private readonly events: Event[];

  constructor(auth: AuthKeeper, bank: BankKeeper, store: AppStore, events: Event[]) {
    this.auth = auth;
    this.bank = bank;
    this.store = store;
    this.events = events;
  }

  private address(account: string): Uint8Array {
    return addressBytes(account, this.bank.prefix, "address");
  }

  async balance(account: string, denom: string): Promise<bigint> {
    return this.bank.balance(this.store, this.address(account), denom);
  }

  async escrowBalance(escrow: Uint8Array, denom: string): Promise<bigint> {
    return this.bank.balance(this.store, escrow, denom);
  }

  /** False for anything but a bech32 address of this chain, and for blocked and module accounts. */
  async canReceive(account: string): Promise<boolean> {
    let addr: Uint8Array;
    try {
      addr = this.address(account);
      this.bank.checkNotBlocked(addr);
    } catch {
      return false;
    }
    return (await this.auth.getAccount(this.store, addr))?.module === undefined;
  }

  async sendToEscrow(from: string, escrow: Uint8Array, denom: string, amount: bigint): Promise<void> {
    await this.bank.send(this.store, this.address(from), escrow, coins(denom, amount), this.events);
  }

  async sendFromEscrow(escrow: Uint8Array, to: string, denom: string, amount: bigint): Promise<void> {
    await this.bank.send(this.store, escrow, this.address(to), coins(denom, amount), this.events);
  }

  async mintVoucher(to: string, denom: string, amount: bigint): Promise<void> {
    const c = coins(denom, amount);
    await this.bank.mintCoins(this.store, TRANSFER_MODULE, c, this.events);
    await this.bank.sendFromModuleToAccount(this.store, TRANSFER_MODULE, this.address(to), c, this.events);
  }

  async burnFromAccount(from: string, denom: string, amount: bigint): Promise<void> {
    const c = coins(denom, amount);
    await this.bank.sendFromAccountToModule(this.store, this.address(from), TRANSFER_MODULE, c, this.events);
    await this.bank.burnCoins(this.store, TRANSFER_MODULE, c, this.events);
  }

  async getDenomTrace(hash: string): Promise<DenomTrace | undefined> {
    return readDenomTrace(this.store, hash);
  }

  async setDenomTrace(trace: DenomTrace): Promise<void> {
    const value = DenomTraceProto.encode({ path: trace.path, baseDenom: trace.baseDenom }).finish();
    const hash = denomHash(fullDenomPath(trace));
    this.store.set(denomTraceKey(hash), value);
    this.events.push(denominationTraceEvent(hash, `ibc/${hash}`));
  }
}

function coins(denom: string, amount: bigint): Coin[] {
  return [{ denom, amount }];
}
