/**
 * A TransferBank for tests that keeps balances, supply and denom traces in the chain's Merkle tree, so
 * "nothing changed" checks (the tree's working hash) cover the bank too.
 */
import {
  type DenomTrace,
  denomHash,
  fullDenomPath,
  type IbcStore,
  type TransferBank,
} from "../../../../ibc/index.ts";
import { fromUtf8, IcsdError, toHex, utf8 } from "../../../../utils/index.ts";

const key = (...parts: string[]) => utf8(parts.join("/"));

export class TreeBank implements TransferBank {
  private readonly store: IbcStore;

  constructor(store: IbcStore) {
    this.store = store;
  }

  private async read(k: Uint8Array): Promise<bigint> {
    const v = await this.store.get(k);
    return v === undefined ? 0n : BigInt(fromUtf8(v));
  }

  private write(k: Uint8Array, n: bigint): void {
    if (n === 0n) this.store.delete(k);
    else this.store.set(k, utf8(n.toString()));
  }

  private async add(account: string, denom: string, delta: bigint): Promise<void> {
    const k = key("bank", "balances", account, denom);
    const next = (await this.read(k)) + delta;
    if (next < 0n) throw new IcsdError("INSUFFICIENT_FUNDS", `${account} has too little ${denom}`);
    this.write(k, next);
  }

  private async changeSupply(denom: string, delta: bigint): Promise<void> {
    const k = key("bank", "supply", denom);
    this.write(k, (await this.read(k)) + delta);
  }

  static escrowAccount(escrow: Uint8Array): string {
    return `escrow:${toHex(escrow)}`;
  }

  /** Genesis funding of a native denom. */
  async fund(account: string, denom: string, amount: bigint): Promise<void> {
    await this.add(account, denom, amount);
    await this.changeSupply(denom, amount);
  }

  async supply(denom: string): Promise<bigint> {
    return this.read(key("bank", "supply", denom));
  }

  async balance(account: string, denom: string): Promise<bigint> {
    return this.read(key("bank", "balances", account, denom));
  }
  async escrowBalance(escrow: Uint8Array, denom: string): Promise<bigint> {
    return this.balance(TreeBank.escrowAccount(escrow), denom);
  }
  async canReceive(account: string): Promise<boolean> {
    return /^[ab]1[a-z0-9]+$/.test(account) && account !== "b1blocked";
  }
  async sendToEscrow(from: string, escrow: Uint8Array, denom: string, amount: bigint): Promise<void> {
    await this.add(from, denom, -amount);
    await this.add(TreeBank.escrowAccount(escrow), denom, amount);
  }
  async sendFromEscrow(escrow: Uint8Array, to: string, denom: string, amount: bigint): Promise<void> {
    await this.add(TreeBank.escrowAccount(escrow), denom, -amount);
    await this.add(to, denom, amount);
  }
  async mintVoucher(to: string, denom: string, amount: bigint): Promise<void> {
    await this.add(to, denom, amount);
    await this.changeSupply(denom, amount);
  }
  async burnFromAccount(from: string, denom: string, amount: bigint): Promise<void> {
    await this.add(from, denom, -amount);
    await this.changeSupply(denom, -amount);
  }
  async getDenomTrace(hash: string): Promise<DenomTrace | undefined> {
    const v = await this.store.get(key("transfer", "denomTraces", hash));
    return v === undefined ? undefined : (JSON.parse(fromUtf8(v)) as DenomTrace);
  }
  async setDenomTrace(trace: DenomTrace): Promise<void> {
    const v = JSON.stringify({ path: trace.path, baseDenom: trace.baseDenom });
    this.store.set(key("transfer", "denomTraces", denomHash(fullDenomPath(trace))), utf8(v));
  }
}
