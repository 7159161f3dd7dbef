/**
 * One simulated node: the pure core behind a tiny shell. The shell answers getValue with a value id
 * like `h3r0n2`, signs (here: stamps its address on) votes and feeds them back, keeps timers, logs every
 * input of the current height to a WAL before the core sees it, and on restart rebuilds the core by
 * replaying that WAL. It rebroadcasts its recent messages whenever a timeout fires, and answers a peer
 * that is behind with the decision proof (proposal + precommits) of the height that peer is stuck at.
 *
 * A byzantine node runs the same core but its shell lies: it sends different proposals to different
 * peers (the alternative sometimes invalid) and conflicting votes to different peers.
 */
import {
  type CoreProposal,
  type CoreState,
  type CoreValidator,
  type CoreVote,
  type Effect,
  type Input,
  initialState,
  isQuorum,
  proposerOf,
  type StepResult,
  totalPower,
  votesOf,
} from "../../consensus/core/index.ts";
import type { Prng } from "./prng.ts";
import type { Scenario } from "./scenario.ts";

/** What travels on the simulated network. */
export type Msg =
  | { readonly t: "proposal"; readonly p: Omit<CoreProposal, "valid"> }
  | { readonly t: "vote"; readonly v: CoreVote }
  | { readonly t: "fetch"; readonly height: number; readonly round: number; readonly value: string }
  /** A decision proof (the block and its Commit), what CometBFT's block sync hands a node that is behind. */
  | {
      readonly t: "commit";
      readonly height: number;
      readonly round: number;
      readonly value: string;
      readonly proposal: Omit<CoreProposal, "valid">;
      readonly precommits: readonly CoreVote[];
    };

/** The height a message belongs to. */
export function msgHeight(m: Msg): number {
  return m.t === "proposal" ? m.p.height : m.t === "vote" ? m.v.height : m.height;
}

/**
 * A commit is valid when its precommits for `value` in `round` come from distinct validators of the
 * height's set holding more than 2/3 of the power, and its proposal is the round's proposer's.
 */
export function verifyCommit(
  c: Extract<Msg, { t: "commit" }>,
  validators: readonly CoreValidator[],
): boolean {
  const p = c.proposal;
  if (p.height !== c.height || p.round !== c.round || p.value !== c.value) return false;
  if (proposerOf(validators, c.round).address !== p.proposer) return false;
  const powers = new Map(validators.map((v) => [v.address, v.power]));
  const seen = new Set<string>();
  let power = 0n;
  for (const v of c.precommits) {
    if (v.kind !== "precommit" || v.height !== c.height || v.round !== c.round || v.value !== c.value)
      return false;
    const w = powers.get(v.validator);
    if (w === undefined || seen.has(v.validator)) return false;
    seen.add(v.validator);
    power += w;
  }
  return isQuorum(power, totalPower(validators));
}

function msgRound(m: Msg): number {
  return m.t === "proposal" ? m.p.round : m.t === "vote" ? m.v.round : m.round;
}

/** What a node may ask of the simulator. */
export interface SimEnv {
  readonly sc: Scenario;
  readonly now: number;
  validatorsFor(height: number): readonly CoreValidator[];
  registerValue(value: string, height: number, valid: boolean): void;
  isValid(value: string): boolean;
  send(from: number, to: number, msg: Msg): void;
  broadcast(from: number, msg: Msg): void;
  scheduleTimer(node: number, epoch: number, afterMs: number, input: Input): void;
  /** Hands `msg` to node `to` again at the current time (buffered messages of a new height). */
  redeliver(from: number, to: number, msg: Msg): void;
  step(state: CoreState, input: Input): StepResult;
  onDecide(node: SimNode, height: number, round: number, value: string): void;
  onEquivocation(culprit: string): void;
  violation(property: string, detail: string): never;
}

