import type { EncodeObject } from "@cosmjs/proto-signing";
import type { Command } from "commander";
import {
  QueryDelegatorValidatorsRequest,
  QueryDelegatorValidatorsResponse,
} from "cosmjs-types/cosmos/distribution/v1beta1/query";
import {
  MsgSetWithdrawAddress,
  MsgWithdrawDelegatorReward,
  MsgWithdrawValidatorCommission,
} from "cosmjs-types/cosmos/distribution/v1beta1/tx";
import { Prompter, parseAccountAddress, valoperAddress } from "../node/index.ts";
import { IcsdError } from "../utils/index.ts";
import { withExample } from "./common.ts";
import { openKeyring } from "./keys.ts";
import { withAbciQuery } from "./query.ts";
import { fromTxCommand, parseValidatorAddress, signAndBroadcast } from "./tx.ts";

const WITHDRAW_REWARD = "/cosmos.distribution.v1beta1.MsgWithdrawDelegatorReward";

function withdrawReward(delegatorAddress: string, validatorAddress: string) {
  return {
    typeUrl: WITHDRAW_REWARD,
    value: MsgWithdrawDelegatorReward.fromPartial({ delegatorAddress, validatorAddress }),
  };
}

/** `icsd tx distribution withdraw-rewards|withdraw-all-rewards|set-withdraw-addr`. */
export function registerDistributionTx(tx: Command): void {
  const distribution = tx.command("distribution").description("Distribution module transactions");
  withExample(distribution, "icsd tx distribution withdraw-all-rewards --from alice --yes");

  const withdraw = fromTxCommand(
    distribution,
    "withdraw-rewards",
    "Withdraw the --from key's rewards from one validator (and, with --commission, that validator's commission)",
    async ([val], o, cfg) => {
      const opts = o as typeof o & { commission: boolean };
      const validator = parseValidatorAddress(val!, cfg.bech32Prefix);
      await signAndBroadcast(opts, cfg, opts.from, (delegator) => {
        if (opts.commission && valoperAddress(delegator) !== validator)
          throw new IcsdError(
            "INVALID_ARGUMENT",
            `--commission: ${validator} is not operated by ${delegator} (its validator is ${valoperAddress(delegator)})`,
          );
        const msgs: EncodeObject[] = [withdrawReward(delegator, validator)];
        if (opts.commission)
          msgs.push({
            typeUrl: "/cosmos.distribution.v1beta1.MsgWithdrawValidatorCommission",
            value: MsgWithdrawValidatorCommission.fromPartial({ validatorAddress: validator }),
          });
        return {
          msgs,
          summary: [`withdraw rewards${opts.commission ? " and commission" : ""} of ${validator}`],
        };
      });
    },
  );
  withdraw
    .argument("<validator-addr>", "the validator's operator address")
    .option(
      "--commission",
      "also withdraw the validator's commission (the --from key must operate it)",
      false,
    );
  withExample(
    withdraw,
    "icsd tx distribution withdraw-rewards cosmosvaloper1... --from alice --yes",
    "icsd tx distribution withdraw-rewards cosmosvaloper1... --commission --from alice --yes",
  );

  const all = fromTxCommand(
    distribution,
    "withdraw-all-rewards",
    "Withdraw the --from key's rewards from every validator it delegates to (one message each)",
    async (_args, opts, cfg) => {
      const delegator = openKeyring(opts, new Prompter(), cfg).find(opts.from).address;
      let validators: string[] = [];
      await withAbciQuery(opts, "query delegator validators", async (query) => {
        const T = QueryDelegatorValidatorsRequest;
        const res = await query(
          "/cosmos.distribution.v1beta1.Query/DelegatorValidators",
          T,
          T.fromPartial({ delegatorAddress: delegator }),
          QueryDelegatorValidatorsResponse,
        );
        validators = [...res.validators].sort();
      });
      if (validators.length === 0)
        throw new IcsdError(
          "NO_DELEGATIONS",
          `${delegator} has no delegations: there are no rewards to withdraw`,
        );
      await signAndBroadcast(opts, cfg, opts.from, (address) => ({
        msgs: validators.map((v) => withdrawReward(address, v)),
        summary: [`withdraw rewards from ${validators.length} validator(s): ${validators.join(", ")}`],
      }));
    },
  );
  withExample(all, "icsd tx distribution withdraw-all-rewards --from alice --gas auto --yes");

  const setAddr = fromTxCommand(
    distribution,
    "set-withdraw-addr",
    "Set the address the --from key's rewards are paid to",
    async ([addr], opts, cfg) => {
      const withdrawAddress = parseAccountAddress(addr!, cfg.bech32Prefix);
      await signAndBroadcast(opts, cfg, opts.from, (delegatorAddress) => ({
        msgs: [
          {
            typeUrl: "/cosmos.distribution.v1beta1.MsgSetWithdrawAddress",
            value: MsgSetWithdrawAddress.fromPartial({ delegatorAddress, withdrawAddress }),
          },
        ],
        summary: [`withdraw address: ${withdrawAddress}`],
      }));
    },
  );
  setAddr.argument("<withdraw-addr>", "the account address to receive rewards");
  withExample(setAddr, "icsd tx distribution set-withdraw-addr cosmos1... --from alice --yes");
}
