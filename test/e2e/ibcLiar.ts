/**
 * A relayer written for tests: it builds the same messages an honest relayer builds, from RPC alone
 * (`light_block` for signed headers, `abci_query /store/ibc/key` for proofs), so a test can deliver
 * honestly or change one thing and lie.
 */
import type { EncodeObject } from "@cosmjs/proto-signing";
import { GasPrice, SigningStargateClient } from "@cosmjs/stargate";
import type { Commit, Header, ValidatorSet } from "../../consensus/index.ts";
import { type ClientHeader, decodeClientState, encodeClientHeader, type Packet } from "../../ibc/index.ts";
import { decodeCommit, decodeHeader, decodeValidatorSet } from "../../proto/index.ts";
import type { Testnet } from "./harness.ts";
import { GAS_PRICE, type User } from "./ibcHarness.ts";

export interface LightBlock {
  readonly height: bigint;
  readonly header: Header;
  readonly commit: Commit;
  readonly validatorSet: ValidatorSet;
}

export async function lightBlock(net: Testnet, height?: bigint): Promise<LightBlock> {
  const r = await net.rpc<{ height: string; header: string; commit: string; validator_set: string }>(
    net.nodes[0]!,
    "light_block",
    height === undefined ? {} : { height: String(height) },
  );
  const b64 = (s: string) => Uint8Array.from(Buffer.from(s, "base64"));
  return {
    height: BigInt(r.height),
    header: decodeHeader(b64(r.header)),
    commit: decodeCommit(b64(r.commit)),
    validatorSet: decodeValidatorSet(b64(r.validator_set)),
  };
}

/** The latest height of `host`'s client `clientId`. */
export async function clientLatestHeight(host: Testnet, clientId: string): Promise<bigint> {
  const data = Buffer.from(
    // QueryClientStateRequest { client_id = 1 }
    Uint8Array.of(0x0a, clientId.length, ...Buffer.from(clientId)),
  ).toString("hex");
  const r = await host.rpc<{ response: { code: number; value: string | null; log: string } }>(
    host.nodes[0]!,
    "abci_query",
    {
      path: "/ibc.core.client.v1.Query/ClientState",
      data,
    },
  );
  if (r.response.code !== 0) throw new Error(`ClientState: ${r.response.log}`);
  const { QueryClientStateResponse } = await import("cosmjs-types/ibc/core/client/v1/query");
  const res = QueryClientStateResponse.decode(Buffer.from(r.response.value ?? "", "base64"));
  return decodeClientState(res.clientState!.value).latestHeight;
}

/** A ClientHeader of `src` at `height`, trusted from `trustedHeight`. */
export async function clientHeaderAt(
  src: Testnet,
  height: bigint,
  trustedHeight: bigint,
): Promise<ClientHeader> {
  const lb = await lightBlock(src, height);
  const trusted = await lightBlock(src, trustedHeight + 1n);
  return {
    signedHeader: { header: lb.header, commit: lb.commit },
    validatorSet: lb.validatorSet,
    trustedHeight,
    trustedValidators: trusted.validatorSet,
  };
}

export function updateClientMsg(clientId: string, header: ClientHeader, signer: string): EncodeObject {
  return {
    typeUrl: "/ibc.core.client.v1.MsgUpdateClient",
    value: {
      clientId,
      clientMessage: { typeUrl: "/icsd.lightclient.v1.Header", value: encodeClientHeader(header) },
      signer,
    },
  };
}

/** The value and proof of `key` in `net`'s state version `version` (proof height version + 1). */
export async function prove(
  net: Testnet,
  key: Uint8Array,
  version: bigint,
): Promise<{ value: Uint8Array; proof: Uint8Array }> {
  const r = await net.rpc<{
    response: {
      code: number;
      log: string;
      value: string | null;
      proofOps: { ops: { data: string }[] } | null;
    };
  }>(net.nodes[0]!, "abci_query", {
    path: "/store/ibc/key",
    data: Buffer.from(key).toString("hex"),
    height: String(version),
    prove: true,
  });
  if (r.response.code !== 0) throw new Error(`prove: ${r.response.log}`);
  return {
    value: Uint8Array.from(Buffer.from(r.response.value ?? "", "base64")),
    proof: Uint8Array.from(Buffer.from(r.response.proofOps!.ops[0]!.data, "base64")),
  };
}

export function packetProto(p: Packet) {
  return {
    sequence: p.sequence,
    sourcePort: p.sourcePort,
    sourceChannel: p.sourceChannel,
    destinationPort: p.destPort,
    destinationChannel: p.destChannel,
    data: p.data,
    timeoutHeight: { revisionNumber: 0n, revisionHeight: p.timeoutHeight },
    timeoutTimestamp: p.timeoutTimestamp,
  };
}

export function recvMsg(p: Packet, proof: Uint8Array, proofHeight: bigint, signer: string): EncodeObject {
  return {
    typeUrl: "/ibc.core.channel.v1.MsgRecvPacket",
    value: {
      packet: packetProto(p),
      proofCommitment: proof,
      proofHeight: { revisionNumber: 0n, revisionHeight: proofHeight },
      signer,
    },
  };
}

export function ackMsg(
  p: Packet,
  ack: Uint8Array,
  proof: Uint8Array,
  proofHeight: bigint,
  signer: string,
): EncodeObject {
  return {
    typeUrl: "/ibc.core.channel.v1.MsgAcknowledgement",
    value: {
      packet: packetProto(p),
      acknowledgement: ack,
      proofAcked: proof,
      proofHeight: { revisionNumber: 0n, revisionHeight: proofHeight },
      signer,
    },
  };
}

export function timeoutMsg(
  p: Packet,
  proof: Uint8Array,
  proofHeight: bigint,
  nextSequenceRecv: bigint,
  signer: string,
): EncodeObject {
  return {
    typeUrl: "/ibc.core.channel.v1.MsgTimeout",
    value: {
      packet: packetProto(p),
      proofUnreceived: proof,
      proofHeight: { revisionNumber: 0n, revisionHeight: proofHeight },
      nextSequenceRecv,
      signer,
    },
  };
}

/** Signs and broadcasts `msgs` from `u` on `net` with a fixed gas; returns the DeliverTx result. */
export async function submit(net: Testnet, u: User, msgs: EncodeObject[], gas = 2_000_000) {
  const client = await SigningStargateClient.connectWithSigner(
    `http://127.0.0.1:${net.nodes[0]!.rpcPort}`,
    u.wallet,
    {
      gasPrice: GasPrice.fromString(GAS_PRICE),
    },
  );
  try {
    return await client.signAndBroadcast(u.address, msgs, {
      amount: [{ denom: "stake", amount: String(Math.ceil(gas * 0.0025)) }],
      gas: String(gas),
    });
  } finally {
    client.disconnect();
  }
}
