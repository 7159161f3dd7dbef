import type { Command } from "commander";
import { MsgUnjail } from "cosmjs-types/cosmos/slashing/v1beta1/tx";
import { valoperAddress } from "../node/index.ts";
import { withExample } from "./common.ts";
import { fromTxCommand, signAndBroadcast } from "./tx.ts";

/** The type URL of x/slashing's MsgUnjail (not in CosmJS's defaultRegistryTypes). */
export const MSG_UNJAIL_TYPE = "/cosmos.slashing.v1beta1.MsgUnjail";

/** `icsd tx slashing unjail`: unjails the validator operated by the `--from` key. */
export function registerSlashingTx(tx: Command): void {
  const slashing = tx.command("slashing").description("Slashing module transactions");
  withExample(slashing, "icsd tx slashing unjail --from alice --yes");
  const unjail = fromTxCommand(
    slashing,
    "unjail",
    "Unjail the validator operated by the --from key (after its jail time has passed)",
    async (_args, opts, cfg) => {
      await signAndBroadcast(
        opts,
        cfg,
        opts.from,
        (address) => ({
          msgs: [
            {
              typeUrl: MSG_UNJAIL_TYPE,
              value: MsgUnjail.fromPartial({ validatorAddr: valoperAddress(address) }),
            },
          ],
          summary: [`unjail: ${valoperAddress(address)}`],
        }),
        [[MSG_UNJAIL_TYPE, MsgUnjail]],
      );
    },
  );
  withExample(unjail, "icsd tx slashing unjail --from alice --gas auto --yes");
}
