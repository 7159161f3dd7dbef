/**
 * What the token-transfer application needs from the bank (the app layer implements it with its
 * BankKeeper and a denom-trace store). User accounts are the address strings ICS-20 packets carry
 * (bech32); escrow accounts are the 20-byte addresses of `escrowAddress`.
 */
import type { DenomTrace } from "./denom.ts";

/**
 * The bank operations of ICS-20. The transfer app checks balances (`balance`, `escrowBalance`) and the
 * receiver (`canReceive`) before it moves anything, so each moving call below is expected to succeed;
 * an implementation that throws anyway fails the whole message.
 */
export interface TransferBank {
  /** Balance of a user account in `denom` (0 when none); throws for an undecodable address. */
  balance(account: string, denom: string): Promise<bigint>;
  /** Balance of an escrow account in `denom`. */
  escrowBalance(escrow: Uint8Array, denom: string): Promise<bigint>;
  /** True when `account` is a valid address that may receive tokens (not a blocked module account). */
  canReceive(account: string): Promise<boolean>;
  /** Moves `amount` of `denom` from a user account into an escrow account. */
  sendToEscrow(from: string, escrow: Uint8Array, denom: string, amount: bigint): Promise<void>;
  /** Moves `amount` of `denom` from an escrow account to a user account. */
  sendFromEscrow(escrow: Uint8Array, to: string, denom: string, amount: bigint): Promise<void>;
  /** Mints `amount` of a voucher denom ("ibc/...") to a user account (supply increases). */
  mintVoucher(to: string, denom: string, amount: bigint): Promise<void>;
  /** Burns `amount` of a voucher denom from a user account (supply decreases). */
  burnFromAccount(from: string, denom: string, amount: bigint): Promise<void>;
  /** The trace recorded for a denom hash (uppercase hex, as in "ibc/{hash}"), or undefined. */
  getDenomTrace(hash: string): Promise<DenomTrace | undefined>;
  /** Records a trace under denomHash(fullDenomPath(trace)); idempotent. */
  setDenomTrace(trace: DenomTrace): Promise<void>;
}
