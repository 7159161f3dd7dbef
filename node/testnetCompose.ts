/**
 * The container layout of a testnet (`icsd testnet init-files`): which compose service runs which node,
 * where its home is on the host and in the container, which host port publishes its RPC, and the
 * docker-compose.yml that runs them. Pure: nothing here touches the disk or the network.
 */
import { consumerChainIds } from "./devnetLayout.ts";

/** Where a node's home is mounted in its container (the image's user is `node`). */
export const TESTNET_CONTAINER_HOME = "/home/node/.icsd";
/** Where the relayer's directory (relayer.toml, its mnemonic, its keyring) is mounted. */
export const TESTNET_CONTAINER_RELAYER_DIR = "/home/node/relayer";
export const TESTNET_CONTAINER_RELAYER_CONFIG = `${TESTNET_CONTAINER_RELAYER_DIR}/relayer.toml`;
/** Every container listens on the same ports: each has its own network address. */
export const TESTNET_P2P_PORT = 26656;
export const TESTNET_RPC_PORT = 26657;
export const TESTNET_RELAYER_METRICS_PORT = 26660;
/** The image the compose services run (`docker build -t icsd:local .`). */
export const TESTNET_IMAGE = "icsd:local";
/** The relayer's compose service and its directory in the output. */
export const TESTNET_RELAYER_SERVICE = "relayer";
/** The most validators and consumers init-files makes (host RPC ports stay distinct, see hostRpcPort). */
export const TESTNET_MAX_VALIDATORS = 50;
export const TESTNET_MAX_CONSUMERS = 20;

/** One node's container: its compose service, home on the host and host RPC port. */
export interface TestnetServicePlan {
  /** Compose service, also the node's host name on the compose network: provider-1-0, consumer-1-0. */
  readonly service: string;
  readonly chainId: string;
  /** The node's name in its chain (node0..), as in the devnet. */
  readonly name: string;
  /** Its home relative to the output directory: `<chain-id>/node<i>`. */
  readonly hostHome: string;
  /** The host port (on 127.0.0.1) that publishes the container's RPC port. */
  readonly hostRpcPort: number;
}

/** One chain of a testnet and its nodes' containers. */
export interface TestnetChainPlan {
  readonly chainId: string;
  readonly mode: "provider" | "consumer";
  readonly nodes: readonly TestnetServicePlan[];
}

/** The containers of a testnet: one per node of every chain, and the relayer when there are consumers. */
export interface TestnetPlan {
  readonly chains: readonly TestnetChainPlan[];
  readonly relayer?: {
    readonly service: string;
    /** Its directory relative to the output directory. */
    readonly hostDir: string;
    readonly hostMetricsPort: number;
  };
}

/** Topology of a testnet (the devnet's defaults: 4 validators, 1 consumer, provider-1). */
export interface TestnetTopology {
  readonly validators: number;
  readonly consumers: number;
  readonly chainId: string;
}

export const DEFAULT_TESTNET_TOPOLOGY: TestnetTopology = {
  validators: 4,
  consumers: 1,
  chainId: "provider-1",
};

/**
 * Host RPC port of node `node` of chain `chain` (0: the provider, k: consumer-k): 26657 + 1000 chain +
 * 10 node. With at most 50 nodes a chain spans 26657..27147, below the next chain's block, and never
 * 26660 (the relayer's metrics).
 */
export function hostRpcPort(chain: number, node: number): number {
  return TESTNET_RPC_PORT + 1000 * chain + 10 * node;
}

/** Compose service of a node: `<chain id>-<i>` (provider-1-0, consumer-1-0). */
export function testnetServiceName(_mode: "provider" | "consumer", chainId: string, node: number): string {
  return `${chainId}-${node}`;
}

/** The containers of a topology; node i of each chain is run by provider validator i. */
export function testnetPlan(t: TestnetTopology): TestnetPlan {
  const chain = (mode: "provider" | "consumer", chainId: string, index: number): TestnetChainPlan => ({
    chainId,
    mode,
    nodes: Array.from({ length: t.validators }, (_, i) => ({
      service: testnetServiceName(mode, chainId, i),
      chainId,
      name: `node${i}`,
      hostHome: `${chainId}/node${i}`,
      hostRpcPort: hostRpcPort(index, i),
    })),
  });
  const consumers = consumerChainIds(t.consumers);
  return {
    chains: [chain("provider", t.chainId, 0), ...consumers.map((id, k) => chain("consumer", id, k + 1))],
    ...(consumers.length > 0
      ? {
          relayer: {
            service: TESTNET_RELAYER_SERVICE,
            hostDir: "relayer",
            hostMetricsPort: TESTNET_RELAYER_METRICS_PORT,
          },
        }
      : {}),
  };
}

