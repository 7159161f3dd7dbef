import type { Event } from "../../consensus/index.ts";
import { utf8 } from "../../utils/index.ts";
import { bech32Address } from "../address.ts";
import { type Coin, formatCoins, parseAmount } from "../coins.ts";
import { errInsufficientFunds, errUnauthorized } from "../errors.ts";
import { event } from "../events.ts";
import type { AppStore } from "../store.ts";
import { type AuthKeeper, moduleAddress } from "./auth.ts";

const BALANCE_PREFIX = utf8("bal/");
const SUPPLY_PREFIX = utf8("supply/");

/** `bal/ | len(addr) | addr | denom`: an account's balances are one contiguous, denom-sorted range. */
export function balanceKey(address: Uint8Array, denom: string): Uint8Array {
  return Buffer.concat([BALANCE_PREFIX, Uint8Array.of(address.length), address, utf8(denom)]);
}

export function balancesPrefix(address: Uint8Array): Uint8Array {
  return Buffer.concat([BALANCE_PREFIX, Uint8Array.of(address.length), address]);
}

export function supplyKey(denom: string): Uint8Array {
  return Buffer.concat([SUPPLY_PREFIX, utf8(denom)]);
}

/** The exclusive upper bound of every key starting with `prefix`. */
export function prefixEnd(prefix: Uint8Array): Uint8Array {
  const end = Uint8Array.from(prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i]! < 0xff) {
      end[i]!++;
      return end.slice(0, i + 1);
    }
  }
  return new Uint8Array();
}

const decodeAmount = (raw: Uint8Array | undefined): bigint =>
  raw ? parseAmount(Buffer.from(raw).toString("utf8")) : 0n;

/** x/bank's keeper: balances, total supply and sends, with the SDK 0.50 events. */
export class BankKeeper {
  private readonly auth: AuthKeeper;
  private readonly blocked: Set<string>;
  /** Module name to permissions (`minter`, `burner`, `staking`), as the SDK's maccPerms. */
  private readonly modulePerms = new Map<string, readonly string[]>();

  constructor(auth: AuthKeeper, blockedAddresses: readonly Uint8Array[]) {
    this.auth = auth;
    this.blocked = new Set(blockedAddresses.map((a) => Buffer.from(a).toString("hex")));
  }

  /**
   * Declares a module account: its address may not receive user sends, and it may mint or burn only
   * with the `minter`/`burner` permission. Call before the chain starts (app assembly).
   */
  registerModule(name: string, permissions: readonly string[] = []): void {
    this.modulePerms.set(name, permissions);
    this.blocked.add(Buffer.from(moduleAddress(name)).toString("hex"));
  }

  private async moduleAddr(store: AppStore, name: string, perm?: string): Promise<Uint8Array> {
    const perms = this.modulePerms.get(name);
    if (!perms) throw new Error(`module account ${name} is not registered`);
    if (perm && !perms.includes(perm)) {
      throw errUnauthorized(
        `module account ${name} does not have permissions to ${perm === "minter" ? "mint" : "burn"} tokens`,
      );
    }
    return (await this.auth.moduleAccount(store, name, perms)).address;
  }

  /** Mints coins into a module account (the SDK's MintCoins): balance and supply grow. */
  async mintCoins(store: AppStore, module: string, coins: readonly Coin[], events: Event[]): Promise<void> {
    const addr = await this.moduleAddr(store, module, "minter");
    for (const c of coins) {
      this.setBalance(store, addr, c.denom, (await this.balance(store, addr, c.denom)) + c.amount);
      store.set(supplyKey(c.denom), utf8(((await this.supplyOf(store, c.denom)) + c.amount).toString()));
    }
    const who = bech32Address(addr, this.prefix);
    events.push(
      event("coin_received", [
        ["receiver", who],
        ["amount", formatCoins(coins)],
      ]),
      event("coinbase", [
        ["minter", who],
        ["amount", formatCoins(coins)],
      ]),
    );
  }

  /** Burns coins held by a module account (the SDK's BurnCoins): balance and supply shrink. */
  async burnCoins(store: AppStore, module: string, coins: readonly Coin[], events: Event[]): Promise<void> {
    const addr = await this.moduleAddr(store, module, "burner");
    await this.subCoins(store, addr, coins, events);
    for (const c of coins) {
      store.set(supplyKey(c.denom), utf8(((await this.supplyOf(store, c.denom)) - c.amount).toString()));
    }
    events.push(
      event("burn", [
        ["burner", bech32Address(addr, this.prefix)],
        ["amount", formatCoins(coins)],
      ]),
    );
  }

  async sendFromModuleToAccount(
    store: AppStore,
    module: string,
    to: Uint8Array,
    coins: readonly Coin[],
    events: Event[],
  ): Promise<void> {
    if (coins.length === 0) return;
    await this.send(store, await this.moduleAddr(store, module), to, coins, events);
  }

  async sendFromAccountToModule(
    store: AppStore,
    from: Uint8Array,
    module: string,
    coins: readonly Coin[],
    events: Event[],
  ): Promise<void> {
    if (coins.length === 0) return;
    await this.send(store, from, await this.moduleAddr(store, module), coins, events);
  }

  async sendFromModuleToModule(
    store: AppStore,
    from: string,
    to: string,
    coins: readonly Coin[],
    events: Event[],
  ): Promise<void> {
    if (coins.length === 0) return;
    await this.send(
      store,
      await this.moduleAddr(store, from),
      await this.moduleAddr(store, to),
      coins,
      events,
    );
  }

