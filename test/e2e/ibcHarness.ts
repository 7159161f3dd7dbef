/**
 * Two icsd chains joined at genesis by light clients and channels (no handshake), and relayer processes
 * between them: what the packet-layer e2e tests and the relay benchmark stand on. Everything runs on
 * 127.0.0.1 in temporary directories removed by `cleanup`.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Bip39, EnglishMnemonic, sha256 } from "@cosmjs/crypto";
import { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing";
import { homePaths } from "../../node/home.ts";
import { addIbcPath, type GenesisDoc, loadGenesis, saveGenesis } from "../../node/index.ts";
import { fundedAppState } from "../support/txSigner.ts";
import { freePort, sleep, Testnet } from "./harness.ts";

const MAIN = new URL("../../cmd/main.ts", import.meta.url).pathname;
export const DENOM = "stake";
export const GAS_PRICE = `0.0025${DENOM}`;

/** A deterministic test user: an HD wallet from a mnemonic derived from `tag`. */
export interface User {
  readonly mnemonic: string;
  readonly wallet: DirectSecp256k1HdWallet;
  readonly address: string;
}

export async function user(tag: string): Promise<User> {
  const mnemonic = new EnglishMnemonic(
    Bip39.encode(sha256(new TextEncoder().encode(tag))).toString(),
  ).toString();
  const wallet = await DirectSecp256k1HdWallet.fromMnemonic(mnemonic, { prefix: "cosmos" });
  return { mnemonic, wallet, address: (await wallet.getAccounts())[0]!.address };
}

/** One channel joining the two chains (the same port on both sides). */
export interface PairChannel {
  readonly port: string;
  readonly channelA: string;
  readonly channelB: string;
  readonly ordering: "ordered" | "unordered";
  readonly version?: string;
  /** Ports when they differ per side (the CCV channel: provider/consumer); default `port`. */
  readonly portA?: string;
  readonly portB?: string;
  /** Client ids when they are not CLIENT_A/CLIENT_B (a consumer launched by the provider). */
  readonly clientA?: string;
  readonly clientB?: string;
}

export interface IbcPairOptions {
  readonly validatorsA: number;
  readonly validatorsB: number;
  readonly chainIdA?: string;
  readonly chainIdB?: string;
  /** Funded on both chains with `fund` stake each. */
  readonly funded: readonly string[];
  readonly fund?: bigint;
  readonly channels: readonly PairChannel[];
  readonly timeoutCommitMs?: number;
}

/** Client ids: each chain's client of the other. */
export const CLIENT_A = "07-icsd-0";
export const CLIENT_B = "07-icsd-0";

function saveEverywhere(net: Testnet, doc: GenesisDoc): void {
  for (const n of net.nodes) saveGenesis(homePaths(n.home).genesis, doc);
}

/**
 * Two staking chains (validators made by gentxs, as the devnet makes them) whose genesis each hold a
 * client of the other and the channel ends of `channels`. Neither is started.
 */
export async function createIbcPair(o: IbcPairOptions): Promise<{ a: Testnet; b: Testnet }> {
  const make = (chainId: string, validators: number) =>
    Testnet.create({
      validators,
      chainId,
      proxyApp: "icsd",
      minimumGasPrices: GAS_PRICE,
      staking: { selfBond: 100_000_000n },
      timeoutCommitMs: o.timeoutCommitMs ?? 200,
      appState: fundedAppState(o.funded, o.fund ?? 10_000_000_000n),
    });
  const a = await make(o.chainIdA ?? "ibc-a", o.validatorsA);
  const b = await make(o.chainIdB ?? "ibc-b", o.validatorsB);
  const genA = loadGenesis(homePaths(a.nodes[0]!.home).genesis);
  const genB = loadGenesis(homePaths(b.nodes[0]!.home).genesis);
  let docA = genA;
  let docB = genB;
  let first = true;
  for (const c of o.channels) {
    const common = {
      portId: c.port,
      counterpartyPortId: c.port,
      ordering: c.ordering,
      version: c.version ?? "ics20-1",
    };
    // One client per side; every channel is bound to it. addIbcPath adds the client with the first channel.
    if (first) {
      docA = await addIbcPath(docA, {
        ...common,
        clientId: CLIENT_A,
        counterparty: genB,
        counterpartyApp: "icsd",
        channelId: c.channelA,
        counterpartyChannelId: c.channelB,
      });
      docB = await addIbcPath(docB, {
        ...common,
        clientId: CLIENT_B,
        counterparty: genA,
        counterpartyApp: "icsd",
        channelId: c.channelB,
        counterpartyChannelId: c.channelA,
      });
      first = false;
    } else {
      docA = addChannel(docA, {
        ...common,
        channelId: c.channelA,
        counterpartyChannelId: c.channelB,
        clientId: CLIENT_A,
      });
      docB = addChannel(docB, {
        ...common,
        channelId: c.channelB,
        counterpartyChannelId: c.channelA,
        clientId: CLIENT_B,
      });
    }
  }
  saveEverywhere(a, docA);
  saveEverywhere(b, docB);
  return { a, b };
}