/** The healthcheck command of a container: GET on a local URL with Node's fetch, exit 0 on a 2xx. */
export function healthcheckCommand(url: string): string[] {
  return ["CMD", "node", "-e", `fetch('${url}').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))`];
}

// JSON strings are YAML double-quoted scalars: every value is written that way, nothing is left to
// YAML's type guessing (a port "8080:80" or a "yes" would otherwise be read as something else).
const q = (s: string): string => JSON.stringify(s);
const list = (items: readonly string[]): string => `[${items.map(q).join(", ")}]`;

/**
 * What the services share: the image, restarts, and the user, who must own the bind-mounted homes:
 * the image's `node` (1000) unless ICSD_UID/ICSD_GID name the owner of the output directory.
 */
function common(): string[] {
  return [
    `    image: ${q(TESTNET_IMAGE)}`,
    // biome-ignore lint/suspicious/noTemplateCurlyInString: compose interpolates ${VAR:-default} itself.
    `    user: ${q("${ICSD_UID:-1000}:${ICSD_GID:-1000}")}`,
    "    restart: unless-stopped",
    "    stop_grace_period: 30s",
  ];
}

function healthcheck(url: string): string[] {
  return [
    "    healthcheck:",
    "      test:",
    ...healthcheckCommand(url).map((a) => `        - ${q(a)}`),
    "      interval: 5s",
    "      timeout: 3s",
    "      retries: 6",
    "      start_period: 60s",
  ];
}

function join(dir: string, rel: string): string {
  return dir === "." ? `./${rel}` : `${dir.replace(/\/$/, "")}/${rel}`;
}

/**
 * docker-compose.yml for a plan: a service per node (`icsd start` on its bind-mounted home, RPC published
 * on 127.0.0.1, healthy once RPC /status answers) and the relayer (started once every node is healthy).
 * `homesDir` is the output directory as seen from the compose file (`./testnet` at the repository root,
 * `.` inside the output directory); `header` lines become the leading comment.
 */
export function testnetComposeYaml(plan: TestnetPlan, homesDir: string, header: readonly string[]): string {
  const lines: string[] = [...header.map((l) => (l === "" ? "#" : `# ${l}`)), "", "services:"];
  const nodes = plan.chains.flatMap((c) => c.nodes);
  for (const n of nodes) {
    lines.push(
      `  ${n.service}:`,
      ...common(),
      `    command: ${list(["start", "--home", TESTNET_CONTAINER_HOME])}`,
      "    volumes:",
      `      - ${q(`${join(homesDir, n.hostHome)}:${TESTNET_CONTAINER_HOME}`)}`,
      "    ports:",
      `      - ${q(`127.0.0.1:${n.hostRpcPort}:${TESTNET_RPC_PORT}`)}`,
      ...healthcheck(`http://127.0.0.1:${TESTNET_RPC_PORT}/status`),
      "",
    );
  }
  const r = plan.relayer;
  if (r) {
    lines.push(
      `  ${r.service}:`,
      ...common(),
      `    command: ${list(["relayer", "start", "--config", TESTNET_CONTAINER_RELAYER_CONFIG])}`,
      "    volumes:",
      `      - ${q(`${join(homesDir, r.hostDir)}:${TESTNET_CONTAINER_RELAYER_DIR}`)}`,
      "    ports:",
      `      - ${q(`127.0.0.1:${r.hostMetricsPort}:${TESTNET_RELAYER_METRICS_PORT}`)}`,
      "    depends_on:",
      ...nodes.flatMap((n) => [`      ${n.service}:`, "        condition: service_healthy"]),
      ...healthcheck(`http://127.0.0.1:${TESTNET_RELAYER_METRICS_PORT}/metrics`),
      "",
    );
  }
  return `${lines.join("\n").trimEnd()}\n`;
}

/** The header of the docker-compose.yml init-files writes into its output directory. */
export function outputComposeHeader(t: TestnetTopology): string[] {
  return [
    `Written by \`icsd testnet init-files\` for this directory: ${t.chainId} with ${t.validators} validators,`,
    `${t.consumers} consumer chain(s) with a node per validator${t.consumers > 0 ? ", one relayer" : ""}.`,
    "Run it from anywhere: docker compose -f <this file> up -d (paths are relative to this file).",
    "Build the image first: docker build -t icsd:local <the icsd checkout>. See docs/docker.md.",
    "The containers run as ICSD_UID:ICSD_GID (default 1000:1000, the image's user `node`), who must",
    "own this directory: export ICSD_UID=$(id -u) ICSD_GID=$(id -g) when it is not 1000.",
  ];
}
