import type { ChildProcess } from "node:child_process";
import { resolve } from "node:path";
import { rpcCall } from "../rpc/index.ts";
import { IcsdError } from "../utils/index.ts";
import {
  type DevnetFile,
  type DevnetLayoutOptions,
  prepareDevnet,
  readDevnetFile,
  writeDevnetFile,
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

/** Prints the funded accounts (names and addresses; the mnemonics stay in devnet.json). */
function printAccounts(f: DevnetFile, out: (l: string) => void): void {
  if (f.accounts.length === 0) return;
  const home = f.chains[0]?.nodes[0]?.home;
  out(`accounts (keys in the test keyring of ${home}):`);
  const width = Math.max(...f.accounts.map((a) => a.name.length));
  for (const a of f.accounts) out(`  ${a.name.padEnd(width)}  ${a.address}`);
}

function runningPids(f: DevnetFile): number[] {
  return [
    ...(f.relayers ?? []).filter((r) => isRelayerProcess(r.pid, r.config)).map((r) => r.pid),
    ...f.chains.flatMap((c) => c.nodes.filter((n) => isIcsdProcess(n.pid, n.home)).map((n) => n.pid)),
  ];
}

/** One line per channel of a chain: `transfer/channel-0 <-> chain-b transfer/channel-0 (client 07-icsd-0)`. */
function channelLines(f: DevnetFile): string[] {
  return f.chains.flatMap((c) =>
    (c.channels ?? []).map(
      (ch) =>
        `  ${c.chainId} ${ch.port}/${ch.channel} <-> ${ch.counterpartyChainId} ${ch.port}/${ch.counterpartyChannel} (client ${ch.clientId})`,
    ),
  );
}

/**
 * `icsd devnet up`: prepares (or resumes) the devnet, starts every node, waits until all report height
 * >= minHeight (default 2), prints a summary, and in the foreground stops every node on SIGINT/SIGTERM.
 * On a start failure the nodes are stopped and the error names the nodes that did not start, with the
 * tail of their logs.
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
  const chains = layout.file.chains;
  const nodes = chains.flatMap((c) => c.nodes);
  progress(
    `${layout.resumed ? "resuming" : "created"} devnet in ${dir}: ${chains
      .map((c) => `${c.chainId} (${c.nodes.length} validators)`)
      .join(", ")}${layout.file.relayers.length ? ", 1 relayer" : ""}`,
  );

  const children: ChildProcess[] = [];
  const names: string[] = [];
  const exited = new Map<string, number | string>();
  const label = (chainId: string, name: string) => (chains.length > 1 ? `${chainId}/${name}` : name);
  for (const c of chains) {
    for (const n of c.nodes) {
      const child = spawnNode(n.home);
      const name = label(c.chainId, n.name);
      child.once("exit", (code, signal) => exited.set(name, code ?? signal ?? "?"));
      if (opts.detach) child.unref();
      children.push(child);
      names.push(name);
      n.pid = child.pid ?? 0;
    }
  }
  // The relayer starts with the nodes: it retries until their RPC answers.
  for (const r of layout.file.relayers) {
    const child = spawnRelayer(r.config, r.log);
    child.once("exit", (code, signal) => exited.set(r.name, code ?? signal ?? "?"));
    if (opts.detach) child.unref();
    children.push(child);
    names.push(r.name);
    r.pid = child.pid ?? 0;
  }
  writeDevnetFile(dir, layout.file);
  const pids = children.map((c) => c.pid ?? 0);

  const minHeight = opts.minHeight ?? 2;
  const deadline = Date.now() + (opts.waitTimeoutMs ?? 60_000);
  const heights = new Map<string, number | undefined>();
  const tracked = chains.flatMap((c) => c.nodes.map((n) => ({ name: label(c.chainId, n.name), n })));
  let lastLine = "";
  for (;;) {
    await Promise.all(tracked.map(async ({ name, n }) => heights.set(name, await nodeHeight(n.rpc))));
    const line = `waiting for height ${minHeight}: ${tracked
      .map(({ name }) => `${name}=${exited.has(name) ? "exited" : (heights.get(name) ?? "-")}`)
      .join(" ")}`;
    if (line !== lastLine) progress(line);
    lastLine = line;
    const ready = tracked.every(({ name }) => (heights.get(name) ?? -1) >= minHeight);
    const relayerDown = layout.file.relayers.filter((r) => exited.has(r.name));
    if (ready && relayerDown.length === 0) break;
    const failed = tracked.filter(({ name }) => exited.has(name));
    if (failed.length > 0 || relayerDown.length > 0 || Date.now() > deadline) {
      await stopProcesses(pids, 5000);
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
        { nodes: [...bad.map(({ name }) => name), ...relayerDown.map((r) => r.name)] },
      );
    }
    await new Promise((r) => setTimeout(r, 500));
  }

  for (const c of chains) {
    out(`chain ${c.chainId} is producing blocks (${c.nodes.length} validators)`);
    for (const n of c.nodes) out(`  ${n.name}  rpc ${n.rpc}  pid ${n.pid}  log ${nodeLogPath(n.home)}`);
  }
  const chLines = channelLines(layout.file);
  if (chLines.length > 0) {
    out("channels:");
    for (const l of chLines) out(l);
  }
  for (const r of layout.file.relayers) {
    out(`relayer ${r.name}  pid ${r.pid}  config ${r.config}  log ${r.log}  metrics ${r.metrics}`);
  }
  printAccounts(layout.file, out);
  out(`  devnet.json: ${resolve(dir, "devnet.json")}`);
  if (opts.detach) {
    out(`stop it with: icsd devnet down --home ${opts.dir}`);
    return;
  }
  out("press Ctrl-C to stop every node");
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
    for (const [i, c] of children.entries()) {
      c.once("exit", (code, signal) => {
        if (!stopping) progress(`${names[i]} exited (${code ?? signal}); see its log`);
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

/** `icsd devnet status`: one line per node with its height, or why it does not answer. */
export async function devnetStatus(
  dirArg: string,
  out: (l: string) => void = (l) => process.stdout.write(`${l}\n`),
): Promise<void> {
  const dir = resolve(dirArg);
  const f = readDevnetFile(dir);
  if (!f) throw new IcsdError("DEVNET_NOT_FOUND", `no devnet in ${dir} (devnet.json not found)`);
  for (const c of f.chains) {
    out(`chain ${c.chainId} (${c.mode})`);
    for (const n of c.nodes) {
      const running = isIcsdProcess(n.pid, n.home);
      const h = running ? await nodeHeight(n.rpc) : undefined;
      const state = !running ? "stopped" : h === undefined ? "running, rpc not answering" : `height ${h}`;
      out(`  ${n.name}  ${n.rpc}  pid ${n.pid}  ${state}`);
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