  /** The address of a registered module account. */
  moduleAddress(name: string): Uint8Array {
    return moduleAddress(name);
  }

  get prefix(): string {
    return this.auth.prefix;
  }

  async balance(store: AppStore, address: Uint8Array, denom: string): Promise<bigint> {
    return decodeAmount(await store.get(balanceKey(address, denom)));
  }

  /** Every non-zero balance of an account, sorted by denom. */
  async allBalances(store: AppStore, address: Uint8Array): Promise<Coin[]> {
    const prefix = balancesPrefix(address);
    const out: Coin[] = [];
    for await (const [k, v] of store.iterate({ gte: prefix, lt: prefixEnd(prefix) })) {
      out.push({ denom: Buffer.from(k.subarray(prefix.length)).toString("utf8"), amount: decodeAmount(v) });
    }
    return out.filter((c) => c.amount > 0n);
  }

  private setBalance(store: AppStore, address: Uint8Array, denom: string, amount: bigint): void {
    if (amount === 0n) store.delete(balanceKey(address, denom));
    else store.set(balanceKey(address, denom), utf8(amount.toString()));
  }

  async supplyOf(store: AppStore, denom: string): Promise<bigint> {
    return decodeAmount(await store.get(supplyKey(denom)));
  }

  async totalSupply(store: AppStore): Promise<Coin[]> {
    const out: Coin[] = [];
    for await (const [k, v] of store.iterate({ gte: SUPPLY_PREFIX, lt: prefixEnd(SUPPLY_PREFIX) })) {
      out.push({
        denom: Buffer.from(k.subarray(SUPPLY_PREFIX.length)).toString("utf8"),
        amount: decodeAmount(v),
      });
    }
    return out.filter((c) => c.amount > 0n);
  }

  /** Creates coins out of nothing (genesis only): the balance and the supply grow together. */
  async mint(store: AppStore, address: Uint8Array, coins: readonly Coin[]): Promise<void> {
    for (const c of coins) {
      this.setBalance(store, address, c.denom, (await this.balance(store, address, c.denom)) + c.amount);
      store.set(supplyKey(c.denom), utf8(((await this.supplyOf(store, c.denom)) + c.amount).toString()));
    }
  }

  private async subCoins(
    store: AppStore,
    from: Uint8Array,
    coins: readonly Coin[],
    events: Event[],
  ): Promise<void> {
    for (const c of coins) {
      const have = await this.balance(store, from, c.denom);
      if (have < c.amount) {
        throw errInsufficientFunds(
          `spendable balance ${have}${c.denom} is smaller than ${c.amount}${c.denom}`,
        );
      }
      this.setBalance(store, from, c.denom, have - c.amount);
    }
    events.push(
      event("coin_spent", [
        ["spender", bech32Address(from, this.prefix)],
        ["amount", formatCoins(coins)],
      ]),
    );
  }

  private async addCoins(
    store: AppStore,
    to: Uint8Array,
    coins: readonly Coin[],
    events: Event[],
  ): Promise<void> {
    for (const c of coins) {
      this.setBalance(store, to, c.denom, (await this.balance(store, to, c.denom)) + c.amount);
    }
    events.push(
      event("coin_received", [
        ["receiver", bech32Address(to, this.prefix)],
        ["amount", formatCoins(coins)],
      ]),
    );
  }

  /** Refuses module accounts as recipients of user sends (the SDK's BlockedAddr check). */
  checkNotBlocked(to: Uint8Array): void {
    if (this.blocked.has(Buffer.from(to).toString("hex"))) {
      throw errUnauthorized(`${bech32Address(to, this.prefix)} is not allowed to receive funds`);
    }
  }

  /** Moves coins (the SDK's SendCoins): coin_spent, coin_received, transfer, message{sender}. */
  async send(
    store: AppStore,
    from: Uint8Array,
    to: Uint8Array,
    coins: readonly Coin[],
    events: Event[],
  ): Promise<void> {
    await this.subCoins(store, from, coins, events);
    await this.addCoins(store, to, coins, events);
    const sender = bech32Address(from, this.prefix);
    events.push(
      event("transfer", [
        ["recipient", bech32Address(to, this.prefix)],
        ["sender", sender],
        ["amount", formatCoins(coins)],
      ]),
      event("message", [["sender", sender]]),
    );
    if (!(await this.auth.hasAccount(store, to))) await this.auth.newAccount(store, to);
  }

  /** InputOutputCoins for MsgMultiSend: one input, many outputs. */
  async multiSend(
    store: AppStore,
    input: { address: Uint8Array; coins: readonly Coin[] },
    outputs: readonly { address: Uint8Array; coins: readonly Coin[] }[],
    events: Event[],
  ): Promise<void> {
    await this.subCoins(store, input.address, input.coins, events);
    const sender = bech32Address(input.address, this.prefix);
    events.push(event("message", [["sender", sender]]));
    for (const o of outputs) {
      await this.addCoins(store, o.address, o.coins, events);
      events.push(
        event("transfer", [
          ["recipient", bech32Address(o.address, this.prefix)],
          ["sender", sender],
          ["amount", formatCoins(o.coins)],
        ]),
      );
      if (!(await this.auth.hasAccount(store, o.address))) await this.auth.newAccount(store, o.address);
    }
  }
}
