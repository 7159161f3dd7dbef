/**
 * Signing and broadcasting on one chain with CosmJS: simulate for gas (times gas_adjustment), sign,
 * broadcast_tx_sync, then poll for inclusion before returning. Submissions on one chain are pipelined:
 * simulate, sign and broadcast run one at a time with a sequence kept here (the node's check state
 * accepts a sender's consecutive sequences), and the waits for inclusion overlap, so one path's
 * transaction never waits for another's block. Transport errors and sequence mismatches are retried
 * with capped exponential backoff (a mismatch takes the sequence the chain expects); a refusal by the
 * chain is returned as data.
 */
import { DirectSecp256k1HdWallet, type EncodeObject, Registry } from "@cosmjs/proto-signing";
import {
  BroadcastTxError,
  calculateFee,
  defaultRegistryTypes,
  GasPrice,
  SigningStargateClient,
} from "@cosmjs/stargate";
import { TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import {
  generatedType,
  MsgSubmitConsumerDoubleVotingCodec,
  MsgSubmitConsumerMisbehaviourCodec,
} from "../provider/ccv/codec.ts";
import { errorMessage, IcsdError, type Logger } from "../utils/index.ts";
import { type BackoffOptions, backoffDelay, DEFAULT_BACKOFF, sleep } from "./backoff.ts";
import type { ChainConfig } from "./config.ts";

/** CosmJS's default types plus the consumer evidence the relayer submits to a provider. */
function relayerRegistry(): Registry {
  return new Registry([
    ...defaultRegistryTypes,
    [MsgSubmitConsumerDoubleVotingCodec.typeUrl, generatedType(MsgSubmitConsumerDoubleVotingCodec)],
    [MsgSubmitConsumerMisbehaviourCodec.typeUrl, generatedType(MsgSubmitConsumerMisbehaviourCodec)],
  ]);
}

/** What became of a submitted transaction. */
export interface TxOutcome {
  /** True when the transaction was included and succeeded (code 0). */
  readonly ok: boolean;
  /** Result code: 0 on success; the chain's code on refusal. */
  readonly code: number;
  readonly log: string;
  /** The chain refused it as a redundant relay: another relayer got there first (no harm done). */
  readonly redundant: boolean;
  /** Inclusion height and hash, when it was included. */
  readonly height?: number;
  readonly hash?: string;
}

/** Submits transactions on one chain (CosmJS-backed in production, stubbed in tests). */
export interface TxSender {
  readonly chain: string;
  /** The signer's address on this chain. */
  address(): Promise<string>;
  /** Signs and broadcasts `msgs`, waits for inclusion; throws only after retries of transport errors. */
  submit(msgs: readonly EncodeObject[], memo: string): Promise<TxOutcome>;
  close(): void;
}

/** True for the log of a transaction refused because every packet in it was already relayed. */
export function isRedundantRelay(log: string): boolean {
  return /redundant relay/i.test(log);
}

// cosmos-sdk types/errors: ErrWrongSequence 32, ErrTxInMempoolCache 19, ErrMempoolIsFull 20.
const CODE_WRONG_SEQUENCE = 32;
const RETRY_BROADCAST_CODES = new Set([CODE_WRONG_SEQUENCE, 19, 20]);

/** How a submission error is handled: retried (transport, sequence, full mempool) or returned as a refusal. */
export type SubmitErrorClass =
  | { readonly kind: "retry"; readonly reason: string }
  | { readonly kind: "refused"; readonly code: number; readonly log: string };

/** Classifies an error thrown by simulate, sign or broadcast. */
export function classifySubmitError(e: unknown): SubmitErrorClass {
  if (e instanceof BroadcastTxError) {
    if (e.codespace === "sdk" && RETRY_BROADCAST_CODES.has(e.code)) {
      return { kind: "retry", reason: `broadcast code ${e.code}: ${e.log ?? ""}` };
    }
    return { kind: "refused", code: e.code, log: e.log ?? "" };
  }
  const msg = errorMessage(e);
  // CosmJS's QueryClient: a simulation the chain refused ("Query failed with (code): log").
  const m = /Query failed with \((\d+)\): ([\s\S]*)$/.exec(msg);
  if (m) {
    if (/account sequence mismatch|incorrect account sequence/i.test(m[2]!)) {
      return { kind: "retry", reason: m[2]! };
    }
    return { kind: "refused", code: Number(m[1]), log: m[2]! };
  }
  return { kind: "retry", reason: msg };
}

/**
 * The sequence to sign with after a failed broadcast: the one the chain expects after a mismatch, the
 * same one after any other refusal by CheckTx (nothing was consumed), and undefined (re-read the
 * account) when the transport failed and the broadcast may or may not have arrived.
 */
export function sequenceAfter<T extends { sequence: number }>(e: unknown, used: T): T | undefined {
  if (!(e instanceof BroadcastTxError)) return undefined;
  if (e.code !== CODE_WRONG_SEQUENCE) return used;
  const m = /expected (\d+)/.exec(e.log ?? "");
  return m ? { ...used, sequence: Number(m[1]) } : undefined;
}

/** Knobs of a CosmjsTxSender. */
export interface TxSenderOptions {
  readonly logger: Logger;
  /** Aborts retries and the wait for inclusion (stop()). */
  readonly signal: AbortSignal;
  readonly backoff?: BackoffOptions;
  /** Attempts before a transport error is thrown to the caller (default 6). */
  readonly maxAttempts?: number;
  /** Interval of getTx polls while waiting for inclusion (default 100 ms). */
  readonly pollMs?: number;
  /** How long to wait for inclusion before giving up on this transaction (default 60 s). */
  readonly inclusionTimeoutMs?: number;
}

/** A TxSender over CosmJS's SigningStargateClient and a DirectSecp256k1HdWallet from the mnemonic. */
export class CosmjsTxSender implements TxSender {
  readonly chain: string;
  private readonly cfg: ChainConfig;
  private readonly o: TxSenderOptions;
  private readonly gasPrice: GasPrice;
  private client: SigningStargateClient | undefined;
  private wallet: DirectSecp256k1HdWallet | undefined;
  private addr: string | undefined;
  /** Signing, one transaction at a time; waits for inclusion are outside it. */
  private signing: Promise<unknown> = Promise.resolve();
  /** The next sequence to sign with; undefined: read the account from the chain. */
  private next: { accountNumber: bigint; sequence: number } | undefined;

  constructor(cfg: ChainConfig, o: TxSenderOptions) {
    this.chain = cfg.id;
    this.cfg = cfg;
    this.o = o;
    this.gasPrice = GasPrice.fromString(cfg.gasPrice);
  }

  async address(): Promise<string> {
    if (this.addr === undefined) {
      this.wallet = await DirectSecp256k1HdWallet.fromMnemonic(this.cfg.mnemonic, {
        prefix: this.cfg.prefix,
      });
      const [account] = await this.wallet.getAccounts();
      if (!account) throw new IcsdError("RELAYER_WALLET", `${this.chain}: the mnemonic yields no account`);
      this.addr = account.address;
    }
    return this.addr;
  }

  // Connected lazily and kept: CosmJS over HTTP survives restarts of the node.
  private async connect(): Promise<SigningStargateClient> {
    if (this.client) return this.client;
    await this.address();
    const client = await SigningStargateClient.connectWithSigner(this.cfg.rpc, this.wallet!, {
      gasPrice: this.gasPrice,
      registry: relayerRegistry(),
    });
    const chainId = await client.getChainId();
    if (chainId !== this.cfg.id) {
      this.o.logger.warn({ chain: this.cfg.id, nodeChainId: chainId }, "node reports another chain id");
    }
    this.client = client;
    return client;
  }

  async submit(msgs: readonly EncodeObject[], memo: string): Promise<TxOutcome> {
    const maxAttempts = this.o.maxAttempts ?? 6;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.once(msgs, memo);
      } catch (e) {
        const c = classifySubmitError(e);
        if (c.kind === "refused")
          return { ok: false, code: c.code, log: c.log, redundant: isRedundantRelay(c.log) };
        if (attempt + 1 >= maxAttempts || this.o.signal.aborted) {
          throw new IcsdError(
            "RELAYER_SUBMIT",
            `${this.chain}: giving up after ${attempt + 1} attempts: ${c.reason}`,
            {
              chain: this.chain,
            },
          );
        }
        const delay = backoffDelay(attempt, this.o.backoff ?? DEFAULT_BACKOFF);
        this.o.logger.warn(
          { chain: this.chain, attempt, delayMs: delay, err: c.reason },
          "submit failed; retrying",
        );
        await sleep(delay, this.o.signal);
      }
    }
  }

  private async once(msgs: readonly EncodeObject[], memo: string): Promise<TxOutcome> {
    const client = await this.connect();
    const hash = await this.serially(() => this.signAndBroadcast(client, msgs, memo));
    return await this.waitForInclusion(client, hash);
  }

  private serially<T>(f: () => Promise<T>): Promise<T> {
    const run = this.signing.then(f);
    this.signing = run.catch(() => undefined);
    return run;
  }

  private async signAndBroadcast(
    client: SigningStargateClient,
    msgs: readonly EncodeObject[],
    memo: string,
  ): Promise<string> {
    const signer = await this.address();
    const gas = await client.simulate(signer, msgs, memo);
    const fee = calculateFee(Math.ceil(gas * this.cfg.gasAdjustment), this.gasPrice);
    if (this.next === undefined) {
      const { accountNumber, sequence } = await client.getSequence(signer);
      this.next = { accountNumber: BigInt(accountNumber), sequence };
    }
    const signerData = { ...this.next, chainId: this.cfg.id };
    try {
      const raw = await client.sign(signer, msgs, fee, memo, signerData);
      const hash = await client.broadcastTxSync(TxRaw.encode(raw).finish());
      this.next = { ...signerData, sequence: signerData.sequence + 1 };
      return hash;
    } catch (e) {
      this.next = sequenceAfter(e, signerData);
      throw e;
    }
  }

  private async waitForInclusion(client: SigningStargateClient, hash: string): Promise<TxOutcome> {
    const deadline = Date.now() + (this.o.inclusionTimeoutMs ?? 60_000);
    const pollMs = this.o.pollMs ?? 100;
    while (!this.o.signal.aborted && Date.now() < deadline) {
      await sleep(pollMs, this.o.signal);
      let tx: Awaited<ReturnType<SigningStargateClient["getTx"]>>;
      try {
        tx = await client.getTx(hash);
      } catch (e) {
        this.o.logger.debug({ chain: this.chain, hash, err: errorMessage(e) }, "getTx failed; polling on");
        continue;
      }
      if (tx) {
        return {
          ok: tx.code === 0,
          code: tx.code,
          log: tx.rawLog,
          redundant: tx.code !== 0 && isRedundantRelay(tx.rawLog),
          height: tx.height,
          hash,
        };
      }
    }
    // Dropped or still pending: the chain's account says which sequence comes next.
    this.next = undefined;
    return {
      ok: false,
      code: -1,
      log: this.o.signal.aborted ? "stopped while waiting for inclusion" : "not included before the timeout",
      redundant: false,
      hash,
    };
  }

  close(): void {
    this.client?.disconnect();
    this.client = undefined;
  }
}
