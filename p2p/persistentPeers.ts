/**
 * Keeps persistent peers connected: each is dialed at start and, whenever it is not connected, re-dialed
 * with a backoff that doubles from `minMs` to `maxMs` and then stays there, forever. Dial failures are
 * expected (the peer may be down for hours) and logged at debug, never thrown.
 */
import { multiaddr } from "@multiformats/multiaddr";
import type { Logger } from "../utils/index.ts";
import { p2pError } from "./errors.ts";

/** A persistent peer: its peer id and the address to dial. */
export interface PersistentPeer {
  readonly id: string;
  readonly addr: string;
}

/** Parses `/ip4/.../tcp/.../p2p/<id>`; throws P2P_INVALID_ARGUMENT when the address has no peer id. */
export function parsePeerAddr(addr: string): PersistentPeer {
  let id: string | undefined;
  try {
    for (const c of multiaddr(addr).getComponents()) if (c.name === "p2p") id = c.value;
  } catch (e) {
    throw p2pError(
      "P2P_INVALID_ARGUMENT",
      `invalid multiaddr ${addr}: ${e instanceof Error ? e.message : e}`,
    );
  }
  if (id === undefined) throw p2pError("P2P_INVALID_ARGUMENT", `multiaddr ${addr} has no /p2p/<peer id>`);
  return { id, addr };
}

/** What the redialer needs from the host. */
export interface PersistentPeersComponents {
  /** Dials the address; resolves once connected (and the connection may still be dropped later). */
  dial(addr: string): Promise<void>;
  isConnected(peerId: string): boolean;
  logger: Logger;
}

interface State {
  readonly peer: PersistentPeer;
  delayMs: number;
  timer: NodeJS.Timeout | undefined;
  dialing: boolean;
}

/** The redial loop of the persistent peers; `start()`/`stop()` as any service. */
export class PersistentPeers {
  private readonly peers = new Map<string, State>();
  private readonly minMs: number;
  private readonly maxMs: number;
  private readonly c: PersistentPeersComponents;
  private running = false;

  constructor(
    addrs: readonly string[],
    opts: { minMs: number; maxMs: number },
    components: PersistentPeersComponents,
  ) {
    this.minMs = opts.minMs;
    this.maxMs = opts.maxMs;
    this.c = components;
    for (const addr of addrs) {
      const peer = parsePeerAddr(addr);
      this.peers.set(peer.id, { peer, delayMs: opts.minMs, timer: undefined, dialing: false });
    }
  }

  /** Whether `peerId` is one of the persistent peers. */
  has(peerId: string): boolean {
    return this.peers.has(peerId);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    for (const s of this.peers.values()) void this.dial(s);
  }

  stop(): void {
    this.running = false;
    for (const s of this.peers.values()) {
      clearTimeout(s.timer);
      s.timer = undefined;
      s.delayMs = this.minMs;
    }
  }

  /** The host reports a (verified) connection: the backoff starts over. */
  connected(peerId: string): void {
    const s = this.peers.get(peerId);
    if (s === undefined) return;
    s.delayMs = this.minMs;
    clearTimeout(s.timer);
    s.timer = undefined;
  }

  /** The host reports a disconnection: re-dial after the current backoff. */
  disconnected(peerId: string): void {
    const s = this.peers.get(peerId);
    if (s !== undefined) this.schedule(s);
  }

  private schedule(s: State): void {
    if (!this.running || s.timer !== undefined) return;
    const delay = s.delayMs;
    s.delayMs = Math.min(this.maxMs, s.delayMs * 2);
    s.timer = setTimeout(() => {
      s.timer = undefined;
      void this.dial(s);
    }, delay);
    s.timer.unref();
  }

  private async dial(s: State): Promise<void> {
    if (!this.running || s.dialing) return;
    if (this.c.isConnected(s.peer.id)) return;
    s.dialing = true;
    try {
      await this.c.dial(s.peer.addr);
      this.c.logger.debug({ peer: s.peer.id }, "dialed persistent peer");
    } catch (e) {
      this.c.logger.debug(
        { peer: s.peer.id, addr: s.peer.addr, err: String(e), retryMs: s.delayMs },
        "dial failed",
      );
    } finally {
      s.dialing = false;
    }
    // Whether the dial failed or the connection is dropped in the handshake, try again later; a
    // connection that holds cancels the timer through connected().
    if (!this.c.isConnected(s.peer.id)) this.schedule(s);
  }
}
