/**
 * The seeded consensus simulator: 4-7 validators, each the pure core behind a tiny shell, on a virtual
 * network that loses, delays, duplicates, reorders and partitions messages until GST and delivers every
 * message within a bound after it. Honest nodes crash and restart from their WAL; byzantine nodes split
 * proposals and equivocate. Checked: agreement, validity, no honest double sign, liveness after GST.
 * Any violation throws a SimViolation naming the seed and the command that replays it.
 */
import {
  type CoreState,
  type CoreValidator,
  step as coreStep,
  type Input,
  incrementProposerPriority,
  type StepResult,
} from "../../consensus/core/index.ts";
import { EventQueue } from "./eventQueue.ts";
import type { Prng } from "./prng.ts";
import { type Scenario, scenarioFor } from "./scenario.ts";
import { type Msg, type SimEnv, SimNode } from "./simNode.ts";

/** A step function with the core's signature, so a broken variant can be injected. */
export type StepFn = (state: CoreState, input: Input) => StepResult;

export interface SimOptions {
  readonly seed: number;
  /** Every honest node must decide this many heights (default 10). */
  readonly heights?: number;
  /** The core under test (default: the real one). */
  readonly step?: StepFn;
}

export interface SimStats {
  readonly seed: number;
  readonly nodes: number;
  readonly byzantine: number;
  readonly events: number;
  readonly endMs: number;
  readonly maxRound: number;
  readonly equivocationsReported: number;
}

/** A safety or liveness property failed; the message carries the seed and how to replay it. */
export class SimViolation extends Error {
  readonly seed: number;
  readonly property: string;
  constructor(seed: number, property: string, detail: string) {
    super(`seed ${seed}: ${property} violated: ${detail} (replay: npm run sim -- --seed ${seed})`);
    this.name = "SimViolation";
    this.seed = seed;
    this.property = property;
  }
}

type Event =
  | { readonly kind: "deliver"; readonly from: number; readonly to: number; readonly msg: Msg }
  | { readonly kind: "timer"; readonly node: number; readonly epoch: number; readonly input: Input }
  | { readonly kind: "crash"; readonly node: number }
  | { readonly kind: "restart"; readonly node: number }
  | { readonly kind: "partition" }
  | { readonly kind: "gossip"; readonly node: number };

/**
 * Every node rebroadcasts its recent messages this often, as CometBFT's gossip routines keep re-sending
 * what a peer lacks: without it, a node waiting in step prevote (no timer armed) for messages lost
 * before GST would wait forever.
 */
const GOSSIP_INTERVAL_MS = 1000;

/** Post-GST time every honest node gets to reach the target height. */
function livenessBoundMs(heights: number): number {
  return 60_000 + heights * 10_000;
}

const MAX_EVENTS = 2_000_000;

/** Runs one seed to completion. Returns statistics, or throws SimViolation. */
export function runSim(opts: SimOptions): SimStats {
  const sc = scenarioFor(opts.seed);
  const heights = opts.heights ?? 10;
  const sim = new Simulator(sc, heights, opts.step ?? coreStep);
  return sim.run();
}

class Simulator implements SimEnv {
  readonly sc: Scenario;
  readonly queue = new EventQueue<Event>();
  readonly nodes: SimNode[];
  readonly net: Prng;
  now = 0;
  /** Validator sets per height (priorities before selection), extended on demand. */
  private readonly sets: (readonly CoreValidator[])[] = [];
  /** value id -> { height, valid }: every value any proposer produced. */
  private readonly values = new Map<string, { height: number; valid: boolean }>();
  private readonly decided = new Map<number, string>();
  private partition: number[];
  private events = 0;
  private maxRound = 0;
  private equivocations = 0;

  readonly heights: number;
  readonly stepFn: StepFn;

  constructor(sc: Scenario, heights: number, stepFn: StepFn) {
    this.sc = sc;
    this.heights = heights;
    this.stepFn = stepFn;
    this.net = sc.prng.fork();
    this.sets[1] = sc.validators;
    this.partition = sc.addresses.map(() => 0);
    this.nodes = sc.addresses.map(
      (address, i) => new SimNode(i, address, sc.byzantine.has(i), this, sc.prng.fork()),
    );
  }

  // --- SimEnv -------------------------------------------------------------------------------------

  validatorsFor(height: number): readonly CoreValidator[] {
    for (let h = this.sets.length; h <= height; h++) {
      this.sets[h] = incrementProposerPriority(this.sets[h - 1]!, 1).validators;
    }
    return this.sets[height]!;
  }

  registerValue(value: string, height: number, valid: boolean): void {
    if (!this.values.has(value)) this.values.set(value, { height, valid });
  }

  isValid(value: string): boolean {
    return this.values.get(value)?.valid ?? false;
  }

