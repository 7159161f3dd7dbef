import { AuthInfo, TxBody, TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import type { Any } from "cosmjs-types/google/protobuf/any";
import { sha256 } from "../crypto/index.ts";
import { errInvalidRequest, errNoSignatures, errTxDecode, errUnauthorized } from "./errors.ts";
import type { DecodedMsg, MsgRouter } from "./msgs.ts";

/** A decoded transaction; `bodyBytes`/`authInfoBytes` are kept exactly as received, for the SignDoc. */
export interface DecodedTx {
  readonly bytes: Uint8Array;
  readonly hash: Uint8Array;
  readonly raw: TxRaw;
  readonly body: TxBody;
  readonly authInfo: AuthInfo;
  readonly msgs: readonly DecodedMsg[];
  /** Bech32 signer of each message, deduplicated in first-seen order (the SDK's GetSigners). */
  readonly signers: readonly string[];
}

const MAX_GAS_WANTED = (1n << 63n) - 1n;

function decodeOrThrow<T>(what: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw errTxDecode(`invalid ${what}: ${(e as Error).message}`);
  }
}

/**
 * Decodes TxRaw bytes and runs the stateless checks (the SDK's TxDecoder, validateBasicTxMsgs and
 * Tx.ValidateBasic): decodable body and auth info, known message types, at least one message,
 * signatures present and one per signer, a gas limit within int64.
 */
export function decodeTx(bytes: Uint8Array, router: MsgRouter): DecodedTx {
  if (bytes.length === 0) throw errTxDecode("tx bytes are empty");
  const raw = decodeOrThrow("TxRaw", () => TxRaw.decode(bytes));
  const body = decodeOrThrow("TxBody", () => TxBody.decode(raw.bodyBytes));
  const authInfo = decodeOrThrow("AuthInfo", () => AuthInfo.decode(raw.authInfoBytes));
  if (body.messages.length === 0) throw errInvalidRequest("must contain at least one message");
  const msgs = body.messages.map((m: Any) => router.decode(m));
  const signers: string[] = [];
  for (const m of msgs) if (!signers.includes(m.signer)) signers.push(m.signer);
  if (!authInfo.fee) throw errTxDecode("missing fee");
  if (authInfo.fee.gasLimit > MAX_GAS_WANTED) {
    throw errInvalidRequest(`invalid gas supplied; ${authInfo.fee.gasLimit} > ${MAX_GAS_WANTED}`);
  }
  if (authInfo.fee.granter !== "") throw errInvalidRequest("fee grants are not supported");
  if (raw.signatures.length === 0) throw errNoSignatures();
  if (raw.signatures.length !== signers.length) {
    throw errUnauthorized(
      `wrong number of signers; expected ${signers.length}, got ${raw.signatures.length}`,
    );
  }
  if (authInfo.signerInfos.length !== signers.length) {
    throw errUnauthorized(
      `wrong number of signer infos; expected ${signers.length}, got ${authInfo.signerInfos.length}`,
    );
  }
  return { bytes, hash: sha256(bytes), raw, body, authInfo, msgs, signers };
}
