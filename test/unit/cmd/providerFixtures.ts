/** A consumer genesis as the provider's ConsumerGenesis query returns it (the shared ICS contract). */
import { toBase64 } from "../../../utils/index.ts";

/** Launch block time on the provider, ns. */
export const LAUNCH_NS = 1_714_564_842_000_000_000n;

/** A deterministic 32-byte "ed25519 key" (only its length and hash matter to the genesis builder). */
export function fakeKey(seed: number): Uint8Array {
  return new Uint8Array(32).fill(seed);
}

/** A consumer genesis with `powers.length` validators of keys fakeKey(1..n). */
export function sampleConsumerGenesis(powers: readonly number[] = [10, 20]): Record<string, unknown> {
  return {
    params: {
      enabled: true,
      consumer_id: "0",
      blocks_per_distribution_transmission: "1000",
      distribution_transmission_channel: "channel-1",
      provider_fee_pool_addr_str: "cosmos1xxx",
      ccv_timeout_period: "2419200s",
      transfer_timeout_period: "3600s",
      consumer_redistribution_fraction: "0.75",
      historical_entries: "10000",
      unbonding_period: "1728000s",
      reward_denoms: [],
      provider_reward_denoms: [],
      retry_delay_period: "3600s",
      signed_blocks_window: "100",
      min_signed_per_window: "0.5",
      downtime_jail_duration: "600s",
    },
    provider: {
      client_state: {
        chain_id: "provider-1",
        trust_level: { numerator: "1", denominator: "3" },
        trusting_period: "1140480000000000",
        unbonding_period: "1728000000000000",
        max_clock_drift: "10000000000",
        latest_height: "12",
        frozen_height: "0",
      },
      consensus_state: {
        height: "12",
        timestamp: String(LAUNCH_NS),
        root: toBase64(new Uint8Array(32).fill(7)),
        next_validators_hash: "AB".repeat(32),
      },
      initial_val_set: powers.map((p, i) => ({
        pub_key: { ed25519: toBase64(fakeKey(i + 1)) },
        power: String(p),
      })),
    },
    new_chain: true,
    provider_chain_id: "provider-1",
    ccv_channel: {
      consumer_client_id: "07-icsd-0",
      consumer_channel_id: "channel-0",
      provider_client_id: "07-icsd-1",
      provider_channel_id: "channel-1",
      consumer_transfer_channel_id: "channel-1",
      provider_transfer_channel_id: "channel-2",
    },
    launch_time: String(LAUNCH_NS),
  };
}
