import { existsSync, mkdirSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import {
  buildGentx,
  collectGentxs,
  cometNodeId,
  DEFAULT_COMMISSION,
  formatCoins,
  genesisBalance,
  genesisBech32Prefix,
  gentxFileJson,
  homePaths,
  loadConfig,
  loadGenesis,
  loadNodeKey,
  loadValidatorKey,
  Prompter,
  readGentxFile,
  valoperAddress,
  writeFileAtomic,
} from "../node/index.ts";
import { IcsdError } from "../utils/index.ts";
import { withExample, withHome } from "./common.ts";
import { openKeyring, withKeyringBackend } from "./keys.ts";
import { parseOneCoin } from "./tx.ts";
import { parseConsensusPubKey } from "./txStaking.ts";

interface GentxFlags {
  readonly home: string;
  readonly keyringBackend?: string;
  readonly chainId?: string;
  readonly moniker?: string;
  readonly pubkey?: string;
  readonly commissionRate: string;
  readonly commissionMaxRate: string;
  readonly commissionMaxChangeRate: string;
  readonly minSelfDelegation: string;
  readonly identity?: string;
  readonly website?: string;
  readonly securityContact?: string;
  readonly details?: string;
  readonly note: string;
  readonly outputDocument?: string;
}

const FLOW_HELP = `
A genesis made of genesis transactions (as gaiad):
  $ icsd init node0 --chain-id provider-1 --home ./n0
  $ icsd keys add val0 --home ./n0
  $ icsd genesis add-account val0 100000000stake --home ./n0
  $ icsd genesis gentx val0 50000000stake --chain-id provider-1 --home ./n0
  (copy other validators' config/gentx/*.json into ./n0/config/gentx, after adding their accounts)
  $ icsd genesis collect-gentxs --home ./n0`;

async function gentxAction(keyName: string, amountText: string, opts: GentxFlags): Promise<void> {
  const paths = homePaths(opts.home);
  const doc = loadGenesis(paths.genesis);
  if (opts.chainId !== undefined && opts.chainId !== doc.chainId) {
    throw new IcsdError(
      "CHAIN_ID_MISMATCH",
      `--chain-id ${opts.chainId} does not match the genesis chain id ${doc.chainId} (${paths.genesis})`,
    );
  }
  const amount = parseOneCoin(amountText, "amount");
  const consensusPubKey =
    opts.pubkey !== undefined
      ? parseConsensusPubKey(opts.pubkey)
      : loadValidatorKey(paths.privValidatorKey).pubKey;
  const prefix = genesisBech32Prefix(doc);
  const keyring = openKeyring(opts, new Prompter(), undefined, prefix);
  const key = keyring.find(keyName);
  const have = genesisBalance(doc, key.address, amount.denom);
  if (have < amount.amount) {
    throw new IcsdError(
      "INSUFFICIENT_FUNDS",
      `account ${key.address} has ${have}${amount.denom} in genesis, less than ${formatCoins([amount])}: add it with \`icsd genesis add-account\` first`,
    );
  }
  const configMoniker = existsSync(paths.configToml) ? loadConfig(paths.configToml).moniker : "";
  const moniker = opts.moniker ?? (configMoniker || key.name);
  const tx = await buildGentx({
    chainId: doc.chainId,
    accountPrefix: prefix,
    signer: await keyring.signer(key.name),
    address: key.address,
    consensusPubKey,
    amount,
    moniker,
    identity: opts.identity,
    website: opts.website,
    securityContact: opts.securityContact,
    details: opts.details,
    commission: {
      rate: opts.commissionRate,
      maxRate: opts.commissionMaxRate,
      maxChangeRate: opts.commissionMaxChangeRate,
    },
    minSelfDelegation: opts.minSelfDelegation,
    memo: opts.note,
  });
  const id = existsSync(paths.nodeKey) ? cometNodeId(loadNodeKey(paths.nodeKey)) : moniker;
  let out = opts.outputDocument;
  if (out === undefined) {
    const dir = join(paths.configDir, "gentx");
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    out = join(dir, `gentx-${id}.json`);
  }
  writeFileAtomic(out, `${JSON.stringify(gentxFileJson(tx, doc.chainId, prefix), null, 2)}\n`, 0o644);
  process.stderr.write(
    `Genesis transaction of validator ${valoperAddress(key.address)} (${formatCoins([amount])}) written to "${out}"\n`,
  );
}

function registerGentxCommand(genesis: Command): void {
  const cmd = genesis
    .command("gentx")
    .description(
      "Sign a genesis transaction creating this node's validator (MsgCreateValidator self-delegating <amount>)",
    )
    .argument("<key-name>", "the keyring key of the validator operator (funded in genesis)")
    .argument("<amount>", "the self-delegation, e.g. 50000000stake")
    .option("--chain-id <id>", "must equal the genesis chain id")
    .option("--moniker <name>", "the validator's name (default: config.toml moniker)")
    .option("--pubkey <key>", "consensus key (default: config/priv_validator_key.json)")
    .option("--commission-rate <dec>", "initial commission rate", DEFAULT_COMMISSION.rate)
    .option("--commission-max-rate <dec>", "maximum commission rate", DEFAULT_COMMISSION.maxRate)
    .option(
      "--commission-max-change-rate <dec>",
      "maximum daily commission change",
      DEFAULT_COMMISSION.maxChangeRate,
    )
    .option("--min-self-delegation <n>", "minimum self-delegation", "1")
    .option("--identity <id>", "identity signature (e.g. a keybase.io id)")
    .option("--website <url>", "the validator's website")
    .option("--security-contact <email>", "security contact email")
    .option("--details <text>", "the validator's description")
    .option("--note <memo>", "memo of the genesis transaction", "")
    .option("--output-document <file>", "write here instead of config/gentx/gentx-<node-id>.json");
  withKeyringBackend(withHome(cmd));
  withExample(
    cmd,
    "icsd genesis gentx val0 50000000stake --chain-id provider-1",
    "icsd genesis gentx val1 50000000stake --chain-id provider-1 --home ./n1 --commission-rate 0.05 --moniker val1",
  );
  cmd.addHelpText("after", FLOW_HELP);
  cmd.action(gentxAction);
}

function registerCollectCommand(genesis: Command): void {
  const cmd = genesis
    .command("collect-gentxs")
    .description(
      "Put every genesis transaction of the gentx directory into genesis.json (app_state.genutil.gen_txs); the staking module then supplies the validator set",
    )
    .option("--gentx-dir <dir>", "directory of gentx-*.json files (default: <home>/config/gentx)");
  withHome(cmd);
  withExample(
    cmd,
    "icsd genesis collect-gentxs",
    "icsd genesis collect-gentxs --gentx-dir ./gentxs --home ./n0",
  );
  cmd.addHelpText("after", FLOW_HELP);
  cmd.action((opts: { home: string; gentxDir?: string }) => {
    const paths = homePaths(opts.home);
    const dir = opts.gentxDir ?? join(paths.configDir, "gentx");
    if (!existsSync(dir) || !statSync(dir).isDirectory())
      throw new IcsdError(
        "GENTX_DIR_NOT_FOUND",
        `no gentx directory at ${dir}: run \`icsd genesis gentx\` first`,
      );
    const files = readdirSync(dir)
      .filter((f) => f.endsWith(".json"))
      .sort();
    if (files.length === 0) throw new IcsdError("GENTX_INVALID", `no *.json gentx files in ${dir}`);
    const txs = files.map((f) => readGentxFile(join(dir, f)));
    collectGentxs(paths.genesis, txs, files);
    process.stdout.write(
      `collected ${files.length} genesis transaction(s) from ${dir} into ${paths.genesis}\n`,
    );
  });
}

/** `icsd genesis gentx` and `icsd genesis collect-gentxs` (the logic is in node/gentx.ts). */
export function registerGentx(genesis: Command): void {
  registerGentxCommand(genesis);
  registerCollectCommand(genesis);
}
