/**
 * Launching a devnet's consumer chains as an operator team does it on a real provider: MsgCreateConsumer
 * (an opt-in chain, top_N 0, spawn time a few seconds ahead), MsgOptIn by every provider validator (the
 * last one with a consumer key of its own: key assignment), then, once the provider launched the chain,
 * its consumer genesis (query ConsumerGenesis) written into every consumer node's genesis.json, and each
 * consumer node given its validator's provider key (or keeping its assigned one).
 */
import { copyFileSync } from "node:fs";
import { fromBech32, toBech32 } from "@cosmjs/encoding";
import { DirectSecp256k1HdWallet, type EncodeObject, Registry } from "@cosmjs/proto-signing";
import {
  type DeliverTxResponse,
  defaultRegistryTypes,
  GasPrice,
  SigningStargateClient,
} from "@cosmjs/stargate";
import {
  generatedType,
  type MsgCreateConsumer,
  MsgCreateConsumerCodec,
  type MsgOptIn,
  MsgOptInCodec,
} from "../provider/ccv/codec.ts";
import { rpcCall } from "../rpc/index.ts";
import { IcsdError } from "../utils/index.ts";
import { CCV_CONSUMER_KEY, consumerGenesisDoc, parseConsumerGenesis } from "./consumerGenesis.ts";
import { DEVNET_MIN_GAS_PRICES, type DevnetAccountRecord, fundDevnetAccounts } from "./devnetAccounts.ts";
import {
  DEVNET_RELAYER_KEY,
  type DevnetChainRecord,
  type DevnetChannelRecord,
  type DevnetFile,
  writeDevnetFile,
} from "./devnetLayout.ts";
import { loadGenesis, saveGenesis } from "./genesis.ts";
import { DEFAULT_BECH32_PREFIX } from "./genesisAccounts.ts";
import { homePaths } from "./home.ts";
import { loadValidatorKey } from "./keys.ts";

const SECOND_NS = 1_000_000_000n;
/** How far after the provider's latest block the spawn time is set: room for the opt-in transactions. */
export const DEVNET_SPAWN_DELAY_MS = 6000;
/** The phase of a launched consumer in the provider's ConsumerChain query. */
const PHASE_LAUNCHED = "CONSUMER_PHASE_LAUNCHED";

/** The channel ids of a consumer's CCV and transfer channels (consumer genesis `ccv_channel`). */
export interface CcvChannelIds {
  readonly consumerClientId: string;
  readonly consumerChannelId: string;
  readonly providerClientId: string;
  readonly providerChannelId: string;
  readonly consumerTransferChannelId: string;
  readonly providerTransferChannelId: string;
}

/**
 * MsgCreateConsumer of a devnet consumer: an opt-in chain (top_N 0) launched at `spawnTimeNs`, with the
 * reference's usual initialization parameters and icsd's downtime parameters matching the provider's
 * devnet slashing (window 100 blocks, 50 %, jailed 60 s).
 */
export function devnetCreateConsumerMsg(
  submitter: string,
  chainId: string,
  spawnTimeNs: bigint,
): MsgCreateConsumer {
  return {
    submitter,
    chainId,
    metadata: { name: chainId, description: "a consumer chain of the icsd devnet", metadata: "" },
    initializationParameters: {
      initialHeight: { revisionNumber: revisionNumberOf(chainId), revisionHeight: 1n },
      genesisHash: new Uint8Array(),
      binaryHash: new Uint8Array(),
      spawnTime: spawnTimeNs,
      unbondingPeriod: 1_728_000n * SECOND_NS,
      ccvTimeoutPeriod: 2_419_200n * SECOND_NS,
      transferTimeoutPeriod: 3600n * SECOND_NS,
      consumerRedistributionFraction: "0.75",
      blocksPerDistributionTransmission: 1000n,
      historicalEntries: 10_000n,
      distributionTransmissionChannel: "",
      connectionId: "",
      signedBlocksWindow: 100n,
      minSignedPerWindow: "0.5",
      downtimeJailDuration: 60n * SECOND_NS,
    },
    powerShapingParameters: {
      topN: 0,
      validatorsPowerCap: 0,
      validatorSetCap: 0,
      allowlist: [],
      denylist: [],
      minStake: 0n,
      allowInactiveVals: false,
      prioritylist: [],
    },
    allowlistedRewardDenoms: undefined,
    infractionParameters: undefined,
  };
}