/** How far ahead messages are buffered; later ones are dropped (their senders rebroadcast). */
const FUTURE_HEIGHTS = 3;
/** A peer stuck at a height gets that height's proof at most this often. */
const PROOF_INTERVAL_MS = 500;

export class SimNode {
  readonly index: number;
  readonly address: string;
  readonly byzantine: boolean;
  private readonly env: SimEnv;
  private readonly prng: Prng;

  // Persisted: survives a crash (the block store, the WAL of the current height, the signer state).
  height = 1;
  private wal: Input[] = [];
  private readonly proofs = new Map<number, Extract<Msg, { t: "commit" }>>();
  private readonly signed = new Map<string, string | null>();

  // Volatile.
  core: CoreState;
  up = true;
  epoch = 0;
  private pending: Input[] = [];
  private busy = false;
  private future = new Map<number, { from: number; msg: Msg }[]>();
  private own: Msg[] = [];
  private fetches: Msg[] = [];
  private proofSentAt = new Map<string, number>();

  constructor(index: number, address: string, byzantine: boolean, env: SimEnv, prng: Prng) {
    this.index = index;
    this.address = address;
    this.byzantine = byzantine;
    this.env = env;
    this.prng = prng;
    this.core = initialState({ self: address, timeouts: env.sc.timeouts });
  }

  /** A one-line summary for debugging a failing seed. */
  debug(): string {
    const c = this.core;
    const rounds = [...c.votes.rounds.entries()].map(
      ([r, rv]) => `r${r}:pv${rv.prevote.byValidator.size}/pc${rv.precommit.byValidator.size}`,
    );
    return `node ${this.index}${this.byzantine ? " (byz)" : ""} h${this.height} core h${c.height} r${c.round} ${c.step} locked=${JSON.stringify(c.locked)} valid=${JSON.stringify(c.valid)} proposals=${c.proposals.map((p) => `${p.round}:${p.value}:${p.polRound}`).join(",")} votes=${rounds.join(" ")} own=${this.own.length} up=${this.up}`;
  }

  start(): void {
    this.enqueue({ kind: "newHeight", height: 1, validators: this.env.validatorsFor(1) });
  }

  crash(): void {
    this.up = false;
    this.epoch++;
    this.pending = [];
    this.future = new Map();
    this.own = [];
    this.fetches = [];
    this.proofSentAt = new Map();
  }

  /** Rebuilds the core from the WAL of the current height, then resumes. */
  restart(): void {
    this.up = true;
    this.core = initialState({ self: this.address, timeouts: this.env.sc.timeouts });
    for (const input of this.wal) {
      const r = this.env.step(this.core, input);
      this.core = r.state;
      for (const e of r.effects) {
        if (e.kind === "scheduleTimeout") this.scheduleTimeout(e);
        else if (e.kind === "missingValue") this.fetches.push(fetchMsg(e));
      }
      if (input.kind === "vote" && input.vote.validator === this.address)
        this.own.push({ t: "vote", v: input.vote });
    }
    for (const p of this.core.proposals) {
      if (p.proposer === this.address) this.own.unshift(proposalMsg(p));
    }
    if (this.core.awaitingValue)
      this.handle({ kind: "getValue", height: this.core.height, round: this.core.round });
    this.rebroadcast();
    this.drain();
  }

  onTimer(input: Input): void {
    this.rebroadcast();
    this.enqueue(input);
  }

  receive(from: number, msg: Msg): void {
    const h = msgHeight(msg);
    if (msg.t === "fetch") {
      this.answerFetch(from, msg);
      return;
    }
    if (msg.t === "commit" && h === this.height) {
      // Catch-up outside the core, as block sync does: the core would not count an equivocator's
      // second precommit, so a node that saw the other one could never finish the height by votes.
      if (!this.env.isValid(msg.value) || !verifyCommit(msg, this.env.validatorsFor(h))) return;
      this.env.onDecide(this, h, msg.round, msg.value);
      this.advance(msg);
      this.drain();
      return;
    }
    if (h < this.height) {
      this.sendProof(from, h);
      return;
    }
    if (h > this.height) {
      if (h <= this.height + FUTURE_HEIGHTS) {
        const list = this.future.get(h) ?? [];
        list.push({ from, msg });
        this.future.set(h, list);
      }
      return;
    }
    this.enqueue(this.toInput(msg));
  }

