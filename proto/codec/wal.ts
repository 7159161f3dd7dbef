/**
 * Codec of consensus write-ahead-log records (package icsd.wal). A record is one input the core saw:
 * a proposal with its block, a vote, a fired timeout, or the end of a height. The WAL's own framing
 * (length, checksum) is the store's business; this file only turns one record into bytes and back.
 */
import type { TimeoutKind } from "../../consensus/core/types.ts";
import type { Vote } from "../../consensus/types.ts";
import { icsd } from "../gen/icsd.js";
import { decodeWith, enumField, fail, int32, int32Field, newWriter, safeInt } from "./fields.ts";
import { type P2pProposal, proposalMessageFromPb, proposalMessagePb } from "./p2p.ts";
import { voteFromPb, votePb } from "./vote.ts";

const pb = icsd.wal;

/** One WAL record, discriminated by `kind`. */
export type WalMessage =
  | { readonly kind: "proposal"; readonly proposal: P2pProposal }
  | { readonly kind: "vote"; readonly vote: Vote }
  | {
      readonly kind: "timeout";
      readonly timeout: TimeoutKind;
      readonly height: number;
      readonly round: number;
    }
  /** Every input of `height` is in the log before this record; replay starts after the last one. */
  | { readonly kind: "endHeight"; readonly height: number };

const KIND_TO_PB = { propose: 1, prevote: 2, precommit: 3 } as const satisfies Record<TimeoutKind, number>;
const PB_TO_KIND: readonly (TimeoutKind | undefined)[] = [undefined, "propose", "prevote", "precommit"];

/** Encodes one WAL record; deterministic. */
export function encodeWalMessage(msg: WalMessage): Uint8Array {
  let m: icsd.wal.WalMessage.$Properties;
  switch (msg.kind) {
    case "proposal":
      m = { proposal: proposalMessagePb(msg.proposal) };
      break;
    case "vote":
      m = { vote: votePb(msg.vote) };
      break;
    case "timeout":
      m = {
        timeout: {
          kind: KIND_TO_PB[msg.timeout],
          height: msg.height,
          round: int32("timeout.round", msg.round),
        },
      };
      break;
    case "endHeight":
      // Always written, even for height 0, so the oneof is never empty on the wire.
      m = { endHeight: { height: msg.height } };
      break;
  }
  return pb.WalMessage.encode(m, newWriter()).finish();
}

/** Decodes and validates one WAL record; throws PROTO_DECODE naming the bad field. */
export function decodeWalMessage(bytes: Uint8Array): WalMessage {
  return decodeWith("walMessage", bytes, (b): WalMessage => {
    const m = pb.WalMessage.decode(b);
    if (m.proposal != null) {
      return { kind: "proposal", proposal: proposalMessageFromPb("walMessage.proposal", m.proposal) };
    }
    if (m.vote != null) return { kind: "vote", vote: voteFromPb("walMessage.vote", m.vote) };
    if (m.timeout != null) {
      const t = m.timeout;
      const code = enumField("walMessage.timeout.kind", t.kind, [1, 2, 3]);
      return {
        kind: "timeout",
        timeout: PB_TO_KIND[code]!,
        height: safeInt("walMessage.timeout.height", t.height),
        round: int32Field("walMessage.timeout.round", t.round),
      };
    }
    if (m.endHeight != null) {
      return { kind: "endHeight", height: safeInt("walMessage.endHeight.height", m.endHeight.height) };
    }
    return fail("walMessage", "no record kind set");
  });
}
