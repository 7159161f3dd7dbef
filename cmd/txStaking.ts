import { existsSync } from "node:fs";
import { toBech32 } from "@cosmjs/encoding";
import type { Command } from "commander";
import {
  MsgBeginRedelegate,
  MsgCancelUnbondingDelegation,
  MsgDelegate,
  MsgEditValidator,
  MsgUndelegate,
} from "cosmjs-types/cosmos/staking/v1beta1/tx";
import {
  createValidatorMsg,
  DEFAULT_COMMISSION,
  decimalFractionAtomics,
  ED25519_PUBKEY_TYPE,
  formatCoins,
  homePaths,
  loadValidatorKey,
  valoperAddress,
} from "../node/index.ts";
import { fromBase64, IcsdError } from "../utils/index.ts";
import { withExample } from "./common.ts";
import {
  type FromTxFlags,
  fromTxCommand,
  parseOneCoin,
  parseValidatorAddress,
  signAndBroadcast,
  wireCoin,
} from "./tx.ts";

/** SDK 0.50 x/staking: description fields an edit leaves unchanged (types.DoNotModifyDesc). */
export const DO_NOT_MODIFY = "[do-not-modify]";

/**
 * A 32-byte ed25519 consensus key from `--pubkey`: gaiad's JSON
 * `{"@type":"/cosmos.crypto.ed25519.PubKey","key":"<base64>"}`, CometBFT's
 * `{"type":"tendermint/PubKeyEd25519","value":"<base64>"}`, or bare base64. INVALID_PUBKEY otherwise.
 */
export function parseConsensusPubKey(text: string): Uint8Array {
  const bad = (why: string) => new IcsdError("INVALID_PUBKEY", `invalid --pubkey: ${why}`);
  let b64 = text.trim();
  if (b64.startsWith("{")) {
    let o: Record<string, unknown>;
    try {
      o = JSON.parse(b64) as Record<string, unknown>;
    } catch {
      throw bad("not valid JSON");
    }
    if (o["@type"] === ED25519_PUBKEY_TYPE && typeof o.key === "string") b64 = o.key;
    else if (o.type === "tendermint/PubKeyEd25519" && typeof o.value === "string") b64 = o.value;
    else throw bad(`expected {"@type":"${ED25519_PUBKEY_TYPE}","key":"<base64>"}`);
  }
  let key: Uint8Array;
  try {
    key = fromBase64(b64);
  } catch {
    throw bad("the key is not base64");
  }
  if (key.length !== 32) throw bad(`an ed25519 key is 32 bytes, got ${key.length}`);
  return key;
}

function consensusKeyOf(opts: { pubkey?: string; home: string }): Uint8Array {
  if (opts.pubkey !== undefined) return parseConsensusPubKey(opts.pubkey);
  const path = homePaths(opts.home).privValidatorKey;
  if (!existsSync(path))
    throw new IcsdError("KEY_NOT_FOUND", `no --pubkey given and no validator key at ${path}`);
  return loadValidatorKey(path).pubKey;
}

interface DescriptionFlags {
  readonly moniker?: string;
  readonly identity?: string;
  readonly website?: string;
  readonly securityContact?: string;
  readonly details?: string;
}

function withDescription(cmd: Command, monikerRequired: boolean): Command {
  if (monikerRequired) cmd.requiredOption("--moniker <name>", "the validator's name");
  else cmd.option("--moniker <name>", "the validator's name");
  return cmd
    .option("--identity <id>", "identity signature (e.g. a keybase.io id)")
    .option("--website <url>", "the validator's website")
    .option("--security-contact <email>", "the validator's security contact email")
    .option("--details <text>", "the validator's description");
}

type CreateFlags = FromTxFlags &
  DescriptionFlags & {
    amount: string;
    pubkey?: string;
    commissionRate: string;
    commissionMaxRate: string;
    commissionMaxChangeRate: string;
    minSelfDelegation: string;
  };