/** The IBC revision number of a chain id (`name-<n>` → n, else 0). */
export function revisionNumberOf(chainId: string): bigint {
  const m = /^.+[^-]-(\d{1,18})$/.exec(chainId);
  return m ? BigInt(m[1]!) : 0n;
}

/** A spawn time `delayMs` after a block time in RFC 3339 (RPC status `latest_block_time`), in ns. */
export function spawnTimeAfter(latestBlockTime: string, delayMs: number): bigint {
  const ms = Date.parse(latestBlockTime);
  if (!Number.isFinite(ms))
    throw new IcsdError(
      "DEVNET_LAUNCH_FAILED",
      `the provider's latest block time ${latestBlockTime} is not a time`,
    );
  return BigInt(ms + delayMs) * 1_000_000n;
}

/** `{"@type":"/cosmos.crypto.ed25519.PubKey","key":"<b64>"}`: a consumer key as MsgOptIn carries it. */
export function consumerKeyJson(pubKey: Uint8Array): string {
  return JSON.stringify({
    "@type": "/cosmos.crypto.ed25519.PubKey",
    key: Buffer.from(pubKey).toString("base64"),
  });
}

/** `cosmosvaloper1...` of an operator's account address. */
export function valoperAddress(account: string): string {
  const { prefix, data } = fromBech32(account, 1023);
  return toBech32(`${prefix}valoper`, data);
}

/** The consumer id from MsgCreateConsumer's events (`create_consumer.consumer_id`). */
export function consumerIdFromEvents(
  events: readonly { type: string; attributes: readonly { key: string; value: string }[] }[],
): string | undefined {
  for (const e of events) {
    if (e.type !== "create_consumer") continue;
    for (const a of e.attributes) if (a.key === "consumer_id") return a.value;
  }
  for (const e of events) for (const a of e.attributes) if (a.key === "consumer_id") return a.value;
  return undefined;
}

/** Reads `ccv_channel` of a consumer genesis (checked field by field). */
export function ccvChannelIds(consumerGenesis: unknown): CcvChannelIds {
  const state = parseConsumerGenesis(consumerGenesis).state;
  const ch = state.ccv_channel as Record<string, unknown> | undefined;
  const get = (k: string): string => {
    const v = ch?.[k];
    if (typeof v !== "string" || v === "")
      throw new IcsdError(
        "CONSUMER_GENESIS_INVALID",
        `consumer genesis: ccv_channel.${k} must be a non-empty string`,
      );
    return v;
  };
  return {
    consumerClientId: get("consumer_client_id"),
    consumerChannelId: get("consumer_channel_id"),
    providerClientId: get("provider_client_id"),
    providerChannelId: get("provider_channel_id"),
    consumerTransferChannelId: get("consumer_transfer_channel_id"),
    providerTransferChannelId: get("provider_transfer_channel_id"),
  };
}

/**
 * The channel records of one consumer on both chains: `provider/<P> <-> consumer/<channel-0>` (CCV) and
 * `transfer/<T> <-> transfer/<channel-1>`, each end bound to its chain's client of the other.
 */
