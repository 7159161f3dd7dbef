/** Shared helpers of the p2p integration tests: hosts on 127.0.0.1, bounded waits, guaranteed cleanup. */
import { createP2p, generateNodeKey, type P2p, type P2pOptionsInput } from "../../../p2p/index.ts";
import { silentLogger } from "../../../utils/index.ts";

/** Fast settings for tests: quick heartbeat, short backoff. */
export const fast = {
  heartbeatMs: 100,
  redialMinMs: 100,
  redialMaxMs: 400,
  handshakeTimeoutMs: 2_000,
} as const;

/** Tracks hosts so an after() hook stops every one of them. */
export class Hosts {
  private readonly all: P2p[] = [];

  /** Creates and starts a host on a free loopback port. */
  async start(opts: Partial<P2pOptionsInput> & { chainId: string }): Promise<P2p> {
    const host = createP2p(
      { nodeKeySeed: generateNodeKey(), listenAddrs: ["/ip4/127.0.0.1/tcp/0"], ...fast, ...opts },
      { logger: silentLogger() },
    );
    this.all.push(host);
    await host.start();
    return host;
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.all.map((h) => h.stop()));
    this.all.length = 0;
  }
}

/** The first listen address of a started host. */
export function addrOf(host: P2p): string {
  const a = host.listenAddrs()[0];
  if (a === undefined) throw new Error("host has no listen address");
  return a;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls `cond` every 25 ms; throws with `what` if it does not hold within `timeoutMs`. */
export async function waitFor(what: string, cond: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await sleep(25);
  }
}

/** Whether `host` lists `peerId` among its handshaken peers. */
export function hasPeer(host: P2p, peerId: string): boolean {
  return host.peers().some((p) => p.id === peerId);
}
