#include "stsd/common/sts_error.h"

namespace stsd {

// The one table of wire codes: the modelled errors of botocore's STS and IAM
// models (each action's Errors in the AWS STS and IAM API references), the
// common ones (https://docs.aws.amazon.com/STS/latest/APIReference/CommonErrors.html)
// and the authentication errors of https://docs.aws.amazon.com/IAM/latest/UserGuide/signature-v4-troubleshooting.html.
const ErrorInfo& error_info(ErrorCode code) {
  static constexpr ErrorInfo kInvalidAction{"InvalidAction", 400, true, true};
  static constexpr ErrorInfo kMalformedInput{"MalformedInput", 400, true, false};
  static constexpr ErrorInfo kValidation{"ValidationError", 400, true, false};
  static constexpr ErrorInfo kInvalidParameterValue{"InvalidParameterValue", 400, true, false};
  static constexpr ErrorInfo kMissingAction{"MissingAction", 400, true, false};
  static constexpr ErrorInfo kMissingAuth{"MissingAuthenticationToken", 403, true, false};
  static constexpr ErrorInfo kIncomplete{"IncompleteSignature", 400, true, false};
  static constexpr ErrorInfo kSigMismatch{"SignatureDoesNotMatch", 403, true, false};
  static constexpr ErrorInfo kInvalidClientTokenId{"InvalidClientTokenId", 403, true, false};
  static constexpr ErrorInfo kExpiredToken{"ExpiredToken", 403, true, false};
  static constexpr ErrorInfo kAccessDenied{"AccessDenied", 403, true, false};
  static constexpr ErrorInfo kMalformedPolicy{"MalformedPolicyDocument", 400, true, false};
  static constexpr ErrorInfo kPackedTooLarge{"PackedPolicyTooLarge", 400, true, false};
  static constexpr ErrorInfo kRegionDisabled{"RegionDisabledException", 403, true, false};
  static constexpr ErrorInfo kExpiredTokenException{"ExpiredTokenException", 400, true, false};
  static constexpr ErrorInfo kIdpRejected{"IDPRejectedClaim", 403, true, false};
  static constexpr ErrorInfo kIdpComm{"IDPCommunicationError", 400, true, false};
  static constexpr ErrorInfo kInvalidIdentityToken{"InvalidIdentityToken", 400, true, false};
  static constexpr ErrorInfo kInvalidAuthzMessage{"InvalidAuthorizationMessageException", 400, true, false};
  static constexpr ErrorInfo kExpiredTradeIn{"ExpiredTradeInTokenException", 400, true, false};
  static constexpr ErrorInfo kJwtTooLarge{"JWTPayloadSizeExceededException", 400, true, false};
  static constexpr ErrorInfo kOutboundDisabled{"OutboundWebIdentityFederationDisabledException", 403, true, false};
  static constexpr ErrorInfo kEscalation{"SessionDurationEscalationException", 403, true, false};
  // The newest STS model (scripts/model-overlay/sts.json): awsQueryError codes.
  static constexpr ErrorInfo kInsufficientLifetime{"InsufficientSessionLifetime", 400, true, false};
  static constexpr ErrorInfo kInvalidSubject{"InvalidSubjectCredentials", 400, true, false};
  static constexpr ErrorInfo kInvalidContextAssertion{"InvalidContextAssertion", 400, true, false};
  // IAM (the IAM API Reference, "Common Errors" and each action's Errors).
  static constexpr ErrorInfo kNoSuchEntity{"NoSuchEntity", 404, true, false};
  static constexpr ErrorInfo kEntityAlreadyExists{"EntityAlreadyExists", 409, true, false};
  static constexpr ErrorInfo kDeleteConflict{"DeleteConflict", 409, true, false};
  static constexpr ErrorInfo kLimitExceeded{"LimitExceeded", 409, true, false};
  static constexpr ErrorInfo kInvalidInput{"InvalidInput", 400, true, false};
  static constexpr ErrorInfo kUnmodifiableEntity{"UnmodifiableEntity", 400, true, false};
  static constexpr ErrorInfo kInvalidAuthenticationCode{"InvalidAuthenticationCode", 403, true, false};
  static constexpr ErrorInfo kServiceFailure{"ServiceFailure", 500, false, false};
  static constexpr ErrorInfo kInternal{"InternalFailure", 500, false, false};
  static constexpr ErrorInfo kUnavailable{"ServiceUnavailable", 503, false, false};

  switch (code) {
    case ErrorCode::InvalidAction: return kInvalidAction;
    case ErrorCode::MalformedInput: return kMalformedInput;
    case ErrorCode::ValidationError: return kValidation;
    case ErrorCode::InvalidParameterValue: return kInvalidParameterValue;
    case ErrorCode::MissingAction: return kMissingAction;
    case ErrorCode::MissingAuthenticationToken: return kMissingAuth;
    case ErrorCode::IncompleteSignature: return kIncomplete;
    case ErrorCode::SignatureDoesNotMatch: return kSigMismatch;
    case ErrorCode::InvalidClientTokenId: return kInvalidClientTokenId;
    case ErrorCode::ExpiredToken: return kExpiredToken;
    case ErrorCode::AccessDenied: return kAccessDenied;
    case ErrorCode::MalformedPolicyDocument: return kMalformedPolicy;
    case ErrorCode::PackedPolicyTooLarge: return kPackedTooLarge;
    case ErrorCode::RegionDisabled: return kRegionDisabled;
    case ErrorCode::ExpiredTokenException: return kExpiredTokenException;
    case ErrorCode::IDPRejectedClaim: return kIdpRejected;
    case ErrorCode::IDPCommunicationError: return kIdpComm;
    case ErrorCode::InvalidIdentityToken: return kInvalidIdentityToken;
    case ErrorCode::InvalidAuthorizationMessage: return kInvalidAuthzMessage;
    case ErrorCode::ExpiredTradeInToken: return kExpiredTradeIn;
    case ErrorCode::JWTPayloadSizeExceeded: return kJwtTooLarge;
    case ErrorCode::OutboundWebIdentityFederationDisabled: return kOutboundDisabled;
    case ErrorCode::SessionDurationEscalation: return kEscalation;
    case ErrorCode::InsufficientSessionLifetime: return kInsufficientLifetime;
    case ErrorCode::InvalidSubjectCredentials: return kInvalidSubject;
    case ErrorCode::InvalidContextAssertion: return kInvalidContextAssertion;
    case ErrorCode::NoSuchEntity: return kNoSuchEntity;
    case ErrorCode::EntityAlreadyExists: return kEntityAlreadyExists;
    case ErrorCode::DeleteConflict: return kDeleteConflict;
    case ErrorCode::LimitExceeded: return kLimitExceeded;
    case ErrorCode::InvalidInput: return kInvalidInput;
    case ErrorCode::UnmodifiableEntity: return kUnmodifiableEntity;
    case ErrorCode::InvalidAuthenticationCode: return kInvalidAuthenticationCode;
    case ErrorCode::ServiceFailure: return kServiceFailure;
    case ErrorCode::InternalFailure: return kInternal;
    case ErrorCode::ServiceUnavailable: return kUnavailable;
  }
  return kInternal;
}

}  // namespace stsd