function registerCreateValidator(staking: Command): void {
  const cmd = fromTxCommand(
    staking,
    "create-validator",
    "Create a validator, self-delegating --amount (the consensus key defaults to this home's priv_validator_key.json)",
    async (_args, o, cfg) => {
      const opts = o as CreateFlags;
      const amount = parseOneCoin(opts.amount, "--amount");
      const consensusPubKey = consensusKeyOf(opts);
      const commission = {
        rate: opts.commissionRate,
        maxRate: opts.commissionMaxRate,
        maxChangeRate: opts.commissionMaxChangeRate,
      };
      const build = (address: string) => ({
        msgs: [
          createValidatorMsg({
            address,
            consensusPubKey,
            amount,
            moniker: opts.moniker ?? "",
            identity: opts.identity,
            website: opts.website,
            securityContact: opts.securityContact,
            details: opts.details,
            commission,
            minSelfDelegation: opts.minSelfDelegation,
          }),
        ],
        summary: [
          `validator: ${valoperAddress(address)} (${opts.moniker})`,
          `self-delegation: ${formatCoins([amount])}`,
          `commission: rate ${commission.rate}, max ${commission.maxRate}, max change ${commission.maxChangeRate}`,
        ],
      });
      // Validate every flag before the keyring or the node is touched.
      build(toBech32(cfg.bech32Prefix, new Uint8Array(20)));
      await signAndBroadcast(opts, cfg, opts.from, build);
    },
  );
  cmd
    .requiredOption("--amount <coin>", "the self-delegation, e.g. 1000000stake")
    .option(
      "--pubkey <key>",
      'consensus key: {"@type":"/cosmos.crypto.ed25519.PubKey","key":"..."} or base64',
    )
    .option("--commission-rate <dec>", "initial commission rate", DEFAULT_COMMISSION.rate)
    .option("--commission-max-rate <dec>", "maximum commission rate", DEFAULT_COMMISSION.maxRate)
    .option(
      "--commission-max-change-rate <dec>",
      "maximum daily commission change",
      DEFAULT_COMMISSION.maxChangeRate,
    )
    .option("--min-self-delegation <n>", "minimum self-delegation the validator must keep", "1");
  withDescription(cmd, true);
  withExample(
    cmd,
    "icsd tx staking create-validator --amount 1000000stake --moniker node0 --from alice --yes",
    `icsd tx staking create-validator --amount 5000000stake --moniker val1 --commission-rate 0.05 --pubkey '{"@type":"/cosmos.crypto.ed25519.PubKey","key":"A6DoBUypNtUAyEHWtQ9bFjfNg8Bo9CrnkUGl6k6OHN4="}' --from bob --gas auto --yes`,
  );
}

function registerEditValidator(staking: Command): void {
  const cmd = fromTxCommand(
    staking,
    "edit-validator",
    "Edit the description, commission rate or minimum self-delegation of the --from key's validator",
    async (_args, o, cfg) => {
      const opts = o as FromTxFlags &
        DescriptionFlags & { commissionRate?: string; minSelfDelegation?: string };
      const d = (v: string | undefined) => v ?? DO_NOT_MODIFY;
      const rate =
        opts.commissionRate === undefined
          ? ""
          : decimalFractionAtomics(opts.commissionRate, "--commission-rate");
      const minSelf = opts.minSelfDelegation ?? "";
      if (minSelf !== "" && (!/^\d+$/.test(minSelf) || BigInt(minSelf) <= 0n))
        throw new IcsdError(
          "INVALID_ARGUMENT",
          `--min-self-delegation must be a positive integer, got ${JSON.stringify(minSelf)}`,
        );
      const fields = [opts.moniker, opts.identity, opts.website, opts.securityContact, opts.details];
      if (fields.every((f) => f === undefined) && rate === "" && minSelf === "")
        throw new IcsdError("INVALID_ARGUMENT", "nothing to edit: pass at least one field flag");
      await signAndBroadcast(opts, cfg, opts.from, (address) => ({
        msgs: [
          {
            typeUrl: "/cosmos.staking.v1beta1.MsgEditValidator",
            value: MsgEditValidator.fromPartial({
              description: {
                moniker: d(opts.moniker),
                identity: d(opts.identity),
                website: d(opts.website),
                securityContact: d(opts.securityContact),
                details: d(opts.details),
              },
              validatorAddress: valoperAddress(address),
              commissionRate: rate,
              minSelfDelegation: minSelf,
            }),
          },
        ],
        summary: [`validator: ${valoperAddress(address)}`],
      }));
    },
  );
  withDescription(cmd, false)
    .option("--commission-rate <dec>", "the new commission rate (at most one change per 24h)")
    .option("--min-self-delegation <n>", "the new minimum self-delegation (it may only increase)");
  withExample(
    cmd,
    "icsd tx staking edit-validator --moniker new-name --website https://example.com --from alice --yes",
    "icsd tx staking edit-validator --commission-rate 0.08 --from alice --yes",
  );
}

