import { SdkError } from "../../app/index.ts";

/** x/ccv/provider's registered errors (types/errors.go, codespace "provider"), same codes and text. */
function provider(code: number, desc: string) {
  return (detail?: string): SdkError =>
    new SdkError("provider", code, detail === undefined || detail === "" ? desc : `${detail}: ${desc}`);
}

export const PROVIDER_CODESPACE = "provider";
export const errUnknownConsumerId = provider(3, "no consumer chain with this consumer id");
export const errConsumerKeyInUse = provider(10, "consumer key is already in use by a validator");
export const errCannotAssignDefaultKeyAssignment = provider(11, "cannot re-assign default key assignment");
export const errCannotOptOutFromTopN = provider(20, "cannot opt out from a Top N chain");
export const errUnauthorized = provider(25, "unauthorized");
export const errInvalidPhase = provider(27, "cannot perform action in the current phase of consumer chain");
export const errInvalidConsumerMetadata = provider(28, "invalid consumer metadata");
export const errInvalidPowerShapingParameters = provider(29, "invalid power shaping parameters");
export const errInvalidConsumerInitializationParameters = provider(
  30,
  "invalid consumer initialization parameters",
);
export const errNoConsumerGenesis = provider(33, "missing consumer genesis");
export const errInvalidNewOwnerAddress = provider(38, "invalid new owner address");
export const errInvalidTransformToTopN = provider(39, "invalid transform to Top N chain");
export const errCannotCreateTopNChain = provider(41, "cannot create Top N chain outside permissionlessly");
export const errInvalidMsgCreateConsumer = provider(44, "invalid create consumer message");
export const errInvalidMsgUpdateConsumer = provider(45, "invalid update consumer message");
export const errInvalidMsgAssignConsumerKey = provider(46, "invalid assign consumer key message");
export const errInvalidMsgOptIn = provider(49, "invalid opt in message");
export const errInvalidMsgOptOut = provider(50, "invalid opt out message");
export const errInvalidMsgSetConsumerCommissionRate = provider(
  51,
  "invalid set consumer commission rate message",
);
export const errInvalidConsumerInfractionParameters = provider(54, "invalid consumer infraction parameters");
