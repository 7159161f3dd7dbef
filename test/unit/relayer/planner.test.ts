import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Packet } from "../../../ibc/index.ts";
import {
  batches,
  chooseProofPoint,
  type DirectionState,
  planDirection,
  srcWork,
} from "../../../relayer/index.ts";

const T = { timeout: 10_000 };
const S = 1_000_000_000n;
const NOW = 1_700_000_000n * S;

function packet(sequence: bigint, timeoutHeight = 0n, timeoutTimestamp = 0n): Packet {
  return {
    sequence,
    sourcePort: "transfer",
    sourceChannel: "channel-0",
    destPort: "transfer",
    destChannel: "channel-1",
    data: new Uint8Array([Number(sequence)]),
    timeoutHeight: timeoutHeight === 0n && timeoutTimestamp === 0n ? 1000n : timeoutHeight,
    timeoutTimestamp,
  };
}

function state(over: Partial<DirectionState>): DirectionState {
  return {
    ordered: false,
    dstOpen: true,
    packets: [],
    unreceived: new Set(),
    acks: new Map(),
    ackPending: new Set(),
    dstProofHeight: 50n,
    dstProofTime: NOW,
    dstLatestHeight: 50n,
    dstLatestTime: NOW,
    ...over,
  };
}

const seqs = (ps: readonly { sequence: bigint }[]) => ps.map((p) => p.sequence);
const OPTS = { recvMarginBlocks: 2n, recvMarginNs: 10n * S };

describe("proof point", T, () => {
  it("updates a client behind the tip to the tip, and uses a client at or past it as it is", () => {
    assert.deepEqual(chooseProofPoint(10n, 4n), { height: 10n, needsUpdate: true });
    assert.deepEqual(chooseProofPoint(10n, 10n), { height: 10n, needsUpdate: false });
    assert.deepEqual(chooseProofPoint(10n, 12n), { height: 12n, needsUpdate: false });
    assert.deepEqual(chooseProofPoint(1n, 0n), { height: 1n, needsUpdate: true });
  });
});

