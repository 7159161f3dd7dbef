import type { StdFee } from "@cosmjs/amino";
import { type EncodeObject, type GeneratedType, Registry } from "@cosmjs/proto-signing";
import type { DeliverTxResponse, MsgSendEncodeObject, SigningStargateClient } from "@cosmjs/stargate";
import { type Command, Option } from "commander";
import { MsgSend } from "cosmjs-types/cosmos/bank/v1beta1/tx";
import {
  type ClientConfig,
  type Coin,
  formatCoins,
  isValidChainId,
  isValidGasPrice,
  loadClientConfig,
  Prompter,
  parseAccountAddress,
  parseCoins,
  rpcHttpUrl,
} from "../node/index.ts";
import { IcsdError } from "../utils/index.ts";
import { printJson, withExample } from "./common.ts";
import { type KeyringFlags, openKeyring, outputFormat, withKeyringBackend } from "./keys.ts";
import { clientError, type NodeFlags, txResultJson, txResultText, withNodeOptions } from "./query.ts";
import { registerDistributionTx } from "./txDistribution.ts";
import { registerGovTx } from "./txGov.ts";
import { registerIbcTransferTx } from "./txIbc.ts";
import { registerSlashingTx } from "./txSlashing.ts";
import { registerStakingTx } from "./txStaking.ts";

/** The flags of a transaction command. */
export interface TxFlags extends NodeFlags, KeyringFlags {
  readonly chainId?: string;
  readonly fees?: string;
  readonly gasPrices?: string;
  readonly gas: string;
  readonly gasAdjustment: string;
  readonly note: string;
  readonly broadcastMode: "sync" | "block";
  readonly yes: boolean;
}

/** How the fee is set: a gas limit (or "auto": simulate x adjustment) priced by fixed fees or a gas price. */
export interface FeePlan {
  readonly gas: "auto" | number;
  readonly adjustment: number;
  readonly fees?: readonly Coin[];
  /** One gas price such as `0.0025stake` (already validated). */
  readonly gasPrice?: string;
}

/** The SDK's default gas limit (client/flags DefaultGasLimit). */
export const DEFAULT_GAS = "200000";

/** Validates the fee flags (client.toml gas-prices is the fallback price); INVALID_ARGUMENT names the flag. */
export function parseFeePlan(flags: TxFlags, cfg: ClientConfig): FeePlan {
  const bad = (msg: string) => new IcsdError("INVALID_ARGUMENT", msg);
  let gas: "auto" | number;
  if (flags.gas === "auto") gas = "auto";
  else if (/^\d+$/.test(flags.gas) && Number(flags.gas) > 0 && Number.isSafeInteger(Number(flags.gas)))
    gas = Number(flags.gas);
  else throw bad(`--gas must be a positive integer or "auto", got ${JSON.stringify(flags.gas)}`);
  const adjustment = Number(flags.gasAdjustment);
  if (!/^\d+(\.\d+)?$/.test(flags.gasAdjustment) || !(adjustment > 0))
    throw bad(`--gas-adjustment must be a positive number, got ${JSON.stringify(flags.gasAdjustment)}`);
  if (flags.fees !== undefined && flags.gasPrices !== undefined)
    throw bad("use either --fees or --gas-prices, not both");
  if (flags.fees !== undefined) return { gas, adjustment, fees: parseCoins(flags.fees) };
  const price = flags.gasPrices ?? cfg.gasPrices;
  if (price === "") return { gas, adjustment, fees: [] };
  if (!isValidGasPrice(price))
    throw bad(`--gas-prices must be one gas price like "0.0025stake", got ${JSON.stringify(price)}`);
  return { gas, adjustment, gasPrice: price };
}

async function computeFee(
  client: SigningStargateClient,
  from: string,
  msgs: readonly EncodeObject[],
  memo: string,
  plan: FeePlan,
): Promise<StdFee> {
  const { calculateFee, GasPrice } = await import("@cosmjs/stargate");
  const gas =
    plan.gas === "auto" ? Math.ceil((await client.simulate(from, msgs, memo)) * plan.adjustment) : plan.gas;
  if (plan.gasPrice) return calculateFee(gas, GasPrice.fromString(plan.gasPrice));
  return {
    amount: (plan.fees ?? []).map((c) => ({ denom: c.denom, amount: c.amount.toString() })),
    gas: String(gas),
  };
}

function oneLine(s: string | undefined): string {
  return (s ?? "").replace(/\s*\n\s*/g, " ").trim();
}

/**
 * Signs `msgs` with the key `fromKey`, and broadcasts: prints a summary and asks on a TTY unless --yes,
 * refuses without --yes otherwise. "block" (default) waits until the tx is in a committed block;
 * "sync" returns its hash once the node's CheckTx accepted it. `extraTypes` are message types to encode
 * besides CosmJS's defaultRegistryTypes (e.g. MsgUnjail). Returns the committed result in "block" mode.
 */
