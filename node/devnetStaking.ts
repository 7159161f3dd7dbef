import type { GenesisDoc } from "./genesis.ts";
import { addGenesisAccount, DEFAULT_BECH32_PREFIX } from "./genesisAccounts.ts";
import { buildGentx } from "./gentx.ts";
import { homePaths } from "./home.ts";
import { Keyring } from "./keyring.ts";
import { loadValidatorKey } from "./keys.ts";

/** The validator operator key of a devnet node, kept as "validator" in that node's test keyring. */
export const DEVNET_OPERATOR_KEY = "validator";
/** What each devnet operator holds at genesis and self-bonds (power = self-bond / 10^6). */
export const DEVNET_OPERATOR_FUNDS = 200_000_000_000n;
export const DEVNET_SELF_BOND = 100_000_000_000n;

/**
 * The provider module parameters of devnets: periods of minutes rather than weeks, so unbonding, jailing
 * and proposals can be watched while the devnet runs. The unbonding time is an hour, not a minute,
 * because it also sets the trusting period (x 0.66, about 40 minutes) of each consumer's light client of
 * the provider: a devnet stopped for longer than that cannot resume its CCV channels.
 * Interchain security: a validator set change packet every 5 blocks, and a slash meter that lets every
 * downtime slash packet through (the whole power, replenished every 10 s).
 */
export const DEVNET_MODULE_PARAMS: Record<string, unknown> = {
  staking: { params: { unbonding_time: "3600s", max_validators: 100, bond_denom: "stake" } },
  slashing: {
    params: {
      signed_blocks_window: "100",
      min_signed_per_window: "0.500000000000000000",
      downtime_jail_duration: "60s",
      slash_fraction_double_sign: "0.050000000000000000",
      slash_fraction_downtime: "0.010000000000000000",
    },
  },
  gov: {
    params: {
      min_deposit: [{ denom: "stake", amount: "10000000" }],
      max_deposit_period: "120s",
      voting_period: "60s",
      expedited_voting_period: "30s",
    },
  },
  mint: { params: { mint_denom: "stake" } },
  provider: {
    params: {
      blocks_per_epoch: "5",
      slash_meter_replenish_period: "10s",
      slash_meter_replenish_fraction: "1.0",
    },
  },
};

/** An operator as recorded in devnet.json. */
export interface DevnetOperatorRecord {
  readonly address: string;
  readonly mnemonic: string;
}

/**
 * Makes each node a staking validator as operators do it with gaiad: a "validator" key in the node's
 * keyring, funded in genesis, a gentx self-bonding DEVNET_SELF_BOND with the node's consensus key, all
 * gentxs collected into app_state.genutil.gen_txs, and genesis.json's own validator list emptied (the
 * staking module supplies the set at InitChain).
 */
export async function addDevnetValidators(
  genesis: GenesisDoc,
  nodes: readonly { readonly name: string; readonly home: string }[],
): Promise<{ genesis: GenesisDoc; operators: DevnetOperatorRecord[] }> {
  let doc: GenesisDoc = {
    ...genesis,
    validators: [],
    appState: { ...(genesis.appState as Record<string, unknown>), ...DEVNET_MODULE_PARAMS },
  };
  const operators: DevnetOperatorRecord[] = [];
  const txs: string[] = [];
  for (const n of nodes) {
    const keyring = new Keyring({ home: n.home, backend: "test", prefix: DEFAULT_BECH32_PREFIX });
    if (keyring.has(DEVNET_OPERATOR_KEY)) keyring.delete(DEVNET_OPERATOR_KEY);
    const k = await keyring.add(DEVNET_OPERATOR_KEY);
    doc = addGenesisAccount(doc, k.address, [{ denom: "stake", amount: DEVNET_OPERATOR_FUNDS }]);
    const consensus = loadValidatorKey(homePaths(n.home).privValidatorKey);
    const tx = await buildGentx({
      chainId: doc.chainId,
      accountPrefix: DEFAULT_BECH32_PREFIX,
      signer: await keyring.signer(DEVNET_OPERATOR_KEY),
      address: k.address,
      consensusPubKey: consensus.keyPair.publicKey,
      amount: { denom: "stake", amount: DEVNET_SELF_BOND },
      moniker: n.name,
    });
    txs.push(Buffer.from(tx).toString("base64"));
    operators.push({ address: k.address, mnemonic: k.mnemonic });
  }
  const appState = doc.appState as Record<string, unknown>;
  doc = { ...doc, appState: { ...appState, genutil: { gen_txs: txs } } };
  return { genesis: doc, operators };
}