export function ccvChannelRecords(
  providerChainId: string,
  consumerChainId: string,
  ids: CcvChannelIds,
): { provider: DevnetChannelRecord[]; consumer: DevnetChannelRecord[] } {
  return {
    provider: [
      {
        port: "provider",
        channel: ids.providerChannelId,
        counterpartyChainId: consumerChainId,
        counterpartyPort: "consumer",
        counterpartyChannel: ids.consumerChannelId,
        clientId: ids.providerClientId,
      },
      {
        port: "transfer",
        channel: ids.providerTransferChannelId,
        counterpartyChainId: consumerChainId,
        counterpartyPort: "transfer",
        counterpartyChannel: ids.consumerTransferChannelId,
        clientId: ids.providerClientId,
      },
    ],
    consumer: [
      {
        port: "consumer",
        channel: ids.consumerChannelId,
        counterpartyChainId: providerChainId,
        counterpartyPort: "provider",
        counterpartyChannel: ids.providerChannelId,
        clientId: ids.consumerClientId,
      },
      {
        port: "transfer",
        channel: ids.consumerTransferChannelId,
        counterpartyChainId: providerChainId,
        counterpartyPort: "transfer",
        counterpartyChannel: ids.providerTransferChannelId,
        clientId: ids.consumerClientId,
      },
    ],
  };
}

/** The consumer genesis in a consumer node's genesis.json, or undefined while it is the placeholder. */
export function writtenConsumerGenesis(home: string): Record<string, unknown> | undefined {
  const appState = loadGenesis(homePaths(home).genesis).appState as Record<string, unknown>;
  const s = appState[CCV_CONSUMER_KEY];
  if (typeof s !== "object" || s === null || Object.keys(s).length === 0) return undefined;
  return s as Record<string, unknown>;
}

/** Sends a JSON query (`/icsd.<module>.v1.Query/<Name>`) through abci_query; throws on a non-zero code. */
export async function devnetJsonQuery<T = Record<string, unknown>>(
  rpc: string,
  path: string,
  req: Record<string, unknown> = {},
  timeoutMs = 5000,
): Promise<T> {
  const r = (await rpcCall(
    rpc,
    "abci_query",
    { path, data: Buffer.from(JSON.stringify(req)).toString("hex") },
    timeoutMs,
  )) as { response?: { code?: number; log?: string; value?: string } };
  const res = r?.response;
  if (!res || (res.code ?? 0) !== 0)
    throw new IcsdError("QUERY_FAILED", `${path}: ${res?.log ?? "no response"}`, { path });
  return JSON.parse(Buffer.from(res.value ?? "", "base64").toString("utf8")) as T;
}

const registry = new Registry([
  ...defaultRegistryTypes,
  [MsgCreateConsumerCodec.typeUrl, generatedType(MsgCreateConsumerCodec) as never],
  [MsgOptInCodec.typeUrl, generatedType(MsgOptInCodec) as never],
]);

async function sendTx(
  rpc: string,
  mnemonic: string,
  msgs: EncodeObject[],
  what: string,
): Promise<DeliverTxResponse> {
  const wallet = await DirectSecp256k1HdWallet.fromMnemonic(mnemonic, { prefix: DEFAULT_BECH32_PREFIX });
  const client = await SigningStargateClient.connectWithSigner(rpc, wallet, {
    registry,
    gasPrice: GasPrice.fromString(DEVNET_MIN_GAS_PRICES),
    broadcastPollIntervalMs: 300,
    broadcastTimeoutMs: 30_000,
  });
  try {
    const [account] = await wallet.getAccounts();
    const r = await client.signAndBroadcast(account!.address, msgs, 1.5);
    if (r.code !== 0)
      throw new IcsdError("DEVNET_LAUNCH_FAILED", `${what} failed (code ${r.code}): ${r.rawLog ?? ""}`, {
        code: r.code,
      });
    return r;
  } catch (e) {
    if (e instanceof IcsdError) throw e;
    throw new IcsdError("DEVNET_LAUNCH_FAILED", `${what} failed: ${(e as Error).message}`);
  } finally {
    client.disconnect();
  }
}

/** What launching needs besides devnet.json. */
export interface LaunchConsumersOptions {
  readonly dir: string;
  /** How long to wait for each consumer's launch on the provider. */
  readonly timeoutMs: number;
  readonly progress: (line: string) => void;
}