describe("direction planning", T, () => {
  const cases: {
    desc: string;
    s: Partial<DirectionState>;
    recv: bigint[];
    ack: bigint[];
    timeout: bigint[];
    deferred: bigint[];
  }[] = [
    {
      desc: "nothing sent: nothing to do",
      s: {},
      recv: [],
      ack: [],
      timeout: [],
      deferred: [],
    },
    {
      desc: "unreceived packets are received in sequence order",
      s: { packets: [packet(3n), packet(1n), packet(2n)], unreceived: new Set([1n, 2n, 3n]) },
      recv: [1n, 2n, 3n],
      ack: [],
      timeout: [],
      deferred: [],
    },
    {
      desc: "received and acknowledged packets still committed on src are acked; others wait",
      s: {
        packets: [packet(1n), packet(2n), packet(3n), packet(4n)],
        unreceived: new Set([4n]),
        acks: new Map([
          [1n, new Uint8Array([1])],
          [2n, new Uint8Array([2])],
        ]),
        // 2 was acked on src in the meantime; 3 is received but its ack is not yet written/proven.
        ackPending: new Set([1n, 3n]),
      },
      recv: [4n],
      ack: [1n],
      timeout: [],
      deferred: [],
    },
    {
      desc: "a packet past its timeout height at the dst proof height times out",
      s: { packets: [packet(1n, 50n), packet(2n, 51n), packet(3n, 60n)], unreceived: new Set([1n, 2n, 3n]) },
      recv: [3n],
      ack: [],
      timeout: [1n],
      deferred: [2n],
    },
    {
      desc: "a packet past its timeout timestamp at the dst proof time times out",
      s: {
        packets: [packet(1n, 0n, NOW), packet(2n, 0n, NOW + 5n * S), packet(3n, 0n, NOW + 60n * S)],
        unreceived: new Set([1n, 2n, 3n]),
      },
      recv: [3n],
      ack: [],
      timeout: [1n],
      deferred: [2n],
    },
    {
      desc: "a timed-out packet dst already received is not timed out",
      s: {
        packets: [packet(1n, 10n)],
        unreceived: new Set(),
        acks: new Map([[1n, new Uint8Array([1])]]),
        ackPending: new Set([1n]),
      },
      recv: [],
      ack: [1n],
      timeout: [],
      deferred: [],
    },
    {
      desc: "timeouts are judged at the proof height, not the dst tip",
      s: { packets: [packet(1n, 52n)], unreceived: new Set([1n]), dstProofHeight: 51n, dstLatestHeight: 53n },
      recv: [],
      ack: [],
      timeout: [],
      deferred: [1n],
    },
    {
      desc: "ordered: receives stop at the first packet that cannot be received",
      s: {
        ordered: true,
        packets: [packet(1n), packet(2n, 51n), packet(3n), packet(4n)],
        unreceived: new Set([1n, 2n, 3n, 4n]),
      },
      recv: [1n],
      ack: [],
      timeout: [],
      deferred: [2n, 3n, 4n],
    },
    {
      desc: "ordered: a timed-out packet is timed out and nothing after it is received",
      s: {
        ordered: true,
        packets: [packet(5n, 40n), packet(6n), packet(7n, 45n)],
        unreceived: new Set([5n, 6n, 7n]),
      },
      recv: [],
      ack: [],
      timeout: [5n, 7n],
      deferred: [6n],
    },
    {
      desc: "unordered: one stuck packet does not hold back later ones",
      s: { packets: [packet(1n, 51n), packet(2n)], unreceived: new Set([1n, 2n]) },
      recv: [2n],
      ack: [],
      timeout: [],
      deferred: [1n],
    },
    {
      desc: "a closed destination receives nothing, but timeouts and acks still flow",
      s: {
        dstOpen: false,
        packets: [packet(1n), packet(2n, 30n), packet(3n)],
        unreceived: new Set([2n, 3n]),
        acks: new Map([[1n, new Uint8Array([1])]]),
        ackPending: new Set([1n]),
      },
      recv: [],
      ack: [1n],
      timeout: [2n],
      deferred: [3n],
    },
  ];
  for (const c of cases) {
    it(c.desc, () => {
      const plan = planDirection(state(c.s), OPTS);
      assert.deepEqual(seqs(plan.recv), c.recv, "recv");
      assert.deepEqual(
        plan.ack.map((a) => a.packet.sequence),
        c.ack,
        "ack",
      );
      assert.deepEqual(seqs(plan.timeout), c.timeout, "timeout");
      assert.deepEqual(seqs(plan.deferred), c.deferred, "deferred");
    });
  }

  it("carries each acknowledgement with its packet", () => {
    const ack = new Uint8Array([7, 7]);
    const plan = planDirection(
      state({ packets: [packet(9n)], acks: new Map([[9n, ack]]), ackPending: new Set([9n]) }),
      OPTS,
    );
    assert.deepEqual(plan.ack, [{ packet: packet(9n), acknowledgement: ack }]);
  });

  it("puts acks before timeouts for the source chain", () => {
    const plan = planDirection(
      state({
        packets: [packet(1n, 10n), packet(2n), packet(3n, 10n), packet(4n)],
        unreceived: new Set([1n, 3n]),
        acks: new Map([
          [2n, new Uint8Array([1])],
          [4n, new Uint8Array([1])],
        ]),
        ackPending: new Set([2n, 4n]),
      }),
      OPTS,
    );
    assert.deepEqual(
      srcWork(plan).map((w) => `${w.kind}:${w.kind === "ack" ? w.work.packet.sequence : w.packet.sequence}`),
      ["ack:2", "ack:4", "timeout:1", "timeout:3"],
    );
  });
});

describe("batching", T, () => {
  it("splits in order into batches of at most max", () => {
    assert.deepEqual(batches([1, 2, 3, 4, 5], 2), [[1, 2], [3, 4], [5]]);
    assert.deepEqual(batches([1, 2], 100), [[1, 2]]);
    assert.deepEqual(batches([], 3), []);
    assert.deepEqual(batches([1, 2, 3], 1), [[1], [2], [3]]);
  });

  it("refuses a non-positive batch size", () => {
    assert.throws(() => batches([1], 0), RangeError);
  });
});