  send(from: number, to: number, msg: Msg): void {
    if (from === to) return;
    const pre = this.now < this.sc.gstMs;
    if (pre) {
      if (this.partition[from] !== this.partition[to]) return;
      if (this.net.chance(this.sc.dropPermille)) return;
    }
    const maxDelay = pre ? this.sc.maxDelayPreGstMs : this.sc.maxDelayPostGstMs;
    this.queue.push(this.now + this.net.range(1, maxDelay), { kind: "deliver", from, to, msg });
    if (this.net.chance(this.sc.duplicatePermille)) {
      this.queue.push(this.now + this.net.range(1, maxDelay), { kind: "deliver", from, to, msg });
    }
  }

  broadcast(from: number, msg: Msg): void {
    for (let to = 0; to < this.nodes.length; to++) this.send(from, to, msg);
  }

  scheduleTimer(node: number, epoch: number, afterMs: number, input: Input): void {
    this.queue.push(this.now + afterMs, { kind: "timer", node, epoch, input });
  }

  redeliver(from: number, to: number, msg: Msg): void {
    this.queue.push(this.now, { kind: "deliver", from, to, msg });
  }

  step(state: CoreState, input: Input): StepResult {
    return this.stepFn(state, input);
  }

  onDecide(node: SimNode, height: number, round: number, value: string): void {
    if (round > this.maxRound) this.maxRound = round;
    if (node.byzantine) return;
    const v = this.values.get(value);
    if (!v?.valid || v.height !== height) {
      throw new SimViolation(
        this.sc.seed,
        "validity",
        `node ${node.index} decided ${value} at height ${height}`,
      );
    }
    const prev = this.decided.get(height);
    if (prev === undefined) this.decided.set(height, value);
    else if (prev !== value) {
      throw new SimViolation(
        this.sc.seed,
        "agreement",
        `height ${height}: node ${node.index} decided ${value}, another honest node decided ${prev}`,
      );
    }
  }

  onEquivocation(culprit: string): void {
    this.equivocations++;
    const idx = this.sc.addresses.indexOf(culprit);
    if (!this.sc.byzantine.has(idx)) {
      throw new SimViolation(
        this.sc.seed,
        "honest-equivocation",
        `honest validator ${culprit} reported equivocating`,
      );
    }
  }

  violation(property: string, detail: string): never {
    throw new SimViolation(this.sc.seed, property, detail);
  }

  // --- main loop ------------------------------------------------------------------------------------

  run(): SimStats {
    const sc = this.sc;
    for (const c of sc.crashes) {
      this.queue.push(c.at, { kind: "crash", node: c.node });
      this.queue.push(c.restartAt, { kind: "restart", node: c.node });
    }
    if (sc.gstMs > 0) this.queue.push(0, { kind: "partition" });
    for (const n of this.nodes) {
      n.start();
      this.queue.push(GOSSIP_INTERVAL_MS + n.index, { kind: "gossip", node: n.index });
    }
    const deadline = sc.gstMs + livenessBoundMs(this.heights);
    for (;;) {
      if (this.nodes.every((n) => n.byzantine || n.height > this.heights)) break;
      const item = this.queue.pop();
      if (!item)
        this.violation("liveness", "no events left before every honest node reached the target height");
      if (item.at > deadline || ++this.events > MAX_EVENTS) {
        const behind = this.nodes
          .filter((n) => !n.byzantine && n.height <= this.heights)
          .map((n) => `${n.index}@h${n.height}r${n.core.round}`);
        if (process.env.SIM_DEBUG) for (const n of this.nodes) console.log(n.debug());
        this.violation(
          "liveness",
          `honest nodes ${behind.join(", ")} below height ${this.heights + 1} at ${item.at} ms (GST ${sc.gstMs} ms)`,
        );
      }
      this.now = item.at;
      this.dispatch(item.event);
    }
    return {
      seed: sc.seed,
      nodes: this.nodes.length,
      byzantine: sc.byzantine.size,
      events: this.events,
      endMs: this.now,
      maxRound: this.maxRound,
      equivocationsReported: this.equivocations,
    };
  }

  private dispatch(e: Event): void {
    switch (e.kind) {
      case "deliver": {
        const to = this.nodes[e.to]!;
        if (to.up) to.receive(e.from, e.msg);
        return;
      }
      case "timer": {
        const n = this.nodes[e.node]!;
        if (n.up && n.epoch === e.epoch) n.onTimer(e.input);
        return;
      }
      case "gossip": {
        const n = this.nodes[e.node]!;
        if (n.up) n.rebroadcast();
        this.queue.push(this.now + GOSSIP_INTERVAL_MS, e);
        return;
      }
      case "crash":
        this.nodes[e.node]!.crash();
        return;
      case "restart":
        this.nodes[e.node]!.restart();
        return;
      case "partition": {
        // Before GST: with probability 1/2 a random two-way cut, else fully connected (but lossy).
        if (this.now >= this.sc.gstMs) {
          this.partition = this.nodes.map(() => 0);
          return;
        }
        const cut = this.net.chance(500);
        this.partition = this.nodes.map(() => (cut ? this.net.int(2) : 0));
        this.queue.push(Math.min(this.now + this.sc.partitionEveryMs, this.sc.gstMs), { kind: "partition" });
        return;
      }
    }
  }
}