function ownerAccount(f: DevnetFile): DevnetAccountRecord {
  const a = f.accounts.find((x) => x.name !== DEVNET_RELAYER_KEY) ?? f.accounts[0];
  if (!a) throw new IcsdError("DEVNET_INVALID", "devnet.json has no funded account to create consumers with");
  return a;
}

/** Submits MsgCreateConsumer then every validator's MsgOptIn; records the consumer id in devnet.json. */
async function createConsumer(
  o: LaunchConsumersOptions,
  f: DevnetFile,
  chain: DevnetChainRecord,
): Promise<void> {
  const provider = f.chains[0]!;
  const rpc = provider.nodes[0]!.rpc;
  const owner = ownerAccount(f);
  const status = (await rpcCall(rpc, "status", {}, 5000)) as { sync_info: { latest_block_time: string } };
  const spawn = spawnTimeAfter(status.sync_info.latest_block_time, DEVNET_SPAWN_DELAY_MS);
  const created = await sendTx(
    rpc,
    owner.mnemonic,
    [
      {
        typeUrl: MsgCreateConsumerCodec.typeUrl,
        value: devnetCreateConsumerMsg(owner.address, chain.chainId, spawn),
      },
    ],
    `MsgCreateConsumer of ${chain.chainId}`,
  );
  const id = consumerIdFromEvents(created.events);
  if (id === undefined)
    throw new IcsdError(
      "DEVNET_LAUNCH_FAILED",
      `MsgCreateConsumer of ${chain.chainId}: no consumer_id event`,
    );
  chain.consumerId = id;
  writeDevnetFile(o.dir, f);
  o.progress(
    `created consumer ${id} (${chain.chainId}) from ${owner.name}; spawn time in ${DEVNET_SPAWN_DELAY_MS / 1000}s`,
  );
  // The validators that run a node of this consumer (the first N) opt in. Different signers: the opt-ins
  // go out together and land in the same block or two, before the spawn time.
  const optingIn = provider.nodes.slice(0, chain.nodes.length);
  await Promise.all(
    optingIn.map(async (n, i) => {
      const op = n.operator;
      if (!op)
        throw new IcsdError("DEVNET_INVALID", `devnet.json: ${provider.chainId}/${n.name} has no operator`);
      const consumerNode = chain.nodes[i];
      const key =
        consumerNode?.assignedKey === true
          ? consumerKeyJson(loadValidatorKey(homePaths(consumerNode.home).privValidatorKey).keyPair.publicKey)
          : "";
      const msg: MsgOptIn = {
        chainId: "",
        providerAddr: valoperAddress(op.address),
        consumerKey: key,
        signer: op.address,
        consumerId: id,
      };
      await sendTx(
        rpc,
        op.mnemonic,
        [{ typeUrl: MsgOptInCodec.typeUrl, value: msg }],
        `MsgOptIn of ${n.name} to ${id}`,
      );
    }),
  );
  o.progress(
    `${optingIn.length} validators opted in to ${chain.chainId}${chain.nodes.some((n) => n.assignedKey) ? ` (${chain.nodes.find((n) => n.assignedKey)?.name} with an assigned key)` : ""}`,
  );
}

/** Waits for the provider to launch consumer `id`; returns its consumer genesis. */
async function awaitLaunch(
  o: LaunchConsumersOptions,
  rpc: string,
  chain: DevnetChainRecord,
): Promise<unknown> {
  const id = chain.consumerId!;
  const deadline = Date.now() + o.timeoutMs;
  let phase = "";
  for (;;) {
    try {
      const c = await devnetJsonQuery<{ phase?: string }>(rpc, "/icsd.provider.v1.Query/ConsumerChain", {
        consumer_id: id,
      });
      phase = c.phase ?? "";
      if (phase === PHASE_LAUNCHED) break;
    } catch (e) {
      phase = (e as Error).message;
    }
    if (Date.now() > deadline)
      throw new IcsdError(
        "DEVNET_LAUNCH_FAILED",
        `consumer ${id} (${chain.chainId}) did not launch in time (phase: ${phase || "unknown"})`,
      );
    await new Promise((r) => setTimeout(r, 500));
  }
  return devnetJsonQuery(rpc, "/icsd.provider.v1.Query/ConsumerGenesis", { consumer_id: id });
}

