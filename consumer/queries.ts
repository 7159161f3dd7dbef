/**
 * The consumer module's queries, `/icsd.consumer.v1.Query/<Name>`: JSON in (a UTF-8 JSON object, empty
 * meaning {}), JSON out (snake_case, 64-bit numbers as strings), over committed state.
 */
import { type BankKeeper, decToString, type QueryHandler } from "../app/index.ts";
import { CONSUMER_PORT, decodeConsumerPacket } from "../ibc/ccv/wire.ts";
import { ChannelState, getChannel } from "../ibc/index.ts";
import { fromUtf8, toHexUpper, utf8 } from "../utils/index.ts";
import { ConsumerErrorCode, consumerError } from "./errors.ts";
import { validatorJson } from "./genesis.ts";
import { consumerParamsToJson } from "./params.ts";
import { CONS_TO_SEND_TO_PROVIDER } from "./rewards.ts";
import { consumerState as S } from "./state.ts";

export const CONSUMER_QUERY_PREFIX = "/icsd.consumer.v1.Query/";

function request(data: Uint8Array): Record<string, unknown> {
  if (data.length === 0) return {};
  let v: unknown;
  try {
    v = JSON.parse(fromUtf8(data));
  } catch {
    throw consumerError(ConsumerErrorCode.invalidQuery, "query request must be a UTF-8 JSON object");
  }
  if (typeof v !== "object" || v === null || Array.isArray(v))
    throw consumerError(ConsumerErrorCode.invalidQuery, "query request must be a JSON object");
  return v as Record<string, unknown>;
}

const out = (v: unknown) => utf8(JSON.stringify(v));

/** The consumer's queries (Params, ProviderInfo, Validators, PendingPackets, SlashRecord, VscIdAtHeight, NextFeeDistribution). */
export function consumerQueries(bank: BankKeeper): Record<string, QueryHandler> {
  const q: Record<string, QueryHandler> = {
    Params: async (ctx) => out({ params: consumerParamsToJson(await S.params(ctx.store)) }),
    ProviderInfo: async (ctx) => {
      const p = (await S.provider(ctx.store))!;
      const ch = await getChannel(ctx.store, CONSUMER_PORT, p.channelId);
      return out({
        provider_chain_id: p.providerChainId,
        consumer_chain_id: p.consumerChainId,
        client_id: p.clientId,
        channel_id: p.channelId,
        provider_client_id: p.providerClientId,
        provider_channel_id: p.providerChannelId,
        transfer_channel_id: p.transferChannelId,
        provider_transfer_channel_id: p.providerTransferChannelId,
        established: await S.established(ctx.store),
        channel_closed: (await S.channelClosed(ctx.store)) || ch?.state === ChannelState.closed,
      });
    },
    Validators: async (ctx) => out({ validators: (await S.validators(ctx.store)).map(validatorJson) }),
    PendingPackets: async (ctx) =>
      out({
        packets: (await S.pendingPackets(ctx.store)).map((p) => {
          const d = decodeConsumerPacket(p.data);
          return d.type === "slash"
            ? {
                index: p.index.toString(),
                type: "slash",
                validator_address: toHexUpper(d.slash.validator.address),
                power: d.slash.validator.power.toString(),
                valset_update_id: d.slash.valsetUpdateId.toString(),
                infraction: d.slash.infraction,
              }
            : { index: p.index.toString(), type: d.type, valset_update_id: d.valsetUpdateId.toString() };
        }),
      }),
    SlashRecord: async (ctx) => {
      const r = await S.slashRecord(ctx.store);
      return out({
        slash_record:
          r === undefined ? null : { waiting_on_reply: r.waitingOnReply, send_time: r.sendTime.toString() },
      });
    },
    VscIdAtHeight: async (ctx, data) => {
      const h = request(data).height;
      if ((typeof h !== "string" && typeof h !== "number") || !/^(0|[1-9][0-9]{0,18})$/.test(String(h)))
        throw consumerError(ConsumerErrorCode.invalidQuery, "height must be a non-negative decimal string");
      const height = BigInt(h);
      return out({
        height: height.toString(),
        valset_update_id: (await S.vscIdAtHeight(ctx.store, height)).toString(),
      });
    },
    NextFeeDistribution: async (ctx) => {
      const params = await S.params(ctx.store);
      const last = await S.lastTransmissionHeight(ctx.store);
      const pending = await bank.allBalances(ctx.store, bank.moduleAddress(CONS_TO_SEND_TO_PROVIDER));
      return out({
        current_height: String(ctx.height),
        last_height: last.toString(),
        next_height: (last + params.blocksPerDistributionTransmission).toString(),
        distribution_fraction: decToString(params.consumerRedistributionFraction),
        to_provider: pending.map((c) => ({ denom: c.denom, amount: c.amount.toString() })),
      });
    },
  };
  return Object.fromEntries(
    Object.entries(q).map(([name, h]) => [
      `${CONSUMER_QUERY_PREFIX}${name}`,
      async (ctx, data) => {
        request(data); // every request must be a JSON object (or empty)
        return h(ctx, data);
      },
    ]),
  );
}
