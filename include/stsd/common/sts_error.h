#pragma once
// The one error type of the request path. Every failure an STS or IAM caller
// can see is an StsError; protocol::render_error (response_writer.h) is the
// only place that renders it.
#include <string>
#include <string_view>

#include "stsd/common/result.h"

namespace stsd {

enum class ErrorCode {
  // Dispatch and protocol
  InvalidAction,
  MalformedInput,
  ValidationError,
  InvalidParameterValue,
  MissingAction,
  // Authentication (SigV4)
  MissingAuthenticationToken,
  IncompleteSignature,
  SignatureDoesNotMatch,
  InvalidClientTokenId,
  ExpiredToken,
  // Authorization and modelled STS errors
  AccessDenied,
  MalformedPolicyDocument,
  PackedPolicyTooLarge,
  RegionDisabled,
  ExpiredTokenException,
  IDPRejectedClaim,
  IDPCommunicationError,
  InvalidIdentityToken,
  InvalidAuthorizationMessage,
  ExpiredTradeInToken,
  JWTPayloadSizeExceeded,
  OutboundWebIdentityFederationDisabled,
  SessionDurationEscalation,
  InsufficientSessionLifetime,
  InvalidSubjectCredentials,
  InvalidContextAssertion,
  // IAM's modelled errors
  NoSuchEntity,
  EntityAlreadyExists,
  DeleteConflict,
  LimitExceeded,
  InvalidInput,
  UnmodifiableEntity,
  InvalidAuthenticationCode,
  ServiceFailure,
  // Server side
  InternalFailure,
  ServiceUnavailable,
};

// How a code goes on the wire: name, HTTP status, Sender/Receiver and whether
// it uses AWS's generic AWSFault namespace instead of the STS one.
struct ErrorInfo {
  std::string_view wire_code;
  int http_status;
  bool sender;
  bool aws_fault_namespace;
};

const ErrorInfo& error_info(ErrorCode code);

struct StsError {
  ErrorCode code = ErrorCode::InternalFailure;
  std::string message;
  // AWS omits <Message> for some codes (MalformedInput without detail).
  bool has_message = true;
  // AccessDenied from a policy decision: the encoded authorization message
  // (DecodeAuthorizationMessage decodes it), sent in a response header so
  // the body stays byte-for-byte AWS's.
  std::string encoded_authorization_message;

  static StsError make(ErrorCode code, std::string message) {
    return StsError{code, std::move(message), true, {}};
  }
  static StsError without_message(ErrorCode code) {
    return StsError{code, {}, false, {}};
  }
};

inline Unexpected<StsError> fail(ErrorCode code, std::string message) {
  return {StsError::make(code, std::move(message))};
}

}  // namespace stsd