  private toInput(msg: Msg): Input {
    if (msg.t === "proposal") {
      return { kind: "proposal", proposal: { ...msg.p, valid: this.env.isValid(msg.p.value) } };
    }
    if (msg.t === "vote") return { kind: "vote", vote: msg.v };
    throw new Error(`${msg.t} is not an input`);
  }

  private enqueue(input: Input): void {
    this.pending.push(input);
    this.drain();
  }

  private drain(): void {
    if (this.busy) return;
    this.busy = true;
    try {
      while (this.pending.length > 0) {
        const input = this.pending.shift()!;
        // The WAL gets the input before the core sees it, so a restart replays exactly what the core saw.
        this.wal.push(input);
        const r = this.env.step(this.core, input);
        this.core = r.state;
        for (const e of r.effects) this.handle(e);
      }
    } finally {
      this.busy = false;
    }
  }

  private handle(e: Effect): void {
    const env = this.env;
    switch (e.kind) {
      case "getValue": {
        const value = `h${e.height}r${e.round}n${this.index}`;
        env.registerValue(value, e.height, true);
        this.pending.push({ kind: "proposeValue", height: e.height, round: e.round, value });
        return;
      }
      case "propose": {
        const msg = proposalMsg({ ...e, proposer: this.address });
        this.own.unshift(msg);
        if (this.byzantine) this.lieProposal(msg);
        else this.sendProposal(msg, undefined);
        return;
      }
      case "vote": {
        const vote: CoreVote = { ...e.vote, validator: this.address };
        const key = `${vote.height}/${vote.round}/${vote.kind}`;
        const prior = this.signed.get(key);
        if (prior !== undefined && prior !== vote.value && !this.byzantine) {
          env.violation(
            "double-sign",
            `honest node ${this.index} signed ${key} for ${prior} and ${vote.value}`,
          );
        }
        this.signed.set(key, vote.value);
        const msg: Msg = { t: "vote", v: vote };
        this.own.push(msg);
        if (this.byzantine) this.lieVote(vote);
        else env.broadcast(this.index, msg);
        this.pending.push({ kind: "vote", vote });
        return;
      }
      case "scheduleTimeout":
        this.scheduleTimeout(e);
        return;
      case "decide":
        this.decide(e.height, e.round, e.value);
        return;
      case "equivocation":
        env.onEquivocation(e.second.validator);
        return;
      case "missingValue": {
        const msg = fetchMsg(e);
        this.fetches.push(msg);
        env.broadcast(this.index, msg);
        return;
      }
    }
  }

  private scheduleTimeout(e: Extract<Effect, { kind: "scheduleTimeout" }>): void {
    const input: Input = { kind: "timeout", timeout: e.timeout, height: e.height, round: e.round };
    this.env.scheduleTimer(this.index, this.epoch, e.durationMs, input);
  }

  private decide(height: number, round: number, value: string): void {
    this.env.onDecide(this, height, round, value);
    const p = this.core.proposals.find((q) => q.round === round && q.value === value)!;
    const precommits = votesOf(this.core.votes, round, "precommit").filter((v) => v.value === value);
    this.advance({ t: "commit", height, round, value, proposal: proposalMsg(p).p, precommits });
  }

  /** Stores the height's proof, moves to the next height and redelivers what was buffered for it. */
  private advance(proof: Extract<Msg, { t: "commit" }>): void {
    this.proofs.set(proof.height, proof);
    this.height = proof.height + 1;
    this.wal = [];
    this.pending = [];
    this.own = [];
    this.fetches = [];
    this.pending.push({
      kind: "newHeight",
      height: this.height,
      validators: this.env.validatorsFor(this.height),
    });
    const buffered = this.future.get(this.height) ?? [];
    this.future.delete(this.height);
    for (const { from, msg } of buffered) this.env.redeliver(from, this.index, msg);
  }

