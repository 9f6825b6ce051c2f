#pragma once
// AWS Signature Version 4, as named stages (canonical request -> string to
// sign -> signing key -> signature) plus the parser of the two signed forms
// (Authorization header, presigned query). Leaf library: no HTTP library
// types, no store; the caller looks the secret up.
// Reference: docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "stsd/common/result.h"

namespace stsd::sigv4 {

struct Header {
  std::string name;   // as received (any case)
  std::string value;  // as received (untrimmed)
};

// The parts of an HTTP request that SigV4 covers.
struct Request {
  std::string method;  // "GET", "POST"
  std::string path;    // raw, still percent-encoded, without the query
  std::string query;   // raw query string without '?', may be empty
  std::vector<Header> headers;
  std::string body;
};

// The credential scope: <key>/<date>/<region>/<service>/aws4_request.
struct CredentialScope {
  std::string access_key_id;
  std::string date;        // YYYYMMDD
  std::string region;
  std::string service;
  std::string terminator;  // "aws4_request"
  std::string scope() const;  // date/region/service/terminator
};

// What the request claims: parsed from the Authorization header or from the
// X-Amz-* query parameters of a presigned URL.
struct SignedRequestInfo {
  bool presigned = false;
  std::string algorithm;                    // "AWS4-HMAC-SHA256"
  CredentialScope credential;
  std::vector<std::string> signed_headers;  // lowercase, as listed
  std::string signature;                    // lowercase hex as sent
  std::string amz_date;                     // X-Amz-Date (or Date header), ISO8601 basic
  std::optional<std::string> security_token;  // X-Amz-Security-Token
};

enum class ErrorKind {
  MissingAuthenticationToken,  // no Authorization header and no X-Amz-Algorithm query
  IncompleteSignature,         // malformed, missing components, unsupported algorithm (400)
  SignatureDoesNotMatch,       // both forms sent, 'Host' unsigned, scope date mismatch (403)
};

struct Error {
  ErrorKind kind;
  std::string message;  // AWS's wording (AWS-BEHAVIOUR.md section 4)
};

// Parses either signed form. Does not check the signature, the clock, the
// region or the service; only the syntax, in AWS's order: both forms sent
// (SignatureDoesNotMatch) or none (MissingAuthenticationToken; an
// Authorization header not starting "AWS4-" counts as none), missing
// components (IncompleteSignature, all listed), 'Host' not signed
// (SignatureDoesNotMatch), algorithm other than AWS4-HMAC-SHA256 and a
// credential without 5 elements (IncompleteSignature), scope date differing
// from a well-formed X-Amz-Date (SignatureDoesNotMatch). The query form is
// chosen by the presence of X-Amz-Algorithm. Never throws, for any bytes.
Result<SignedRequestInfo, Error> parse(const Request& request);

// Stage 1: the canonical request. For presigned requests X-Amz-Signature is
// left out of the canonical query. normalize_path applies RFC 3986 dot-segment
// removal and slash collapsing (all services but S3).
std::string canonical_request(const Request& request, const SignedRequestInfo& info,
                              bool normalize_path = true);
// Stage 2.
std::string string_to_sign(std::string_view amz_date, const CredentialScope& scope,
                            std::string_view canonical_request);
// Stage 3 (raw bytes).
std::string signing_key(std::string_view secret_access_key, const CredentialScope& scope);
// Stage 4 (lowercase hex).
std::string signature(std::string_view signing_key, std::string_view string_to_sign);

// All stages; compares with the sent signature in constant time. Also false
// when an x-amz-content-sha256 header is not the body's hash. A presigned
// request carrying X-Amz-Security-Token is accepted whether the token was in
// the signed query or appended after signing.
bool verify(const Request& request, const SignedRequestInfo& info,
            std::string_view secret_access_key, bool normalize_path = true);

// Signs a request (used by tests and benchmarks): adds X-Amz-Date, the
// Authorization header and (if given) X-Amz-Security-Token, replacing any
// earlier ones. Signs host, x-amz-date, x-amz-security-token (if given) and
// content-type (if present).
void sign(Request& request, std::string_view access_key_id, std::string_view secret_access_key,
          std::string_view region, std::string_view service, std::string_view amz_date,
          std::optional<std::string_view> session_token = std::nullopt);

}  // namespace stsd::sigv4
