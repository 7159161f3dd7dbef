/**
 * Cosmos SDK error codes (types/errors/errors.go, codespace "sdk") and the module errors icsd returns.
 * A failed transaction is data: the code, the codespace and a log in the SDK's wording, so clients that
 * match on codes (CosmJS, wallets, scripts) behave as against an SDK chain.
 */
export class SdkError extends Error {
  readonly codespace: string;
  readonly code: number;

  constructor(codespace: string, code: number, message: string) {
    super(message);
    this.name = "SdkError";
    this.codespace = codespace;
    this.code = code;
  }
}

function sdk(code: number, desc: string) {
  return (detail?: string): SdkError =>
    new SdkError("sdk", code, detail === undefined || detail === "" ? desc : `${detail}: ${desc}`);
}

export const errTxDecode = sdk(2, "tx parse error");
export const errUnauthorized = sdk(4, "unauthorized");
export const errInsufficientFunds = sdk(5, "insufficient funds");
export const errUnknownRequest = sdk(6, "unknown request");
export const errInvalidAddress = sdk(7, "invalid address");
export const errInvalidPubKey = sdk(8, "invalid pubkey");
export const errUnknownAddress = sdk(9, "unknown address");
export const errInvalidCoins = sdk(10, "invalid coins");
export const errOutOfGas = sdk(11, "out of gas");
export const errMemoTooLarge = sdk(12, "memo too large");
export const errInsufficientFee = sdk(13, "insufficient fee");
export const errTooManySignatures = sdk(14, "maximum number of signatures exceeded");
export const errNoSignatures = sdk(15, "no signatures supplied");
export const errInvalidRequest = sdk(18, "invalid request");
export const errKeyNotFound = sdk(22, "key not found");
export const errTxTimeoutHeight = sdk(30, "tx timeout height");
export const errWrongSequence = sdk(32, "incorrect account sequence");
export const errInvalidGasLimit = sdk(41, "invalid gas limit");

// x/bank/types/errors.go
export const errNoInputs = (d?: string) =>
  new SdkError("bank", 2, d ? `${d}: no inputs to send transaction` : "no inputs to send transaction");
export const errNoOutputs = (d?: string) =>
  new SdkError("bank", 3, d ? `${d}: no outputs to send transaction` : "no outputs to send transaction");
export const errInputOutputMismatch = (d?: string) =>
  new SdkError("bank", 4, d ? `${d}: sum inputs != sum outputs` : "sum inputs != sum outputs");
export const errSendDisabled = (d?: string) =>
  new SdkError("bank", 5, d ? `${d}: send transactions are disabled` : "send transactions are disabled");

/** Converts anything thrown inside transaction execution into an SdkError (unexpected ones keep code 1). */
export function toSdkError(e: unknown): SdkError {
  if (e instanceof SdkError) return e;
  return new SdkError("undefined", 1, e instanceof Error ? e.message : String(e));
}
