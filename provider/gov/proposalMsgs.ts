import { MsgExecLegacyContent, MsgUpdateParams } from "cosmjs-types/cosmos/gov/v1/tx";
import { TextProposal } from "cosmjs-types/cosmos/gov/v1beta1/gov";
import type { Any } from "cosmjs-types/google/protobuf/any";
import { decodeProto, errTxDecode, type ModuleContext, SdkError } from "../../app/index.ts";
import { errInvalidProposalContent, errInvalidProposalMsg, errInvalidSigner } from "./errors.ts";
import {
  EXEC_LEGACY_CONTENT_TYPE,
  MAX_DESCRIPTION_LENGTH,
  MAX_TITLE_LENGTH,
  TEXT_PROPOSAL_TYPE,
  UPDATE_PARAMS_TYPE,
} from "./types.ts";

/**
 * What the app's message router can say about a message without running it: its signer, or an
 * SdkError (unknown type URL: tx parse error, as the SDK's Any unpacking; a failed ValidateBasic).
 * Not part of ModuleContext today; when an app adds `decodeMsg` to its contexts, gov uses it.
 */
export type MsgDecoder = (msg: Any) => { readonly signer: string };

/**
 * Checks a proposal's messages at submission, as the SDK's Keeper.SubmitProposal: each must have a
 * route and the gov account as its one signer (ErrInvalidSigner), and pass its stateless validation
 * (ErrInvalidProposalMsg). Gov's own messages (MsgUpdateParams, MsgExecLegacyContent) are always
 * checked here. Other modules' messages are checked the same way when the context carries the app's
 * `decodeMsg`; without it a module context cannot decode foreign messages, so only a non-empty type
 * URL is required and the rest is left to execution, where ctx.runMsg refuses an unknown type or a
 * signer other than gov and the proposal ends as failed.
 */
export function checkProposalMsgs(ctx: ModuleContext, messages: readonly Any[], authority: string): void {
  const decoder = (ctx as ModuleContext & { readonly decodeMsg?: MsgDecoder }).decodeMsg;
  for (const m of messages) {
    if (m.typeUrl === "") throw errTxDecode("unable to resolve type URL (empty)");
    let signer: string | undefined;
    if (m.typeUrl === UPDATE_PARAMS_TYPE) {
      signer = decodeProto(m.typeUrl, () => MsgUpdateParams.decode(m.value)).authority;
    } else if (m.typeUrl === EXEC_LEGACY_CONTENT_TYPE) {
      const msg = decodeProto(m.typeUrl, () => MsgExecLegacyContent.decode(m.value));
      wrapInvalid(() => legacyContent(msg.content));
      signer = msg.authority;
    } else if (decoder) {
      signer = wrapInvalid(() => decoder(m).signer);
    }
    if (signer !== undefined && signer !== authority) throw errInvalidSigner(signer);
  }
}

/** A decode failure stays a tx parse error (as the SDK fails unpacking); anything else is an invalid message. */
function wrapInvalid<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof SdkError && e.codespace === "sdk" && e.code === 2) throw e;
    throw errInvalidProposalMsg((e as Error).message);
  }
}

/**
 * The legacy content a MsgExecLegacyContent carries. icsd knows one content type, TextProposal (the
 * SDK's only built-in one without another module's legacy handler); any other type URL fails as the
 * SDK fails to unpack an unregistered Any. Validated as v1beta1.ValidateAbstract.
 */
export function legacyContent(content: Any | undefined): TextProposal {
  if (!content) throw errInvalidProposalContent("missing content");
  if (content.typeUrl !== TEXT_PROPOSAL_TYPE) {
    throw errTxDecode(`unable to resolve type URL ${content.typeUrl || "(empty)"}`);
  }
  const text = decodeProto(content.typeUrl, () => TextProposal.decode(content.value));
  validateAbstract(text);
  return text;
}

/** v1beta1.ValidateAbstract: a non-blank title of at most 140 bytes, a description of at most 10000. */
export function validateAbstract(c: TextProposal): void {
  if (c.title.trim().length === 0) throw errInvalidProposalContent("proposal title cannot be blank");
  if (Buffer.byteLength(c.title) > MAX_TITLE_LENGTH) {
    throw errInvalidProposalContent(`proposal title is longer than max length of ${MAX_TITLE_LENGTH}`);
  }
  if (c.description.length === 0) throw errInvalidProposalContent("proposal description cannot be blank");
  if (Buffer.byteLength(c.description) > MAX_DESCRIPTION_LENGTH) {
    throw errInvalidProposalContent(
      `proposal description is longer than max length of ${MAX_DESCRIPTION_LENGTH}`,
    );
  }
}