  /** A proposal goes out with its proof of lock (the prevotes of polRound), as CometBFT gossips POL. */
  private sendProposal(msg: Extract<Msg, { t: "proposal" }>, to: number | undefined): void {
    const pol =
      msg.p.polRound >= 0
        ? votesOf(this.core.votes, msg.p.polRound, "prevote").filter((v) => v.value === msg.p.value)
        : [];
    const out: Msg[] = [msg, ...pol.map((v): Msg => ({ t: "vote", v }))];
    for (const m of out) {
      if (to === undefined) this.env.broadcast(this.index, m);
      else this.env.send(this.index, to, m);
    }
  }

  /** Rebroadcasts the own proposal(s) and votes of the last two rounds and pending fetches. */
  rebroadcast(): void {
    const from = this.core.round - 1;
    for (const m of this.own) {
      if (msgRound(m) < from || msgHeight(m) !== this.height) continue;
      if (m.t === "proposal" && !this.byzantine) this.sendProposal(m, undefined);
      else this.env.broadcast(this.index, m);
    }
    for (const f of this.fetches) this.env.broadcast(this.index, f);
  }

  private sendProof(to: number, height: number): void {
    const proof = this.proofs.get(height);
    if (!proof) return;
    const key = `${to}/${height}`;
    const last = this.proofSentAt.get(key);
    if (last !== undefined && this.env.now - last < PROOF_INTERVAL_MS) return;
    this.proofSentAt.set(key, this.env.now);
    this.env.send(this.index, to, proof);
  }

  private answerFetch(to: number, f: Extract<Msg, { t: "fetch" }>): void {
    if (f.height === this.height) {
      const p = this.core.proposals.find((q) => q.round === f.round && q.value === f.value);
      if (p) this.env.send(this.index, to, proposalMsg(p));
      return;
    }
    if (f.height < this.height) this.sendProof(to, f.height);
  }

  // --- byzantine behaviour -------------------------------------------------------------------------

  private alternative(height: number, round: number): string {
    const value = `h${height}r${round}n${this.index}x`;
    this.env.registerValue(value, height, !this.prng.chance(this.env.sc.invalidPermille));
    return value;
  }

  private lieProposal(msg: Extract<Msg, { t: "proposal" }>): void {
    const alt = this.alternative(msg.p.height, msg.p.round);
    for (let to = 0; to < this.env.sc.addresses.length; to++) {
      if (to === this.index || this.prng.chance(100)) continue;
      const m: Msg = this.prng.chance(500)
        ? msg
        : { t: "proposal", p: { ...msg.p, value: alt, polRound: -1 } };
      this.env.send(this.index, to, m);
    }
  }

  private lieVote(vote: CoreVote): void {
    for (let to = 0; to < this.env.sc.addresses.length; to++) {
      if (to === this.index || this.prng.chance(100)) continue;
      let v = vote;
      if (this.prng.chance(400)) {
        v = { ...vote, value: vote.value === null ? `h${vote.height}r${vote.round}n${this.index}x` : null };
      }
      this.env.send(this.index, to, { t: "vote", v });
    }
  }
}

function proposalMsg(
  p: Omit<CoreProposal, "valid"> & { readonly valid?: boolean },
): Extract<Msg, { t: "proposal" }> {
  return {
    t: "proposal",
    p: { height: p.height, round: p.round, polRound: p.polRound, value: p.value, proposer: p.proposer },
  };
}

function fetchMsg(e: { readonly height: number; readonly round: number; readonly value: string }): Msg {
  return { t: "fetch", height: e.height, round: e.round, value: e.value };
}