export async function signAndBroadcast(
  flags: TxFlags,
  cfg: ClientConfig,
  fromKey: string,
  build: (from: string) => { msgs: EncodeObject[]; summary: string[] },
  extraTypes: readonly (readonly [string, GeneratedType])[] = [],
): Promise<DeliverTxResponse | undefined> {
  const prompter = new Prompter();
  if (!flags.yes && !prompter.interactive) {
    throw new IcsdError("CONFIRMATION_REQUIRED", "stdin is not a terminal: pass --yes to sign and broadcast");
  }
  const plan = parseFeePlan(flags, cfg);
  const chainId = flags.chainId ?? cfg.chainId;
  if (chainId !== "" && !isValidChainId(chainId))
    throw new IcsdError("INVALID_ARGUMENT", `invalid --chain-id ${JSON.stringify(chainId)}`);
  const url = rpcHttpUrl(flags.node ?? cfg.node);
  const keyring = openKeyring(flags, prompter, cfg);
  const key = keyring.find(fromKey);
  const { msgs, summary } = build(key.address);
  const signer = await keyring.signer(key.name);
  // Loaded on use: @cosmjs/stargate is heavy and most icsd commands never need it.
  const { BroadcastTxError, defaultRegistryTypes, GasPrice, SigningStargateClient, TimeoutError } =
    await import("@cosmjs/stargate");
  let client: SigningStargateClient;
  try {
    client = await SigningStargateClient.connectWithSigner(url, signer, {
      ...(plan.gasPrice ? { gasPrice: GasPrice.fromString(plan.gasPrice) } : {}),
      ...(extraTypes.length > 0
        ? {
            registry: new Registry([
              ...defaultRegistryTypes,
              ...extraTypes.map(([t, g]): [string, GeneratedType] => [t, g]),
            ]),
          }
        : {}),
      broadcastPollIntervalMs: 1000,
    });
  } catch (e) {
    throw clientError(e, url, "connect");
  }
  const json = outputFormat(flags, cfg) === "json";
  try {
    const nodeChain = await client.getChainId();
    if (chainId !== "" && chainId !== nodeChain) {
      throw new IcsdError(
        "CHAIN_ID_MISMATCH",
        `chain id ${chainId} does not match the node's chain ${nodeChain} (${url})`,
      );
    }
    let fee: StdFee;
    try {
      fee = await computeFee(client, key.address, msgs, flags.note, plan);
    } catch (e) {
      throw clientError(e, url, "simulation failed");
    }
    if (!flags.yes) {
      const feeText = `${formatCoins(fee.amount.map((c) => ({ denom: c.denom, amount: BigInt(c.amount) }))) || "0"} (gas ${fee.gas})`;
      const lines = [`from: ${key.name} (${key.address})`, ...summary, `fee: ${feeText}`];
      if (flags.note) lines.push(`memo: ${flags.note}`);
      lines.push(`chain: ${nodeChain} via ${url}`);
      process.stderr.write(`${lines.join("\n")}\n`);
      if (!(await prompter.confirm("Sign and broadcast?")))
        throw new IcsdError("ABORTED", "aborted: nothing was broadcast");
    }
    if (flags.broadcastMode === "sync") {
      const hash = await client.signAndBroadcastSync(key.address, msgs, fee, flags.note);
      if (json) printJson({ transactionHash: hash, code: 0 });
      else process.stdout.write(`txhash: ${hash}\ncode: 0\n`);
      return undefined;
    }
    const r = await client.signAndBroadcast(key.address, msgs, fee, flags.note);
    if (json) printJson(await txResultJson(r));
    else process.stdout.write(await txResultText(r));
    if (r.code !== 0) {
      throw new IcsdError(
        "TX_FAILED",
        `transaction ${r.transactionHash} failed in block ${r.height}: code ${r.code}: ${oneLine(r.rawLog)}`,
        {
          code: r.code,
        },
      );
    }
    return r;
  } catch (e) {
    if (e instanceof BroadcastTxError) {
      if (json) printJson({ code: e.code, codespace: e.codespace, rawLog: e.log ?? "" });
      throw new IcsdError(
        "TX_REJECTED",
        `the node rejected the transaction: code ${e.code}, codespace ${e.codespace || '""'}: ${oneLine(e.log)}`,
        { code: e.code, codespace: e.codespace },
      );
    }
    if (e instanceof TimeoutError) {
      throw new IcsdError(
        "TX_TIMEOUT",
        `transaction ${e.txId} was accepted but not seen in a block in time; check it with \`icsd query tx ${e.txId}\``,
      );
    }
    throw clientError(e, url, "transaction");
  } finally {
    client.disconnect();
  }
}