function addChannel(
  doc: GenesisDoc,
  c: {
    portId: string;
    counterpartyPortId: string;
    channelId: string;
    counterpartyChannelId: string;
    clientId: string;
    ordering: string;
    version: string;
  },
): GenesisDoc {
  const ibc = { ...(doc.appState.ibc as Record<string, unknown>) };
  ibc.channels = [
    ...((ibc.channels as unknown[]) ?? []),
    {
      port_id: c.portId,
      channel_id: c.channelId,
      counterparty_port_id: c.counterpartyPortId,
      counterparty_channel_id: c.counterpartyChannelId,
      client_id: c.clientId,
      ordering: c.ordering,
      version: c.version,
    },
  ];
  return { ...doc, appState: { ...doc.appState, ibc } };
}

/** A relayer process of `icsd relayer start`, its config and log in its own directory. */
export class RelayerProcess {
  readonly dir: string;
  readonly config: string;
  readonly metricsPort: number;
  proc: ChildProcess | undefined;

  private constructor(dir: string, config: string, metricsPort: number) {
    this.dir = dir;
    this.config = config;
    this.metricsPort = metricsPort;
  }

  /** Writes a config relaying every channel of the pair with `relayerUser`'s key. */
  static async create(
    a: Testnet,
    b: Testnet,
    channels: readonly PairChannel[],
    relayer: User,
    extra: { pollMs?: number; maxMsgs?: number } = {},
  ): Promise<RelayerProcess> {
    const dir = mkdtempSync(join(tmpdir(), "icsd-relayer-"));
    const mnemonicFile = join(dir, "relayer.mnemonic");
    writeFileSync(mnemonicFile, `${relayer.mnemonic}\n`, { mode: 0o600 });
    const metricsPort = await freePort();
    const chain = (net: Testnet) => `[[chains]]
id = "${net.chainId}"
rpc = "http://127.0.0.1:${net.nodes[0]!.rpcPort}"
prefix = "cosmos"
gas_price = "${GAS_PRICE}"
gas_adjustment = 1.5
mnemonic_file = "${mnemonicFile}"
`;
    const paths = channels
      .map(
        (c) => `[[paths]]
a = { chain = "${a.chainId}", client_id = "${c.clientA ?? CLIENT_A}", port = "${c.portA ?? c.port}", channel = "${c.channelA}" }
b = { chain = "${b.chainId}", client_id = "${c.clientB ?? CLIENT_B}", port = "${c.portB ?? c.port}", channel = "${c.channelB}" }
`,
      )
      .join("\n");
    const text = `[global]
poll_interval_ms = ${extra.pollMs ?? 300}
max_msgs_per_tx = ${extra.maxMsgs ?? 100}
metrics_listen = "127.0.0.1:${metricsPort}"

${chain(a)}
${chain(b)}
${paths}`;
    const config = join(dir, "relayer.toml");
    writeFileSync(config, text);
    return new RelayerProcess(dir, config, metricsPort);
  }

  get logPath(): string {
    return join(this.dir, "relayer.log");
  }

  start(): void {
    if (this.proc && this.proc.exitCode === null && this.proc.signalCode === null) return;
    const fd = openSync(this.logPath, "a");
    this.proc = spawn(
      process.execPath,
      ["--disable-warning=ExperimentalWarning", MAIN, "relayer", "start", "--config", this.config],
      { stdio: ["ignore", fd, fd] },
    );
    closeSync(fd);
  }

  async kill(signal: NodeJS.Signals = "SIGKILL"): Promise<void> {
    const p = this.proc;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    const exited = new Promise((r) => p.once("exit", r));
    p.kill(signal);
    const t = setTimeout(() => p.kill("SIGKILL"), 5000);
    await exited;
    clearTimeout(t);
  }

  /** Prometheus text from the relayer's metrics endpoint ("" when it does not answer). */
  async metrics(): Promise<string> {
    try {
      const r = await fetch(`http://127.0.0.1:${this.metricsPort}/metrics`, {
        signal: AbortSignal.timeout(2000),
      });
      return await r.text();
    } catch {
      return "";
    }
  }

  logTail(lines = 20): string {
    try {
      return readFileSync(this.logPath, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
    } catch {
      return "(no relayer log)";
    }
  }

  async cleanup(): Promise<void> {
    await this.kill();
    if (!process.env.ICSD_KEEP_E2E) rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Polls `check` every 500 ms until it returns true; throws with `describe()` after `timeoutMs`. */
export async function waitUntil(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs: number,
  describe: () => Promise<string> | string = () => "",
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${await describe()}`);
    await sleep(500);
  }
}
