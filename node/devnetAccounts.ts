import { join } from "node:path";
import { type ClientConfig, defaultClientConfig, writeClientConfig } from "./clientConfig.ts";
import { loadAppConfig, saveAppConfig } from "./config.ts";
import type { GenesisDoc } from "./genesis.ts";
import { addGenesisAccount, DEFAULT_BECH32_PREFIX, withAuthBankDefaults } from "./genesisAccounts.ts";
import { Keyring } from "./keyring.ts";

/** A funded devnet account as recorded in devnet.json (test keys: the mnemonic is not a secret). */
export interface DevnetAccountRecord {
  name: string;
  address: string;
  mnemonic: string;
}

/** The staking and fee denom of devnets. */
export const DEVNET_DENOM = "stake";
/** app.toml `minimum-gas-prices` of every devnet node. */
export const DEVNET_MIN_GAS_PRICES = "0.0025stake";
const NAMES = ["faucet", "alice", "bob", "carol"];
const FAUCET_AMOUNT = 1_000_000_000_000n;
const USER_AMOUNT = 10_000_000_000n;

/** Name of the i-th devnet account: faucet, alice, bob, carol, then account4, account5... */
export function devnetAccountName(i: number): string {
  return NAMES[i] ?? `account${i}`;
}

/**
 * Creates `count` accounts with fresh mnemonics in the test keyring of `keyringHome` and funds them in
 * `genesis` (the faucet with 10^12 stake, the others with 10^10). Returns the genesis and the records.
 */
export async function createDevnetAccounts(
  genesis: GenesisDoc,
  keyringHome: string,
  count: number,
): Promise<{ genesis: GenesisDoc; accounts: DevnetAccountRecord[] }> {
  const keyring = new Keyring({ home: keyringHome, backend: "test", prefix: DEFAULT_BECH32_PREFIX });
  let doc: GenesisDoc = {
    ...genesis,
    appState: withAuthBankDefaults(genesis.appState, DEFAULT_BECH32_PREFIX),
  };
  const accounts: DevnetAccountRecord[] = [];
  const existing = new Set(keyring.list().map((k) => k.name));
  for (let i = 0; i < count; i++) {
    const name = devnetAccountName(i);
    // A half-created devnet (no devnet.json yet) may have left keys behind; a new devnet gets new ones.
    if (existing.has(name)) keyring.delete(name);
    const k = await keyring.add(name);
    const amount = i === 0 ? FAUCET_AMOUNT : USER_AMOUNT;
    doc = addGenesisAccount(doc, k.address, [{ denom: DEVNET_DENOM, amount }]);
    accounts.push({ name: k.name, address: k.address, mnemonic: k.mnemonic });
  }
  return { genesis: doc, accounts };
}

/**
 * Funds existing devnet accounts in another chain's `genesis` with the same amounts (the faucet first,
 * by name) and imports their keys into the test keyring of `keyringHome`.
 */
export async function fundDevnetAccounts(
  genesis: GenesisDoc,
  keyringHome: string,
  accounts: readonly DevnetAccountRecord[],
): Promise<GenesisDoc> {
  const keyring = new Keyring({ home: keyringHome, backend: "test", prefix: DEFAULT_BECH32_PREFIX });
  let doc: GenesisDoc = {
    ...genesis,
    appState: withAuthBankDefaults(genesis.appState, DEFAULT_BECH32_PREFIX),
  };
  for (const a of accounts) {
    if (keyring.has(a.name)) keyring.delete(a.name);
    await keyring.import(a.name, a.mnemonic);
    const amount = a.name === devnetAccountName(0) ? FAUCET_AMOUNT : USER_AMOUNT;
    doc = addGenesisAccount(doc, a.address, [{ denom: DEVNET_DENOM, amount }]);
  }
  return doc;
}

/** Sets a devnet home's app.toml gas price floor to DEVNET_MIN_GAS_PRICES. */
export function setDevnetMinGasPrices(home: string): void {
  const path = join(home, "config", "app.toml");
  saveAppConfig(path, { ...loadAppConfig(path), minimumGasPrices: DEVNET_MIN_GAS_PRICES });
}

/** Writes a devnet home's client.toml: its chain id, its own node's RPC and the test keyring. */
export function writeDevnetClientConfig(home: string, chainId: string, rpcPort: number): void {
  const cfg: ClientConfig = {
    ...defaultClientConfig,
    chainId,
    node: `tcp://127.0.0.1:${rpcPort}`,
    keyringBackend: "test",
    bech32Prefix: DEFAULT_BECH32_PREFIX,
    gasPrices: DEVNET_MIN_GAS_PRICES,
  };
  writeClientConfig(home, cfg);
}
