import { BaseAccount, ModuleAccount, Params } from "cosmjs-types/cosmos/auth/v1beta1/auth";
import { PubKey } from "cosmjs-types/cosmos/crypto/secp256k1/keys";
import { Any } from "cosmjs-types/google/protobuf/any";
import { sha256 } from "../../crypto/index.ts";
import { utf8 } from "../../utils/index.ts";
import { bech32Address } from "../address.ts";
import type { AppStore } from "../store.ts";

export const BASE_ACCOUNT_TYPE = "/cosmos.auth.v1beta1.BaseAccount";
export const MODULE_ACCOUNT_TYPE = "/cosmos.auth.v1beta1.ModuleAccount";
export const SECP256K1_PUBKEY_TYPE = "/cosmos.crypto.secp256k1.PubKey";
export const FEE_COLLECTOR = "fee_collector";

/** An account as the app works with it (BaseAccount, or a ModuleAccount when `module` is set). */
export interface Account {
  readonly address: Uint8Array;
  /** 33-byte compressed secp256k1 key, unset until the account's first transaction. */
  readonly pubKey?: Uint8Array;
  readonly accountNumber: bigint;
  readonly sequence: bigint;
  readonly module?: { readonly name: string; readonly permissions: readonly string[] };
}

/** x/auth params with the SDK's defaults. */
export interface AuthParams {
  readonly maxMemoCharacters: bigint;
  readonly txSigLimit: bigint;
  readonly txSizeCostPerByte: bigint;
  readonly sigVerifyCostEd25519: bigint;
  readonly sigVerifyCostSecp256k1: bigint;
}

export const defaultAuthParams: AuthParams = {
  maxMemoCharacters: 256n,
  txSigLimit: 7n,
  txSizeCostPerByte: 10n,
  sigVerifyCostEd25519: 590n,
  sigVerifyCostSecp256k1: 1000n,
};

const ACCOUNT_PREFIX = utf8("acc/");
const NEXT_NUMBER_KEY = utf8("auth/next_account_number");
const PARAMS_KEY = utf8("auth/params");

export function accountKey(address: Uint8Array): Uint8Array {
  return Buffer.concat([ACCOUNT_PREFIX, address]);
}

/** The address of a module account: sha256(name)[:20], as the SDK's authtypes.NewModuleAddress. */
export function moduleAddress(name: string): Uint8Array {
  return sha256(utf8(name)).slice(0, 20);
}

/** The account as the SDK's Any (what QueryAccountResponse carries and what the store holds). */
export function encodeAccount(prefix: string, a: Account): Any {
  const base = BaseAccount.fromPartial({
    address: bech32Address(a.address, prefix),
    pubKey: a.pubKey
      ? { typeUrl: SECP256K1_PUBKEY_TYPE, value: PubKey.encode({ key: a.pubKey }).finish() }
      : undefined,
    accountNumber: a.accountNumber,
    sequence: a.sequence,
  });
  if (a.module) {
    const m = ModuleAccount.fromPartial({
      baseAccount: base,
      name: a.module.name,
      permissions: [...a.module.permissions],
    });
    return { typeUrl: MODULE_ACCOUNT_TYPE, value: ModuleAccount.encode(m).finish() };
  }
  return { typeUrl: BASE_ACCOUNT_TYPE, value: BaseAccount.encode(base).finish() };
}

function decodeBase(address: Uint8Array, b: BaseAccount): Account {
  const pubKey = b.pubKey && b.pubKey.value.length > 0 ? PubKey.decode(b.pubKey.value).key : undefined;
  return { address, pubKey, accountNumber: b.accountNumber, sequence: b.sequence };
}

/** x/auth's keeper over a store: accounts, account numbers and params. */
export class AuthKeeper {
  readonly prefix: string;

  constructor(prefix: string) {
    this.prefix = prefix;
  }

  async getAccount(store: AppStore, address: Uint8Array): Promise<Account | undefined> {
    const raw = await store.get(accountKey(address));
    if (!raw) return undefined;
    const any = Any.decode(raw);
    if (any.typeUrl === MODULE_ACCOUNT_TYPE) {
      const m = ModuleAccount.decode(any.value);
      return {
        ...decodeBase(address, m.baseAccount ?? BaseAccount.fromPartial({})),
        module: { name: m.name, permissions: m.permissions },
      };
    }
    return decodeBase(address, BaseAccount.decode(any.value));
  }

  /** The stored Any of an account (for queries), or undefined. */
  async getAccountAny(store: AppStore, address: Uint8Array): Promise<Any | undefined> {
    const raw = await store.get(accountKey(address));
    return raw ? Any.decode(raw) : undefined;
  }

  setAccount(store: AppStore, a: Account): void {
    store.set(accountKey(a.address), Any.encode(encodeAccount(this.prefix, a)).finish());
  }

  async hasAccount(store: AppStore, address: Uint8Array): Promise<boolean> {
    return (await store.get(accountKey(address))) !== undefined;
  }

  /** Takes the next global account number (the SDK's NextAccountNumber). */
  async nextAccountNumber(store: AppStore): Promise<bigint> {
    const raw = await store.get(NEXT_NUMBER_KEY);
    const n = raw ? Buffer.from(raw).readBigUInt64BE(0) : 0n;
    const next = Buffer.alloc(8);
    next.writeBigUInt64BE(n + 1n);
    store.set(NEXT_NUMBER_KEY, next);
    return n;
  }

  /** A new BaseAccount with the next number, stored. */
  async newAccount(store: AppStore, address: Uint8Array): Promise<Account> {
    const a: Account = { address, accountNumber: await this.nextAccountNumber(store), sequence: 0n };
    this.setAccount(store, a);
    return a;
  }

  /**
   * The module account `name` (address sha256(name)[:20]), created on first use with the given
   * permissions (the SDK's GetModuleAccount). A plain account already at that address is converted.
   */
  async moduleAccount(store: AppStore, name: string, permissions: readonly string[] = []): Promise<Account> {
    const address = moduleAddress(name);
    const existing = await this.getAccount(store, address);
    if (existing?.module) return existing;
    const a: Account = {
      address,
      accountNumber: existing ? existing.accountNumber : await this.nextAccountNumber(store),
      sequence: existing?.sequence ?? 0n,
      module: { name, permissions: [...permissions] },
    };
    this.setAccount(store, a);
    return a;
  }

  async getParams(store: AppStore): Promise<AuthParams> {
    const raw = await store.get(PARAMS_KEY);
    if (!raw) return defaultAuthParams;
    const p = Params.decode(raw);
    return {
      maxMemoCharacters: p.maxMemoCharacters,
      txSigLimit: p.txSigLimit,
      txSizeCostPerByte: p.txSizeCostPerByte,
      sigVerifyCostEd25519: p.sigVerifyCostEd25519,
      sigVerifyCostSecp256k1: p.sigVerifyCostSecp256k1,
    };
  }

  setParams(store: AppStore, p: AuthParams): void {
    store.set(PARAMS_KEY, Params.encode(Params.fromPartial(p)).finish());
  }
}