function registerDelegations(staking: Command): void {
  const delegate = fromTxCommand(
    staking,
    "delegate",
    "Delegate tokens to a validator",
    async ([val, amt], opts, cfg) => {
      const validator = parseValidatorAddress(val!, cfg.bech32Prefix);
      const amount = parseOneCoin(amt!);
      await signAndBroadcast(opts, cfg, opts.from, (delegatorAddress) => ({
        msgs: [
          {
            typeUrl: "/cosmos.staking.v1beta1.MsgDelegate",
            value: MsgDelegate.fromPartial({
              delegatorAddress,
              validatorAddress: validator,
              amount: wireCoin(amount),
            }),
          },
        ],
        summary: [`delegate: ${formatCoins([amount])} to ${validator}`],
      }));
    },
  );
  delegate
    .argument("<validator-addr>", "the validator's operator address")
    .argument("<amount>", "e.g. 1000stake");
  withExample(delegate, "icsd tx staking delegate cosmosvaloper1... 1000000stake --from alice --yes");

  const unbond = fromTxCommand(
    staking,
    "unbond",
    "Undelegate tokens from a validator (they are released after the unbonding time)",
    async ([val, amt], opts, cfg) => {
      const validator = parseValidatorAddress(val!, cfg.bech32Prefix);
      const amount = parseOneCoin(amt!);
      await signAndBroadcast(opts, cfg, opts.from, (delegatorAddress) => ({
        msgs: [
          {
            typeUrl: "/cosmos.staking.v1beta1.MsgUndelegate",
            value: MsgUndelegate.fromPartial({
              delegatorAddress,
              validatorAddress: validator,
              amount: wireCoin(amount),
            }),
          },
        ],
        summary: [`unbond: ${formatCoins([amount])} from ${validator}`],
      }));
    },
  );
  unbond
    .argument("<validator-addr>", "the validator's operator address")
    .argument("<amount>", "e.g. 1000stake");
  withExample(unbond, "icsd tx staking unbond cosmosvaloper1... 1000000stake --from alice --yes");

  const redelegate = fromTxCommand(
    staking,
    "redelegate",
    "Move a delegation from one validator to another without unbonding",
    async ([src, dst, amt], opts, cfg) => {
      const from = parseValidatorAddress(src!, cfg.bech32Prefix);
      const to = parseValidatorAddress(dst!, cfg.bech32Prefix);
      const amount = parseOneCoin(amt!);
      await signAndBroadcast(opts, cfg, opts.from, (delegatorAddress) => ({
        msgs: [
          {
            typeUrl: "/cosmos.staking.v1beta1.MsgBeginRedelegate",
            value: MsgBeginRedelegate.fromPartial({
              delegatorAddress,
              validatorSrcAddress: from,
              validatorDstAddress: to,
              amount: wireCoin(amount),
            }),
          },
        ],
        summary: [`redelegate: ${formatCoins([amount])} from ${from} to ${to}`],
      }));
    },
  );
  redelegate
    .argument("<src-validator-addr>", "the validator to move from")
    .argument("<dst-validator-addr>", "the validator to move to")
    .argument("<amount>", "e.g. 1000stake");
  withExample(
    redelegate,
    "icsd tx staking redelegate cosmosvaloper1src... cosmosvaloper1dst... 1000stake --from alice --yes",
  );

  const cancel = fromTxCommand(
    staking,
    "cancel-unbond",
    "Cancel (part of) an unbonding delegation entry, re-delegating it to the validator",
    async ([val, amt, height], opts, cfg) => {
      const validator = parseValidatorAddress(val!, cfg.bech32Prefix);
      const amount = parseOneCoin(amt!);
      if (!/^\d+$/.test(height!) || BigInt(height!) <= 0n || BigInt(height!) >= 2n ** 63n)
        throw new IcsdError(
          "INVALID_ARGUMENT",
          `creation-height must be a positive integer, got ${JSON.stringify(height)}`,
        );
      await signAndBroadcast(opts, cfg, opts.from, (delegatorAddress) => ({
        msgs: [
          {
            typeUrl: "/cosmos.staking.v1beta1.MsgCancelUnbondingDelegation",
            value: MsgCancelUnbondingDelegation.fromPartial({
              delegatorAddress,
              validatorAddress: validator,
              amount: wireCoin(amount),
              creationHeight: BigInt(height!),
            }),
          },
        ],
        summary: [`cancel unbonding: ${formatCoins([amount])} at ${validator} (entry of height ${height})`],
      }));
    },
  );
  cancel
    .argument("<validator-addr>", "the validator's operator address")
    .argument("<amount>", "e.g. 1000stake")
    .argument("<creation-height>", "the height the unbonding entry was created at");
  withExample(cancel, "icsd tx staking cancel-unbond cosmosvaloper1... 1000stake 123 --from alice --yes");
}

/** `icsd tx staking create-validator|edit-validator|delegate|unbond|redelegate|cancel-unbond`. */
export function registerStakingTx(tx: Command): void {
  const staking = tx.command("staking").description("Staking module transactions");
  withExample(staking, "icsd tx staking delegate cosmosvaloper1... 1000000stake --from alice --yes");
  registerCreateValidator(staking);
  registerEditValidator(staking);
  registerDelegations(staking);
}