/** Writes a launched consumer's genesis (accounts funded as on the provider) and keys into its homes. */
async function writeConsumerHomes(
  f: DevnetFile,
  chain: DevnetChainRecord,
  consumerGenesis: unknown,
): Promise<void> {
  const provider = f.chains[0]!;
  let doc = consumerGenesisDoc({ chainId: chain.chainId, consumerGenesis });
  // The same accounts (and the relayer) with the same amounts, keys imported into node0's keyring.
  doc = await fundDevnetAccounts(doc, chain.nodes[0]!.home, f.accounts);
  for (const [i, n] of chain.nodes.entries()) {
    saveGenesis(homePaths(n.home).genesis, doc);
    const providerNode = provider.nodes[i];
    // The consumer node signs with its validator's provider key unless it assigned its own.
    if (!n.assignedKey && providerNode)
      copyFileSync(homePaths(providerNode.home).privValidatorKey, homePaths(n.home).privValidatorKey);
  }
}

/** Records a consumer's channels (from its written genesis) on both chains of devnet.json. */
function recordChannels(f: DevnetFile, chain: DevnetChainRecord, genesis: unknown): void {
  const provider = f.chains[0]!;
  const recs = ccvChannelRecords(provider.chainId, chain.chainId, ccvChannelIds(genesis));
  chain.channels = recs.consumer;
  provider.channels = [
    ...(provider.channels ?? []).filter((c) => c.counterpartyChainId !== chain.chainId),
    ...recs.provider,
  ];
}

/**
 * Launches every consumer chain of devnet.json whose nodes still hold the placeholder genesis (the
 * provider must be producing blocks): creates it and opts every validator in unless its consumer id is
 * recorded already, waits for the provider's launch, writes its genesis and keys and records its
 * channels. Consumers launched earlier are left as they are (their channels recorded from their genesis).
 */
export async function launchDevnetConsumers(f: DevnetFile, o: LaunchConsumersOptions): Promise<void> {
  const provider = f.chains[0]!;
  const rpc = provider.nodes[0]!.rpc;
  const pending: DevnetChainRecord[] = [];
  for (const chain of f.chains.filter((c) => c.mode === "consumer")) {
    const written = writtenConsumerGenesis(chain.nodes[0]!.home);
    if (written) recordChannels(f, chain, written);
    else pending.push(chain);
  }
  writeDevnetFile(o.dir, f);
  for (const chain of pending) if (chain.consumerId === undefined) await createConsumer(o, f, chain);
  for (const chain of pending) {
    const genesis = await awaitLaunch(o, rpc, chain);
    await writeConsumerHomes(f, chain, genesis);
    recordChannels(f, chain, genesis);
    writeDevnetFile(o.dir, f);
    const ids = ccvChannelIds(genesis);
    o.progress(
      `consumer ${chain.consumerId} (${chain.chainId}) launched: ccv ${ids.providerChannelId} <-> ${ids.consumerChannelId}, transfer ${ids.providerTransferChannelId} <-> ${ids.consumerTransferChannelId}`,
    );
  }
}

/** The consumer's view of its CCV channel (ProviderInfo query), or undefined when it does not answer. */
export async function consumerChannelState(
  rpc: string,
): Promise<{ established: boolean; closed: boolean } | undefined> {
  try {
    const info = await devnetJsonQuery<Record<string, unknown>>(
      rpc,
      "/icsd.consumer.v1.Query/ProviderInfo",
      {},
      2000,
    );
    return { established: info.established === true, closed: info.channel_closed === true };
  } catch {
    return undefined;
  }
}
