import type { ChildProcess } from "node:child_process";
import { resolve } from "node:path";
import { rpcCall } from "../rpc/index.ts";
import { IcsdError } from "../utils/index.ts";
import { consumerChannelState, launchDevnetConsumers } from "./devnetConsumer.ts";
import {
  type DevnetChainRecord,
  type DevnetFile,
  type DevnetLayoutOptions,
  type DevnetNodeRecord,
  type DevnetRelayerRecord,
  prepareDevnet,
  readDevnetFile,
  refreshDevnetPorts,
  writeDevnetFile,
  writeDevnetRelayerConfig,
} from "./devnetLayout.ts";
import {
  isIcsdProcess,
  isRelayerProcess,
  nodeLogPath,
  spawnNode,
  spawnRelayer,
  stopProcesses,
  tailFile,
} from "./devnetProcess.ts";

/** Options of `icsd devnet up`. */
export interface DevnetUpOptions extends DevnetLayoutOptions {
  /** Return once the devnet produces blocks, leaving the nodes running. */
  readonly detach: boolean;
  /** How long to wait for every node to reach `minHeight`. */
  readonly waitTimeoutMs?: number;
  readonly minHeight?: number;
  /** Progress and summary lines (default: stderr / stdout). */
  readonly out?: (line: string) => void;
  readonly progress?: (line: string) => void;
}

/** Height of a node from RPC `status`, or undefined when it does not answer. */
export async function nodeHeight(rpc: string): Promise<number | undefined> {
  try {
    const s = (await rpcCall(rpc, "status", {}, 1000)) as { sync_info?: { latest_block_height?: string } };
    const h = Number(s?.sync_info?.latest_block_height);
    return Number.isFinite(h) ? h : undefined;
  } catch {
    return undefined;
  }
}