/** Adds the flags every transaction command shares. */
export function withTxOptions(cmd: Command): Command {
  withNodeOptions(withKeyringBackend(cmd));
  return cmd
    .option(
      "--chain-id <id>",
      "the chain id to sign for; must match the node's (default: client.toml chain-id)",
    )
    .option("--fees <coins>", "fixed fee, e.g. 500stake (instead of --gas-prices)")
    .option(
      "--gas-prices <price>",
      "gas price, e.g. 0.0025stake: fee = gas x price (default: client.toml gas-prices)",
    )
    .option("--gas <n|auto>", '"auto" simulates the tx and multiplies by --gas-adjustment', DEFAULT_GAS)
    .option("--gas-adjustment <x>", "multiplier of the simulated gas with --gas auto", "1.4")
    .option("--note <memo>", "memo of the transaction", "")
    .addOption(
      new Option(
        "--broadcast-mode <mode>",
        '"block" waits until the tx is committed in a block and prints its result; "sync" returns after CheckTx with the hash',
      )
        .choices(["sync", "block"])
        .default("block"),
    )
    .option("-y, --yes", "sign and broadcast without asking", false);
}

/** The flags of a module transaction command: the tx flags plus `--from <key>` (gaiad's convention). */
export interface FromTxFlags extends TxFlags {
  readonly from: string;
}

/**
 * A module transaction subcommand of `parent` with the shared tx flags and a required `--from`; the
 * action gets the client config loaded and the fee flags already validated.
 */
export function fromTxCommand(
  parent: Command,
  name: string,
  description: string,
  action: (args: string[], opts: FromTxFlags, cfg: ClientConfig) => Promise<void>,
): Command {
  const cmd = parent
    .command(name)
    .description(description)
    .requiredOption("--from <key>", "name or address of the signing key in the keyring");
  withTxOptions(cmd);
  cmd.action(async (...all: unknown[]) => {
    const opts = all[all.length - 2] as FromTxFlags;
    const args = all.slice(0, all.length - 2) as (string | undefined)[];
    const cfg = loadClientConfig(opts.home);
    await action(
      args.map((a) => a ?? ""),
      opts,
      cfg,
    );
  });
  return cmd;
}

/** Parses one positive coin such as `1000000stake`; INVALID_COINS names `what`. */
export function parseOneCoin(text: string, what = "amount"): Coin {
  const coins = parseCoins(text);
  if (coins.length !== 1)
    throw new IcsdError(
      "INVALID_COINS",
      `${what} must be one positive coin such as 1000000stake, got ${JSON.stringify(text)}`,
    );
  return coins[0]!;
}

/** The canonical form of a validator operator address (`<prefix>valoper1...`); INVALID_ADDRESS otherwise. */
export function parseValidatorAddress(text: string, accountPrefix: string): string {
  return parseAccountAddress(text, `${accountPrefix}valoper`);
}

/** A coin as the protobuf message fields take it. */
export function wireCoin(c: Coin): { denom: string; amount: string } {
  return { denom: c.denom, amount: c.amount.toString() };
}

/** `icsd tx bank send`: signs with a keyring key and broadcasts through CosmJS. */
export function registerTx(program: Command): void {
  const tx = program
    .command("tx")
    .description("Sign transactions with a keyring key and broadcast them (CosmJS)");
  withExample(tx, "icsd tx bank send alice cosmos1... 1000stake --gas auto --yes");
  const bank = tx.command("bank").description("Bank module transactions");
  withExample(bank, "icsd tx bank send alice cosmos1... 1000stake --yes");
  const send = bank
    .command("send")
    .description("Send coins from a key of the keyring to an address")
    .argument("<from>", "name or address of a key in the keyring")
    .argument("<to>", "recipient address (or the name of a key in the keyring)")
    .argument("<amount>", "coins, e.g. 1000stake or 10stake,5uatom");
  withTxOptions(send);
  withExample(
    send,
    "icsd tx bank send alice cosmos1... 1000stake --yes",
    "icsd tx bank send faucet cosmos1... 5000000stake --gas auto --gas-prices 0.0025stake --node tcp://127.0.0.1:26657 --yes --output json",
    "icsd tx bank send alice cosmos1... 10stake --fees 500stake --broadcast-mode sync --yes",
  );
  send.action(async (from: string, to: string, amountText: string, opts: TxFlags) => {
    const cfg = loadClientConfig(opts.home);
    const amount = parseCoins(amountText);
    if (amount.length === 0)
      throw new IcsdError("INVALID_COINS", `no positive amount in ${JSON.stringify(amountText)}`);
    parseFeePlan(opts, cfg);
    // The recipient may be a key of the keyring too (handy on devnets: `send faucet alice 10stake`).
    const keyring = openKeyring(opts, new Prompter(), cfg);
    const toAddr = keyring.has(to) ? keyring.show(to).address : parseAccountAddress(to, cfg.bech32Prefix);
    await signAndBroadcast(opts, cfg, from, (fromAddr) => {
      const msg: MsgSendEncodeObject = {
        typeUrl: "/cosmos.bank.v1beta1.MsgSend",
        value: MsgSend.fromPartial({
          fromAddress: fromAddr,
          toAddress: toAddr,
          amount: amount.map((c) => ({ denom: c.denom, amount: c.amount.toString() })),
        }),
      };
      return { msgs: [msg], summary: [`to: ${toAddr}`, `amount: ${formatCoins(amount)}`] };
    });
  });
  registerStakingTx(tx);
  registerDistributionTx(tx);
  registerSlashingTx(tx);
  registerGovTx(tx);
  registerIbcTransferTx(tx);
}