/** Number of peers of a node from RPC `net_info`, or undefined when it does not answer. */
async function nodePeers(rpc: string): Promise<number | undefined> {
  try {
    const s = (await rpcCall(rpc, "net_info", {}, 1000)) as { n_peers?: string };
    const n = Number(s?.n_peers);
    return Number.isFinite(n) ? n : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Prints the funded accounts: name, address and mnemonic (test keys of a throwaway network; also in
 * devnet.json and node0's test keyring).
 */
function printAccounts(f: DevnetFile, out: (l: string) => void, withMnemonics = false): void {
  if (f.accounts.length === 0) return;
  const home = f.chains[0]?.nodes[0]?.home;
  out(
    `accounts (keys in the test keyring of ${home}${withMnemonics ? "; devnet keys: never use them elsewhere" : ""}):`,
  );
  const width = Math.max(...f.accounts.map((a) => a.name.length));
  for (const a of f.accounts) {
    out(`  ${a.name.padEnd(width)}  ${a.address}`);
    if (withMnemonics) out(`  ${" ".repeat(width)}  mnemonic: ${a.mnemonic}`);
  }
}

function runningPids(f: DevnetFile): number[] {
  return [
    ...(f.relayers ?? []).filter((r) => isRelayerProcess(r.pid, r.config)).map((r) => r.pid),
    ...f.chains.flatMap((c) => c.nodes.filter((n) => isIcsdProcess(n.pid, n.home)).map((n) => n.pid)),
  ];
}

/** One line per channel of a chain: `provider-1 provider/channel-0 <-> consumer-1 consumer/channel-0 (client 07-icsd-0)`. */
function channelLines(f: DevnetFile): string[] {
  return f.chains.flatMap((c) =>
    (c.channels ?? []).map(
      (ch) =>
        `  ${c.chainId} ${ch.port}/${ch.channel} <-> ${ch.counterpartyChainId} ${ch.counterpartyPort ?? ch.port}/${ch.counterpartyChannel} (client ${ch.clientId})`,
    ),
  );
}

function chainTitle(c: DevnetChainRecord): string {
  const assigned = c.nodes.filter((n) => n.assignedKey).map((n) => n.name);
  const extra = c.mode === "consumer" && c.consumerId !== undefined ? `, consumer id ${c.consumerId}` : "";
  const keys = assigned.length > 0 ? `, assigned key: ${assigned.join(", ")}` : "";
  return `${c.chainId} (${c.mode}, ${c.nodes.length} validators${extra}${keys})`;
}

interface Tracked {
  readonly name: string;
  readonly n: DevnetNodeRecord;
}

/** A devnet being started: its children, which of them exited, and how to stop them all. */
export class Starting {
  readonly children: ChildProcess[] = [];
  readonly names: string[] = [];
  readonly exited = new Map<string, number | string>();
  private readonly detach: boolean;

  constructor(detach: boolean) {
    this.detach = detach;
  }

  add(name: string, child: ChildProcess): number {
    child.once("exit", (code, signal) => this.exited.set(name, code ?? signal ?? "?"));
    if (this.detach) child.unref();
    this.children.push(child);
    this.names.push(name);
    return child.pid ?? 0;
  }

  get pids(): number[] {
    return this.children.map((c) => c.pid ?? 0);
  }
}

/**
 * Waits until every tracked node reports height >= minHeight; DEVNET_START_FAILED (naming the nodes, with
 * the tail of their logs) when one exits, the relayer exits, or the deadline passes.
 */
export async function waitForHeights(
  s: Starting,
  tracked: readonly Tracked[],
  relayers: readonly DevnetRelayerRecord[],
  minHeight: number,
  timeoutMs: number,
  progress: (l: string) => void,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const heights = new Map<string, number | undefined>();
  let lastLine = "";
  for (;;) {
    await Promise.all(tracked.map(async ({ name, n }) => heights.set(name, await nodeHeight(n.rpc))));
    const line = `waiting for height ${minHeight}: ${tracked
      .map(({ name }) => `${name}=${s.exited.has(name) ? "exited" : (heights.get(name) ?? "-")}`)
      .join(" ")}`;
    if (line !== lastLine) progress(line);
    lastLine = line;
    const ready = tracked.every(({ name }) => (heights.get(name) ?? -1) >= minHeight);
    const relayerDown = relayers.filter((r) => s.exited.has(r.name));
    if (ready && relayerDown.length === 0) return;
    const failed = tracked.filter(({ name }) => s.exited.has(name));
    if (failed.length > 0 || relayerDown.length > 0 || Date.now() > deadline) {
      const bad =
        failed.length > 0 ? failed : tracked.filter(({ name }) => (heights.get(name) ?? -1) < minHeight);
      const why = failed.length > 0 ? "exited" : `did not reach height ${minHeight} in time`;
      const logs = [
        ...bad.map(({ n }) => `--- ${nodeLogPath(n.home)} (last lines)\n${tailFile(nodeLogPath(n.home), 8)}`),
        ...relayerDown.map((r) => `--- ${r.log} (last lines)\n${tailFile(r.log, 8)}`),
      ].join("\n");
      const who = [...bad.map(({ name }) => `${name} ${why}`), ...relayerDown.map((r) => `${r.name} exited`)];
      throw new IcsdError(
        "DEVNET_START_FAILED",
        `devnet did not start: ${who.join(", ")}; all processes stopped\n${logs}`,
        {
          nodes: [...bad.map(({ name }) => name), ...relayerDown.map((r) => r.name)],
        },
      );
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

/**
 * Waits until every consumer's CCV channel carries its first validator-set change (the consumer's
 * ProviderInfo says established): the provider sends one at the end of the first epoch after launch and
 * the relayer carries it. A closed channel (a resumed devnet whose consumer was removed) is reported and
 * not waited for. DEVNET_START_FAILED when the relayer exits or the deadline passes.
 */
async function waitForCcvChannels(
  s: Starting,
  consumers: readonly DevnetChainRecord[],
  relayers: readonly DevnetRelayerRecord[],
  timeoutMs: number,
  progress: (l: string) => void,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastLine = "";
  for (;;) {
    const states = await Promise.all(consumers.map((c) => consumerCcvState(c)));
    const line = `waiting for the first validator-set change on each ccv channel: ${consumers
      .map((c, i) => `${c.chainId}=${states[i] ?? "-"}`)
      .join(" ")}`;
    if (line !== lastLine) progress(line);
    lastLine = line;
    if (states.every((st) => st === "established" || st === "closed")) {
      for (const [i, c] of consumers.entries()) {
        if (states[i] === "closed") progress(`warning: ${c.chainId}'s ccv channel is closed`);
      }
      return;
    }
    const relayerDown = relayers.filter((r) => s.exited.has(r.name));
    if (relayerDown.length > 0 || Date.now() > deadline) {
      const why =
        relayerDown.length > 0
          ? `${relayerDown.map((r) => r.name).join(", ")} exited`
          : `no validator-set change reached ${consumers
              .filter((_, i) => states[i] !== "established" && states[i] !== "closed")
              .map((c) => c.chainId)
              .join(", ")} within ${timeoutMs} ms`;
      const logs = relayers.map((r) => `--- ${r.log} (last lines)\n${tailFile(r.log, 8)}`).join("\n");
      throw new IcsdError(
        "DEVNET_START_FAILED",
        `devnet did not start: ${why}; all processes stopped\n${logs}`,
      );
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

/**
 * `icsd devnet up`: prepares (or resumes) the devnet, starts the provider's nodes, launches the consumer
 * chains not launched yet (MsgCreateConsumer, opt-ins, consumer genesis: see devnetConsumer.ts), starts
 * the consumer nodes and the relayer, waits until every node reports height >= minHeight (default 2)
 * and every CCV channel carries its first validator-set change, prints a summary, and in the foreground stops every process on SIGINT/SIGTERM. On a failure every
 * process started is stopped and the error names what failed, with the tail of its log.
 */
export async function devnetUp(opts: DevnetUpOptions): Promise<void> {
  const out = opts.out ?? ((l: string) => process.stdout.write(`${l}\n`));
  const progress = opts.progress ?? ((l: string) => process.stderr.write(`${l}\n`));
  const dir = resolve(opts.dir);
  const before = readDevnetFile(dir);
  if (before && runningPids(before).length > 0) {
    throw new IcsdError(
      "DEVNET_RUNNING",
      `a devnet is already running in ${dir}: run \`icsd devnet down --home ${opts.dir}\` first`,
    );
  }
  const layout = await prepareDevnet({ ...opts, dir });
  const f = layout.file;
  const chains = f.chains;
  progress(
    `${layout.resumed ? "resuming" : "created"} devnet in ${dir}: ${chains
      .map((c) => `${c.chainId} (${c.nodes.length} validators)`)
      .join(", ")}${f.relayers.length ? ", 1 relayer" : ""}`,
  );

  const s = new Starting(opts.detach);
  const label = (chainId: string, name: string) => (chains.length > 1 ? `${chainId}/${name}` : name);
  const trackedOf = (c: DevnetChainRecord): Tracked[] =>
    c.nodes.map((n) => ({ name: label(c.chainId, n.name), n }));
  const startChain = (c: DevnetChainRecord) => {
    for (const n of c.nodes) n.pid = s.add(label(c.chainId, n.name), spawnNode(n.home));
  };
  const timeoutMs = opts.waitTimeoutMs ?? 60_000;
  const relayers: DevnetRelayerRecord[] = [];
  try {
    const provider = chains[0]!;
    const consumers = chains.filter((c) => c.mode === "consumer");
    startChain(provider);
    // Other chains (devnets made before consumers) start with the provider.
    for (const c of chains.slice(1)) if (c.mode !== "consumer") startChain(c);
    writeDevnetFile(dir, f);
    if (consumers.length > 0) {
      // Transactions need a running provider: launch once it produces blocks.
      await waitForHeights(s, trackedOf(provider), [], 2, timeoutMs, progress);
      await launchDevnetConsumers(f, { dir, timeoutMs, progress });
      for (const c of consumers) {
        await refreshDevnetPorts(f, c.chainId);
        startChain(c);
      }
    }
    // The relayer starts with the nodes: it retries until their RPC answers.
    for (const r of f.relayers) {
      if (!writeDevnetRelayerConfig(dir, f, r)) continue;
      r.pid = s.add(r.name, spawnRelayer(r.config, r.log));
      relayers.push(r);
    }
    writeDevnetFile(dir, f);
    await waitForHeights(s, chains.flatMap(trackedOf), relayers, opts.minHeight ?? 2, timeoutMs, progress);
    if (relayers.length > 0) await waitForCcvChannels(s, consumers, relayers, timeoutMs, progress);
  } catch (e) {
    await stopProcesses(s.pids, 5000);
    if (e instanceof IcsdError && e.code !== "DEVNET_START_FAILED") {
      const log = nodeLogPath(chains[0]!.nodes[0]!.home);
      throw new IcsdError(
        e.code,
        `${e.message}; all processes stopped\n--- ${log} (last lines)\n${tailFile(log, 8)}`,
        e.meta,
      );
    }
    throw e;
  }

  for (const c of chains) {
    out(`chain ${chainTitle(c)} is producing blocks`);
    for (const n of c.nodes) out(`  ${n.name}  rpc ${n.rpc}  pid ${n.pid}  log ${nodeLogPath(n.home)}`);
  }
  const chLines = channelLines(f);
  if (chLines.length > 0) {
    out("channels:");
    for (const l of chLines) out(l);
  }
  for (const r of relayers) {
    out(`relayer ${r.name}  pid ${r.pid}  config ${r.config}  log ${r.log}  metrics ${r.metrics}`);
  }
  printAccounts(f, out, true);
  out(`  devnet.json: ${resolve(dir, "devnet.json")}`);
  if (opts.detach) {
    out(`stop it with: icsd devnet down --home ${opts.dir}`);
    return;
  }
  out("press Ctrl-C to stop every node");
  const pids = s.pids;
  await new Promise<void>((done) => {
    let stopping = false;
    const onSignal = () => {
      if (stopping) return;
      stopping = true;
      progress("stopping devnet...");
      void stopProcesses(pids).then((killed) => {
        if (killed.length > 0) progress(`killed after grace period: ${killed.join(", ")}`);
        process.off("SIGINT", onSignal);
        process.off("SIGTERM", onSignal);
        done();
      });
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
    for (const [i, c] of s.children.entries()) {
      c.once("exit", (code, signal) => {
        if (!stopping) progress(`${s.names[i]} exited (${code ?? signal}); see its log`);
      });
    }
  });
  out("devnet stopped");
}

/** `icsd devnet down`: stops the recorded nodes that are still `icsd start` processes of their homes. */
export async function devnetDown(
  dirArg: string,
  out: (l: string) => void = (l) => process.stdout.write(`${l}\n`),
): Promise<void> {
  const dir = resolve(dirArg);
  const f = readDevnetFile(dir);
  if (!f) throw new IcsdError("DEVNET_NOT_FOUND", `no devnet in ${dir} (devnet.json not found)`);
  const live = [
    ...(f.relayers ?? [])
      .filter((r) => isRelayerProcess(r.pid, r.config))
      .map((r) => ({ name: r.name, pid: r.pid })),
    ...f.chains.flatMap((c) =>
      c.nodes
        .filter((n) => isIcsdProcess(n.pid, n.home))
        .map((n) => ({ name: f.chains.length > 1 ? `${c.chainId}/${n.name}` : n.name, pid: n.pid })),
    ),
  ];
  if (live.length === 0) {
    out("no devnet node is running");
    return;
  }
  // The relayer first, so it does not log errors about nodes going away.
  const killed = await stopProcesses(live.map((n) => n.pid));
  for (const n of live) out(`stopped ${n.name} (pid ${n.pid}${killed.includes(n.pid) ? ", killed" : ""})`);
}

/** The consumer's CCV channel as its first answering node sees it (ProviderInfo query). */
async function consumerCcvState(c: DevnetChainRecord): Promise<string | undefined> {
  for (const n of c.nodes) {
    if (!isIcsdProcess(n.pid, n.home)) continue;
    const st = await consumerChannelState(n.rpc);
    if (st) return st.closed ? "closed" : st.established ? "established" : "not established yet";
  }
  return undefined;
}

/** `icsd devnet status`: one line per node with its height, or why it does not answer. */
export async function devnetStatus(
  dirArg: string,
  out: (l: string) => void = (l) => process.stdout.write(`${l}\n`),
): Promise<void> {
  const dir = resolve(dirArg);
  const f = readDevnetFile(dir);
  if (!f) throw new IcsdError("DEVNET_NOT_FOUND", `no devnet in ${dir} (devnet.json not found)`);
  for (const c of f.chains) {
    out(`chain ${chainTitle(c)}`);
    let anyRunning = false;
    for (const n of c.nodes) {
      const running = isIcsdProcess(n.pid, n.home);
      anyRunning ||= running;
      const [h, peers] = running
        ? await Promise.all([nodeHeight(n.rpc), nodePeers(n.rpc)])
        : [undefined, undefined];
      const state = !running
        ? "stopped"
        : h === undefined
          ? "running, rpc not answering"
          : `height ${h}${peers === undefined ? "" : `, ${peers} peer${peers === 1 ? "" : "s"}`}`;
      out(`  ${n.name}  ${n.rpc}  pid ${n.pid}  ${state}${n.assignedKey ? "  (assigned key)" : ""}`);
    }
    if (c.mode === "consumer") {
      const ccv = anyRunning ? await consumerCcvState(c) : undefined;
      out(
        `  ccv channel: ${c.consumerId === undefined ? "not launched" : (ccv ?? "unknown (consumer not answering)")}`,
      );
    }
  }
  const chLines = channelLines(f);
  if (chLines.length > 0) {
    out("channels:");
    for (const l of chLines) out(l);
  }
  for (const r of f.relayers ?? []) {
    out(
      `relayer ${r.name}  pid ${r.pid}  ${isRelayerProcess(r.pid, r.config) ? "running" : "stopped"}  log ${r.log}`,
    );
  }
  printAccounts(f, out);
}
